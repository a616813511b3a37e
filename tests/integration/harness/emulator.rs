//! The emulator in-process for the tests: one account, the caller ID and the numbers a test
//! gives, its REST API called over real HTTP, and callers and agents as TwiML applications.

use std::time::Duration;

use twilio_emulator::config::{EmulatorConfig, NumberBehaviour, NumberConfig};
use twilio_emulator::server::{start, EmulatorOptions, RunningEmulator};

use super::twiml_app::{TwimlApp, TwimlAppBuilder};

pub const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

pub const TOKEN: &str = "emulator-test-token";

pub const CALLER: &str = "+15005550006";

pub const IVR: &str = "+15551230001";

/// An emulator with one account, the caller ID, and `numbers`, running 20 times faster.
pub async fn emulator(numbers: Vec<(&str, NumberConfig)>) -> RunningEmulator {
    emulator_at_scale(numbers, 20.0).await
}

/// [`emulator`] at another pace: `time_scale` times faster than a real call.
pub async fn emulator_at_scale(
    numbers: Vec<(&str, NumberConfig)>,
    time_scale: f64,
) -> RunningEmulator {
    let mut config = config(numbers);
    config.calls_per_second = 100.0;
    let options = EmulatorOptions {
        time_scale: Some(time_scale),
        webhook_budget: Some(Duration::from_secs(2)),
        // Shown with --nocapture, to follow a failing test's calls.
        log: twilio_emulator::log::EventLog::new(true, |l| eprintln!("[emulator] {l}")),
        ..Default::default()
    };
    serve(config, options).await
}

/// The configuration of one account with the caller ID and `numbers`; otherwise the defaults.
pub fn config(numbers: Vec<(&str, NumberConfig)>) -> EmulatorConfig {
    let mut config = EmulatorConfig::with_account(ACCOUNT, TOKEN);
    config.caller_ids = vec![CALLER.into()];
    config.numbers = numbers
        .into_iter()
        .map(|(n, c)| (n.to_string(), c))
        .collect();
    config
}

/// Starts an emulator with `config` on a free loopback port.
pub async fn serve(config: EmulatorConfig, options: EmulatorOptions) -> RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    start(listener, config, options).await.expect("start")
}

/// A number answered by an IVR at `url`.
pub fn ivr_at(url: String) -> NumberConfig {
    NumberConfig {
        voice_url: Some(url),
        ..NumberConfig::default()
    }
}

/// A number with a fixed behaviour.
pub fn behaving(behaviour: NumberBehaviour) -> NumberConfig {
    NumberConfig {
        behaviour,
        ..NumberConfig::default()
    }
}

/// Places a call from [`CALLER`] to [`IVR`] whose caller leg runs the TwiML at `caller_url`, with
/// `extra` parameters (`SendDigits`, `StatusCallback`...); returns its SID.
pub async fn place(emulator: &RunningEmulator, caller_url: &str, extra: &[(&str, &str)]) -> String {
    let mut form = vec![("To", IVR), ("From", CALLER), ("Url", caller_url)];
    form.extend_from_slice(extra);
    let (code, call) = create_call(&emulator.base_url, &form).await;
    assert_eq!(code, 201, "{call}");
    call["sid"].as_str().expect("sid").to_string()
}

/// `POST Calls.json` with form pairs; returns status and JSON.
pub async fn create_call(base: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
    post(base, "Calls.json", form).await
}

/// A form POST to an account resource.
pub async fn post(base: &str, resource: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/2010-04-01/Accounts/{ACCOUNT}/{resource}"))
        .basic_auth(ACCOUNT, Some(TOKEN))
        .form(form)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// A GET of an account resource.
pub async fn get(base: &str, resource: &str) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!("{base}/2010-04-01/Accounts/{ACCOUNT}/{resource}"))
        .basic_auth(ACCOUNT, Some(TOKEN))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}

/// The IVR's side of the call `caller_sid`, as Twilio shows it: an `inbound` call of its own
/// from the caller's number to the IVR's, answered with the caller's (its child calls are the
/// IVR's `<Dial>`s).
pub async fn ivr_side(base: &str, caller_sid: &str) -> serde_json::Value {
    let call = get(base, &format!("Calls/{caller_sid}.json")).await;
    let query = |key: &str| call[key].as_str().expect(key).replace('+', "%2B");
    let arrived = get(
        base,
        &format!("Calls.json?To={}&From={}", query("to"), query("from")),
    )
    .await;
    let inbound: Vec<&serde_json::Value> = arrived["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .filter(|c| c["direction"] == "inbound")
        .collect();
    assert_eq!(inbound.len(), 1, "one IVR side: {arrived:#}");
    inbound[0].clone()
}

/// The ledger (`GET /_emulator/calls`): every call, oldest first, with its transcript.
pub async fn ledger(base: &str) -> serde_json::Value {
    reqwest::get(format!("{base}/_emulator/calls"))
        .await
        .expect("ledger")
        .json()
        .await
        .expect("json")
}

/// Waits (bounded) until the call has a terminal status; returns its JSON.
pub async fn wait_until_ended(base: &str, sid: &str) -> serde_json::Value {
    for _ in 0..500 {
        let call = get(base, &format!("Calls/{sid}.json")).await;
        if matches!(
            call["status"].as_str(),
            Some("completed" | "busy" | "failed" | "no-answer" | "canceled")
        ) {
            return call;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("call {sid} did not end");
}

/// A caller that listens for one utterance (posted to `/heard`), then does what `/heard` says.
pub fn listening_caller(after_heard: &str) -> TwimlAppBuilder {
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/start",
            r#"<Response><Gather input="speech" action="/heard" timeout="40" speechTimeout="auto"/></Response>"#,
        )
        .twiml("/heard", after_heard)
}

/// An agent that greets the caller, then stays on the line for `secs`.
pub async fn agent(greeting: &str, secs: u32) -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(r#"<Response><Say>{greeting}</Say><Pause length="{secs}"/></Response>"#),
        )
        .start()
        .await
}

/// The calls the IVR dialled on the call `caller_sid`: `GET Calls.json?ParentCallSid=` of the
/// IVR's side of it.
pub async fn children(emulator: &RunningEmulator, caller_sid: &str) -> Vec<serde_json::Value> {
    let parent = ivr_side(&emulator.base_url, caller_sid).await;
    let page = get(
        &emulator.base_url,
        &format!(
            "Calls.json?ParentCallSid={}",
            parent["sid"].as_str().expect("sid")
        ),
    )
    .await;
    page["calls"].as_array().expect("calls").clone()
}
