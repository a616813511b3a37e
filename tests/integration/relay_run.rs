//! `ivr-test run` through the Function relay, end to end, with nothing listening on the
//! runner's side: the real runner binary, the emulator standing in for Twilio (its Serverless
//! and Sync APIs, and the relay Function itself running under real node), TwiML IVRs. No public
//! URL, no proxy, no Redis: only credentials and the API's URL.

use std::time::Duration;

use twilio_emulator::server::RunningEmulator;

use crate::harness::emulator::{
    emulator, emulator_at_scale, ivr_at, post, serve, ACCOUNT, IVR, TOKEN,
};
use crate::harness::relay::node_present;
use crate::harness::run::{
    acme_ivr, botium_json_with, json_report, merged, passed, project, run, verdicts,
};
use crate::harness::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};
use crate::harness::Project;

const KEYPAD: &str =
    "keypad\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 2\n\n#bot\nYour balance is 42 dollars\n";
const SPEECH: &str =
    "speech\n\n#bot\npress one for sales\n\n#me\nsales please\n\n#bot\nConnecting you to sales\n";

/// Capabilities with nothing but the account, the numbers and the API's URL, plus `extra`.
fn credentials_only(emulator: &RunningEmulator, extra: serde_json::Value) -> String {
    let caps = serde_json::json!({
        "TWILIO_IVR_ACCOUNT_SID": ACCOUNT, "TWILIO_IVR_AUTH_TOKEN": TOKEN,
        "TWILIO_IVR_API_URL": emulator.base_url
    });
    botium_json_with(IVR, merged(caps, extra))
}

/// The Sync Lists left in every Sync Service of the account.
async fn sync_lists_left(emulator: &RunningEmulator) -> usize {
    let base = format!("{}/sync/v1/Services", emulator.base_url);
    let services = get_json(&base).await;
    let mut left = 0;
    for service in services["services"].as_array().into_iter().flatten() {
        let sid = service["sid"].as_str().unwrap_or_default();
        let lists = get_json(&format!("{base}/{sid}/Lists")).await;
        left += lists["lists"].as_array().map_or(0, Vec::len);
    }
    left
}

