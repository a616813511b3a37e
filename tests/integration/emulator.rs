//! The emulator end to end: real HTTP, real signatures, two TwiML applications talking.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use twilio_emulator::config::{NumberBehaviour, NumberConfig};
use twilio_emulator::server::{EmulatorOptions, RunningEmulator};

use crate::harness::emulator::{
    behaving, config, create_call, emulator, get, ivr_at, ledger, post, serve, wait_until_ended,
    ACCOUNT, CALLER, IVR, TOKEN,
};
use crate::harness::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};

fn listen(action: &str) -> String {
    format!(
        r#"<Response><Gather input="speech" action="{action}" speechTimeout="auto" timeout="4" actionOnEmptyResult="true"/></Response>"#
    )
}

#[tokio::test]
async fn a_caller_and_an_ivr_hold_a_conversation() {
    // The IVR: a menu by keys or speech that times out into a reprompt, a name by speech, an SMS.
    let emulator_base = Arc::new(std::sync::Mutex::new(String::new()));
    let sms_base = emulator_base.clone();
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response>
                 <Gather input="speech dtmf" action="/menu" numDigits="1" timeout="3" speechTimeout="auto">
                   <Say>Welcome to Acme. Press one for sales.</Say>
                 </Gather>
                 <Say>Sorry, I did not get that.</Say>
                 <Redirect>/voice</Redirect>
               </Response>"#,
        )
        .route("/menu", |r: &Received| {
            Reply::Twiml(if r.param("Digits") == "1" {
                r#"<Response><Say>Sales. Please say your name.</Say><Gather input="speech" action="/name" speechTimeout="auto" timeout="4"/></Response>"#.into()
            } else {
                "<Response><Redirect>/voice</Redirect></Response>".into()
            })
        })
        .route("/name", move |r: &Received| {
            let base = sms_base.lock().expect("lock").clone();
            let to = r.param("From").to_string();
            tokio::spawn(async move {
                post(&base, "Messages.json", &[("To", &to), ("From", IVR), ("Body", "Your sales code is 4711")]).await;
            });
            Reply::Twiml(format!(
                "<Response><Say>Thanks {}. We sent you a text. Goodbye.</Say><Hangup/></Response>",
                r.param("SpeechResult").trim_end_matches('.')
            ))
        })
        .start()
        .await;

    // The caller: listens, stays silent once (so the IVR times out), then presses 1 and speaks.
    let welcomes = Arc::new(AtomicUsize::new(0));
    let seen = welcomes.clone();
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml("/start", &listen("/heard"))
        .route("/heard", move |r: &Received| {
            let heard = r.param("SpeechResult");
            // The reprompt and the repeated welcome follow each other closely, so they arrive
            // as one utterance, as with a real recogniser.
            Reply::Twiml(if heard.contains("Welcome") && seen.fetch_add(1, Ordering::SeqCst) == 1 {
                r#"<Response><Play digits="1"/><Gather input="speech" action="/heard" speechTimeout="auto" timeout="4"/></Response>"#.into()
            } else if heard.starts_with("Sales") {
                r#"<Response><Say>John Smith</Say><Gather input="speech" action="/heard" speechTimeout="auto" timeout="4"/></Response>"#.into()
            } else {
                listen("/heard")
            })
        })
        .route("/status", |_| Reply::Status(204))
        .start()
        .await;

    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    *emulator_base.lock().expect("lock") = emulator.base_url.clone();
    let (status, call) = create_call(
        &emulator.base_url,
        &[
            ("To", IVR),
            ("From", CALLER),
            ("Url", &caller.url("/start")),
            ("StatusCallback", &caller.url("/status")),
            ("StatusCallbackEvent", "initiated"),
            ("StatusCallbackEvent", "ringing"),
            ("StatusCallbackEvent", "answered"),
            ("StatusCallbackEvent", "completed"),
        ],
    )
    .await;
    assert_eq!(status, 201, "{call}");
    let sid = call["sid"].as_str().expect("sid").to_string();
    let ended = wait_until_ended(&emulator.base_url, &sid).await;
    assert_eq!(ended["status"], "completed");

    // Speech both ways, with the recogniser's formatting.
    let heard: Vec<String> = caller
        .received_at("/heard")
        .iter()
        .map(|r| r.param("SpeechResult").to_string())
        .filter(|s| !s.is_empty())
        .collect();
    assert!(
        heard.contains(&"Welcome to Acme. Press 1 for sales.".to_string()),
        "{heard:?}"
    );
    assert!(
        heard
            .iter()
            .any(|h| h.starts_with("Sorry, I did not get that.")),
        "the IVR's Gather timed out and fell through: {heard:?}"
    );
    assert_eq!(
        ivr.received_at("/voice").len(),
        2,
        "the reprompt redirected to /voice"
    );
    let menu = ivr.received_at("/menu");
    assert_eq!(
        menu.last().map(|r| r.param("Digits")),
        Some("1"),
        "digits reached the IVR"
    );
    let name = ivr.received_at("/name");
    assert_eq!(name[0].param("SpeechResult"), "John Smith.");
    assert!(name[0].param("Confidence").parse::<f64>().is_ok());
    // The IVR leg sees an inbound call from the caller.
    let first = &ivr.received_at("/voice")[0];
    assert_eq!(
        (
            first.param("Direction"),
            first.param("From"),
            first.param("To")
        ),
        ("inbound", CALLER, IVR)
    );

    // The SMS the IVR sent is listed for the caller.
    let mut listed = serde_json::Value::Null;
    for _ in 0..100 {
        listed = get(
            &emulator.base_url,
            &format!("Messages.json?To={}", CALLER.replace('+', "%2B")),
        )
        .await;
        if listed["messages"].as_array().is_some_and(|m| !m.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        listed["messages"][0]["body"], "Your sales code is 4711",
        "{listed}"
    );

    // Every webhook was signed; status callbacks arrived in order with sequence numbers.
    for r in ivr.received().iter().chain(caller.received().iter()) {
        assert!(r.signed, "unsigned request to {}: {:?}", r.path, r.params);
    }
    let callbacks = caller
        .wait_for("four status callbacks", |r| {
            r.iter().filter(|x| x.path == "/status").count() == 4
        })
        .await;
    let statuses: Vec<(String, String)> = callbacks
        .iter()
        .filter(|r| r.path == "/status")
        .map(|r| {
            (
                r.param("CallStatus").to_string(),
                r.param("SequenceNumber").to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("initiated", "0"),
        ("ringing", "1"),
        ("in-progress", "2"),
        ("completed", "3"),
    ]
    .iter()
    .map(|(s, n)| (s.to_string(), n.to_string()))
    .collect();
    assert_eq!(statuses, expected);
    let completed = callbacks
        .iter()
        .rfind(|r| r.path == "/status")
        .expect("completed");
    assert!(completed.param("CallDuration").parse::<u64>().is_ok());
    assert_eq!(completed.param("CallbackSource"), "call-progress-events");
    assert!(!completed.param("Timestamp").is_empty());

    // The ledger shows the call ended, with both legs' transcripts.
    let ledger = ledger(&emulator.base_url).await;
    let entry = &ledger[0];
    assert_eq!(entry["status"], "completed");
    let transcript = entry["transcript"].to_string();
    for line in [
        "presses: 1",
        "gathered digits: 1",
        "says: John Smith",
        "heard: John Smith.",
        // The IVR hangs up right after this, so the caller's Gather ends with the call.
        "says: Thanks John Smith. We sent you a text. Goodbye.",
        "hangs up",
    ] {
        assert!(
            transcript.contains(line),
            "{line:?} missing in {transcript}"
        );
    }
    assert_eq!(emulator.live_calls(), 0);
}

/// Places a call from a caller app that only listens; returns the ended call and the callbacks.
async fn call_and_end(
    emulator: &RunningEmulator,
    to: &str,
    extra: &[(&str, &str)],
) -> (serde_json::Value, TwimlApp) {
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml("/start", &listen("/heard"))
        .twiml("/heard", &listen("/heard"))
        .twiml(
            "/fallback",
            "<Response><Say>Fallback speaking.</Say></Response>",
        )
        .route("/status", |_| Reply::Status(204))
        .start()
        .await;
    let start = caller.url("/start");
    let status = caller.url("/status");
    let mut form = vec![
        ("To", to),
        ("From", CALLER),
        ("Url", start.as_str()),
        ("StatusCallback", status.as_str()),
        ("StatusCallbackEvent", "ringing"),
        ("StatusCallbackEvent", "completed"),
    ];
    form.extend_from_slice(extra);
    let (code, call) = create_call(&emulator.base_url, &form).await;
    assert_eq!(code, 201, "{call}");
    let ended = wait_until_ended(&emulator.base_url, call["sid"].as_str().expect("sid")).await;
    caller
        .wait_for("the completed callback", |r| {
            r.iter().any(|x| {
                x.path == "/status"
                    && x.param("CallStatus") == ended["status"].as_str().unwrap_or("")
            })
        })
        .await;
    (ended, caller)
}

fn final_callback(app: &TwimlApp) -> Received {
    app.received_at("/status").pop().expect("a status callback")
}

#[tokio::test]
async fn numbers_that_do_not_answer_end_with_their_status_at_once() {
    let emulator = emulator(vec![
        ("+15551230002", behaving(NumberBehaviour::Busy)),
        ("+15551230003", behaving(NumberBehaviour::NoAnswer)),
        ("+15551230004", behaving(NumberBehaviour::Failed)),
        (
            "+15551230005",
            NumberConfig {
                answer_after_rings: Some(5),
                ..ivr_at("http://127.0.0.1:9/never".into())
            },
        ),
    ])
    .await;
    for (to, status, sip, extra) in [
        ("+15551230002", "busy", "486", &[][..]),
        ("+15551230003", "no-answer", "487", &[("Timeout", "10")][..]),
        ("+15551230004", "failed", "503", &[][..]),
        ("+15551239999", "failed", "404", &[][..]),
        // Five rings (30 s) do not fit in a 10 s Timeout.
        ("+15551230005", "no-answer", "487", &[("Timeout", "10")][..]),
    ] {
        let (ended, caller) = call_and_end(&emulator, to, extra).await;
        assert_eq!(ended["status"], status, "{to}");
        let last = final_callback(&caller);
        assert_eq!(
            (last.param("CallStatus"), last.param("SipResponseCode")),
            (status, sip),
            "{to}"
        );
        assert_eq!(last.param("CallDuration"), "0");
        assert!(
            caller.received_at("/start").is_empty(),
            "{to}: no TwiML is fetched for an unanswered call"
        );
    }
}

#[tokio::test]
async fn a_number_that_hangs_up_after_some_seconds() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml("/voice", r#"<Response><Pause length="60"/></Response>"#)
        .start()
        .await;
    let emulator = emulator(vec![(
        IVR,
        NumberConfig {
            hang_up_after_secs: Some(3),
            ..ivr_at(ivr.url("/voice"))
        },
    )])
    .await;
    let (ended, _) = call_and_end(&emulator, IVR, &[]).await;
    assert_eq!(ended["status"], "completed");
    let duration: u64 = ended["duration"]
        .as_str()
        .expect("duration")
        .parse()
        .expect("number");
    assert!((2..=5).contains(&duration), "{ended}");
}

#[tokio::test]
async fn failing_ivr_webhooks_play_the_application_error_or_use_the_fallback() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .route("/slow", |_| {
            Reply::Slow(
                Duration::from_secs(4),
                "<Response><Say>late</Say></Response>".into(),
            )
        })
        .route("/broken", |_| Reply::Status(500))
        .twiml("/invalid", "<Response><Say>unclosed</Response>")
        .twiml(
            "/fallback",
            "<Response><Say>The fallback answers.</Say></Response>",
        )
        .start()
        .await;
    let emulator = emulator(vec![
        ("+15551230011", ivr_at(ivr.url("/slow"))),
        ("+15551230012", ivr_at(ivr.url("/broken"))),
        (
            "+15551230013",
            NumberConfig {
                voice_fallback_url: Some(ivr.url("/fallback")),
                ..ivr_at(ivr.url("/invalid"))
            },
        ),
    ])
    .await;
    for (to, code, said) in [
        (
            "+15551230011",
            "11205",
            "We're sorry, an application error has occurred. Goodbye.",
        ),
        (
            "+15551230012",
            "11200",
            "We're sorry, an application error has occurred. Goodbye.",
        ),
        ("+15551230013", "12100", "The fallback answers."),
    ] {
        let (ended, _) = call_and_end(&emulator, to, &[]).await;
        assert_eq!(ended["status"], "completed");
        // The IVR leg's last words end the call before the caller's Gather completes (as on
        // Twilio, a Gather cut off by a hang-up posts nothing), so the ledger shows them.
        let entry = ledger(&emulator.base_url)
            .await
            .as_array()
            .and_then(|calls| calls.iter().find(|c| c["to"] == to))
            .expect("ledger entry")
            .to_string();
        assert!(entry.contains(&format!("error {code}")), "{to}: {entry}");
        assert!(entry.contains(&format!("says: {said}")), "{to}: {entry}");
    }
    let fallback = ivr.received_at("/fallback");
    assert_eq!(fallback[0].param("ErrorCode"), "12100");
    assert!(fallback[0].param("ErrorUrl").ends_with("/invalid"));
}

#[tokio::test]
async fn the_rest_api_hangs_up_and_redirects_live_calls() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Gather input="speech" timeout="60" action="/voice"/></Response>"#,
        )
        .start()
        .await;
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml("/start", r#"<Response><Pause length="120"/></Response>"#)
        .twiml(
            "/next",
            "<Response><Say>Redirected hello</Say><Pause length=\"120\"/></Response>",
        )
        .start()
        .await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let (_, call) = create_call(
        &emulator.base_url,
        &[
            ("To", IVR),
            ("From", CALLER),
            ("Url", &caller.url("/start")),
        ],
    )
    .await;
    let sid = call["sid"].as_str().expect("sid").to_string();
    caller
        .wait_for("the call to start", |r| !r.is_empty())
        .await;
    let (code, _) = post(
        &emulator.base_url,
        &format!("Calls/{sid}.json"),
        &[("Url", &caller.url("/next"))],
    )
    .await;
    assert_eq!(code, 200);
    ivr.wait_for("the IVR to hear the redirected leg", |r| {
        r.iter()
            .any(|x| x.param("SpeechResult") == "Redirected hello.")
    })
    .await;
    let (code, _) = post(
        &emulator.base_url,
        &format!("Calls/{sid}.json"),
        &[("Status", "completed")],
    )
    .await;
    assert_eq!(code, 200);
    let ended = wait_until_ended(&emulator.base_url, &sid).await;
    assert_eq!(ended["status"], "completed");
    let (code, body) = post(
        &emulator.base_url,
        &format!("Calls/{sid}.json"),
        &[("Url", &caller.url("/next"))],
    )
    .await;
    assert_eq!((code, body["code"].as_u64()), (400, Some(21220)));
    assert_eq!(emulator.live_calls(), 0);
}

