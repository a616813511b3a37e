//! Validation of `POST Calls.json` into a [`CallRequest`], in Twilio's order: required
//! parameters, then the endpoints, then the rest (`twilio.md` §2.1, §3).
//!
//! | check | error |
//! |---|---|
//! | `To` missing | 400/21201 `No 'To' number is specified` |
//! | `From` missing | 400/21213 `No 'From' number is specified` |
//! | none of `Url`/`Twiml` (`ApplicationSid` alone: the emulator has no applications) | 400/21205 `Url parameter is required. For more information, see http://www.twilio.com/docs/api/twiml` |
//! | `To` not E.164 (7-15 digits), `client:` or `sip:` | 400/21211 `The 'To' number <to> is not a valid phone number.` |
//! | `From` not E.164 (`client:`/`sip:` only towards `client:`/`sip:`), or the magic `+15005550001` | 400/21212 `Invalid From Number (caller ID): <from>` |
//! | `From` neither a configured caller id / number, one the account owns or verified, nor the magic `+15005550006` | 400/21210 |
//! | `To` `+15005550001` / `...0002` / `...0004` | 400/21217 / 21214 / 21216 |
//! | `To` `+15005550003`, no `permitted_prefixes` entry matches, or its country is in the account's `voice_countries_disabled` | 400/21215 (exact message) |
//! | a trial account's `To` not among its `verified_caller_ids` | 400/21219 |
//! | `Url`, `FallbackUrl`, `StatusCallback` not absolute http(s) | 400/21205 `<Name> is not a valid URL: <value>` |
//! | a `*Method` other than GET/POST | 400/21209 |
//! | `Twiml` over 4000 characters | 400/20001 (Twilio documents no code) |
//! | `Timeout` not 1-600 | 400/21208 |
//! | `SendDigits` over 32 or outside `0-9A-D#*wW` | 400/21206 |
//! | `Record` not a boolean, `TimeLimit` not 1-86400, unknown `StatusCallbackEvent` | 400/20001 |
//!
//! When both `Url` and `Twiml` are given, `Url` wins (Twilio: "Twiml is ignored").

use twilio_wire::countries::country_of;

use crate::config::{is_e164, AccountConfig, EmulatorConfig};
use crate::model::{CallRequest, StatusEvent, TwimlSource};

use super::error::ApiError;
use super::params::{
    bool_param, is_call_endpoint, is_client_or_sip, method_param, url_param, Params,
};

/// The longest `Twiml` parameter Twilio accepts.
pub const MAX_TWIML_CHARS: usize = 4000;
/// `Timeout` when not given, and its largest value.
pub const DEFAULT_TIMEOUT_SECS: u32 = 60;
/// The largest `Timeout`.
pub const MAX_TIMEOUT_SECS: u32 = 600;
/// `TimeLimit` when not given: the account default of 4 hours.
pub const DEFAULT_TIME_LIMIT_SECS: u32 = 14_400;
/// The largest `TimeLimit`: 24 hours.
pub const MAX_TIME_LIMIT_SECS: u32 = 86_400;

/// Test-credential magic `From` that always succeeds.
pub const MAGIC_VALID_FROM: &str = "+15005550006";

/// Validates the parameters of a create-call request by `account`.
pub fn call_request(
    config: &EmulatorConfig,
    account: &AccountConfig,
    params: &Params,
) -> Result<CallRequest, ApiError> {
    let account_sid = account.sid.as_str();
    let to = params
        .get("To")
        .ok_or_else(|| ApiError::bad_request(21201, "No 'To' number is specified"))?;
    let from = params
        .get("From")
        .ok_or_else(|| ApiError::bad_request(21213, "No 'From' number is specified"))?;
    if params.get("Url").is_none() && params.get("Twiml").is_none() {
        return Err(ApiError::bad_request(
            21205,
            "Url parameter is required. For more information, see http://www.twilio.com/docs/api/twiml",
        ));
    }
    check_to_format(to)?;
    check_from(config, account, from, to)?;
    check_destination(config, account, to)?;
    check_trial(account, to)?;
    let twiml = twiml_param(params)?;
    let fallback = match url_param(params, "FallbackUrl")? {
        Some(url) => Some((url, method_param(params, "FallbackMethod")?)),
        None => None,
    };
    Ok(CallRequest {
        account_sid: account_sid.to_string(),
        to: to.to_string(),
        from: from.to_string(),
        twiml,
        fallback,
        status_callback: url_param(params, "StatusCallback")?,
        status_callback_method: method_param(params, "StatusCallbackMethod")?,
        status_callback_events: status_events(params)?,
        record: bool_param(params, "Record")?,
        timeout_secs: timeout(params)?,
        time_limit_secs: time_limit(params)?,
        send_digits: send_digits(params)?,
    })
}

/// `Url` (+`Method`) or, without `Url`, `Twiml`; shared by create and update.
pub fn twiml_param(params: &Params) -> Result<TwimlSource, ApiError> {
    if let Some(url) = url_param(params, "Url")? {
        let method = method_param(params, "Method")?;
        return Ok(TwimlSource::Url { url, method });
    }
    let twiml = params.get("Twiml").unwrap_or_default();
    if twiml.chars().count() > MAX_TWIML_CHARS {
        return Err(ApiError::invalid_parameter(format!(
            "Twiml must be at most {MAX_TWIML_CHARS} characters"
        )));
    }
    Ok(TwimlSource::Inline(twiml.to_string()))
}

