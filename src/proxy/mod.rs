//! `ivr-test proxy start`: the public webhook proxy. It serves the in-process webhook's routes
//! (same signature check, same TwiML) to Twilio, and bridges each webhook to the runner that
//! owns the call through Redis, following `docs/proxy-protocol.md` with the names and messages
//! of [`crate::relay`].
//!
//! ```text
//! Twilio --POST start/next?cs=<session>--> routes (signature, account) --> turn (Redis steps)
//!        <-- TwiML (CallerVoice::answer) --                                   |  ^
//!                                                 redis: commands (HGETALL, XADD, LPOP)
//!                                                        subscription (<base>:decided) -> waiters
//! ```
//!
//! No call state lives here: the session's registration, its decisions and its events are in
//! Redis, and what a webhook could not deliver during an outage travels in the next callback
//! URL. Any proxy can take any webhook; a proxy can restart at any time.

pub mod command;
pub mod config;
pub mod log;
pub mod redis;
pub mod routes;
pub mod server;
pub mod turn;
pub mod waiters;
