//! Merging the JSON reports of a suite's shards into the report of one run.
//!
//! The reports must be of one suite and configuration (equal fingerprints), of one shard
//! count, every shard exactly once, with no test case index in two of them. The merged report
//! has the results in index order; its totals are counted again; `started_at` is the earliest
//! shard's, `duration_ms` the longest shard's (they run side by side), `call_time_ms` the sum;
//! it is `complete` when every shard was; its `shard` is `null`; coverage is the union (see
//! [`crate::coverage::merge`]).

use std::path::PathBuf;
use std::time::Duration;

use super::json_read::{ReadReport, ReadSummary, ReadTest};
use crate::coverage::merge::merge_into;
use crate::coverage::Coverage;
use crate::events::RunSummary;

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
    let totals = RunSummary::of(tests.iter().map(|t| &t.result), Duration::ZERO);
    let summary = ReadSummary {
        passed: totals.passed,
        failed: totals.failed,
        errors: totals.errors,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;
    use crate::report::json_read::ReadTest;
    use crate::report::suite::{ShardJson, SuiteIdentity};

    fn shard(index: usize, count: usize, tests: Vec<ReadTest>, summary: ReadSummary) -> ReadReport {
        ReadReport {
            summary,
            suite: Some(SuiteIdentity {
                fingerprint: "sha256:suite".into(),
                configuration: "sha256:config".into(),
                test_cases: 3,
                shard: Some(ShardJson { index, count }),
            }),
            tests,
            coverage: None,
        }
    }

    fn summary(
        started_at: &str,
        duration_ms: u64,
        call_time_ms: u64,
        planned: usize,
    ) -> ReadSummary {
        ReadSummary {
            passed: 0,
            failed: 0,
            errors: 0,
            planned: Some(planned),
            complete: true,
            started_at: Some(started_at.into()),
            duration_ms,
            call_time_ms,
        }
    }

    fn test(result: crate::events::TestResult) -> ReadTest {
        ReadTest {
            result,
            steps: vec![],
        }
    }

    fn two_shards() -> Vec<(PathBuf, ReadReport)> {
        vec![
            (
                "b.json".into(),
                shard(
                    2,
                    2,
                    vec![test(fixtures::failed())],
                    summary("2025-01-31T09:00:05.000+01:00", 9_000, 7_500, 1),
                ),
            ),
            (
                "a.json".into(),
                shard(
                    1,
                    2,
                    vec![test(fixtures::passed()), test(fixtures::error())],
                    summary("2025-01-31T08:59:59.000+01:00", 20_000, 11_000, 2),
                ),
            ),
        ]
    }

    #[test]
    fn totals_are_counted_again_and_times_combined() {
        let merged = merge_reports(two_shards()).expect("merges");
        let indices: Vec<usize> = merged.tests.iter().map(|t| t.result.index).collect();
        assert_eq!(indices, [0, 1, 2]);
        let s = &merged.summary;
        assert_eq!(
            (s.passed, s.failed, s.errors, s.planned),
            (1, 1, 1, Some(3))
        );
        assert_eq!(
            s.started_at.as_deref(),
            Some("2025-01-31T08:59:59.000+01:00")
        );
        assert_eq!((s.duration_ms, s.call_time_ms), (20_000, 18_500));
        assert!(s.complete);
        assert_eq!(merged.suite.and_then(|suite| suite.shard), None);

        let mut interrupted = two_shards();
        interrupted[0].1.summary.complete = false;
        assert!(!merge_reports(interrupted).expect("merges").summary.complete);
    }

    #[test]
    fn mixed_or_incomplete_shard_sets_are_refused() {
        let mut overlapping = two_shards();
        overlapping[0].1.tests.push(test(fixtures::passed()));
        let err = merge_reports(overlapping).expect_err("index 0 twice");
        assert_eq!(err, "test case index 0 is in both b.json and a.json");

        let mut other_suite = two_shards();
        if let Some(suite) = &mut other_suite[1].1.suite {
            suite.fingerprint = "sha256:other".into();
        }
        let err = merge_reports(other_suite).expect_err("other suite");
        assert!(
            err.starts_with("b.json and a.json are reports of different suites"),
            "{err}"
        );

        let mut out_of_range = two_shards();
        if let Some(suite) = &mut out_of_range[1].1.suite {
            suite.shard = Some(ShardJson { index: 3, count: 2 });
        }
        let err = merge_reports(out_of_range).expect_err("shard 3 of 2");
        assert_eq!(err, "a.json: shard 3/2 does not exist");

        let mut without_identity = two_shards();
        without_identity[1].1.suite = None;
        let err = merge_reports(without_identity).expect_err("no identity");
        assert!(
            err.starts_with("a.json: the report has no suite identity"),
            "{err}"
        );

        let err = merge_reports(two_shards().into_iter().take(1).collect()).expect_err("missing");
        assert_eq!(err, "shard 1/2 is missing");
    }
}
