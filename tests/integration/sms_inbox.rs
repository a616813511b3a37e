//! `CHECKTWILIOSMS` attribution end to end: the runner's binary against the emulator (standing
//! in for Twilio at `TWILIO_IVR_API_URL`) and a TwiML IVR that texts the caller over the
//! emulator's Messages API. A call's inbox holds only the messages sent to its caller ID after
//! the call was created, and calls that check SMS never share a caller ID.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use twilio_emulator::config::{EmulatorConfig, NumberConfig};
use twilio_emulator::model::CallRecord;
use twilio_emulator::server::{start, EmulatorOptions, RunningEmulator};

use crate::harness::emulator::ACCOUNT;
use crate::harness::emulator::{ivr_at, IVR, TOKEN};
use crate::harness::run::{json_report, run, through_twilio_api, verdicts};
use crate::harness::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};
use crate::harness::Project;

const FIRST_CALLER: &str = "+15551110001";
const SECOND_CALLER: &str = "+15551110002";

/// An IVR whose menu texts the caller: 1 the balance, 2 the opening hours, 3 nothing, 4 a
/// receipt after hanging up. It sends
/// through the emulator whose base URL `emulator_base` holds once the emulator runs.
async fn texting_ivr(emulator_base: Arc<Mutex<String>>) -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Gather input="dtmf" action="/menu" numDigits="1" timeout="5"><Say>Welcome to Acme. Press one for your balance, two for our hours.</Say></Gather><Redirect>/voice</Redirect></Response>"#,
        )
        .route("/menu", move |r: &Received| {
            let base = emulator_base.lock().expect("lock").clone();
            let to = r.param("From").to_string();
            if r.param("Digits") == "4" {
                // Texts only after the call is over.
                tokio::spawn(async move {
                    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
                    send_text(&base, &to, "Your receipt is on its way").await;
                });
                return Reply::Twiml("<Response><Say>Goodbye, we will text you.</Say><Hangup/></Response>".into());
            }
            let text = match r.param("Digits") {
                "1" => Some("Your balance is 42 dollars"),
                "2" => Some("Our opening hours are nine to five"),
                _ => None,
            };
            let Some(text) = text else {
                return Reply::Twiml(
                    r#"<Response><Say>Goodbye.</Say><Pause length="30"/><Hangup/></Response>"#
                        .into(),
                );
            };
            tokio::spawn(async move { send_text(&base, &to, text).await });
            Reply::Twiml(
                r#"<Response><Say>We sent you a text.</Say><Pause length="30"/><Hangup/></Response>"#
                    .into(),
            )
        })
        .start()
        .await
}

/// The IVR texts `to` through the emulator at `base`.
async fn send_text(base: &str, to: &str, text: &str) {
    let _ = reqwest::Client::new()
        .post(format!(
            "{base}/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
        ))
        .basic_auth(ACCOUNT, Some(TOKEN))
        .form(&[("To", to), ("From", IVR), ("Body", text)])
        .send()
        .await;
}

/// An emulator with the test account, `numbers` and these caller IDs, 20 times faster than
/// real time.
async fn emulator_with_caller_ids(
    numbers: Vec<(&str, NumberConfig)>,
    caller_ids: &[&str],
) -> RunningEmulator {
    let mut config = EmulatorConfig::with_account(ACCOUNT, TOKEN);
    config.calls_per_second = 100.0;
    config.caller_ids = caller_ids.iter().map(|id| id.to_string()).collect();
    config.numbers = numbers
        .into_iter()
        .map(|(n, c)| (n.to_string(), c))
        .collect();
    let options = EmulatorOptions {
        time_scale: Some(20.0),
        webhook_budget: Some(std::time::Duration::from_secs(2)),
        log: twilio_emulator::log::EventLog::new(true, |l| eprintln!("[emulator] {l}")),
        ..Default::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    start(listener, config, options).await.expect("start")
}

/// The texting IVR behind an emulator that knows `caller_ids`.
async fn texting_setup(caller_ids: &[&str]) -> (TwimlApp, RunningEmulator) {
    let base = Arc::new(Mutex::new(String::new()));
    let ivr = texting_ivr(base.clone()).await;
    let emulator =
        emulator_with_caller_ids(vec![(IVR, ivr_at(ivr.url("/voice")))], caller_ids).await;
    *base.lock().expect("lock") = emulator.base_url.clone();
    (ivr, emulator)
}

/// A convo that presses `key` and then checks the SMS for `expected`.
fn sms_convo(name: &str, key: u8, expected: &str) -> String {
    let answer = if key == 3 {
        "Goodbye"
    } else {
        "We sent you a text"
    };
    format!("{name}\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON {key}\n\n#bot\n{answer}\n\n#end\nCHECKTWILIOSMS {expected}\n")
}

/// The emulator's record of each test case's call, by test case name (from the JSON report).
fn calls_by_test(
    report: &serde_json::Value,
    emulator: &RunningEmulator,
) -> HashMap<String, CallRecord> {
    let calls: HashMap<String, CallRecord> = emulator
        .store
        .calls(|_| true)
        .into_iter()
        .map(|c| (c.sid.clone(), c))
        .collect();
    report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| {
            let sid = t["call_sid"].as_str().expect("call_sid");
            let name = t["name"].as_str().expect("name").to_string();
            (
                name,
                calls.get(sid).expect("the emulator placed it").clone(),
            )
        })
        .collect()
}

