//! One JSON document per run, for scripts and dashboards.
//!
//! The field names are a stable interface: new fields may be added, none renamed or removed.
//! Durations are whole milliseconds (`*_ms`); absent values are `null`, never missing.
//!
//! ```json
//! {
//!   "summary": {
//!     "total": 3, "passed": 1, "failed": 1, "errors": 1,
//!     "planned": 3,                  // test cases announced at the start; null if unknown
//!     "complete": true,              // false when the run was interrupted
//!     "started_at": "2025-01-31T09:00:00.000+01:00",   // RFC 3339; null if unknown
//!     "duration_ms": 25400,          // wall time of the run
//!     "call_time_ms": 18500          // total call time (answer to hang-up)
//!   },
//!   "suite": {                       // which suite, configuration and shard (see report::suite)
//!     "fingerprint": "sha256:...", "configuration": "sha256:...",
//!     "test_cases": 20,              // the whole (filtered) suite
//!     "shard": { "index": 2, "count": 4 }   // null for a whole run or a merged report
//!   },
//!   "tests": [                       // in index order, whatever order they finished in
//!     {
//!       "index": 1,
//!       "name": "refund/card",
//!       "file": "tests/refund.convo.txt",
//!       "verdict": "failed",         // "passed" | "failed" | "error"
//!       "duration_ms": 8100,
//!       "call_sid": "CA...",         // null when no call was created
//!       "call_duration_ms": 7500,
//!       "recording_url": null,
//!       "failure": {                 // null when passed
//!         "message": "refund/card/Line 12: Bot response ... expected to match ...",
//!         "step": { "tag": "Line 12", "sender": "bot", "file": "tests/refund.convo.txt", "line": 12 },
//!         "expected": "Your refund was issued",
//!         "heard": "Your refund is on its way",   // raw, as the recogniser gave it
//!         "heard_display": "Your refund is on its way",   // repeats collapsed: "... (said 3 times)"
//!         "closest_passage": null,   // for a heard text much longer than expected, see below
//!         "similarity": 0.714,       // 0..1, null if not a text mismatch
//!         "confidence": 0.84,        // the recogniser's, 0..1, or null
//!         "at_ms": 14200             // time into the call
//!       },
//!       "steps": [                   // the steps it started, in order
//!         { "tag": "Line 12", "sender": "bot", "file": "tests/refund.convo.txt", "line": 12 }
//!       ],
//!       "transcript": [
//!         { "at_ms": 1000, "speaker": "ivr", "text": "Welcome to Acme.",
//!           "text_display": "Welcome to Acme.",    // IVR lines: repeats collapsed
//!           "confidence": 0.9, "response_time_ms": 1000 }    // speaker: "caller" | "ivr" | "system"
//!       ]
//!     }
//!   ],
//!   "coverage": null                 // or the coverage document (crate::coverage::model)
//! }
//! ```
//!
//! `failure.heard_display` is `heard` with a prompt repeated back to back (`<Say loop="3">`, a
//! word-for-word reprompt) written once followed by ` (said k times)`; it equals `heard` when
//! nothing repeats and is `null` when `heard` is. `transcript[].text_display` is the same for IVR
//! lines and equals `text` for the others. `text`, `heard` and `message` stay as heard.
//!
//! `failure.closest_passage` is set when the heard text has more than twice the expected
//! text's words and at least 8 more: the run of heard words most similar to the expected text,
//! compared as the speech-tolerant layer does (see [`botiumscript::matching::closest_passage`]):
//!
//! ```json
//! "closest_passage": {
//!   "text": "For billing questions, press to.",   // the heard words, as heard
//!   "similarity": 0.933,                         // 0..1, of this passage alone
//!   "start_word": 10,                            // index of its first word in `heard`, from 0
//!   "end_word": 15                               // one past its last word
//! }
//! ```
//!
//! Words are `heard`'s whitespace-separated words. `failure.step` is `null` when the call never
//! started. For `"error"` the failure describes
//! what went wrong with the call (there is no verdict).

use std::borrow::Cow;
use std::io;
use std::path::PathBuf;

use serde::Serialize;

