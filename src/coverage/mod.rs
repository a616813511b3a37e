//! Flow coverage: which parts of the IVR a suite exercised, and by which test cases.
//!
//! | module | job |
//! |---|---|
//! | [`model`] | the data: flows (widgets, transitions), TwiML applications (webhooks, gather outcomes) |
//! | [`merge`] | the union of two runs' coverage (shards of one suite), by test case names |

pub mod merge;
pub mod model;

pub use model::Coverage;