/// Whether two calls were up at the same time, by the emulator's own record.
fn overlap(a: &CallRecord, b: &CallRecord) -> bool {
    let end = |c: &CallRecord| c.end_time.expect("ended");
    a.date_created < end(b) && b.date_created < end(a)
}

#[tokio::test]
async fn a_test_case_whose_ivr_texts_nothing_fails_even_right_after_a_matching_text_to_the_same_caller(
) {
    let (_ivr, emulator) = texting_setup(&[FIRST_CALLER]).await;
    let project = Project::new()
        .file(
            "botium.json",
            &through_twilio_api(
                &emulator.base_url,
                serde_json::json!({"TWILIO_IVR_FROM": FIRST_CALLER, "TWILIO_IVR_SMS_WAIT": 2000}),
            ),
        )
        .file("convos/a.convo.txt", &sms_convo("a balance", 1, "balance"))
        .file("convos/b.convo.txt", &sms_convo("b no text", 3, "balance"));
    let out = run(&project, &["run", "convos", "--json", "report.json"])
        .await
        .expect_code(1);
    let report = json_report(&project, "report.json");
    assert_eq!(
        verdicts(&report),
        [
            ("a balance".to_string(), "passed".to_string()),
            ("b no text".to_string(), "failed".to_string())
        ],
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            r#"No SMS matching "balance" received for {FIRST_CALLER} since"#
        )),
        "{}",
        out.stderr
    );
    // The balance text reached the very caller ID the second call came from, just before it.
    let calls = calls_by_test(&report, &emulator);
    let texts = emulator.store.messages(|m| m.to == FIRST_CALLER);
    assert_eq!(texts.len(), 1);
    assert_eq!(calls["b no text"].request.from, FIRST_CALLER);
    assert!(texts[0].date_created <= calls["b no text"].date_created);
    assert_eq!(emulator.live_calls(), 0, "every call was hung up");
}