/// `TimeLimit` in seconds (1 to 24 hours); shared by create and update.
pub fn time_limit(params: &Params) -> Result<u32, ApiError> {
    match params.get("TimeLimit") {
        None => Ok(DEFAULT_TIME_LIMIT_SECS),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|s| (1..=MAX_TIME_LIMIT_SECS).contains(s))
            .ok_or_else(|| {
                ApiError::invalid_parameter(format!(
                    "TimeLimit must be 1 to {MAX_TIME_LIMIT_SECS} seconds: {text}"
                ))
            }),
    }
}

fn check_to_format(to: &str) -> Result<(), ApiError> {
    if is_call_endpoint(to) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            21211,
            format!("The 'To' number {to} is not a valid phone number."),
        ))
    }
}

fn check_from(
    config: &EmulatorConfig,
    account: &AccountConfig,
    from: &str,
    to: &str,
) -> Result<(), ApiError> {
    // A client or SIP caller may only call another client or SIP endpoint (Twilio: "If To is
    // a phone number, From must be one too").
    let endpoint_kind_fits = is_e164(from) || (is_client_or_sip(from) && is_client_or_sip(to));
    if !endpoint_kind_fits || from == "+15005550001" {
        return Err(ApiError::bad_request(
            21212,
            format!("Invalid From Number (caller ID): {from}"),
        ));
    }
    if from != MAGIC_VALID_FROM && is_e164(from) && !config.account_may_call_from(account, from) {
        return Err(ApiError::bad_request(
            21210,
            format!(
                "The source phone number provided, {from}, is not yet verified for your \
                 account. You may only make calls from phone numbers that you've verified or \
                 purchased from Twilio."
            ),
        ));
    }
    Ok(())
}

fn check_destination(
    config: &EmulatorConfig,
    account: &AccountConfig,
    to: &str,
) -> Result<(), ApiError> {
    let not_permitted = || {
        ApiError::bad_request(
            21215,
            format!(
                "Account not authorized to call {to}. Perhaps you need to enable some \
                 international permissions: \
                 https://www.twilio.com/console/voice/calls/geo-permissions/low-risk"
            ),
        )
    };
    match to {
        "+15005550001" => Err(ApiError::bad_request(
            21217,
            format!("Phone number {to} does not appear to be valid"),
        )),
        "+15005550002" => Err(ApiError::bad_request(
            21214,
            format!("'To' phone number {to} cannot be reached"),
        )),
        "+15005550003" => Err(not_permitted()),
        "+15005550004" => Err(ApiError::bad_request(
            21216,
            format!("Call blocked by Twilio: {to}"),
        )),
        _ if is_client_or_sip(to) => Ok(()),
        _ if !config.permits_destination(to) => Err(not_permitted()),
        _ if country_of(to).is_some_and(|c| account.blocks_country(c.iso_code)) => {
            Err(not_permitted())
        }
        _ => Ok(()),
    }
}

/// A trial account calls verified numbers only.
fn check_trial(account: &AccountConfig, to: &str) -> Result<(), ApiError> {
    if !account.trial || is_client_or_sip(to) || account.has_verified(to) {
        return Ok(());
    }
    Err(ApiError::bad_request(
        21219,
        format!(
            "The number {to} is unverified. Trial accounts cannot call unverified numbers; \
             verify {to} at twilio.com/user/account/phone-numbers/verified, or purchase a \
             Twilio number to call unverified numbers."
        ),
    ))
}

fn status_events(params: &Params) -> Result<Vec<StatusEvent>, ApiError> {
    let mut events = Vec::new();
    // Repeated keys are the wire format; space-separated values are tolerated as well.
    for name in params
        .all("StatusCallbackEvent")
        .flat_map(str::split_whitespace)
    {
        let event = StatusEvent::parse(name).ok_or_else(|| {
            ApiError::invalid_parameter(format!(
                "StatusCallbackEvent must be initiated, ringing, answered or completed: {name}"
            ))
        })?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    if events.is_empty() {
        events.push(StatusEvent::Completed);
    }
    Ok(events)
}

fn timeout(params: &Params) -> Result<u32, ApiError> {
    match params.get("Timeout") {
        None => Ok(DEFAULT_TIMEOUT_SECS),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|s| (1..=MAX_TIMEOUT_SECS).contains(s))
            .ok_or_else(|| {
                ApiError::bad_request(
                    21208,
                    format!("Timeout must be 1 to {MAX_TIMEOUT_SECS} seconds: {text}"),
                )
            }),
    }
}

fn send_digits(params: &Params) -> Result<Option<String>, ApiError> {
    let Some(digits) = params.get("SendDigits") else {
        return Ok(None);
    };
    let allowed = |c: char| c.is_ascii_digit() || "ABCD#*wW".contains(c);
    if digits.chars().count() > 32 || !digits.chars().all(allowed) {
        return Err(ApiError::bad_request(
            21206,
            format!("SendDigits must be at most 32 of 0-9, A-D, #, *, w and W: {digits}"),
        ));
    }
    Ok(Some(digits.to_string()))
}
