//! How long the emulator makes Twilio's cloud services take, so a benchmark can model the real
//! round trips (`latencies` in the configuration; durations in emulated milliseconds, which the
//! time scale shortens like every other emulated duration).

use std::time::Duration;

use serde::Deserialize;

/// Emulated latencies of the cloud APIs; every call-handling path keeps its own timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Latencies {
    /// Added to every request to the 2010-04-01 REST API (calls, messages, recordings...)
    /// before it is answered (default 0): e.g. a live-call update's round trip.
    #[serde(default)]
    pub api_ms: u64,
    /// Added to every Sync API request before it is answered (default 0).
    #[serde(default)]
    pub sync_ms: u64,
    /// Added to every invocation of a deployed Function before it runs (default 0).
    #[serde(default)]
    pub function_ms: u64,
    /// How long a Serverless Build stays `building` before it is `completed` or `failed`
    /// (default 2,000; Twilio's take 10 to 30 s).
    #[serde(default = "default_build_ms")]
    pub build_ms: u64,
}

fn default_build_ms() -> u64 {
    2_000
}

impl Default for Latencies {
    fn default() -> Latencies {
        Latencies {
            api_ms: 0,
            sync_ms: 0,
            function_ms: 0,
            build_ms: default_build_ms(),
        }
    }
}

impl Latencies {
    /// The emulated delay of one request to the 2010-04-01 REST API.
    pub fn api(&self) -> Duration {
        Duration::from_millis(self.api_ms)
    }

    /// The emulated delay of one Sync request.
    pub fn sync(&self) -> Duration {
        Duration::from_millis(self.sync_ms)
    }

    /// The emulated delay added to one Function invocation.
    pub fn function(&self) -> Duration {
        Duration::from_millis(self.function_ms)
    }

    /// The emulated time a Build takes.
    pub fn build(&self) -> Duration {
        Duration::from_millis(self.build_ms)
    }
}
