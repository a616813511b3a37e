//! twilio-wire's REST client against this emulator, started in-process on 127.0.0.1:0 (the
//! client's own unit tests cover what the emulator cannot show: 429s, headers, a path prefix).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::any;
use axum::Router;

use twilio_emulator::config::{EmulatorConfig, NumberBehaviour, NumberConfig};
use twilio_emulator::server::{start, EmulatorOptions, RunningEmulator};
use twilio_wire::client::*;
use twilio_wire::secret::Secret;
use twilio_wire::time::parse_rfc2822;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "client-test-token-8c1f";
const CALLER: &str = "+15551230009";
const IVR: &str = "+15551230001";
const SILENT: &str = "+15551230002";

async fn emulator() -> RunningEmulator {
    let mut config = EmulatorConfig::with_account(ACCOUNT, TOKEN);
    config.caller_ids = vec![CALLER.into()];
    config.numbers = [
        (IVR.to_string(), NumberConfig::default()),
        (
            SILENT.to_string(),
            NumberConfig {
                behaviour: NumberBehaviour::NoAnswer,
                ..NumberConfig::default()
            },
        ),
    ]
    .into_iter()
    .collect();
    config.calls_per_second = 100.0;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let options = EmulatorOptions {
        time_scale: Some(20.0),
        webhook_budget: Some(Duration::from_secs(2)),
        ..EmulatorOptions::default()
    };
    start(listener, config, options).await.expect("start")
}

fn client(emulator: &RunningEmulator) -> TwilioClient {
    TwilioClient::new(&emulator.base_url, ACCOUNT, &Secret::new(TOKEN)).expect("client")
}

/// Serves `router` on 127.0.0.1:0; returns `http://127.0.0.1:<port>`.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

