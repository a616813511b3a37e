//! Whole flows: a public Studio export loaded unchanged, a bad flow refused by the
//! `ivr-test emulator` command, and a flow with a widget the emulator does not run, whose other
//! paths still run.

use std::path::PathBuf;

use twilio_emulator::config::NumberConfig;

use crate::harness::emulator::{emulator, ACCOUNT, CALLER, IVR, TOKEN};
use crate::harness::run::{botium_json, json_report, run_emulated, verdicts};
use crate::harness::studio::{call, caller, heard, said, transcript};
use crate::harness::Project;

/// `tests/fixtures/studio/webinar-flow.json`: Twilio Labs' sample IVR flow, as published (see
/// the README next to it).
fn webinar_flow() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/studio/webinar-flow.json")
}

#[tokio::test]
async fn a_public_studio_export_loads_unchanged_and_answers_a_call() {
    let number = NumberConfig {
        studio_flow: Some(webinar_flow()),
        ..NumberConfig::default()
    };
    let emulator = emulator(vec![(IVR, number)]).await;
    // The caller presses 9, which is not a demo: the flow's split finds no match and asks again;
    // the second time the caller hangs up.
    let prompts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = prompts.clone();
    let caller = caller(move |h| {
        if !h.starts_with("Hey there") {
            return String::new();
        }
        match seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => r#"<Play digits="9"/>"#.to_string(),
            _ => "<Hangup/>".to_string(),
        }
    })
    .await;
    let ended = call(&emulator, &caller, &[]).await;
    assert_eq!(ended["status"], "completed");
    let prompt = "Hey there, what demo would you like to know more? Press 1 for the Studio demo.";
    assert_eq!(said(&emulator, &ended).await, [prompt, prompt]);
    assert_eq!(heard(&caller), [prompt, prompt]);
    let lines = transcript(&emulator, &ended).await;
    assert!(
        lines.iter().any(|l| l == "callee: gathered digits: 9"),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.ends_with("the caller hung up")),
        "{lines:#?}"
    );
}

/// Runs `ivr-test emulator` on a configuration whose IVR number runs the flow at `path`
/// (relative to the project), written as `flow`; expects exit code 2 and returns stderr, after
/// checking that `ivr-test check --emulate` refuses the same configuration with the same words.
fn refused(path: &str, flow: &str) -> String {
    let config = format!(
        r#"{{"accounts": [{{"sid": "AC0123456789abcdef0123456789abcdef", "auth_token": "t"}}],
             "numbers": {{"+15551230001": {{"studio_flow": "{path}"}}}}}}"#
    );
    let project = Project::new()
        .file("emu.json", &config)
        .file(path, flow)
        .file("convos/a.convo.txt", "a\n\n#bot\nHi\n");
    let stderr = project
        .run(&["emulator", "--config", "emu.json"])
        .expect_code(2)
        .stderr;
    let checked = project
        .run(&["check", "convos", "--emulate", "emu.json"])
        .expect_code(2);
    let said = stderr
        .lines()
        .find(|l| l.contains(path))
        .expect("names the flow");
    let said = said.trim_start_matches("error: ");
    assert!(
        checked.stderr.contains(said),
        "{said:?} in {}",
        checked.stderr
    );
    stderr
}

#[test]
fn the_emulator_command_refuses_a_bad_flow_naming_file_widget_and_reason() {
    let stderr = refused(
        "flows/bad.json",
        r#"{"initial_state": "Trigger", "states": [
             {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": "hello"}]},
             {"name": "hello", "type": "say-play", "properties": {"say": "Hi {{trigger.call.From"},
              "transitions": [{"event": "audioComplete"}]}]}"#,
    );
    assert!(
        stderr.contains("flows/bad.json: widget `hello`: property `say`: Liquid syntax error"),
        "{stderr}"
    );
}

/// A menu whose key 1 leads to a `capture-payments` widget (which the emulator does not run)
/// and whose other keys lead to the opening hours.
const PAYMENT_MENU: &str = r#"{"initial_state": "Trigger", "states": [
  {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": "menu"}]},
  {"name": "menu", "type": "gather-input-on-call",
   "properties": {"say": "Press 1 to pay your bill, 2 for our opening hours.", "number_of_digits": 1},
   "transitions": [{"event": "keypress", "next": "route"}, {"event": "timeout"}]},
  {"name": "route", "type": "split-based-on", "properties": {"input": "{{widgets.menu.Digits}}"},
   "transitions": [{"event": "noMatch", "next": "hours"},
                   {"event": "match", "next": "pay", "conditions": [{"friendly_name": "1",
                    "arguments": ["{{widgets.menu.Digits}}"], "type": "equal_to", "value": "1"}]}]},
  {"name": "hours", "type": "say-play", "properties": {"say": "We are open from nine to five."},
   "transitions": [{"event": "audioComplete"}]},
  {"name": "pay", "type": "capture-payments",
   "properties": {"currency": "usd", "payment_amount": "10", "payment_connector": "Default"},
   "transitions": [{"event": "success"}, {"event": "hangup"}]}]}"#;

#[tokio::test]
async fn a_widget_the_emulator_does_not_run_fails_only_the_calls_that_reach_it() {
    let config = serde_json::json!({
        "accounts": [{"sid": ACCOUNT, "auth_token": TOKEN}],
        "caller_ids": [CALLER],
        "numbers": {IVR: {"studio_flow": "flow.json"}},
        "time_scale": 20
    });
    let project = Project::new()
        .file("emu.json", &config.to_string())
        .file("flow.json", PAYMENT_MENU)
        .file("botium.json", &botium_json(IVR))
        .file(
            "convos/hours.convo.txt",
            "hours\n\n#bot\nPress 1 to pay*\n\n#me\nBUTTON 2\n\n#bot\nWe are open from nine to five\n",
        )
        .file(
            "convos/pay.convo.txt",
            "pay\n\n#bot\nPress 1 to pay*\n\n#me\nBUTTON 1\n\n#bot\nPlease enter your card number\n",
        );
    let warning = "flow.json: widget `pay` (capture-payments) is not run by the emulator: \
                   <Pay> is not emulated; a call that reaches it ends there with an application error";

    // check says beforehand what run will do: a warning, not a refusal.
    let checked = project.run(&["check", "convos", "--emulate", "emu.json"]);
    let checked = checked.expect_code(0);
    assert!(checked.stderr.contains(warning), "{}", checked.stderr);

    let output = run_emulated(&project, &["--json", "report.json"]).await;
    assert_eq!(output.code, Some(1), "{}", output.stderr);
    assert!(output.stderr.contains(warning), "{}", output.stderr);
    let report = json_report(&project, "report.json");
    assert_eq!(
        verdicts(&report),
        [
            ("hours".to_string(), "passed".to_string()),
            ("pay".to_string(), "failed".to_string())
        ]
    );
    // The caller heard Twilio's application error; the failure names the widget.
    let pay = &report["tests"][1];
    assert!(
        pay["transcript"]
            .to_string()
            .contains("an application error has occurred"),
        "{pay}"
    );
    let failure = pay["failure"]["message"].as_str().unwrap_or_default();
    assert!(
        failure.contains("(the emulator on the IVR's side: error: widget `pay` (capture-payments) is not run by the emulator: <Pay> is not emulated)"),
        "{failure}"
    );
}
