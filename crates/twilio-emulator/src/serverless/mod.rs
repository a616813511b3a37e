//! Twilio Serverless v1, the part a deployment tool uses: Services, Environments, Variables,
//! Functions, Function Versions (uploaded as on Twilio's upload host), Builds with their status
//! transitions on the emulated clock, and Deployments. It is served at `/serverless/v1/...`,
//! the upload at `/serverless-upload/v1/...` (the path prefixes that stand for
//! `serverless.twilio.com` and `serverless-upload.twilio.com`, see
//! `twilio_wire::client::ApiBase`). Deployed Functions answer at
//! `/functions/{domain_name}{path}` and run under node, in a warm worker per deployment
//! (`invoke.rs`, `node.rs`, `worker.rs`, `runtime.js`).
//!
//! ```text
//! /serverless/v1/Services[/{ZS or name}]                        services
//! /serverless/v1/Services/{ZS}/Environments[/{ZE}]              environments
//!                              .../{ZE}/Variables[/{ZV}]        variables
//!                              .../{ZE}/Deployments[/{ZD}]      deployments
//! /serverless/v1/Services/{ZS}/Functions[/{ZH}]                 functions
//!                              .../{ZH}/Versions[/{ZN}[/Content]]   versions
//! /serverless-upload/v1/Services/{ZS}/Functions/{ZH}/Versions   upload (multipart POST)
//! /serverless/v1/Services/{ZS}/Builds[/{ZB}[/Status]]           builds
//! /functions/{domain_name}/{path}                               a deployed Function, run
//! ```
//!
//! Deleting a Service deletes everything under it. Assets and Logs are not served (404).

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

use twilio_wire::client::Product;

use serde_json::Value;

use crate::rest::error::ApiError;
use crate::rest::paging::{v1_page_json, PageRequest};
use crate::rest::v1::{ok, V1Request, V1State};

use store::Child;

mod builds;
mod deployments;
mod environments;
mod functions;
mod invoke;
pub(crate) mod node;
mod services;
mod store;
#[cfg(test)]
mod tests;
mod upload;
mod variables;
mod versions;
mod worker;

pub(crate) use store::ServerlessStore;

/// What the Serverless handlers share.
pub(crate) type ServerlessState = V1State<ServerlessStore>;

/// The Serverless and Serverless Upload APIs as an axum router without a fallback.
pub(crate) fn router(state: ServerlessState) -> Router {
    let api = format!("{}/v1/{{*path}}", Product::Serverless.path_prefix());
    let upload = format!(
        "{}{}",
        Product::ServerlessUpload.path_prefix(),
        upload::ROUTE
    );
    Router::new()
        .route(&api, any(handle))
        .route(&upload, any(upload::handle))
        .route(&invoke::route(), any(invoke::handle))
        .with_state(state)
}

async fn handle(
    State(state): State<ServerlessState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(&state, method, &uri, headers, &body).unwrap_or_else(IntoResponse::into_response)
}

fn serve(
    state: &ServerlessState,
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let request = V1Request::new(
        &state.config,
        &state.keys,
        Product::Serverless,
        method,
        uri,
        headers,
    )?
    .read_params(uri, body)?;
    let segments = request.segments();
    let path: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (q, st) = (&request, state);
    match (path.as_slice(), q.method.as_str()) {
        (["Services"], "GET") => services::list(st, q),
        (["Services"], "POST") => services::create(st, q),
        (["Services", s], "GET") => services::fetch(st, q, s),
        (["Services", s], "DELETE") => services::delete(st, q, s),
        (["Services", s, "Environments"], "GET") => environments::list(st, q, s),
        (["Services", s, "Environments"], "POST") => environments::create(st, q, s),
        (["Services", s, "Environments", e], "GET") => environments::fetch(st, q, s, e),
        (["Services", s, "Environments", e], "DELETE") => environments::delete(st, q, s, e),
        (["Services", s, "Environments", e, "Variables"], "GET") => variables::list(st, q, s, e),
        (["Services", s, "Environments", e, "Variables"], "POST") => variables::create(st, q, s, e),
        (["Services", s, "Environments", e, "Variables", v], "GET") => {
            variables::fetch(st, q, s, e, v)
        }
        (["Services", s, "Environments", e, "Variables", v], "POST") => {
            variables::update(st, q, s, e, v)
        }
        (["Services", s, "Environments", e, "Variables", v], "DELETE") => {
            variables::delete(st, q, s, e, v)
        }
        (["Services", s, "Environments", e, "Deployments"], "GET") => {
            deployments::list(st, q, s, e)
        }
        (["Services", s, "Environments", e, "Deployments"], "POST") => {
            deployments::create(st, q, s, e)
        }
        (["Services", s, "Environments", e, "Deployments", d], "GET") => {
            deployments::fetch(st, q, s, e, d)
        }
        (["Services", s, "Functions"], "GET") => functions::list(st, q, s),
        (["Services", s, "Functions"], "POST") => functions::create(st, q, s),
        (["Services", s, "Functions", f], "GET") => functions::fetch(st, q, s, f),
        (["Services", s, "Functions", f], "POST") => functions::update(st, q, s, f),
        (["Services", s, "Functions", f], "DELETE") => functions::delete(st, q, s, f),
        (["Services", s, "Functions", f, "Versions"], "GET") => versions::list(st, q, s, f),
        (["Services", s, "Functions", f, "Versions", v], "GET") => versions::fetch(st, q, s, f, v),
        (["Services", s, "Functions", f, "Versions", v, "Content"], "GET") => {
            versions::content(st, q, s, f, v)
        }
        (["Services", s, "Builds"], "GET") => builds::list(st, q, s),
        (["Services", s, "Builds"], "POST") => builds::create(st, q, s),
        (["Services", s, "Builds", b], "GET") => builds::fetch(st, q, s, b),
        (["Services", s, "Builds", b], "DELETE") => builds::delete(st, q, s, b),
        (["Services", s, "Builds", b, "Status"], "GET") => builds::status(st, q, s, b),
        (["Services", ..], _) if served(&path) => Err(ApiError::method_not_allowed()),
        _ => Err(q.not_found()),
    }
}

/// The page `request` asks for of `records` (oldest first) under `key`, as a list at
/// `list_url` answers it.
fn page<T: Child>(
    request: &V1Request,
    records: &[T],
    to_json: impl Fn(&T) -> Value,
    list_url: &str,
    key: &str,
) -> Result<Response, ApiError> {
    let paging = PageRequest::from_params(&request.params)?;
    let sid = |record: &T| record.sid().to_string();
    Ok(ok(v1_page_json(
        records,
        sid,
        to_json,
        &paging,
        list_url,
        &[],
        key,
    )))
}

/// Whether `path` names a resource this module serves (by some method).
fn served(path: &[&str]) -> bool {
    matches!(
        path,
        ["Services"]
            | ["Services", _]
            | ["Services", _, "Environments" | "Functions" | "Builds"]
            | ["Services", _, "Environments" | "Functions" | "Builds", _]
            | [
                "Services",
                _,
                "Environments",
                _,
                "Variables" | "Deployments"
            ]
            | [
                "Services",
                _,
                "Environments",
                _,
                "Variables" | "Deployments",
                _
            ]
            | ["Services", _, "Functions", _, "Versions"]
            | ["Services", _, "Functions", _, "Versions", _]
            | ["Services", _, "Functions", _, "Versions", _, "Content"]
            | ["Services", _, "Builds", _, "Status"]
    )
}
