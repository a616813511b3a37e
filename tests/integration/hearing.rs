//! Hearing like a caller, end to end against TwiML IVRs written here: what the IVR says is one
//! stream per call (a message can satisfy two steps), and answers go out as soon as the IVR
//! offers them (`TWILIO_IVR_ANSWER_TIMING`), never lost and never queued into one reply.

use serde_json::{json, Value};

use crate::harness::emulator::{IVR, TOKEN};
use crate::harness::run::{botium_json_with, inputs_at, json_report, verdicts};
use crate::harness::run::{run_scaled, run_scaled_with};
use crate::harness::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};
use crate::harness::{Output, Project};

/// The emulator's speed in these tests: fast, with room for a loaded machine.
const TIME_SCALE: f64 = 10.0;

/// A phone tree like the public tutorial apps: a welcome menu said three times in a one-key
/// `<Gather>`; `1` connects to sales, `*` returns to the menu through a `<Redirect>`.
async fn phone_tree() -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Gather input="dtmf" action="/menu" numDigits="1" timeout="5"><Say loop="3">Thanks for calling Acme. For sales press 1. To hear this menu again press the star key.</Say></Gather><Say>Goodbye.</Say><Hangup/></Response>"#,
        )
        .route("/menu", |r: &Received| {
            Reply::Twiml(match r.param("Digits") {
                "1" => r#"<Response><Say>Connecting you to sales.</Say><Pause length="30"/><Hangup/></Response>"#.into(),
                "*" => r#"<Response><Say>Returning to the main menu.</Say><Redirect>/voice</Redirect></Response>"#.into(),
                _ => r#"<Response><Say>Sorry, that is not an option.</Say><Redirect>/voice</Redirect></Response>"#.into(),
            })
        })
        .start()
        .await
}

/// Runs `convos` against `ivr` with `caps` added to the test capabilities; the JSON report.
async fn run_with(ivr: &TwimlApp, caps: Value, convos: &[(&str, &str)]) -> (Value, Output) {
    let (project, out) = run_scaled(ivr, TIME_SCALE, &botium_json_with(IVR, caps), convos).await;
    (report_of(&project), out)
}

fn report_of(project: &Project) -> Value {
    json_report(project, "report.json")
}

/// The transcript lines of the first test case.
fn lines(report: &Value) -> Vec<String> {
    report["tests"][0]["transcript"]
        .as_array()
        .expect("transcript")
        .iter()
        .filter_map(|e| e["text"].as_str().map(str::to_string))
        .collect()
}

/// An IVR whose `/voice` is `voice` and whose `/menu` says which key it got.
async fn menu_ivr(voice: &str) -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml("/voice", voice)
        .route("/menu", |r: &Received| {
            Reply::Twiml(format!(
                r#"<Response><Say>You chose {}.</Say><Pause length="30"/><Hangup/></Response>"#,
                r.param("Digits")
            ))
        })
        .start()
        .await
}

/// The failure message of the first test case ("" when it passed).
fn failure_message(report: &Value) -> &str {
    report["tests"][0]["failure"]["message"]
        .as_str()
        .unwrap_or_default()
}

fn passed(report: &Value, name: &str) -> Vec<(String, String)> {
    assert_eq!(verdicts(report).len(), 1, "{report}");
    vec![(name.to_string(), "passed".to_string())]
}

const STAR_THEN_SALES: &str = "star then sales\n\n#bot\nThanks for calling Acme\n\n#me\nBUTTON *\n\n#bot\nReturning to the main menu\n\n#bot\nThanks for calling\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n";

