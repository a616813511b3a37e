//! What a run tells its reporters: test cases starting and ending, steps, transcript lines.
//! The runner emits these and the reporters consume them; neither depends on the other.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;

use crate::turn::Action;
use botiumscript::convo::Sender;
use botiumscript::matching::{closest_passage, collapse_repeats, Passage};

/// One thing that happened during a run, in order per test case.
// A result is sent once per test case, so boxing it would buy nothing measurable.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    /// The run begins.
    RunStarted {
        /// How many test cases will run.
        test_cases: usize,
        /// How many calls may be live at once.
        parallel: usize,
    },
    /// A test case begins (its call is about to be placed).
    TestStarted {
        /// Position in the stable (name-sorted) order, from 0.
        index: usize,
        /// The test case's name.
        name: String,
    },
    /// The call of a test case was created.
    CallPlaced {
        /// The test case.
        index: usize,
        /// Twilio's `CA...` SID.
        call_sid: String,
    },
    /// A step of a test case begins.
    StepStarted {
        /// The test case.
        index: usize,
        /// The step.
        step: StepRef,
    },
    /// Something was said, pressed or heard on a test case's call.
    Transcript {
        /// The test case.
        index: usize,
        /// The line.
        entry: TranscriptEntry,
    },
    /// A test case ended.
    TestFinished {
        /// Its result.
        result: TestResult,
    },
    /// What the suite exercised of the IVR, measured after the last call (only when coverage
    /// was asked for); comes before [`RunEvent::RunFinished`].
    CoverageMeasured {
        /// Flows and applications, with the test cases that exercised each part.
        coverage: crate::coverage::Coverage,
    },
    /// The run ended.
    RunFinished {
        /// Totals.
        summary: RunSummary,
    },
}

/// Where a step stands in the scripts.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRef {
    /// Botium's step tag (`Line 7`, `Partial/Line 3`).
    pub tag: String,
    /// `#me`, `#bot`, `#begin` or `#end`.
    pub sender: Sender,
    /// The file of the section header.
    pub file: PathBuf,
    /// The line of the section header.
    pub line: usize,
}

/// Who a transcript line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    /// The test (the caller): said or pressed.
    Caller,
    /// The IVR, as heard by the recogniser.
    Ivr,
    /// The runner or the call itself (answered, hung up, SMS received...).
    System,
}

/// What a transcript line records.
#[derive(Debug, Clone, PartialEq)]
pub enum Happened {
    /// The caller acted: said, pressed, played or hung up.
    Caller(Action),
    /// The IVR's words, as heard.
    Ivr(String),
    /// A note of the runner or the call (answered, hung up, SMS received...).
    System(String),
}

/// One line of a test case's transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptEntry {
    /// Time since the call was placed.
    pub at: Duration,
    /// What was said, pressed, heard or happened.
    pub what: Happened,
    /// The recogniser's confidence, for heard speech.
    pub confidence: Option<f64>,
    /// For IVR speech: how long after the caller's last turn it came.
    pub response_time: Option<Duration>,
}

impl TranscriptEntry {
    /// Who the line is about.
    pub fn speaker(&self) -> Speaker {
        match self.what {
            Happened::Caller(_) => Speaker::Caller,
            Happened::Ivr(_) => Speaker::Ivr,
            Happened::System(_) => Speaker::System,
        }
    }

    /// The line as people read it: `says: sales`, `presses: 1`, the IVR's words, the note.
    pub fn text(&self) -> Cow<'_, str> {
        match &self.what {
            Happened::Caller(Action::Say(text)) => format!("says: {text}").into(),
            Happened::Caller(Action::Press(keys)) => format!("presses: {keys}").into(),
            Happened::Caller(Action::Play(url)) => format!("plays: {url}").into(),
            Happened::Caller(Action::Listen) => "listens".into(),
            Happened::Caller(Action::HangUp) => "hangs up".into(),
            Happened::Ivr(text) | Happened::System(text) => text.as_str().into(),
        }
    }
}

/// Why a test case did not pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The step that failed (none when the call never started).
    pub step: Option<StepRef>,
    /// What went wrong, in Botium's words where it has them.
    pub message: String,
    /// The expected text, for a text mismatch.
    pub expected: Option<String>,
    /// What was heard, for a text mismatch.
    pub heard: Option<String>,
    /// How close the heard text came (0..=1).
    pub similarity: Option<f64>,
    /// The recogniser's confidence in what it heard.
    pub confidence: Option<f64>,
    /// When in the call it failed.
    pub at: Duration,
}

