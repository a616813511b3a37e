//! `ivr-test report merge`: the shards' JSON reports merged into one run's reports.
//!
//! The merged results are replayed as run events into the same reporters a run uses (console,
//! JSON, JUnit, and HTML once it exists), so a merged report is written by the same code as a
//! single run's. Exit codes as a run's: 0 all passed, 1 a test case failed, 3 a test case had
//! an error, 2 the reports cannot be merged (nothing is written then).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::resolve_path;
use crate::exit_code::Outcome;
use crate::output::Output;
use crate::report::json_read::read_report;
use crate::report::merge::merge_reports;
use crate::report::{
    console_mode, use_colors, write_report_file, ConsoleReporter, HtmlReporter, JsonReporter,
    JunitReporter, Reporter, Reporters,
};

/// What `report merge` was asked for.
#[derive(Debug, Clone, Default)]
pub struct MergeRequest {
    /// The shards' JSON reports.
    pub reports: Vec<PathBuf>,
    /// `--json FILE`: the merged JSON report.
    pub json: Option<PathBuf>,
    /// `--junit FILE`: the merged JUnit XML.
    pub junit: Option<PathBuf>,
    /// `--html FILE`: the merged HTML report.
    pub html: Option<PathBuf>,
    /// `--coverage FILE`: the merged coverage.
    pub coverage: Option<PathBuf>,
}

/// Merges the reports and writes what was asked; see the module documentation.
pub fn merge(
    request: &MergeRequest,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    output: &Output,
) -> Outcome {
    let err = &mut output.err.clone();
    let refuse = |err: &mut dyn Write, message: String| {
        let _ = writeln!(err, "error: {message}");
        Outcome::InvalidInput
    };
    let mut reports = Vec::with_capacity(request.reports.len());
    for path in &request.reports {
        match read_report(&resolve_path(cwd, path)) {
            Ok(report) => reports.push((path.clone(), report)),
            Err(e) => return refuse(err, format!("{}: {}", path.display(), e.message)),
        }
    }
    let merged = match merge_reports(reports) {
        Ok(merged) => merged,
        Err(message) => return refuse(err, message),
    };
    if let (Some(path), None) = (&request.coverage, &merged.coverage) {
        return refuse(
            err,
            format!(
                "--coverage {}: the reports have no coverage (run the shards with --coverage)",
                path.display()
            ),
        );
    }
    let mut reporters = Reporters::new(vec![Box::new(
        ConsoleReporter::new(
            Box::new(output.err.clone()),
            console_mode(output.terminal, env),
        )
        .with_colors(use_colors(output.terminal, env)),
    )]);
    if let Some(path) = &request.json {
        let mut json = JsonReporter::new(resolve_path(cwd, path))
            .with_started_at(merged.summary.started_at.clone());
        if let Some(suite) = &merged.suite {
            json = json.with_suite(suite.clone());
        }
        reporters.push(Box::new(json));
    }
    if let Some(path) = &request.junit {
        reporters.push(Box::new(JunitReporter::new(resolve_path(cwd, path))));
    }
    if let Some(path) = &request.html {
        reporters.push(Box::new(HtmlReporter::new(resolve_path(cwd, path))));
    }
    let mut failed_write = false;
    for event in merged.events() {
        failed_write |= reporters.event(&event).is_err();
    }
    failed_write |= reporters.finish().is_err();
    if let (Some(path), Some(coverage)) = (&request.coverage, &merged.coverage) {
        let written = serde_json::to_vec_pretty(coverage)
            .map_err(std::io::Error::other)
            .and_then(|mut json| {
                json.push(b'\n');
                write_report_file(&resolve_path(cwd, path), &json)
            });
        if let Err(e) = written {
            let _ = writeln!(err, "error: --coverage {}: {e}", path.display());
            failed_write = true;
        }
    }
    if failed_write {
        let _ = writeln!(err, "error: a merged report could not be written");
    }
    let summary = &merged.summary;
    if summary.errors > 0 || failed_write {
        Outcome::Infrastructure
    } else if summary.failed > 0 {
        Outcome::TestFailed
    } else {
        Outcome::Passed
    }
}