use super::format::millis;
use super::log::RunLog;
use super::suite::SuiteIdentity;
use super::{write_report_file, Reporter};
use crate::coverage::Coverage;
use crate::events::{
    Failure, Happened, RunEvent, Speaker, StepRef, TestResult, TranscriptEntry, Verdict,
};
use botiumscript::matching::{collapse_repeats, Passage};

/// Writes the JSON document when the run finishes.
#[derive(Debug)]
pub struct JsonReporter {
    path: PathBuf,
    log: RunLog,
    suite: Option<SuiteIdentity>,
    started_at: Option<String>,
}

impl JsonReporter {
    /// A report to be written to `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JsonReporter {
            path: path.into(),
            log: RunLog::default(),
            suite: None,
            started_at: None,
        }
    }

    /// The report's `suite` object (which suite, configuration and shard it is of).
    pub fn with_suite(mut self, suite: SuiteIdentity) -> Self {
        self.suite = Some(suite);
        self
    }

    /// Reports this `started_at` instead of when the events began (for a merged report: the
    /// earliest shard's).
    pub fn with_started_at(mut self, started_at: Option<String>) -> Self {
        self.started_at = started_at;
        self
    }

    /// The document for what has been seen so far.
    fn document(&self) -> Document<'_> {
        let summary = self.log.summary();
        Document {
            summary: Summary {
                total: summary.passed + summary.failed + summary.errors,
                passed: summary.passed,
                failed: summary.failed,
                errors: summary.errors,
                planned: self.log.planned,
                complete: self.log.complete(),
                started_at: self.started_at.clone().or_else(|| {
                    self.log
                        .started
                        .map(|(at, _)| at.to_rfc3339_opts(chrono::SecondsFormat::Millis, false))
                }),
                duration_ms: millis(summary.duration),
                call_time_ms: millis(summary.call_time),
            },
            suite: self.suite.as_ref(),
            tests: self
                .log
                .results
                .values()
                .map(|result| {
                    let steps = self.log.steps.get(&result.index);
                    Test::new(result, steps.map_or(&[][..], Vec::as_slice))
                })
                .collect(),
            coverage: self.log.coverage.as_ref(),
        }
    }
}

impl Reporter for JsonReporter {
    fn event(&mut self, event: &RunEvent) -> io::Result<()> {
        self.log.record(event);
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let mut json = serde_json::to_vec_pretty(&self.document()).map_err(io::Error::other)?;
        json.push(b'\n');
        write_report_file(&self.path, &json)
    }
}

#[derive(Serialize)]
struct Document<'a> {
    summary: Summary,
    suite: Option<&'a SuiteIdentity>,
    tests: Vec<Test<'a>>,
    coverage: Option<&'a Coverage>,
}

#[derive(Serialize)]
struct Summary {
    total: usize,
    passed: usize,
    failed: usize,
    errors: usize,
    planned: Option<usize>,
    complete: bool,
    started_at: Option<String>,
    duration_ms: u64,
    call_time_ms: u64,
}

#[derive(Serialize)]
struct Test<'a> {
    index: usize,
    name: &'a str,
    file: String,
    verdict: &'static str,
    duration_ms: u64,
    call_sid: Option<&'a str>,
    call_duration_ms: u64,
    recording_url: Option<&'a str>,
    failure: Option<FailureJson<'a>>,
    steps: Vec<Step<'a>>,
    transcript: Vec<Line<'a>>,
}

impl<'a> Test<'a> {
    fn new(result: &'a TestResult, steps: &'a [StepRef]) -> Self {
        let (verdict, failure) = match &result.verdict {
            Verdict::Passed => ("passed", None),
            Verdict::Failed(failure) => ("failed", Some(failure)),
            Verdict::Error(failure) => ("error", Some(failure)),
        };
        Test {
            index: result.index,
            name: &result.name,
            file: result.file.display().to_string(),
            verdict,
            duration_ms: millis(result.duration),
            call_sid: result.call_sid.as_deref(),
            call_duration_ms: millis(result.call_duration),
            recording_url: result.recording_url.as_deref(),
            failure: failure.map(FailureJson::from),
            steps: steps.iter().map(Step::from).collect(),
            transcript: result.transcript.iter().map(Line::from).collect(),
        }
    }
}

