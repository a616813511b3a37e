//! Configuration: `botium.json`, `BOTIUM_<CAPABILITY>` environment overrides, typed capabilities.
//!
//! Botium keeps capabilities as an untyped map and tests them for truthiness, so `0` is "missing"
//! and `"false"` is true. Here every capability the tool uses is parsed once, at load, into a
//! typed field; a bad value is an error that names the capability and the expected form.

mod types;

pub use types::*;
