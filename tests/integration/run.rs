//! `ivr-test run --emulate`: the real binary, the in-process emulator, an IVR application.

use crate::harness::emulator::{ACCOUNT, CALLER, IVR, TOKEN};
use crate::harness::run::{
    acme_ivr, all_passed, botium_json, botium_json_with, emulated, emulated_at, inputs_at,
    json_report, run, run_emulated, through_twilio_api, verdicts,
};
use crate::harness::twiml_app::{Received, Reply, TwimlAppBuilder};
use crate::harness::Project;

const SALES_BY_KEYPAD: &str =
    "sales by keypad\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n";
const SALES_BY_SPEECH: &str = "sales by speech\n\n#bot\npress one for sales\n\n#me\nsales please\n\n#bot\nConnecting you to sales\n";

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
async fn the_runners_own_webhook_without_a_public_url_or_the_emulator_dials_nothing() {
    // Without TWILIO_IVR_TRANSPORT the relay would serve (see relay_run.rs); asked for its own
    // webhook, the runner needs Twilio to reach it.
    let project = Project::new()
        .file(
            "botium.json",
            &serde_json::json!({"botium": {"Capabilities": {
            "TWILIO_IVR_ACCOUNT_SID": ACCOUNT, "TWILIO_IVR_AUTH_TOKEN": TOKEN,
            "TWILIO_IVR_FROM": CALLER, "TWILIO_IVR_TO": IVR, "TWILIO_IVR_TRANSPORT": "webhook"}}})
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
    let emulator = crate::harness::emulator::emulator(vec![(
        IVR,
        crate::harness::emulator::ivr_at(ivr.url("/voice")),
    )])
    .await;
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
    let emulator = crate::harness::emulator::emulator(vec![(
        IVR,
        crate::harness::emulator::ivr_at(ivr.url("/voice")),
    )])
    .await;
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
                    c.status == twilio_emulator::model::CallStatus::InProgress
                        && c.arrived_from.is_none()
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
