//! The ledger: a loopback view of everything the emulator did, for people and test harnesses
//! debugging a run. No authentication: it is meant for `127.0.0.1` only, like a debugger.
//!
//! - `GET /_emulator/calls`: a JSON array of every call, oldest first, with its transcript and
//!   its recordings (a voicemail left by `<Record>` belongs to the call as much as its words).
//! - `GET /_emulator/health`: 200 `{"status":"ok"}` once the server answers.

use axum::routing::get;
use axum::{Json, Router};
use chrono::SecondsFormat;
use serde_json::{json, Value};

use super::model::{CallRecord, Leg, RecordingRecord, TranscriptionRecord};
use super::store::Store;

/// The ledger routes over `store`.
pub fn router(store: Store) -> Router {
    Router::new()
        .route("/_emulator/calls", get(calls))
        .route("/_emulator/health", get(health))
        .with_state(store)
}

async fn calls(axum::extract::State(store): axum::extract::State<Store>) -> Json<Value> {
    let recordings = store.recordings(|_| true);
    let transcriptions = store.transcriptions(|_| true);
    Json(
        store
            .calls(|_| true)
            .iter()
            .map(|call| {
                let own: Vec<(&RecordingRecord, Option<&TranscriptionRecord>)> = recordings
                    .iter()
                    .filter(|r| r.call_sid == call.sid)
                    .map(|r| (r, transcriptions.iter().find(|t| t.recording_sid == r.sid)))
                    .collect();
                ledger_entry(call, &own)
            })
            .collect(),
    )
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// One call as the ledger shows it: numbers as numbers, times as RFC 3339 with milliseconds
/// (the transcript's order matters more than Twilio's date style here). `recordings` are the
/// call's, oldest first, each with its transcription if it has one (a voicemail's words are
/// what a test of it wants to read).
pub fn ledger_entry(
    call: &CallRecord,
    recordings: &[(&RecordingRecord, Option<&TranscriptionRecord>)],
) -> Value {
    let time = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    json!({
        "sid": call.sid,
        "account_sid": call.request.account_sid,
        "to": call.request.to,
        "from": call.request.from,
        "direction": call.direction(),
        "parent_call_sid": call.parent_call_sid,
        "status": call.status.as_str(),
        "date_created": time(call.date_created),
        "start_time": call.start_time.map(time),
        "end_time": call.end_time.map(time),
        "duration": call.duration_secs(),
        "queue_time_ms": call.queue_time_ms,
        "recording_sid": call.recording_sid,
        "recordings": recordings.iter().map(|(r, t)| json!({
            "sid": r.sid,
            "source": r.source.as_str(),
            "channels": r.channels,
            "duration": r.duration_secs,
            "date_created": time(r.date_created),
            "transcription": t.map(|t| json!({
                "sid": t.sid,
                "status": t.status.as_str(),
                "text": t.text,
            })),
        })).collect::<Vec<_>>(),
        "transcript": call.transcript.iter().map(|line| json!({
            "time": time(line.at),
            "leg": match line.leg {
                Leg::Caller => "caller",
                Leg::Callee => "callee",
            },
            "text": line.text,
        })).collect::<Vec<_>>(),
    })
}
