//! The emulator's Twilio REST API (`twilio.md` §1-§3, §8): the Account, Calls, Messages,
//! Recordings, Transcriptions, call Queues with their Members, the account's numbers
//! (IncomingPhoneNumbers, OutgoingCallerIds) and API Keys under
//! `/2010-04-01/Accounts/{AccountSid}/`, with Twilio's authentication, validation,
//! error envelopes, resource JSON and paging, plus the loopback ledger (`/_emulator/...`).
//!
//! ```text
//! request --> authenticate (Basic AccountSid:AuthToken or KeySid:Secret, path account = its account)
//!         --> resource (Calls.json, Calls/CA..json, Messages.json, Recordings/RE.., ...)
//!         --> handler: validate -> store -> CallControl (start, hang_up, cancel, redirect)
//! ```
//!
//! The v1 APIs (Serverless, Sync) live in their own modules ([`crate::serverless`],
//! [`crate::sync`]) and share `v1`'s request handling and this module's errors and paging.
//!
//! The router has a fallback (404/20404 for any unknown path), so mount other routes next to
//! it with `Router::merge` on a router without a fallback, or `nest` it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::control::CallControl;
use crate::ledger;
use crate::store::Store;

mod account;
mod audio;
pub(crate) mod auth;
mod calls;
mod create_call;
pub(crate) mod date_filter;
pub(crate) mod error;
pub(crate) mod keys;
mod messages;
pub(crate) mod paging;
pub(crate) mod params;
mod queues;
pub(crate) mod recordings;
mod resources;
#[cfg(test)]
mod tests;
mod transcriptions;
pub(crate) mod v1;

/// The longest message body (Studio's send-message widget checks it too).
pub use messages::MAX_BODY_CHARS as MAX_MESSAGE_CHARS;
/// Resource paths, shared with the engine for the URLs it reports in webhooks.
pub(crate) use resources::{account_path, transcription_uri};

use error::ApiError;
use params::Params;
use recordings::MediaFormat;

/// What the REST handlers share: configuration, records, time and the call engine.
#[derive(Clone)]
pub struct RestState {
    /// Accounts, caller ids, numbers and limits.
    pub config: Arc<EmulatorConfig>,
    /// Every call, message and recording.
    pub store: Store,
    /// Emulated time, for `date_created` and friends.
    pub clock: Clock,
    /// The call engine that makes created calls happen.
    pub control: Arc<dyn CallControl>,
    /// API keys, which authenticate as their accounts.
    pub keys: keys::KeyRing,
}

/// The REST API and the ledger as one axum router.
pub fn router(state: RestState) -> Router {
    let store = state.store.clone();
    Router::new()
        .route("/2010-04-01/Accounts/{account_json}", any(account_fetch))
        .route(
            "/2010-04-01/Accounts/{account_sid}/{*resource}",
            any(account_resource),
        )
        .with_state(state)
        .merge(ledger::router(store))
        .fallback(not_found)
}

async fn not_found(OriginalUri(uri): OriginalUri) -> Response {
    ApiError::not_found(uri.path()).into_response()
}

