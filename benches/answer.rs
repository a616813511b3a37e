//! When answers go out (`TWILIO_IVR_ANSWER_TIMING`): how much call time `offer` saves over
//! `silence`, and how fast a key reaches the IVR once it has been offered.
//!
//! `cargo bench --bench answer [-- SCALE]` (SCALE: emulated seconds per wall second, default 10).
//! An axum TwiML IVR in this process has three menu levels: each a `<Gather>` around a
//! `<Say loop="3">` of about ten seconds of speech with four "press N" options spread through it;
//! after level 3 it says "You reached ... Goodbye." and hangs up. A 20-convo suite walks 20
//! different paths. The runner (`ivr_test::runner::command::run`, in-process, `--parallel 20`:
//! every call at once, so the wall time is that of the longest call) runs it against an emulator
//! started in-process by the bench (its ledger, `GET /_emulator/calls`, gives the transcripts;
//! `--emulate` stops its emulator before the ledger can be read), once per timing, then in
//! `offer` at 1x; then at 1x with the emulator's cloud APIs as slow as our estimate of Twilio's
//! (`TWILIO_LATENCIES`) in-process, through the Function relay (deployed on the emulator, run
//! under node) and behind a real `redis-server` and the real `ivr-test proxy start`.
//!
//! Per run it prints pass/fail counts, wall time, call time (answer to hang-up, from the
//! ledger), billed minutes (each call rounded up to a minute), how the answers went out, and the
//! reaction time: for every `hears key: K` on the IVR leg, the emulated time since the end of
//! the word K in the last "press K" said before it (a `says:` line of n words starts at its
//! stamp and lasts max(n * 60 / wpm, 0.5) s, word k ending k/n of the way through; with
//! `<Say loop>` the last offer may be in the previous repetition). When no offer was said yet,
//! the time to the next one, negative: the key arrived first (`match` answers on the greeting).
//! Keys sent by a live-call update also show its stages, from the ledger's `interim N:` and
//! `redirected through the REST API` lines on the caller leg. At SCALE x every wall millisecond
//! costs SCALE ms of call time (tokio's 1 ms timer included): the 1x runs give the real figure.

#[allow(dead_code)]
#[path = "../tests/integration/harness/redis.rs"]
mod redis_server;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::extract::{Form, Query};
use axum::routing::post;
use chrono::{DateTime, Utc};
use ivr_test::output::Output;
use ivr_test::runner::command::{run, RunRequest};
use tokio::runtime::Runtime;
use twilio_emulator::config::EmulatorConfig;
use twilio_emulator::server::{start, EmulatorOptions};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "bench-token";
const CALLER: &str = "+15005550006";
const IVR: &str = "+15551230001";
/// The emulator's speech rate, set explicitly: the reaction time is computed from it.
const WPM: u32 = 150;
const CASES: usize = 20;

/// Per level: the greeting a convo expects, the whole menu, and the option names by key.
const LEVELS: [(&str, &str, [&str; 4]); 3] = [
    (
        "Welcome to Acme Energy",
        "Welcome to Acme Energy. For your balance, press one. For billing, press two. \
         For a new connection, press three. To report an outage, press four.",
        ["balance", "billing", "a new connection", "an outage report"],
    ),
    (
        "Please choose an energy type",
        "Please choose an energy type. For electricity, press one. For natural gas, press two. \
         For solar and batteries, press three. For all other accounts, press four.",
        ["electricity", "natural gas", "solar", "other accounts"],
    ),
    (
        "Last step, choose a service",
        "Last step, choose a service. For payments, press one. For a meter reading, press two. \
         If you are moving house, press three. To speak with an agent, press four.",
        ["payments", "a meter reading", "moving house", "an agent"],
    ),
];

/// The IVR's reply after the keys of `path` (`""`: the call starts).
fn twiml(path: &str) -> String {
    if let Some((_, menu, _)) = LEVELS.get(path.len()) {
        return format!(
            r#"<Response><Gather input="dtmf" numDigits="1" timeout="5" action="/menu?path={path}"><Say loop="3">{menu}</Say></Gather><Say>We did not get your choice. Goodbye.</Say><Hangup/></Response>"#
        );
    }
    format!(
        r#"<Response><Say>You reached {}. Goodbye.</Say><Pause length="2"/><Hangup/></Response>"#,
        reached(path)
    )
}

