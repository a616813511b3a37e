//! The in-process webhook: the turn protocol's adapter for a runner Twilio can reach directly
//! (a public URL or a tunnel to `TWILIO_IVR_INBOUNDPORT`).
//!
//! ```text
//! Twilio --POST start/next/partial/status?cs=<session>--> routes (signature check, size limit)
//!        <-- TwiML: queued actions + <Gather> --            |  CallEvent           ^ Action
//!                                                           v                      |
//!                                                     turn::Sessions (one per call) <-> step engine
//! ```

pub mod routes;