#[tokio::test]
async fn parallel_calls_from_two_caller_ids_each_see_only_their_own_text() {
    let (_ivr, emulator) = texting_setup(&[FIRST_CALLER, SECOND_CALLER]).await;
    let project = Project::new()
        .file(
            "botium.json",
            &through_twilio_api(
                &emulator.base_url,
                serde_json::json!({
                    "TWILIO_IVR_FROM": [FIRST_CALLER, SECOND_CALLER],
                    "TWILIO_IVR_SMS_WAIT": 2000
                }),
            ),
        )
        .file("convos/a.convo.txt", &sms_convo("a balance", 1, "balance"))
        .file(
            "convos/b.convo.txt",
            &sms_convo("b hours", 2, "opening hours"),
        )
        .file(
            "convos/c.convo.txt",
            &sms_convo("c balance, not hours", 1, "opening hours"),
        )
        .file(
            "convos/d.convo.txt",
            &sms_convo("d hours, not balance", 2, "balance"),
        );
    let out = run(
        &project,
        &["run", "convos", "--parallel", "2", "--json", "report.json"],
    )
    .await
    .expect_code(1);
    let report = json_report(&project, "report.json");
    let expected: Vec<(String, String)> = [
        ("a balance", "passed"),
        ("b hours", "passed"),
        ("c balance, not hours", "failed"),
        ("d hours, not balance", "failed"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    assert_eq!(verdicts(&report), expected, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("caller IDs: 2 caller IDs for 2 parallel calls"),
        "{}",
        out.stderr
    );
    // Both caller IDs got texts of both kinds' senders: each inbox was narrowed to its call.
    let calls = calls_by_test(&report, &emulator);
    assert_ne!(
        calls["a balance"].request.from, calls["b hours"].request.from,
        "the first two calls start together, on the two caller IDs"
    );
    assert_eq!(emulator.store.messages(|_| true).len(), 4);
    assert_eq!(emulator.live_calls(), 0, "every call was hung up");
}

#[tokio::test]
async fn four_parallel_calls_on_two_caller_ids_never_share_one_while_checking_sms() {
    let (_ivr, emulator) = texting_setup(&[FIRST_CALLER, SECOND_CALLER]).await;
    let mut project = Project::new().file(
        "botium.json",
        &through_twilio_api(
            &emulator.base_url,
            serde_json::json!({
                "TWILIO_IVR_FROM": format!("{FIRST_CALLER},{SECOND_CALLER}"),
                "TWILIO_IVR_SMS_WAIT": 3000,
                "TWILIO_IVR_CALLS_PER_SECOND": 50
            }),
        ),
    );
    for i in 0..6 {
        project = project.file(
            &format!("convos/sms{i}.convo.txt"),
            &sms_convo(&format!("sms {i}"), 1, "balance"),
        );
    }
    for i in 0..2 {
        project = project.file(
            &format!("convos/plain{i}.convo.txt"),
            &format!("plain {i}\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 3\n\n#bot\nGoodbye\n"),
        );
    }
    let out = run(
        &project,
        &["run", "convos", "--parallel", "4", "--json", "report.json"],
    )
    .await;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "caller IDs: 2 caller IDs for 4 parallel calls; test cases that check SMS wait for a free caller ID"
        ),
        "{}",
        out.stderr
    );
    let calls = calls_by_test(&report_of(&project), &emulator);
    assert_eq!(calls.len(), 8);
    let used: std::collections::BTreeSet<&str> =
        calls.values().map(|c| c.request.from.as_str()).collect();
    assert_eq!(used.len(), 2, "both caller IDs served the calls");
    for (name, call) in calls.iter().filter(|(n, _)| n.starts_with("sms")) {
        for (other, other_call) in &calls {
            if other != name && other_call.request.from == call.request.from {
                assert!(
                    !overlap(call, other_call),
                    "{name} held {} while {other} used it",
                    call.request.from
                );
            }
        }
    }
    assert_eq!(emulator.live_calls(), 0, "every call was hung up");
}

fn report_of(project: &Project) -> serde_json::Value {
    json_report(project, "report.json")
}

#[tokio::test]
async fn check_says_how_caller_ids_serve_parallel_calls_and_warns_when_sms_checks_must_wait() {
    let project = Project::new()
        .file(
            "botium.json",
            &serde_json::json!({"botium": {"Capabilities": {
                "TWILIO_IVR_FROM": [FIRST_CALLER, SECOND_CALLER]
            }}})
            .to_string(),
        )
        .file("convos/a.convo.txt", &sms_convo("a balance", 1, "balance"));
    let out = project.run(&["check", "convos", "--parallel", "4"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.contains(
            "caller IDs: 2 caller IDs for 4 parallel calls; test cases that check SMS wait for a free caller ID"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains(
            "1 test case uses CHECKTWILIOSMS, and --parallel 4 exceeds the 2 caller IDs of TWILIO_IVR_FROM"
        ),
        "{}",
        out.stderr
    );
    let enough = project.run(&["check", "convos", "--parallel", "2"]);
    assert!(!enough.stderr.contains("exceeds"), "{}", enough.stderr);
    assert!(
        enough.stdout.contains(
            "caller IDs: 2 caller IDs for 2 parallel calls; every test case that checks SMS gets a caller ID of its own"
        ),
        "{}",
        enough.stdout
    );
}

#[tokio::test]
async fn a_text_sent_after_the_ivr_hung_up_still_counts_while_the_check_polls() {
    let (_ivr, emulator) = texting_setup(&[FIRST_CALLER]).await;
    let project = Project::new()
        .file(
            "botium.json",
            &through_twilio_api(
                &emulator.base_url,
                serde_json::json!({"TWILIO_IVR_FROM": FIRST_CALLER, "TWILIO_IVR_SMS_WAIT": 5000}),
            ),
        )
        .file(
            "convos/late.convo.txt",
            "late text\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 4\n\n#bot\nGoodbye*\n\n#end\nCHECKTWILIOSMS receipt\n",
        );
    let out = run(&project, &["run", "convos", "--json", "report.json"]).await;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let report = json_report(&project, "report.json");
    let calls = calls_by_test(&report, &emulator);
    let texts = emulator.store.messages(|m| m.to == FIRST_CALLER);
    assert_eq!(texts.len(), 1);
    assert!(
        texts[0].date_created >= calls["late text"].end_time.expect("ended"),
        "the text came after the call"
    );
}
