//! Whole flows: a public Studio export loaded unchanged, and a bad flow refused by the
//! `ivr-test emulator` command.

use std::path::PathBuf;

use ivr_test::emulator::config::NumberConfig;

use crate::harness::emulator::{emulator, IVR};
use crate::harness::studio::{call, caller, heard, said, transcript};

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
/// (relative to the project), written as `flow`; expects exit code 2 and returns stderr.
fn refused(path: &str, flow: &str) -> String {
    let config = format!(
        r#"{{"accounts": [{{"sid": "AC0123456789abcdef0123456789abcdef", "auth_token": "t"}}],
             "numbers": {{"+15551230001": {{"studio_flow": "{path}"}}}}}}"#
    );
    crate::harness::Project::new()
        .file("emu.json", &config)
        .file(path, flow)
        .run(&["emulator", "--config", "emu.json"])
        .expect_code(2)
        .stderr
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

    let stderr = refused(
        "flow.json",
        r#"{"initial_state": "Trigger", "states": [
             {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": "agent"}]},
             {"name": "agent", "type": "send-to-flex", "properties": {}, "transitions": []}]}"#,
    );
    assert!(
        stderr.contains("flow.json: widget `agent`: an incoming call can reach this send-to-flex widget, and Flex, TaskRouter and call queues are not emulated"),
        "{stderr}"
    );
}
