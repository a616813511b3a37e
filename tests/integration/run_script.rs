//! `ivr-test run` end to end, script features against small TwiML IVRs: what a `#me` step sends
//! and in which order, a script that speaks first, optional `#bot` steps, prompts the recogniser
//! splits, an IVR that hangs up, and forged webhooks during a real run.

use std::time::Duration;

use crate::harness::emulator::{ACCOUNT, IVR, TOKEN};
use crate::harness::run::{
    acme_ivr, botium_json, botium_json_with, inputs_at, json_report, run, run_scaled,
    through_twilio_api, through_twilio_api_on, verdicts,
};
use crate::harness::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};
use crate::harness::{free_port, Output, Project};

/// Runs `convos` of a project against `ivr` through `--emulate`, with a JSON report at
/// `report.json`.
async fn run_against(ivr: &TwimlApp, botium: &str, convos: &[(&str, &str)]) -> (Project, Output) {
    run_scaled(ivr, 20.0, botium, convos).await
}

#[tokio::test]
async fn speech_and_keys_of_a_me_step_reach_the_ivr_in_script_order() {
    // Acme's menu Gather takes speech or one key, and the first input wins: speech "sales" is
    // the sales branch, key 2 the balance branch. So what the IVR answers shows which input the
    // runner sent first. Catches: a `#me` step's keys sent before its text (or the text dropped
    // when keys are present), and consecutive `#me` steps sent out of order.
    //
    // Botium's grammar allows text only before a step's user inputs (`#me` / `BUTTON 2` /
    // `sales please` is the parse error "No text expected here"), so keys before speech is
    // written as two consecutive `#me` steps. They are two answers: the second goes out once
    // the IVR reacted to the first ("Your balance..."), so that reaction belongs to no step.
    let ivr = acme_ivr().await;
    let speech_first = "speech then key\n\n#bot\nWelcome to Acme*\n\n#me\nsales please\nBUTTON 2\n\n#bot\nConnecting you to sales\n";
    let key_first = "key then speech\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 2\n\n#me\nsales please\n\n#end\nPAUSE_ASSERTER 2000\n";
    let (project, out) = run_against(
        &ivr,
        &botium_json(IVR),
        &[("a.convo.txt", key_first), ("b.convo.txt", speech_first)],
    )
    .await;
    let out = out.expect_code(0);
    assert_eq!(
        verdicts(&json_report(&project, "report.json")),
        [
            ("key then speech".to_string(), "passed".to_string()),
            ("speech then key".to_string(), "passed".to_string()),
        ],
        "{}",
        out.stderr
    );
    // One menu answer per call: the key for one, the speech for the other (either order, as
    // the two calls may reach the IVR in either order).
    let mut menu = inputs_at(&ivr, "/menu");
    menu.sort();
    assert_eq!(
        menu,
        [
            (String::new(), "Sales please.".to_string()),
            ("2".to_string(), String::new()),
        ],
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn a_script_that_speaks_first_is_heard_by_a_silent_ivr() {
    // A voice bot that says nothing until it hears "hello", then echoes what it heard. Catches:
    // a `#me` before any `#bot` that is dropped, or held back until the IVR has spoken (a runner
    // that listens first). The IVR gives up after 2 s, before the runner's own listening Gather
    // (5 s) would end, so a runner that listens once before speaking hears "I heard nothing".
    // A slower clock than usual keeps those 2 s from being too short on a loaded machine.
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Gather input="speech" action="/heard" timeout="2"/><Say>I heard nothing.</Say><Pause length="10"/><Hangup/></Response>"#,
        )
        .route("/heard", |r: &Received| {
            Reply::Twiml(format!(
                r#"<Response><Say>You said {}</Say><Pause length="10"/><Hangup/></Response>"#,
                r.param("SpeechResult")
            ))
        })
        .start()
        .await;
    let convo = "hello first\n\n#me\nhello\n\n#bot\nYou said hello\n";
    let (project, out) = run_scaled(&ivr, 5.0, &botium_json(IVR), &[("a.convo.txt", convo)]).await;
    let out = out.expect_code(0);
    assert_eq!(
        verdicts(&json_report(&project, "report.json")),
        [("hello first".to_string(), "passed".to_string())]
    );
    assert_eq!(
        inputs_at(&ivr, "/heard"),
        [(String::new(), "Hello.".to_string())],
        "{}",
        out.stderr
    );
}

/// An IVR that greets, pauses, then offers its menu in a Gather (the pause makes the runner's
/// recogniser hear the greeting and the menu as two messages); key 1 connects to sales.
async fn greeting_then_menu_ivr() -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Say>Welcome to Acme.</Say><Pause length="2"/><Gather input="dtmf" action="/menu" numDigits="1" timeout="20"><Say>Press one for sales.</Say></Gather><Say>Goodbye.</Say><Hangup/></Response>"#,
        )
        .route("/menu", |r: &Received| {
            Reply::Twiml(if r.param("Digits") == "1" {
                r#"<Response><Say>Connecting you to sales.</Say><Pause length="10"/><Hangup/></Response>"#.into()
            } else {
                "<Response><Say>Goodbye.</Say><Hangup/></Response>".into()
            })
        })
        .start()
        .await
}

