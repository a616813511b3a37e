//! The Recordings resource: list (per account or per call), fetch, and the media file.
//!
//! Media (`Recordings/{Sid}`, `.wav`, `.mp3`) is served without credentials, as Twilio does
//! unless an account turns on "HTTP Basic authentication for media"; the SID is the secret.

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::model::RecordingRecord;

use super::audio::{silent_mp3, silent_wav};
use super::calls::account_call;
use super::error::ApiError;
use super::paging::{page_json, PageRequest};
use super::params::Params;
use super::resources::{account_path, recording_json};
use super::RestState;

/// The format a media request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaFormat {
    /// No extension or `.wav`.
    Wav,
    /// `.mp3`.
    Mp3,
}

/// `http://host:port` of the request, for absolute `media_url`s.
pub fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn account_recording(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
) -> Result<RecordingRecord, ApiError> {
    state
        .store
        .recordings(|r| r.sid == sid && r.account_sid == account_sid)
        .pop()
        .ok_or_else(|| ApiError::not_found(path))
}

/// `GET Recordings.json` (filter `CallSid`) or, with `call_sid`, `GET Calls/{Sid}/Recordings.json`.
pub fn list(
    state: &RestState,
    account_sid: &str,
    call_sid: Option<&str>,
    path: &str,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let paging = PageRequest::from_params(params)?;
    let list_path = match call_sid {
        Some(call_sid) => {
            account_call(state, account_sid, call_sid, path)?;
            format!(
                "{}/Calls/{call_sid}/Recordings.json",
                account_path(account_sid)
            )
        }
        None => format!("{}/Recordings.json", account_path(account_sid)),
    };
    let wanted_call = call_sid.or(params.get("CallSid"));
    let mut recordings = state.store.recordings(|r| {
        r.account_sid == account_sid && wanted_call.is_none_or(|sid| r.call_sid == sid)
    });
    recordings.reverse();
    recordings.sort_by_key(|recording| std::cmp::Reverse(recording.date_created));
    let origin = origin(headers);
    let body = page_json(
        &recordings,
        |r| r.sid.as_str(),
        |r| recording_json(r, &origin, call_sid.is_some()),
        &paging,
        &list_path,
        &params.only(&["CallSid"]),
        "recordings",
    );
    Ok(Json(body).into_response())
}

/// `GET Recordings/{Sid}.json`, or with `call_sid` `GET Calls/{CallSid}/Recordings/{Sid}.json`
/// (a recording of another call is not found there).
pub fn fetch(
    state: &RestState,
    account_sid: &str,
    call_sid: Option<&str>,
    sid: &str,
    path: &str,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let recording = account_recording(state, account_sid, sid, path)?;
    if call_sid.is_some_and(|call| call != recording.call_sid) {
        return Err(ApiError::not_found(path));
    }
    let body = recording_json(&recording, &origin(headers), call_sid.is_some());
    Ok(Json(body).into_response())
}

/// `GET Recordings/{Sid}[.wav|.mp3]`: silence of the recording's duration.
pub fn media(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    format: MediaFormat,
    path: &str,
) -> Result<Response, ApiError> {
    let recording = account_recording(state, account_sid, sid, path)?;
    let secs = u32::try_from(recording.duration_secs.max(0)).unwrap_or(u32::MAX);
    let (content_type, bytes) = match format {
        MediaFormat::Wav => ("audio/x-wav", silent_wav(secs)),
        MediaFormat::Mp3 => ("audio/mpeg", silent_mp3(secs)),
    };
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}
