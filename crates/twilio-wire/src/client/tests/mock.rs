//! Against scripted servers: what the emulator never answers (429s, a path prefix, races,
//! foreign paging links, non-Twilio bodies) and what goes over the wire (headers, forms).

use std::sync::{Arc, Mutex};
use tokio::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method as AxumMethod, StatusCode as AxumStatus, Uri};
use axum::response::{IntoResponse, Response};

use super::*;

/// One request a mock server received.
#[derive(Debug, Clone)]
struct Seen {
    /// When, on Tokio's clock (virtual in a test with paused time).
    at: Instant,
    method: String,
    uri: String,
    headers: HeaderMap,
    body: String,
}

type Script = Arc<dyn Fn(&Seen, usize) -> (u16, String) + Send + Sync>;

#[derive(Clone)]
struct Mock {
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Script,
}

async fn answer(
    State(mock): State<Mock>,
    method: AxumMethod,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let seen = Seen {
        at: Instant::now(),
        method: method.to_string(),
        uri: uri.to_string(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let index = {
        let mut all = mock.seen.lock().unwrap();
        all.push(seen.clone());
        all.len() - 1
    };
    let (status, body) = (mock.script)(&seen, index);
    let status = AxumStatus::from_u16(status).unwrap();
    (status, [("content-type", "application/json")], body).into_response()
}

/// A server answering request `n` with `script(request, n)`; returns its base URL and log.
async fn mock(
    script: impl Fn(&Seen, usize) -> (u16, String) + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let state = Mock {
        seen: seen.clone(),
        script: Arc::new(script),
    };
    let router = Router::new().fallback(answer).with_state(state);
    (serve(router).await, seen)
}

/// When the requests came, in milliseconds after the first.
fn seen_at(seen: &Mutex<Vec<Seen>>) -> Vec<u128> {
    let seen = seen.lock().unwrap();
    seen.iter()
        .map(|s| (s.at - seen[0].at).as_millis())
        .collect()
}

fn call_json(status: &str) -> String {
    format!(r#"{{"sid":"CA1","status":"{status}","to":"+1","from":"+2","duration":"3"}}"#)
}

fn envelope(status: u16, code: u32, message: &str) -> String {
    serde_json::to_string(&crate::error::ErrorEnvelope::new(status, code, message)).unwrap()
}

fn mock_client(base: &str) -> TwilioClient {
    TwilioClient::new(base, ACCOUNT, &Secret::new(TOKEN)).unwrap()
}

// In virtual time (the loopback server answers without a timer), so the waits are exact.
#[tokio::test(start_paused = true)]
async fn a_429_is_retried_with_backoff_until_it_succeeds() {
    let (base, seen) = mock(|_, n| match n {
        0 | 1 => (429, envelope(429, 20429, "Too Many Requests")),
        _ => (200, call_json("in-progress")),
    })
    .await;
    let call = mock_client(&base)
        .fetch_call("CA1")
        .await
        .expect("third try");
    assert_eq!(call.status, "in-progress");
    crate::retry::assert_waits(&seen_at(&seen), &[100, 200]);
}

#[tokio::test(start_paused = true)]
async fn a_429_is_retried_three_times_then_reported() {
    let (base, seen) = mock(|_, _| (429, String::new())).await;
    let e = mock_client(&base).fetch_call("CA1").await.unwrap_err();
    // One request and three retries.
    crate::retry::assert_waits(&seen_at(&seen), &[100, 200, 400]);
    assert_eq!(e.code(), Some(20429), "{e}");
    assert!(e.to_string().contains("--parallel"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn other_errors_are_not_retried() {
    let (base, seen) = mock(|_, _| (503, envelope(503, 20500, "Service unavailable"))).await;
    let e = mock_client(&base).fetch_call("CA1").await.unwrap_err();
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert_eq!(e.code(), Some(20500));
}

#[tokio::test]
async fn requests_carry_twilio_headers_and_repeated_keys() {
    let (base, seen) = mock(|_, _| (201, call_json("queued"))).await;
    let call = CreateCall {
        status_callback: Some("https://runner.example/status?run=1".into()),
        status_callback_events: vec!["initiated".into(), "answered".into()],
        record: true,
        timeout_secs: Some(25),
        time_limit_secs: Some(300),
        send_digits: Some("ww1#".into()),
        machine_detection: Some("Enable".into()),
        ..CreateCall::new(
            "+15551230001",
            "+15551230009",
            "https://runner.example/start",
        )
    };
    let created = mock_client(&base).create_call(&call).await.expect("create");
    assert_eq!(created.duration_secs, Some(3));
    let seen = seen.lock().unwrap();
    let request = &seen[0];
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.uri,
        format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json")
    );
    let header = |name: &str| request.headers[name].to_str().unwrap().to_string();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT}:{TOKEN}"));
    assert_eq!(header("authorization"), format!("Basic {basic}"));
    assert_eq!(header("accept"), "application/json");
    assert_eq!(header("content-type"), "application/x-www-form-urlencoded");
    assert!(header("user-agent").starts_with("ivr-test/"));
    assert!(
        request
            .body
            .contains("StatusCallbackEvent=initiated&StatusCallbackEvent=answered"),
        "{}",
        request.body
    );
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&request.body).unwrap();
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("To"), Some("+15551230001"));
    assert_eq!(
        get("StatusCallback"),
        Some("https://runner.example/status?run=1")
    );
    assert_eq!(get("Record"), Some("true"));
    assert_eq!(get("Timeout"), Some("25"));
    assert_eq!(get("TimeLimit"), Some("300"));
    assert_eq!(get("SendDigits"), Some("ww1#"));
    assert_eq!(get("MachineDetection"), Some("Enable"));
    assert_eq!(get("Method"), Some("POST"));
    assert_eq!(get("FallbackUrl"), None);
}

#[tokio::test]
async fn paging_follows_prefixed_uris_from_the_origin() {
    let (base, seen) = mock(|request, _| {
        let second = request.uri.contains("PageToken=");
        let next = if second {
            "null".to_string()
        } else {
            format!(
                r#""/api/laml/2010-04-01/Accounts/{ACCOUNT}/Messages.json?To=%2B1&PageSize=1&Page=1&PageToken=PA1""#
            )
        };
        let sid = if second { "SM2" } else { "SM1" };
        let body = format!(r#"{{"messages":[{{"sid":"{sid}","body":"b"}}],"next_page_uri":{next}}}"#);
        (200, body)
    })
    .await;
    let client = mock_client(&format!("{base}/api/laml"));
    let after = chrono::DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let filter = MessageFilter {
        to: Some("+1".into()),
        sent_on_or_after: Some(after.date_naive()),
        page_size: Some(1),
        ..MessageFilter::default()
    };
    let listed = client.list_messages(&filter).await.expect("list");
    let sids: Vec<&str> = listed.iter().map(|m| m.sid.as_str()).collect();
    assert_eq!(sids, ["SM1", "SM2"]);
    let seen = seen.lock().unwrap();
    let prefix = format!("/api/laml/2010-04-01/Accounts/{ACCOUNT}/Messages.json?");
    assert_eq!(
        seen[0].uri,
        format!("{prefix}To=%2B1&DateSent%3E=2026-03-02&PageSize=1")
    );
    assert_eq!(
        seen[1].uri,
        format!("{prefix}To=%2B1&PageSize=1&Page=1&PageToken=PA1")
    );
}

#[tokio::test]
async fn paging_never_leaves_the_api_host_nor_loops() {
    let (elsewhere, foreign_seen) = mock(|_, _| (200, r#"{"messages":[]}"#.into())).await;
    let link = format!("{elsewhere}/2010-04-01/Accounts/{ACCOUNT}/Messages.json?Page=1");
    let (base, _) = mock(move |_, _| {
        let body = format!(r#"{{"messages":[{{"sid":"SM1"}}],"next_page_uri":"{link}"}}"#);
        (200, body)
    })
    .await;
    let e = mock_client(&base)
        .list_messages(&MessageFilter::default())
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::InvalidResponse(_)), "{e:?}");
    assert!(e.to_string().contains("leaves the API host"), "{e}");
    assert!(
        foreign_seen.lock().unwrap().is_empty(),
        "credentials sent elsewhere"
    );

    let (base, seen) = mock(|request, _| {
        let body = format!(
            r#"{{"messages":[],"next_page_uri":"{}"}}"#,
            request.uri.replace('"', "")
        );
        (200, body)
    })
    .await;
    let e = mock_client(&base)
        .list_messages(&MessageFilter::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("loops"), "{e}");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_call_answered_while_being_canceled_is_hung_up() {
    let (base, seen) = mock(
        |request, _| match (request.method.as_str(), request.body.as_str()) {
            ("GET", _) => (200, call_json("ringing")),
            // Answered meanwhile: Twilio ignores `canceled` for an answered call.
            (_, "Status=canceled") => (200, call_json("in-progress")),
            _ => (200, call_json("in-progress")),
        },
    )
    .await;
    assert_eq!(mock_client(&base).hang_up("CA1").await, Ok(HangUp::HungUp));
    let bodies: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.body.clone())
        .collect();
    assert_eq!(bodies, ["", "Status=canceled", "Status=completed"]);
}

#[tokio::test]
async fn a_21220_while_hanging_up_means_already_ended() {
    let (base, seen) = mock(|request, _| match request.method.as_str() {
        "GET" => (200, call_json("in-progress")),
        _ => (
            400,
            envelope(400, 21220, "Call is not in-progress. Cannot redirect."),
        ),
    })
    .await;
    assert_eq!(
        mock_client(&base).hang_up("CA1").await,
        Ok(HangUp::AlreadyEnded)
    );
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_non_twilio_error_body_is_quoted_without_credentials() {
    // A debugging proxy that echoes the request's Authorization header into its error page.
    let (base, _) = mock(|request, _| {
        let echoed = request.headers["authorization"]
            .to_str()
            .unwrap()
            .to_string();
        (
            502,
            format!("<html>Bad gateway; you sent {echoed} and {TOKEN}</html>"),
        )
    })
    .await;
    let e = mock_client(&base).fetch_call("CA1").await.unwrap_err();
    let ClientError::Http(text) = &e else {
        panic!("{e:?}");
    };
    assert!(
        text.contains("HTTP 502") && text.contains("Bad gateway"),
        "{text}"
    );
    assert!(text.contains("/Calls/CA1.json"), "{text}");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT}:{TOKEN}"));
    assert!(!text.contains(TOKEN) && !text.contains(&basic), "{text}");
}

#[tokio::test]
async fn a_success_without_json_is_an_invalid_response() {
    let (base, _) = mock(|_, _| (200, "<Response/>".into())).await;
    let e = mock_client(&base).fetch_call("CA1").await.unwrap_err();
    assert!(matches!(e, ClientError::InvalidResponse(_)), "{e:?}");
    assert!(e.to_string().contains("<Response/>"), "{e}");
}
