//! The Transcription resource (OpenAPI `api.v2010.account.transcription`): the account's list,
//! one recording's list, fetch and delete. Transcriptions are made by `<Record transcribe="true">`;
//! the API cannot create or change them, as on Twilio.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::model::TranscriptionRecord;

use super::error::ApiError;
use super::paging::{page_json, PageRequest};
use super::params::Params;
use super::resources::{account_path, transcription_json};
use super::RestState;

/// `GET Transcriptions.json` or, with `recording_sid`, `GET Recordings/{Sid}/Transcriptions.json`
/// (404 for a recording the account does not have, as for a call's recordings). Newest first,
/// like Twilio's other lists.
pub fn list(
    state: &RestState,
    account_sid: &str,
    recording_sid: Option<&str>,
    path: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let paging = PageRequest::from_params(params)?;
    let list_path = match recording_sid {
        Some(recording_sid) => {
            let known = !state
                .store
                .recordings(|r| r.sid == recording_sid && r.account_sid == account_sid)
                .is_empty();
            if !known {
                return Err(ApiError::not_found(path));
            }
            format!(
                "{}/Recordings/{recording_sid}/Transcriptions.json",
                account_path(account_sid)
            )
        }
        None => format!("{}/Transcriptions.json", account_path(account_sid)),
    };
    let mut transcriptions = state.store.transcriptions(|t| {
        t.account_sid == account_sid && recording_sid.is_none_or(|sid| t.recording_sid == sid)
    });
    transcriptions.reverse();
    transcriptions.sort_by_key(|t| std::cmp::Reverse(t.date_created));
    let body = page_json(
        &transcriptions,
        |t| t.sid.as_str(),
        transcription_json,
        &paging,
        &list_path,
        &[],
        "transcriptions",
    );
    Ok(Json(body).into_response())
}

/// `GET Transcriptions/{Sid}.json` or `GET Recordings/{RecordingSid}/Transcriptions/{Sid}.json`.
pub fn fetch(
    state: &RestState,
    account_sid: &str,
    recording_sid: Option<&str>,
    sid: &str,
    path: &str,
) -> Result<Response, ApiError> {
    let transcription = find(state, account_sid, recording_sid, sid, path)?;
    Ok(Json(transcription_json(&transcription)).into_response())
}

/// `DELETE` of either instance path: 204, and it is gone from every list.
pub fn delete(
    state: &RestState,
    account_sid: &str,
    recording_sid: Option<&str>,
    sid: &str,
    path: &str,
) -> Result<Response, ApiError> {
    find(state, account_sid, recording_sid, sid, path)?;
    state.store.remove_transcription(sid);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The account's transcription `sid` (of `recording_sid`, when given), or 404 for `path`.
fn find(
    state: &RestState,
    account_sid: &str,
    recording_sid: Option<&str>,
    sid: &str,
    path: &str,
) -> Result<TranscriptionRecord, ApiError> {
    let found: Option<TranscriptionRecord> = state
        .store
        .transcriptions(|t| {
            t.sid == sid
                && t.account_sid == account_sid
                && recording_sid.is_none_or(|r| t.recording_sid == r)
        })
        .pop();
    found.ok_or_else(|| ApiError::not_found(path))
}