#[tokio::test]
async fn a_prompt_and_the_prompt_it_redirects_to_are_two_steps() {
    // `*` is answered by "Returning to the main menu" and a redirect to the welcome menu: the
    // recogniser hears one message, the convo asserts two steps. In every answer timing.
    let ivr = phone_tree().await;
    for timing in ["offer", "match", "silence"] {
        let (report, out) = run_with(
            &ivr,
            json!({ "TWILIO_IVR_ANSWER_TIMING": timing }),
            &[("a.convo.txt", STAR_THEN_SALES)],
        )
        .await;
        let out = out.expect_code(0);
        assert_eq!(
            verdicts(&report),
            passed(&report, "star then sales"),
            "{timing}: {}",
            out.stderr
        );
    }
    let keys: Vec<String> = inputs_at(&ivr, "/menu")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        keys,
        ["*", "1", "*", "1", "*", "1"],
        "every key reached the IVR once"
    );
}

#[tokio::test]
async fn a_looped_menu_is_answered_on_the_offer_not_after_three_rounds() {
    let ivr = phone_tree().await;
    let convo = "sales\n\n#bot\nThanks for calling Acme\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n";
    let call_seconds = |report: &Value| report["tests"][0]["call_duration_ms"].as_u64();
    let (offer, out) = run_with(&ivr, json!({}), &[("a.convo.txt", convo)]).await;
    let out = out.expect_code(0);
    assert_eq!(verdicts(&offer), passed(&offer, "sales"), "{}", out.stderr);
    assert!(
        lines(&offer)
            .iter()
            .any(|l| l.starts_with("answered on offer \"press 1\" after")),
        "{:?}",
        lines(&offer)
    );
    let (silence, out) = run_with(
        &ivr,
        json!({ "TWILIO_IVR_ANSWER_TIMING": "silence" }),
        &[("a.convo.txt", convo)],
    )
    .await;
    out.expect_code(0);
    assert!(lines(&silence)
        .iter()
        .any(|l| l == "answered after silence"));
    // Call time is the emulator's (emulated) clock: the menu takes about 7 s a round.
    let (offer_s, silence_s) = (call_seconds(&offer), call_seconds(&silence));
    assert!(
        offer_s.zip(silence_s).is_some_and(|(o, s)| o * 2 <= s),
        "on the offer {offer_s:?} ms, after silence {silence_s:?} ms"
    );
}

#[tokio::test]
async fn a_gather_that_times_out_and_ends_the_document_is_heard_to_the_end() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Gather input="dtmf" action="/menu" numDigits="1" timeout="2"><Say>For sales press 1.</Say></Gather><Say>We did not receive your choice. Goodbye.</Say><Hangup/></Response>"#,
        )
        .start()
        .await;
    let convo = "no choice\n\n#bot\nFor sales press 1\n\n#bot\nWe did not receive your choice\n";
    let (report, out) = run_with(&ivr, json!({}), &[("a.convo.txt", convo)]).await;
    let out = out.expect_code(0);
    assert_eq!(
        verdicts(&report),
        passed(&report, "no choice"),
        "{}",
        out.stderr
    );
    assert!(
        ivr.received_at("/menu").is_empty(),
        "the caller pressed nothing"
    );
}

/// A long prompt (two menu rounds) with the options in the middle.
async fn long_prompt_ivr() -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Say>Thank you for calling Acme Energy, your local supplier since nineteen eighty four. For your balance, press 1. For billing questions, press 2. For a new connection, press 3. To report an outage, press 4.</Say><Pause length="30"/><Hangup/></Response>"#,
        )
        .start()
        .await
}

