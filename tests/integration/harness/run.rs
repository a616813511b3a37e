//! `ivr-test run` as the tests run it: the real binary in a temporary project, against the
//! in-process emulator (`--emulate`) or its REST API standing in for Twilio, and its JSON report.

use super::command::{run_in, Output, Project};
use super::emulator::{ACCOUNT, CALLER, IVR, TOKEN};
use super::free_port;
use super::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};

/// An IVR: a greeting with a keypad or speech menu, sales and balance branches.
pub async fn acme_ivr() -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Gather input="dtmf speech" action="/menu" numDigits="1" timeout="5" speechTimeout="auto"><Say>Welcome to Acme. Press one for sales or two for your balance.</Say></Gather><Redirect>/voice</Redirect></Response>"#,
        )
        .route("/menu", |r: &Received| {
            let speech = r.param("SpeechResult").to_lowercase();
            Reply::Twiml(if r.param("Digits") == "1" || speech.contains("sales") {
                r#"<Response><Say>Connecting you to sales.</Say><Pause length="10"/><Hangup/></Response>"#.into()
            } else if r.param("Digits") == "2" {
                r#"<Response><Say>Your balance is 42 dollars.</Say><Pause length="10"/><Hangup/></Response>"#.into()
            } else {
                "<Response><Redirect>/voice</Redirect></Response>".into()
            })
        })
        .start()
        .await
}

/// An emulator config (`--emulate`) with `ivr` at [`IVR`], three numbers that do not answer
/// (busy, no-answer, failed), and speech running 20 times faster than real time.
pub fn emulator_config(ivr: &TwimlApp) -> String {
    serde_json::json!({
        "accounts": [{"sid": ACCOUNT, "auth_token": TOKEN}],
        "caller_ids": [CALLER],
        "numbers": {
            IVR: {"voice_url": ivr.url("/voice")},
            "+15551230002": {"behaviour": "busy"},
            "+15551230003": {"behaviour": "no-answer"},
            "+15551230004": {"behaviour": "failed"}
        },
        "calls_per_second": 50,
        "time_scale": 20
    })
    .to_string()
}

/// A project that calls `ivr` through `--emulate emu.json` ([`emulator_config`]), with `botium`
/// as its `botium.json`.
pub fn emulated(ivr: &TwimlApp, botium: &str) -> Project {
    Project::new()
        .file("emu.json", &emulator_config(ivr))
        .file("botium.json", botium)
}

/// As [`emulated`], with the emulator running `time_scale` times faster than real time (20 leaves
/// an IVR's 5 s timeouts only 250 ms of wall time, too little for many calls on a loaded
/// machine).
pub fn emulated_at(ivr: &TwimlApp, botium: &str, time_scale: f64) -> Project {
    let config = serde_json::from_str(&emulator_config(ivr)).expect("config is JSON");
    let config = merged(config, serde_json::json!({ "time_scale": time_scale }));
    Project::new()
        .file("emu.json", &config.to_string())
        .file("botium.json", botium)
}

/// `ivr-test run convos --emulate emu.json` and `args` in `project` (see [`run`]).
pub async fn run_emulated(project: &Project, args: &[&str]) -> Output {
    let base: [&str; 4] = ["run", "convos", "--emulate", "emu.json"];
    run(project, &[&base[..], args].concat()).await
}

/// `botium.json` for calls to `to` with the default test capabilities.
pub fn botium_json(to: &str) -> String {
    botium_json_with(to, serde_json::json!({}))
}

/// `base` with the keys of `extra` added (replacing equal keys).
pub fn merged(mut base: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    if let (Some(base), serde_json::Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

/// `botium.json` for calls to `to`: caller ID, rates and timeouts short enough for tests, plus
/// the capabilities in `extra`.
pub fn botium_json_with(to: &str, extra: serde_json::Value) -> String {
    let caps = serde_json::json!({
        "TWILIO_IVR_TO": to,
        "TWILIO_IVR_FROM": CALLER,
        "TWILIO_IVR_CALLS_PER_SECOND": 10,
        "TWILIO_IVR_REDIAL": 1,
        "TWILIO_IVR_WAIT_CALL_COMPLETED": 3000,
        "WAITFORBOTTIMEOUT": 8000
    });
    serde_json::json!({"botium": {"Capabilities": merged(caps, extra)}}).to_string()
}

/// Runs the binary in `project` off the async runtime, so the IVR and emulator tasks of the test
/// keep serving while it runs.
pub async fn run(project: &Project, args: &[&str]) -> Output {
    let dir = project.path().to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        run_in(&dir, &refs, &[])
    })
    .await
    .expect("run")
}