#[tokio::test]
async fn a_call_cancelled_while_queued_fires_no_callbacks() {
    let mut config = config(vec![(IVR, behaving(NumberBehaviour::NoAnswer))]);
    config.calls_per_second = 0.05; // one call per 20 s of emulated time
    let emulator = serve(
        config,
        EmulatorOptions {
            time_scale: Some(1.0),
            ..Default::default()
        },
    )
    .await;
    let status = TwimlAppBuilder::new(TOKEN)
        .route("/status", |_| Reply::Status(204))
        .start()
        .await;
    let mut sids = Vec::new();
    for _ in 0..2 {
        let (_, call) = create_call(
            &emulator.base_url,
            &[
                ("To", IVR),
                ("From", CALLER),
                ("Twiml", "<Response><Hangup/></Response>"),
                ("StatusCallback", &status.url("/status")),
                ("StatusCallbackEvent", "initiated"),
                ("StatusCallbackEvent", "completed"),
            ],
        )
        .await;
        sids.push(call["sid"].as_str().expect("sid").to_string());
    }
    // Beyond the calls-per-second limit, the second call waits in the queue.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let waiting = get(&emulator.base_url, &format!("Calls/{}.json", sids[1])).await;
    assert_eq!(waiting["status"], "queued", "{waiting}");
    let first = get(&emulator.base_url, &format!("Calls/{}.json", sids[0])).await;
    assert_ne!(first["status"], "queued", "{first}");
    let (code, _) = post(
        &emulator.base_url,
        &format!("Calls/{}.json", sids[1]),
        &[("Status", "canceled")],
    )
    .await;
    assert_eq!(code, 200);
    let ended = wait_until_ended(&emulator.base_url, &sids[1]).await;
    assert_eq!(ended["status"], "canceled");
    post(
        &emulator.base_url,
        &format!("Calls/{}.json", sids[0]),
        &[("Status", "canceled")],
    )
    .await;
    wait_until_ended(&emulator.base_url, &sids[0]).await;
    // The call that left the queue did fire its callbacks, so silence below means something.
    let callbacks = status
        .wait_for("the first call's callbacks", |r| {
            r.iter().filter(|x| x.param("CallSid") == sids[0]).count() == 2
        })
        .await;
    let first_calls: Vec<&str> = callbacks
        .iter()
        .filter(|r| r.param("CallSid") == sids[0])
        .map(|r| r.param("CallStatus"))
        .collect();
    assert_eq!(first_calls, ["initiated", "canceled"]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second: Vec<Received> = status
        .received()
        .into_iter()
        .filter(|r| r.param("CallSid") == sids[1])
        .collect();
    assert!(
        second.is_empty(),
        "a call cancelled while queued fires no callbacks: {second:?}"
    );
}

#[tokio::test]
async fn reject_record_and_dial() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml("/busy", r#"<Response><Reject reason="busy"/></Response>"#)
        .twiml("/reject", "<Response><Reject/></Response>")
        .twiml(
            "/agent",
            "<Response><Say>Connecting you to an agent.</Say><Dial>+15557654321</Dial></Response>",
        )
        .start()
        .await;
    let emulator = emulator(vec![
        ("+15551230021", ivr_at(ivr.url("/busy"))),
        ("+15551230022", ivr_at(ivr.url("/reject"))),
        ("+15551230023", ivr_at(ivr.url("/agent"))),
    ])
    .await;
    let (busy, _) = call_and_end(&emulator, "+15551230021", &[]).await;
    assert_eq!(busy["status"], "busy");
    let (rejected, _) = call_and_end(&emulator, "+15551230022", &[]).await;
    assert_eq!(rejected["status"], "no-answer");
    let (agent, caller) = call_and_end(&emulator, "+15551230023", &[("Record", "true")]).await;
    assert_eq!(agent["status"], "completed");
    let last = final_callback(&caller);
    assert!(
        last.param("RecordingUrl").contains("/Recordings/RE"),
        "{:?}",
        last.params
    );
    let recordings = get(
        &emulator.base_url,
        &format!(
            "Calls/{}/Recordings.json",
            agent["sid"].as_str().unwrap_or("")
        ),
    )
    .await;
    assert_eq!(
        recordings["recordings"].as_array().map(Vec::len),
        Some(1),
        "{recordings}"
    );
    let ledger = ledger(&emulator.base_url).await.to_string();
    // The unlisted number rings and is not answered; the IVR's document then ends.
    assert!(
        ledger.contains("dial of +15557654321: no-answer"),
        "{ledger}"
    );
}

#[tokio::test]
async fn official_python_library_works_against_the_emulator() {
    let has_library = std::process::Command::new("python3")
        .args(["-c", "import twilio"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_library {
        // CI installs it (.ci/run) and sets this, so there the test cannot be skipped.
        assert!(
            std::env::var_os("IVR_TEST_REQUIRE_PYTHON_TWILIO").is_none(),
            "the twilio Python library is required here: pip install twilio"
        );
        eprintln!("skipped: the twilio Python library is not installed (pip install twilio)");
        return;
    }
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Say>Hello from the IVR.</Say><Pause length="120"/></Response>"#,
        )
        .start()
        .await;
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml("/start", &listen("/heard"))
        .twiml("/heard", r#"<Response><Pause length="120"/></Response>"#)
        .route("/status", |_| Reply::Status(204))
        .start()
        .await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;

    // One call whose webhooks (TwiML and callbacks, GET and POST) the library then validates.
    let (_, call) = create_call(
        &emulator.base_url,
        &[
            ("To", IVR),
            ("From", CALLER),
            ("Url", &caller.url("/start?step=1&b=x y")),
            ("StatusCallback", &caller.url("/status")),
            ("StatusCallbackEvent", "answered"),
        ],
    )
    .await;
    caller
        .wait_for("the caller to hear the IVR", |r| {
            r.iter().any(|x| x.path == "/heard")
        })
        .await;
    let sid = call["sid"].as_str().expect("sid").to_string();
    post(
        &emulator.base_url,
        &format!("Calls/{sid}.json"),
        &[("Status", "completed")],
    )
    .await;
    wait_until_ended(&emulator.base_url, &sid).await;
    let webhooks: Vec<serde_json::Value> = caller
        .received()
        .iter()
        .chain(ivr.received().iter())
        .map(|r| serde_json::json!({"url": r.url, "params": r.params, "signature": r.signature}))
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let webhooks_file = dir.path().join("webhooks.json");
    std::fs::write(
        &webhooks_file,
        serde_json::to_string(&webhooks).expect("json"),
    )
    .expect("write");

    let args = serde_json::json!({
        "base_url": emulator.base_url,
        "account_sid": ACCOUNT,
        "auth_token": TOKEN,
        "from": CALLER,
        "to": IVR,
        "twiml_url": caller.url("/heard"),
        "callback_url": caller.url("/status"),
        "webhooks_file": webhooks_file,
    })
    .to_string();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/twilio_library.py");
    let output = tokio::process::Command::new("python3")
        .arg(script)
        .arg(args)
        .output()
        .await
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}");
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[test]
fn the_emulator_command_serves_until_sigterm() {
    use std::io::{BufRead, BufReader};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ivr-test"))
        .args([
            "emulator",
            "--port",
            "0",
            "--config",
            "fixtures/emulator.json",
            "--time-scale",
            "10",
        ])
        .current_dir(root)
        .env_clear()
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).expect("read");
    assert!(
        first.starts_with("ivr-test emulator: Twilio API at http://127.0.0.1:"),
        "{first}"
    );
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .and_then(|w| w.strip_suffix("/2010-04-01"))
        .expect("base URL")
        .to_string();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let health = runtime.block_on(async {
        reqwest::get(format!("{base}/_emulator/health"))
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(health.ok(), Some(200));
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read");
    assert!(stderr.contains("stopping"), "{stderr}");
    assert!(
        !stderr.contains("emulator-example-token"),
        "the auth token leaked: {stderr}"
    );
}

#[test]
fn the_emulator_command_refuses_a_bad_configuration() {
    let project = crate::harness::Project::new().file(
        "emu.json",
        r#"{"accounts": [], "numbers": {"x": {"behaviour": "maybe"}}}"#,
    );
    let out = project
        .run(&["emulator", "--config", "emu.json"])
        .expect_code(2);
    assert!(out.stderr.contains("emu.json"), "{}", out.stderr);
}

#[tokio::test]
async fn keys_barge_in_and_end_at_the_finish_key() {
    // A prompt repeated until hang-up: only keys that cut it short can end the call (a call
    // that does not end fails `call_and_end`).
    let long_prompt = "please listen carefully as our menu options have changed";
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(r#"<Response><Gather input="dtmf" action="/keys" timeout="5"><Say loop="0">{long_prompt}</Say></Gather></Response>"#),
        )
        .twiml("/keys", "<Response><Hangup/></Response>")
        .start()
        .await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let (ended, _) = call_and_end(&emulator, IVR, &[("SendDigits", "ww1234#9")]).await;
    assert_eq!(ended["status"], "completed");
    let keys = ivr.received_at("/keys");
    assert_eq!(
        keys[0].param("Digits"),
        "1234",
        "the finish key is not part of Digits"
    );
    assert_eq!(keys[0].param("FinishedOnKey"), "#");
}

#[tokio::test]
async fn time_limit_ends_a_call() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml("/voice", r#"<Response><Pause length="600"/></Response>"#)
        .start()
        .await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let (ended, _) = call_and_end(&emulator, IVR, &[("TimeLimit", "4")]).await;
    assert_eq!(ended["status"], "completed");
    let duration: u64 = ended["duration"]
        .as_str()
        .expect("duration")
        .parse()
        .expect("number");
    assert!((3..=6).contains(&duration), "{ended}");
}

#[tokio::test]
async fn recogniser_noise_from_the_configuration_changes_what_is_heard() {
    // The IVR pauses before hanging up, so the caller's Gather completes.
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml("/voice", r#"<Response><Say>I want to hear about sales for my account to see the balance</Say><Pause length="5"/><Hangup/></Response>"#)
        .start()
        .await;
    let mut config = config(vec![(IVR, ivr_at(ivr.url("/voice")))]);
    config.recogniser.noise = 1.0;
    config.recogniser.seed = 7;
    let noisy = serve(
        config,
        EmulatorOptions {
            time_scale: Some(20.0),
            ..Default::default()
        },
    )
    .await;
    let (_, caller) = call_and_end(&noisy, IVR, &[]).await;
    let heard: Vec<String> = caller
        .received_at("/heard")
        .iter()
        .map(|r| r.param("SpeechResult").to_string())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_ne!(
        heard[0],
        "I want to hear about sales for my account to see the balance."
    );
    let confidence: f64 = caller.received_at("/heard")[0]
        .param("Confidence")
        .parse()
        .unwrap_or(1.0);
    assert!(confidence < 0.92, "{confidence}");
}
