//! The Messages resource: send (store) an SMS, fetch one, list with Twilio's filters.
//!
//! One phone network, one copy of each message: an SMS is stored once, as its sender's
//! account sent it (`direction` `outbound-api`, status `sent`, delivered at once), and every
//! configured account can list it. That is what the runner's SMS check needs: the IVR's
//! account sends to the caller's number, and the runner lists `To=<caller>` with its own
//! account. (Twilio would show the receiver a separate `inbound` copy; a second copy here
//! would make every message appear twice to a single-account setup, the common case.)
//!
//! | check | error |
//! |---|---|
//! | `To` missing | 400/21604 `A 'To' phone number is required.` |
//! | `From` missing | 400/21603 `A 'From' phone number is required.` |
//! | `Body` and `MediaUrl` missing | 400/21602 `Message body is required.` |
//! | `Body` over 1600 characters | 400/21617 |
//! | `To` not E.164, or magic `+15005550001` | 400/21211 |
//! | magic `To` `...0002` / `...0003` / `...0004` / `...0009` | 21612 / 21408 / 21610 / 21614 |
//! | magic `From` `+15005550001` / `...0007` / `...0008` | 21212 / 21606 / 21611 |
//! | `From` neither configured nor magic `+15005550006` nor an alphanumeric sender id | 21606 |

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::config::is_e164;
use crate::model::MessageRecord;
use twilio_wire::sid::new_sid;

use super::create_call::MAGIC_VALID_FROM;
use super::date_filter::DateFilter;
use super::error::ApiError;
use super::paging::{page_json, PageRequest};
use super::params::Params;
use super::resources::{account_path, message_json};
use super::RestState;

/// The longest `Body`.
pub const MAX_BODY_CHARS: usize = 1600;

/// `POST Messages.json`.
pub fn create(state: &RestState, account_sid: &str, params: &Params) -> Result<Response, ApiError> {
    let to = params
        .get("To")
        .ok_or_else(|| ApiError::bad_request(21604, "A 'To' phone number is required."))?;
    let from = params
        .get("From")
        .ok_or_else(|| ApiError::bad_request(21603, "A 'From' phone number is required."))?;
    let body = params.get("Body").unwrap_or_default();
    if body.is_empty() && params.get("MediaUrl").is_none() {
        return Err(ApiError::bad_request(21602, "Message body is required."));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(ApiError::bad_request(
            21617,
            "The concatenated message body exceeds the 1600 character limit.",
        ));
    }
    check_from(state, from)?;
    check_to(to, from)?;
    let now = state.clock.now();
    let message = MessageRecord {
        sid: new_sid("SM"),
        account_sid: account_sid.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        body: body.to_string(),
        date_created: now,
        date_sent: now,
        direction: "outbound-api".to_string(),
        status: "sent".to_string(),
    };
    let json = message_json(&message);
    state.store.insert_message(message);
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

fn check_from(state: &RestState, from: &str) -> Result<(), ApiError> {
    match from {
        "+15005550001" => Err(ApiError::bad_request(
            21212,
            format!(
                "The 'From' number {from} is not a valid phone number, shortcode, or \
                 alphanumeric sender ID."
            ),
        )),
        "+15005550007" => Err(not_sms_capable()),
        "+15005550008" => Err(ApiError::bad_request(
            21611,
            "This 'From' number has exceeded the maximum number of queued messages",
        )),
        MAGIC_VALID_FROM => Ok(()),
        _ if is_alphanumeric_sender(from) || state.config.owns_caller_id(from) => Ok(()),
        _ => Err(not_sms_capable()),
    }
}

fn not_sms_capable() -> ApiError {
    ApiError::bad_request(
        21606,
        "The 'From' phone number provided is not a valid, SMS-capable inbound phone number or \
         short code for your account.",
    )
}

/// An alphanumeric sender id: 1-11 letters, digits and spaces, at least one letter.
fn is_alphanumeric_sender(from: &str) -> bool {
    (1..=11).contains(&from.len())
        && from.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
        && from.chars().any(|c| c.is_ascii_alphabetic())
}

fn check_to(to: &str, from: &str) -> Result<(), ApiError> {
    let invalid = || {
        ApiError::bad_request(
            21211,
            format!("The 'To' number {to} is not a valid phone number."),
        )
    };
    match to {
        "+15005550001" => Err(invalid()),
        "+15005550002" => Err(ApiError::bad_request(
            21612,
            format!(
                "The 'To' phone number: {to}, is not currently reachable using the 'From' \
                 phone number: {from} via SMS."
            ),
        )),
        "+15005550003" => Err(ApiError::bad_request(
            21408,
            format!(
                "Permission to send an SMS has not been enabled for the region indicated by \
                 the 'To' number: {to}."
            ),
        )),
        "+15005550004" => Err(ApiError::bad_request(
            21610,
            "Attempt to send to unsubscribed recipient",
        )),
        "+15005550009" => Err(ApiError::bad_request(
            21614,
            "'To' number is not a valid mobile number",
        )),
        _ if is_e164(to) => Ok(()),
        _ => Err(invalid()),
    }
}

/// `GET Messages/{Sid}.json`.
pub fn fetch(state: &RestState, sid: &str, path: &str) -> Result<Response, ApiError> {
    let message = state
        .store
        .messages(|m| m.sid == sid)
        .pop()
        .ok_or_else(|| ApiError::not_found(path))?;
    Ok(Json(message_json(&message)).into_response())
}

/// `GET Messages.json`: newest first, filtered by `To`, `From`, `DateSent[<>]` (whole days),
/// paged.
pub fn list(state: &RestState, account_sid: &str, params: &Params) -> Result<Response, ApiError> {
    const FILTERS: [&str; 5] = ["To", "From", "DateSent", "DateSent<", "DateSent>"];
    let paging = PageRequest::from_params(params)?;
    // Twilio compares `DateSent` by day only, whatever time of day is given.
    let sent = DateFilter::from_params(params, "DateSent")?.by_day();
    let to = params.get("To");
    let from = params.get("From");
    let mut messages = state.store.messages(|m| {
        to.is_none_or(|to| m.to == to)
            && from.is_none_or(|from| m.from == from)
            && sent.matches(Some(m.date_sent))
    });
    // Newest first; among equal timestamps, the later stored first.
    messages.reverse();
    messages.sort_by_key(|message| std::cmp::Reverse(message.date_sent));
    let body = page_json(
        &messages,
        |m| m.sid.as_str(),
        message_json,
        &paging,
        &format!("{}/Messages.json", account_path(account_sid)),
        &params.only(&FILTERS),
        "messages",
    );
    Ok(Json(body).into_response())
}
