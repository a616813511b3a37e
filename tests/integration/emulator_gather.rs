//! The emulator's `<Gather>` end to end, as the runner relies on it: interim results word by
//! word, a live-call update interrupting a `<Gather>`, keys lost outside a `<Gather>`, and
//! `bargeIn`. Timing is asserted on the ledger's emulated-time transcript, never the wall clock.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use twilio_emulator::config::NumberConfig;
use twilio_emulator::recogniser::RecogniserModel;
use twilio_emulator::server::{EmulatorOptions, RunningEmulator};

use crate::harness::emulator::{
    config, ivr_at, ledger, place, post, serve, wait_until_ended, IVR, TOKEN,
};
use crate::harness::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};

/// An emulator running `scale` times faster than real time, speaking at `wpm`.
async fn emulator_at(numbers: Vec<(&str, NumberConfig)>, scale: f64, wpm: u32) -> RunningEmulator {
    let mut config = config(numbers);
    config.calls_per_second = 100.0;
    config.speech_rate_wpm = wpm;
    let options = EmulatorOptions {
        time_scale: Some(scale),
        webhook_budget: Some(Duration::from_secs(2)),
        log: twilio_emulator::log::EventLog::new(true, |l| eprintln!("[emulator] {l}")),
        ..Default::default()
    };
    serve(config, options).await
}

/// One transcript line from the ledger.
#[derive(Debug)]
struct Line {
    at: DateTime<Utc>,
    leg: String,
    text: String,
}

/// The ledger's transcript of call `sid`, in order.
async fn transcript(base: &str, sid: &str) -> Vec<Line> {
    let ledger = ledger(base).await;
    let calls = ledger.as_array().expect("ledger array");
    let call = calls
        .iter()
        .find(|c| c["sid"] == sid)
        .expect("call in the ledger");
    call["transcript"]
        .as_array()
        .expect("transcript")
        .iter()
        .map(|l| Line {
            at: DateTime::parse_from_rfc3339(l["time"].as_str().expect("time"))
                .expect("rfc3339")
                .with_timezone(&Utc),
            leg: l["leg"].as_str().expect("leg").to_string(),
            text: l["text"].as_str().expect("text").to_string(),
        })
        .collect()
}

/// Where the first line of `leg` with exactly `text` is; panics naming the transcript.
fn position(lines: &[Line], leg: &str, text: &str) -> usize {
    lines
        .iter()
        .position(|l| l.leg == leg && l.text == text)
        .unwrap_or_else(|| panic!("{leg} {text:?} missing in {lines:#?}"))
}

fn has(lines: &[Line], leg: &str, text: &str) -> bool {
    lines.iter().any(|l| l.leg == leg && l.text == text)
}

/// A caller that only waits (keys come from `SendDigits`).
async fn silent_caller() -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml("/start", r#"<Response><Pause length="30"/></Response>"#)
        .start()
        .await
}

