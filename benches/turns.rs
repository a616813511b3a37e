//! Turn latency of the in-process webhook: a signed `<Gather>` result in, TwiML out, when the
//! step engine answers at once. `cargo bench --bench turns [-- TURNS]` (default 20000) prints
//! p50, p99 and max over sequential turns on one keep-alive connection, measured at the client
//! (so HTTP parsing, signature check and rendering are included). The original connector held
//! every answer for a fixed 5,000 ms.

use std::time::{Duration, Instant};

use ivr_test::config::{Secret, TwilioCaps};
use ivr_test::turn::answer::CallerVoice;
use ivr_test::turn::signed::NEXT;
use ivr_test::turn::{Action, CallEvent, Sessions};
use ivr_test::webhook::routes::{router, WebhookState};
use twilio_wire::signature;

const TOKEN: &str = "bench-token";

#[tokio::main]
async fn main() {
    let turns: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let state = WebhookState {
        sessions: Sessions::default(),
        auth_token: Secret::new(TOKEN),
        public_url: format!("http://{}/", listener.local_addr().expect("addr")),
        endpoint: "/".into(),
        public_url_params: None,
        hold: Duration::from_secs(5),
        voice: CallerVoice::from_caps(&TwilioCaps::default()),
        gather_in_urls: false,
    };
    let app = router(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    // The step engine: answers every heard message at once.
    let mut session = state.sessions.open();
    let url = state.callback_url(NEXT, &session.id);
    tokio::spawn(async move {
        while let Some(event) = session.events.recv().await {
            if let CallEvent::Heard { .. } = event {
                session.act(Action::Say("I would like to check my balance".into()));
            }
        }
    });

    let params: Vec<(String, String)> = [
        ("AccountSid", "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        ("CallSid", "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
        ("CallStatus", "in-progress"),
        ("SpeechResult", "Welcome to Acme. Press 1 for sales."),
        ("Confidence", "0.92"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let signature = signature::compute(TOKEN, &url, &params);
    let body = serde_urlencoded::to_string(&params).expect("form");
    let http = reqwest::Client::new();
    let mut latencies = Vec::with_capacity(turns);
    for i in 0..turns + 500 {
        let started = Instant::now();
        let response = http
            .post(&url)
            .header("X-Twilio-Signature", &signature)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .expect("post");
        let text = response.text().await.expect("body");
        let elapsed = started.elapsed();
        assert!(text.contains("<Say"), "{text}");
        if i >= 500 {
            latencies.push(elapsed); // the first 500 warm up connections and caches
        }
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    println!("turns: {turns} (sequential, one connection, answer ready)");
    println!(
        "webhook-in to TwiML-out: p50 {:?}, p99 {:?}, max {:?}",
        at(0.50),
        at(0.99),
        latencies[latencies.len() - 1]
    );
}
