//! Twilio's wire protocol, shared by the emulator and the runner: SIDs, dates, the REST error
//! envelope, request signatures and TwiML (documents, parsing and writing).
//!
//! Which country a number dials ([`countries`]) serves voice geo permissions.
//!
//! The runner's REST client ([`client`]: the 2010-04-01 API, Serverless, Sync and Studio, each product
//! reached from one configured base URL) and its error hints ([`explain`]) live here too.
//!
//! It holds no call state; see `shared/reference/twilio.md` for the specification.

pub mod client;
pub mod countries;
pub mod error;
pub mod explain;
pub mod retry;
pub mod secret;
pub mod serve;
pub mod sid;
pub mod signature;
pub mod time;
pub mod twiml;
