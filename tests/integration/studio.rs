//! Studio flows in the emulator, end to end: a caller's TwiML application calls a number whose
//! IVR is a flow definition, through the REST API, and hears, presses and speaks as on a phone.
//! These are the voice widgets; `studio_logic` has the others, `studio_flows` whole flows.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::harness::emulator::{get, TOKEN};
use crate::harness::studio::{call, caller, flow, heard, said, say, studio, transcript};
use crate::harness::twiml_app::{Received, Reply, TwimlAppBuilder};

fn menu(properties: serde_json::Value, speech_next: Option<&str>) -> serde_json::Value {
    json!({"name": "menu", "type": "gather-input-on-call", "properties": properties,
           "transitions": [{"event": "keypress", "next": "keys"}, {"event": "speech", "next": speech_next},
                           {"event": "timeout", "next": "silence"}]})
}

#[tokio::test]
async fn say_play_says_with_loop_plays_a_url_and_presses_digits() {
    let flow = flow(json!([
        {"name": "welcome", "type": "say-play",
         "properties": {"say": "Welcome to <emphasis>Acme</emphasis>.", "voice": "Polly.Joanna",
                        "language": "en-US", "loop": 2},
         "transitions": [{"event": "audioComplete", "next": "tones"}]},
        {"name": "tones", "type": "say-play", "properties": {"digits": "1w2"},
         "transitions": [{"event": "audioComplete", "next": "music"}]},
        {"name": "music", "type": "say-play", "properties": {"play": "https://example.com/hold.mp3"},
         "transitions": [{"event": "audioComplete", "next": "bye"}]},
        say("bye", "Goodbye.", None)
    ]));
    let (emulator, _dir) = studio(&flow).await;
    let caller = caller(|_| String::new()).await;
    let ended = call(&emulator, &caller, &[]).await;
    assert_eq!(ended["status"], "completed");
    let lines = transcript(&emulator, &ended).await;
    let callee: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("callee: "))
        .filter(|l| !l.starts_with("call "))
        .collect();
    assert_eq!(
        callee,
        [
            "says: Welcome to Acme.",
            "says: Welcome to Acme.",
            "presses: 1w2",
            "plays: https://example.com/hold.mp3",
            "says: Goodbye.",
            "hangs up"
        ],
        "{lines:#?}"
    );
    assert!(
        heard(&caller)[0].starts_with("Welcome to Acme."),
        "{:?}",
        heard(&caller)
    );
}

#[tokio::test]
async fn gather_input_routes_keypress_speech_and_timeout() {
    let flow = flow(json!([
        menu(json!({"say": "Press a key or say sales.", "number_of_digits": 1, "timeout": 2,
                    "speech_timeout": "auto", "hints": "sales,support", "gather_language": "en-US",
                    "speech_model": "phone_call"}), Some("words")),
        say("keys", "You pressed {{widgets.menu.Digits}}.", None),
        say("words", "You said {{widgets.menu.SpeechResult | downcase}} with confidence {{widgets.menu.Confidence | round: 1}}.", None),
        say("silence", "We did not hear you.", None)
    ]));
    let (emulator, _dir) = studio(&flow).await;

    let presser = caller(|h| {
        if h.starts_with("Press") {
            r#"<Play digits="7"/>"#.into()
        } else {
            String::new()
        }
    })
    .await;
    let ended = call(&emulator, &presser, &[]).await;
    assert_eq!(
        said(&emulator, &ended).await.last().map(String::as_str),
        Some("You pressed 7.")
    );

    let speaker = caller(|h| {
        if h.starts_with("Press") {
            "<Say>Sales please</Say>".into()
        } else {
            String::new()
        }
    })
    .await;
    let ended = call(&emulator, &speaker, &[]).await;
    assert_eq!(
        said(&emulator, &ended).await.last().map(String::as_str),
        Some("You said sales please. with confidence 0.9.")
    );

    let silent = caller(|_| String::new()).await;
    let ended = call(&emulator, &silent, &[]).await;
    assert_eq!(
        said(&emulator, &ended).await.last().map(String::as_str),
        Some("We did not hear you.")
    );
    assert_eq!(emulator.studio_executions(), 0);
}

