//! Reading a JSON report (see [`super::json`]) back: the results, their steps, the totals, the
//! suite identity and the coverage. `report merge` reads the shards' reports with it, and
//! `--shard-durations` takes the test cases' durations from it.
//!
//! The types mirror the written fields; derived fields (`total`, `heard_display`,
//! `closest_passage`, `text_display`) are read and ignored, because the writer derives them
//! again. A caller's transcript line (`says: X`, `presses: X`, `plays: X`, `listens`,
//! `hangs up`) becomes the caller's action again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::suite::SuiteIdentity;
use crate::coverage::Coverage;
use crate::events::{
    Failure, Happened, RunEvent, RunSummary, StepRef, TestResult, TranscriptEntry, Verdict,
};
use crate::turn::Action;
use botiumscript::convo::Sender;

/// A JSON report, as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadReport {
    /// The totals as written.
    pub summary: ReadSummary,
    /// Which suite, configuration and shard (`null` in reports of older versions).
    pub suite: Option<SuiteIdentity>,
    /// The test cases, in index order.
    pub tests: Vec<ReadTest>,
    /// What the run exercised, when coverage was measured.
    pub coverage: Option<Coverage>,
}

/// The `summary` object.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReadSummary {
    /// Test cases that passed.
    pub passed: usize,
    /// Test cases that failed.
    pub failed: usize,
    /// Test cases without a verdict.
    pub errors: usize,
    /// Test cases announced at the start.
    pub planned: Option<usize>,
    /// Whether the run ended by itself.
    pub complete: bool,
    /// RFC 3339 start.
    pub started_at: Option<String>,
    /// Wall time of the run.
    pub duration_ms: u64,
    /// Total call time.
    pub call_time_ms: u64,
}

/// One test case: its result and the steps it started.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadTest {
    /// The result, as the runner had it.
    pub result: TestResult,
    /// The steps it started, in order.
    pub steps: Vec<StepRef>,
}

/// Why a report cannot be read: the file and what is wrong (serde's line and column included).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ReadError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