#[tokio::test]
async fn an_optional_bot_step_that_is_never_said_is_skipped() {
    // The recording notice is optional (`?`) and this IVR never says it: the menu prompt it hears
    // instead must go on to the next `#bot` step. Catches: `?` not parsed as optional on a text
    // line, an optional step that fails on a mismatch, or one that swallows the message it did
    // not match (then "Press one for sales*" would time out). The same convo without `?` must
    // fail, so the pass is not a matcher that accepts anything.
    let convo = |mark: &str| {
        format!(
            "recording notice\n\n#bot\nWelcome to Acme*\n\n#bot\n{mark}Calls may be recorded*\n\n#bot\nPress one for sales*\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n"
        )
    };
    let ivr = greeting_then_menu_ivr().await;
    let (project, out) =
        run_against(&ivr, &botium_json(IVR), &[("a.convo.txt", &convo("?"))]).await;
    let out = out.expect_code(0);
    assert_eq!(
        verdicts(&json_report(&project, "report.json")),
        [("recording notice".to_string(), "passed".to_string())],
        "{}",
        out.stderr
    );
    assert_eq!(
        inputs_at(&ivr, "/menu"),
        [("1".to_string(), String::new())],
        "{}",
        out.stderr
    );

    let ivr = greeting_then_menu_ivr().await;
    let (_, out) = run_against(&ivr, &botium_json(IVR), &[("a.convo.txt", &convo(""))]).await;
    let out = out.expect_code(1);
    assert!(
        out.stderr.contains("Calls may be recorded"),
        "the failing step is named: {}",
        out.stderr
    );
}

#[tokio::test]
async fn a_prompt_split_by_a_pause_matches_one_bot_step_unless_strict() {
    // A two-second pause splits the prompt: the runner's recogniser (one second of silence ends
    // an utterance) hears two messages. By default the step engine joins fragments until the
    // expectation matches; with TWILIO_IVR_JOIN_FRAGMENTS false (Botium's one message per step)
    // the first fragment alone is compared and fails. Catches: joining broken (the default run
    // fails), the capability ignored (the strict run passes), or a recogniser that no longer
    // splits (the strict run passes too).
    let ivr = || {
        TwimlAppBuilder::new(TOKEN)
            .twiml(
                "/voice",
                r#"<Response><Say>Welcome to Acme.</Say><Pause length="2"/><Say>Your call is important to us.</Say><Pause length="10"/><Hangup/></Response>"#,
            )
            .start()
    };
    let convo = "whole prompt\n\n#bot\nWelcome to Acme. Your call is important to us.\n";

    let joined = ivr().await;
    let (project, out) = run_against(&joined, &botium_json(IVR), &[("a.convo.txt", convo)]).await;
    let out = out.expect_code(0);
    let report_joined = json_report(&project, "report.json");
    assert_eq!(
        verdicts(&report_joined),
        [("whole prompt".to_string(), "passed".to_string())],
        "{}",
        out.stderr
    );
    // It passed by joining two heard messages, not by hearing one.
    let heard: Vec<&str> = report_joined["tests"][0]["transcript"]
        .as_array()
        .expect("transcript")
        .iter()
        .filter(|e| e["speaker"] == "ivr")
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert_eq!(
        heard,
        ["Welcome to Acme.", "Your call is important to us."],
        "{report_joined}"
    );

    let strict = ivr().await;
    let (project, out) = run_against(
        &strict,
        &botium_json_with(IVR, serde_json::json!({"TWILIO_IVR_JOIN_FRAGMENTS": false})),
        &[("a.convo.txt", convo)],
    )
    .await;
    let out = out.expect_code(1);
    let report_strict = json_report(&project, "report.json");
    assert_eq!(
        report_strict["tests"][0]["failure"]["heard"], "Welcome to Acme.",
        "only the first fragment is compared: {}",
        out.stderr
    );
}

