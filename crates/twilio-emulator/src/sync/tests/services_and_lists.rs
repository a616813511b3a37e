//! Sync Services and Lists: shapes, lookups by SID and unique name, errors, cascades.

use axum::http::Method;

use super::*;
use crate::v1_test_api::{assert_error, OTHER_ACCOUNT, OTHER_TOKEN};

#[tokio::test]
async fn services_are_created_fetched_listed_and_deleted() {
    let api = Api::start(1.0, |_| {}).await;
    let created = api
        .create(
            "/sync/v1/Services",
            &[("FriendlyName", "relay"), ("AclEnabled", "true")],
        )
        .await;
    let sid = created["sid"].as_str().unwrap();
    assert!(twilio_wire::sid::is_sid(sid, "IS"), "{sid}");
    assert_eq!(created["friendly_name"], "relay");
    assert_eq!(created["acl_enabled"], true);
    assert_eq!(created["reachability_debouncing_window"], 5000);
    assert_eq!(created["unique_name"], Value::Null);
    let url = format!("{}/sync/v1/Services/{sid}", api.base);
    assert_eq!(created["url"], url);
    assert_eq!(created["links"]["lists"], format!("{url}/Lists"));
    assert!(created["date_created"].as_str().unwrap().ends_with('Z'));

    assert_eq!(api.get(&format!("/sync/v1/Services/{sid}")).await, created);
    let page = api.get("/sync/v1/Services").await;
    assert_eq!(page["services"], serde_json::json!([created]));
    assert_eq!(page["meta"]["key"], "services");

    // Another account sees none of it.
    let foreign = api
        .send_as(
            (OTHER_ACCOUNT, OTHER_TOKEN),
            Method::GET,
            &format!("/sync/v1/Services/{sid}"),
            &[],
        )
        .await;
    assert_error(&foreign, 404, 20404);
    assert_eq!(
        foreign.1["message"],
        format!("The requested resource /Services/{sid} was not found")
    );

    let (status, _) = api
        .send(Method::DELETE, &format!("/sync/v1/Services/{sid}"), &[])
        .await;
    assert_eq!(status, 204);
    let gone = api
        .send(Method::GET, &format!("/sync/v1/Services/{sid}"), &[])
        .await;
    assert_error(&gone, 404, 20404);
    api.stop().await;
}

#[tokio::test]
async fn bad_credentials_parameters_and_methods_are_refused() {
    let api = Api::start(1.0, |_| {}).await;
    let wrong = api
        .send_as(
            (crate::v1_test_api::ACCOUNT, "wrong"),
            Method::GET,
            "/sync/v1/Services",
            &[],
        )
        .await;
    assert_error(&wrong, 401, 20003);
    let bad = [
        vec![("AclEnabled", "yes")],
        vec![("WebhookUrl", "not a url")],
        vec![("ReachabilityDebouncingWindow", "999")],
    ];
    for form in bad {
        let answer = api.send(Method::POST, "/sync/v1/Services", &form).await;
        assert_error(&answer, 400, 20001);
    }
    let sid = service(&api).await;
    let put = api
        .send(Method::PUT, &format!("/sync/v1/Services/{sid}/Lists"), &[])
        .await;
    assert_error(&put, 405, 20004);
    let documents = api
        .send(
            Method::GET,
            &format!("/sync/v1/Services/{sid}/Documents"),
            &[],
        )
        .await;
    assert_error(&documents, 404, 20404);
    api.stop().await;
}

#[tokio::test]
async fn lists_are_found_by_sid_or_unique_name_and_names_are_unique() {
    let api = Api::start(1.0, |_| {}).await;
    let service = service(&api).await;
    let created = list(&api, &service, &[("UniqueName", "call CA1/events")]).await;
    let sid = created["sid"].as_str().unwrap();
    assert!(twilio_wire::sid::is_sid(sid, "ES"), "{sid}");
    assert_eq!(created["unique_name"], "call CA1/events");
    assert_eq!(created["service_sid"], service);
    assert_eq!(created["revision"], "0");
    assert_eq!(created["date_expires"], Value::Null);
    assert_eq!(created["created_by"], "system");
    let url = format!("{}/sync/v1/Services/{service}/Lists/{sid}", api.base);
    assert_eq!(created["url"], url);
    assert_eq!(created["links"]["items"], format!("{url}/Items"));

    let by_sid = api.get(&format!("{}/{sid}", lists(&service))).await;
    let by_name = api
        .get(&format!("{}/call%20CA1%2Fevents", lists(&service)))
        .await;
    assert_eq!(by_sid, created);
    assert_eq!(by_name, created);

    let again = api
        .send(
            Method::POST,
            &lists(&service),
            &[("UniqueName", "call CA1/events")],
        )
        .await;
    assert_error(&again, 409, 54301);
    let sid_like = api
        .send(
            Method::POST,
            &lists(&service),
            &[("UniqueName", "ES0123456789abcdef0123456789abcdef")],
        )
        .await;
    assert_error(&sid_like, 400, 54302);
    let bad_ttl = api
        .send(Method::POST, &lists(&service), &[("Ttl", "31536001")])
        .await;
    assert_error(&bad_ttl, 400, 54011);
    let no_service = api
        .send(
            Method::POST,
            &lists("IS00000000000000000000000000000000"),
            &[],
        )
        .await;
    assert_error(&no_service, 404, 20404);

    let anonymous = list(&api, &service, &[]).await;
    assert_eq!(anonymous["unique_name"], Value::Null);
    let page = api.get(&lists(&service)).await;
    assert_eq!(page["lists"], serde_json::json!([created, anonymous]));

    let (status, _) = api
        .send(
            Method::DELETE,
            &format!("{}/call%20CA1%2Fevents", lists(&service)),
            &[],
        )
        .await;
    assert_eq!(status, 204);
    let gone = api
        .send(Method::GET, &format!("{}/{sid}", lists(&service)), &[])
        .await;
    assert_error(&gone, 404, 20404);
    // The name is free again.
    list(&api, &service, &[("UniqueName", "call CA1/events")]).await;
    api.stop().await;
}

#[tokio::test]
async fn deleting_a_service_deletes_its_lists_and_items() {
    let api = Api::start(1.0, |_| {}).await;
    let service = service(&api).await;
    let kept_service = super::service(&api).await;
    let doomed = list(&api, &service, &[("UniqueName", "events")]).await;
    let kept = list(&api, &kept_service, &[("UniqueName", "events")]).await;
    for list in [&doomed, &kept] {
        let items = format!("{}/Items", api.path_of(&list["url"]));
        api.create(&items, &[("Data", "{}")]).await;
    }
    let (status, _) = api
        .send(Method::DELETE, &format!("/sync/v1/Services/{service}"), &[])
        .await;
    assert_eq!(status, 204);
    let items = format!("{}/Items", api.path_of(&doomed["url"]));
    assert_error(&api.send(Method::GET, &items, &[]).await, 404, 20404);
    let kept_items = api
        .get(&format!("{}/Items", api.path_of(&kept["url"])))
        .await;
    assert_eq!(indexes(&kept_items), [0]);
    api.stop().await;
}