/// Waits (bounded) until the emulator has no live call, then asserts it.
async fn no_live_call(emulator: &RunningEmulator) {
    for _ in 0..300 {
        if emulator.live_calls() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(emulator.live_calls(), 0, "every call ended");
}

#[tokio::test]
async fn after_relay_deploy_a_suite_passes_through_the_relay_in_parallel() {
    // Catches: a runner that still needs a reachable webhook, events of one call reaching
    // another, answers that never reach the call, and Lists the runner leaves behind.
    if !node_present() {
        return;
    }
    let ivr = acme_ivr().await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let caps = credentials_only(&emulator, serde_json::json!({}));
    let deployed = project(&caps, &[]);
    let out = run(&deployed, &["relay", "deploy"]).await;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let suite = project(
        &caps,
        &[
            ("k1", KEYPAD),
            ("s1", SPEECH),
            ("k2", &KEYPAD.replace("keypad", "keypad 2")),
        ],
    );
    let out = run(
        &suite,
        &["run", "convos", "--parallel", "3", "--json", "report.json"],
    )
    .await;
    passed(&out, &suite, &["keypad", "keypad 2", "speech"]);
    assert!(
        !out.stderr.contains("deploying"),
        "deployed once only: {}",
        out.stderr
    );
    assert!(
        !out.stderr.contains(TOKEN),
        "the token leaked: {}",
        out.stderr
    );
    let keys: Vec<String> = ivr
        .received_at("/menu")
        .iter()
        .map(|r| format!("{}{}", r.param("Digits"), r.param("SpeechResult")))
        .collect();
    assert_eq!(keys.len(), 3, "every call reached the menu: {keys:?}");
    no_live_call(&emulator).await;
    assert_eq!(
        sync_lists_left(&emulator).await,
        0,
        "every call's List was deleted"
    );
}

#[tokio::test]
async fn the_first_run_deploys_the_relay_and_says_so() {
    if !node_present() {
        return;
    }
    let ivr = acme_ivr().await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let suite = project(
        &credentials_only(&emulator, serde_json::json!({})),
        &[("k", KEYPAD)],
    );
    let out = run(&suite, &["run", "convos", "--json", "report.json"]).await;
    passed(&out, &suite, &["keypad"]);
    assert!(out.stderr.contains("deploying it (once)"), "{}", out.stderr);
    no_live_call(&emulator).await;
}

#[tokio::test]
async fn a_relay_of_another_protocol_is_refused_and_nothing_is_dialed() {
    if !node_present() {
        return;
    }
    let ivr = acme_ivr().await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let caps = credentials_only(&emulator, serde_json::json!({}));
    let suite = project(&caps, &[("k", KEYPAD)]);
    let out = run(&suite, &["relay", "deploy"]).await;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    // An older ivr-test deployed it: its protocol variable says 0.
    let base = format!(
        "{}/serverless/v1/Services/ivr-test-relay",
        emulator.base_url
    );
    let environments = get_json(&format!("{base}/Environments")).await;
    let environment = environments["environments"][0]["sid"]
        .as_str()
        .expect("environment")
        .to_string();
    let variables = get_json(&format!("{base}/Environments/{environment}/Variables")).await;
    let protocol = variables["variables"]
        .as_array()
        .expect("variables")
        .iter()
        .find(|v| v["key"] == "IVR_TEST_RELAY_PROTOCOL")
        .and_then(|v| v["sid"].as_str())
        .expect("the protocol variable")
        .to_string();
    let url = format!("{base}/Environments/{environment}/Variables/{protocol}");
    let status = reqwest::Client::new()
        .post(url)
        .basic_auth(ACCOUNT, Some(TOKEN))
        .form(&[("Value", "0")])
        .send()
        .await
        .expect("update the variable")
        .status();
    assert!(status.is_success(), "{status}");
    let out = run(&suite, &["run", "convos"]).await;
    assert_eq!(out.code, Some(3), "{}", out.stderr);
    assert!(
        out.stderr.contains("protocol 0") && out.stderr.contains("ivr-test relay deploy"),
        "{}",
        out.stderr
    );
    assert!(
        emulator.store.calls(|_| true).is_empty(),
        "nothing was dialed"
    );
}

/// GET `url` with the account's credentials, as JSON.
async fn get_json(url: &str) -> serde_json::Value {
    reqwest::Client::new()
        .get(url)
        .basic_auth(ACCOUNT, Some(TOKEN))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test]
async fn answers_go_out_on_the_offer_through_the_relay() {
    // Interim results reach the runner through Sync; the answer goes out by the live-call
    // update while the IVR still speaks. Catches: interim results lost, and a redirect whose
    // `<Gather>` reports anywhere but the relay.
    if !node_present() {
        return;
    }
    let ivr = acme_ivr().await;
    // At a quarter of the other tests' pace, the welcome prompt lasts long enough in wall time
    // for interim results to travel through Sync and the answer to come back on a loaded CI
    // machine; at 20x the answer could only go out after the silence.
    let emulator = emulator_at_scale(vec![(IVR, ivr_at(ivr.url("/voice")))], 5.0).await;
    let offer =
        "offer\n\n#bot\nWelcome to Acme\n\n#me\nBUTTON 2\n\n#bot\nYour balance is 42 dollars\n";
    let suite = project(
        &credentials_only(&emulator, serde_json::json!({})),
        &[("offer", offer)],
    );
    let out = run(&suite, &["run", "convos", "--json", "report.json"]).await;
    passed(&out, &suite, &["offer"]);
    let report = json_report(&suite, "report.json");
    let answered = report["tests"][0]["transcript"]
        .as_array()
        .expect("transcript")
        .iter()
        .filter_map(|e| e["text"].as_str())
        .any(|t| t.starts_with("answered on offer \"2 for"));
    assert!(answered, "{report}");
    assert_eq!(ivr.received_at("/menu")[0].param("Digits"), "2");
    no_live_call(&emulator).await;
}

/// An IVR that texts the caller, then hangs up after its goodbye.
async fn texting_ivr(emulator_base: std::sync::Arc<std::sync::Mutex<String>>) -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .route("/voice", move |r: &Received| {
            let (base, to) = (
                emulator_base.lock().expect("lock").clone(),
                r.param("From").to_string(),
            );
            tokio::spawn(async move {
                let form = [
                    ("To", to.as_str()),
                    ("From", IVR),
                    ("Body", "Your code is 4711"),
                ];
                let _ = post(&base, "Messages.json", &form).await;
            });
            Reply::Twiml(
                r#"<Response><Say>We sent you a text. Goodbye.</Say><Hangup/></Response>"#.into(),
            )
        })
        .start()
        .await
}

