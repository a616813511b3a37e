//! Redialling end to end: every attempt is a call of its own, and a late status callback of an
//! attempt given up on never reaches the next one.
//!
//! The runner talks to a thin front of the emulator that sends the first `calls.create` to a
//! number that rings for minutes (the attempt is given up on and hung up) and every later one to
//! the IVR; the test then posts a signed late `no-answer` for the first call while the second
//! call is in conversation. The same holds behind the Redis proxy, whose events reach the
//! runner's sessions the same way.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use twilio_emulator::config::NumberConfig;
use twilio_emulator::model::{CallRecord, CallStatus};
use twilio_emulator::server::RunningEmulator;
use twilio_wire::signature;

use crate::harness::emulator::{emulator, ivr_at, IVR, TOKEN};
use crate::harness::free_port;
use crate::harness::proxy::{behind_proxy, bind, proxy_at};
use crate::harness::redis::{RedisOptions, RedisServer};
use crate::harness::run::{json_report, run, through_twilio_api_on, verdicts};
use crate::harness::twiml_app::TwimlAppBuilder;
use crate::harness::Project;

/// A number that rings far longer than the runner waits for an answer.
const RINGING: &str = "+15551230009";

#[derive(Clone)]
struct Front {
    emulator: String,
    first_call_placed: Arc<AtomicBool>,
}

/// Passes every request on to the emulator; the first `POST Calls.json` goes to [`RINGING`].
async fn forward(
    State(front): State<Front>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut body = body.to_vec();
    if method == Method::POST
        && uri.path().ends_with("/Calls.json")
        && !front.first_call_placed.swap(true, Ordering::SeqCst)
    {
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).expect("form");
        let form: Vec<(String, String)> = form
            .into_iter()
            .map(|(k, v)| {
                if k == "To" {
                    (k, RINGING.into())
                } else {
                    (k, v)
                }
            })
            .collect();
        body = serde_urlencoded::to_string(&form)
            .expect("encode")
            .into_bytes();
    }
    let mut request = reqwest::Client::new().request(
        reqwest::Method::from_bytes(method.as_str().as_bytes()).expect("method"),
        format!("{}{uri}", front.emulator),
    );
    // As a reverse proxy: the signature and the host it covers (a relay Function checks both).
    for name in [
        "authorization",
        "content-type",
        "accept",
        "x-twilio-signature",
        "host",
    ] {
        if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) {
            request = request.header(name, value);
        }
    }
    let answer = request.body(body).send().await.expect("emulator answers");
    let status = StatusCode::from_u16(answer.status().as_u16()).expect("status");
    let content_type = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let text = answer.text().await.expect("body");
    (status, [("Content-Type", content_type)], text).into_response()
}

/// Starts the front of `emulator`; returns its base URL.
async fn start_front(emulator: &RunningEmulator) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let front = Front {
        emulator: emulator.base_url.clone(),
        first_call_placed: Arc::default(),
    };
    let app = axum::Router::new().fallback(forward).with_state(front);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

/// The emulator's calls, oldest first.
fn calls(emulator: &RunningEmulator) -> Vec<CallRecord> {
    // The callers' calls, not the IVR's sides of them.
    let mut calls = emulator.store.calls(|c| c.arrived_from.is_none());
    calls.sort_by_key(|c| c.date_created);
    calls
}

