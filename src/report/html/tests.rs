//! The page as text: escaping, order, what is open, the diff's markup, billing, the coverage
//! map's classes. What a person sees in a browser is tested in `tests/integration/html_report.rs`.

use std::collections::BTreeSet;
use std::time::Duration;

use super::*;
use crate::coverage::model::{
    ApplicationCoverage, FlowCoverage, GatherCoverage, Position, TransitionCoverage,
    WebhookCoverage, WidgetCoverage,
};
use crate::coverage::Coverage;
use crate::events::{Happened, RunEvent, TranscriptEntry, Verdict};
use crate::report::fixtures;

fn page(events: &[RunEvent]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out/report.html");
    let mut reporter = HtmlReporter::new(&path);
    for event in events {
        reporter.event(event).expect("event");
    }
    reporter.finish().expect("finish");
    std::fs::read_to_string(&path).expect("read")
}

fn names(tests: &[&str]) -> BTreeSet<String> {
    tests.iter().map(|t| t.to_string()).collect()
}

/// A flow of three widgets, one never run, with one transition never taken.
pub fn coverage() -> Coverage {
    let widget = |name: &str, x: f64, y: f64, tests: &[&str]| WidgetCoverage {
        name: name.into(),
        kind: "say-play".into(),
        position: Some(Position { x, y }),
        tests: names(tests),
    };
    let transition = |from: &str, event: &str, to: &str, tests: &[&str]| TransitionCoverage {
        from: from.into(),
        event: event.into(),
        condition: None,
        to: to.into(),
        tests: names(tests),
    };
    Coverage {
        flows: vec![FlowCoverage {
            name: "acme <energy>".into(),
            sid: "FW0000000000000000000000000000000a".into(),
            widgets: vec![
                widget("Trigger", 0.0, 0.0, &["billing/pay by card"]),
                widget("menu", 0.0, 200.0, &["billing/pay by card"]),
                widget("agent", 400.0, 400.0, &[]),
            ],
            transitions: vec![
                transition("Trigger", "incomingCall", "menu", &["billing/pay by card"]),
                transition("menu", "keypress", "agent", &[]),
            ],
        }],
        applications: vec![ApplicationCoverage {
            number: "+15550100".into(),
            webhooks: vec![WebhookCoverage {
                method: "POST".into(),
                url: "http://127.0.0.1:9/menu?x=<1>".into(),
                tests: names(&["outage"]),
                gathers: vec![GatherCoverage {
                    outcome: "digits".into(),
                    value: Some("2".into()),
                    tests: names(&["outage"]),
                }],
            }],
        }],
    }
}

/// The fixture run with the coverage measured before its end.
fn events_with_coverage() -> Vec<RunEvent> {
    let mut events = fixtures::events();
    let last = events.len() - 1;
    events.insert(
        last,
        RunEvent::CoverageMeasured {
            coverage: coverage(),
        },
    );
    events
}

#[test]
fn script_in_names_and_transcripts_is_shown_not_run() {
    let mut result = fixtures::passed();
    result.name = "<script>alert(1)</script>".into();
    result.transcript.push(TranscriptEntry {
        at: Duration::from_secs(6),
        what: Happened::Ivr("<script>alert(2)</script> & \"more\"".into()),
        confidence: Some(0.5),
        response_time: None,
    });
    let html = page(&[RunEvent::TestFinished { result }]);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt; &amp; &quot;more&quot;"));
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the page's own script"
    );
    assert!(!html.contains("alert(1)</script>"));
}

#[test]
fn nothing_is_loaded_from_elsewhere() {
    let html = page(&events_with_coverage());
    for outside in [
        "<link",
        "<script src",
        "@import",
        "url(http",
        "<img",
        "<iframe",
    ] {
        assert!(!html.contains(outside), "{outside}");
    }
    // The only URL a page element loads is the recording's, which is the point of the player.
    assert_eq!(html.matches(" src=").count(), 1);
    assert!(
        html.contains("<audio controls preload=\"none\" src=\"https://api.twilio.com/rec/RE1\"")
    );
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<meta name=\"viewport\""));
}

#[test]
fn test_cases_come_in_index_order_failures_open() {
    let html = page(&fixtures::events());
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle}"));
    let (first, second, third) = (
        at("id=\"test-0\""),
        at("id=\"test-1\""),
        at("id=\"test-2\""),
    );
    assert!(first < second && second < third, "index order");
    let opening = |index: usize| {
        let start = at(&format!("id=\"test-{index}\""));
        html[start..start + 120].contains("<details open>")
    };
    assert!(!opening(0), "passed is closed");
    assert!(opening(1) && opening(2), "failed and error are open");
    // Without JS the filter controls (which need it) stay hidden and every test case shows.
    assert!(html.contains("<div class=\"controls\" id=\"controls\" hidden>"));
    assert_eq!(html.matches("<article class=\"test").count(), 3);
    assert!(!html.contains("<article hidden") && !html.contains("data-verdict=\"passed\" hidden"));
    assert!(html.contains("3 test cases: <span class=\"count passed\">1 passed</span>"));
    assert!(html.contains("<dt>planned</dt><dd>3, complete</dd>"));
    assert!(html.contains("<dt>call time</dt><dd>18.5 s</dd>"));
    // 11 s and 7.5 s each cost a whole minute; the error made no call.
    assert!(html.contains("<dt>billed minutes</dt><dd>2</dd>"), "{html}");
    assert!(html.contains("refund &quot;fast&quot; &lt;&amp;&gt;/card"));
}