/// "billing, natural gas, payments" for path "121".
fn reached(path: &str) -> String {
    let names: Vec<&str> = path
        .bytes()
        .zip(LEVELS.iter())
        .map(|(key, (_, _, names))| names[usize::from(key - b'1')])
        .collect();
    names.join(", ")
}

/// The IVR's webhook: the path so far (`?path=`) and the key just pressed (`Digits`).
async fn menu(
    Query(query): Query<HashMap<String, String>>,
    Form(form): Form<HashMap<String, String>>,
) -> ([(&'static str, &'static str); 1], String) {
    let (path, digits) = (query.get("path"), form.get("Digits"));
    let path = format!("{}{}", path.map_or("", |p| p), digits.map_or("", |d| d));
    ([("Content-Type", "application/xml")], twiml(&path))
}

/// Serves the IVR on a free loopback port; returns its `/voice` URL.
fn start_ivr(runtime: &Runtime) -> String {
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the IVR's port");
        let url = format!("http://{}", listener.local_addr().expect("IVR address"));
        // `/voice` starts the call (no path, no digits); each `<Gather>` reports to `/menu`.
        let app = axum::Router::new()
            .route("/voice", post(menu))
            .route("/menu", post(menu));
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("{url}/voice")
    })
}

/// 20 different paths (n * 13 mod 64 in base 4), so offers sit early, mid and late in menus.
fn write_suite(root: &Path) {
    let convos = root.join("convos");
    std::fs::create_dir_all(&convos).expect("create the convos folder");
    for i in 0..CASES {
        let n = i * 13 % 64;
        let path: String = [n / 16, n / 4 % 4, n % 4]
            .iter()
            .map(|k| char::from(b'1' + *k as u8))
            .collect();
        let mut text = format!("path {path}\n");
        for (key, (greeting, _, _)) in path.chars().zip(LEVELS.iter()) {
            text += &format!("\n#bot\n{greeting}\n\n#me\nBUTTON {key}\n");
        }
        text += &format!("\n#bot\nYou reached {}\n", reached(&path));
        std::fs::write(convos.join(format!("path{path}.convo.txt")), text).expect("write a convo");
    }
}

/// Where the runner's webhooks go: its own listener, the Redis proxy, or the Function relay
/// (deployed on the emulator at the run's first use, running under node).
enum Webhooks {
    Local,
    Proxy { public: String, redis: String },
    Relay,
}

/// The emulator's latencies in the transport comparison: our estimate of Twilio's, in ms.
/// A REST request from a CI runner in the US to api.twilio.com (calls.create, the live-call
/// update) about 150; a Sync request about 60; a warm Function invocation about 120 before
/// its code runs. The webhook's own network trip (Twilio to a tunnel or proxy) is not modelled:
/// the in-process and proxy figures are lower bounds.
const TWILIO_LATENCIES: (u64, u64, u64) = (150, 60, 120);

/// What one run of the suite measured.
#[derive(Default)]
struct Stats {
    passed: usize,
    failed: usize,
    wall: Duration,
    /// Answer to hang-up, summed over calls (emulated).
    call_ms: i64,
    billed_minutes: i64,
    /// How the answers went out: "on offer", "on match", "after silence" ...
    cues: BTreeMap<String, usize>,
    /// Emulated ms from the end of an offer's key word to the key at the IVR's `<Gather>`.
    reactions: Vec<i64>,
    /// The reaction of keys sent by a live-call update, in three stages (emulated ms): word end
    /// to its interim result, interim result to the redirect, redirect to the key.
    stages: [Vec<i64>; 3],
}