#[tokio::test]
async fn gather_stops_at_the_finish_key_only_with_stop_gather() {
    let flow = |stop: bool| {
        flow(json!([
            menu(
                json!({"say": "Enter your account number.", "stop_gather": stop, "finish_on_key": "#", "timeout": 2}),
                None
            ),
            say("keys", "Account {{widgets.menu.Digits}}.", None),
            say("silence", "Nothing.", None)
        ]))
    };
    for (stop, expected) in [(true, "Account 123."), (false, "Account 123#.")] {
        let (emulator, _dir) = studio(&flow(stop)).await;
        let caller = caller(|h| {
            if h.starts_with("Enter") {
                r#"<Play digits="123#"/>"#.into()
            } else {
                String::new()
            }
        })
        .await;
        let ended = call(&emulator, &caller, &[]).await;
        assert_eq!(
            said(&emulator, &ended).await.last().map(String::as_str),
            Some(expected)
        );
    }
}

#[tokio::test]
async fn connect_call_to_dials_the_party() {
    // An unlisted number rings until the widget's timeout; without a transition the execution
    // ends and the call with it.
    let flow = flow(json!([
        say("hold", "Transferring you now.", Some("agent")),
        {"name": "agent", "type": "connect-call-to",
         "properties": {"noun": "number", "to": "+15557654321", "caller_id": "{{contact.channel.address}}", "timeout": 20},
         "transitions": [{"event": "callCompleted"}, {"event": "hangup"}]}
    ]));
    let (emulator, _dir) = studio(&flow).await;
    let caller = caller(|_| String::new()).await;
    let ended = call(&emulator, &caller, &[]).await;
    assert_eq!(ended["status"], "completed");
    let lines = transcript(&emulator, &ended).await;
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("callee: dials +15557654321 (CA")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l == "callee: dial of +15557654321: no-answer"),
        "{lines:#?}"
    );
}

#[tokio::test]
async fn record_voicemail_stores_a_recording_or_hears_no_audio() {
    let flow = flow(json!([
        say("intro", "Please leave a message after the beep.", Some("voicemail")),
        {"name": "voicemail", "type": "record-voicemail",
         "properties": {"timeout": 2, "max_length": 60, "finish_on_key": "#", "play_beep": "true", "trim": "trim-silence"},
         "transitions": [{"event": "recordingComplete", "next": "thanks"}, {"event": "noAudio", "next": "nothing"},
                         {"event": "hangup"}]},
        say("thanks", "Thanks. We got {{widgets.voicemail.RecordingDuration}} seconds.", None),
        say("nothing", "We did not get a message.", None)
    ]));
    let (emulator, _dir) = studio(&flow).await;
    let talker = caller(|h| {
        if h.starts_with("Please leave") {
            "<Say>Hello this is Ada calling about my order</Say>".into()
        } else {
            String::new()
        }
    })
    .await;
    let ended = call(&emulator, &talker, &[]).await;
    let last = said(&emulator, &ended).await.pop().unwrap_or_default();
    assert!(
        last.starts_with("Thanks. We got ") && !last.contains("got 0"),
        "{last}"
    );
    let sid = ended["sid"].as_str().unwrap_or_default();
    let recordings = get(&emulator.base_url, &format!("Calls/{sid}/Recordings.json")).await;
    assert_eq!(
        recordings["recordings"].as_array().map(Vec::len),
        Some(1),
        "{recordings}"
    );

    let silent = caller(|_| String::new()).await;
    let ended = call(&emulator, &silent, &[]).await;
    assert_eq!(
        said(&emulator, &ended).await.last().map(String::as_str),
        Some("We did not get a message.")
    );
    let sid = ended["sid"].as_str().unwrap_or_default();
    let recordings = get(&emulator.base_url, &format!("Calls/{sid}/Recordings.json")).await;
    assert_eq!(
        recordings["recordings"].as_array().map(Vec::len),
        Some(0),
        "{recordings}"
    );
}

