//! Merging the JSON reports of a suite's shards into the report of one run.
//!
//! The reports must be of one suite and configuration (equal fingerprints), of one shard
//! count, every shard exactly once, with no test case index in two of them. The merged report
//! has the results in index order; its totals are counted again; `started_at` is the earliest
//! shard's, `duration_ms` the longest shard's (they run side by side), `call_time_ms` the sum;
//! it is `complete` when every shard was; its `shard` is `null`; coverage is the union (see
//! [`crate::coverage::merge`]).

use std::path::PathBuf;

use super::json_read::{ReadReport, ReadSummary, ReadTest};
use crate::coverage::merge::merge_into;
use crate::coverage::Coverage;
use crate::events::Verdict;

/// Merges `reports` (each with the file it came from); the error names the files at fault.
pub fn merge_reports(reports: Vec<(PathBuf, ReadReport)>) -> Result<ReadReport, String> {
    let Some((first_path, first)) = reports.first() else {
        return Err("no reports to merge".into());
    };
    let Some(first_suite) = first.suite.clone() else {
        return Err(no_identity(first_path));
    };
    let count = first_suite.shard.map_or(1, |s| s.count);
    let mut by_shard: Vec<Option<&PathBuf>> = vec![None; count];
    for (path, report) in &reports {
        let suite = report.suite.as_ref().ok_or_else(|| no_identity(path))?;
        if suite.fingerprint != first_suite.fingerprint
            || suite.test_cases != first_suite.test_cases
        {
            return Err(format!(
                "{} and {} are reports of different suites (their suite fingerprints differ): \
                 every shard must run the same test cases with the same --filter",
                first_path.display(),
                path.display()
            ));
        }
        if suite.configuration != first_suite.configuration {
            return Err(format!(
                "{} and {} were run with different configurations (their configuration \
                 fingerprints differ): every shard must use the same botium.json, BOTIUM_* \
                 settings and emulator configuration",
                first_path.display(),
                path.display()
            ));
        }
        let (index, this_count) = suite.shard.map_or((1, 1), |s| (s.index, s.count));
        if this_count != count {
            return Err(format!(
                "{} is a shard of {count} but {} is a shard of {this_count}",
                first_path.display(),
                path.display()
            ));
        }
        let slot = by_shard
            .get_mut(index.wrapping_sub(1))
            .ok_or_else(|| format!("{}: shard {index}/{count} does not exist", path.display()))?;
        if let Some(other) = slot {
            return Err(format!(
                "{} and {} are both shard {index}/{count}",
                other.display(),
                path.display()
            ));
        }
        *slot = Some(path);
    }
    if let Some(missing) = by_shard.iter().position(Option::is_none) {
        return Err(format!("shard {}/{count} is missing", missing + 1));
    }

    let mut tests: Vec<(usize, &PathBuf, ReadTest)> = Vec::new();
    let mut summaries: Vec<ReadSummary> = Vec::new();
    let mut coverage: Option<Coverage> = None;
    for (path, report) in &reports {
        summaries.push(report.summary.clone());
        tests.extend(
            report
                .tests
                .iter()
                .map(|t| (t.result.index, path, t.clone())),
        );
        if let Some(theirs) = report.coverage.clone() {
            match &mut coverage {
                Some(ours) => merge_into(ours, theirs)?,
                None => coverage = Some(theirs),
            }
        }
    }
    tests.sort_by_key(|(index, _, _)| *index);
    for pair in tests.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(format!(
                "test case index {} is in both {} and {}",
                pair[0].0,
                pair[0].1.display(),
                pair[1].1.display()
            ));
        }
    }
    let tests: Vec<ReadTest> = tests.into_iter().map(|(_, _, t)| t).collect();
    let count_of = |f: fn(&Verdict) -> bool| tests.iter().filter(|t| f(&t.result.verdict)).count();
    let summary = ReadSummary {
        passed: count_of(|v| matches!(v, Verdict::Passed)),
        failed: count_of(|v| matches!(v, Verdict::Failed(_))),
        errors: count_of(|v| matches!(v, Verdict::Error(_))),
        planned: summaries.iter().map(|s| s.planned).sum(),
        complete: summaries.iter().all(|s| s.complete),
        started_at: earliest(summaries.iter().filter_map(|s| s.started_at.as_deref())),
        duration_ms: summaries.iter().map(|s| s.duration_ms).max().unwrap_or(0),
        call_time_ms: summaries.iter().map(|s| s.call_time_ms).sum(),
    };
    let mut suite = first_suite;
    suite.shard = None;
    Ok(ReadReport {
        summary,
        suite: Some(suite),
        tests,
        coverage,
    })
}

fn no_identity(path: &std::path::Path) -> String {
    format!(
        "{}: the report has no suite identity (written by an older ivr-test); run the shards again",
        path.display()
    )
}

/// The earliest of RFC 3339 times (those that do not parse are ignored).
fn earliest<'a>(times: impl Iterator<Item = &'a str>) -> Option<String> {
    times
        .filter_map(|t| {
            chrono::DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|at| (at, t))
        })
        .min_by_key(|(at, _)| *at)
        .map(|(_, t)| t.to_string())
}
