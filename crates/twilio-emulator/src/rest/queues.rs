//! The Queue and Member resources (OpenAPI `api.v2010.account.queue` and `.queue.member`):
//! queues are listed (in creation order, paged), fetched, created, updated (`FriendlyName`,
//! `MaxSize`) and deleted when empty; their members are listed (front first), fetched by
//! `CallSid` or as `Front`, and dequeued with `POST Members/{CallSid|Front}.json` (`Url`,
//! `Method`): the call leaves the queue and runs the TwiML at `Url`.
//!
//! Twilio documents no error codes for a missing parameter, a duplicate name, a `MaxSize` out of
//! range or the delete of a queue with members; the emulator answers 400/20001 with its own
//! wording.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::model::TwimlSource;
use crate::queues::{MemberRecord, QueueRecord, DEFAULT_MAX_SIZE, LARGEST_MAX_SIZE};
use twilio_wire::time::rfc2822;
use twilio_wire::twiml::MAX_QUEUE_NAME;

use super::error::ApiError;
use super::paging::{page_json, PageRequest};
use super::params::{method_param, url_param, Params};
use super::resources::account_path;
use super::RestState;

/// A Queue resource, with its size and average wait as of `now`.
fn queue_json(queue: &QueueRecord, state: &RestState) -> Value {
    let now = state.clock.now();
    json!({
        "account_sid": queue.account_sid,
        "average_wait_time": queue.average_wait_secs(now),
        "current_size": queue.members.len(),
        "date_created": rfc2822(queue.date_created),
        "date_updated": rfc2822(queue.date_updated),
        "friendly_name": queue.friendly_name,
        "max_size": queue.max_size,
        "sid": queue.sid,
        "uri": format!("{}/Queues/{}.json", account_path(&queue.account_sid), queue.sid),
    })
}

/// A Member resource: a call waiting in `queue`.
fn member_json(queue: &QueueRecord, member: &MemberRecord, state: &RestState) -> Value {
    json!({
        "call_sid": member.call_sid,
        "date_enqueued": rfc2822(member.date_enqueued),
        "position": queue.position(&member.call_sid).unwrap_or(0),
        "queue_sid": queue.sid,
        "uri": format!(
            "{}/Queues/{}/Members/{}.json",
            account_path(&queue.account_sid),
            queue.sid,
            member.call_sid
        ),
        "wait_time": member.wait_secs(state.clock.now()),
    })
}

/// The error for a required parameter that is absent.
fn missing(name: &str) -> ApiError {
    ApiError::invalid_parameter(format!(
        "Missing required parameter {name} in the post body"
    ))
}

/// The account's queue `sid`, or 404 for `path`.
fn find(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
) -> Result<QueueRecord, ApiError> {
    state
        .store
        .queues(|q| q.sid == sid && q.account_sid == account_sid)
        .pop()
        .ok_or_else(|| ApiError::not_found(path))
}

/// `GET Queues.json`.
pub fn list(state: &RestState, account_sid: &str, params: &Params) -> Result<Response, ApiError> {
    let paging = PageRequest::from_params(params)?;
    let queues = state.store.queues(|q| q.account_sid == account_sid);
    let body = page_json(
        &queues,
        |q| q.sid.as_str(),
        |q| queue_json(q, state),
        &paging,
        &format!("{}/Queues.json", account_path(account_sid)),
        &[],
        "queues",
    );
    Ok(Json(body).into_response())
}

/// `GET Queues/{Sid}.json`.
pub fn fetch(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
) -> Result<Response, ApiError> {
    let queue = find(state, account_sid, sid, path)?;
    Ok(Json(queue_json(&queue, state)).into_response())
}

/// `FriendlyName` (required on create) and `MaxSize`, checked.
fn settings(
    state: &RestState,
    account_sid: &str,
    params: &Params,
    own_sid: Option<&str>,
) -> Result<(Option<String>, Option<u32>), ApiError> {
    let name = params.get("FriendlyName").map(str::to_string);
    if let Some(name) = &name {
        if name.chars().count() > MAX_QUEUE_NAME {
            return Err(ApiError::invalid_parameter(format!(
                "FriendlyName is longer than {MAX_QUEUE_NAME} characters"
            )));
        }
        let taken = state.store.queues(|q| {
            q.account_sid == account_sid
                && &q.friendly_name == name
                && Some(q.sid.as_str()) != own_sid
        });
        if !taken.is_empty() {
            return Err(ApiError::invalid_parameter(format!(
                "A queue named {name} already exists"
            )));
        }
    }
    let max_size = match params.get("MaxSize") {
        None => None,
        Some(text) => match text.parse::<u32>() {
            Ok(size) if (1..=LARGEST_MAX_SIZE).contains(&size) => Some(size),
            _ => {
                return Err(ApiError::invalid_parameter(format!(
                    "MaxSize must be a whole number from 1 to {LARGEST_MAX_SIZE}: {text}"
                )))
            }
        },
    };
    Ok((name, max_size))
}

