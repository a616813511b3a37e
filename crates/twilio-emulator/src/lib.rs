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
//! Time runs on a scaled [`clock::Clock`]; every record lives in the [`store::Store`].

/// The README's embedding example, run as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExample;

pub mod clock;
pub mod config;
pub mod control;
pub mod engine;
pub mod ledger;
pub mod log;
pub mod model;
pub mod recogniser;
pub mod rest;
pub mod server;
pub mod serverless;
pub mod store;
pub mod studio;
pub mod sync;
#[cfg(test)]
mod v1_test_api;
