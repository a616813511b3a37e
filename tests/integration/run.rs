//! `ivr-test run --emulate`: the real binary, the in-process emulator, an IVR application.

use crate::emulator::{CALLER, IVR, TOKEN};
use crate::harness::{Output, Project};
use crate::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};

/// The account the runner calls through (the emulator's only account).
pub(crate) const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

/// An IVR: a greeting with a keypad or speech menu, sales and balance branches.
pub(crate) async fn acme_ivr() -> TwimlApp {
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
pub(crate) fn emulator_config(ivr: &TwimlApp) -> String {
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
pub(crate) fn emulated(ivr: &TwimlApp, botium: &str) -> Project {
    Project::new()
        .file("emu.json", &emulator_config(ivr))
        .file("botium.json", botium)
}

/// As [`emulated`], with the emulator running `time_scale` times faster than real time (20 leaves
/// an IVR's 5 s timeouts only 250 ms of wall time, too little for many calls on a loaded
/// machine).
pub(crate) fn emulated_at(ivr: &TwimlApp, botium: &str, time_scale: f64) -> Project {
    let config = serde_json::from_str(&emulator_config(ivr)).expect("config is JSON");
    let config = merged(config, serde_json::json!({ "time_scale": time_scale }));
    Project::new()
        .file("emu.json", &config.to_string())
        .file("botium.json", botium)
}

/// `ivr-test run convos --emulate emu.json` and `args` in `project` (see [`run`]).
pub(crate) async fn run_emulated(project: &Project, args: &[&str]) -> Output {
    let base: [&str; 4] = ["run", "convos", "--emulate", "emu.json"];
    run(project, &[&base[..], args].concat()).await
}

/// `botium.json` for calls to `to` with the default test capabilities.
pub(crate) fn botium_json(to: &str) -> String {
    botium_json_with(to, serde_json::json!({}))
}

/// `base` with the keys of `extra` added (replacing equal keys).
pub(crate) fn merged(mut base: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    if let (Some(base), serde_json::Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

/// `botium.json` for calls to `to`: caller ID, rates and timeouts short enough for tests, plus
/// the capabilities in `extra`.
pub(crate) fn botium_json_with(to: &str, extra: serde_json::Value) -> String {
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

const SALES_BY_KEYPAD: &str =
    "sales by keypad\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n";
const SALES_BY_SPEECH: &str = "sales by speech\n\n#bot\npress one for sales\n\n#me\nsales please\n\n#bot\nConnecting you to sales\n";

/// Runs the binary in `project` off the async runtime, so the IVR and emulator tasks of the test
/// keep serving while it runs.
pub(crate) async fn run(project: &Project, args: &[&str]) -> Output {
    let dir = project.path().to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        crate::harness::run_in(&dir, &refs, &[])
    })
    .await
    .expect("run")
}

/// The JSON report a run wrote at `path` in `project`.
pub(crate) fn json_report(project: &Project, path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(project.path().join(path)).expect("report written");
    serde_json::from_str(&text).expect("report is JSON")
}

/// `(name, verdict)` of every test case in a JSON report, in report order.
pub(crate) fn verdicts(report: &serde_json::Value) -> Vec<(String, String)> {
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
pub(crate) fn all_passed(names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| (n.to_string(), "passed".to_string()))
        .collect()
}

/// `(Digits, SpeechResult)` of every request the IVR received at `path`.
pub(crate) fn inputs_at(ivr: &TwimlApp, path: &str) -> Vec<(String, String)> {
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

#[tokio::test]
async fn a_passing_suite_exits_0_with_reports() {
    let ivr = acme_ivr().await;
    let project = emulated(&ivr, &botium_json(IVR))
        .file("convos/keypad.convo.txt", SALES_BY_KEYPAD)
        .file("convos/speech.convo.txt", SALES_BY_SPEECH);
    let out = run_emulated(
        &project,
        &[
            "--parallel",
            "2",
            "--junit",
            "out/junit.xml",
            "--json",
            "out/report.json",
            "--transcripts",
            "out/transcripts",
        ],
    )
    .await
    .expect_code(0);
    assert!(out.stderr.contains("sales by keypad"), "{}", out.stderr);
    let junit = std::fs::read_to_string(project.path().join("out/junit.xml")).expect("junit");
    assert!(
        junit.contains(r#"tests="2""#) && junit.contains(r#"failures="0""#),
        "{junit}"
    );
    let report = json_report(&project, "out/report.json");
    assert_eq!(
        verdicts(&report),
        all_passed(&["sales by keypad", "sales by speech"]),
        "{report}"
    );
    let transcripts: Vec<_> = std::fs::read_dir(project.path().join("out/transcripts"))
        .expect("dir")
        .collect();
    assert_eq!(transcripts.len(), 2);
    // The IVR got the key and the speech.
    let menu = inputs_at(&ivr, "/menu");
    assert!(menu.iter().any(|m| m.0 == "1"), "{menu:?}");
    assert!(menu.iter().any(|m| m.1 == "Sales please."), "{menu:?}");
}

#[tokio::test]
async fn a_text_mismatch_exits_1_and_says_what_was_heard() {
    let ivr = acme_ivr().await;
    let project = emulated(&ivr, &botium_json(IVR)).file(
        "convos/wrong.convo.txt",
        "wrong expectation\n\n#bot\nWelcome to Globex\n",
    );
    let out = run_emulated(&project, &[]).await.expect_code(1);
    assert!(out.stderr.contains("wrong expectation"), "{}", out.stderr);
    assert!(
        out.stderr.contains("Welcome to Acme"),
        "the heard text is shown: {}",
        out.stderr
    );
    assert!(
        out.stderr.contains("Welcome to Globex"),
        "the expected text is shown: {}",
        out.stderr
    );
}

#[tokio::test]
async fn a_busy_line_is_an_infrastructure_error_not_a_timeout() {
    let ivr = acme_ivr().await;
    let project =
        emulated(&ivr, &botium_json("+15551230002")).file("convos/a.convo.txt", SALES_BY_KEYPAD);
    let out = run_emulated(&project, &[]).await.expect_code(3);
    // Reported as the busy line it is, not as a step that timed out.
    assert!(out.stderr.contains("busy"), "{}", out.stderr);
    assert!(!out.stderr.contains("within"), "{}", out.stderr);
}

#[tokio::test]
async fn script_errors_exit_2_before_any_call() {
    let ivr = acme_ivr().await;
    let project =
        emulated(&ivr, &botium_json(IVR)).file("convos/bad.convo.txt", "bad\n\n#me\nBUTTON 1x\n");
    let out = run_emulated(&project, &[]).await.expect_code(2);
    assert!(out.stderr.contains("nothing was dialed"), "{}", out.stderr);
    assert!(ivr.received().is_empty(), "no call reached the IVR");
}

#[tokio::test]
async fn without_a_public_url_or_the_emulator_nothing_is_dialed() {
    let project = Project::new()
        .file(
            "botium.json",
            &serde_json::json!({"botium": {"Capabilities": {
            "TWILIO_IVR_ACCOUNT_SID": ACCOUNT, "TWILIO_IVR_AUTH_TOKEN": TOKEN,
            "TWILIO_IVR_FROM": CALLER, "TWILIO_IVR_TO": IVR}}})
            .to_string(),
        )
        .file("convos/a.convo.txt", SALES_BY_KEYPAD);
    let out = run(&project, &["run", "convos"]).await.expect_code(2);
    assert!(
        out.stderr.contains("TWILIO_IVR_PUBLICURL is required"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains(TOKEN),
        "the token leaked: {}",
        out.stderr
    );
}

#[tokio::test]
async fn unanswered_calls_end_at_once_with_their_reason() {
    let ivr = acme_ivr().await;
    for (to, reason) in [("+15551230003", "no-answer"), ("+15551230004", "failed")] {
        let project = emulated(&ivr, &botium_json(to)).file("convos/a.convo.txt", SALES_BY_KEYPAD);
        let out = run_emulated(&project, &[]).await.expect_code(3);
        assert!(
            out.stderr.contains(&format!("the line was {reason}")),
            "{to}: {}",
            out.stderr
        );
    }
}

#[tokio::test]
async fn an_invalid_number_is_explained_and_never_redialled() {
    let ivr = acme_ivr().await;
    let project = emulated(
        &ivr,
        &botium_json_with("12", serde_json::json!({"TWILIO_IVR_REDIAL": 5})),
    )
    .file("convos/a.convo.txt", SALES_BY_KEYPAD);
    let out = run_emulated(&project, &[]).await.expect_code(3);
    assert!(out.stderr.contains("21211"), "{}", out.stderr);
    assert!(
        out.stderr.contains("E.164"),
        "the fix is explained: {}",
        out.stderr
    );
}

/// Capabilities for calls through a Twilio API (the emulator at `api_url` standing in for it),
/// with the runner's webhook on a free loopback port reached at its public URL, plus `extra`.
pub(crate) fn through_twilio_api(api_url: &str, extra: serde_json::Value) -> String {
    through_twilio_api_on(free_port(), api_url, extra)
}

/// A loopback port nothing listens on right now (the binary binds it a moment later).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// As [`through_twilio_api`], with the runner's webhook on `port`: for tests that call the
/// runner's webhook themselves.
pub(crate) fn through_twilio_api_on(port: u16, api_url: &str, extra: serde_json::Value) -> String {
    let caps = serde_json::json!({
        "TWILIO_IVR_ACCOUNT_SID": ACCOUNT, "TWILIO_IVR_AUTH_TOKEN": TOKEN,
        "TWILIO_IVR_API_URL": api_url,
        "TWILIO_IVR_PUBLICURL": format!("http://127.0.0.1:{port}/"),
        "TWILIO_IVR_INBOUNDPORT": port
    });
    botium_json_with(IVR, merged(caps, extra))
}

#[tokio::test]
async fn against_a_twilio_api_sms_checks_find_the_ivrs_message_and_recordings_are_reported() {
    // The emulator stands in for Twilio at TWILIO_IVR_API_URL; the runner's own webhook is
    // reached at TWILIO_IVR_PUBLICURL, as with a tunnel in front of real Twilio.
    let emulator_base = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let base = emulator_base.clone();
    let ivr = TwimlAppBuilder::new(TOKEN)
        .route("/voice", move |r: &Received| {
            let (base, to) = (base.lock().expect("lock").clone(), r.param("From").to_string());
            tokio::spawn(async move {
                let _ = reqwest::Client::new()
                    .post(format!("{base}/2010-04-01/Accounts/{ACCOUNT}/Messages.json"))
                    .basic_auth(ACCOUNT, Some(TOKEN))
                    .form(&[("To", to.as_str()), ("From", IVR), ("Body", "Welcome to our hotline, code 4711")])
                    .send()
                    .await;
            });
            Reply::Twiml(r#"<Response><Say>We sent you a text.</Say><Pause length="30"/><Hangup/></Response>"#.into())
        })
        .start()
        .await;
    let emulator =
        crate::emulator::emulator(vec![(IVR, crate::emulator::ivr_at(ivr.url("/voice")))]).await;
    *emulator_base.lock().expect("lock") = emulator.base_url.clone();
    let project = Project::new()
        .file(
            "botium.json",
            &through_twilio_api(
                &emulator.base_url,
                serde_json::json!({"TWILIO_IVR_SMS_WAIT": 3000, "TWILIO_IVR_RECORD": true}),
            ),
        )
        .file(
            "convos/found.convo.txt",
            "found\n\n#bot\nWe sent you a text\n\n#end\nCHECKTWILIOSMS welcome to our hotline\n",
        )
        .file(
            "convos/missing.convo.txt",
            "missing\n\n#bot\nWe sent you a text\n\n#end\nCHECKTWILIOSMS your order shipped\n",
        );
    let out = run(&project, &["run", "convos", "--json", "report.json"])
        .await
        .expect_code(1);
    assert!(
        out.stderr
            .contains(r#"No SMS matching "your order shipped""#),
        "{}",
        out.stderr
    );
    let report = json_report(&project, "report.json");
    let tests = report["tests"].as_array().expect("tests");
    assert_eq!(
        (tests[0]["name"].as_str(), tests[0]["verdict"].as_str()),
        (Some("found"), Some("passed")),
        "{report}"
    );
    assert_eq!(tests[1]["verdict"], "failed");
    let recording = tests[0]["recording_url"].as_str().unwrap_or("");
    assert!(
        recording.starts_with(&format!(
            "{}/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE",
            emulator.base_url
        )),
        "{report}"
    );
    assert_eq!(emulator.live_calls(), 0, "every call was hung up");
}

#[tokio::test]
async fn ctrl_c_hangs_up_every_live_call() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml("/voice", r#"<Response><Say>Please hold.</Say><Pause length="30"/><Redirect>/voice</Redirect></Response>"#)
        .start()
        .await;
    let emulator =
        crate::emulator::emulator(vec![(IVR, crate::emulator::ivr_at(ivr.url("/voice")))]).await;
    let waiting = "waiting\n\n#bot\nPlease hold\n\n#bot\nAn agent will answer now\n";
    let project = Project::new()
        .file(
            "botium.json",
            &through_twilio_api(
                &emulator.base_url,
                serde_json::json!({"WAITFORBOTTIMEOUT": 120000}),
            ),
        )
        .file(
            "convos/a.convo.txt",
            &waiting.replace("waiting", "waiting a"),
        )
        .file(
            "convos/b.convo.txt",
            &waiting.replace("waiting", "waiting b"),
        )
        .file(
            "convos/c.convo.txt",
            &waiting.replace("waiting", "waiting c"),
        );
    // The run is interrupted in-process: its shutdown future resolves once three calls are live,
    // as `main`'s does at Ctrl-C or SIGTERM.
    let request = ivr_test::runner::command::RunRequest {
        paths: vec!["convos".into()],
        parallel: 3,
        ..Default::default()
    };
    let (output, _, stderr) = ivr_test::output::Output::captured();
    let (interrupt, interrupted) = tokio::sync::oneshot::channel::<()>();
    let env = std::collections::BTreeMap::new();
    let run = ivr_test::runner::command::run(&request, &env, project.path(), &output, async {
        let _ = interrupted.await;
    });
    let three_live = async {
        let mut live = 0;
        for _ in 0..300 {
            live = emulator
                .store
                .calls(|c| {
                    c.status == ivr_test::emulator::model::CallStatus::InProgress && !c.inbound
                })
                .len();
            if live == 3 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let _ = interrupt.send(());
        live
    };
    let (outcome, live) = tokio::join!(run, three_live);
    assert_eq!(live, 3, "three calls live before the interrupt");
    assert_eq!(
        outcome,
        ivr_test::exit_code::Outcome::Interrupted,
        "{}",
        stderr.text()
    );
    assert_eq!(outcome.code(), 130);
    for _ in 0..300 {
        if emulator.live_calls() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(emulator.live_calls(), 0, "every call was hung up");
    let statuses: Vec<&str> = emulator
        .store
        .calls(|_| true)
        .iter()
        .map(|c| c.status.as_str())
        .collect();
    assert!(statuses.iter().all(|s| *s == "completed"), "{statuses:?}");
}

#[tokio::test]
async fn twenty_test_cases_in_parallel_report_in_a_stable_order() {
    let ivr = acme_ivr().await;
    let mut project = emulated_at(
        &ivr,
        &botium_json_with(IVR, serde_json::json!({"TWILIO_IVR_CALLS_PER_SECOND": 50})),
        5.0,
    );
    for i in 0..20 {
        project = project.file(
            &format!("convos/case{i:02}.convo.txt"),
            &SALES_BY_KEYPAD.replace("sales by keypad", &format!("case {i:02}")),
        );
    }
    run_emulated(&project, &["--parallel", "20", "--json", "report.json"])
        .await
        .expect_code(0);
    let report = json_report(&project, "report.json");
    let names: Vec<String> = (0..20).map(|i| format!("case {i:02}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(verdicts(&report), all_passed(&names), "{report}");
    // Parallel, not one after another: the test cases overlap, so the run is shorter than
    // their durations added up.
    let run_ms = report["summary"]["duration_ms"]
        .as_u64()
        .expect("run duration");
    let cases_ms: u64 = report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| t["duration_ms"].as_u64().expect("test duration"))
        .sum();
    assert!(
        run_ms < cases_ms,
        "run {run_ms} ms, test cases {cases_ms} ms"
    );
}

#[tokio::test]
async fn keys_answer_the_turn_that_heard_the_prompt() {
    // A strict menu: one DTMF Gather, no reprompt, hang-up on timeout. Keys that slip to a later
    // webhook (a stale "listen" answering the turn first) arrive after the IVR gave up; this
    // failed about every other call before each turn got exactly one decision.
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml("/voice", r#"<Response><Gather input="dtmf" action="/menu" numDigits="1" timeout="5"><Say>Welcome to Acme. Press one for sales.</Say></Gather></Response>"#)
        .twiml("/menu", r#"<Response><Say>Connecting you to sales.</Say><Pause length="10"/><Hangup/></Response>"#)
        .start()
        .await;
    let mut project = emulated(&ivr, &botium_json(IVR));
    for i in 0..6 {
        project = project.file(
            &format!("convos/c{i}.convo.txt"),
            &format!("strict {i}\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n"),
        );
    }
    let out = run_emulated(&project, &[]).await;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(ivr.received_at("/menu").len(), 6);
}
