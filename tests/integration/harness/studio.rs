//! Helpers of the Studio tests: a flow written to a temporary file and answering the IVR
//! number, and a caller that listens and answers what it hears.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{json, Value};
use twilio_emulator::config::NumberConfig;
use twilio_emulator::server::RunningEmulator;

use super::emulator::{create_call, emulator, get, ledger, wait_until_ended, CALLER, IVR, TOKEN};
use super::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};

/// A flow whose trigger sends incoming calls to the first of `states`.
pub fn flow(states: Value) -> Value {
    let first = states[0]["name"].clone();
    let mut all = vec![json!({
        "name": "Trigger", "type": "trigger", "properties": {"offset": {"x": 0, "y": 0}},
        "transitions": [{"event": "incomingMessage"}, {"event": "incomingCall", "next": first},
                        {"event": "incomingRequest"}]
    })];
    all.extend(states.as_array().cloned().unwrap_or_default());
    json!({"description": "test flow", "states": all, "initial_state": "Trigger",
           "flags": {"allow_concurrent_calls": true}})
}

/// A `say-play` widget.
pub fn say(name: &str, text: &str, next: Option<&str>) -> Value {
    json!({"name": name, "type": "say-play", "properties": {"say": text},
           "transitions": [{"event": "audioComplete", "next": next}]})
}

/// An emulator whose IVR number runs `flow` (written to a file in the returned directory).
pub async fn studio(flow: &Value) -> (RunningEmulator, tempfile::TempDir) {
    studio_with(flow, Vec::new()).await
}

/// As [`studio`], with `others` configured besides the IVR number (parties to dial).
pub async fn studio_with(
    flow: &Value,
    others: Vec<(&str, NumberConfig)>,
) -> (RunningEmulator, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_flow(&dir, "flow.json", &flow.to_string());
    let number = NumberConfig {
        studio_flow: Some(path),
        ..NumberConfig::default()
    };
    let mut numbers = vec![(IVR, number)];
    numbers.extend(others);
    (emulator(numbers).await, dir)
}

/// Writes a flow file.
pub fn write_flow(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write flow");
    path
}

fn listen() -> String {
    r#"<Gather input="speech dtmf" action="/heard" speechTimeout="auto" timeout="3" actionOnEmptyResult="true"/>"#
        .to_string()
}

/// A caller that listens; each time it hears something (or silence, as ""), `reply` gives the
/// TwiML verbs it answers with before listening again.
pub async fn caller(reply: impl Fn(&str) -> String + Send + Sync + 'static) -> TwimlApp {
    let reply = Arc::new(reply);
    TwimlAppBuilder::new(TOKEN)
        .twiml("/start", &format!("<Response>{}</Response>", listen()))
        .route("/heard", move |r: &Received| {
            let heard = match r.param("SpeechResult") {
                "" => r.param("Digits"),
                speech => speech,
            };
            Reply::Twiml(format!("<Response>{}{}</Response>", reply(heard), listen()))
        })
        .route("/status", |_| Reply::Status(204))
        .start()
        .await
}

/// Calls the IVR from `caller`; returns the ended call.
pub async fn call(emulator: &RunningEmulator, caller: &TwimlApp, extra: &[(&str, &str)]) -> Value {
    let start = caller.url("/start");
    let mut form = vec![("To", IVR), ("From", CALLER), ("Url", start.as_str())];
    form.extend_from_slice(extra);
    let (code, call) = create_call(&emulator.base_url, &form).await;
    assert_eq!(code, 201, "{call}");
    wait_until_ended(&emulator.base_url, call["sid"].as_str().expect("sid")).await
}

/// What the caller heard, in order (speech, or the keys the IVR played).
pub fn heard(caller: &TwimlApp) -> Vec<String> {
    caller
        .received_at("/heard")
        .iter()
        .map(|r| match r.param("SpeechResult") {
            "" => r.param("Digits").to_string(),
            speech => speech.to_string(),
        })
        .filter(|h| !h.is_empty())
        .collect()
}

/// The ledger's transcript lines of a call.
pub async fn transcript(emulator: &RunningEmulator, call: &Value) -> Vec<String> {
    let entry = ledger(&emulator.base_url)
        .await
        .as_array()
        .and_then(|calls| calls.iter().find(|c| c["sid"] == call["sid"]))
        .cloned()
        .unwrap_or_default();
    entry["transcript"]
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .map(|l| {
                    format!(
                        "{}: {}",
                        l["leg"].as_str().unwrap_or(""),
                        l["text"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What the IVR said, in order, from the ledger (its last words before hanging up are heard,
/// but the caller's `<Gather>` is cut short by the hang-up, as on a phone).
pub async fn said(emulator: &RunningEmulator, call: &Value) -> Vec<String> {
    transcript(emulator, call)
        .await
        .iter()
        .filter_map(|l| l.strip_prefix("callee: says: ").map(str::to_string))
        .collect()
}

/// The messages sent to the caller, oldest first.
pub async fn messages_to_caller(emulator: &RunningEmulator) -> Vec<Value> {
    let listed = get(
        &emulator.base_url,
        &format!("Messages.json?To={}", CALLER.replace('+', "%2B")),
    )
    .await;
    let mut messages = listed["messages"].as_array().cloned().unwrap_or_default();
    messages.reverse();
    messages
}