#[tokio::test]
async fn interim_results_come_word_by_word_as_each_word_ends() {
    let said = "Welcome to Acme. For sales press 1.";
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(r#"<Response><Say>{said}</Say><Pause length="4"/></Response>"#),
        )
        .start()
        .await;
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/start",
            r#"<Response><Gather input="speech" partialResultCallback="/partial" action="/heard" speechTimeout="auto" timeout="6"/></Response>"#,
        )
        .route("/partial", |_| Reply::Status(204))
        .twiml("/heard", "<Response><Hangup/></Response>")
        .start()
        .await;
    // 5x: a word (0.4 s at 150 words per minute) lasts 80 ms on the wall clock.
    let emulator = emulator_at(vec![(IVR, ivr_at(ivr.url("/voice")))], 5.0, 150).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;
    let words: Vec<&str> = said.split_whitespace().collect();
    let received = caller
        .wait_for("an interim result per word", |r| {
            r.iter().filter(|x| x.path == "/partial").count() >= words.len()
        })
        .await;
    let partials: Vec<&Received> = received.iter().filter(|r| r.path == "/partial").collect();
    assert_eq!(partials.len(), words.len(), "one per word: {partials:#?}");
    let exact = |words: &[&str]| RecogniserModel::exact().hear(&words.join(" ")).text;
    for (k, partial) in partials.iter().enumerate() {
        assert!(partial.signed);
        assert_eq!(partial.param("SequenceNumber"), k.to_string());
        assert_eq!(partial.param("UnstableSpeechResult"), exact(&words[..=k]));
        assert_eq!(partial.param("StableSpeechResult"), exact(&words[..k]));
        assert_eq!(partial.param("SpeechActivity"), "true");
    }
    assert_eq!(
        partials[2].param("UnstableSpeechResult"),
        "Welcome to Acme."
    );
    // The final result is the whole utterance, as before.
    let heard = caller.received_at("/heard");
    assert_eq!(heard[0].param("SpeechResult"), said);

    // Each interim result is noted when its word has been said: `says:` carries the start of
    // the speech, and word k ends k * 60 / 150 s later (emulated time).
    let lines = transcript(&emulator.base_url, &sid).await;
    let start = lines[position(&lines, "callee", &format!("says: {said}"))].at;
    let interims: Vec<&Line> = lines
        .iter()
        .filter(|l| l.leg == "caller" && l.text.starts_with("interim "))
        .collect();
    assert_eq!(interims.len(), words.len(), "{lines:#?}");
    for (k, line) in interims.iter().enumerate() {
        assert_eq!(
            line.text,
            format!("interim {k}: {}", exact(&words[..=k])),
            "{lines:#?}"
        );
        let word_end = chrono::Duration::milliseconds(400 * (k as i64 + 1));
        let after = line.at - start;
        assert!(
            after >= word_end - chrono::Duration::milliseconds(2),
            "interim {k} at {after} came before its word ended ({word_end})"
        );
        assert!(
            after < word_end + chrono::Duration::milliseconds(800),
            "interim {k} at {after} came long after its word ended ({word_end})"
        );
    }
}

#[tokio::test]
async fn a_live_call_update_interrupts_a_gather_and_its_interim_results() {
    // The runner's way: as soon as an interim result shows the offer, redirect the caller leg
    // with inline TwiML that presses the key, while the IVR still speaks.
    let filler = "our opening hours are nine to five on weekdays. ".repeat(5);
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Gather input="dtmf" numDigits="1" action="/keys" timeout="10"><Say>Welcome to Acme. For sales press 1. {filler}</Say></Gather></Response>"#
            ),
        )
        .twiml(
            "/keys",
            r#"<Response><Say>Sales.</Say><Pause length="3"/><Hangup/></Response>"#,
        )
        .start()
        .await;
    let emulator_base = Arc::new(Mutex::new(String::new()));
    let base = emulator_base.clone();
    let redirected = Arc::new(AtomicBool::new(false));
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/start",
            r#"<Response><Gather input="speech" partialResultCallback="/partial" action="/heard" speechTimeout="auto" timeout="10"/></Response>"#,
        )
        .route("/partial", move |r: &Received| {
            if r.param("UnstableSpeechResult").contains("press 1")
                && !redirected.swap(true, Ordering::SeqCst)
            {
                let base = base.lock().expect("lock").clone();
                let sid = r.param("CallSid").to_string();
                let after = r.url.replace("/partial", "/after");
                tokio::spawn(async move {
                    let twiml = format!(
                        r#"<Response><Play digits="1"/><Gather input="speech" action="{after}" speechTimeout="auto" timeout="5"/></Response>"#
                    );
                    let (code, body) =
                        post(&base, &format!("Calls/{sid}.json"), &[("Twiml", &twiml)]).await;
                    assert_eq!(code, 200, "{body}");
                });
            }
            Reply::Status(204)
        })
        .twiml("/heard", "<Response><Hangup/></Response>")
        .twiml("/after", "<Response><Hangup/></Response>")
        .start()
        .await;
    let emulator = crate::harness::emulator::emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    *emulator_base.lock().expect("lock") = emulator.base_url.clone();
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;

    let keys = ivr.received_at("/keys");
    assert_eq!(keys.len(), 1, "the IVR's Gather got the key");
    assert_eq!(keys[0].param("Digits"), "1");
    assert!(
        caller.received_at("/heard").is_empty(),
        "the interrupted Gather's action is never requested"
    );
    // The key stopped the IVR's prompt: the caller's next Gather hears what follows, not the
    // rest of the prompt.
    let after = caller.received_at("/after");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].param("SpeechResult"), "Sales.");
    let lines = transcript(&emulator.base_url, &sid).await;
    let moved = position(&lines, "caller", "redirected through the REST API");
    let interims = |range: &[Line]| {
        range
            .iter()
            .filter(|l| l.leg == "caller" && l.text.starts_with("interim "))
            .count()
    };
    assert_eq!(
        interims(&lines[moved..]),
        0,
        "no interim result after the redirect: {lines:#?}"
    );
    let before = interims(&lines[..moved]);
    let words = 7 + filler.split_whitespace().count();
    assert!(
        (7..words).contains(&before),
        "interim results up to the offer, not the whole prompt: {before} of {words}"
    );
    let pressed = position(&lines, "caller", "presses: 1");
    let taken = position(&lines, "callee", "hears key: 1");
    assert!(moved < pressed && pressed < taken, "{lines:#?}");
    caller
        .wait_for("every interim result noted", |r| {
            r.iter().filter(|x| x.path == "/partial").count() == before
        })
        .await;
}

