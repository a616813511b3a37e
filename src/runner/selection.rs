//! Which test cases of the suite this run dials: `--shard K/N` (by count, or balanced by
//! `--shard-durations`), and the suite identity the JSON report records so that `report
//! merge` can tell shards of one suite and configuration from others.
//!
//! Every shard loads and checks the whole suite, so all of them agree on the assignment; the
//! selected test cases keep their position in the whole (filtered) suite as their index, so
//! merged shards number test cases as one run does.

use std::path::Path;

use crate::config::Config;
use crate::report::json_read::read_report;
use crate::report::suite::{
    configuration_fingerprint, suite_fingerprint, CaseSource, SuiteIdentity,
};
use crate::shard::Shard;
use botiumscript::convo::Convo;

/// The test cases this run dials, each with its index in the whole suite, and the suite's
/// identity.
pub(crate) struct Selection {
    /// (index in the whole suite, test case), in suite order.
    pub cases: Vec<(usize, Convo)>,
    /// For the JSON report.
    pub suite: SuiteIdentity,
}

/// What selects the test cases.
pub(crate) struct SelectionRequest<'a> {
    /// `--shard`.
    pub shard: Option<Shard>,
    /// `--shard-durations`, resolved.
    pub durations: Option<&'a Path>,
    /// `--filter`.
    pub filter: Option<&'a str>,
    /// The emulator configuration file, with `--emulate`.
    pub emulate: Option<&'a Path>,
}

/// Selects this shard's test cases of `cases` (the whole filtered suite); the error, for exit
/// 2, names the file or flag at fault.
pub(crate) fn select(
    cases: Vec<Convo>,
    request: &SelectionRequest<'_>,
    config: &Config,
    cwd: &Path,
) -> Result<Selection, String> {
    let sources: Vec<CaseSource<'_>> = cases
        .iter()
        .map(|c| CaseSource {
            name: &c.name,
            file: c.file.as_path(),
        })
        .collect();
    let fingerprint = suite_fingerprint(&sources, cwd, request.filter);
    let emulator_config = match request.emulate {
        Some(path) => {
            Some(std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?)
        }
        None => None,
    };
    let configuration =
        configuration_fingerprint(&config.capabilities.raw, emulator_config.as_deref());
    let durations = match request.durations {
        Some(path) => Some(
            read_report(path)
                .map_err(|e| format!("--shard-durations {e}"))?
                .durations(),
        ),
        None => None,
    };
    let suite = SuiteIdentity {
        fingerprint,
        configuration,
        test_cases: cases.len(),
        shard: request.shard.map(Into::into),
    };
    let chosen: Vec<usize> = match request.shard {
        Some(shard) => {
            let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
            shard.select(&names, durations.as_ref())
        }
        None => (0..cases.len()).collect(),
    };
    let mut chosen = chosen.into_iter().peekable();
    let cases = cases
        .into_iter()
        .enumerate()
        .filter(|(index, _)| chosen.next_if_eq(index).is_some())
        .collect();
    Ok(Selection { cases, suite })
}
