//! Flow coverage: which parts of the IVR a suite exercised, and by which test cases.
//!
//! ```text
//! after the last call: measure --> studio (IncomingPhoneNumbers -> voice URL -> Flows/FW ->
//!                                          Executions -> Steps; REST, emulator and Twilio alike)
//!                                     graph (definition -> widgets, transitions) + steps (mark)
//!                              --> twiml (emulator only: the IVR legs' webhooks and gathers)
//!                      --> RunEvent::CoverageMeasured --> reports; summary (the console line)
//! ```
//!
//! | module | job |
//! |---|---|
//! | [`model`] | the data: flows (widgets, transitions), TwiML applications (webhooks, gather outcomes) |
//! | [`graph`] | a flow definition as an unexercised graph |
//! | [`steps`] | marking the graph with an execution's steps |
//! | [`studio`] | the dialled number's flow and its executions through the REST API; attribution to test cases |
//! | [`twiml`] | a TwiML application's webhooks and gather outcomes on the emulator |
//! | [`measure`](mod@measure) | all of it after a run |
//! | [`summary`] | the console's line per flow |
//! | [`merge`] | the union of two runs' coverage (shards of one suite), by test case names |
//! | [`gate`] | after the reports: notes, the `--coverage` file, the `--coverage-min` verdict |

pub mod gate;
pub mod graph;
pub mod measure;
pub mod merge;
pub mod model;
pub mod steps;
pub mod studio;
pub mod summary;
pub mod twiml;

pub use measure::{measure, Measured};
pub use model::Coverage;
