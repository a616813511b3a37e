//! Authentication, unknown resources and methods, and the loopback ledger.

use super::*;
use crate::model::{Leg, TranscriptLine};

#[tokio::test]
async fn every_authentication_failure_is_401_20003() {
    let emulator = Emulator::start().await;
    let calls = format!("{}{}", emulator.base, account_path("Calls.json"));
    let other_path = format!(
        "{}/2010-04-01/Accounts/{OTHER_SID}/Calls.json",
        emulator.base
    );
    let attempts = [
        emulator.client.get(&calls),
        emulator.client.get(&calls).basic_auth(SID, Some("wrong")),
        emulator
            .client
            .get(&calls)
            .basic_auth(OTHER_SID, Some(OTHER_TOKEN)),
        emulator
            .client
            .get(&other_path)
            .basic_auth(SID, Some(TOKEN)),
        emulator.client.get(&calls).bearer_auth(TOKEN),
        emulator.client.post(&calls).form(&[("To", IVR)]),
    ];
    for attempt in attempts {
        let response = attempt.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401);
        assert_eq!(
            response.headers()["www-authenticate"],
            "Basic realm=\"Twilio API\""
        );
        let body: Value = response.json().await.unwrap();
        assert_error(&(401, body), 401, 20003, "Authenticate");
    }
    assert_eq!(emulator.asked(), []);
}

#[tokio::test]
async fn unknown_resources_are_20404_with_their_path() {
    let emulator = Emulator::start().await;
    for path in [
        account_path("Conferences.json"),
        account_path("Calls/.json"),
        "/2010-04-01/Accounts//Messages.json".to_string(),
        "/v1/Flows".to_string(),
    ] {
        let message = format!("The requested resource {path} was not found");
        assert_error(&emulator.get(&path).await, 404, 20404, &message);
    }
    let url = format!("{}{}", emulator.base, account_path("Messages.json"));
    let response = emulator.send(emulator.client.delete(url)).await;
    assert_error(&response, 405, 20004, "Method not allowed");
}

#[tokio::test]
async fn the_ledger_shows_every_call_with_its_transcript() {
    let emulator = Emulator::start().await;
    let health = emulator
        .client
        .get(format!("{}/_emulator/health", emulator.base));
    assert_eq!(health.send().await.unwrap().status().as_u16(), 200);
    let sid = sid_of(&emulator.create_call(&[]).await);
    let at = chrono::Utc::now();
    emulator.store.update_call(&sid, |call| {
        call.status = CallStatus::Completed;
        call.start_time = Some(at);
        call.end_time = Some(at + chrono::Duration::seconds(7));
        call.queue_time_ms = 250;
        call.recording_sid = Some("RE00000000000000000000000000000001".into());
        call.transcript.push(TranscriptLine {
            at,
            leg: Leg::Callee,
            text: "say: Welcome".into(),
        });
        call.transcript.push(TranscriptLine {
            at,
            leg: Leg::Caller,
            text: "heard: Welcome".into(),
        });
    });
    // No credentials: a loopback tool.
    let response = emulator
        .client
        .get(format!("{}/_emulator/calls", emulator.base));
    let ledger: Value = response.send().await.unwrap().json().await.unwrap();
    let entry = &ledger[0];
    assert_eq!(ledger.as_array().unwrap().len(), 1);
    assert_eq!(entry["sid"], sid.as_str());
    assert_eq!(
        (entry["to"].as_str(), entry["from"].as_str()),
        (Some(IVR), Some(CALLER))
    );
    assert_eq!(entry["status"], "completed");
    assert_eq!(entry["duration"], 7);
    assert_eq!(entry["queue_time_ms"], 250);
    assert_eq!(entry["recording_sid"], "RE00000000000000000000000000000001");
    let transcript = entry["transcript"].as_array().unwrap();
    assert_eq!(transcript.len(), 2);
    assert_eq!(transcript[0]["leg"], "callee");
    assert_eq!(transcript[0]["text"], "say: Welcome");
    assert_eq!(transcript[1]["leg"], "caller");
    assert!(transcript[0]["time"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn the_ledger_lists_each_calls_recordings_with_their_source() {
    use crate::model::{RecordingRecord, RecordingSource};
    let emulator = Emulator::start().await;
    let sid = sid_of(&emulator.create_call(&[]).await);
    let other = sid_of(&emulator.create_call(&[]).await);
    emulator.store.insert_recording(RecordingRecord {
        sid: "RE00000000000000000000000000000002".into(),
        account_sid: SID.into(),
        call_sid: sid.clone(),
        duration_secs: 4,
        date_created: chrono::Utc::now(),
        source: RecordingSource::RecordVerb,
        channels: 1,
    });
    let response = emulator
        .client
        .get(format!("{}/_emulator/calls", emulator.base));
    let ledger: Value = response.send().await.unwrap().json().await.unwrap();
    let entry = |call: &str| {
        ledger
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["sid"] == call)
            .cloned()
            .unwrap()
    };
    let recordings = entry(&sid)["recordings"].clone();
    assert_eq!(recordings.as_array().map(Vec::len), Some(1), "{recordings}");
    assert_eq!(recordings[0]["sid"], "RE00000000000000000000000000000002");
    assert_eq!(recordings[0]["source"], "RecordVerb");
    assert_eq!(recordings[0]["duration"], 4);
    assert_eq!(recordings[0]["transcription"], Value::Null);
    assert_eq!(entry(&other)["recordings"], serde_json::json!([]));
}
