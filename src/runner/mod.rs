//! `ivr-test run`: one phone call per test case, the turn protocol, the step engine.
//!
//! The runner emits [`crate::events::RunEvent`]s; reporters (see [`crate::report`]) consume them and
//! never decide pass or fail.
//!
//! - [`command`]: parse everything, pick the target (Twilio or `--emulate`), start the webhook,
//!   the Redis link or the Function relay's link, schedule the test cases (`--parallel`, calls per second), report.
//! - [`session`]: one test case as a call: dial, redial, hang up on every path.
//! - [`caller_ids`]: the caller IDs of `TWILIO_IVR_FROM`, held alone by test cases that check
//!   SMS, shared by the others.
//! - [`conversation`]: the step engine on the stream of what the IVR says (`#bot` steps in
//!   `conversation/bot_step.rs`); when `#me` answers go out in `conversation/answer.rs`; its
//!   `#begin`/`#end` hooks and asserters in `conversation/hooks.rs`, conditional `#bot` groups
//!   in `conversation/conditional.rs`.
//! - [`memory`]: scripting memory (`$variables`, capture, `$functions` in `memory/functions.rs`).
//! - [`offer`]: whether the IVR has offered the answer a `#me` step gives ("press 1").
//! - [`asserters`]: the asserters that need no network; [`call_checks`]: `CHECKTWILIOCALL`, once
//!   the call has ended.
//! - [`live_call`]: answers given mid-prompt, through the live-call update of the caller leg.
//! - [`request`]: what the command line asked for (`RunRequest`).
//! - `reporting`: the console and report files a run writes to.
//! - `selection`: which test cases this run dials (`--shard`), with their index in the whole
//!   suite, and the suite identity of the JSON report.
//! - [`transport`]: the Redis proxy's or the Function relay's link, told about each session
//!   before its call is placed.

pub mod asserters;
pub mod call_checks;
pub mod caller_ids;
pub mod command;
pub mod conversation;
pub mod live_call;
pub mod memory;
pub mod offer;
pub(crate) mod reporting;
pub mod request;
pub(crate) mod selection;
pub mod session;
pub mod transport;
