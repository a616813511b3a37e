//! Flow coverage: which parts of the IVR a suite exercised, and by which test cases.
//!
//! | module | job |
//! |---|---|
//! | [`model`] | the data: flows (widgets, transitions), TwiML applications (webhooks, gather outcomes) |

pub mod model;

pub use model::Coverage;