/// Reads the report at `path`.
pub fn read_report(path: &Path) -> Result<ReadReport, ReadError> {
    let error = |message: String| ReadError {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read: {e}")))?;
    parse_report(&text).map_err(error)
}

/// Parses a report's text; the error is serde's (with line and column) or names the field.
pub fn parse_report(text: &str) -> Result<ReadReport, String> {
    let document: DocumentIn =
        serde_json::from_str(text).map_err(|e| format!("not an ivr-test JSON report: {e}"))?;
    let mut tests = Vec::with_capacity(document.tests.len());
    for test in document.tests {
        let name = test.name.clone();
        tests.push(
            test.into_read()
                .map_err(|e| format!("test case {name:?}: {e}"))?,
        );
    }
    Ok(ReadReport {
        summary: document.summary,
        suite: document.suite,
        tests,
        coverage: document.coverage,
    })
}

impl ReadReport {
    /// Each test case's duration by name (for `--shard-durations`).
    pub fn durations(&self) -> BTreeMap<String, Duration> {
        self.tests
            .iter()
            .map(|t| (t.result.name.clone(), t.result.duration))
            .collect()
    }

    /// The run events that would have produced this report, so that the reporters (JSON,
    /// JUnit, HTML) write it again with the same code as a run's. A report of an interrupted
    /// run (`complete: false`) gets no `RunFinished`.
    pub fn events(&self) -> Vec<RunEvent> {
        let mut events = vec![RunEvent::RunStarted {
            test_cases: self.summary.planned.unwrap_or(self.tests.len()),
            parallel: 1,
        }];
        for test in &self.tests {
            let index = test.result.index;
            events.push(RunEvent::TestStarted {
                index,
                name: test.result.name.clone(),
            });
            if let Some(call_sid) = &test.result.call_sid {
                events.push(RunEvent::CallPlaced {
                    index,
                    call_sid: call_sid.clone(),
                });
            }
            events.extend(test.steps.iter().map(|step| RunEvent::StepStarted {
                index,
                step: step.clone(),
            }));
            events.extend(
                test.result
                    .transcript
                    .iter()
                    .map(|entry| RunEvent::Transcript {
                        index,
                        entry: entry.clone(),
                    }),
            );
            events.push(RunEvent::TestFinished {
                result: test.result.clone(),
            });
        }
        if let Some(coverage) = &self.coverage {
            events.push(RunEvent::CoverageMeasured {
                coverage: coverage.clone(),
            });
        }
        if self.summary.complete {
            events.push(RunEvent::RunFinished {
                summary: RunSummary {
                    passed: self.summary.passed,
                    failed: self.summary.failed,
                    errors: self.summary.errors,
                    duration: ms(self.summary.duration_ms),
                    call_time: ms(self.summary.call_time_ms),
                },
            });
        }
        events
    }
}

#[derive(Deserialize)]
struct DocumentIn {
    summary: ReadSummary,
    #[serde(default)]
    suite: Option<SuiteIdentity>,
    tests: Vec<TestIn>,
    #[serde(default)]
    coverage: Option<Coverage>,
}

#[derive(Deserialize)]
struct TestIn {
    index: usize,
    name: String,
    file: PathBuf,
    verdict: String,
    duration_ms: u64,
    call_sid: Option<String>,
    call_duration_ms: u64,
    recording_url: Option<String>,
    failure: Option<FailureIn>,
    #[serde(default)]
    steps: Vec<StepIn>,
    transcript: Vec<LineIn>,
}

#[derive(Deserialize)]
struct FailureIn {
    message: String,
    step: Option<StepIn>,
    expected: Option<String>,
    heard: Option<String>,
    similarity: Option<f64>,
    confidence: Option<f64>,
    at_ms: u64,
}

#[derive(Deserialize)]
struct StepIn {
    tag: String,
    sender: String,
    file: PathBuf,
    line: usize,
}

#[derive(Deserialize)]
struct LineIn {
    at_ms: u64,
    speaker: String,
    text: String,
    confidence: Option<f64>,
    response_time_ms: Option<u64>,
}

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

impl TestIn {
    fn into_read(self) -> Result<ReadTest, String> {
        let failure = self.failure.map(FailureIn::into_failure).transpose()?;
        let verdict = match (self.verdict.as_str(), failure) {
            ("passed", _) => Verdict::Passed,
            ("failed", Some(failure)) => Verdict::Failed(failure),
            ("error", Some(failure)) => Verdict::Error(failure),
            ("failed" | "error", None) => {
                return Err(format!("verdict {:?} without a failure", self.verdict))
            }
            (other, _) => return Err(format!("unknown verdict {other:?}")),
        };
        let transcript = self
            .transcript
            .into_iter()
            .map(LineIn::into_entry)
            .collect::<Result<_, _>>()?;
        let steps = self
            .steps
            .into_iter()
            .map(StepIn::into_step)
            .collect::<Result<_, _>>()?;
        Ok(ReadTest {
            result: TestResult {
                index: self.index,
                name: self.name,
                file: self.file,
                verdict,
                duration: ms(self.duration_ms),
                call_sid: self.call_sid,
                call_duration: ms(self.call_duration_ms),
                recording_url: self.recording_url,
                transcript,
            },
            steps,
        })
    }
}

impl FailureIn {
    fn into_failure(self) -> Result<Failure, String> {
        Ok(Failure {
            step: self.step.map(StepIn::into_step).transpose()?,
            message: self.message,
            expected: self.expected,
            heard: self.heard,
            similarity: self.similarity,
            confidence: self.confidence,
            at: ms(self.at_ms),
        })
    }
}

impl StepIn {
    fn into_step(self) -> Result<StepRef, String> {
        let sender = Sender::from_keyword(&self.sender)
            .ok_or_else(|| format!("unknown step sender {:?}", self.sender))?;
        Ok(StepRef {
            tag: self.tag,
            sender,
            file: self.file,
            line: self.line,
        })
    }
}

/// The caller's action a transcript text names (the inverse of `TranscriptEntry::text`).
fn caller_action(text: &str) -> Action {
    if let Some(keys) = text.strip_prefix("presses: ") {
        Action::Press(keys.to_string())
    } else if let Some(url) = text.strip_prefix("plays: ") {
        Action::Play(url.to_string())
    } else if text == "listens" {
        Action::Listen
    } else if text == "hangs up" {
        Action::HangUp
    } else {
        Action::Say(text.strip_prefix("says: ").unwrap_or(text).to_string())
    }
}

impl LineIn {
    fn into_entry(self) -> Result<TranscriptEntry, String> {
        let what = match self.speaker.as_str() {
            "caller" => Happened::Caller(caller_action(&self.text)),
            "ivr" => Happened::Ivr(self.text),
            "system" => Happened::System(self.text),
            other => return Err(format!("unknown transcript speaker {other:?}")),
        };
        Ok(TranscriptEntry {
            at: ms(self.at_ms),
            what,
            confidence: self.confidence,
            response_time: self.response_time_ms.map(ms),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::coverage::model::{FlowCoverage, TransitionCoverage, WidgetCoverage};
    use crate::report::suite::{ShardJson, SuiteIdentity};
    use crate::report::{fixtures, JsonReporter, Reporter};

    fn write(events: &[RunEvent], reporter: JsonReporter, path: &Path) -> String {
        let mut reporter = reporter;
        for event in events {
            reporter.event(event).expect("event");
        }
        reporter.finish().expect("finish");
        std::fs::read_to_string(path).expect("read")
    }

    fn coverage() -> Coverage {
        Coverage {
            flows: vec![FlowCoverage {
                name: "acme".into(),
                sid: "FW1".into(),
                widgets: vec![WidgetCoverage {
                    name: "Trigger".into(),
                    kind: "trigger".into(),
                    position: None,
                    tests: ["a".to_string()].into(),
                }],
                transitions: vec![TransitionCoverage {
                    from: "Trigger".into(),
                    event: "incomingCall".into(),
                    condition: None,
                    to: "menu".into(),
                    tests: Default::default(),
                }],
            }],
            applications: vec![],
        }
    }

    #[test]
    fn events_to_json_to_read_to_json_is_identical() {
        let dir = tempfile::tempdir().expect("tempdir");
        let suite = SuiteIdentity {
            fingerprint: "sha256:aa".into(),
            configuration: "sha256:bb".into(),
            test_cases: 8,
            shard: Some(ShardJson { index: 2, count: 4 }),
        };
        let mut events = fixtures::events();
        let finished = events.pop().expect("RunFinished");
        events.push(RunEvent::CoverageMeasured {
            coverage: coverage(),
        });
        events.push(finished);
        for events in [events, fixtures::long_prompt_events()] {
            let first_path = dir.path().join("first.json");
            let first = write(
                &events,
                JsonReporter::new(&first_path).with_suite(suite.clone()),
                &first_path,
            );
            let read = parse_report(&first).expect("read back");
            assert_eq!(read.suite.as_ref(), Some(&suite));
            let steps = events
                .iter()
                .filter(|e| matches!(e, RunEvent::StepStarted { .. }))
                .count();
            let kept: usize = read.tests.iter().map(|t| t.steps.len()).sum();
            assert_eq!(kept, steps, "steps kept");
            let second_path = dir.path().join("second.json");
            let reporter = JsonReporter::new(&second_path)
                .with_suite(suite.clone())
                .with_started_at(read.summary.started_at.clone());
            let second = write(&read.events(), reporter, &second_path);
            assert_eq!(first, second);
        }
    }

    #[test]
    fn caller_lines_map_back_to_actions() {
        assert_eq!(caller_action("says: sales"), Action::Say("sales".into()));
        assert_eq!(caller_action("presses: 1w2"), Action::Press("1w2".into()));
        assert_eq!(
            caller_action("plays: https://x/a.wav"),
            Action::Play("https://x/a.wav".into())
        );
        assert_eq!(caller_action("listens"), Action::Listen);
        assert_eq!(caller_action("hangs up"), Action::HangUp);
    }

    #[test]
    fn a_file_that_is_not_a_report_names_the_file_line_and_column() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("junit.xml");
        std::fs::write(&path, "{\n  \"summary\": 3\n}\n").expect("write");
        let err = read_report(&path).expect_err("not a report").to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
        assert!(err.contains("line 2 column"), "{err}");
        let missing = read_report(&dir.path().join("none.json")).expect_err("missing");
        assert!(missing.to_string().contains("cannot read"), "{missing}");
    }

    #[test]
    fn an_unknown_verdict_is_refused_with_the_test_name() {
        let text = r#"{"summary": {"passed": 0, "failed": 0, "errors": 0, "planned": 1,
            "complete": true, "started_at": null, "duration_ms": 0, "call_time_ms": 0},
            "tests": [{"index": 0, "name": "t", "file": "a", "verdict": "maybe",
            "duration_ms": 0, "call_sid": null, "call_duration_ms": 0, "recording_url": null,
            "failure": null, "transcript": []}]}"#;
        let err = parse_report(text).expect_err("bad verdict");
        assert!(err.contains("\"t\"") && err.contains("maybe"), "{err}");
    }
}
