//! `run --coverage FILE` and `--coverage-min PERCENT`: the demo flow's coverage, counted by
//! hand from its five convos; which test case exercised what; the minimum's exit code 4 and
//! its refusals before dialing; a TwiML application's webhooks and gather outcomes.
//!
//! The demo flow (`fixtures/acme-energy.flow.json`) has 13 widgets and 21 transitions with a
//! `next`. The convos run: every call Trigger -> greeting -> main_menu; keypad balance
//! (keypress -> menu_by_key, match "balance" -> ask_account, keypress -> read_back -> goodbye);
//! speech balance (speech -> menu_by_speech, match "balance" -> ask_account, the same end);
//! the address by SMS (speech -> menu_by_speech, match "text" -> send_address, sent ->
//! address_sent -> goodbye); the agent (keypress -> menu_by_key, match "agent" ->
//! transfer_notice -> transfer); no input (timeout -> no_input -> main_menu). That is every
//! widget and 15 transitions; never: both splits' noMatch, menu_by_key's "text",
//! menu_by_speech's "agent", ask_account's timeout and send_address's failed.

use std::path::Path;

use serde_json::Value;

use crate::harness::demo::{demo_project, repository};
use crate::harness::emulator::IVR;
use crate::harness::run::{acme_ivr, botium_json, emulated, json_report, run_emulated};
use crate::harness::{run_in, Project};

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("coverage written");
    serde_json::from_str(&text).expect("coverage is JSON")
}