#[tokio::test]
async fn an_ivr_that_hangs_up_fails_the_waiting_step_at_once() {
    // The IVR says goodbye and hangs up while the script still expects a message. Catches: a
    // hang-up noticed only when WAITFORBOTTIMEOUT (15 s here) runs out, a failure that does not
    // say why, a call left live afterwards, and a runner that, having seen the call end, still
    // waits TWILIO_IVR_WAIT_CALL_COMPLETED (15 s here) for its final status and loses the
    // recording URL that status carried.
    //
    // The IVR hangs up right after its last words: the runner's Gather is cut off and never
    // reports them, so "Goodbye." is heard only through the interim result
    // (`partialResultCallback`). Catches, too, losing the last words before a hang-up.
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Say>Goodbye.</Say><Hangup/></Response>"#,
        )
        .start()
        .await;
    let emulator = crate::harness::emulator::emulator(vec![(
        IVR,
        crate::harness::emulator::ivr_at(ivr.url("/voice")),
    )])
    .await;
    let project = Project::new()
        .file(
            "botium.json",
            &through_twilio_api(
                &emulator.base_url,
                serde_json::json!({
                    "WAITFORBOTTIMEOUT": 15000,
                    "TWILIO_IVR_WAIT_CALL_COMPLETED": 15000,
                    "TWILIO_IVR_RECORD": true
                }),
            ),
        )
        .file(
            "convos/a.convo.txt",
            "hung up\n\n#bot\nGoodbye\n\n#bot\nPlease hold for an agent\n",
        );
    let out = run(&project, &["run", "convos", "--json", "report.json"])
        .await
        .expect_code(1);
    // Failed when the call ended, not at the step timeout (which says "did not respond").
    assert!(out.stderr.contains("the IVR hung up"), "{}", out.stderr);
    let report = json_report(&project, "report.json");
    let failure = &report["tests"][0]["failure"];
    assert_eq!(
        failure["step"]["line"], 6,
        "the goodbye was heard, the step after it failed: {failure}"
    );
    // The test case ends with the call, not after another wait for its final status
    // (TWILIO_IVR_WAIT_CALL_COMPLETED, 15 s): it already came.
    let failed_at = failure["at_ms"].as_u64().expect("at_ms");
    let ended_at = report["tests"][0]["duration_ms"]
        .as_u64()
        .expect("duration");
    assert!(
        ended_at.saturating_sub(failed_at) < 15_000,
        "failed at {failed_at} ms, ended at {ended_at} ms"
    );
    let recording = report["tests"][0]["recording_url"].as_str().unwrap_or("");
    assert!(
        recording.contains("/Recordings/RE"),
        "the final status's recording is reported: {report}"
    );
    assert_eq!(emulator.live_calls(), 0, "no call is left live");
}

/// Waits (bounded) until something accepts connections on the loopback `port`.
async fn wait_for_port(port: u16) {
    for _ in 0..250 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("nothing listens on port {port}");
}