#[tokio::test]
async fn record_voicemail_transcribes_to_the_transcription_callback_url() {
    let app = TwimlAppBuilder::new(TOKEN)
        .route("/transcribed", |_| Reply::Status(204))
        .start()
        .await;
    let flow = flow(json!([
        say("intro", "Please leave a message after the beep.", Some("voicemail")),
        {"name": "voicemail", "type": "record-voicemail",
         "properties": {"timeout": 2, "transcribe": true,
                        "transcription_callback_url": app.url("/transcribed")},
         "transitions": [{"event": "recordingComplete", "next": "thanks"}, {"event": "hangup"}]},
        say("thanks", "Thanks.", None)
    ]));
    let (emulator, _dir) = studio(&flow).await;
    let talker = caller(|h| {
        if h.starts_with("Please leave") {
            "<Say>Please call me back.</Say>".into()
        } else {
            String::new()
        }
    })
    .await;
    let ended = call(&emulator, &talker, &[]).await;
    let callbacks: Vec<Received> = app.received_at("/transcribed");
    assert_eq!(callbacks.len(), 1, "{callbacks:?}");
    assert!(callbacks[0].signed, "{callbacks:?}");
    assert_eq!(
        callbacks[0].param("TranscriptionText"),
        "Please call me back."
    );
    assert_eq!(callbacks[0].param("TranscriptionStatus"), "completed");
    let sid = ended["sid"].as_str().unwrap_or_default();
    let recordings = get(&emulator.base_url, &format!("Calls/{sid}/Recordings.json")).await;
    let recording = &recordings["recordings"][0];
    assert_eq!(recording["source"], "RecordVerb", "{recordings}");
    assert_eq!(recording["sid"], callbacks[0].param("RecordingSid"));
    let recording_sid = recording["sid"].as_str().unwrap_or_default();
    let transcriptions = get(
        &emulator.base_url,
        &format!("Recordings/{recording_sid}/Transcriptions.json"),
    )
    .await;
    assert_eq!(
        transcriptions["transcriptions"][0]["transcription_text"], "Please call me back.",
        "{transcriptions}"
    );
}

#[tokio::test]
async fn add_twiml_redirect_hands_the_call_over_and_takes_it_back() {
    let flow_url = Arc::new(Mutex::new(String::new()));
    let back = flow_url.clone();
    let legacy = TwimlAppBuilder::new(TOKEN)
        .route("/legacy", move |r: &Received| {
            let url = back.lock().expect("lock").clone();
            Reply::Twiml(format!(
                "<Response><Say>This is the old menu for {}.</Say><Redirect>{url}?FlowEvent=return&amp;code=7</Redirect></Response>",
                r.param("From")
            ))
        })
        .start()
        .await;
    let flow = flow(json!([
        {"name": "handoff", "type": "add-twiml-redirect",
         "properties": {"url": legacy.url("/legacy?lang={{trigger.call.ToCountry | default: 'US'}}"), "method": "POST", "timeout": "14400"},
         "transitions": [{"event": "return", "next": "welcome_back"}, {"event": "timeout"}, {"event": "fail"}]},
        say("welcome_back", "Welcome back to the flow, code {{widgets.handoff.code}}.", None)
    ]));
    let (emulator, _dir) = studio(&flow).await;
    let url = emulator
        .studio_webhook_url(crate::harness::emulator::IVR)
        .expect("flow URL");
    *flow_url.lock().expect("lock") = url;
    let caller = caller(|_| String::new()).await;
    let ended = call(&emulator, &caller, &[]).await;
    let said = said(&emulator, &ended).await;
    assert_eq!(
        said,
        [
            "This is the old menu for +15005550006.",
            "Welcome back to the flow, code 7."
        ]
    );
    let handed = legacy.received_at("/legacy");
    assert_eq!(handed.len(), 1);
    assert!(
        handed[0].url.ends_with("/legacy?lang=US"),
        "{}",
        handed[0].url
    );
    assert!(handed[0].signed, "the redirect is a signed Twilio request");
}

#[tokio::test]
async fn an_execution_ends_when_the_caller_hangs_up_mid_flow() {
    let flow = flow(json!([
        menu(json!({"say": "Press a key.", "timeout": 30}), None),
        say("keys", "Thanks.", None),
        say("silence", "Bye.", None)
    ]));
    let (emulator, _dir) = studio(&flow).await;
    let caller = caller(|_| "<Hangup/>".into()).await;
    let ended = call(&emulator, &caller, &[]).await;
    assert_eq!(ended["status"], "completed");
    for _ in 0..100 {
        if emulator.studio_executions() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the execution outlived its call");
}
