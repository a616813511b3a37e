//! What every integration test module uses, one file per thing it stands in for:
//!
//! | module | what |
//! |---|---|
//! | [`command`] (re-exported here) | a temporary [`Project`], the binary run in it ([`Output`]), the shared corpus |
//! | [`demo`] | the repository's own demo suite, where it is or copied into a project |
//! | [`run`] | `ivr-test run` against the emulator or a Twilio-like API, and its JSON report |
//! | [`emulator`] | the emulator in-process, its REST API, callers and agents |
//! | [`queue`] | call queues: a queueing IVR, listening callers, staffed queues |
//! | [`twiml_app`] | a TwiML application over real HTTP that records what it was sent |
//! | [`studio`] | Studio flows on the emulator and a caller that answers them |
//! | [`relay`] | the relay on the emulator: node's presence, Builds at once, the account's client |
//! | [`redis`] | a real `redis-server`, stopped, paused and restarted at will |
//! | [`proxy`] | the proxy in-process, the runner's side of its protocol by hand, signed webhooks |
//! | [`balancer`] | a round-robin load balancer in front of several proxies |
//! | [`browser`] | headless chromium: a page's DOM after its scripts, screenshots, a probe page that measures a framed page |
//! | [`static_site`] | a folder served over loopback HTTP (for the browser) |
//!
//! Fluent where a test builds something: `Project::new().file(..).env(..).run(&[..])`,
//! `TwimlAppBuilder::new(token).twiml(..).route(..).start()`.

pub mod balancer;
pub mod browser;
mod command;
pub mod demo;
pub mod emulator;
pub mod proxy;
pub mod queue;
pub mod redis;
pub mod relay;
pub mod run;
pub mod static_site;
pub mod studio;
pub mod twiml_app;

pub use command::{corpus, corpus_at, run_in, Output, Project};
pub use redis::free_port;