/// The runner's side of a call: `/start` keeps the call open, `/moved` counts its requests.
async fn caller_app() -> (String, Arc<AtomicUsize>) {
    fn twiml(body: &'static str) -> impl IntoResponse {
        ([(header::CONTENT_TYPE, "text/xml")], body)
    }
    let moved = Arc::new(AtomicUsize::new(0));
    let counter = moved.clone();
    let router = Router::new()
        .route(
            "/start",
            any(|| async { twiml(r#"<Response><Pause length="600"/></Response>"#) }),
        )
        .route(
            "/moved",
            any(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async { twiml(r#"<Response><Pause length="600"/></Response>"#) }
            }),
        );
    (serve(router).await, moved)
}

/// Fetches the call until `done` holds (bounded); returns it.
async fn wait_for(
    client: &TwilioClient,
    sid: &str,
    done: impl Fn(&CallResource) -> bool,
) -> CallResource {
    for _ in 0..250 {
        let call = client.fetch_call(sid).await.expect("fetch");
        if done(&call) {
            return call;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("call {sid} never reached the expected state");
}

async fn live_call(client: &TwilioClient, app: &str) -> CallResource {
    let call = CreateCall {
        status_callback_events: vec!["initiated".into(), "answered".into()],
        time_limit_secs: Some(600),
        ..CreateCall::new(IVR, CALLER, format!("{app}/start"))
    };
    let created = client.create_call(&call).await.expect("create");
    wait_for(client, &created.sid, |c| c.status == "in-progress").await
}

#[tokio::test]
async fn creates_fetches_and_hangs_up_a_live_call() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let (app, _) = caller_app().await;
    let call = CreateCall::new(IVR, CALLER, format!("{app}/start"));
    let created = client.create_call(&call).await.expect("create");
    assert!(created.sid.starts_with("CA"), "{created:?}");
    assert_eq!(created.status, "queued");
    assert_eq!((created.to.as_str(), created.from.as_str()), (IVR, CALLER));
    assert_eq!(created.direction.as_deref(), Some("outbound-api"));

    let live = wait_for(&client, &created.sid, |c| c.status == "in-progress").await;
    assert!(live.start_time.is_some());
    assert_eq!(client.hang_up(&live.sid).await, Ok(HangUp::HungUp));
    let ended = wait_for(&client, &live.sid, CallResource::has_ended).await;
    assert_eq!(ended.status, "completed");
    assert!(ended.end_time.is_some() && ended.duration_secs.is_some());
    // Hanging up twice (a teardown after the IVR hung up) is not an error.
    assert_eq!(client.hang_up(&live.sid).await, Ok(HangUp::AlreadyEnded));
}

#[tokio::test]
async fn hanging_up_a_ringing_call_cancels_it() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let (app, _) = caller_app().await;
    let call = CreateCall {
        timeout_secs: Some(600),
        ..CreateCall::new(SILENT, CALLER, format!("{app}/start"))
    };
    let created = client.create_call(&call).await.expect("create");
    let ringing = wait_for(&client, &created.sid, |c| c.status == "ringing").await;
    assert_eq!(client.hang_up(&ringing.sid).await, Ok(HangUp::Canceled));
    let ended = wait_for(&client, &ringing.sid, CallResource::has_ended).await;
    assert_eq!(ended.status, "canceled");
}

#[tokio::test]
async fn fetching_an_unknown_call_is_20404() {
    let emulator = emulator().await;
    let e = client(&emulator)
        .fetch_call("CA00000000000000000000000000000000")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(20404), "{e}");
    assert!(matches!(
        e,
        ClientError::Twilio {
            status: 404,
            explanation: Some(_),
            ..
        }
    ));
}

#[tokio::test]
async fn redirect_moves_a_live_call_and_fails_on_an_ended_one() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let (app, moved) = caller_app().await;
    let live = live_call(&client, &app).await;
    assert_eq!(moved.load(Ordering::SeqCst), 0);
    let answer = client
        .redirect(&live.sid, &format!("{app}/moved"))
        .await
        .expect("redirect");
    assert_eq!(answer.sid, live.sid);
    for _ in 0..250 {
        if moved.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        moved.load(Ordering::SeqCst),
        1,
        "the call never fetched /moved"
    );

    assert_eq!(client.hang_up(&live.sid).await, Ok(HangUp::HungUp));
    wait_for(&client, &live.sid, CallResource::has_ended).await;
    let e = client
        .redirect(&live.sid, &format!("{app}/moved"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(21220), "{e}");
}

#[tokio::test]
async fn create_errors_carry_twilio_codes_and_fixes() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let cases = [
        (
            CreateCall::new("12345", CALLER, "https://x.example/a"),
            21211,
            "E.164",
        ),
        (
            CreateCall::new(IVR, "+15557654321", "https://x.example/a"),
            21210,
            "Verified Caller IDs",
        ),
        (
            CreateCall::new("+15005550003", CALLER, "https://x.example/a"),
            21215,
            "Geo permissions",
        ),
    ];
    for (call, code, hint) in cases {
        let e = client.create_call(&call).await.unwrap_err();
        let ClientError::Twilio {
            status,
            code: got,
            explanation,
            message,
        } = &e
        else {
            panic!("not a Twilio error: {e:?}");
        };
        assert_eq!((*status, *got), (400, code), "{e}");
        assert!(!message.is_empty());
        assert!(explanation.is_some_and(|x| x.contains(hint)), "{e}");
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!("Twilio error {code} (HTTP 400): ")),
            "{shown}"
        );
        assert!(shown.contains(". Fix: ") && shown.contains(hint), "{shown}");
    }
}

#[tokio::test]
async fn a_wrong_token_is_20003_and_never_shown() {
    let emulator = emulator().await;
    let secret = "wrong-token-d41d8cd98f00";
    let client = TwilioClient::new(&emulator.base_url, ACCOUNT, &Secret::new(secret)).unwrap();
    let e = client.fetch_call("CA1").await.unwrap_err();
    assert_eq!(e.code(), Some(20003), "{e}");
    assert!(e.to_string().contains("TWILIO_IVR_AUTH_TOKEN"), "{e}");
    for text in [e.to_string(), format!("{e:?}"), format!("{client:?}")] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn debug_redacts_the_token() {
    let client =
        TwilioClient::new(DEFAULT_BASE_URL, ACCOUNT, &Secret::new("s3cr3t-value")).unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains("s3cr3t-value"), "{shown}");
    assert!(
        shown.contains("<redacted>") && shown.contains(ACCOUNT),
        "{shown}"
    );
}

