//! Functions (`/v1/Services/{ServiceSid}/Functions`): create, fetch, rename, list, delete
//! (with its Versions; Builds keep their copies).
//!
//! | check | error |
//! |---|---|
//! | `FriendlyName` missing or over 255 characters | 400/20001 |
//! | no such Service or Function | 404/20404 |

use axum::response::Response;
use serde_json::{json, Value};

use twilio_wire::sid::new_sid;
use twilio_wire::time::iso8601;

use crate::rest::error::ApiError;
use crate::rest::v1::{created, deleted, ok, V1Request};

use super::services::owned;
use super::store::{child, children, Function, ServerlessData};
use super::{page, ServerlessState};

/// The Function `sid` of the account's Service `service` (cloned), or 404/20404.
pub fn owned_function(
    data: &ServerlessData,
    request: &V1Request,
    service: &str,
    sid: &str,
) -> Result<Function, ApiError> {
    let service = owned(data, request, service)?;
    child(&data.functions, &service.sid, sid).ok_or_else(|| request.not_found())
}

/// `POST .../Functions`.
pub fn create(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
) -> Result<Response, ApiError> {
    let friendly_name = request.required("FriendlyName")?;
    request.text("FriendlyName", 255)?;
    let now = state.clock.now();
    let function = state.store.with(|data| {
        let service = owned(data, request, service)?;
        let function = Function {
            sid: new_sid("ZH"),
            service_sid: service.sid,
            friendly_name: friendly_name.to_string(),
            date_created: now,
            date_updated: now,
        };
        data.functions.push(function.clone());
        Ok::<_, ApiError>(function)
    })?;
    Ok(created(function_json(&function, request)))
}

/// `GET .../Functions/{Sid}`.
pub fn fetch(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    let function = state
        .store
        .with(|data| owned_function(data, request, service, sid))?;
    Ok(ok(function_json(&function, request)))
}

/// `POST .../Functions/{Sid}`: a new `FriendlyName`.
pub fn update(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    let friendly_name = request.required("FriendlyName")?;
    request.text("FriendlyName", 255)?;
    let now = state.clock.now();
    let function = state.store.with(|data| {
        let sid = owned_function(data, request, service, sid)?.sid;
        let function = data
            .functions
            .iter_mut()
            .find(|f| f.sid == sid)
            .ok_or_else(|| request.not_found())?;
        function.friendly_name = friendly_name.to_string();
        function.date_updated = now;
        Ok::<_, ApiError>(function.clone())
    })?;
    Ok(ok(function_json(&function, request)))
}

/// `GET .../Functions`: oldest first, paged.
pub fn list(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
) -> Result<Response, ApiError> {
    let (service, functions) = state.store.with(|data| {
        let service = owned(data, request, service)?;
        let functions = children(&data.functions, &service.sid);
        Ok::<_, ApiError>((service, functions))
    })?;
    let url = request.url(&format!("/Services/{}/Functions", service.sid));
    let to_json = |f: &Function| function_json(f, request);
    page(request, &functions, to_json, &url, "functions")
}

/// `DELETE .../Functions/{Sid}`: with its Versions.
pub fn delete(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    state.store.with(|data| {
        let function = owned_function(data, request, service, sid)?;
        data.remove_function(&function.sid);
        Ok(deleted())
    })
}

/// The URL of the Function `sid` in `service`.
pub fn function_url(request: &V1Request, service: &str, sid: &str) -> String {
    request.url(&format!("/Services/{service}/Functions/{sid}"))
}

/// A Function as `serverless.v1.service.function`.
fn function_json(function: &Function, request: &V1Request) -> Value {
    let url = function_url(request, &function.service_sid, &function.sid);
    json!({
        "sid": function.sid,
        "account_sid": request.account_sid,
        "service_sid": function.service_sid,
        "friendly_name": function.friendly_name,
        "date_created": iso8601(function.date_created),
        "date_updated": iso8601(function.date_updated),
        "url": url,
        "links": {"function_versions": format!("{url}/Versions")},
    })
}
