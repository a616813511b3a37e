//! Serverless Services (`/v1/Services`): create, fetch by SID or unique name, list, delete
//! (which deletes everything under the Service).
//!
//! | check | error |
//! |---|---|
//! | `UniqueName` or `FriendlyName` missing | 400/20001 |
//! | `UniqueName` over 50 characters or not letters, digits and dashes | 400/20001 |
//! | `UniqueName` taken by another Service of the account | 409/20409 |
//! | `IncludeCredentials`/`UiEditable` not a boolean | 400/20001 |

use axum::response::Response;
use rand::Rng;
use serde_json::{json, Value};

use twilio_wire::sid::new_sid;
use twilio_wire::time::iso8601;

use crate::rest::error::ApiError;
use crate::rest::v1::{created, deleted, ok, V1Request};

use super::store::{children, ServerlessData, Service};
use super::{page, ServerlessState};

/// The longest `UniqueName` of a Service (it is part of a domain name).
const MAX_UNIQUE_NAME_CHARS: usize = 50;

/// The account's Service `sid_or_name` (cloned), or 404/20404 naming the request's path.
pub fn owned(
    data: &ServerlessData,
    request: &V1Request,
    sid_or_name: &str,
) -> Result<Service, ApiError> {
    data.service(&request.account_sid, sid_or_name)
        .cloned()
        .ok_or_else(|| request.not_found())
}

/// `POST /v1/Services`.
pub fn create(state: &ServerlessState, request: &V1Request) -> Result<Response, ApiError> {
    let unique_name = request.required("UniqueName")?;
    let friendly_name = request.required("FriendlyName")?;
    let url_friendly = unique_name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !url_friendly || unique_name.chars().count() > MAX_UNIQUE_NAME_CHARS {
        return Err(ApiError::invalid_parameter(format!(
            "UniqueName must be at most {MAX_UNIQUE_NAME_CHARS} letters, digits and dashes: \
             {unique_name}"
        )));
    }
    request.text("FriendlyName", 255)?;
    let now = state.clock.now();
    let service = Service {
        sid: new_sid("ZS"),
        account_sid: request.account_sid.clone(),
        unique_name: unique_name.to_string(),
        friendly_name: friendly_name.to_string(),
        include_credentials: request.flag("IncludeCredentials", true)?,
        ui_editable: request.flag("UiEditable", false)?,
        domain_base: format!(
            "{}-{}",
            unique_name.to_ascii_lowercase(),
            rand::rng().random_range(1000..10000)
        ),
        date_created: now,
        date_updated: now,
    };
    state.store.with(|data| {
        if data.service(&request.account_sid, unique_name).is_some() {
            return Err(ApiError::conflict(
                20409,
                format!("Service with UniqueName {unique_name} already exists"),
            ));
        }
        data.services.push(service.clone());
        Ok(())
    })?;
    Ok(created(service_json(&service, request)))
}

/// `GET /v1/Services/{Sid}` (SID or unique name).
pub fn fetch(
    state: &ServerlessState,
    request: &V1Request,
    sid: &str,
) -> Result<Response, ApiError> {
    let service = state.store.with(|data| owned(data, request, sid))?;
    Ok(ok(service_json(&service, request)))
}

/// `GET /v1/Services`: oldest first, paged.
pub fn list(state: &ServerlessState, request: &V1Request) -> Result<Response, ApiError> {
    let services = state
        .store
        .with(|data| children(&data.services, &request.account_sid));
    let to_json = |s: &Service| service_json(s, request);
    page(
        request,
        &services,
        to_json,
        &request.url("/Services"),
        "services",
    )
}

/// `DELETE /v1/Services/{Sid}`: the Service, its Environments, Variables, Functions,
/// Versions, Builds and Deployments (and its Functions' workers).
pub fn delete(
    state: &ServerlessState,
    request: &V1Request,
    sid: &str,
) -> Result<Response, ApiError> {
    let environment_sids = state.store.with(|data| {
        let service = owned(data, request, sid)?;
        let environment_sids: Vec<String> = data
            .environments
            .iter()
            .filter(|e| e.service_sid == service.sid)
            .map(|e| e.sid.clone())
            .collect();
        data.remove_service(&service.sid);
        Ok::<_, ApiError>(environment_sids)
    })?;
    for environment_sid in &environment_sids {
        state.store.node().stop_worker(environment_sid);
    }
    Ok(deleted())
}

/// A Service as `serverless.v1.service`.
fn service_json(service: &Service, request: &V1Request) -> Value {
    let url = request.url(&format!("/Services/{}", service.sid));
    json!({
        "sid": service.sid,
        "account_sid": service.account_sid,
        "friendly_name": service.friendly_name,
        "unique_name": service.unique_name,
        "include_credentials": service.include_credentials,
        "ui_editable": service.ui_editable,
        "domain_base": service.domain_base,
        "date_created": iso8601(service.date_created),
        "date_updated": iso8601(service.date_updated),
        "url": url,
        "links": {
            "environments": format!("{url}/Environments"),
            "functions": format!("{url}/Functions"),
            "assets": format!("{url}/Assets"),
            "builds": format!("{url}/Builds"),
        },
    })
}
