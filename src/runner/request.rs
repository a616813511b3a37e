//! What `ivr-test run` was asked for: paths, reports, coverage, shard. The command line fills
//! it; the run and its reporting read it.

use std::path::PathBuf;

use crate::shard::Shard;

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    /// Convo files or folders.
    pub paths: Vec<PathBuf>,
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `--parallel`: calls at once.
    pub parallel: usize,
    /// `--filter`: a glob on test case names.
    pub filter: Option<String>,
    /// `--junit FILE`.
    pub junit: Option<PathBuf>,
    /// `--json FILE`.
    pub json: Option<PathBuf>,
    /// `--html FILE`: the HTML report (which draws the coverage).
    pub html: Option<PathBuf>,
    /// `--transcripts DIR`.
    pub transcripts: Option<PathBuf>,
    /// `--emulate FILE`: run the calls against the emulator started in-process.
    pub emulate: Option<PathBuf>,
    /// `--coverage FILE`: the flow coverage as JSON.
    pub coverage: Option<PathBuf>,
    /// `--coverage-min PERCENT`: exit 4 below this share of transitions taken (0 to 100).
    pub coverage_min: Option<f64>,
    /// `--shard K/N`: run only this shard's test cases.
    pub shard: Option<Shard>,
    /// `--shard-durations REPORT.json`: balance the shards by these durations.
    pub shard_durations: Option<PathBuf>,
}

impl RunRequest {
    /// Whether coverage is measured after the last call: a report asks for it.
    pub fn measure_coverage(&self) -> bool {
        self.coverage.is_some() || self.coverage_min.is_some() || self.html.is_some()
    }
}
