//! `GET`/`POST`/`DELETE Calls/{Sid}.json`: fetch, hang up, cancel, redirect, 21220, delete.

use super::*;
use twilio_wire::twiml::HttpMethod;

#[tokio::test]
async fn fetch_returns_the_call_or_twilio_404() {
    let emulator = Emulator::start().await;
    let call = emulator.create_call(&[]).await;
    let path = account_path(&format!("Calls/{}.json", sid_of(&call)));
    let (status, fetched) = emulator.get(&path).await;
    assert_eq!((status, &fetched), (200, &call));
    let unknown = account_path("Calls/CA00000000000000000000000000000000.json");
    let response = emulator.get(&unknown).await;
    let message = format!("The requested resource {unknown} was not found");
    assert_error(&response, 404, 20404, &message);
    // Another account's call is not found either, even with that account's path.
    let theirs = format!(
        "/2010-04-01/Accounts/{OTHER_SID}/Calls/{}.json",
        sid_of(&call)
    );
    let request = emulator.client.get(format!("{}{theirs}", emulator.base));
    let response = request
        .basic_auth(OTHER_SID, Some(OTHER_TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test]
async fn updates_route_to_hang_up_cancel_and_redirect() {
    let emulator = Emulator::start().await;
    let mut sids = Vec::new();
    for _ in 0..5 {
        sids.push(sid_of(&emulator.create_call(&[]).await));
    }
    let path = |sid: &str| account_path(&format!("Calls/{sid}.json"));
    emulator.set_status(&sids[0], CallStatus::InProgress);
    let (status, body) = emulator
        .post(&path(&sids[0]), &[("Status", "completed")])
        .await;
    assert_eq!(
        (status, body["sid"].as_str()),
        (200, Some(sids[0].as_str()))
    );
    emulator
        .post(&path(&sids[1]), &[("Status", "canceled")])
        .await;
    emulator.set_status(&sids[2], CallStatus::InProgress);
    let (status, _) = emulator
        .post(&path(&sids[2]), &[("Status", "canceled")])
        .await;
    assert_eq!(
        status, 200,
        "canceling an answered call is accepted and does nothing"
    );
    let redirect = [("Url", "http://127.0.0.1:9/next"), ("Method", "GET")];
    emulator.post(&path(&sids[3]), &redirect).await;
    emulator
        .post(
            &path(&sids[4]),
            &[("Twiml", "<Response><Hangup/></Response>")],
        )
        .await;
    let asked: Vec<Asked> = emulator
        .asked()
        .into_iter()
        .filter(|a| !matches!(a, Asked::Start(..)))
        .collect();
    assert_eq!(
        asked,
        [
            Asked::HangUp(sids[0].clone()),
            Asked::Cancel(sids[1].clone()),
            Asked::Redirect(
                sids[3].clone(),
                TwimlSource::Url {
                    url: "http://127.0.0.1:9/next".into(),
                    method: HttpMethod::Get
                }
            ),
            Asked::Redirect(
                sids[4].clone(),
                TwimlSource::Inline("<Response><Hangup/></Response>".into())
            ),
        ]
    );
}

#[tokio::test]
async fn an_ended_call_cannot_be_updated_21220() {
    let emulator = Emulator::start().await;
    let sid = sid_of(&emulator.create_call(&[]).await);
    emulator.set_status(&sid, CallStatus::Completed);
    let path = account_path(&format!("Calls/{sid}.json"));
    for form in [
        vec![("Status", "completed")],
        vec![("Url", "http://127.0.0.1:9/next")],
        vec![("Twiml", "<Response/>")],
    ] {
        let response = emulator.post(&path, &form).await;
        assert_error(
            &response,
            400,
            21220,
            "Call is not in-progress. Cannot redirect.",
        );
    }
    assert_eq!(
        emulator.asked().len(),
        1,
        "only the start: {:?}",
        emulator.asked()
    );
}

#[tokio::test]
async fn status_callback_changes_need_url_and_are_stored() {
    let emulator = Emulator::start().await;
    let sid = sid_of(&emulator.create_call(&[]).await);
    let path = account_path(&format!("Calls/{sid}.json"));
    let alone = [("StatusCallback", "http://127.0.0.1:9/s2")];
    let response = emulator.post(&path, &alone).await;
    assert_error(
        &response,
        400,
        21205,
        "Url parameter is required when StatusCallback is updated",
    );
    let response = emulator.post(&path, &[("Status", "hung-up")]).await;
    assert_error(
        &response,
        400,
        20001,
        "Status must be canceled or completed, not hung-up",
    );
    assert_eq!(
        emulator.store.call(&sid).unwrap().request.status_callback,
        None
    );
    let with_url = [
        ("StatusCallback", "http://127.0.0.1:9/s2"),
        ("StatusCallbackMethod", "GET"),
        ("Url", "http://127.0.0.1:9/next"),
        ("TimeLimit", "30"),
    ];
    assert_eq!(emulator.post(&path, &with_url).await.0, 200);
    let request = emulator.store.call(&sid).unwrap().request;
    assert_eq!(
        request.status_callback.as_deref(),
        Some("http://127.0.0.1:9/s2")
    );
    assert_eq!(request.status_callback_method, HttpMethod::Get);
    assert_eq!(request.time_limit_secs, 30);
    assert!(matches!(emulator.asked().last(), Some(Asked::Redirect(..))));
}

#[tokio::test]
async fn delete_only_ended_calls() {
    let emulator = Emulator::start().await;
    let sid = sid_of(&emulator.create_call(&[]).await);
    let url = format!(
        "{}{}",
        emulator.base,
        account_path(&format!("Calls/{sid}.json"))
    );
    let response = emulator.send(emulator.client.delete(&url)).await;
    assert_error(
        &response,
        400,
        20009,
        "Cannot delete this resource before it is complete",
    );
    emulator.set_status(&sid, CallStatus::Completed);
    let response = emulator
        .client
        .delete(&url)
        .basic_auth(SID, Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(response.text().await.unwrap(), "");
    assert!(emulator.store.call(&sid).is_none());
    assert_eq!(emulator.send(emulator.client.get(&url)).await.0, 404);
}
