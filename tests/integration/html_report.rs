//! The HTML report as a person sees it, in headless chromium: the demo suite's five test cases
//! and their counts, a failed step's word diff, the verdict filter and the search box, the
//! coverage map's colours and node details, escaping, and the page at phone and desktop widths
//! (no sideways scrolling, headings in order, names on controls, contrast).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::harness::browser::{chromium_present, dump_dom, findings, probe_page, screenshot};
use crate::harness::demo::{demo_project, read, repository};
use crate::harness::run_in;
use crate::harness::static_site::StaticSite;
use ivr_test::coverage::model::{FlowCoverage, Position, TransitionCoverage, WidgetCoverage};
use ivr_test::coverage::Coverage;
use ivr_test::events::{Happened, RunEvent, RunSummary, TestResult, TranscriptEntry, Verdict};
use ivr_test::report::{HtmlReporter, Reporter};

/// Checks every page gets: what is visible at 390 px (frame 0) and 1280 px (frame 1).
const LAYOUT_CHECKS: &str = r##"
  var out = {};
  frames.forEach(function (doc, i) {
    var root = doc.documentElement;
    out["overflow" + i] = root.scrollWidth - root.clientWidth;
  });
  var doc = frames[1];
  out.lang = doc.documentElement.lang;
  out.viewport = !!doc.querySelector("meta[name=viewport]");
  out.headings = Array.prototype.map.call(doc.querySelectorAll("h1,h2,h3,h4"), function (h) { return +h.tagName[1]; });
  out.unnamed = Array.prototype.filter.call(doc.querySelectorAll("input,button,[role=button],[role=region],audio,svg"), function (el) {
    var label = el.getAttribute("aria-label") || (el.id && doc.querySelector("label[for='" + el.id + "']")) || el.closest("label");
    return !label;
  }).map(function (el) { return el.outerHTML.slice(0, 80); });
  var low = [];
  Array.prototype.forEach.call(doc.querySelectorAll("h1,h2,h3,summary,dt,dd,td,th,p,li,label,legend,.badge,del,ins,span"), function (el) {
    if (!el.textContent.trim()) return;
    var ratio = helpers.contrast(el);
    if (ratio < 4.5) low.push(el.tagName + "." + el.className + " " + ratio.toFixed(2));
  });
  out.low_contrast = low;
"##;

/// Writes `report.html`'s probe page with `checks` (after [`LAYOUT_CHECKS`]) into `dir`,
/// loads it in chromium and returns what it found.
fn probe(dir: &Path, checks: &str) -> Value {
    let page = probe_page(
        "report.html",
        &[390, 1280],
        &format!("{LAYOUT_CHECKS}\n{checks}\nreturn out;"),
    );
    std::fs::write(dir.join("probe.html"), page).expect("probe page");
    let site = StaticSite::serve(dir);
    let found = findings(&dump_dom(dir, &site.url("probe.html"), 5_000));
    assert_eq!(
        found["overflow0"], 0,
        "no sideways scrolling at 390 px: {found}"
    );
    assert_eq!(found["overflow1"], 0, "nor at 1280 px: {found}");
    assert_eq!(found["lang"], "en");
    assert_eq!(found["viewport"], true);
    let headings: Vec<u64> = found["headings"]
        .as_array()
        .expect("headings")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    assert_eq!(headings.first(), Some(&1), "{headings:?}");
    assert!(
        headings.windows(2).all(|w| w[1] <= w[0] + 1),
        "no level skipped: {headings:?}"
    );
    assert_eq!(found["unnamed"], Value::Array(vec![]), "{found}");
    assert_eq!(found["low_contrast"], Value::Array(vec![]), "{found}");
    found
}

