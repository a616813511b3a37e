//! The turn protocol over Redis, shared by `ivr-test proxy start` (the public webhook proxy) and
//! `ivr-test run` with `TWILIO_IVR_REDISURL` (the runner behind it). The protocol itself is in
//! `docs/proxy-protocol.md`; this module holds its key names ([`keys`]) and message shapes
//! ([`message`]), so both sides cannot drift apart.
//!
//! ```text
//! Twilio --webhook--> proxy --XADD event--> {runner}:events --XREAD--> runner (step engine)
//! Twilio <--TwiML---- proxy <--LPOP decision-- {session}:decisions <--RPUSH + PUBLISH-- runner
//! ```

pub mod keys;
pub mod message;
pub mod runner;