#[tokio::test]
async fn the_expected_phrase_in_the_middle_of_a_long_prompt_passes_and_a_wrong_one_shows_the_closest_passage(
) {
    let ivr = long_prompt_ivr().await;
    let good = "billing\n\n#bot\nFor billing questions, press 2\n";
    let (report, out) = run_with(&ivr, json!({}), &[("a.convo.txt", good)]).await;
    let out = out.expect_code(0);
    assert_eq!(
        verdicts(&report),
        passed(&report, "billing"),
        "{}",
        out.stderr
    );

    let wrong = "billing\n\n#bot\nFor billing questions, press 5\n";
    let (report, out) = run_with(&ivr, json!({}), &[("a.convo.txt", wrong)]).await;
    let out = out.expect_code(1);
    let failure = &report["tests"][0]["failure"];
    assert_eq!(
        failure["closest_passage"]["text"], "For billing questions, press 2.",
        "{failure}"
    );
    assert!(
        out.stderr
            .contains("closest passage: For billing questions, press 2."),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn a_welcome_outside_the_gather_does_not_swallow_the_key() {
    // "Welcome" is said before the `<Gather>` listens; a key pressed then is lost. On the offer,
    // the key waits for "press 1", said inside the `<Gather>`.
    let ivr = menu_ivr(
        r#"<Response><Say>Welcome to Acme.</Say><Gather input="dtmf" action="/menu" numDigits="1" timeout="3"><Say>For sales press 1. For billing press 2.</Say></Gather><Say>Goodbye.</Say><Hangup/></Response>"#,
    )
    .await;
    let convo = "welcome\n\n#bot\nWelcome\n\n#me\nBUTTON 1\n\n#bot\nYou chose 1\n";
    let (report, out) = run_with(&ivr, json!({}), &[("a.convo.txt", convo)]).await;
    let out = out.expect_code(0);
    assert_eq!(
        verdicts(&report),
        passed(&report, "welcome"),
        "{}",
        out.stderr
    );
    assert_eq!(inputs_at(&ivr, "/menu"), [("1".to_string(), String::new())]);
    // On the match alone the key goes out during "Welcome" and is lost; the failure says why.
    let (report, out) = run_with(
        &ivr,
        json!({ "TWILIO_IVR_ANSWER_TIMING": "match" }),
        &[("a.convo.txt", convo)],
    )
    .await;
    out.expect_code(1);
    let message = failure_message(&report);
    assert!(message.contains("TWILIO_IVR_ANSWER_TIMING"), "{message}");
}

#[tokio::test]
async fn consecutive_keys_against_a_played_menu_pass_every_time() {
    // `*` returns to a menu that is a recording (nothing to hear); the `1` must wait until that
    // menu's `<Gather>` listens. Both keys in one reply lost the `1` about every other call.
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Gather input="dtmf" action="/menu" numDigits="1" timeout="5"><Say>Main menu. Press the star key for the recorded menu.</Say></Gather><Hangup/></Response>"#,
        )
        .route("/menu", |r: &Received| {
            Reply::Twiml(match r.param("Digits") {
                "*" => r#"<Response><Gather input="dtmf" action="/menu" numDigits="1" timeout="5"><Play>https://example.com/menu.mp3</Play></Gather><Hangup/></Response>"#.into(),
                "1" => r#"<Response><Say>Connecting you to sales.</Say><Pause length="30"/><Hangup/></Response>"#.into(),
                _ => "<Response><Hangup/></Response>".into(),
            })
        })
        .start()
        .await;
    let convo = "keys\n\n#bot\nMain menu\n\n#me\nBUTTON *\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n";
    let convos: Vec<(String, String)> = (0..20)
        .map(|i| {
            (
                format!("k{i:02}.convo.txt"),
                convo.replace("keys", &format!("keys {i:02}")),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = convos
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    let (project, out) = run_scaled_with(
        &ivr,
        TIME_SCALE,
        &botium_json_with(IVR, json!({ "TWILIO_IVR_CALLS_PER_SECOND": 20 })),
        &refs,
        &["--parallel", "5"],
    )
    .await;
    let report = report_of(&project);
    let failed: Vec<_> = verdicts(&report)
        .into_iter()
        .filter(|(_, v)| v != "passed")
        .collect();
    assert!(failed.is_empty(), "{failed:?}\n{}", out.stderr);
    out.expect_code(0);
    let ones = inputs_at(&ivr, "/menu")
        .iter()
        .filter(|(k, _)| k == "1")
        .count();
    assert_eq!(ones, 20);
}

#[tokio::test]
async fn an_ivr_that_ignores_input_while_it_speaks_passes_after_silence_and_names_the_capability_otherwise(
) {
    // `bargeIn="false"`: the menu plays to its end whatever the caller presses meanwhile, and
    // its `<Gather>` takes keys only after it. A key given on the offer or the match is lost.
    let ivr = menu_ivr(
        r#"<Response><Gather input="dtmf" action="/menu" numDigits="1" timeout="5" bargeIn="false"><Say>Welcome to Acme. For sales press 1. For billing press 2.</Say></Gather><Say>Goodbye.</Say><Hangup/></Response>"#,
    )
    .await;
    let convo = "no barge in\n\n#bot\nWelcome to Acme\n\n#me\nBUTTON 1\n\n#bot\nYou chose 1\n";
    let (report, out) = run_with(
        &ivr,
        json!({ "TWILIO_IVR_ANSWER_TIMING": "silence" }),
        &[("a.convo.txt", convo)],
    )
    .await;
    let out = out.expect_code(0);
    assert_eq!(
        verdicts(&report),
        passed(&report, "no barge in"),
        "{}",
        out.stderr
    );
    for timing in ["offer", "match"] {
        let (report, out) = run_with(
            &ivr,
            json!({ "TWILIO_IVR_ANSWER_TIMING": timing }),
            &[("a.convo.txt", convo)],
        )
        .await;
        let out = out.expect_code(1);
        let message = failure_message(&report);
        assert!(
            message.contains("TWILIO_IVR_ANSWER_TIMING"),
            "{timing}: {message}\n{}",
            out.stderr
        );
    }
    assert_eq!(
        inputs_at(&ivr, "/menu"),
        [("1".to_string(), String::new())],
        "only the answer given after silence reached the menu"
    );
}

#[tokio::test]
async fn a_wrong_expectation_on_a_looped_menu_shows_the_menu_once_and_the_closest_passage() {
    let ivr = phone_tree().await;
    let convo = "wrong\n\n#bot\nThanks for calling Acme Gas\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n";
    let (report, out) = run_with(&ivr, json!({}), &[("a.convo.txt", convo)]).await;
    let out = out.expect_code(1);
    let failure = &report["tests"][0]["failure"];
    assert!(
        failure["closest_passage"]["text"]
            .as_str()
            .is_some_and(|p| p.starts_with("Thanks for calling Acme.")),
        "{failure}"
    );
    assert!(
        failure["heard_display"]
            .as_str()
            .is_some_and(|h| h.ends_with("press the star key. (said 3 times) Goodbye.")),
        "{failure}"
    );
    assert!(out.stderr.contains("closest passage:"), "{}", out.stderr);
    assert!(
        ivr.received_at("/menu").is_empty(),
        "no key for a step that failed"
    );
}

#[tokio::test]
async fn whole_message_modes_never_decide_on_part_of_an_utterance() {
    // In `equals` mode the step compares the whole utterance: its first sentence, heard in an
    // interim result while the IVR goes on, must not pass it.
    let ivr = menu_ivr(
        r#"<Response><Gather input="dtmf" action="/menu" numDigits="1" timeout="5"><Say>For sales press 1. For billing press 2.</Say></Gather><Say>Goodbye.</Say><Hangup/></Response>"#,
    )
    .await;
    let convo = "equals\n\n#bot\nFor sales press 1.\n\n#me\nBUTTON 1\n\n#bot\nYou chose 1.\n";
    let (report, out) = run_with(
        &ivr,
        json!({ "SCRIPTING_MATCHING_MODE": "equalsIgnoreCase" }),
        &[("a.convo.txt", convo)],
    )
    .await;
    out.expect_code(1);
    let heard = report["tests"][0]["failure"]["heard"].as_str();
    assert!(
        heard.is_some_and(|h| h.starts_with("For sales press 1. For billing press 2.")),
        "{report}"
    );
    assert!(ivr.received_at("/menu").is_empty(), "no key went out");
}