/// The JSON report a run wrote at `path` in `project`.
pub fn json_report(project: &Project, path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(project.path().join(path)).expect("report written");
    serde_json::from_str(&text).expect("report is JSON")
}

/// `(name, verdict)` of every test case in a JSON report, in report order.
pub fn verdicts(report: &serde_json::Value) -> Vec<(String, String)> {
    report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap_or("").to_string(),
                t["verdict"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// `(name, "passed")` for each of `names`: what [`verdicts`] gives for a passing suite.
pub fn all_passed(names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| (n.to_string(), "passed".to_string()))
        .collect()
}

/// `(Digits, SpeechResult)` of every request the IVR received at `path`.
pub fn inputs_at(ivr: &TwimlApp, path: &str) -> Vec<(String, String)> {
    ivr.received_at(path)
        .iter()
        .map(|r| {
            (
                r.param("Digits").to_string(),
                r.param("SpeechResult").to_string(),
            )
        })
        .collect()
}

/// Capabilities for calls through a Twilio API (the emulator at `api_url` standing in for it),
/// with the runner's webhook on a free loopback port reached at its public URL, plus `extra`.
pub fn through_twilio_api(api_url: &str, extra: serde_json::Value) -> String {
    through_twilio_api_on(free_port(), api_url, extra)
}

/// As [`through_twilio_api`], with the runner's webhook on `port`: for tests that call the
/// runner's webhook themselves.
pub fn through_twilio_api_on(port: u16, api_url: &str, extra: serde_json::Value) -> String {
    let caps = serde_json::json!({
        "TWILIO_IVR_ACCOUNT_SID": ACCOUNT, "TWILIO_IVR_AUTH_TOKEN": TOKEN,
        "TWILIO_IVR_API_URL": api_url,
        "TWILIO_IVR_PUBLICURL": format!("http://127.0.0.1:{port}/"),
        "TWILIO_IVR_INBOUNDPORT": port
    });
    botium_json_with(IVR, merged(caps, extra))
}

/// As [`run_against`], with the emulator running `time_scale` times faster than real time (the
/// shared config's 20 leaves some IVR timeouts too little wall time on a loaded machine).
pub async fn run_scaled(
    ivr: &TwimlApp,
    time_scale: f64,
    botium: &str,
    convos: &[(&str, &str)],
) -> (Project, Output) {
    run_scaled_with(ivr, time_scale, botium, convos, &[]).await
}

/// As [`run_scaled`], with more `args` for `ivr-test run`.
pub async fn run_scaled_with(
    ivr: &TwimlApp,
    time_scale: f64,
    botium: &str,
    convos: &[(&str, &str)],
    args: &[&str],
) -> (Project, Output) {
    let mut project = emulated_at(ivr, botium, time_scale);
    for (file, text) in convos {
        project = project.file(&format!("convos/{file}"), text);
    }
    let out = run_emulated(&project, &[&["--json", "report.json"], args].concat()).await;
    (project, out)
}

/// A project with `botium_json` and the convos `cases` (name, text) under `convos/`.
pub fn project(botium_json: &str, cases: &[(&str, &str)]) -> Project {
    cases.iter().fold(
        Project::new().file("botium.json", botium_json),
        |project, (name, text)| project.file(&format!("convos/{name}.convo.txt"), text),
    )
}

/// Asserts that the run exited 0 and its `report.json` has `names`, all passed.
pub fn passed(out: &Output, project: &Project, names: &[&str]) {
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(
        verdicts(&json_report(project, "report.json")),
        all_passed(names),
        "{}",
        out.stderr
    );
}
