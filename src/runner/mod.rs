//! `ivr-test run`: one phone call per test case, the turn protocol, the step engine.
//!
//! The runner emits [`events::RunEvent`]s; reporters (see [`crate::report`]) consume them and
//! never decide pass or fail.

pub mod asserters;
pub mod command;
pub mod conversation;
pub mod events;
pub mod memory;
pub mod session;