/// Runs the suite under `root` once in `timing` with the emulator at `scale`, its cloud APIs
/// taking `latencies` (REST, Sync, Function; ms).
fn run_suite(
    runtime: &Runtime,
    ivr_url: &str,
    root: &Path,
    (timing, scale, latencies): (&str, f64, (u64, u64, u64)),
    webhooks: &Webhooks,
) -> Stats {
    let emulator = runtime.block_on(async {
        let (api_ms, sync_ms, function_ms) = latencies;
        let config: EmulatorConfig = serde_json::from_value(serde_json::json!({
            "accounts": [{"sid": ACCOUNT, "auth_token": TOKEN}], "caller_ids": [CALLER],
            "numbers": {IVR: {"voice_url": ivr_url, "answer_after_rings": 0}},
            "calls_per_second": 1000, "speech_rate_wpm": WPM,
            "latencies": {"api_ms": api_ms, "sync_ms": sync_ms, "function_ms": function_ms, "build_ms": 0}
        }))
        .expect("an emulator configuration");
        let options = EmulatorOptions {
            time_scale: Some(scale),
            ..EmulatorOptions::default()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the emulator's port");
        start(listener, config, options)
            .await
            .expect("the emulator starts")
    });
    let mut caps = serde_json::json!({
        "TWILIO_IVR_ACCOUNT_SID": ACCOUNT, "TWILIO_IVR_AUTH_TOKEN": TOKEN,
        "TWILIO_IVR_API_URL": emulator.base_url, "TWILIO_IVR_FROM": CALLER, "TWILIO_IVR_TO": IVR,
        "TWILIO_IVR_ANSWER_TIMING": timing, "TWILIO_IVR_CALLS_PER_SECOND": 1000,
        "TWILIO_IVR_WAIT_CALL_COMPLETED": 5000, "WAITFORBOTTIMEOUT": 60000
    });
    match webhooks {
        Webhooks::Local => {
            let port = redis_server::free_port();
            caps["TWILIO_IVR_INBOUNDPORT"] = port.into();
            caps["TWILIO_IVR_PUBLICURL"] = format!("http://127.0.0.1:{port}/").into();
        }
        Webhooks::Proxy { public, redis } => {
            caps["TWILIO_IVR_PUBLICURL"] = public.as_str().into();
            caps["TWILIO_IVR_REDISURL"] = redis.as_str().into();
            caps["TWILIO_IVR_REDIS_TOPICBASE"] = "bench".into();
        }
        Webhooks::Relay => {}
    }
    let config = root.join(format!("botium-{timing}.json"));
    let botium = serde_json::json!({"botium": {"Capabilities": caps}});
    std::fs::write(&config, botium.to_string()).expect("write botium.json");
    let report_path = root.join(format!("report-{timing}.json"));
    let request = RunRequest {
        paths: vec![root.join("convos")],
        config: Some(config),
        parallel: CASES,
        json: Some(report_path.clone()),
        ..RunRequest::default()
    };
    let env: BTreeMap<String, String> = [("CI".to_string(), "true".to_string())].into();
    let (output, _, log) = Output::captured();
    let started = Instant::now();
    let outcome = runtime.block_on(run(&request, &env, root, &output, std::future::pending()));
    let wall = started.elapsed();
    let log = log.text();
    assert!(outcome.code() <= 1, "the {timing} run could not run: {log}");
    let report = std::fs::read_to_string(&report_path).expect("read the JSON report");
    let report: serde_json::Value = serde_json::from_str(&report).expect("a JSON report");
    let ledger: serde_json::Value = runtime.block_on(async {
        // Calls are hung up when the run ends; wait until the ledger has their end times.
        for _ in (0..500).take_while(|_| emulator.live_calls() > 0) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let url = format!("{}/_emulator/calls", emulator.base_url);
        let response = reqwest::get(url).await.expect("GET the emulator's ledger");
        let ledger = response.json().await.expect("the ledger is JSON");
        emulator.stop().await;
        ledger
    });
    measure(&report, &ledger, wall)
}

/// Counts, call time and reaction times from the JSON report and the emulator's ledger.
fn measure(report: &serde_json::Value, ledger: &serde_json::Value, wall: Duration) -> Stats {
    let tests = report["tests"].as_array().expect("tests in the report");
    let mut stats = Stats {
        wall,
        ..Stats::default()
    };
    for test in tests {
        if test["verdict"] == "passed" {
            stats.passed += 1;
        } else {
            stats.failed += 1;
            println!("  FAILED {}: {}", test["name"], test["failure"]["message"]);
        }
        let lines = test["transcript"].as_array().into_iter().flatten();
        for text in lines.filter_map(|l| l["text"].as_str()) {
            if let Some(rest) = text.strip_prefix("answered ") {
                let cue = rest.split(" \"").next().unwrap_or(rest);
                let cue = cue.split(" after").next().unwrap_or(cue).to_string();
                *stats.cues.entry(cue).or_default() += 1;
            }
        }
    }
    let time = |v: &serde_json::Value| {
        DateTime::parse_from_rfc3339(v.as_str().expect("a time in the ledger"))
            .expect("RFC 3339 time")
            .with_timezone(&Utc)
    };
    for call in ledger.as_array().expect("the ledger is an array") {
        if let (Some(_), Some(_)) = (call["start_time"].as_str(), call["end_time"].as_str()) {
            let ms = (time(&call["end_time"]) - time(&call["start_time"])).num_milliseconds();
            stats.call_ms += ms;
            stats.billed_minutes += (ms + 59_999) / 60_000;
        }
        // Since the last key: what the IVR said (a `<Say loop>` repeats the menu, and a key
        // answering an offer at a menu's end arrives once the repeat has begun), when interim
        // results were posted, and when the caller's leg was redirected.
        let (mut said, mut interims, mut redirected) = (Vec::new(), Vec::new(), None);
        for line in call["transcript"].as_array().into_iter().flatten() {
            let (at, text) = (time(&line["time"]), line["text"].as_str().unwrap_or(""));
            if line["leg"] == "caller" {
                if text.starts_with("interim ") {
                    interims.push(at);
                } else if text == "redirected through the REST API" {
                    redirected = Some(at);
                }
            } else if let Some(words) = text.strip_prefix("says: ") {
                said.push((at, words.to_string()));
            } else if let Some(key) = text.strip_prefix("hears key: ") {
                let ends: Vec<_> = said
                    .iter()
                    .filter_map(|(t, s)| offer_end(*t, s, key))
                    .collect();
                // The offer said last before the key; none yet (`match`): the next one.
                let before = ends.iter().filter(|end| **end <= at).max();
                if let Some(&end) = before.or_else(|| ends.iter().min()) {
                    stats.reactions.push((at - end).num_milliseconds());
                    let interim = interims.iter().find(|t| **t >= end);
                    if let (Some(&interim), Some(redirect), Some(_)) = (interim, redirected, before)
                    {
                        let stages = [(end, interim), (interim, redirect), (redirect, at)];
                        for (list, (from, to)) in stats.stages.iter_mut().zip(stages) {
                            list.push((to - from).num_milliseconds());
                        }
                    }
                }
                (said, interims, redirected) = (Vec::new(), Vec::new(), None);
            }
        }
    }
    stats
}

/// When the word K (1 to 4, as the menus say it) of "press K" ends in a `says:` line stamped `start`.
fn offer_end(start: DateTime<Utc>, said: &str, key: &str) -> Option<DateTime<Utc>> {
    let name = ["one", "two", "three", "four"].get(key.parse::<usize>().ok()?.checked_sub(1)?)?;
    let words: Vec<&str> = said
        .split_whitespace()
        .map(|w| w.trim_end_matches(['.', ',']))
        .collect();
    let k = (1..words.len()).find(|&i| words[i - 1] == "press" && words[i] == *name)?;
    let length_ms = (words.len() as f64 * 60_000.0 / f64::from(WPM)).max(500.0);
    let end_ms = length_ms * (k + 1) as f64 / words.len() as f64;
    Some(start + chrono::Duration::milliseconds(end_ms.round() as i64))
}

fn print(label: &str, stats: &Stats) {
    let calls = (stats.passed + stats.failed).max(1) as f64;
    let cues: Vec<String> = stats.cues.iter().map(|(c, n)| format!("{n} {c}")).collect();
    println!(
        "{label}: {} passed, {} failed; wall {:.2} s; call time {:.1} s ({:.1} s per call), \
         billed {} min; answers: {}",
        stats.passed,
        stats.failed,
        stats.wall.as_secs_f64(),
        stats.call_ms as f64 / 1000.0,
        stats.call_ms as f64 / 1000.0 / calls,
        stats.billed_minutes,
        cues.join(", ")
    );
    if stats.reactions.is_empty() {
        println!("    reaction: no key reached a <Gather> after an offer");
        return;
    }
    println!(
        "    reaction (offer's key word ended -> key at the IVR's <Gather>, call time): {}",
        quantiles(&stats.reactions)
    );
    let stages = [
        "word end -> interim result",
        "interim result -> live-call update",
    ];
    let stages = stages.iter().chain(&["update -> key at the <Gather>"]);
    for (stage, values) in stages.zip(&stats.stages).filter(|(_, v)| !v.is_empty()) {
        println!("      {stage}: {}", quantiles(values));
    }
}

/// "60 keys, p50 .. ms, p99 .. ms, max .. ms, min .. ms" (nearest rank, rounded up).
fn quantiles(values: &[i64]) -> String {
    let mut v = values.to_vec();
    v.sort_unstable();
    let at = |q: f64| v[((v.len() - 1) as f64 * q).ceil() as usize];
    let (n, p50, p99, max, min) = (v.len(), at(0.5), at(0.99), v[v.len() - 1], v[0]);
    format!("{n} keys, p50 {p50} ms, p99 {p99} ms, max {max} ms, min {min} ms")
}

fn main() {
    let scale: f64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10.0);
    let runtime = Runtime::new().expect("a runtime for the IVR and the emulator");
    let ivr_url = start_ivr(&runtime);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = dir.path();
    write_suite(root);
    println!(
        "{CASES} convos, 3 menu levels of ~10 s (<Say loop=\"3\">, {WPM} wpm), --parallel {CASES}, \
         emulator at {scale}x"
    );
    let mut results = BTreeMap::new();
    let instant = (0, 0, 0);
    for timing in ["offer", "match", "silence"] {
        let stats = run_suite(
            &runtime,
            &ivr_url,
            root,
            (timing, scale, instant),
            &Webhooks::Local,
        );
        print(&format!("{timing:<8}"), &stats);
        results.insert(timing, stats);
    }
    let (offer, silence) = (&results["offer"], &results["silence"]);
    println!(
        "offer over silence: {:.2}x faster wall time, {:.2}x less call time, {:.2}x fewer billed minutes",
        silence.wall.as_secs_f64() / offer.wall.as_secs_f64(),
        silence.call_ms as f64 / offer.call_ms as f64,
        silence.billed_minutes as f64 / offer.billed_minutes as f64
    );
    // At SCALE x, every wall millisecond the runner takes costs SCALE ms of call time.
    let real = run_suite(
        &runtime,
        &ivr_url,
        root,
        ("offer", 1.0, instant),
        &Webhooks::Local,
    );
    print("offer at 1x", &real);
    // The three transports side by side at 1x, the cloud APIs as slow as Twilio's.
    let twilio = ("offer", 1.0, TWILIO_LATENCIES);
    let (api, sync, function) = TWILIO_LATENCIES;
    println!("with Twilio's latencies (REST {api} ms, Sync {sync} ms, Function {function} ms):");
    let stats = run_suite(&runtime, &ivr_url, root, twilio, &Webhooks::Local);
    print("offer in-process at 1x", &stats);
    if Command::new("node").arg("--version").output().is_ok() {
        let stats = run_suite(&runtime, &ivr_url, root, twilio, &Webhooks::Relay);
        print("offer via relay at 1x", &stats);
    } else {
        println!("relay: skipped, node is not installed");
    }

    let Some(server) = redis_server::RedisServer::start("answer bench (proxy)", Default::default())
    else {
        println!("proxy: skipped, redis-server is not installed");
        return;
    };
    let port = redis_server::free_port();
    let public_url = format!("http://127.0.0.1:{port}/");
    let mut proxy = Command::new(env!("CARGO_BIN_EXE_ivr-test"))
        .args(["proxy", "start", "--port", &port.to_string()])
        .args(["--public-url", &public_url, "--redis-url", &server.url()])
        .args(["--topic-base", "bench"])
        .env_clear()
        .env("TWILIO_IVR_ACCOUNT_SID", ACCOUNT)
        .env("TWILIO_IVR_AUTH_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start `ivr-test proxy start`");
    let deadline = Instant::now() + Duration::from_secs(10);
    let health = format!("{public_url}health");
    while runtime.block_on(reqwest::get(&health)).is_err() {
        assert!(Instant::now() < deadline, "the proxy did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (public, redis) = (public_url, server.url());
    let webhooks = Webhooks::Proxy { public, redis };
    for (run_scale, latencies) in [(scale, instant), (1.0, TWILIO_LATENCIES)] {
        let run = ("offer", run_scale, latencies);
        let stats = run_suite(&runtime, &ivr_url, root, run, &webhooks);
        print(
            &format!("offer via proxy at {run_scale}x, latencies {latencies:?}"),
            &stats,
        );
    }
    let _ = proxy.kill();
    let _ = proxy.wait();
}
