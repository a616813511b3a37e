//! Where `ivr-test run` reports: the console and the report files the command line asked for,
//! and the reports of a shard that has nothing to run.

use std::collections::BTreeMap;
use std::time::Duration;

use super::request::RunRequest;
use crate::events::{RunEvent, RunSummary};
use crate::exit_code::Outcome;
use crate::output::Output;
use crate::report::suite::SuiteIdentity;
use crate::report::{
    console_mode, use_colors, ConsoleReporter, HtmlReporter, JsonReporter, JunitReporter, Reporter,
    Reporters, TranscriptWriter,
};

/// Where a run reports: the command line's report files, and the console.
pub(crate) struct Reporting<'a> {
    pub request: &'a RunRequest,
    pub env: &'a BTreeMap<String, String>,
    pub output: &'a Output,
    /// The suite identity of the JSON report.
    pub suite: SuiteIdentity,
}

impl Reporting<'_> {
    /// The console reporter and those the command line asked for.
    pub fn reporters(&self) -> Reporters {
        let (request, env, terminal) = (self.request, self.env, self.output.terminal);
        let mut reporters = Reporters::new(vec![Box::new(
            ConsoleReporter::new(
                Box::new(self.output.err.clone()),
                console_mode(terminal, env),
            )
            .with_colors(use_colors(terminal, env)),
        )]);
        if let Some(path) = &request.junit {
            reporters.push(Box::new(JunitReporter::new(path)));
        }
        if let Some(path) = &request.json {
            reporters.push(Box::new(
                JsonReporter::new(path).with_suite(self.suite.clone()),
            ));
        }
        if let Some(path) = &request.html {
            reporters.push(Box::new(HtmlReporter::new(path)));
        }
        if let Some(dir) = &request.transcripts {
            reporters.push(Box::new(TranscriptWriter::new(dir)));
        }
        reporters
    }
}

/// The reports of a shard with no test cases: an empty run that passed.
pub(crate) fn report_empty_shard(mut reporters: Reporters) -> Outcome {
    let events = [
        RunEvent::RunStarted {
            test_cases: 0,
            parallel: 1,
        },
        RunEvent::RunFinished {
            summary: RunSummary {
                passed: 0,
                failed: 0,
                errors: 0,
                duration: Duration::ZERO,
                call_time: Duration::ZERO,
            },
        },
    ];
    let mut written = true;
    for event in &events {
        written &= reporters.event(event).is_ok();
    }
    written &= reporters.finish().is_ok();
    if written {
        Outcome::Passed
    } else {
        Outcome::Infrastructure
    }
}
