//! Transcriptions: the account's list (paged), one recording's list, and fetch.

use super::*;
use crate::model::{RecordingRecord, RecordingSource, TranscriptionRecord, TranscriptionStatus};

const RECORDING: &str = "RE00000000000000000000000000000001";
const OTHER_RECORDING: &str = "RE00000000000000000000000000000002";

fn transcription(n: u32, recording: &str, status: TranscriptionStatus) -> TranscriptionRecord {
    TranscriptionRecord {
        sid: format!("TR{n:032}"),
        account_sid: SID.into(),
        recording_sid: recording.into(),
        call_sid: "CA00000000000000000000000000000001".into(),
        status,
        text: match status {
            TranscriptionStatus::Completed => format!("message {n}"),
            TranscriptionStatus::Failed => String::new(),
        },
        duration_secs: 3,
        // One second apart, so newest-first order is defined.
        date_created: chrono::DateTime::from_timestamp(1_700_000_000 + i64::from(n), 0)
            .unwrap_or_default(),
    }
}

async fn emulator_with_transcriptions() -> Emulator {
    let emulator = Emulator::start().await;
    for sid in [RECORDING, OTHER_RECORDING] {
        emulator.store.insert_recording(RecordingRecord {
            sid: sid.into(),
            account_sid: SID.into(),
            call_sid: "CA00000000000000000000000000000001".into(),
            duration_secs: 3,
            date_created: chrono::Utc::now(),
            source: RecordingSource::RecordVerb,
            channels: 1,
        });
    }
    for n in 1..=3 {
        let store = &emulator.store;
        store.insert_transcription(transcription(n, RECORDING, TranscriptionStatus::Completed));
    }
    emulator.store.insert_transcription(transcription(
        4,
        OTHER_RECORDING,
        TranscriptionStatus::Failed,
    ));
    emulator
}

#[tokio::test]
async fn a_transcription_has_twilios_fields() {
    let emulator = emulator_with_transcriptions().await;
    let sid = format!("TR{:032}", 1);
    let (status, t) = emulator
        .get(&account_path(&format!("Transcriptions/{sid}.json")))
        .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["sid"], sid.as_str());
    assert_eq!(t["account_sid"], SID);
    assert_eq!(t["recording_sid"], RECORDING);
    assert_eq!(t["status"], "completed");
    assert_eq!(t["transcription_text"], "message 1");
    assert_eq!(t["duration"], "3");
    assert_eq!(t["price"], Value::Null);
    assert_eq!(t["type"], "fast");
    assert_eq!(t["api_version"], "2010-04-01");
    assert_eq!(
        t["uri"],
        account_path(&format!("Transcriptions/{sid}.json"))
    );
    assert!(
        t["date_created"].as_str().unwrap().ends_with("+0000"),
        "{t}"
    );
    let (status, same) = emulator
        .get(&account_path(&format!(
            "Recordings/{RECORDING}/Transcriptions/{sid}.json"
        )))
        .await;
    assert_eq!((status, &same), (200, &t));
    let failed = format!("TR{:032}", 4);
    let (_, f) = emulator
        .get(&account_path(&format!("Transcriptions/{failed}.json")))
        .await;
    assert_eq!(f["status"], "failed");
    assert_eq!(f["transcription_text"], Value::Null);
}

#[tokio::test]
async fn transcription_lists_page_newest_first_and_filter_by_recording() {
    let emulator = emulator_with_transcriptions().await;
    let (status, first) = emulator
        .get(&account_path("Transcriptions.json?PageSize=3"))
        .await;
    assert_eq!(status, 200, "{first}");
    let sids = |page: &Value| -> Vec<String> {
        page["transcriptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["sid"].as_str().unwrap()[30..].to_string())
            .collect()
    };
    assert_eq!(sids(&first), ["0004", "0003", "0002"]);
    assert_eq!(first["page_size"], 3);
    let next = first["next_page_uri"].as_str().unwrap().to_string();
    assert!(
        next.starts_with(&account_path("Transcriptions.json?")),
        "{next}"
    );
    let (_, second) = emulator.get(&next).await;
    assert_eq!(sids(&second), ["0001"]);
    assert_eq!(second["next_page_uri"], Value::Null);
    let (status, one) = emulator
        .get(&account_path(&format!(
            "Recordings/{OTHER_RECORDING}/Transcriptions.json"
        )))
        .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(sids(&one), ["0004"]);
    assert_eq!(
        one["uri"].as_str().unwrap().split('?').next(),
        Some(account_path(&format!("Recordings/{OTHER_RECORDING}/Transcriptions.json")).as_str())
    );
}

#[tokio::test]
async fn unknown_transcriptions_and_recordings_are_404_and_other_accounts_see_none() {
    let emulator = emulator_with_transcriptions().await;
    let missing = format!("TR{:032}", 9);
    let (status, _) = emulator
        .get(&account_path(&format!("Transcriptions/{missing}.json")))
        .await;
    assert_eq!(status, 404);
    let (status, _) = emulator
        .get(&account_path(
            "Recordings/RE00000000000000000000000000000009/Transcriptions.json",
        ))
        .await;
    assert_eq!(status, 404);
    let sid = format!("TR{:032}", 1);
    let (status, _) = emulator
        .get(&account_path(&format!(
            "Recordings/{OTHER_RECORDING}/Transcriptions/{sid}.json"
        )))
        .await;
    assert_eq!(status, 404, "a transcription of another recording");
    let other = emulator
        .client
        .get(format!(
            "{}/2010-04-01/Accounts/{OTHER_SID}/Transcriptions.json",
            emulator.base
        ))
        .basic_auth(OTHER_SID, Some(OTHER_TOKEN));
    let (status, page) = emulator.send(other).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["transcriptions"], serde_json::json!([]));
}

#[tokio::test]
async fn a_deleted_transcription_is_204_then_gone() {
    let emulator = emulator_with_transcriptions().await;
    let sid = format!("TR{:032}", 2);
    let path = account_path(&format!("Recordings/{RECORDING}/Transcriptions/{sid}.json"));
    let delete = emulator
        .client
        .delete(format!("{}{path}", emulator.base))
        .basic_auth(SID, Some(TOKEN));
    let response = delete.send().await.unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let (status, _) = emulator
        .get(&account_path(&format!("Transcriptions/{sid}.json")))
        .await;
    assert_eq!(status, 404);
    let (_, page) = emulator.get(&account_path("Transcriptions.json")).await;
    assert_eq!(page["transcriptions"].as_array().map(Vec::len), Some(3));
    let again = emulator
        .client
        .delete(format!("{}{path}", emulator.base))
        .basic_auth(SID, Some(TOKEN));
    assert_eq!(again.send().await.unwrap().status().as_u16(), 404);
}