/// A resource under `/2010-04-01/Accounts/{AccountSid}/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resource<'a> {
    Calls,
    Call(&'a str),
    CallRecordings(&'a str),
    /// `Calls/{CallSid}/Recordings/{Sid}.json`.
    CallRecording(&'a str, &'a str),
    Messages,
    Message(&'a str),
    Recordings,
    Recording(&'a str),
    RecordingMedia(&'a str, MediaFormat),
    Transcriptions,
    Transcription(&'a str),
    RecordingTranscriptions(&'a str),
    RecordingTranscription(&'a str, &'a str),
    Queues,
    Queue(&'a str),
    IncomingPhoneNumbers,
    OutgoingCallerIds,
    Keys,
    Key(&'a str),
    QueueMembers(&'a str),
    /// `Queues/{Sid}/Members/{CallSid|Front}.json`.
    QueueMember(&'a str, &'a str),
}

impl<'a> Resource<'a> {
    /// Parses the path after the account SID, e.g. `Calls/CA....json`.
    fn parse(path: &'a str) -> Option<Resource<'a>> {
        let segments: Vec<&str> = path.split('/').collect();
        let instance = |segment: &'a str| segment.strip_suffix(".json").filter(|s| !s.is_empty());
        Some(match segments.as_slice() {
            ["Calls.json"] => Resource::Calls,
            ["Calls", call] => Resource::Call(instance(call)?),
            ["Calls", call, "Recordings.json"] if !call.is_empty() => {
                Resource::CallRecordings(call)
            }
            ["Calls", call, "Recordings", recording] if !call.is_empty() => {
                Resource::CallRecording(call, instance(recording)?)
            }
            ["Messages.json"] => Resource::Messages,
            ["Messages", message] => Resource::Message(instance(message)?),
            ["Recordings.json"] => Resource::Recordings,
            ["Transcriptions.json"] => Resource::Transcriptions,
            ["Queues.json"] => Resource::Queues,
            ["IncomingPhoneNumbers.json"] => Resource::IncomingPhoneNumbers,
            ["OutgoingCallerIds.json"] => Resource::OutgoingCallerIds,
            ["Keys.json"] => Resource::Keys,
            ["Keys", key] => Resource::Key(instance(key)?),
            ["Queues", queue] => Resource::Queue(instance(queue)?),
            ["Queues", queue, "Members.json"] if !queue.is_empty() => Resource::QueueMembers(queue),
            ["Queues", queue, "Members", member] if !queue.is_empty() => {
                Resource::QueueMember(queue, instance(member)?)
            }
            ["Transcriptions", transcription] => Resource::Transcription(instance(transcription)?),
            ["Recordings", recording, "Transcriptions.json"] if !recording.is_empty() => {
                Resource::RecordingTranscriptions(recording)
            }
            ["Recordings", recording, "Transcriptions", transcription] if !recording.is_empty() => {
                Resource::RecordingTranscription(recording, instance(transcription)?)
            }
            ["Recordings", recording] => match instance(recording) {
                Some(sid) => Resource::Recording(sid),
                None => {
                    let (sid, format) = if let Some(sid) = recording.strip_suffix(".mp3") {
                        (sid, MediaFormat::Mp3)
                    } else {
                        (
                            recording.strip_suffix(".wav").unwrap_or(recording),
                            MediaFormat::Wav,
                        )
                    };
                    if sid.is_empty() || sid.contains('.') {
                        return None;
                    }
                    Resource::RecordingMedia(sid, format)
                }
            },
            _ => return None,
        })
    }
}

/// `GET /2010-04-01/Accounts/{AccountSid}.json`: the authenticated account itself.
async fn account_fetch(
    State(state): State<RestState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path();
    let served = || {
        let sid = path
            .strip_prefix("/2010-04-01/Accounts/")
            .and_then(|rest| rest.strip_suffix(".json"))
            .filter(|sid| !sid.is_empty())
            .ok_or_else(|| ApiError::not_found(path))?;
        let account = auth::authenticate(&state.config, &state.keys, &headers, sid)?;
        auth::refuse_standard_key(&state.keys, &headers)?;
        if method != Method::GET {
            return Err(ApiError::method_not_allowed());
        }
        Ok(account::account_json(account, &state))
    };
    served().unwrap_or_else(IntoResponse::into_response)
}

async fn account_resource(
    State(state): State<RestState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let latency = state.config.latencies.api();
    if !latency.is_zero() {
        state.clock.sleep(latency).await;
    }
    serve(&state, &method, &uri, &headers, &body).unwrap_or_else(IntoResponse::into_response)
}

fn serve(
    state: &RestState,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let path = uri.path();
    let under_accounts = path
        .strip_prefix("/2010-04-01/Accounts/")
        .and_then(|rest| rest.split_once('/'))
        // `Accounts//Messages.json` names no account: Twilio answers 404, not 401.
        .filter(|(account_sid, _)| !account_sid.is_empty());
    let Some((account_sid, resource_path)) = under_accounts else {
        return Err(ApiError::not_found(path));
    };
    let resource = Resource::parse(resource_path);
    if let Some(Resource::RecordingMedia(sid, format)) = resource {
        if method != Method::GET {
            return Err(ApiError::method_not_allowed());
        }
        return recordings::media(state, account_sid, sid, format, path);
    }
    let account_config = auth::authenticate(&state.config, &state.keys, headers, account_sid)?;
    let resource = resource.ok_or_else(|| ApiError::not_found(path))?;
    if matches!(resource, Resource::Keys | Resource::Key(_)) {
        auth::refuse_standard_key(&state.keys, headers)?;
    }
    let params = if method == Method::POST {
        Params::decode(body)?
    } else {
        Params::decode(uri.query().unwrap_or_default().as_bytes())?
    };
    let account = account_sid;
    match (resource, method.as_str()) {
        (Resource::Calls, "GET") => calls::list(state, account, &params),
        (Resource::Calls, "POST") => calls::create(state, account_config, &params),
        (Resource::Call(sid), "GET") => calls::fetch(state, account, sid, path),
        (Resource::Call(sid), "POST") => calls::update(state, account, sid, path, &params),
        (Resource::Call(sid), "DELETE") => calls::delete(state, account, sid, path),
        (Resource::CallRecordings(sid), "GET") => {
            recordings::list(state, account, Some(sid), path, &params, headers)
        }
        (Resource::CallRecording(call, sid), "GET") => {
            recordings::fetch(state, account, Some(call), sid, path, headers)
        }
        (Resource::Messages, "GET") => messages::list(state, account, &params),
        (Resource::Messages, "POST") => messages::create(state, account, &params),
        (Resource::Message(sid), "GET") => messages::fetch(state, sid, path),
        (Resource::Recordings, "GET") => {
            recordings::list(state, account, None, path, &params, headers)
        }
        (Resource::Recording(sid), "GET") => {
            recordings::fetch(state, account, None, sid, path, headers)
        }
        (Resource::Transcriptions, "GET") => {
            transcriptions::list(state, account, None, path, &params)
        }
        (Resource::RecordingTranscriptions(recording), "GET") => {
            transcriptions::list(state, account, Some(recording), path, &params)
        }
        (Resource::Transcription(sid), "GET") => {
            transcriptions::fetch(state, account, None, sid, path)
        }
        (Resource::RecordingTranscription(recording, sid), "GET") => {
            transcriptions::fetch(state, account, Some(recording), sid, path)
        }
        (Resource::Transcription(sid), "DELETE") => {
            transcriptions::delete(state, account, None, sid, path)
        }
        (Resource::RecordingTranscription(recording, sid), "DELETE") => {
            transcriptions::delete(state, account, Some(recording), sid, path)
        }
        (Resource::Queues, "GET") => queues::list(state, account, &params),
        (Resource::Queues, "POST") => queues::create(state, account, &params),
        (Resource::Queue(sid), "GET") => queues::fetch(state, account, sid, path),
        (Resource::Queue(sid), "POST") => queues::update(state, account, sid, path, &params),
        (Resource::Queue(sid), "DELETE") => queues::delete(state, account, sid, path),
        (Resource::QueueMembers(sid), "GET") => queues::members(state, account, sid, path, &params),
        (Resource::QueueMember(sid, call), "GET") => {
            queues::fetch_member(state, account, sid, call, path)
        }
        (Resource::QueueMember(sid, call), "POST") => {
            queues::dequeue(state, account, sid, call, path, &params)
        }
        (Resource::IncomingPhoneNumbers, "GET") => {
            account::incoming_numbers(state, account_config, &params, headers)
        }
        (Resource::OutgoingCallerIds, "GET") => {
            account::outgoing_caller_ids(state, account_config, &params)
        }
        (Resource::Keys, "GET") => keys::list(state, account, &params),
        (Resource::Keys, "POST") => keys::create(state, account, &params),
        (Resource::Key(sid), "GET") => keys::fetch(state, account, sid, path),
        (Resource::Key(sid), "POST") => keys::update(state, account, sid, path, &params),
        (Resource::Key(sid), "DELETE") => keys::delete(state, account, sid, path),
        _ => Err(ApiError::method_not_allowed()),
    }
}
