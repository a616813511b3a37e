use std::sync::{Arc, Mutex};

use super::*;
use crate::report::fixtures;

/// A `Write` whose bytes the test can read afterwards.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("lock").clone()).expect("utf-8")
    }
}

fn run(reporter: &mut ConsoleReporter, events: &[RunEvent]) {
    for event in events {
        reporter.event(event).expect("event");
    }
    reporter.finish().expect("finish");
}

fn lines_output(colors: bool) -> String {
    let sink = Sink::default();
    let mut reporter =
        ConsoleReporter::new(Box::new(sink.clone()), ConsoleMode::Lines).with_colors(colors);
    run(&mut reporter, &fixtures::events());
    sink.text()
}

const LIVE_LINES: &str = "\
running 3 test cases, 2 calls at a time
FAIL  refund \"fast\" <&>/card  (8.1 s)  Line 12: Bot response (on Line 9: #me - refund) \"Your refund is on its way\" expected to match \"Your refund was issued\"
ERROR outage  (0.4 s)  call failed: busy
PASS  billing/pay by card  (12.3 s)
";

const SUMMARY: &str = "
3 test cases in 25.4 s: 1 passed, 1 failed, 1 error
call time: 0.3 min in 2 calls (2 min billed, each call rounded up to the minute)

FAIL  refund \"fast\" <&>/card  (8.1 s)
  file:       tests/refund.convo.txt
  message:    refund \"fast\" <&>/card/Line 12: Bot response (on Line 9: #me - refund) \"Your refund is on its way\" expected to match \"Your refund was issued\"
  step:       tests/refund.convo.txt:12 (Line 12, #bot)
  expected:   Your refund was issued
  heard:      Your refund is on its way
  diff:       Your refund [-was issued-]{+is on its way+}
  similarity: 71%
  confidence: 0.84
  at:         14.20 s into the call
  call:       CA0000000000000000000000000000000b
  transcript (last 5 of 6 lines):
    +  1.00 s  IVR     Welcome to Acme. (confidence 0.90, responded after 1.00 s)
    +  2.50 s  CALLER  says: refund
    +  4.00 s  IVR     Refunds. Say card or cash. (confidence 0.88, responded after 1.50 s)
    +  5.00 s  CALLER  says: card
    + 14.20 s  IVR     Your refund is on its way (confidence 0.84, responded after 9.20 s)

ERROR outage  (0.4 s)
  file:    tests/outage.convo.txt
  message: call failed: busy
  at:      0.00 s into the call
  transcript: nothing was said or heard
";

#[test]
fn lines_mode_prints_one_line_per_test_as_it_finishes_then_the_summary_in_index_order() {
    let out = lines_output(false);
    assert_eq!(out, format!("{LIVE_LINES}{SUMMARY}"));
    assert!(!out.contains('\x1b'), "no ANSI codes without colours");
}

#[test]
fn colours_only_when_asked_and_only_around_words() {
    let out = lines_output(true);
    assert!(out.contains("\x1b["), "colours were asked for");
    assert_eq!(
        console::strip_ansi_codes(&out),
        format!("{LIVE_LINES}{SUMMARY}")
    );
}

#[test]
fn progress_mode_writes_only_the_summary_to_a_non_terminal_sink() {
    let sink = Sink::default();
    let mut reporter = ConsoleReporter::new(Box::new(sink.clone()), ConsoleMode::Progress)
        .with_draw_target(ProgressDrawTarget::hidden());
    run(&mut reporter, &fixtures::events());
    assert_eq!(sink.text(), SUMMARY);
}

#[test]
fn progress_mode_survives_events_for_unknown_or_unstarted_tests() {
    let sink = Sink::default();
    let mut reporter = ConsoleReporter::new(Box::new(sink.clone()), ConsoleMode::Progress)
        .with_draw_target(ProgressDrawTarget::hidden());
    // No RunStarted, no TestStarted: a runner bug must not take the report down.
    let events: Vec<_> = fixtures::events()
        .into_iter()
        .filter(|e| {
            !matches!(
                e,
                RunEvent::RunStarted { .. } | RunEvent::TestStarted { .. }
            )
        })
        .collect();
    run(&mut reporter, &events);
    assert_eq!(sink.text(), SUMMARY);
}

#[test]
fn an_interrupted_run_still_gets_a_summary_once() {
    let sink = Sink::default();
    let mut reporter = ConsoleReporter::new(Box::new(sink.clone()), ConsoleMode::Lines);
    let events = fixtures::events();
    // Without the last TestFinished (test case 0) and RunFinished.
    run(&mut reporter, &events[..events.len() - 2]);
    reporter.finish().expect("a second finish is harmless");
    let out = sink.text();
    assert!(
        out.contains("\n2 test cases in "),
        "counts what finished: {out}"
    );
    assert!(
        out.contains(
            ": 0 passed, 1 failed, 1 error\nrun interrupted: 2 of 3 test cases finished\n"
        ),
        "{out}"
    );
    assert_eq!(out.matches("call time:").count(), 1, "one summary: {out}");
}

#[test]
fn a_complete_run_is_not_called_interrupted() {
    assert!(!lines_output(false).contains("interrupted"));
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Is a terminal, the environment, the mode expected.
type ModeCase = (bool, &'static [(&'static str, &'static str)], ConsoleMode);

#[test]
fn console_mode_rules() {
    use ConsoleMode::{Lines, Progress};
    let cases: &[ModeCase] = &[
        (true, &[], Progress),
        (true, &[("TERM", "xterm-256color")], Progress),
        (false, &[], Lines),
        (true, &[("CI", "true")], Lines),
        (true, &[("CI", "1")], Lines),
        (true, &[("CI", "woodpecker")], Lines),
        (true, &[("CI", "false")], Progress),
        (true, &[("CI", "0")], Progress),
        (true, &[("CI", "")], Progress),
        (true, &[("TERM", "dumb")], Lines),
    ];
    for (is_terminal, pairs, expected) in cases {
        assert_eq!(
            console_mode(*is_terminal, &env(pairs)),
            *expected,
            "terminal {is_terminal}, env {pairs:?}"
        );
    }
}

#[test]
fn colour_rules() {
    assert!(use_colors(true, &env(&[])));
    assert!(!use_colors(false, &env(&[])));
    assert!(!use_colors(true, &env(&[("NO_COLOR", "1")])));
    assert!(
        use_colors(true, &env(&[("NO_COLOR", "")])),
        "empty NO_COLOR is unset"
    );
    assert!(!use_colors(true, &env(&[("TERM", "dumb")])));
}

#[test]
fn a_long_repeated_prompt_shows_once_with_the_closest_passage_and_its_diff() {
    let sink = Sink::default();
    let mut reporter = ConsoleReporter::new(Box::new(sink.clone()), ConsoleMode::Lines);
    run(&mut reporter, &fixtures::long_prompt_events());
    let out = sink.text();
    let menu = "Thank you for calling Acme. For your balance, press 1. For billing questions, \
                press to. (said 2 times)";
    assert!(
        out.contains(&format!(
            "FAIL  billing menu  (9.5 s)  Line 12: Bot response (on Line 9: #me - hello) \
             \"{menu}\" expected to match \"For billing questions, press 2\"\n"
        )),
        "{out}"
    );
    let details = format!(
        "  expected:        For billing questions, press 2
  heard:           {menu}
  closest passage: For billing questions, press to. (similarity 93%)
  diff:            For billing questions, press [-2-]{{+to.+}}
  similarity:      97%
"
    );
    assert!(out.contains(&details), "{out}");
    assert!(
        out.contains(&format!("    +  9.00 s  IVR     {menu} (confidence 0.91, ")),
        "{out}"
    );
    assert!(
        !out.contains("press to. Thank you"),
        "no repeat left: {out}"
    );
}

#[test]
fn measured_coverage_adds_one_line_per_flow_after_the_call_time() {
    use crate::coverage::model::{FlowCoverage, TransitionCoverage, WidgetCoverage};
    let widget = |name: &str, ran: bool| WidgetCoverage {
        name: name.into(),
        kind: "say-play".into(),
        position: None,
        tests: if ran {
            ["billing/pay by card".to_string()].into()
        } else {
            Default::default()
        },
    };
    let flow = FlowCoverage {
        name: "acme".into(),
        sid: "FW1".into(),
        widgets: vec![widget("Trigger", true), widget("hours", false)],
        transitions: vec![TransitionCoverage {
            from: "Trigger".into(),
            event: "incomingCall".into(),
            condition: None,
            to: "hours".into(),
            tests: Default::default(),
        }],
    };
    let mut events = fixtures::events();
    let finished = events.pop().expect("RunFinished");
    events.push(RunEvent::CoverageMeasured {
        coverage: crate::coverage::Coverage {
            flows: vec![flow],
            applications: vec![],
        },
    });
    events.push(finished);
    let sink = Sink::default();
    let mut reporter = ConsoleReporter::new(Box::new(sink.clone()), ConsoleMode::Lines);
    run(&mut reporter, &events);
    let out = sink.text();
    assert!(
        out.contains(
            "(2 min billed, each call rounded up to the minute)\n\
             coverage acme: 1 of 2 widgets, 0 of 1 transitions; never: hours\n\nFAIL"
        ),
        "{out}"
    );
}