/// Screenshots of the report at phone and desktop widths, kept beside it.
fn screenshots(dir: &Path) -> Vec<PathBuf> {
    let site = StaticSite::serve(dir);
    [(390, 2000), (1280, 2000)]
        .iter()
        .map(|&(w, h)| {
            screenshot(
                dir,
                &site.url("report.html"),
                w,
                h,
                &dir.join(format!("report-{w}.png")),
            )
        })
        .collect()
}

/// Where a kept copy of the test's folder goes, for looking at the screenshots by hand:
/// `IVR_TEST_KEEP_HTML=<dir>`.
fn keep(dir: &Path, name: &str) {
    if let Ok(to) = std::env::var("IVR_TEST_KEEP_HTML") {
        let to = Path::new(&to).join(name);
        std::fs::create_dir_all(&to).expect("keep dir");
        for entry in std::fs::read_dir(dir).expect("dir").flatten() {
            if entry.path().is_file() {
                let _ = std::fs::copy(entry.path(), to.join(entry.file_name()));
            }
        }
    }
}

#[test]
fn the_demo_suite_report_shows_its_five_passed_test_cases() {
    if !chromium_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.html");
    let report_arg = report.display().to_string();
    run_in(
        repository(),
        &["run", "convos/", "--parallel", "5", "--html", &report_arg],
        &[],
    )
    .expect_code(0);
    let found = probe(
        dir.path(),
        r##"
  out.counts = helpers.text(doc.querySelector("#summary .counts"));
  out.visible_tests = Array.prototype.filter.call(doc.querySelectorAll("article.test"), helpers.visible).length;
  out.badges = Array.prototype.map.call(doc.querySelectorAll("article.test .badge"), helpers.text);
  out.open = doc.querySelectorAll("article.test details[open]").length;
"##,
    );
    assert_eq!(
        found["counts"],
        "5 test cases: 5 passed, 0 failed, 0 errors"
    );
    assert_eq!(found["visible_tests"], 5);
    assert_eq!(
        found["badges"],
        serde_json::json!(["PASS", "PASS", "PASS", "PASS", "PASS"])
    );
    assert_eq!(found["open"], 0, "passed test cases are closed");
    screenshots(dir.path());
    keep(dir.path(), "demo");
}

