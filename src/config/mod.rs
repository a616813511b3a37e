//! Configuration: `botium.json`, `BOTIUM_<CAPABILITY>` environment overrides, typed capabilities.
//!
//! Botium keeps capabilities as an untyped map and tests them for truthiness, so `0` is "missing"
//! and `"false"` is true. Here every capability the tool uses is parsed once, at load, into a
//! typed field; a bad value is an error that names the capability and the expected form.
//!
//! Entry points: [`Config::load`], [`Config::describe`], [`Config::redact`],
//! [`Config::missing_for_calls`]; errors are [`ConfigErrors`] (every problem, not just the first).

mod coerce;
mod credentials;
mod describe;
mod error;
mod extensions;
mod known;
mod load;
mod secrets;
mod source;
mod typed;
mod types;

#[cfg(test)]
mod load_tests;

pub use credentials::{RestCredentials, SIGNING_NEEDS_AUTH_TOKEN};
pub use error::{ConfigError, ConfigErrors, Origin};
pub use load::resolve_path;
pub use secrets::is_secret_capability;
pub(crate) use secrets::redis_url_secrets;
pub use types::*;
