//! The Function relay: with real Twilio and nothing but credentials, the public end of the
//! call's webhooks is a Twilio Function on the user's own account, and the runner reads what it
//! stored over REST (`docs/relay-protocol.md`).
//!
//! | module | job |
//! |---|---|
//! | [`link`] | the runner's end: tells the relay about each call, reads its events into `turn::Sessions`, answers through the live-call update |

pub mod link;