#[test]
fn a_failure_shows_expected_heard_the_failed_step_and_the_word_diff() {
    let html = page(&fixtures::events());
    assert!(html.contains("<dt>expected</dt><dd>Your refund was issued</dd>"));
    assert!(html.contains("<dt>heard</dt><dd>Your refund is on its way</dd>"));
    assert!(
        html.contains("Your refund <del>[-was issued-]</del> <ins>{+is on its way+}</ins></p>"),
        "{html}"
    );
    assert!(html.contains(
        "<li class=\"failed\"><span class=\"step-state\">failed</span> \
         tests/refund.convo.txt:12 (Line 12, #bot)</li>"
    ));
    assert!(html.contains("<td>IVR</td><td>Refunds. Say card or cash.</td><td class=\"num\">0.88</td><td class=\"num\">1.50 s</td>"));
    assert!(html.contains("<td class=\"num\">+2.50 s</td><td>caller</td><td>says: refund</td>"));
}

#[test]
fn a_long_prompt_is_diffed_against_its_closest_passage_and_shown_once() {
    let html = page(&fixtures::long_prompt_events());
    assert!(html.contains("<dt>closest passage</dt>"), "{html}");
    assert!(html.contains("(said 2 times)"));
    assert!(
        html.contains("<ins>{+to.+}</ins>") || html.contains("<ins>{+to+}</ins>"),
        "{html}"
    );
}

#[test]
fn billed_minutes_round_each_call_up() {
    let s = Duration::from_secs;
    assert_eq!(billed_minutes([]), 0);
    assert_eq!(billed_minutes([Duration::ZERO]), 0);
    assert_eq!(billed_minutes([Duration::from_millis(300)]), 1);
    assert_eq!(billed_minutes([s(60), s(61), s(1)]), 1 + 2 + 1);
    assert_eq!(billed_minutes([Duration::from_millis(60_400)]), 1);
}

#[test]
fn the_coverage_map_marks_what_was_never_exercised_in_words_too() {
    let html = page(&events_with_coverage());
    assert!(html.contains("<h3>Flow acme &lt;energy&gt;"));
    assert!(html.contains("2 of 3 widgets, 1 of 2 transitions"));
    assert!(html.contains("50.0% of transitions taken"));
    assert_eq!(html.matches("<g class=\"node covered\"").count(), 2);
    assert_eq!(html.matches("<g class=\"node never\"").count(), 1);
    assert!(html.contains("aria-label=\"agent (say-play): never run\""));
    assert!(html.contains(">never: keypress</text>"));
    assert!(html.contains("<g class=\"edge covered\">"));
    assert!(html.contains("http://127.0.0.1:9/menu?x=&lt;1&gt;"));
    assert!(html.contains("<li>digits \"2\": outage</li>"));
    assert!(
        !page(&fixtures::events()).contains("id=\"coverage\""),
        "no coverage, no section"
    );
}

#[test]
fn an_interrupted_run_says_so() {
    let events = fixtures::events();
    let html = page(&events[..events.len() - 1]);
    assert!(html.contains("<dd>3, interrupted after 3</dd>"), "{html}");
}

#[test]
fn steps_before_the_failure_passed_and_a_call_error_marks_its_step_error() {
    let step = |line: usize| crate::events::StepRef {
        line,
        tag: format!("Line {line}"),
        ..fixtures::failed_step()
    };
    let mut result = fixtures::error();
    if let Verdict::Error(failure) = &mut result.verdict {
        failure.step = Some(step(9));
    }
    let events = [
        RunEvent::StepStarted {
            index: 2,
            step: step(3),
        },
        RunEvent::StepStarted {
            index: 2,
            step: step(9),
        },
        RunEvent::TestFinished { result },
    ];
    let html = page(&events);
    assert!(
        html.contains(
            "<li class=\"passed\"><span class=\"step-state\">passed</span> \
         tests/refund.convo.txt:3 (Line 3, #bot)</li>\
         <li class=\"failed\"><span class=\"step-state\">error</span> \
         tests/refund.convo.txt:9 (Line 9, #bot)</li>"
        ),
        "{html}"
    );
}
