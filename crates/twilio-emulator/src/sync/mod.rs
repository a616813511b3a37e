//! Twilio Sync v1, the part a relay uses to leave events for a runner: Services, Lists and List
//! Items, served at `/sync/v1/...` (the path prefix that stands for `sync.twilio.com`, see
//! `twilio_wire::client::ApiBase`), with Twilio's JSON, paging, codes and TTLs on the emulated
//! clock. Each request waits `latencies.sync_ms` (emulated) before it is answered.
//!
//! ```text
//! /sync/v1/Services[/{IS}]                         services (create, fetch, list, delete)
//! /sync/v1/Services/{IS}/Lists[/{ES or name}]      lists (create, fetch, update, delete, list)
//! /sync/v1/Services/{IS}/Lists/{ES}/Items[/{i}]    items (create, read, fetch, update, delete)
//! ```
//!
//! Documents, Maps, Streams and Permissions are not served (404).

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

use twilio_wire::client::Product;

use crate::rest::error::ApiError;
use crate::rest::v1::{V1Request, V1State};

mod items;
mod lists;
mod services;
mod store;
#[cfg(test)]
mod tests;
mod ttl;

pub(crate) use store::SyncStore;

/// What the Sync handlers share.
pub(crate) type SyncState = V1State<SyncStore>;

/// The largest `PageSize` of a Sync list.
const MAX_PAGE_SIZE: usize = 100;

/// The Sync API as an axum router without a fallback (merge it next to the others).
pub(crate) fn router(state: SyncState) -> Router {
    let path = format!("{}/v1/{{*path}}", Product::Sync.path_prefix());
    Router::new().route(&path, any(handle)).with_state(state)
}

async fn handle(
    State(state): State<SyncState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let latency = state.config.latencies.sync();
    if !latency.is_zero() {
        state.clock.sleep(latency).await;
    }
    serve(&state, method, &uri, headers, &body).unwrap_or_else(IntoResponse::into_response)
}

fn serve(
    state: &SyncState,
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let request = V1Request::new(
        &state.config,
        &state.keys,
        Product::Sync,
        method,
        uri,
        headers,
    )?
    .read_params(uri, body)?;
    let segments = request.segments();
    let path: Vec<&str> = segments.iter().map(String::as_str).collect();
    let r = &request;
    match (path.as_slice(), r.method.as_str()) {
        (["Services"], "GET") => services::list(state, r),
        (["Services"], "POST") => services::create(state, r),
        (["Services", s], "GET") => services::fetch(state, r, s),
        (["Services", s], "DELETE") => services::delete(state, r, s),
        (["Services", s, "Lists"], "GET") => lists::list(state, r, s),
        (["Services", s, "Lists"], "POST") => lists::create(state, r, s),
        (["Services", s, "Lists", l], "GET") => lists::fetch(state, r, s, l),
        (["Services", s, "Lists", l], "POST") => lists::update(state, r, s, l),
        (["Services", s, "Lists", l], "DELETE") => lists::delete(state, r, s, l),
        (["Services", s, "Lists", l, "Items"], "GET") => items::list(state, r, s, l),
        (["Services", s, "Lists", l, "Items"], "POST") => items::create(state, r, s, l),
        (["Services", s, "Lists", l, "Items", i], "GET") => items::fetch(state, r, s, l, i),
        (["Services", s, "Lists", l, "Items", i], "POST") => items::update(state, r, s, l, i),
        (["Services", s, "Lists", l, "Items", i], "DELETE") => items::delete(state, r, s, l, i),
        (
            ["Services"]
            | ["Services", _]
            | ["Services", _, "Lists"]
            | ["Services", _, "Lists", _]
            | ["Services", _, "Lists", _, "Items"]
            | ["Services", _, "Lists", _, "Items", _],
            _,
        ) => Err(ApiError::method_not_allowed()),
        _ => Err(r.not_found()),
    }
}
