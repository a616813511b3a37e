//! The ledger: a loopback view of everything the emulator did, for people and test harnesses
//! debugging a run. No authentication: it is meant for `127.0.0.1` only, like a debugger.
//!
//! - `GET /_emulator/calls`: a JSON array of every call, oldest first, with its transcript.
//! - `GET /_emulator/health`: 200 `{"status":"ok"}` once the server answers.

use axum::routing::get;
use axum::{Json, Router};
use chrono::SecondsFormat;
use serde_json::{json, Value};

use super::model::{CallRecord, Leg};
use super::store::Store;

/// The ledger routes over `store`.
pub fn router(store: Store) -> Router {
    Router::new()
        .route("/_emulator/calls", get(calls))
        .route("/_emulator/health", get(health))
        .with_state(store)
}

async fn calls(axum::extract::State(store): axum::extract::State<Store>) -> Json<Value> {
    Json(store.calls(|_| true).iter().map(ledger_entry).collect())
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// One call as the ledger shows it: numbers as numbers, times as RFC 3339 with milliseconds
/// (the transcript's order matters more than Twilio's date style here).
pub fn ledger_entry(call: &CallRecord) -> Value {
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
