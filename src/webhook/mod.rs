//! The in-process webhook: the routes Twilio calls during a test call, and the turn protocol
//! that connects them to each test case's step engine.
//!
//! ```text
//! Twilio --POST start/next/status?cs=<session>--> routes (signature check, size limit)
//!        <-- TwiML: queued actions + <Gather> --    |  CallEvent           ^ Action
//!                                                   v                      |
//!                                             Sessions (one per call) <-> step engine
//! ```

pub mod answer;
pub mod routes;
pub mod turns;
