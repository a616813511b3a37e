//! The Calls resource: create, fetch, update (hang up, cancel, redirect), list and delete.
//!
//! REST records and asks; the engine behind [`CallControl`](crate::control) makes
//! calls happen and moves their status. So an update answers with the call as the store holds
//! it once the engine was asked, which may still be the status before the change.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::config::AccountConfig;
use crate::model::{CallRecord, CallStatus};
use twilio_wire::sid::new_sid;

use super::create_call::{call_request, time_limit, twiml_param};
use super::date_filter::DateFilter;
use super::error::ApiError;
use super::paging::{page_json, PageRequest};
use super::params::{method_param, url_param, Params};
use super::resources::{account_path, call_json};
use super::RestState;

/// `POST Calls.json`: validate, record as `queued`, hand to the engine, answer 201.
pub fn create(
    state: &RestState,
    account: &AccountConfig,
    params: &Params,
) -> Result<Response, ApiError> {
    let request = call_request(&state.config, account, params)?;
    let now = state.clock.now();
    let call = CallRecord::new(
        new_sid("CA"),
        request.clone(),
        CallStatus::Queued,
        now,
        None,
    );
    // Rendered before the engine starts: the create response always shows `queued`.
    let body = call_json(&call, &state.config);
    let sid = call.sid.clone();
    state.store.insert_call(call);
    state.control.start(&sid, request);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// The account's call `sid`, or 404 naming the request path.
pub fn account_call(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
) -> Result<CallRecord, ApiError> {
    state
        .store
        .call(sid)
        .filter(|call| call.request.account_sid == account_sid)
        .ok_or_else(|| ApiError::not_found(path))
}

/// `GET Calls/{Sid}.json`.
pub fn fetch(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
) -> Result<Response, ApiError> {
    let call = account_call(state, account_sid, sid, path)?;
    Ok(Json(call_json(&call, &state.config)).into_response())
}

/// `POST Calls/{Sid}.json`: `Status=completed|canceled`, or a redirect with `Url`/`Twiml`;
/// `StatusCallback`, `FallbackUrl` and `TimeLimit` are stored on the call for the engine.
pub fn update(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let call = account_call(state, account_sid, sid, path)?;
    let status = match params.get("Status") {
        None => None,
        Some("completed") => Some(CallStatus::Completed),
        Some("canceled") => Some(CallStatus::Canceled),
        Some(other) => {
            return Err(ApiError::invalid_parameter(format!(
                "Status must be canceled or completed, not {other}"
            )))
        }
    };
    // Everything is validated before anything changes or the engine is asked.
    let redirect = if params.get("Url").is_some() || params.get("Twiml").is_some() {
        Some(twiml_param(params)?)
    } else {
        None
    };
    let status_callback = url_param(params, "StatusCallback")?;
    if status_callback.is_some() && params.get("Url").is_none() {
        return Err(ApiError::bad_request(
            21205,
            "Url parameter is required when StatusCallback is updated",
        ));
    }
    let status_callback_method = method_param(params, "StatusCallbackMethod")?;
    let fallback = match url_param(params, "FallbackUrl")? {
        Some(url) => Some((url, method_param(params, "FallbackMethod")?)),
        None => None,
    };
    let new_time_limit = match params.get("TimeLimit") {
        Some(_) => Some(time_limit(params)?),
        None => None,
    };
    if call.status.is_terminal() {
        return Err(ApiError::bad_request(
            21220,
            "Call is not in-progress. Cannot redirect.",
        ));
    }
    let now = state.clock.now();
    state.store.update_call(sid, |call| {
        if let Some(url) = status_callback {
            call.request.status_callback = Some(url);
            call.request.status_callback_method = status_callback_method;
        }
        if fallback.is_some() {
            call.request.fallback = fallback;
        }
        if let Some(limit) = new_time_limit {
            call.request.time_limit_secs = limit;
        }
        call.date_updated = now;
    });
    match (status, redirect) {
        (Some(CallStatus::Completed), _) => state.control.hang_up(sid),
        (Some(_), _) => {
            // Twilio: canceling only affects a queued or ringing call.
            if matches!(call.status, CallStatus::Queued | CallStatus::Ringing) {
                state.control.cancel(sid);
            }
        }
        (None, Some(twiml)) => state.control.redirect(sid, twiml),
        (None, None) => {}
    }
    fetch(state, account_sid, sid, path)
}

/// `GET Calls.json`: newest first, filtered by `To`, `From`, `Status`, `ParentCallSid`,
/// `StartTime[<>]` and `EndTime[<>]`, paged.
pub fn list(state: &RestState, account_sid: &str, params: &Params) -> Result<Response, ApiError> {
    const FILTERS: [&str; 10] = [
        "To",
        "From",
        "ParentCallSid",
        "Status",
        "StartTime",
        "StartTime<",
        "StartTime>",
        "EndTime",
        "EndTime<",
        "EndTime>",
    ];
    let paging = PageRequest::from_params(params)?;
    let started = DateFilter::from_params(params, "StartTime")?;
    let ended = DateFilter::from_params(params, "EndTime")?;
    let to = params.get("To");
    let from = params.get("From");
    let status = params.get("Status");
    let parent = params.get("ParentCallSid");
    let mut calls = state.store.calls(|call| {
        call.request.account_sid == account_sid
            && to.is_none_or(|to| call.request.to == to)
            && from.is_none_or(|from| call.request.from == from)
            && status.is_none_or(|status| call.status.as_str() == status)
            && parent.is_none_or(|parent| call.parent_call_sid.as_deref() == Some(parent))
            && started.matches(call.start_time)
            && ended.matches(call.end_time)
    });
    calls.reverse();
    calls.sort_by_key(|call| std::cmp::Reverse(call.date_created));
    let body = page_json(
        &calls,
        |call| call.sid.as_str(),
        |call| call_json(call, &state.config),
        &paging,
        &format!("{}/Calls.json", account_path(account_sid)),
        &params.only(&FILTERS),
        "calls",
    );
    Ok(Json(body).into_response())
}

/// `DELETE Calls/{Sid}.json`: 204 for an ended call; 400/20009 while it is not.
pub fn delete(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
) -> Result<Response, ApiError> {
    let call = account_call(state, account_sid, sid, path)?;
    if !call.status.is_terminal() {
        return Err(ApiError::bad_request(
            20009,
            "Cannot delete this resource before it is complete",
        ));
    }
    state.store.remove_call(sid);
    Ok(StatusCode::NO_CONTENT.into_response())
}
