//! Load benchmark: many concurrent bridged calls through the emulator.
//!
//! `cargo bench --bench emulator [-- CALLS]` (default 1000). An IVR application keeps talking
//! (a prompt, a pause, again) and a caller application keeps listening, so every call has both
//! legs busy with speech, Gathers and webhooks. It reports the time to get all calls answered,
//! CPU time per call-second in the steady state, and resident memory per live call. The TwiML
//! applications run in the same process, so the figures include them (an upper bound).

use std::time::{Duration, Instant};

use axum::routing::post;
use twilio_emulator::config::{EmulatorConfig, NumberConfig};
use twilio_emulator::server::{start, EmulatorOptions};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "bench-token";
const CALLER: &str = "+15005550006";
const IVR: &str = "+15551230001";

/// Resident memory and CPU time (user + system) of this process, from /proc.
fn usage() -> (u64, Duration) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let rss_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: u64 = fields.get(11).and_then(|u| u.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (rss_kb, Duration::from_millis(ticks * 10))
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn xml(body: &'static str) -> ([(&'static str, &'static str); 1], &'static str) {
    ([("Content-Type", "application/xml")], body)
}

#[tokio::main]
async fn main() {
    let calls: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let ivr = serve(axum::Router::new().route(
        "/voice",
        post(|| async {
            xml(r#"<Response><Say>Welcome to Acme. For sales press one, for support press two.</Say><Pause length="2"/><Redirect>/voice</Redirect></Response>"#)
        }),
    ))
    .await;
    let caller = serve(
        axum::Router::new().route(
            "/listen",
            post(|| async {
                xml(r#"<Response><Gather input="speech" action="/listen" speechTimeout="auto" timeout="5" actionOnEmptyResult="true"/></Response>"#)
            }),
        ),
    )
    .await;

    let mut config = EmulatorConfig::with_account(ACCOUNT, TOKEN);
    config.caller_ids = vec![CALLER.into()];
    config.calls_per_second = 100_000.0;
    config.numbers = [(
        IVR.to_string(),
        NumberConfig {
            voice_url: Some(format!("{ivr}/voice")),
            answer_after_rings: Some(0),
            ..NumberConfig::default()
        },
    )]
    .into();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let emulator = start(
        listener,
        config,
        EmulatorOptions {
            time_scale: Some(1.0),
            ..Default::default()
        },
    )
    .await
    .expect("start");
    let (rss_before, _) = usage();

    let http = reqwest::Client::new();
    let url = format!(
        "{}/2010-04-01/Accounts/{ACCOUNT}/Calls.json",
        emulator.base_url
    );
    let started = Instant::now();
    let mut sids = Vec::with_capacity(calls);
    for _ in 0..calls {
        let response = http
            .post(&url)
            .basic_auth(ACCOUNT, Some(TOKEN))
            .form(&[
                ("To", IVR),
                ("From", CALLER),
                ("Url", &format!("{caller}/listen")),
                ("TimeLimit", "600"),
            ])
            .send()
            .await
            .expect("create");
        let body: serde_json::Value = response.json().await.expect("json");
        sids.push(body["sid"].as_str().expect("sid").to_string());
    }
    let created = started.elapsed();
    loop {
        let live = emulator
            .store
            .calls(|c| c.status == twilio_emulator::model::CallStatus::InProgress)
            .len();
        if live == calls || started.elapsed() > Duration::from_secs(120) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let answered = started.elapsed();

    // Steady state: every call talking and listening.
    let window = Duration::from_secs(10);
    let (rss_live, cpu_start) = usage();
    tokio::time::sleep(window).await;
    let (rss_end, cpu_end) = usage();
    let cpu = cpu_end.saturating_sub(cpu_start);
    let heard = emulator
        .store
        .calls(|_| true)
        .iter()
        .map(|c| {
            c.transcript
                .iter()
                .filter(|l| l.text.starts_with("heard:"))
                .count()
        })
        .sum::<usize>();

    for sid in &sids {
        let _ = http
            .post(format!(
                "{}/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json",
                emulator.base_url
            ))
            .basic_auth(ACCOUNT, Some(TOKEN))
            .form(&[("Status", "completed")])
            .send()
            .await;
    }
    for _ in 0..600 {
        if emulator.live_calls() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    println!("concurrent bridged calls: {calls}");
    println!(
        "created in {:.2} s, all answered after {:.2} s",
        created.as_secs_f64(),
        answered.as_secs_f64()
    );
    println!(
        "speech results heard by callers in the {} s window and before: {heard}",
        window.as_secs()
    );
    println!(
        "CPU: {:.2} s over {} s with {calls} live calls = {:.2} % of one core, {:.3} ms CPU per call-second",
        cpu.as_secs_f64(),
        window.as_secs(),
        100.0 * cpu.as_secs_f64() / window.as_secs_f64(),
        1000.0 * cpu.as_secs_f64() / (window.as_secs_f64() * calls as f64)
    );
    println!(
        "memory: {:.1} MB before, {:.1} MB with all calls live ({:.1} MB at the window's end): {:.1} KB per live call",
        rss_before as f64 / 1024.0,
        rss_live as f64 / 1024.0,
        rss_end as f64 / 1024.0,
        (rss_live.saturating_sub(rss_before)) as f64 / calls as f64
    );
    println!("calls still live after hang-up: {}", emulator.live_calls());
}
