//! Recordings: lists, fetch, and the media file (WAV by default, MP3 on request).

use super::*;
use crate::model::{RecordingRecord, RecordingSource};

const RECORDING: &str = "RE00000000000000000000000000000001";

async fn emulator_with_recording() -> (Emulator, String) {
    let emulator = Emulator::start().await;
    let call = sid_of(&emulator.create_call(&[("Record", "true")]).await);
    emulator.set_status(&call, CallStatus::Completed);
    emulator.store.insert_recording(RecordingRecord {
        sid: RECORDING.into(),
        account_sid: SID.into(),
        call_sid: call.clone(),
        duration_secs: 3,
        date_created: chrono::Utc::now(),
        source: RecordingSource::OutboundApi,
        channels: 1,
    });
    (emulator, call)
}

#[tokio::test]
async fn recordings_list_per_account_and_per_call() {
    let (emulator, call) = emulator_with_recording().await;
    let (status, page) = emulator.get(&account_path("Recordings.json")).await;
    assert_eq!(status, 200, "{page}");
    let recording = &page["recordings"][0];
    assert_eq!(recording["sid"], RECORDING);
    assert_eq!(recording["call_sid"], call.as_str());
    assert_eq!(recording["duration"], "3");
    assert_eq!(recording["source"], "OutboundAPI");
    assert_eq!(
        recording["uri"],
        account_path(&format!("Recordings/{RECORDING}.json"))
    );
    let media_url = recording["media_url"].as_str().unwrap();
    assert_eq!(
        media_url,
        format!(
            "{}{}",
            emulator.base,
            account_path(&format!("Recordings/{RECORDING}"))
        )
    );
    let (_, per_call) = emulator
        .get(&account_path(&format!("Calls/{call}/Recordings.json")))
        .await;
    // Read through its call, a recording's `uri` is under the call, as Twilio's is.
    let through_call = account_path(&format!("Calls/{call}/Recordings/{RECORDING}.json"));
    let mut expected = page["recordings"].clone();
    expected[0]["uri"] = through_call.clone().into();
    assert_eq!(per_call["recordings"], expected);
    let (status, fetched_through_call) = emulator.get(&through_call).await;
    assert_eq!(status, 200, "{fetched_through_call}");
    assert_eq!(fetched_through_call, expected[0]);
    let other_call = account_path(&format!(
        "Calls/CA00000000000000000000000000000000/Recordings/{RECORDING}.json"
    ));
    assert_eq!(emulator.get(&other_call).await.0, 404);
    let (_, fetched) = emulator
        .get(&account_path(&format!("Recordings/{RECORDING}.json")))
        .await;
    assert_eq!(&fetched, recording);
    let (_, filtered) = emulator
        .get(&account_path(
            "Recordings.json?CallSid=CA00000000000000000000000000000000",
        ))
        .await;
    assert_eq!(filtered["recordings"], serde_json::json!([]));
    let unknown_call = account_path("Calls/CA00000000000000000000000000000000/Recordings.json");
    let message = format!("The requested resource {unknown_call} was not found");
    assert_error(&emulator.get(&unknown_call).await, 404, 20404, &message);
}

#[tokio::test]
async fn media_is_silence_of_the_recorded_length_without_credentials() {
    let (emulator, _) = emulator_with_recording().await;
    let media = format!(
        "{}{}",
        emulator.base,
        account_path(&format!("Recordings/{RECORDING}"))
    );
    for url in [media.clone(), format!("{media}.wav")] {
        let response = emulator.client.get(&url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "audio/x-wav");
        let wav = response.bytes().await.unwrap();
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(&wav[8..12], b"WAVE");
        assert_eq!(wav.len(), 44 + 3 * 8000 * 2, "3 s of 16-bit 8 kHz mono");
    }
    let response = emulator
        .client
        .get(format!("{media}.mp3"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "audio/mpeg");
    let mp3 = response.bytes().await.unwrap();
    assert_eq!(&mp3[..2], &[0xFF, 0xFB]);
    let unknown = account_path("Recordings/RE00000000000000000000000000000009.wav");
    let response = emulator
        .client
        .get(format!("{}{unknown}", emulator.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let theirs = format!(
        "{}/2010-04-01/Accounts/{OTHER_SID}/Recordings/{RECORDING}",
        emulator.base
    );
    let response = emulator.client.get(theirs).send().await.unwrap();
    assert_eq!(
        response.status().as_u16(),
        404,
        "media belongs to its account"
    );
}