impl Failure {
    /// For a text mismatch whose heard text is much longer than the expected one, the run of
    /// heard words closest to the expectation (see [`closest_passage`]); reports show it, and
    /// diff against it, instead of diffing a short phrase against a paragraph.
    ///
    /// Derived from `expected` and `heard` rather than stored, so that every place that builds
    /// a `Failure` stays as it is. A step with several alternatives (utterances) records the
    /// step text as `expected`, so its passage is measured against that text.
    pub fn closest_passage(&self) -> Option<Passage> {
        closest_passage(self.heard.as_deref()?, self.expected.as_deref()?)
    }

    /// What was heard, for reading: a prompt repeated back to back written once with
    /// `(said k times)` (see [`collapse_repeats`]). `heard` stays the raw text.
    pub fn heard_display(&self) -> Option<String> {
        self.heard.as_deref().map(collapse_repeats)
    }
}

/// How a test case ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Every step held.
    Passed,
    /// A step did not hold (exit code 1).
    Failed(Failure),
    /// Twilio, the network or the call itself failed, so there is no verdict (exit code 3).
    Error(Failure),
}

/// A test case's result.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// Position in the stable order, from 0.
    pub index: usize,
    /// The test case's name.
    pub name: String,
    /// The file it came from.
    pub file: PathBuf,
    /// Pass, fail or error.
    pub verdict: Verdict,
    /// Wall-clock time of the test case.
    pub duration: Duration,
    /// The call's SID, when a call was created.
    pub call_sid: Option<String>,
    /// Billed call time (answer to hang-up).
    pub call_duration: Duration,
    /// The recording, with `TWILIO_IVR_RECORD`.
    pub recording_url: Option<String>,
    /// Every line said, pressed or heard.
    pub transcript: Vec<TranscriptEntry>,
}

/// Totals of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// Test cases that passed.
    pub passed: usize,
    /// Test cases that failed.
    pub failed: usize,
    /// Test cases without a verdict.
    pub errors: usize,
    /// Wall-clock time of the run.
    pub duration: Duration,
    /// Total billed call time.
    pub call_time: Duration,
}

impl RunSummary {
    /// The totals of `results`, whose run took `duration` of wall time.
    pub fn of<'a>(results: impl IntoIterator<Item = &'a TestResult>, duration: Duration) -> Self {
        let mut summary = RunSummary {
            passed: 0,
            failed: 0,
            errors: 0,
            duration,
            call_time: Duration::ZERO,
        };
        for result in results {
            match result.verdict {
                Verdict::Passed => summary.passed += 1,
                Verdict::Failed(_) => summary.failed += 1,
                Verdict::Error(_) => summary.errors += 1,
            }
            summary.call_time += result.call_duration;
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(expected: Option<&str>, heard: Option<&str>) -> Failure {
        Failure {
            step: None,
            message: "m".into(),
            expected: expected.map(str::to_string),
            heard: heard.map(str::to_string),
            similarity: None,
            confidence: None,
            at: Duration::ZERO,
        }
    }

    const LONG: &str = "Welcome to Acme. Our opening hours have changed. For billing, press two. \
                        For anything else, stay on the line.";

    #[test]
    fn a_passage_needs_both_texts_and_a_long_heard_one() {
        let passage = failure(Some("for billing press 3"), Some(LONG)).closest_passage();
        assert_eq!(
            passage.map(|p| p.text).as_deref(),
            Some("For billing, press two.")
        );
        assert_eq!(failure(None, Some(LONG)).closest_passage(), None);
        assert_eq!(failure(Some("billing"), None).closest_passage(), None);
        assert_eq!(
            failure(Some("for billing press 3"), Some("For billing, press two.")).closest_passage(),
            None
        );
    }

    #[test]
    fn heard_display_collapses_repeats_and_keeps_the_raw_text() {
        let looped = failure(None, Some("Say yes or no. Say yes or no."));
        assert_eq!(
            looped.heard_display().as_deref(),
            Some("Say yes or no. (said 2 times)")
        );
        assert_eq!(
            looped.heard.as_deref(),
            Some("Say yes or no. Say yes or no.")
        );
        assert_eq!(failure(None, None).heard_display(), None);
    }
}
