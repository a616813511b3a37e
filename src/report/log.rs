//! What the buffering reporters keep of a run: results by index, the totals, start times.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local};

use crate::coverage::Coverage;
use crate::events::{RunEvent, RunSummary, StepRef, TestResult};

/// The results of a run so far, in `index` order whatever order they finished in.
#[derive(Debug, Default)]
pub(crate) struct RunLog {
    /// Finished test cases by index.
    pub results: BTreeMap<usize, TestResult>,
    /// The runner's totals, once [`RunEvent::RunFinished`] came.
    pub summary: Option<RunSummary>,
    /// How many test cases the runner announced.
    pub planned: Option<usize>,
    /// When the run started (wall clock for reports, monotonic for a derived duration).
    pub started: Option<(DateTime<Local>, Instant)>,
    /// When each test case started (wall clock), for JUnit timestamps.
    pub test_started: BTreeMap<usize, DateTime<Local>>,
    /// The steps each test case started, in order.
    pub steps: BTreeMap<usize, Vec<StepRef>>,
    /// What the suite exercised, when coverage was measured.
    pub coverage: Option<Coverage>,
}

impl RunLog {
    /// Records what a final report needs from `event`.
    pub fn record(&mut self, event: &RunEvent) {
        match event {
            RunEvent::RunStarted { test_cases, .. } => {
                self.planned = Some(*test_cases);
                self.started = Some((Local::now(), Instant::now()));
            }
            RunEvent::TestStarted { index, .. } => {
                self.test_started.insert(*index, Local::now());
            }
            RunEvent::TestFinished { result } => {
                self.results.insert(result.index, result.clone());
            }
            RunEvent::CoverageMeasured { coverage } => self.coverage = Some(coverage.clone()),
            RunEvent::RunFinished { summary } => self.summary = Some(summary.clone()),
            RunEvent::StepStarted { index, step } => {
                self.steps.entry(*index).or_default().push(step.clone());
            }
            RunEvent::CallPlaced { .. } | RunEvent::Transcript { .. } => {}
        }
    }

    /// Whether the runner said the run ended (false after an interruption).
    pub fn complete(&self) -> bool {
        self.summary.is_some()
    }

    /// The runner's totals, or, when the run was cut short, totals counted from the results
    /// that did arrive.
    pub fn summary(&self) -> RunSummary {
        if let Some(summary) = &self.summary {
            return summary.clone();
        }
        let elapsed = self
            .started
            .map(|(_, at)| at.elapsed())
            .unwrap_or(Duration::ZERO);
        RunSummary::of(self.results.values(), elapsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn results_are_kept_in_index_order_and_totals_derived_without_run_finished() {
        let mut log = RunLog::default();
        let events = fixtures::events();
        // Everything but RunFinished: as after Ctrl-C.
        for event in &events[..events.len() - 1] {
            log.record(event);
        }
        assert!(!log.complete());
        assert_eq!(log.results.keys().copied().collect::<Vec<_>>(), [0, 1, 2]);
        let started: usize = log.steps.values().map(Vec::len).sum();
        let step_events = events
            .iter()
            .filter(|e| matches!(e, RunEvent::StepStarted { .. }))
            .count();
        assert!(step_events > 0 && started == step_events, "every step kept");
        let summary = log.summary();
        assert_eq!((summary.passed, summary.failed, summary.errors), (1, 1, 1));
        assert_eq!(summary.call_time, Duration::from_millis(11_000 + 7_500));

        log.record(&events[events.len() - 1]);
        assert!(log.complete());
        assert_eq!(log.summary(), fixtures::summary());
    }
}