#[test]
fn a_failed_step_shows_its_word_diff_and_the_filter_and_search_narrow() {
    if !chromium_present() {
        return;
    }
    let wrong = read("convos/balance_by_keypad.convo.txt")
        .replace("42 dollars and 17 cents", "24 dollars and 71 cents");
    let project = demo_project(&["address_by_sms", "agent", "balance_by_speech", "no_input"])
        .file("convos/balance_by_keypad.convo.txt", &wrong);
    project
        .run(&[
            "run",
            "convos/",
            "--parallel",
            "5",
            "--html",
            "out/report.html",
        ])
        .expect_code(1);
    let dir = project.path().join("out");
    let found = probe(
        &dir,
        r##"
  function shown() { return Array.prototype.filter.call(doc.querySelectorAll("article.test"), helpers.visible)
      .map(function (a) { return helpers.text(a.querySelector("h3 .name")); }); }
  out.counts = helpers.text(doc.querySelector("#summary .counts"));
  var failed = doc.querySelector("article.test.failed");
  out.failed_name = helpers.text(failed.querySelector("h3 .name"));
  out.dels = Array.prototype.filter.call(failed.querySelectorAll(".diff > del"), helpers.visible).map(helpers.text);
  out.inss = Array.prototype.filter.call(failed.querySelectorAll(".diff > ins"), helpers.visible).map(helpers.text);
  out.failed_step = helpers.text(failed.querySelector("ol.steps li.failed"));
  out.all = shown();
  doc.querySelector("input[name=verdict][value=failed]").click();
  await helpers.settle();
  out.only_failed = shown();
  out.shown_note = helpers.text(doc.getElementById("shown"));
  doc.querySelector("input[name=verdict][value=all]").click();
  var search = doc.getElementById("search");
  search.value = "SMS";
  search.dispatchEvent(new Event("input", { bubbles: true }));
  await helpers.settle();
  out.searched = shown();
  search.value = "Please hold while I connect";
  search.dispatchEvent(new Event("input", { bubbles: true }));
  await helpers.settle();
  out.searched_transcript = shown();
"##,
    );
    assert_eq!(
        found["counts"],
        "5 test cases: 4 passed, 1 failed, 0 errors"
    );
    assert_eq!(found["failed_name"], "balance by keypad");
    assert_eq!(
        found["dels"],
        serde_json::json!(["[-24-]", "[-71-]"]),
        "{found}"
    );
    // The IVR's goodbye came in the same turn, so it is heard-only too.
    assert_eq!(found["inss"][0], "{+42+}", "{found}");
    assert_eq!(found["inss"][1], "{+17+}", "{found}");
    assert!(
        found["failed_step"].as_str().is_some_and(
            |s| s.starts_with("failed") && s.contains("balance_by_keypad.convo.txt:15")
        ),
        "{found}"
    );
    assert_eq!(found["all"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        found["only_failed"],
        serde_json::json!(["balance by keypad"])
    );
    assert_eq!(found["shown_note"], "1 of 5 test cases shown");
    assert_eq!(
        found["searched"],
        serde_json::json!(["address by text message"])
    );
    assert_eq!(
        found["searched_transcript"],
        serde_json::json!(["transfer to an agent"])
    );
    screenshots(&dir);
    keep(&dir, "failed");
}

fn names(tests: &[&str]) -> BTreeSet<String> {
    tests.iter().map(|t| t.to_string()).collect()
}

/// A report made from events: one passed test case whose name and transcript hold markup, and
/// a flow of which it ran two widgets of three.
fn report_from_events(path: &Path) {
    let name = "<script>window.injected = 1</script> menu";
    let result = TestResult {
        index: 0,
        name: name.into(),
        file: PathBuf::from("convos/menu.convo.txt"),
        verdict: Verdict::Passed,
        duration: Duration::from_secs(5),
        call_sid: Some("CA00000000000000000000000000000001".into()),
        call_duration: Duration::from_secs(4),
        recording_url: Some("http://127.0.0.1:9/RE1.mp3".into()),
        transcript: vec![TranscriptEntry {
            at: Duration::from_secs(1),
            what: Happened::Ivr("<img src=x onerror=\"window.injected=2\"> Welcome".into()),
            confidence: Some(0.9),
            response_time: Some(Duration::from_secs(1)),
        }],
    };
    let widget = |name: &str, y: f64, tests: &[&str]| WidgetCoverage {
        name: name.into(),
        kind: "gather-input-on-call".into(),
        position: Some(Position { x: 0.0, y }),
        tests: names(tests),
    };
    let coverage = Coverage {
        flows: vec![FlowCoverage {
            name: "menu-flow".into(),
            sid: "FW00000000000000000000000000000001".into(),
            widgets: vec![
                widget("Trigger", 0.0, &[name]),
                widget("main_menu", 200.0, &[name]),
                widget("sales", 400.0, &[]),
            ],
            transitions: vec![
                TransitionCoverage {
                    from: "Trigger".into(),
                    event: "incomingCall".into(),
                    condition: None,
                    to: "main_menu".into(),
                    tests: names(&[name]),
                },
                TransitionCoverage {
                    from: "main_menu".into(),
                    event: "keypress".into(),
                    condition: None,
                    to: "sales".into(),
                    tests: names(&[]),
                },
            ],
        }],
        applications: vec![],
    };
    let mut reporter = HtmlReporter::new(path);
    for event in [
        RunEvent::RunStarted {
            test_cases: 1,
            parallel: 1,
        },
        RunEvent::TestFinished { result },
        RunEvent::CoverageMeasured { coverage },
        RunEvent::RunFinished {
            summary: RunSummary {
                passed: 1,
                failed: 0,
                errors: 0,
                duration: Duration::from_secs(5),
                call_time: Duration::from_secs(4),
            },
        },
    ] {
        reporter.event(&event).expect("event");
    }
    reporter.finish().expect("finish");
}

#[test]
fn coverage_nodes_show_exercised_apart_and_markup_in_names_stays_text() {
    if !chromium_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    report_from_events(&dir.path().join("report.html"));
    let found = probe(
        dir.path(),
        r##"
  var win = doc.defaultView;
  function node(name) { return Array.prototype.find.call(doc.querySelectorAll(".node"), function (n) {
    return n.querySelector(".node-name").textContent === name; }); }
  var ran = node("main_menu"), never = node("sales");
  out.ran_fill = win.getComputedStyle(ran.querySelector("rect")).fill;
  out.never_fill = win.getComputedStyle(never.querySelector("rect")).fill;
  out.never_dash = win.getComputedStyle(never.querySelector("rect")).strokeDasharray;
  out.ran_dash = win.getComputedStyle(ran.querySelector("rect")).strokeDasharray;
  out.never_words = never.textContent;
  out.counts = helpers.text(doc.querySelector(".flow-counts"));
  out.detail_before = Array.prototype.filter.call(doc.querySelectorAll(".node-detail"), helpers.visible).map(helpers.text);
  helpers.key(ran, "Enter");
  await helpers.settle();
  out.detail_enter = Array.prototype.filter.call(doc.querySelectorAll(".node-detail"), helpers.visible).map(helpers.text);
  out.pressed = ran.getAttribute("aria-pressed");
  never.dispatchEvent(new MouseEvent("click", { bubbles: true }));
  await helpers.settle();
  out.detail_click = Array.prototype.filter.call(doc.querySelectorAll(".node-detail"), helpers.visible).map(helpers.text);
  out.name = helpers.text(doc.querySelector("article.test h3 .name"));
  out.transcript = doc.querySelector("table.transcript tbody td:nth-child(3)").textContent;
  out.injected = win.injected === undefined ? null : win.injected;
  out.audio = !!doc.querySelector("audio[controls]");
"##,
    );
    assert_ne!(found["ran_fill"], found["never_fill"], "{found}");
    assert_eq!(found["ran_dash"], "none", "{found}");
    assert_ne!(found["never_dash"], "none", "{found}");
    assert!(found["never_words"]
        .as_str()
        .is_some_and(|t| t.contains("never run")));
    assert_eq!(found["counts"], "2 of 3 widgets, 1 of 2 transitions");
    assert_eq!(
        found["detail_before"],
        serde_json::json!(["No widget selected."])
    );
    let detail = found["detail_enter"][0].as_str().unwrap_or_default();
    assert!(
        detail.contains("main_menu")
            && detail.contains("Ran by: <script>window.injected = 1</script> menu")
            && detail.contains("keypress to sales: none"),
        "{found}"
    );
    assert_eq!(found["pressed"], "true");
    let detail = found["detail_click"][0].as_str().unwrap_or_default();
    assert!(
        detail.contains("sales") && detail.contains("Ran by: none"),
        "{found}"
    );
    assert_eq!(found["name"], "<script>window.injected = 1</script> menu");
    assert_eq!(
        found["transcript"],
        "<img src=x onerror=\"window.injected=2\"> Welcome"
    );
    assert_eq!(found["injected"], Value::Null, "no markup from the run ran");
    assert_eq!(found["audio"], true);
    screenshots(dir.path());
    keep(dir.path(), "coverage");
}

/// The demo flow's definition as a coverage graph, with the widgets and transitions on the
/// keypad balance path exercised by one test case.
fn demo_flow_coverage() -> FlowCoverage {
    let text = std::fs::read_to_string(repository().join("fixtures/acme-energy.flow.json"))
        .expect("demo flow");
    let flow: Value = serde_json::from_str(&text).expect("flow JSON");
    let path = [
        "Trigger",
        "greeting",
        "main_menu",
        "menu_by_key",
        "ask_account",
        "read_back",
        "goodbye",
    ];
    let ran = |name: &str| {
        if path.contains(&name) {
            names(&["balance by keypad"])
        } else {
            names(&[])
        }
    };
    let states = flow["states"].as_array().expect("states");
    let mut widgets = Vec::new();
    let mut transitions = Vec::new();
    for state in states {
        let name = state["name"].as_str().expect("name");
        let offset = &state["properties"]["offset"];
        widgets.push(WidgetCoverage {
            name: name.into(),
            kind: state["type"].as_str().expect("type").into(),
            position: offset["x"]
                .as_f64()
                .zip(offset["y"].as_f64())
                .map(|(x, y)| Position { x, y }),
            tests: ran(name),
        });
        for transition in state["transitions"].as_array().expect("transitions") {
            let Some(to) = transition["next"].as_str() else {
                continue;
            };
            let conditions = transition["conditions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let labels: Vec<Option<String>> = if conditions.is_empty() {
                vec![None]
            } else {
                conditions
                    .iter()
                    .map(|c| c["friendly_name"].as_str().map(str::to_string))
                    .collect()
            };
            for condition in labels {
                let taken = path.windows(2).any(|pair| pair[0] == name && pair[1] == to)
                    && condition.as_deref().is_none_or(|c| c == "balance");
                transitions.push(TransitionCoverage {
                    from: name.into(),
                    event: transition["event"].as_str().expect("event").into(),
                    condition,
                    to: to.into(),
                    tests: if taken {
                        names(&["balance by keypad"])
                    } else {
                        names(&[])
                    },
                });
            }
        }
    }
    FlowCoverage {
        name: "acme-energy".into(),
        sid: "FW00000000000000000000000000000002".into(),
        widgets,
        transitions,
    }
}

#[test]
fn the_demo_flow_is_drawn_with_every_widget_apart_and_inside_its_box() {
    if !chromium_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut reporter = HtmlReporter::new(dir.path().join("report.html"));
    let coverage = Coverage {
        flows: vec![demo_flow_coverage()],
        applications: vec![],
    };
    reporter
        .event(&RunEvent::CoverageMeasured { coverage })
        .expect("event");
    reporter.finish().expect("finish");
    let found = probe(
        dir.path(),
        r##"
  var svg = doc.querySelector(".graph svg").getBoundingClientRect();
  var boxes = Array.prototype.map.call(doc.querySelectorAll(".node rect"), function (r) { return r.getBoundingClientRect(); });
  out.nodes = boxes.length;
  out.overlapping = 0; out.outside = 0;
  boxes.forEach(function (a, i) {
    if (a.left < svg.left || a.right > svg.right || a.top < svg.top || a.bottom > svg.bottom) out.outside += 1;
    boxes.slice(i + 1).forEach(function (b) {
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) out.overlapping += 1;
    });
  });
  out.edges = doc.querySelectorAll(".edge").length;
  out.never_edges = doc.querySelectorAll(".edge.never").length;
  out.counts = helpers.text(doc.querySelector(".flow-counts"));
  var phone = frames[0].querySelector(".graph");
  out.phone_box_scrolls = phone.scrollWidth > phone.clientWidth;
"##,
    );
    assert_eq!(found["nodes"], 13, "{found}");
    assert_eq!(found["overlapping"], 0, "{found}");
    assert_eq!(found["outside"], 0, "{found}");
    assert_eq!(found["edges"], 21, "{found}");
    assert_eq!(found["never_edges"], 15, "{found}");
    assert_eq!(found["counts"], "7 of 13 widgets, 6 of 21 transitions");
    assert_eq!(
        found["phone_box_scrolls"], true,
        "the graph scrolls in its own box"
    );
    screenshots(dir.path());
    keep(dir.path(), "demo-flow");
}