/// Posts a signed status callback for `call` with `status` to `url`, as Twilio would.
async fn post_status(url: &str, call: &CallRecord, status: &str) {
    let params: Vec<(String, String)> = [
        ("AccountSid", call.request.account_sid.as_str()),
        ("CallSid", call.sid.as_str()),
        ("CallStatus", status),
        ("From", call.request.from.as_str()),
        ("To", call.request.to.as_str()),
        ("Direction", "outbound-api"),
        ("SipResponseCode", "487"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let signed = signature::compute(TOKEN, url, &params);
    reqwest::Client::new()
        .post(url)
        .header("X-Twilio-Signature", signed)
        .form(&params)
        .send()
        .await
        .expect("status callback");
}

#[tokio::test]
async fn a_late_status_callback_of_an_abandoned_attempt_never_ends_the_next_one() {
    let port = free_port();
    late_callbacks_never_end_the_next_attempt(|front, extra| {
        through_twilio_api_on(port, front, extra)
    })
    .await;
}

#[tokio::test]
async fn behind_the_redis_proxy_a_late_callback_of_an_abandoned_attempt_is_dropped_too() {
    let test = "behind_the_redis_proxy_a_late_callback_of_an_abandoned_attempt_is_dropped_too";
    let Some(redis) = RedisServer::start(test, RedisOptions::default()) else {
        return;
    };
    let (listener, public_url) = bind().await;
    let proxy = proxy_at(listener, &redis.url(), &public_url).await;
    late_callbacks_never_end_the_next_attempt(|front, extra| {
        behind_proxy(front, &public_url, &redis.url(), extra)
    })
    .await;
    proxy.stop().await;
}

#[tokio::test]
async fn through_the_relay_a_late_callback_of_an_abandoned_attempt_is_dropped_too() {
    if !crate::harness::relay::node_present() {
        return;
    }
    late_callbacks_never_end_the_next_attempt(|front, extra| {
        let caps = serde_json::json!({
            "TWILIO_IVR_ACCOUNT_SID": crate::harness::emulator::ACCOUNT,
            "TWILIO_IVR_AUTH_TOKEN": TOKEN,
            "TWILIO_IVR_API_URL": front
        });
        crate::harness::run::botium_json_with(IVR, crate::harness::run::merged(caps, extra))
    })
    .await;
}

/// Runs one test case whose first attempt rings past `TWILIO_IVR_WAIT_CALL_STARTED` and whose
/// second is answered, posting the first call's late `no-answer` and `canceled` while the second
/// talks; `botium(front_url, extra)` is the runner's `botium.json` for calls through the front.
async fn late_callbacks_never_end_the_next_attempt(
    botium: impl FnOnce(&str, serde_json::Value) -> String,
) {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Pause length="30"/><Gather input="dtmf" action="/menu" numDigits="1" timeout="5"><Say>Welcome to Acme. Press one for sales.</Say></Gather></Response>"#,
        )
        .twiml(
            "/menu",
            r#"<Response><Say>Connecting you to sales.</Say><Pause length="10"/><Hangup/></Response>"#,
        )
        .start()
        .await;
    let ringing = NumberConfig {
        answer_after_rings: Some(100),
        ..ivr_at(ivr.url("/voice"))
    };
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice"))), (RINGING, ringing)]).await;
    let front = start_front(&emulator).await;
    let project = Project::new()
        .file(
            "botium.json",
            &botium(
                &front,
                serde_json::json!({"TWILIO_IVR_REDIAL": 2, "TWILIO_IVR_WAIT_CALL_STARTED": 1500}),
            ),
        )
        .file(
            "convos/sales.convo.txt",
            "sales\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n",
        );
    let running = run(&project, &["run", "convos", "--json", "report.json"]);
    tokio::pin!(running);

    // Once the second attempt is in conversation, the first one's late news arrives: at the
    // first attempt's own status URL, and (forged) at the second attempt's.
    let mut delivered_during_the_second_call = false;
    for _ in 0..500 {
        let placed = calls(&emulator);
        if placed.len() == 2 && placed[1].status == CallStatus::InProgress {
            let (first, second) = (&placed[0], &placed[1]);
            let first_url = first.request.status_callback.clone().expect("status url");
            let second_url = second.request.status_callback.clone().expect("status url");
            assert_ne!(
                first_url, second_url,
                "each attempt has callback URLs of its own"
            );
            for url in [&first_url, &second_url] {
                post_status(url, first, "no-answer").await;
                post_status(url, first, "canceled").await;
            }
            delivered_during_the_second_call = calls(&emulator)[1].status == CallStatus::InProgress;
            break;
        }
        tokio::select! {
            out = &mut running => panic!("the run ended before the second attempt talked: {out:?}"),
            () = tokio::time::sleep(Duration::from_millis(20)) => {}
        }
    }
    let out = running.await;
    assert!(
        delivered_during_the_second_call,
        "the late callbacks came while the second call was live"
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let report = json_report(&project, "report.json");
    assert_eq!(
        verdicts(&report),
        [("sales".to_string(), "passed".to_string())]
    );
    let transcript = report["tests"][0]["transcript"].to_string();
    assert!(
        transcript.contains("attempt 1: no answer within 1500 ms"),
        "{transcript}"
    );
    let placed = calls(&emulator);
    assert_eq!(placed.len(), 2);
    assert_eq!(placed[0].request.to, RINGING);
    assert_eq!(
        placed[0].status,
        CallStatus::Canceled,
        "the abandoned attempt was hung up"
    );
    assert_eq!(report["tests"][0]["call_sid"], placed[1].sid.as_str());
    assert_eq!(emulator.live_calls(), 0, "no call is left live");
}