#[tokio::test]
async fn sms_checks_and_the_ivrs_hang_up_work_through_the_relay() {
    // The IVR hangs up by itself: the final status reaches the runner through the relay (a
    // convo expecting more fails with "the IVR hung up"), and CHECKTWILIOSMS finds the text.
    if !node_present() {
        return;
    }
    let base = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let ivr = texting_ivr(base.clone()).await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    *base.lock().expect("lock") = emulator.base_url.clone();
    let texted = "texted\n\n#bot\nWe sent you a text*\n\n#end\nCHECKTWILIOSMS your code is 4711\nCHECKTWILIOCALL endedBy=ivr\n";
    let more = "more\n\n#bot\nWe sent you a text*\n\n#bot\nPress one\n";
    let caps = credentials_only(&emulator, serde_json::json!({"TWILIO_IVR_SMS_WAIT": 3000}));
    let suite = project(&caps, &[("a", texted), ("b", more)]);
    let out = run(&suite, &["run", "convos", "--json", "report.json"]).await;
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(
        verdicts(&json_report(&suite, "report.json")),
        [
            ("more".to_string(), "failed".to_string()),
            ("texted".to_string(), "passed".to_string())
        ],
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("the IVR hung up"), "{}", out.stderr);
    no_live_call(&emulator).await;
}

#[tokio::test]
async fn ctrl_c_through_the_relay_leaves_no_live_call() {
    if !node_present() {
        return;
    }
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml("/voice", r#"<Response><Say>Please hold.</Say><Pause length="30"/><Redirect>/voice</Redirect></Response>"#)
        .start()
        .await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let waiting = "waiting\n\n#bot\nPlease hold\n\n#bot\nAn agent will answer now\n";
    let caps = credentials_only(&emulator, serde_json::json!({"WAITFORBOTTIMEOUT": 120000}));
    let suite = project(
        &caps,
        &[
            ("a", &waiting.replace("waiting", "waiting a")),
            ("b", &waiting.replace("waiting", "waiting b")),
        ],
    );
    let request = ivr_test::runner::command::RunRequest {
        paths: vec!["convos".into()],
        parallel: 2,
        ..Default::default()
    };
    let (output, _, stderr) = ivr_test::output::Output::captured();
    let (interrupt, interrupted) = tokio::sync::oneshot::channel::<()>();
    let env = std::collections::BTreeMap::new();
    let run = ivr_test::runner::command::run(&request, &env, suite.path(), &output, async {
        let _ = interrupted.await;
    });
    let both_live = async {
        // Interrupted once both calls are in conversation through the relay.
        for _ in 0..500 {
            let live = emulator.store.calls(|c| {
                c.status == twilio_emulator::model::CallStatus::InProgress
                    && c.arrived_from.is_none()
            });
            if live.len() == 2 && ivr.received_at("/voice").len() >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = interrupt.send(());
    };
    let (outcome, ()) = tokio::join!(run, both_live);
    assert_eq!(
        outcome,
        ivr_test::exit_code::Outcome::Interrupted,
        "{}",
        stderr.text()
    );
    no_live_call(&emulator).await;
    let statuses: Vec<String> = emulator
        .store
        .calls(|_| true)
        .iter()
        .map(|c| c.status.as_str().to_string())
        .collect();
    assert!(
        !statuses.is_empty() && statuses.iter().all(|s| s == "completed"),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn the_demo_suite_passes_through_the_relay() {
    // The README's demo (a Studio flow) on an emulator reached only through its API, after
    // `ivr-test relay deploy`: the first command of a team that has nothing but credentials.
    if !node_present() {
        return;
    }
    let repository = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = repository.join("fixtures/demo-emulator.json");
    let config = twilio_emulator::config::EmulatorConfig::load(Some(&path), &Default::default())
        .expect("the demo's emulator configuration");
    let account = config.accounts[0].clone();
    let emulator = serve(config, twilio_emulator::server::EmulatorOptions::default()).await;
    let caps = serde_json::json!({"botium": {"Capabilities": {
        "TWILIO_IVR_ACCOUNT_SID": account.sid, "TWILIO_IVR_AUTH_TOKEN": account.auth_token.expose(),
        "TWILIO_IVR_API_URL": emulator.base_url,
        "TWILIO_IVR_TO": "+18005550100", "TWILIO_IVR_FROM": "+15005550006",
        "TWILIO_IVR_LANGUAGE_CODE": "en-US", "WAITFORBOTTIMEOUT": 20000
    }}});
    let mut suite = Project::new().file("botium.json", &caps.to_string());
    for entry in std::fs::read_dir(repository.join("convos")).expect("convos/") {
        let path = entry.expect("a convo").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a name")
            .to_string();
        suite = suite.file(
            &format!("convos/{name}"),
            &std::fs::read_to_string(&path).expect("read"),
        );
    }
    let out = run(&suite, &["relay", "deploy"]).await;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let out = run(&suite, &["run", "convos", "--parallel", "5"]).await;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains(": 5 passed, 0 failed, 0 errors"),
        "{}",
        out.stderr
    );
    no_live_call(&emulator).await;
}
