//! The turn protocol: a test call's step engine takes [`CallEvent`]s (the IVR spoke, a
//! `<Gather>` ended, the call's status changed) and answers with [`Action`]s (say, press,
//! listen, hang up), which go back to Twilio as the TwiML of the next webhook.
//!
//! Transports are adapters on this module: each receives Twilio's webhooks through
//! [`signed::read_signed`], turns them into events with the builders in [`signed`], and
//! renders a [`Turn`] with [`answer::CallerVoice`].
//!
//! ```text
//! in-process:  Twilio --webhook--> crate::webhook ----------------------------+
//! via Redis:   Twilio --webhook--> crate::proxy --Redis--> crate::relay::runner --+--> Sessions <--> step engine
//! ```

pub mod answer;
pub mod protocol;
pub mod sessions;
pub mod signed;

pub use protocol::{is_final_status, Action, CallEvent, SessionId, Turn};
pub use sessions::{SessionEnd, Sessions};
