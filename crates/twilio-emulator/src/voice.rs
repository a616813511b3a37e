//! Twilio Voice v1, the part a preflight reads: the account's dialing permissions (geo
//! permissions) by country, at `/voice/v1/DialingPermissions/Countries[/{IsoCode}]` (the path
//! prefix that stands for `voice.twilio.com`). The countries are `twilio_wire::countries`';
//! an account's `voice_countries_disabled` lists those its calls may not reach (the rest allow
//! low-risk numbers, as a new Twilio account allows its home country).
//!
//! List filters: `IsoCode`, `Continent`, `CountryCode` (`+44`), `LowRiskNumbersEnabled`.

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{json, Value};

use twilio_wire::client::Product;
use twilio_wire::countries::{by_iso_code, Country, COUNTRIES};

use crate::config::AccountConfig;
use crate::rest::error::ApiError;
use crate::rest::paging::{v1_page_json, PageRequest};
use crate::rest::v1::{ok, V1Request, V1State};

/// What the Voice handlers share (no records of their own).
pub(crate) type VoiceState = V1State<()>;

/// The Voice API as an axum router without a fallback (merge it next to the others).
pub(crate) fn router(state: VoiceState) -> Router {
    let path = format!("{}/v1/{{*path}}", Product::Voice.path_prefix());
    Router::new().route(&path, any(handle)).with_state(state)
}

async fn handle(
    State(state): State<VoiceState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(&state, method, &uri, headers, &body).unwrap_or_else(IntoResponse::into_response)
}

fn serve(
    state: &VoiceState,
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let request = V1Request::new(
        &state.config,
        &state.keys,
        Product::Voice,
        method,
        uri,
        headers,
    )?
    .read_params(uri, body)?;
    let account = state
        .config
        .account(&request.account_sid)
        .ok_or_else(ApiError::authenticate)?;
    let segments = request.segments();
    let path: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (path.as_slice(), request.method.as_str()) {
        (["DialingPermissions", "Countries"], "GET") => list(&request, account),
        (["DialingPermissions", "Countries", iso], "GET") => {
            let country = by_iso_code(iso).ok_or_else(|| request.not_found())?;
            Ok(ok(country_json(&request, account, country)))
        }
        (["DialingPermissions", "Countries"] | ["DialingPermissions", "Countries", _], _) => {
            Err(ApiError::method_not_allowed())
        }
        _ => Err(request.not_found()),
    }
}

fn country_json(request: &V1Request, account: &AccountConfig, country: &Country) -> Value {
    let url = request.url(&format!(
        "/DialingPermissions/Countries/{}",
        country.iso_code
    ));
    json!({
        "iso_code": country.iso_code,
        "name": country.name,
        "continent": country.continent,
        "country_codes": [country.calling_code],
        "low_risk_numbers_enabled": !account.blocks_country(country.iso_code),
        "high_risk_special_numbers_enabled": false,
        "high_risk_tollfraud_numbers_enabled": false,
        "url": url,
        "links": {"highrisk_special_prefixes": format!("{url}/HighRiskSpecialPrefixes")},
    })
}

fn list(request: &V1Request, account: &AccountConfig) -> Result<Response, ApiError> {
    let paging = PageRequest::from_params(&request.params)?;
    let wanted = |name: &str| request.params.get(name);
    let low_risk = request.flag("LowRiskNumbersEnabled", true)?;
    let countries: Vec<&Country> = COUNTRIES
        .iter()
        .filter(|c| wanted("IsoCode").is_none_or(|iso| c.iso_code.eq_ignore_ascii_case(iso)))
        .filter(|c| wanted("Continent").is_none_or(|name| c.continent.eq_ignore_ascii_case(name)))
        .filter(|c| wanted("CountryCode").is_none_or(|code| c.calling_code == code))
        .filter(|c| {
            wanted("LowRiskNumbersEnabled").is_none()
                || low_risk != account.blocks_country(c.iso_code)
        })
        .collect();
    let filters: Vec<(String, String)> = [
        "IsoCode",
        "Continent",
        "CountryCode",
        "LowRiskNumbersEnabled",
    ]
    .iter()
    .filter_map(|name| Some((name.to_string(), wanted(name)?.to_string())))
    .collect();
    Ok(ok(v1_page_json(
        &countries,
        |c| c.iso_code.to_string(),
        |c| country_json(request, account, c),
        &paging,
        &request.url("/DialingPermissions/Countries"),
        &filters,
        "content",
    )))
}
