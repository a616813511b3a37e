//! Twilio's wire protocol, shared by the emulator and the runner: SIDs, dates, the REST error
//! envelope, request signatures and TwiML (documents, parsing and writing).
//!
//! It holds no call state; see `shared/reference/twilio.md` for the specification.

pub mod error;
mod sha256;
pub mod sid;
pub mod signature;
pub mod time;
pub mod twiml;
