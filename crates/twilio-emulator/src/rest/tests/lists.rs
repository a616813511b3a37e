//! `GET Calls.json`: newest first, filters, and Twilio paging followed to the end.

use super::*;

/// Follows `next_page_uri` from `first` until it is null; returns every page.
async fn all_pages(emulator: &Emulator, first: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut next = Some(first.to_string());
    while let Some(uri) = next {
        assert!(uri.starts_with("/2010-04-01/"), "host-relative: {uri}");
        let (status, page) = emulator.get(&uri).await;
        assert_eq!(status, 200, "{page}");
        next = page["next_page_uri"].as_str().map(str::to_string);
        pages.push(page);
        assert!(pages.len() < 20, "paging does not end");
    }
    pages
}

#[tokio::test]
async fn call_pages_follow_next_page_uri_until_null() {
    let emulator = Emulator::start().await;
    let mut created = Vec::new();
    for _ in 0..7 {
        created.push(sid_of(&emulator.create_call(&[]).await));
        // Distinct creation times, so newest-first order is observable.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let first = account_path("Calls.json?To=%2B15551230001&PageSize=3");
    let pages = all_pages(&emulator, &first).await;
    assert_eq!(pages.len(), 3);
    let listed: Vec<String> = pages
        .iter()
        .flat_map(|p| p["calls"].as_array().unwrap().iter().map(sid_of))
        .collect();
    created.reverse();
    assert_eq!(listed, created, "every call once, newest first");
    let base = account_path("Calls.json?To=%2B15551230001&PageSize=3");
    assert_eq!(pages[0]["uri"], format!("{base}&Page=0"));
    assert_eq!(pages[0]["first_page_uri"], format!("{base}&Page=0"));
    assert_eq!(pages[0]["previous_page_uri"], Value::Null);
    assert_eq!(
        pages[0]["next_page_uri"],
        format!("{base}&Page=1&PageToken=PA{}", created[2])
    );
    for (i, page) in pages.iter().enumerate() {
        assert_eq!(page["page"], i);
        assert_eq!(page["page_size"], 3);
        assert_eq!(page["start"], i * 3);
    }
    assert_eq!(pages[2]["end"], 6);
    assert_eq!(
        pages[2]["previous_page_uri"],
        format!("{base}&Page=1&PageToken=PB{}", created[6])
    );
    let (_, back) = emulator
        .get(pages[2]["previous_page_uri"].as_str().unwrap())
        .await;
    assert_eq!(back["calls"], pages[1]["calls"]);
}

#[tokio::test]
async fn call_filters_and_page_size_limits() {
    let emulator = Emulator::start().await;
    let to_ivr = sid_of(&emulator.create_call(&[]).await);
    let path = account_path("Calls.json");
    let form = [
        ("To", "+15005550006"),
        ("From", CALLER),
        ("Url", "http://h/u"),
    ];
    let (_, other) = emulator.post(&path, &form).await;
    let other = sid_of(&other);
    emulator.set_status(&other, CallStatus::Completed);
    let sids = |page: &Value| -> Vec<String> {
        page["calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(sid_of)
            .collect()
    };
    let (_, page) = emulator
        .get(&account_path("Calls.json?To=%2B15551230001"))
        .await;
    assert_eq!(sids(&page), [to_ivr.as_str()]);
    let (_, page) = emulator
        .get(&account_path("Calls.json?Status=completed"))
        .await;
    assert_eq!(sids(&page), [other.as_str()]);
    let (_, page) = emulator
        .get(&account_path("Calls.json?From=%2B15551230100"))
        .await;
    assert_eq!(sids(&page), [other.clone(), to_ivr.clone()]);
    let (_, page) = emulator
        .get(&account_path("Calls.json?From=%2B15550000000"))
        .await;
    assert_eq!(sids(&page), Vec::<String>::new());
    assert_eq!(page["next_page_uri"], Value::Null);
    let (_, page) = emulator.get(&path).await;
    assert_eq!(page["page_size"], 50);
    let (_, page) = emulator
        .get(&account_path("Calls.json?PageSize=5000"))
        .await;
    assert_eq!(page["page_size"], 1000);
    // Another account sees none of these calls.
    let theirs = format!(
        "{}/2010-04-01/Accounts/{OTHER_SID}/Calls.json",
        emulator.base
    );
    let response = emulator
        .client
        .get(theirs)
        .basic_auth(OTHER_SID, Some(OTHER_TOKEN));
    let page: Value = response.send().await.unwrap().json().await.unwrap();
    assert_eq!(page["calls"], serde_json::json!([]));
}
