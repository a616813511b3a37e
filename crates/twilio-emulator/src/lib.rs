//! A local Twilio-compatible service: the REST API (calls, messages, recordings,
//! transcriptions, queues), the call engine (the caller's and the IVR's legs bridged by speech
//! and keys; `<Dial>`led parties; `<Enqueue>`d callers and emulated agents), the TwiML
//! interpreter, Studio flows ([`studio`], with the Studio v2 API of their executions and
//! steps), and signed webhooks; and Twilio's cloud APIs a relay
//! Function needs: [`serverless`] (deploying Functions, and running them under node) and
//! [`sync`] (Lists of events), served under path prefixes of the same base URL; and what a
//! preflight reads: the account, its numbers and API keys (`rest`), and its voice geo
//! permissions ([`voice`]).
//!
//! ```text
//! REST API (rest) --CallControl--> engine (one task per call)
//!      |   \                          |  caller leg: TwiML of Url/Twiml
//!      v    \                         |  callee leg: the IVR's TwiML (number -> voice_url)
//!    store <-+------------------------+  bridge: speech as text with a duration, DTMF as keys
//!
//! /serverless/v1, /serverless-upload/v1 --> serverless (its own store)
//! /functions/{domain_name}{path}        --> serverless::invoke --> node --> a warm worker per
//!                                           deployment (worker.rs, runtime.js)
//! /sync/v1                              --> sync (its own store, TTLs on the clock)
//! /voice/v1/DialingPermissions          --> voice (from the accounts' configuration)
//! /studio/v2/Flows[/..Executions/..Steps] --> studio::api (flows; executions from the store)
//!      all through rest::v1 (credentials, parameters, absolute URLs) and rest's errors, paging
//! ```
//!
//! Time runs on a scaled [`clock::Clock`]; every call record lives in the [`store::Store`], call
//! queues included ([`queues`]).

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
pub mod queues;
pub mod recogniser;
pub mod rest;
pub mod server;
pub mod serverless;
pub mod store;
pub mod studio;
pub mod sync;
#[cfg(test)]
mod v1_test_api;
pub mod voice;
