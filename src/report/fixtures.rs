//! Synthetic runs for the reporters' tests: a pass, a text mismatch and a call error, which
//! finish out of order (1, 2, then 0).

use std::path::PathBuf;
use std::time::Duration;

use crate::events::{
    Failure, Happened, RunEvent, RunSummary, StepRef, TestResult, TranscriptEntry, Verdict,
};
use crate::turn::Action;
use botiumscript::convo::Sender;

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn entry(at: u64, what: Happened, confidence: Option<f64>, rt: Option<u64>) -> TranscriptEntry {
    TranscriptEntry {
        at: ms(at),
        what,
        confidence,
        response_time: rt.map(ms),
    }
}

/// The name of the failing test case: quotes, `<`, `&` and a slash, to test escaping.
pub const FAILED_NAME: &str = "refund \"fast\" <&>/card";

/// The step that fails.
pub fn failed_step() -> StepRef {
    StepRef {
        tag: "Line 12".into(),
        sender: Sender::Bot,
        file: PathBuf::from("tests/refund.convo.txt"),
        line: 12,
    }
}

/// Test case 0: passes.
pub fn passed() -> TestResult {
    TestResult {
        index: 0,
        name: "billing/pay by card".into(),
        file: PathBuf::from("tests/billing.convo.txt"),
        verdict: Verdict::Passed,
        duration: ms(12_300),
        call_sid: Some("CA0000000000000000000000000000000a".into()),
        call_duration: ms(11_000),
        recording_url: Some("https://api.twilio.com/rec/RE1".into()),
        transcript: vec![
            entry(
                1_200,
                Happened::Ivr("Welcome to Acme.".into()),
                Some(0.92),
                Some(1_200),
            ),
            entry(
                3_210,
                Happened::Caller(Action::Say("billing".into())),
                None,
                None,
            ),
            entry(
                5_000,
                Happened::Caller(Action::Press("1".into())),
                None,
                None,
            ),
        ],
    }
}

/// Test case 1: the IVR said something else.
pub fn failed() -> TestResult {
    TestResult {
        index: 1,
        name: FAILED_NAME.into(),
        file: PathBuf::from("tests/refund.convo.txt"),
        verdict: Verdict::Failed(Failure {
            step: Some(failed_step()),
            message: format!(
                "{FAILED_NAME}/Line 12: Bot response (on Line 9: #me - refund) \
                 \"Your refund is on its way\" expected to match \"Your refund was issued\""
            ),
            expected: Some("Your refund was issued".into()),
            heard: Some("Your refund is on its way".into()),
            similarity: Some(0.714),
            confidence: Some(0.84),
            at: ms(14_200),
        }),
        duration: ms(8_100),
        call_sid: Some("CA0000000000000000000000000000000b".into()),
        call_duration: ms(7_500),
        recording_url: None,
        transcript: vec![
            entry(0, Happened::System("call answered".into()), None, None),
            entry(
                1_000,
                Happened::Ivr("Welcome to Acme.".into()),
                Some(0.9),
                Some(1_000),
            ),
            entry(
                2_500,
                Happened::Caller(Action::Say("refund".into())),
                None,
                None,
            ),
            entry(
                4_000,
                Happened::Ivr("Refunds. Say card or cash.".into()),
                Some(0.88),
                Some(1_500),
            ),
            entry(
                5_000,
                Happened::Caller(Action::Say("card".into())),
                None,
                None,
            ),
            entry(
                14_200,
                Happened::Ivr("Your refund is on its way".into()),
                Some(0.84),
                Some(9_200),
            ),
        ],
    }
}

/// Test case 2: the call never started.
pub fn error() -> TestResult {
    TestResult {
        index: 2,
        name: "outage".into(),
        file: PathBuf::from("tests/outage.convo.txt"),
        verdict: Verdict::Error(Failure {
            step: None,
            message: "call failed: busy".into(),
            expected: None,
            heard: None,
            similarity: None,
            confidence: None,
            at: Duration::ZERO,
        }),
        duration: ms(400),
        call_sid: None,
        call_duration: Duration::ZERO,
        recording_url: None,
        transcript: vec![],
    }
}