/// Waits (bounded) for a call in progress; returns its SID and the runner's session id (the
/// `cs` of its status callback URL).
async fn live_call(emulator: &twilio_emulator::server::RunningEmulator) -> (String, String) {
    for _ in 0..250 {
        let live = emulator
            .store
            .calls(|c| c.status == twilio_emulator::model::CallStatus::InProgress);
        if let Some(call) = live.first() {
            let callback = call
                .request
                .status_callback
                .clone()
                .expect("status callback");
            let session = callback
                .split_once("cs=")
                .map(|(_, rest)| rest.split('&').next().unwrap_or("").to_string())
                .expect("a session id in the callback URL");
            return (call.sid.clone(), session);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no call went live");
}

/// POSTs `form` to `url` with `signature` as `X-Twilio-Signature` (none when `None`); returns
/// the status code.
async fn post_webhook(url: &str, form: &[(String, String)], signature: Option<&str>) -> u16 {
    let mut request = reqwest::Client::new().post(url).form(form);
    if let Some(signature) = signature {
        request = request.header("X-Twilio-Signature", signature);
    }
    request
        .send()
        .await
        .expect("webhook request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn forged_webhooks_are_rejected_during_a_real_run() {
    // While a call is on hold, someone who knows the runner's webhook URLs (and even the live
    // session id and call SID) posts to them. Catches: a route that skips the signature check,
    // a check that passes when the header is missing, and (through the run's exit code) a
    // forged "completed" status that ends the real test.
    use twilio_wire::signature;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Say>Please hold.</Say><Pause length="60"/><Say>Thank you for holding.</Say><Pause length="10"/><Hangup/></Response>"#,
        )
        .start()
        .await;
    let emulator = crate::harness::emulator::emulator(vec![(
        IVR,
        crate::harness::emulator::ivr_at(ivr.url("/voice")),
    )])
    .await;
    let port = free_port();
    let project = Project::new()
        .file(
            "botium.json",
            &through_twilio_api_on(port, &emulator.base_url, serde_json::json!({})),
        )
        .file(
            "convos/a.convo.txt",
            "on hold\n\n#bot\nPlease hold\n\n#bot\nThank you for holding\n",
        );
    let forge = async {
        wait_for_port(port).await;
        let (call_sid, session) = live_call(&emulator).await;
        let base = format!("http://127.0.0.1:{port}/twilio-ivr");
        let mut codes = Vec::new();
        for (route, extra) in [
            ("start", ("CallStatus", "in-progress")),
            ("next", ("SpeechResult", "Thank you for holding.")),
            ("status", ("CallStatus", "completed")),
        ] {
            let url = format!("{base}/{route}?cs={session}");
            let form: Vec<(String, String)> = [
                ("AccountSid", ACCOUNT),
                ("CallSid", call_sid.as_str()),
                extra,
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            let wrong = signature::compute("not-the-auth-token", &url, &form);
            codes.push((
                route,
                "wrong",
                post_webhook(&url, &form, Some(&wrong)).await,
            ));
            codes.push((route, "none", post_webhook(&url, &form, None).await));
        }
        // Control: the same request signed with the real token, for a session that does not
        // exist, is accepted (200, told to hang up), so the 403s come from the signatures.
        let url = format!("{base}/next?cs=TS0000");
        let form = vec![("CallSid".to_string(), "CA0000".to_string())];
        let right = signature::compute(TOKEN, &url, &form);
        codes.push((
            "next",
            "valid",
            post_webhook(&url, &form, Some(&right)).await,
        ));
        codes
    };
    let (out, codes) = tokio::join!(run(&project, &["run", "convos"]), forge);
    assert_eq!(
        codes,
        [
            ("start", "wrong", 403),
            ("start", "none", 403),
            ("next", "wrong", 403),
            ("next", "none", 403),
            ("status", "wrong", 403),
            ("status", "none", 403),
            ("next", "valid", 200),
        ]
    );
    out.expect_code(0);
    assert_eq!(emulator.live_calls(), 0, "the call was hung up");
}
