//! The Sync API over HTTP, on a running emulator: Services and Lists (`services_and_lists`),
//! List Items with paging, ordering and TTLs (`items`).

mod items;
mod services_and_lists;

use serde_json::Value;

use crate::v1_test_api::Api;

/// A new Sync Service; returns its SID.
async fn service(api: &Api) -> String {
    let service = api
        .create("/sync/v1/Services", &[("FriendlyName", "relay")])
        .await;
    service["sid"].as_str().unwrap().to_string()
}

/// `/sync/v1/Services/{service}/Lists`.
fn lists(service: &str) -> String {
    format!("/sync/v1/Services/{service}/Lists")
}

/// A new List in `service` with `form`; returns it.
async fn list(api: &Api, service: &str, form: &[(&str, &str)]) -> Value {
    api.create(&lists(service), form).await
}

/// The `index`es of a page of items.
fn indexes(page: &Value) -> Vec<u64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["index"].as_u64().unwrap())
        .collect()
}