/// `POST Queues.json`: 201 with the new, empty queue.
pub fn create(state: &RestState, account_sid: &str, params: &Params) -> Result<Response, ApiError> {
    let (name, max_size) = settings(state, account_sid, params, None)?;
    let name = name.ok_or_else(|| missing("FriendlyName"))?;
    let queue = QueueRecord::new(
        account_sid,
        &name,
        max_size.unwrap_or(DEFAULT_MAX_SIZE),
        state.clock.now(),
    );
    let body = queue_json(&queue, state);
    state.store.update_queues(|all| all.push(queue));
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `POST Queues/{Sid}.json`: `FriendlyName` and `MaxSize` change.
pub fn update(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    find(state, account_sid, sid, path)?;
    let (name, max_size) = settings(state, account_sid, params, Some(sid))?;
    let now = state.clock.now();
    let updated = state.store.update_queues(|all| {
        let queue = all.iter_mut().find(|q| q.sid == sid)?;
        if let Some(name) = name {
            queue.friendly_name = name;
        }
        if let Some(size) = max_size {
            queue.max_size = size;
        }
        queue.date_updated = now;
        Some(queue.clone())
    });
    let queue = updated.ok_or_else(|| ApiError::not_found(path))?;
    Ok(Json(queue_json(&queue, state)).into_response())
}

/// `DELETE Queues/{Sid}.json`: 204 for an empty queue.
pub fn delete(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
) -> Result<Response, ApiError> {
    let queue = find(state, account_sid, sid, path)?;
    if !queue.members.is_empty() {
        return Err(ApiError::invalid_parameter(format!(
            "Queue {sid} has {} members; only an empty queue can be deleted",
            queue.members.len()
        )));
    }
    state
        .store
        .update_queues(|all| all.retain(|q| q.sid != sid));
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET Queues/{Sid}/Members.json`: front first.
pub fn members(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let paging = PageRequest::from_params(params)?;
    let queue = find(state, account_sid, sid, path)?;
    let body = page_json(
        &queue.members,
        |m| m.call_sid.as_str(),
        |m| member_json(&queue, m, state),
        &paging,
        &format!("{}/Queues/{sid}/Members.json", account_path(account_sid)),
        &[],
        "queue_members",
    );
    Ok(Json(body).into_response())
}

/// The queue and its member `call_sid` (`Front`: the first), or 404 for `path`.
fn member(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    call_sid: &str,
    path: &str,
) -> Result<(QueueRecord, MemberRecord), ApiError> {
    let queue = find(state, account_sid, sid, path)?;
    let found = match call_sid {
        "Front" => queue.members.first(),
        call_sid => queue.members.iter().find(|m| m.call_sid == call_sid),
    };
    let member = found.cloned().ok_or_else(|| ApiError::not_found(path))?;
    Ok((queue, member))
}

/// `GET Queues/{Sid}/Members/{CallSid|Front}.json`.
pub fn fetch_member(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    call_sid: &str,
    path: &str,
) -> Result<Response, ApiError> {
    let (queue, member) = member(state, account_sid, sid, call_sid, path)?;
    Ok(Json(member_json(&queue, &member, state)).into_response())
}

/// `POST Queues/{Sid}/Members/{CallSid|Front}.json`: dequeues the member to the TwiML at `Url`;
/// answers the member as it was.
pub fn dequeue(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    call_sid: &str,
    path: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let url = url_param(params, "Url")?.ok_or_else(|| missing("Url"))?;
    let method = method_param(params, "Method")?;
    let (queue, member) = member(state, account_sid, sid, call_sid, path)?;
    let body = member_json(&queue, &member, state);
    if !state
        .control
        .dequeue(sid, &member.call_sid, TwimlSource::Url { url, method })
    {
        // It left the queue meanwhile.
        return Err(ApiError::not_found(path));
    }
    Ok(Json(body).into_response())
}