#[tokio::test]
async fn a_live_call_update_stops_the_nested_prompts_of_a_gather() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml("/voice", r#"<Response><Pause length="10"/></Response>"#)
        .start()
        .await;
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/start",
            r#"<Response><Gather input="dtmf" action="/heard" timeout="10"><Say>First prompt</Say><Pause length="3"/><Say>Second prompt</Say></Gather></Response>"#,
        )
        .twiml("/heard", "<Response><Hangup/></Response>")
        .start()
        .await;
    let emulator = crate::harness::emulator::emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    caller
        .wait_for("the caller's TwiML", |r| !r.is_empty())
        .await;
    // The call lasts beyond the end of the old prompts (3.8 s), which must not be heard.
    let twiml = r#"<Response><Say>Redirected</Say><Pause length="5"/><Hangup/></Response>"#;
    let (code, body) = post(
        &emulator.base_url,
        &format!("Calls/{sid}.json"),
        &[("Twiml", twiml)],
    )
    .await;
    assert_eq!(code, 200, "{body}");
    wait_until_ended(&emulator.base_url, &sid).await;
    let lines = transcript(&emulator.base_url, &sid).await;
    let moved = position(&lines, "caller", "redirected through the REST API");
    assert!(position(&lines, "caller", "says: First prompt") < moved);
    assert!(moved < position(&lines, "caller", "says: Redirected"));
    assert!(
        !has(&lines, "caller", "says: Second prompt"),
        "the nested prompts stopped: {lines:#?}"
    );
    assert!(caller.received_at("/heard").is_empty());
}

#[tokio::test]
async fn keys_pressed_before_a_gather_starts_are_lost() {
    // "Welcome" lasts 0.6 s at 100 words per minute; the Gather starts when it ends.
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Say>Welcome</Say><Gather input="dtmf" numDigits="1" action="/keys" timeout="2"/><Say>No key</Say><Hangup/></Response>"#,
        )
        .twiml("/keys", "<Response><Hangup/></Response>")
        .start()
        .await;
    let caller = silent_caller().await;
    // 2x: the key tone pressed at 0.5 s still sounds (until 0.7 s) when the Gather starts.
    let emulator = emulator_at(vec![(IVR, ivr_at(ivr.url("/voice")))], 2.0, 100).await;
    let during = place(&emulator, &caller.url("/start"), &[("SendDigits", "w1")]).await;
    wait_until_ended(&emulator.base_url, &during).await;
    let lines = transcript(&emulator.base_url, &during).await;
    assert!(ivr.received_at("/keys").is_empty(), "{lines:#?}");
    assert!(!has(&lines, "callee", "hears key: 1"), "{lines:#?}");
    position(&lines, "callee", "says: No key");

    // Pressed once the Gather listens, the key is taken, and noted when it arrives.
    let after = place(&emulator, &caller.url("/start"), &[("SendDigits", "ww1")]).await;
    wait_until_ended(&emulator.base_url, &after).await;
    let keys = ivr.received_at("/keys");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].param("Digits"), "1");
    let lines = transcript(&emulator.base_url, &after).await;
    let pressed = &lines[position(&lines, "caller", "presses: ww1")];
    let heard = &lines[position(&lines, "callee", "hears key: 1")];
    // The key sounds after the two half-second waits.
    assert!(heard.at - pressed.at >= chrono::Duration::milliseconds(998));
    assert!(!has(&lines, "callee", "says: No key"));
}

