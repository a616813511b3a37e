//! The same suite sequential and in parallel through `ivr-test run --emulate`, in-process.
//!
//! `cargo bench --bench run [-- CASES]` (default 20): wall time with `--parallel 1` and
//! `--parallel CASES`, and the peak resident memory growth per live call during the parallel
//! run (runner, emulator and the IVR application share the process: an upper bound).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use axum::routing::post;
use ivr_test::output::Output;
use ivr_test::runner::command::{run, RunRequest};

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let cases: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20);
    // The IVR runs on its own runtime thread; `run` makes its own.
    let ivr_runtime = tokio::runtime::Runtime::new().expect("runtime");
    let ivr = ivr_runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let xml = |b: &'static str| ([("Content-Type", "application/xml")], b);
        let app = axum::Router::new()
            .route("/voice", post(move || async move {
                xml(r#"<Response><Gather input="dtmf" action="/menu" numDigits="1" timeout="5"><Say>Welcome to Acme. Press one for sales.</Say></Gather></Response>"#)
            }))
            .route("/menu", post(move || async move {
                xml(r#"<Response><Say>Connecting you to sales.</Say><Pause length="10"/><Hangup/></Response>"#)
            }));
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "emu.json",
        &serde_json::json!({
            "accounts": [{"sid": "AC0123456789abcdef0123456789abcdef", "auth_token": "bench"}],
            "caller_ids": ["+15005550006"],
            "numbers": {"+15551230001": {"voice_url": format!("{ivr}/voice"), "answer_after_rings": 0}},
            "calls_per_second": 1000, "time_scale": 10
        })
        .to_string(),
    );
    write(
        "botium.json",
        &serde_json::json!({"botium": {"Capabilities": {"TWILIO_IVR_CALLS_PER_SECOND": 1000, "TWILIO_IVR_WAIT_CALL_COMPLETED": 2000}}})
            .to_string(),
    );
    for i in 0..cases {
        write(
            &format!("convos/case{i:03}.convo.txt"),
            &format!("case {i:03}\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n"),
        );
    }
    let env: BTreeMap<String, String> = [("CI".to_string(), "true".to_string())].into();
    let request = |parallel: usize| RunRequest {
        paths: vec![root.join("convos")],
        config: Some(root.join("botium.json")),
        parallel,
        emulate: Some(root.join("emu.json")),
        ..RunRequest::default()
    };
    let (output, _, _) = Output::captured();
    let runner = tokio::runtime::Runtime::new().expect("runtime");
    let run_suite = |parallel: usize| {
        runner.block_on(run(
            &request(parallel),
            &env,
            Path::new("."),
            &output,
            std::future::pending(),
        ))
    };

    let started = Instant::now();
    let outcome = run_suite(1);
    let sequential = started.elapsed();
    assert_eq!(outcome.code(), 0, "sequential run failed");

    let baseline = rss_kb();
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(baseline));
    let sampler = {
        let peak = peak.clone();
        std::thread::spawn(move || {
            for _ in 0..600 {
                peak.fetch_max(rss_kb(), std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let started = Instant::now();
    let outcome = run_suite(cases);
    let parallel = started.elapsed();
    assert_eq!(outcome.code(), 0, "parallel run failed");
    let grown = peak
        .load(std::sync::atomic::Ordering::Relaxed)
        .saturating_sub(baseline);
    drop(sampler);

    println!("test cases: {cases} (3 steps each, emulator at 10x real time)");
    println!(
        "sequential (--parallel 1): {:.2} s, {:.2} s per test case",
        sequential.as_secs_f64(),
        sequential.as_secs_f64() / cases as f64
    );
    println!(
        "parallel (--parallel {cases}): {:.2} s ({:.1}x faster)",
        parallel.as_secs_f64(),
        sequential.as_secs_f64() / parallel.as_secs_f64()
    );
    println!(
        "peak memory growth during the parallel run: {:.1} MB, {:.0} KB per live call",
        grown as f64 / 1024.0,
        grown as f64 / cases as f64
    );
}