#[tokio::test]
async fn a_network_failure_names_the_url_but_not_the_token() {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let client = TwilioClient::new("http://127.0.0.1:1", ACCOUNT, &Secret::new(TOKEN)).unwrap();
    let e = client.fetch_call("CA1").await.unwrap_err();
    let ClientError::Http(text) = &e else {
        panic!("{e:?}");
    };
    assert!(
        text.contains("GET http://127.0.0.1:1/2010-04-01/Accounts/"),
        "{text}"
    );
    assert!(text.contains("Calls/CA1.json"), "{text}");
    assert!(!text.contains(TOKEN) && !format!("{e:?}").contains(TOKEN));
}

/// Sends an SMS through the emulator's REST API; returns its SID and `date_sent`.
async fn send_sms(base: &str, from: &str, to: &str, body: &str) -> (String, String) {
    let form = [("From", from), ("To", to), ("Body", body)];
    let response: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{base}/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
        ))
        .basic_auth(ACCOUNT, Some(TOKEN))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(form).unwrap())
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let sid = response["sid"].as_str().expect("sid").to_string();
    let sent = response["date_sent"]
        .as_str()
        .expect("date_sent")
        .to_string();
    (sid, sent)
}

#[tokio::test]
async fn lists_messages_across_pages_with_date_sent_filters() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let mut sent = BTreeSet::new();
    let mut dates = Vec::new();
    for i in 0..7 {
        let (sid, date) = send_sms(&emulator.base_url, IVR, CALLER, &format!("code {i}")).await;
        sent.insert(sid);
        dates.push(parse_rfc2822(&date).expect("date"));
    }
    send_sms(&emulator.base_url, IVR, "+15551239999", "someone else").await;

    let filter = MessageFilter {
        to: Some(CALLER.into()),
        page_size: Some(3),
        ..MessageFilter::default()
    };
    let listed = client.list_messages(&filter).await.expect("list");
    assert_eq!(listed.len(), 7, "three pages of 3, 3 and 1");
    let sids: BTreeSet<String> = listed.iter().map(|m| m.sid.clone()).collect();
    assert_eq!(sids, sent);
    assert!(listed.iter().all(|m| m.to == CALLER && m.from == IVR));
    assert!(listed.iter().all(|m| m.date_sent.is_some()));

    // `DateSent>`/`DateSent<` compare whole days, inclusive, as on Twilio.
    let earliest = dates.iter().min().copied().expect("dates");
    let latest = dates.iter().max().copied().expect("dates");
    let day = |date: chrono::DateTime<chrono::Utc>| date.date_naive();
    let since = |after| MessageFilter {
        sent_on_or_after: Some(after),
        ..filter.clone()
    };
    assert_eq!(
        client
            .list_messages(&since(day(earliest)))
            .await
            .unwrap()
            .len(),
        7
    );
    let next_day = day(latest) + chrono::Duration::days(1);
    assert_eq!(
        client.list_messages(&since(next_day)).await.unwrap().len(),
        0
    );
    let before = MessageFilter {
        sent_on_or_before: Some(day(earliest) - chrono::Duration::days(1)),
        ..filter.clone()
    };
    assert_eq!(client.list_messages(&before).await.unwrap().len(), 0);

    // More pages than allowed is an error, not a silently shortened list.
    let bounded = MessageFilter {
        max_pages: Some(2),
        ..filter.clone()
    };
    let e = client.list_messages(&bounded).await.unwrap_err();
    assert!(matches!(e, ClientError::InvalidResponse(_)), "{e:?}");
}