/// An IVR whose `<Gather>` (keys or speech, with `bargeIn` as given) has two prompts taking
/// 4.8 s, then says "No input" when nothing was gathered.
async fn prompting_ivr(input: &str, barge_in: &str) -> TwimlApp {
    let long = "please listen carefully as our menu options have changed";
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Gather input="{input}" numDigits="1" speechTimeout="auto" action="/gathered" timeout="5" {barge_in}><Say>{long}</Say><Say>Second prompt</Say></Gather><Say>No input</Say><Hangup/></Response>"#
            ),
        )
        .twiml("/gathered", "<Response><Hangup/></Response>")
        .start()
        .await
}

#[tokio::test]
async fn barge_in_false_plays_the_prompts_and_takes_keys_only_after_them() {
    let caller = silent_caller().await;
    // Key 1 during the first prompt (at 0.5 s), key 2 after both prompts (at 7.7 s).
    let digits = [("SendDigits", "w1WWWWWWW2")];
    for (barge_in, expected) in [("", "1"), (r#"bargeIn="false""#, "2")] {
        let ivr = prompting_ivr("dtmf", barge_in).await;
        let emulator =
            crate::harness::emulator::emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
        let sid = place(&emulator, &caller.url("/start"), &digits).await;
        wait_until_ended(&emulator.base_url, &sid).await;
        let lines = transcript(&emulator.base_url, &sid).await;
        let gathered = ivr.received_at("/gathered");
        assert_eq!(gathered.len(), 1, "{barge_in}: {lines:#?}");
        assert_eq!(gathered[0].param("Digits"), expected, "{barge_in}");
        position(&lines, "callee", &format!("hears key: {expected}"));
        let played_on = has(&lines, "callee", "says: Second prompt");
        if barge_in.is_empty() {
            assert!(!played_on, "the key stopped the prompts: {lines:#?}");
        } else {
            assert!(played_on, "bargeIn=false: the prompts play on: {lines:#?}");
            assert!(!has(&lines, "callee", "hears key: 1"), "{lines:#?}");
        }
    }
}

#[tokio::test]
async fn barge_in_false_does_not_take_speech_during_the_prompts() {
    // The caller speaks from 1 s to 1.8 s, during the IVR's first prompt.
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/start",
            r#"<Response><Pause length="1"/><Say>operator please</Say><Pause length="20"/></Response>"#,
        )
        .start()
        .await;
    for barge_in in ["", r#"bargeIn="false""#] {
        let ivr = prompting_ivr("speech", barge_in).await;
        let emulator =
            crate::harness::emulator::emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
        let sid = place(&emulator, &caller.url("/start"), &[]).await;
        wait_until_ended(&emulator.base_url, &sid).await;
        let lines = transcript(&emulator.base_url, &sid).await;
        let gathered = ivr.received_at("/gathered");
        let played_on = has(&lines, "callee", "says: Second prompt");
        if barge_in.is_empty() {
            assert_eq!(gathered.len(), 1, "{lines:#?}");
            assert_eq!(gathered[0].param("SpeechResult"), "Operator please.");
            assert!(!played_on, "the speech stopped the prompts: {lines:#?}");
        } else {
            assert!(
                gathered.is_empty(),
                "speech during the prompts is not taken"
            );
            assert!(played_on, "bargeIn=false: the prompts play on: {lines:#?}");
            position(&lines, "callee", "says: No input");
        }
    }
}

