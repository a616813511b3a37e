//! Sync List Items: appending, reading in order with `From`/`Bounds` and paging, changing and
//! deleting by index, errors, TTLs on the emulated clock, and the configured latency.

use std::time::Duration;

use axum::http::Method;
use chrono::{DateTime, Utc};

use super::*;
use crate::v1_test_api::assert_error;

/// A List with items 0..7 holding `{"n": i}`, item 3 deleted; returns the Items path.
async fn seven_items_with_a_gap(api: &Api) -> String {
    let service = service(api).await;
    let list = list(api, &service, &[("UniqueName", "events")]).await;
    let items = format!("{}/Items", api.path_of(&list["url"]));
    for n in 0..7 {
        let item = api
            .create(&items, &[("Data", &format!(r#"{{"n": {n}}}"#))])
            .await;
        assert_eq!(item["index"], n);
        assert_eq!(item["data"]["n"], n);
    }
    let (status, _) = api.send(Method::DELETE, &format!("{items}/3"), &[]).await;
    assert_eq!(status, 204);
    items
}

fn at(date: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(date.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn items_page_in_index_order_from_a_bound() {
    let api = Api::start(1.0, |_| {}).await;
    let items = seven_items_with_a_gap(&api).await;

    let mut pages = Vec::new();
    let mut next = Some(format!("{items}?PageSize=2"));
    while let Some(path) = next {
        let page = api.get(&path).await;
        next = page["meta"]["next_page_url"]
            .as_str()
            .map(|url| api.path_of(&Value::from(url)));
        pages.push(page);
        assert!(pages.len() < 10, "paging does not end");
    }
    let seen: Vec<Vec<u64>> = pages.iter().map(indexes).collect();
    assert_eq!(seen, [vec![0, 1], vec![2, 4], vec![5, 6]]);
    let meta = &pages[1]["meta"];
    assert_eq!(meta["page"], 1);
    assert_eq!(meta["page_size"], 2);
    assert_eq!(meta["key"], "items");
    assert_eq!(
        meta["first_page_url"],
        format!("{}{items}?PageSize=2&Page=0", api.base)
    );
    assert_eq!(
        api.get(&api.path_of(&meta["previous_page_url"])).await["items"],
        pages[0]["items"]
    );

    let read = |query: &'static str| {
        let path = format!("{items}?{query}");
        let api = &api;
        async move { indexes(&api.get(&path).await) }
    };
    assert_eq!(read("Order=desc").await, [6, 5, 4, 2, 1, 0]);
    assert_eq!(read("From=2").await, [2, 4, 5, 6]);
    assert_eq!(read("From=2&Bounds=exclusive").await, [4, 5, 6]);
    assert_eq!(read("From=3&Bounds=inclusive").await, [4, 5, 6]);
    assert_eq!(read("From=4&Bounds=exclusive&Order=desc").await, [2, 1, 0]);
    assert_eq!(read("From=4&Order=desc&PageSize=2").await, [4, 2]);
    let page = api
        .get(&format!(
            "{items}?Order=desc&Bounds=exclusive&From=5&PageSize=500"
        ))
        .await;
    assert_eq!(
        page["meta"]["page_size"], 100,
        "Sync pages hold at most 100"
    );
    assert_eq!(
        page["meta"]["url"],
        format!(
            "{}{items}?From=5&Bounds=exclusive&Order=desc&PageSize=100&Page=0",
            api.base
        )
    );
    for bad in ["Order=newest", "Bounds=open", "From=first"] {
        let answer = api.send(Method::GET, &format!("{items}?{bad}"), &[]).await;
        assert_error(&answer, 400, 20001);
    }
    api.stop().await;
}

#[tokio::test]
async fn items_change_by_index_with_revisions() {
    let api = Api::start(1.0, |_| {}).await;
    let items = seven_items_with_a_gap(&api).await;
    let list_path = items.trim_end_matches("/Items").to_string();
    let first = api.get(&format!("{items}/0")).await;
    assert_eq!(first["data"], serde_json::json!({"n": 0}));
    assert_eq!(first["revision"], "0");
    assert_eq!(first["url"], format!("{}{items}/0", api.base));
    let before = api.get(&list_path).await["revision"].clone();

    let updated = api
        .send(
            Method::POST,
            &format!("{items}/0"),
            &[("Data", r#"{"n": 10}"#)],
        )
        .await;
    assert_eq!(updated.0, 200, "{}", updated.1);
    assert_eq!(updated.1["data"]["n"], 10);
    assert_eq!(updated.1["revision"], "1");
    assert_ne!(api.get(&list_path).await["revision"], before);

    let url = format!("{}{items}/0", api.base);
    let stale = reqwest::Client::new()
        .delete(&url)
        .basic_auth(crate::v1_test_api::ACCOUNT, Some(crate::v1_test_api::TOKEN))
        .header("If-Match", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 412);
    let body: Value = stale.json().await.unwrap();
    assert_eq!(body["code"], 54155);
    let current = reqwest::Client::new()
        .delete(&url)
        .basic_auth(crate::v1_test_api::ACCOUNT, Some(crate::v1_test_api::TOKEN))
        .header("If-Match", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(current.status().as_u16(), 204);
    assert_error(
        &api.send(Method::GET, &format!("{items}/0"), &[]).await,
        404,
        20404,
    );
    assert_error(
        &api.send(Method::POST, &format!("{items}/3"), &[]).await,
        404,
        20404,
    );

    // Indexes are never reused.
    let appended = api.create(&items, &[("Data", "[]")]).await;
    assert_eq!(appended["index"], 7);
    assert_error(
        &api.send(Method::GET, &format!("{items}/x"), &[]).await,
        400,
        54458,
    );
    api.stop().await;
}

#[tokio::test]
async fn item_data_must_be_json_of_at_most_16_kib() {
    let api = Api::start(1.0, |_| {}).await;
    let items = seven_items_with_a_gap(&api).await;
    assert_error(&api.send(Method::POST, &items, &[]).await, 400, 54156);
    let not_json = api.send(Method::POST, &items, &[("Data", "{n: 1")]).await;
    assert_error(&not_json, 400, 54008);
    let padding = "x".repeat(16 * 1024);
    let large = format!(r#"{{"p": "{padding}"}}"#);
    let too_large = api.send(Method::POST, &items, &[("Data", &large)]).await;
    assert_error(&too_large, 413, 54006);
    let fits = format!(r#""{}""#, "x".repeat(16 * 1024 - 2));
    api.create(&items, &[("Data", &fits)]).await;
    let bad_ttl = api
        .send(Method::POST, &items, &[("Data", "{}"), ("ItemTtl", "-5")])
        .await;
    assert_error(&bad_ttl, 400, 54011);
    api.stop().await;
}

/// GETs `path` until it answers 404 (bounded); panics if it never does.
async fn until_gone(api: &Api, path: &str) {
    for _ in 0..400 {
        if api.send(Method::GET, path, &[]).await.0 == 404 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{path} never expired");
}

#[tokio::test]
async fn ttls_expire_items_and_lists_on_the_emulated_clock() {
    // 200 times faster: a 1 s TTL passes in 5 ms.
    let api = Api::start(200.0, |_| {}).await;
    let service = service(&api).await;
    let list = list(&api, &service, &[("UniqueName", "events")]).await;
    let items = format!("{}/Items", api.path_of(&list["url"]));
    let brief = api
        .create(&items, &[("Data", "{}"), ("ItemTtl", "1"), ("Ttl", "3600")])
        .await;
    assert_eq!(
        at(&brief["date_expires"]) - at(&brief["date_created"]),
        chrono::Duration::seconds(1),
        "ItemTtl wins over its alias Ttl"
    );
    let lasting = api.create(&items, &[("Data", "{}")]).await;
    assert_eq!(lasting["date_expires"], Value::Null);
    until_gone(&api, &format!("{items}/0")).await;
    assert_eq!(indexes(&api.get(&items).await), [1]);

    // CollectionTtl on an item sets the List's expiry; the List goes with its items.
    let extended = api
        .create(&items, &[("Data", "{}"), ("CollectionTtl", "2")])
        .await;
    let list_now = api.get(&api.path_of(&list["url"])).await;
    assert_eq!(
        at(&list_now["date_expires"]) - at(&extended["date_created"]),
        chrono::Duration::seconds(2)
    );
    until_gone(&api, &api.path_of(&list["url"])).await;
    assert_error(&api.send(Method::GET, &items, &[]).await, 404, 20404);

    // A List created with a TTL expires; an update sets a new TTL from now, 0 removes it.
    let short = super::list(&api, &service, &[("Ttl", "1")]).await;
    until_gone(&api, &api.path_of(&short["url"])).await;
    let kept_path = api.path_of(&super::list(&api, &service, &[]).await["url"]);
    let (status, updated) = api
        .send(Method::POST, &kept_path, &[("CollectionTtl", "3600")])
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        at(&updated["date_expires"]) - at(&updated["date_updated"]),
        chrono::Duration::seconds(3600)
    );
    assert_eq!(updated["revision"], "1");
    let (_, cleared) = api.send(Method::POST, &kept_path, &[("Ttl", "0")]).await;
    assert_eq!(cleared["date_expires"], Value::Null);
    api.stop().await;
}

#[tokio::test]
async fn each_sync_request_waits_the_configured_latency() {
    // 10 s of emulated latency at 1,000 times real time: 10 ms a request.
    let api = Api::start(1000.0, |config| config.latencies.sync_ms = 10_000).await;
    let first = api.create("/sync/v1/Services", &[]).await;
    let sid = first["sid"].as_str().unwrap();
    let list = list(&api, sid, &[]).await;
    let waited = at(&list["date_created"]) - at(&first["date_created"]);
    assert!(waited >= chrono::Duration::seconds(10), "{waited}");
    api.stop().await;
}