#[derive(Serialize)]
struct FailureJson<'a> {
    message: &'a str,
    step: Option<Step<'a>>,
    expected: Option<&'a str>,
    heard: Option<&'a str>,
    heard_display: Option<String>,
    closest_passage: Option<PassageJson>,
    similarity: Option<f64>,
    confidence: Option<f64>,
    at_ms: u64,
}

impl<'a> From<&'a Failure> for FailureJson<'a> {
    fn from(failure: &'a Failure) -> Self {
        FailureJson {
            message: &failure.message,
            step: failure.step.as_ref().map(Step::from),
            expected: failure.expected.as_deref(),
            heard: failure.heard.as_deref(),
            heard_display: failure.heard_display(),
            closest_passage: failure.closest_passage().map(PassageJson::from),
            similarity: failure.similarity,
            confidence: failure.confidence,
            at_ms: millis(failure.at),
        }
    }
}

#[derive(Serialize)]
struct PassageJson {
    text: String,
    similarity: f64,
    start_word: usize,
    end_word: usize,
}

impl From<Passage> for PassageJson {
    fn from(passage: Passage) -> Self {
        PassageJson {
            text: passage.text,
            similarity: passage.similarity,
            start_word: passage.start_word,
            end_word: passage.end_word,
        }
    }
}

#[derive(Serialize)]
struct Step<'a> {
    tag: &'a str,
    sender: &'static str,
    file: String,
    line: usize,
}

impl<'a> From<&'a StepRef> for Step<'a> {
    fn from(step: &'a StepRef) -> Self {
        Step {
            tag: &step.tag,
            sender: step.sender.keyword(),
            file: step.file.display().to_string(),
            line: step.line,
        }
    }
}

#[derive(Serialize)]
struct Line<'a> {
    at_ms: u64,
    speaker: &'static str,
    text: Cow<'a, str>,
    text_display: String,
    confidence: Option<f64>,
    response_time_ms: Option<u64>,
}