#[tokio::test]
async fn a_prompt_stopped_by_a_key_is_heard_only_up_to_the_key() {
    // The caller presses 1 at 1 s, before it listens; its Gather then starts while the IVR's
    // prompt would still be playing, had the key not stopped it.
    let filler = "our opening hours are nine to five on weekdays. ".repeat(5);
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Gather input="dtmf" numDigits="1" action="/keys" timeout="10"><Say>Welcome to Acme. {filler}</Say></Gather></Response>"#
            ),
        )
        .twiml(
            "/keys",
            r#"<Response><Say>Sales.</Say><Pause length="3"/><Hangup/></Response>"#,
        )
        .start()
        .await;
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/start",
            r#"<Response><Gather input="speech" action="/heard" speechTimeout="auto" timeout="5"/></Response>"#,
        )
        .twiml("/heard", "<Response><Hangup/></Response>")
        .start()
        .await;
    let emulator = crate::harness::emulator::emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let sid = place(&emulator, &caller.url("/start"), &[("SendDigits", "W1")]).await;
    wait_until_ended(&emulator.base_url, &sid).await;
    assert_eq!(ivr.received_at("/keys")[0].param("Digits"), "1");
    let heard = caller.received_at("/heard");
    assert_eq!(heard.len(), 1);
    assert_eq!(heard[0].param("SpeechResult"), "Sales.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_last_words_before_a_hang_up_reach_the_interim_callback_before_the_end() {
    // The IVR hangs up the moment its last word ends: that word's interim result and the end
    // of the call race, on several threads, for several calls at once. It pauses first, so the
    // caller's `<Gather>` listens before the words begin even on a loaded machine (the race at
    // the start is not this test's).
    let said = "Thanks for calling. Goodbye.";
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(r#"<Response><Pause length="3"/><Say>{said}</Say><Hangup/></Response>"#),
        )
        .start()
        .await;
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/start",
            r#"<Response><Gather input="speech" partialResultCallback="/partial" action="/heard" speechTimeout="auto" timeout="6"/></Response>"#,
        )
        .route("/partial", |_| Reply::Status(204))
        .route("/status", |_| Reply::Status(204))
        .start()
        .await;
    let emulator = crate::harness::emulator::emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let status = caller.url("/status");
    let mut sids = Vec::new();
    for _ in 0..5 {
        let extra = [
            ("StatusCallback", status.as_str()),
            ("StatusCallbackEvent", "completed"),
        ];
        sids.push(place(&emulator, &caller.url("/start"), &extra).await);
    }
    for sid in &sids {
        wait_until_ended(&emulator.base_url, sid).await;
    }
    let received = caller
        .wait_for("five completed callbacks", |r| {
            r.iter().filter(|x| x.path == "/status").count() == 5
        })
        .await;
    let whole = RecogniserModel::exact().hear(said).text;
    for sid in &sids {
        let of_call: Vec<&Received> = received
            .iter()
            .filter(|r| r.param("CallSid") == sid)
            .collect();
        let last = of_call
            .iter()
            .position(|r| r.path == "/partial" && r.param("UnstableSpeechResult") == whole)
            .unwrap_or_else(|| panic!("the last word's interim result is missing: {of_call:#?}"));
        let completed = of_call
            .iter()
            .position(|r| r.path == "/status")
            .expect("completed");
        assert!(last < completed, "{of_call:#?}");
        assert!(caller.received_at("/heard").is_empty());
    }
}

#[tokio::test]
async fn a_live_call_update_while_ringing_is_the_twiml_the_call_starts_with() {
    // Twilio runs the TwiML of the latest update once the call is answered; the emulator used
    // to drop an update that came while the call rang.
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Gather input="dtmf" numDigits="1" action="/keys" timeout="5"><Say>Press 1.</Say></Gather></Response>"#,
        )
        .twiml("/keys", "<Response><Hangup/></Response>")
        .start()
        .await;
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml("/start", r#"<Response><Pause length="30"/></Response>"#)
        .start()
        .await;
    let rings = twilio_emulator::config::NumberConfig {
        answer_after_rings: Some(2),
        ..ivr_at(ivr.url("/voice"))
    };
    let emulator = crate::harness::emulator::emulator(vec![(IVR, rings)]).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    let twiml = r#"<Response><Play digits="1"/><Pause length="5"/></Response>"#;
    let (code, body) = post(
        &emulator.base_url,
        &format!("Calls/{sid}.json"),
        &[("Twiml", twiml)],
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["status"], "ringing", "updated before the answer");
    wait_until_ended(&emulator.base_url, &sid).await;
    assert!(
        caller.received_at("/start").is_empty(),
        "the first TwiML never ran"
    );
    let keys = ivr.received_at("/keys");
    assert_eq!(keys.len(), 1, "the updated TwiML pressed the key");
    assert_eq!(keys[0].param("Digits"), "1");
}
