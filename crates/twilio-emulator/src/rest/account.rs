//! What the emulator says about an account (OpenAPI `api.v2010.account`,
//! `.incoming_phone_number`, `.outgoing_caller_id`): its type and status, the numbers it owns
//! (the shared `caller_ids`, able to do everything, then its own `phone_numbers`) and the
//! numbers it verified. Lists take Twilio's `PhoneNumber` filter (a part of the number).

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use twilio_wire::time::rfc2822;

use crate::config::{AccountConfig, OwnedNumberConfig};

use super::error::ApiError;
use super::paging::{page_json, PageRequest};
use super::params::Params;
use super::resources::{account_path, phone_number_sid, API_VERSION};
use super::RestState;

/// The Account resource (never its auth token: the field is there, `null`, as for a key).
pub fn account_json(account: &AccountConfig, state: &RestState) -> Response {
    let now = rfc2822(state.clock.now());
    let path = account_path(&account.sid);
    let subresources = [
        ("calls", "Calls"),
        ("messages", "Messages"),
        ("recordings", "Recordings"),
        ("transcriptions", "Transcriptions"),
        ("queues", "Queues"),
        ("incoming_phone_numbers", "IncomingPhoneNumbers"),
        ("outgoing_caller_ids", "OutgoingCallerIds"),
        ("keys", "Keys"),
    ];
    let uris: serde_json::Map<String, Value> = subresources
        .iter()
        .map(|(name, resource)| (name.to_string(), format!("{path}/{resource}.json").into()))
        .collect();
    Json(json!({
        "auth_token": null,
        "date_created": now,
        "date_updated": now,
        "friendly_name": format!("{} (emulated)", account.sid),
        "owner_account_sid": account.sid,
        "sid": account.sid,
        "status": account.status.as_str(),
        "subresource_uris": uris,
        "type": if account.trial { "Trial" } else { "Full" },
        "uri": format!("{path}.json"),
    }))
    .into_response()
}

/// Whether `number` matches the `PhoneNumber` filter, if any.
fn matches_filter(number: &str, params: &Params) -> bool {
    params
        .get("PhoneNumber")
        .is_none_or(|part| number.contains(part.trim()))
}

fn incoming_number_json(account_sid: &str, owned: &OwnedNumberConfig, now: &str) -> Value {
    let sid = phone_number_sid(&owned.number);
    json!({
        "account_sid": account_sid,
        "address_sid": null,
        "address_requirements": "none",
        "api_version": API_VERSION,
        "beta": false,
        "capabilities": {"voice": owned.voice, "sms": owned.sms, "mms": owned.sms, "fax": false},
        "date_created": now,
        "date_updated": now,
        "friendly_name": owned.number,
        "identity_sid": null,
        "phone_number": owned.number,
        "origin": "twilio",
        "sid": sid,
        "sms_application_sid": null,
        "sms_fallback_method": "POST",
        "sms_fallback_url": null,
        "sms_method": "POST",
        "sms_url": null,
        "status_callback": null,
        "status_callback_method": "POST",
        "trunk_sid": null,
        "uri": format!("{}/IncomingPhoneNumbers/{sid}.json", account_path(account_sid)),
        "voice_receive_mode": "voice",
        "voice_application_sid": null,
        "voice_caller_id_lookup": false,
        "voice_fallback_method": "POST",
        "voice_fallback_url": null,
        "voice_method": "POST",
        "voice_url": null,
        "emergency_status": "Inactive",
        "emergency_address_sid": null,
        "emergency_address_status": "unregistered",
        "bundle_sid": null,
        "status": "in-use",
        "type": "local",
    })
}

/// `GET IncomingPhoneNumbers.json`.
pub fn incoming_numbers(
    state: &RestState,
    account: &AccountConfig,
    params: &Params,
    headers: &axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let paging = PageRequest::from_params(params)?;
    let shared = state
        .config
        .caller_ids
        .iter()
        .map(|number| OwnedNumberConfig {
            number: number.clone(),
            voice: true,
            sms: true,
        });
    // The numbers that run a Studio flow belong to the flows' account (the first), as a
    // number must be the account's own to run its flow on Twilio.
    let flows_account = state.config.accounts.first().map(|a| a.sid.as_str());
    let flow_numbers = state
        .config
        .numbers
        .iter()
        .filter(|(_, entry)| entry.studio_flow.is_some())
        .filter(|_| flows_account == Some(account.sid.as_str()))
        .map(|(number, _)| OwnedNumberConfig {
            number: number.clone(),
            voice: true,
            sms: false,
        });
    let mut owned: Vec<OwnedNumberConfig> = Vec::new();
    for number in shared
        .chain(account.phone_numbers.iter().cloned())
        .chain(flow_numbers)
    {
        if matches_filter(&number.number, params)
            && !owned.iter().any(|o| o.number == number.number)
        {
            owned.push(number);
        }
    }
    let now = rfc2822(state.clock.now());
    let origin = super::recordings::origin(headers);
    let voice_url = |number: &str| {
        let runs_flow = state
            .config
            .numbers
            .get(number)
            .is_some_and(|entry| entry.studio_flow.is_some());
        runs_flow.then(|| {
            format!(
                "{origin}/v1/Accounts/{}/Flows/{}",
                account.sid,
                crate::studio::flow_sid(number)
            )
        })
    };
    let body = page_json(
        &owned,
        |owned| owned.number.as_str(),
        |owned| {
            let mut json = incoming_number_json(&account.sid, owned, &now);
            if let Some(url) = voice_url(&owned.number) {
                json["voice_url"] = Value::String(url);
            }
            json
        },
        &paging,
        &format!("{}/IncomingPhoneNumbers.json", account_path(&account.sid)),
        &filters(params),
        "incoming_phone_numbers",
    );
    Ok(Json(body).into_response())
}

/// `GET OutgoingCallerIds.json`.
pub fn outgoing_caller_ids(
    state: &RestState,
    account: &AccountConfig,
    params: &Params,
) -> Result<Response, ApiError> {
    let paging = PageRequest::from_params(params)?;
    let verified: Vec<&String> = account
        .verified_caller_ids
        .iter()
        .filter(|number| matches_filter(number, params))
        .collect();
    let now = rfc2822(state.clock.now());
    let body = page_json(
        &verified,
        |number| number.as_str(),
        |number| {
            let sid = phone_number_sid(number);
            json!({
                "sid": sid,
                "date_created": now,
                "date_updated": now,
                "friendly_name": number,
                "account_sid": account.sid,
                "phone_number": number,
                "uri": format!("{}/OutgoingCallerIds/{sid}.json", account_path(&account.sid)),
            })
        },
        &paging,
        &format!("{}/OutgoingCallerIds.json", account_path(&account.sid)),
        &filters(params),
        "outgoing_caller_ids",
    );
    Ok(Json(body).into_response())
}

/// The filter every page link repeats.
fn filters(params: &Params) -> Vec<(String, String)> {
    params
        .get("PhoneNumber")
        .map(|part| vec![("PhoneNumber".to_string(), part.to_string())])
        .unwrap_or_default()
}