impl<'a> From<&'a TranscriptEntry> for Line<'a> {
    fn from(entry: &'a TranscriptEntry) -> Self {
        Line {
            at_ms: millis(entry.at),
            speaker: match entry.speaker() {
                Speaker::Caller => "caller",
                Speaker::Ivr => "ivr",
                Speaker::System => "system",
            },
            text_display: match &entry.what {
                Happened::Ivr(words) => collapse_repeats(words),
                _ => entry.text().into_owned(),
            },
            text: entry.text(),
            confidence: entry.confidence,
            response_time_ms: entry.response_time.map(millis),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;
    use serde_json::{json, Value};

    fn written(events: &[RunEvent]) -> Value {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out/report.json");
        let mut reporter = JsonReporter::new(&path);
        for event in events {
            reporter.event(event).expect("event");
        }
        reporter.finish().expect("finish");
        let text = std::fs::read_to_string(&path).expect("read");
        serde_json::from_str(&text).expect("valid JSON")
    }

    #[test]
    fn document_shape_and_index_order() {
        let mut doc = written(&fixtures::events());
        let started_at = doc["summary"]["started_at"].take();
        assert!(
            started_at
                .as_str()
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .is_some(),
            "RFC 3339 start: {started_at}"
        );
        assert_eq!(
            doc["summary"],
            json!({
                "total": 3, "passed": 1, "failed": 1, "errors": 1, "planned": 3,
                "complete": true, "started_at": null,
                "duration_ms": 25400, "call_time_ms": 18500
            })
        );
        let tests = doc["tests"].as_array().expect("tests");
        let order: Vec<_> = tests.iter().map(|t| t["index"].clone()).collect();
        assert_eq!(order, [json!(0), json!(1), json!(2)]);

        let Verdict::Failed(failure) = fixtures::failed().verdict else {
            panic!("fixture changed");
        };
        assert_eq!(
            tests[1],
            json!({
                "index": 1,
                "name": fixtures::FAILED_NAME,
                "file": "tests/refund.convo.txt",
                "verdict": "failed",
                "duration_ms": 8100,
                "call_sid": "CA0000000000000000000000000000000b",
                "call_duration_ms": 7500,
                "recording_url": null,
                "failure": {
                    "message": failure.message,
                    "step": {"tag": "Line 12", "sender": "bot", "file": "tests/refund.convo.txt", "line": 12},
                    "expected": "Your refund was issued",
                    "heard": "Your refund is on its way",
                    "heard_display": "Your refund is on its way",
                    "closest_passage": null,
                    "similarity": 0.714,
                    "confidence": 0.84,
                    "at_ms": 14200
                },
                "steps": [
                    {"tag": "Line 12", "sender": "bot", "file": "tests/refund.convo.txt", "line": 12}
                ],
                "transcript": [
                    {"at_ms": 0, "speaker": "system", "text": "call answered", "text_display": "call answered", "confidence": null, "response_time_ms": null},
                    {"at_ms": 1000, "speaker": "ivr", "text": "Welcome to Acme.", "text_display": "Welcome to Acme.", "confidence": 0.9, "response_time_ms": 1000},
                    {"at_ms": 2500, "speaker": "caller", "text": "says: refund", "text_display": "says: refund", "confidence": null, "response_time_ms": null},
                    {"at_ms": 4000, "speaker": "ivr", "text": "Refunds. Say card or cash.", "text_display": "Refunds. Say card or cash.", "confidence": 0.88, "response_time_ms": 1500},
                    {"at_ms": 5000, "speaker": "caller", "text": "says: card", "text_display": "says: card", "confidence": null, "response_time_ms": null},
                    {"at_ms": 14200, "speaker": "ivr", "text": "Your refund is on its way", "text_display": "Your refund is on its way", "confidence": 0.84, "response_time_ms": 9200}
                ]
            })
        );
        assert_eq!(tests[0]["verdict"], "passed");
        assert_eq!(tests[0]["steps"], json!([]), "no step started");
        assert_eq!(doc["suite"], Value::Null, "a run without a suite identity");
        assert_eq!(doc["coverage"], Value::Null, "coverage not measured");
        assert_eq!(tests[0]["failure"], Value::Null);
        assert_eq!(tests[0]["recording_url"], "https://api.twilio.com/rec/RE1");
        assert_eq!(tests[2]["verdict"], "error");
        assert_eq!(tests[2]["call_sid"], Value::Null);
        assert_eq!(tests[2]["failure"]["step"], Value::Null);
        assert_eq!(tests[2]["failure"]["message"], "call failed: busy");
    }

    #[test]
    fn a_long_repeated_prompt_has_its_display_text_and_closest_passage() {
        let doc = written(&fixtures::long_prompt_events());
        let failure = &doc["tests"][0]["failure"];
        assert_eq!(failure["heard"], fixtures::LOOPED_MENU, "raw text kept");
        assert_eq!(
            failure["heard_display"],
            "Thank you for calling Acme. For your balance, press 1. For billing questions, \
             press to. (said 2 times)"
        );
        let passage = &failure["closest_passage"];
        assert_eq!(passage["text"], "For billing questions, press to.");
        assert_eq!(
            (passage["start_word"].clone(), passage["end_word"].clone()),
            (json!(10), json!(15))
        );
        let words: Vec<&str> = fixtures::LOOPED_MENU.split_whitespace().collect();
        assert_eq!(words[10..15].join(" "), "For billing questions, press to.");
        let similarity = passage["similarity"].as_f64().expect("a number");
        assert!(similarity > 0.9 && similarity < 1.0, "{similarity}");
        assert!(failure["message"]
            .as_str()
            .is_some_and(|m| m.contains(fixtures::LOOPED_MENU)));
        let ivr = &doc["tests"][0]["transcript"][2];
        assert_eq!(ivr["text"], fixtures::LOOPED_MENU);
        assert_eq!(ivr["text_display"], failure["heard_display"]);
    }

    #[test]
    fn an_interrupted_run_says_so() {
        let events = fixtures::events();
        let doc = written(&events[..events.len() - 2]);
        assert_eq!(doc["summary"]["complete"], false);
        assert_eq!(doc["summary"]["planned"], 3);
        assert_eq!(doc["summary"]["total"], 2);
        assert_eq!(doc["tests"].as_array().map(Vec::len), Some(2));
    }
}
