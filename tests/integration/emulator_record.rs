//! `<Record>` end to end: a voicemail left by a caller, its recording (source `RecordVerb`, in
//! the ledger) and its transcription (the REST resource and the signed `transcribeCallback`).

use twilio_emulator::server::RunningEmulator;

use crate::harness::emulator::{
    create_call, emulator, get, ivr_at, ledger, wait_until_ended, ACCOUNT, CALLER, IVR, TOKEN,
};
use crate::harness::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};

/// An IVR that asks for a message and records it, transcribed, with `record`'s attributes.
async fn voicemail_ivr(record: &str) -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Say>Please leave a message.</Say><Record timeout="2" action="/done" {record}/></Response>"#
            ),
        )
        .twiml("/done", "<Response><Say>Goodbye.</Say><Hangup/></Response>")
        .route("/t", |_| Reply::Status(204))
        .start()
        .await
}

/// A caller that waits for the IVR's prompt, then does what `after_prompt` (TwiML verbs) says
/// and stays on the line.
async fn caller_who(after_prompt: &str) -> TwimlApp {
    let listen = r#"<Response><Gather input="speech" action="/heard" speechTimeout="auto" timeout="4"/></Response>"#;
    TwimlAppBuilder::new(TOKEN)
        .twiml("/start", listen)
        .twiml(
            "/heard",
            &format!(r#"<Response>{after_prompt}<Pause length="30"/></Response>"#),
        )
        .start()
        .await
}

/// Places the call from the caller to the IVR and waits until it has ended; returns the call.
async fn call(emulator: &RunningEmulator, caller: &TwimlApp) -> serde_json::Value {
    let start = caller.url("/start");
    let (code, call) = create_call(
        &emulator.base_url,
        &[("To", IVR), ("From", CALLER), ("Url", start.as_str())],
    )
    .await;
    assert_eq!(code, 201, "{call}");
    wait_until_ended(&emulator.base_url, call["sid"].as_str().expect("sid")).await
}

#[tokio::test]
async fn a_transcribed_voicemail_reaches_the_callback_the_api_and_the_ledger() {
    let ivr = voicemail_ivr(r#"transcribe="true" transcribeCallback="/t""#).await;
    let caller = caller_who("<Say>Please call me back.</Say>").await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let ended = call(&emulator, &caller).await;
    assert_eq!(ended["status"], "completed", "{ended}");

    // The callback: signed, with the text as heard and the recording it belongs to.
    let callbacks = ivr.received_at("/t");
    assert_eq!(callbacks.len(), 1, "one transcribe callback: {callbacks:?}");
    let callback: &Received = &callbacks[0];
    assert!(callback.signed, "signed like every webhook: {callback:?}");
    assert_eq!(callback.method, "POST");
    assert_eq!(callback.param("TranscriptionText"), "Please call me back.");
    assert_eq!(callback.param("TranscriptionStatus"), "completed");
    assert_eq!(callback.param("AccountSid"), ACCOUNT);
    assert_eq!(callback.param("From"), CALLER);
    assert_eq!(callback.param("To"), IVR);
    let transcription_sid = callback.param("TranscriptionSid");
    let recording_sid = callback.param("RecordingSid");
    assert!(transcription_sid.starts_with("TR"), "{callback:?}");
    assert!(recording_sid.starts_with("RE"), "{callback:?}");
    assert!(
        callback
            .param("RecordingUrl")
            .ends_with(&format!("/Recordings/{recording_sid}")),
        "{callback:?}"
    );
    let transcription_url = format!(
        "{}/2010-04-01/Accounts/{ACCOUNT}/Transcriptions/{transcription_sid}.json",
        emulator.base_url
    );
    assert_eq!(callback.param("TranscriptionUrl"), transcription_url);
    // The action request got the same recording.
    let done = ivr.received_at("/done");
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0].param("RecordingSid"), recording_sid);

    // The Transcriptions API: the account's list, the recording's list, the instance.
    let listed = get(&emulator.base_url, "Transcriptions.json").await;
    let transcriptions = listed["transcriptions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(transcriptions.len(), 1, "{listed}");
    let transcription = &transcriptions[0];
    assert_eq!(transcription["sid"], transcription_sid);
    assert_eq!(transcription["recording_sid"], recording_sid);
    assert_eq!(transcription["status"], "completed");
    assert_eq!(transcription["transcription_text"], "Please call me back.");
    assert_eq!(transcription["type"], "fast");
    assert_eq!(transcription["price"], serde_json::Value::Null);
    let of_recording = get(
        &emulator.base_url,
        &format!("Recordings/{recording_sid}/Transcriptions.json"),
    )
    .await;
    assert_eq!(of_recording["transcriptions"][0], *transcription);
    let fetched = get(
        &emulator.base_url,
        &format!("Transcriptions/{transcription_sid}.json"),
    )
    .await;
    assert_eq!(fetched, *transcription);

    // The recording: made by <Record>, and in its call's ledger entry.
    let recording = get(
        &emulator.base_url,
        &format!("Recordings/{recording_sid}.json"),
    )
    .await;
    assert_eq!(recording["source"], "RecordVerb", "{recording}");
    let calls = ledger(&emulator.base_url).await;
    let entry = calls
        .as_array()
        .and_then(|calls| {
            calls
                .iter()
                .find(|c| c["sid"] == recording["call_sid"])
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(entry["recordings"][0]["sid"], recording_sid, "{calls}");
    assert_eq!(entry["recordings"][0]["source"], "RecordVerb", "{calls}");
    let in_ledger = &entry["recordings"][0]["transcription"];
    assert_eq!(in_ledger["sid"], transcription_sid, "{calls}");
    assert_eq!(in_ledger["status"], "completed");
    assert_eq!(in_ledger["text"], "Please call me back.");
    // The IVR's own call, as in its other webhooks.
    assert_eq!(callback.param("CallSid"), done[0].param("CallSid"));
}

#[tokio::test]
async fn a_voicemail_without_words_fails_to_transcribe() {
    let ivr = voicemail_ivr(r#"transcribe="true" transcribeCallback="/t""#).await;
    // Audio is heard (so there is a recording) but nothing is said. The emulator does not fetch
    // played media, so the URL is never requested.
    let caller = caller_who("<Play>http://127.0.0.1:9/music.wav</Play>").await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    call(&emulator, &caller).await;
    let callbacks = ivr.received_at("/t");
    assert_eq!(callbacks.len(), 1, "{callbacks:?}");
    assert!(callbacks[0].signed);
    assert_eq!(callbacks[0].param("TranscriptionStatus"), "failed");
    assert_eq!(callbacks[0].param("TranscriptionText"), "");
    let listed = get(&emulator.base_url, "Transcriptions.json").await;
    assert_eq!(listed["transcriptions"][0]["status"], "failed", "{listed}");
}

#[tokio::test]
async fn without_transcribe_there_is_no_transcription() {
    let ivr = voicemail_ivr(r#"transcribeCallback="/t""#).await;
    let caller = caller_who("<Say>Please call me back.</Say>").await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    call(&emulator, &caller).await;
    assert!(ivr.received_at("/t").is_empty());
    let listed = get(&emulator.base_url, "Transcriptions.json").await;
    assert_eq!(listed["transcriptions"], serde_json::json!([]), "{listed}");
    let recordings = get(&emulator.base_url, "Recordings.json").await;
    assert_eq!(recordings["recordings"][0]["source"], "RecordVerb");
}
