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
use crate::coverage::gate::{finish, CoverageEnd};
use crate::coverage::Measured;
use crate::exit_code::Outcome;
use crate::output::Output;
use crate::report::json_read::read_report;
use crate::report::merge::merge_reports;
use crate::report::{
    console_mode, use_colors, ConsoleReporter, HtmlReporter, JsonReporter, JunitReporter, Reporter,
    Reporters,
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
    /// `--coverage-min PERCENT`: exit 4 below this share of transitions taken.
    pub coverage_min: Option<f64>,
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
    let asked = match (&request.coverage, request.coverage_min) {
        (Some(path), _) => Some(format!("--coverage {}", path.display())),
        (None, Some(min)) => Some(format!("--coverage-min {min}")),
        (None, None) => None,
    };
    if let (Some(asked), None) = (asked, &merged.coverage) {
        return refuse(
            err,
            format!("{asked}: the reports have no coverage (run the shards with --coverage)"),
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
    let mut coverage_end = CoverageEnd::Met;
    if let Some(coverage) = &merged.coverage {
        let measured = Measured {
            coverage: coverage.clone(),
            notes: Vec::new(),
        };
        let path = request.coverage.as_ref().map(|p| resolve_path(cwd, p));
        coverage_end = finish(&measured, path.as_deref(), request.coverage_min, err);
        failed_write |= coverage_end == CoverageEnd::NotWritten;
    }
    if failed_write {
        let _ = writeln!(err, "error: a merged report could not be written");
    }
    let summary = &merged.summary;
    if summary.errors > 0 || failed_write {
        Outcome::Infrastructure
    } else if summary.failed > 0 {
        Outcome::TestFailed
    } else if coverage_end == CoverageEnd::Below {
        Outcome::CoverageBelowMinimum
    } else {
        Outcome::Passed
    }
}