/// The runner's totals for the three.
pub fn summary() -> RunSummary {
    RunSummary {
        passed: 1,
        failed: 1,
        errors: 1,
        duration: ms(25_400),
        call_time: ms(18_500),
    }
}

/// A whole run; test case 1 finishes first, 0 last.
pub fn events() -> Vec<RunEvent> {
    let failed = failed();
    let mut events = vec![
        RunEvent::RunStarted {
            test_cases: 3,
            parallel: 2,
        },
        RunEvent::TestStarted {
            index: 0,
            name: passed().name,
        },
        RunEvent::TestStarted {
            index: 1,
            name: failed.name.clone(),
        },
        RunEvent::CallPlaced {
            index: 0,
            call_sid: passed().call_sid.unwrap_or_default(),
        },
        RunEvent::CallPlaced {
            index: 1,
            call_sid: failed.call_sid.clone().unwrap_or_default(),
        },
        RunEvent::StepStarted {
            index: 1,
            step: failed_step(),
        },
    ];
    events.extend(failed.transcript.iter().map(|entry| RunEvent::Transcript {
        index: 1,
        entry: entry.clone(),
    }));
    events.extend([
        RunEvent::TestFinished { result: failed },
        RunEvent::TestStarted {
            index: 2,
            name: error().name,
        },
        RunEvent::TestFinished { result: error() },
        RunEvent::TestFinished { result: passed() },
        RunEvent::RunFinished { summary: summary() },
    ]);
    events
}

/// A looped menu prompt, as the recogniser hears `<Say loop="2">`.
pub const LOOPED_MENU: &str = "Thank you for calling Acme. For your balance, press 1. \
    For billing questions, press to. Thank you for calling Acme. For your balance, press 1. \
    For billing questions, press to.";

/// A test case whose short expectation was checked against a long, repeated prompt.
pub fn long_prompt() -> TestResult {
    TestResult {
        index: 3,
        name: "billing menu".into(),
        file: PathBuf::from("tests/menu.convo.txt"),
        verdict: Verdict::Failed(Failure {
            step: Some(failed_step()),
            message: format!(
                "billing menu/Line 12: Bot response (on Line 9: #me - hello) \"{LOOPED_MENU}\" \
                 expected to match \"For billing questions, press 2\""
            ),
            expected: Some("For billing questions, press 2".into()),
            heard: Some(LOOPED_MENU.into()),
            similarity: Some(0.966),
            confidence: Some(0.91),
            at: ms(9_000),
        }),
        duration: ms(9_500),
        call_sid: Some("CA0000000000000000000000000000000d".into()),
        call_duration: ms(9_000),
        recording_url: None,
        transcript: vec![
            entry(0, Happened::System("call answered".into()), None, None),
            entry(
                2_000,
                Happened::Caller(Action::Say("hello".into())),
                None,
                None,
            ),
            entry(
                9_000,
                Happened::Ivr(LOOPED_MENU.into()),
                Some(0.91),
                Some(7_000),
            ),
        ],
    }
}

/// A run of [`long_prompt`] alone.
pub fn long_prompt_events() -> Vec<RunEvent> {
    let result = long_prompt();
    vec![
        RunEvent::RunStarted {
            test_cases: 1,
            parallel: 1,
        },
        RunEvent::TestStarted {
            index: result.index,
            name: result.name.clone(),
        },
        RunEvent::TestFinished { result },
        RunEvent::RunFinished {
            summary: RunSummary {
                passed: 0,
                failed: 1,
                errors: 0,
                duration: ms(9_500),
                call_time: ms(9_000),
            },
        },
    ]
}
