//! Function Versions (`.../Functions/{FunctionSid}/Versions`): list, fetch, and the uploaded
//! code (`.../Versions/{Sid}/Content`). They are created by an upload (see [`super::upload`]).

use axum::response::Response;
use serde_json::{json, Value};

use twilio_wire::time::iso8601;

use crate::rest::error::ApiError;
use crate::rest::v1::{ok, V1Request};

use super::functions::{function_url, owned_function};
use super::store::{child, children, FunctionVersion};
use super::{page, ServerlessState};

/// `GET .../Versions`: oldest first, paged.
pub fn list(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    function: &str,
) -> Result<Response, ApiError> {
    let (function, versions) = state.store.with(|data| {
        let function = owned_function(data, request, service, function)?;
        let versions = children(&data.versions, &function.sid);
        Ok::<_, ApiError>((function, versions))
    })?;
    let url = format!(
        "{}/Versions",
        function_url(request, &function.service_sid, &function.sid)
    );
    let to_json = |v: &FunctionVersion| version_json(v, request);
    page(request, &versions, to_json, &url, "function_versions")
}

/// `GET .../Versions/{Sid}`.
pub fn fetch(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    function: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    let version = find(state, request, service, function, sid)?;
    Ok(ok(version_json(&version, request)))
}

/// `GET .../Versions/{Sid}/Content`: the uploaded code.
pub fn content(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    function: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    let version = find(state, request, service, function, sid)?;
    Ok(ok(json!({
        "sid": version.sid,
        "account_sid": request.account_sid,
        "service_sid": version.service_sid,
        "function_sid": version.function_sid,
        "content": version.content,
        "url": format!("{}/Content", version_url(&version, request)),
    })))
}

fn find(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    function: &str,
    sid: &str,
) -> Result<FunctionVersion, ApiError> {
    state.store.with(|data| {
        let function = owned_function(data, request, service, function)?;
        child(&data.versions, &function.sid, sid).ok_or_else(|| request.not_found())
    })
}

fn version_url(version: &FunctionVersion, request: &V1Request) -> String {
    format!(
        "{}/Versions/{}",
        function_url(request, &version.service_sid, &version.function_sid),
        version.sid
    )
}

/// A Version as `serverless.v1.service.function.function_version`.
pub fn version_json(version: &FunctionVersion, request: &V1Request) -> Value {
    let url = version_url(version, request);
    json!({
        "sid": version.sid,
        "account_sid": request.account_sid,
        "service_sid": version.service_sid,
        "function_sid": version.function_sid,
        "path": version.path,
        "visibility": version.visibility.as_str(),
        "date_created": iso8601(version.date_created),
        "url": url,
        "links": {"function_version_content": format!("{url}/Content")},
    })
}