/// `from --event "condition"--> to` of every transition some test case took (`taken`) or none.
fn transitions(flow: &Value, taken: bool) -> Vec<String> {
    flow["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .filter(|t| t["tests"].as_array().is_some_and(|a| a.is_empty()) != taken)
        .map(|t| match t["condition"].as_str() {
            Some(c) => format!("{} --{} \"{c}\"--> {}", t["from"], t["event"], t["to"]),
            None => format!("{} --{}--> {}", t["from"], t["event"], t["to"]),
        })
        .map(|s| s.replace('"', "").replace("--match ", "--match \""))
        .collect()
}

fn tests_of(flow: &Value, from: &str, condition: &str) -> Vec<String> {
    let transition = flow["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .find(|t| t["from"] == from && t["condition"] == condition)
        .expect("transition");
    serde_json::from_value(transition["tests"].clone()).expect("names")
}

#[test]
fn the_demo_suites_coverage_is_exact_and_attributed_to_its_test_cases() {
    let out_dir = tempfile::tempdir().expect("temp dir");
    let file = out_dir.path().join("coverage.json");
    let file_arg = file.to_string_lossy().into_owned();
    let out = run_in(
        repository(),
        &["run", "convos/", "--parallel", "5", "--coverage", &file_arg],
        &[],
    )
    .expect_code(0);
    let coverage = read_json(&file);
    let flows = coverage["flows"].as_array().expect("flows");
    assert_eq!(flows.len(), 1, "{coverage}");
    let flow = &flows[0];
    assert_eq!(flow["name"], "acme-energy");
    assert!(flow["sid"].as_str().is_some_and(|s| s.starts_with("FW")));
    let widgets = flow["widgets"].as_array().expect("widgets");
    assert_eq!(widgets.len(), 13);
    let never_run: Vec<&Value> = widgets
        .iter()
        .filter(|w| w["tests"].as_array().is_some_and(|a| a.is_empty()))
        .collect();
    assert!(never_run.is_empty(), "{never_run:?}");
    assert_eq!(widgets[0]["type"], "trigger");
    assert!(widgets[0]["position"]["x"].is_number());
    assert_eq!(
        transitions(flow, true).len(),
        15,
        "{:?}",
        transitions(flow, true)
    );
    assert_eq!(
        transitions(flow, false),
        [
            "menu_by_key --noMatch--> no_input",
            "menu_by_key --match \"text--> send_address",
            "menu_by_speech --noMatch--> no_input",
            "menu_by_speech --match \"agent--> transfer_notice",
            "ask_account --timeout--> no_input",
            "send_address --failed--> goodbye",
        ]
    );
    // Each branch lists only the test cases that took it; the trigger lists all five.
    assert_eq!(
        tests_of(flow, "menu_by_key", "agent"),
        ["transfer to an agent"]
    );
    assert_eq!(
        tests_of(flow, "menu_by_key", "balance"),
        ["balance by keypad"]
    );
    assert_eq!(
        tests_of(flow, "menu_by_speech", "text"),
        ["address by text message"]
    );
    assert_eq!(widgets[0]["tests"].as_array().map(Vec::len), Some(5));
    assert_eq!(coverage["applications"], Value::Array(vec![]));
    assert!(
        out.stderr.contains(
            "coverage acme-energy: 13 of 13 widgets, 15 of 21 transitions; never: \
             menu_by_key --noMatch--> no_input, menu_by_key --match \"text\"--> send_address, \
             menu_by_speech --noMatch--> no_input, menu_by_speech --match \"agent\"--> transfer_notice, \
             ask_account --timeout--> no_input, and 1 more\n"
        ),
        "{}",
        out.stderr
    );
}

/// The demo project with only the keypad balance test case.
#[test]
fn a_suite_that_covers_less_fails_the_minimum_with_exit_4() {
    let project = demo_project(&["balance_by_keypad"]);
    // Transitions: incomingCall, audioComplete, keypress, match "balance", keypress,
    // read_back's audioComplete: 6 of 21; widgets: those 6 transitions' ends and the trigger.
    let out = project
        .run(&["run", "convos/", "--coverage-min", "80"])
        .expect_code(4);
    assert!(out.stderr.contains("1 passed, 0 failed"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("coverage 28.6% is below --coverage-min 80%"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("coverage acme-energy: 7 of 13 widgets, 6 of 21 transitions"),
        "{}",
        out.stderr
    );
    let out = project
        .run(&["run", "convos/", "--coverage-min", "25"])
        .expect_code(0);
    assert!(!out.stderr.contains("below"), "{}", out.stderr);
}

#[test]
fn a_minimum_out_of_range_or_not_a_number_exits_2_before_dialing() {
    let project = demo_project(&["balance_by_keypad"]);
    for bad in ["101", "abc"] {
        let out = project
            .run(&["run", "convos/", "--coverage-min", bad])
            .expect_code(2);
        assert!(out.stderr.contains("--coverage-min"), "{}", out.stderr);
        assert!(!out.stderr.contains("running"), "{}", out.stderr);
    }
}

const BALANCE: &str =
    "balance by keypad\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 2\n\n#bot\nYour balance is 42 dollars.\n";
const SALES: &str = "sales by speech\n\n#bot\npress one for sales\n\n#me\nsales please\n\n#bot\nConnecting you to sales\n";

#[tokio::test]
async fn a_twiml_application_lists_its_webhooks_and_gather_outcomes() {
    let ivr = acme_ivr().await;
    let project = emulated(&ivr, &botium_json(IVR))
        .file("convos/balance.convo.txt", BALANCE)
        .file("convos/sales.convo.txt", SALES);
    let out = run_emulated(&project, &["--coverage", "coverage.json"])
        .await
        .expect_code(0);
    let coverage = json_report(&project, "coverage.json");
    assert_eq!(coverage["flows"], Value::Array(vec![]), "{}", out.stderr);
    let app = &coverage["applications"][0];
    assert_eq!(app["number"], IVR);
    let webhooks: Vec<(String, String, Value)> = app["webhooks"]
        .as_array()
        .expect("webhooks")
        .iter()
        .map(|w| {
            (
                format!(
                    "{} {}",
                    w["method"].as_str().unwrap_or(""),
                    w["url"].as_str().unwrap_or("")
                ),
                w["tests"].to_string(),
                w["gathers"].clone(),
            )
        })
        .collect();
    let menu = format!("POST {}", ivr.url("/menu"));
    let voice = format!("POST {}", ivr.url("/voice"));
    let urls: Vec<&str> = webhooks.iter().map(|w| w.0.as_str()).collect();
    assert_eq!(urls, [menu.as_str(), voice.as_str()]);
    assert_eq!(webhooks[0].1, r#"["balance by keypad","sales by speech"]"#);
    let gathers = &webhooks[1].2;
    assert_eq!(
        gathers,
        &serde_json::json!([
            {"outcome": "digits", "value": "2", "tests": ["balance by keypad"]},
            {"outcome": "speech", "value": "Sales please.", "tests": ["sales by speech"]},
        ])
    );
}

#[tokio::test]
async fn a_minimum_without_a_studio_flow_exits_2_before_dialing() {
    let ivr = acme_ivr().await;
    let project = emulated(&ivr, &botium_json(IVR)).file("convos/balance.convo.txt", BALANCE);
    let out = run_emulated(&project, &["--coverage-min", "50"])
        .await
        .expect_code(2);
    assert!(
        out.stderr
            .contains("no Studio flow to measure; nothing was dialed"),
        "{}",
        out.stderr
    );
    assert!(ivr.received().is_empty(), "nothing was dialed");
}

#[tokio::test]
async fn through_twilios_api_executions_are_attributed_by_caller_and_time() {
    let read = |path: &str| std::fs::read_to_string(repository().join(path)).expect(path);
    let flow: Value = serde_json::from_str(&read("fixtures/acme-energy.flow.json")).expect("flow");
    let (emulator, _dir) = crate::harness::studio::studio(&flow).await;
    let project = Project::new()
        .file(
            "botium.json",
            &crate::harness::run::through_twilio_api(&emulator.base_url, serde_json::json!({})),
        )
        .file(
            "convos/keypad.convo.txt",
            &read("convos/balance_by_keypad.convo.txt"),
        )
        .file(
            "convos/sms.convo.txt",
            &read("convos/address_by_sms.convo.txt"),
        );
    let out = crate::harness::run::run(
        &project,
        &[
            "run",
            "convos",
            "--coverage",
            "coverage.json",
            "--coverage-min",
            "50",
        ],
    )
    .await;
    // keypad: 6 transitions; SMS adds speech, match "text", sent, address_sent: 10 of 21.
    assert_eq!(out.code, Some(4), "{}", out.stderr);
    assert!(out.stderr.contains("2 passed"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("coverage 47.6% is below --coverage-min 50%"),
        "{}",
        out.stderr
    );
    let coverage = json_report(&project, "coverage.json");
    let flow = &coverage["flows"][0];
    assert_eq!(flow["name"], "flow");
    assert_eq!(
        tests_of(flow, "menu_by_key", "balance"),
        ["balance by keypad"]
    );
    assert_eq!(
        tests_of(flow, "menu_by_speech", "text"),
        ["address by text message"]
    );
    assert_eq!(
        flow["widgets"][0]["tests"],
        serde_json::json!(["address by text message", "balance by keypad"])
    );
    assert_eq!(
        transitions(flow, true).len(),
        10,
        "{:?}",
        transitions(flow, true)
    );
    emulator.stop().await;
}
