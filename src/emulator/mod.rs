//! A local Twilio-compatible service: the REST API (calls, messages, recordings), the call
//! engine (two legs bridged by speech and keys), the TwiML interpreter, and signed webhooks.
//!
//! ```text
//! REST API (rest) --CallControl--> engine (one task per call)
//!      |   \                          |  caller leg: TwiML of Url/Twiml
//!      v    \                         |  callee leg: the IVR's TwiML (number -> voice_url)
//!    store <-+------------------------+  bridge: speech as text with a duration, DTMF as keys
//! ```
//!
//! Time runs on a scaled [`clock::Clock`]; every record lives in the [`store::Store`], call
//! queues included ([`queues`]).

pub mod clock;
pub mod command;
pub mod config;
pub mod control;
pub mod engine;
pub mod ledger;
pub mod log;
pub mod model;
pub mod queues;
pub mod recogniser;
pub mod rest;
pub mod server;
pub mod store;
pub mod studio;
