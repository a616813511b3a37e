//! Sync Services (`/v1/Services`): create, fetch, list, delete (which deletes its Lists).
//!
//! A Service is addressed by its SID: Sync's create takes no `UniqueName`, so `unique_name` is
//! always `null`. `WebhookUrl` and the reachability settings are kept and shown; the emulator
//! calls no Sync webhooks.

use axum::response::Response;
use serde_json::{json, Value};

use twilio_wire::sid::new_sid;
use twilio_wire::time::iso8601;

use crate::config::is_http_url;
use crate::rest::error::ApiError;
use crate::rest::paging::{v1_page_json, PageRequest};
use crate::rest::v1::{created, deleted, ok, V1Request};

use super::store::SyncService;
use super::{SyncState, MAX_PAGE_SIZE};

/// `ReachabilityDebouncingWindow` when not given, and its bounds (milliseconds).
const DEBOUNCING_WINDOW: (u32, u32, u32) = (5_000, 1_000, 30_000);

/// `POST /v1/Services`.
pub fn create(state: &SyncState, request: &V1Request) -> Result<Response, ApiError> {
    let webhook_url = match request.params.get("WebhookUrl") {
        Some(url) if !is_http_url(url) => {
            return Err(ApiError::invalid_parameter(format!(
                "WebhookUrl is not a valid URL: {url}"
            )))
        }
        url => url.map(str::to_string),
    };
    let (default_window, least, most) = DEBOUNCING_WINDOW;
    let window = match request.params.get("ReachabilityDebouncingWindow") {
        None => default_window,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|ms| (least..=most).contains(ms))
            .ok_or_else(|| {
                ApiError::invalid_parameter(format!(
                    "ReachabilityDebouncingWindow must be between {least} and {most}: {text}"
                ))
            })?,
    };
    let service = SyncService {
        sid: new_sid("IS"),
        account_sid: request.account_sid.clone(),
        friendly_name: request.text("FriendlyName", 255)?.map(str::to_string),
        webhook_url,
        webhooks_from_rest_enabled: request.flag("WebhooksFromRestEnabled", false)?,
        reachability_webhooks_enabled: request.flag("ReachabilityWebhooksEnabled", false)?,
        acl_enabled: request.flag("AclEnabled", false)?,
        reachability_debouncing_enabled: request.flag("ReachabilityDebouncingEnabled", false)?,
        reachability_debouncing_window: window,
        date_created: state.clock.now(),
    };
    let body = service_json(&service, request);
    state
        .store
        .at(state.clock.now(), |data| data.services.push(service));
    Ok(created(body))
}

/// `GET /v1/Services/{Sid}`.
pub fn fetch(state: &SyncState, request: &V1Request, sid: &str) -> Result<Response, ApiError> {
    let service = state
        .store
        .at(state.clock.now(), |data| {
            data.service(&request.account_sid, sid).cloned()
        })
        .ok_or_else(|| request.not_found())?;
    Ok(ok(service_json(&service, request)))
}

/// `GET /v1/Services`: oldest first, paged.
pub fn list(state: &SyncState, request: &V1Request) -> Result<Response, ApiError> {
    let paging = PageRequest::with_max(&request.params, MAX_PAGE_SIZE)?;
    let services: Vec<SyncService> = state.store.at(state.clock.now(), |data| {
        data.services
            .iter()
            .filter(|s| s.account_sid == request.account_sid)
            .cloned()
            .collect()
    });
    Ok(ok(v1_page_json(
        &services,
        |s| s.sid.clone(),
        |s| service_json(s, request),
        &paging,
        &request.url("/Services"),
        &[],
        "services",
    )))
}

/// `DELETE /v1/Services/{Sid}`: the Service and all its Lists.
pub fn delete(state: &SyncState, request: &V1Request, sid: &str) -> Result<Response, ApiError> {
    let found = state.store.at(state.clock.now(), |data| {
        let found = data.service(&request.account_sid, sid).is_some();
        if found {
            data.remove_service(sid);
        }
        found
    });
    if !found {
        return Err(request.not_found());
    }
    Ok(deleted())
}

/// A Service as `sync.v1.service`.
fn service_json(service: &SyncService, request: &V1Request) -> Value {
    let url = request.url(&format!("/Services/{}", service.sid));
    let date = iso8601(service.date_created);
    json!({
        "sid": service.sid,
        "unique_name": null,
        "account_sid": service.account_sid,
        "friendly_name": service.friendly_name,
        "date_created": date,
        "date_updated": date,
        "url": url,
        "webhook_url": service.webhook_url,
        "webhooks_from_rest_enabled": service.webhooks_from_rest_enabled,
        "reachability_webhooks_enabled": service.reachability_webhooks_enabled,
        "acl_enabled": service.acl_enabled,
        "reachability_debouncing_enabled": service.reachability_debouncing_enabled,
        "reachability_debouncing_window": service.reachability_debouncing_window,
        "links": {
            "documents": format!("{url}/Documents"),
            "lists": format!("{url}/Lists"),
            "maps": format!("{url}/Maps"),
            "streams": format!("{url}/Streams"),
        },
    })
}
