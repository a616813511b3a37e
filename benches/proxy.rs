//! Turn latency through the proxy and Redis: a signed `<Gather>` result in, TwiML out, measured
//! at the client (HTTP, signature check, the Redis steps and rendering included).
//!
//! `cargo bench --bench proxy [-- TURNS]` starts a `redis-server` and the real `ivr-test proxy
//! start` (release build), plays a runner that follows `docs/proxy-protocol.md` (`XREAD BLOCK`
//! on its stream, `RPUSH` + `PUBLISH` for each event), and runs 1, 50 and 200 concurrent calls,
//! each webhook of a call waiting for the answer to the previous one, as Twilio does. Two modes:
//!
//! - live: the runner decides after it has read the event (the whole round trip:
//!   proxy -> stream -> runner -> decision list -> notification -> proxy);
//! - ready: the decision is already in the list (the proxy and Redis alone).
//!
//! It prints p50/p99/max, webhooks per second, and the proxy's resident memory (VmRSS idle,
//! VmHWM peak). TURNS (default 6000) is the number of webhooks per level and mode.

#[allow(dead_code)]
#[path = "../tests/integration/harness/redis.rs"]
mod redis_server;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ivr_test::relay::keys::Keys;
use ivr_test::turn::answer::CallerVoice;
use ivr_test::turn::{Action, Turn};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use redis::AsyncCommands;
use twilio_wire::signature;

const ACCOUNT: &str = "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const TOKEN: &str = "bench-token";
const RUNNER: &str = "bench-runner";

#[tokio::main]
async fn main() {
    let turns: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(6000);
    let Some(redis) = redis_server::RedisServer::start("proxy bench", Default::default()) else {
        return;
    };
    let port = redis_server::free_port();
    let public = format!("http://127.0.0.1:{port}/");
    let mut proxy = Command::new(env!("CARGO_BIN_EXE_ivr-test"))
        .args([
            "proxy",
            "start",
            "--port",
            &port.to_string(),
            "--public-url",
            &public,
        ])
        .args(["--redis-url", &redis.url(), "--topic-base", "bench"])
        .env_clear()
        .env("TWILIO_IVR_ACCOUNT_SID", ACCOUNT)
        .env("TWILIO_IVR_AUTH_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::null()) // one log line per webhook: not what is measured
        .spawn()
        .expect("proxy starts");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    let deadline = Instant::now() + Duration::from_secs(10);
    while http.get(format!("{public}health")).send().await.is_err() {
        assert!(Instant::now() < deadline, "the proxy did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let keys = Keys::new("bench");
    let client = redis.client();
    let mut commands = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let runner = tokio::spawn(run_runner(client.clone(), keys.clone()));
    let pid = proxy.id();
    println!("proxy pid {pid}; idle VmRSS {} KiB", memory(pid, "VmRSS"));

    let modes = [
        Mode {
            name: "live  ",
            live: true,
            pause: Duration::ZERO,
        },
        Mode {
            name: "ready ",
            live: false,
            pause: Duration::ZERO,
        },
        Mode {
            name: "paced ",
            live: true,
            pause: PACE,
        },
    ];
    for mode in &modes {
        LIVE.store(mode.live, std::sync::atomic::Ordering::Relaxed);
        for calls in [1usize, 50, 200] {
            let sessions = register(&mut commands, &keys, calls, &public).await;
            let per_call = if mode.pause.is_zero() {
                (turns / calls).max(20)
            } else {
                PACED_TURNS
            };
            // Warm-up: connections, caches.
            level(&http, &keys, &sessions, 20.min(per_call), mode, &commands).await;
            let cpu_before = cpu(pid);
            let started = Instant::now();
            let mut latencies = level(&http, &keys, &sessions, per_call, mode, &commands).await;
            let wall = started.elapsed();
            let cpu_used = cpu(pid) - cpu_before;
            latencies.sort();
            let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
            println!(
                "{}{calls:>3} calls: {:>5} webhooks, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:>5.0} webhooks/s, proxy CPU {:.0} us/webhook, VmRSS {} KiB (peak {} KiB)",
                mode.name,
                latencies.len(),
                ms(at(0.50)),
                ms(at(0.99)),
                ms(latencies[latencies.len() - 1]),
                latencies.len() as f64 / wall.as_secs_f64(),
                cpu_used.as_secs_f64() * 1e6 / latencies.len() as f64,
                memory(pid, "VmRSS"),
                memory(pid, "VmHWM"),
            );
        }
    }
    runner.abort();
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = proxy.wait();
}

/// The mean pause between two webhooks of a paced call (uniform in 0..2x): an IVR speaking.
const PACE: Duration = Duration::from_millis(50);
/// Webhooks per call in paced mode.
const PACED_TURNS: usize = 40;

/// How the calls behave.
struct Mode {
    name: &'static str,
    /// The runner decides after reading each event (else the decision is pushed ahead).
    live: bool,
    /// Mean pause between a call's webhooks (zero: back to back, the throughput ceiling).
    pause: Duration,
}

/// CPU time (user + system) the process has used, from `/proc/<pid>/stat` (clock ticks of
/// 10 ms, Linux's `CLK_TCK` of 100).
fn cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after_name
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A line of `/proc/<pid>/status`, in KiB.
fn memory(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// One call: its next URL and the signature of its (constant) webhook.
struct Session {
    id: String,
    url: String,
    signature: String,
}

const HEARD: [(&str, &str); 5] = [
    ("AccountSid", ACCOUNT),
    ("CallSid", "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
    ("CallStatus", "in-progress"),
    ("SpeechResult", "Welcome to Acme. Press 1 for sales."),
    ("Confidence", "0.92"),
];

fn form() -> Vec<(String, String)> {
    HEARD
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Registers `calls` sessions as a runner does.
async fn register(
    redis: &mut redis::aio::MultiplexedConnection,
    keys: &Keys,
    calls: usize,
    public: &str,
) -> Arc<Vec<Session>> {
    let voice = CallerVoice::from_caps(&Default::default());
    let voice = serde_json::to_string(&voice).expect("voice");
    let mut sessions = Vec::new();
    for n in 0..calls {
        let id = format!("TSbench{calls}x{n}");
        let fields = [
            ("runner", RUNNER),
            ("account", ACCOUNT),
            ("voice", voice.as_str()),
            ("url_params", ""),
        ];
        let _: () = redis
            .hset_multiple(keys.session(&id), &fields)
            .await
            .expect("HSET");
        let _: () = redis.expire(keys.session(&id), 600).await.expect("EXPIRE");
        let url = format!("{public}twilio-ivr/next?cs={id}");
        let signature = signature::compute(TOKEN, &url, &form());
        sessions.push(Session { id, url, signature });
    }
    Arc::new(sessions)
}

fn decision() -> String {
    serde_json::to_string(&Turn {
        actions: vec![Action::Say("I would like to check my balance".into())],
        hints: vec!["balance".into()],
    })
    .expect("json")
}

/// Every call runs `turns` webhooks, one after another; returns each webhook's latency.
async fn level(
    http: &reqwest::Client,
    keys: &Keys,
    sessions: &Arc<Vec<Session>>,
    turns: usize,
    mode: &Mode,
    redis: &redis::aio::MultiplexedConnection,
) -> Vec<Duration> {
    let (live, pause) = (mode.live, mode.pause);
    let body = serde_urlencoded::to_string(form()).expect("form");
    let mut tasks = Vec::new();
    for index in 0..sessions.len() {
        let (http, sessions, body) = (http.clone(), sessions.clone(), body.clone());
        let (mut redis, keys) = (redis.clone(), keys.clone());
        tasks.push(tokio::spawn(async move {
            let session = &sessions[index];
            let mut latencies = Vec::with_capacity(turns);
            let mut rng = SmallRng::seed_from_u64(index as u64);
            for _ in 0..turns {
                if !pause.is_zero() {
                    let max = pause.as_micros() as u64 * 2;
                    tokio::time::sleep(Duration::from_micros(rng.random_range(0..max))).await;
                }
                if !live {
                    let _: () = redis
                        .rpush(keys.decisions(&session.id), decision())
                        .await
                        .expect("RPUSH");
                }
                let started = Instant::now();
                let response = http
                    .post(&session.url)
                    .header("X-Twilio-Signature", &session.signature)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("post");
                let text = response.text().await.expect("body");
                latencies.push(started.elapsed());
                assert!(text.contains("<Say"), "{text}");
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("call"));
    }
    all
}

/// The simulated runner: reads its stream with `XREAD BLOCK` on a connection of its own (a
/// blocking command must not hold up others), and in live mode answers every event at once.
async fn run_runner(client: redis::Client, keys: Keys) {
    let config = redis::AsyncConnectionConfig::new().set_response_timeout(None);
    let mut reader = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .expect("reader");
    let mut writer = client
        .get_multiplexed_async_connection()
        .await
        .expect("writer");
    let inbox = keys.inbox(RUNNER);
    let mut last = "$".to_string();
    loop {
        let reply: Option<redis::streams::StreamReadReply> = redis::cmd("XREAD")
            .arg("BLOCK")
            .arg(1000)
            .arg("COUNT")
            .arg(1000)
            .arg("STREAMS")
            .arg(&inbox)
            .arg(&last)
            .query_async(&mut reader)
            .await
            .expect("XREAD");
        let Some(reply) = reply else { continue };
        let mut pipe = redis::pipe();
        for key in reply.keys {
            for entry in key.ids {
                last = entry.id.clone();
                let Some(session) = entry.get::<String>("session") else {
                    continue;
                };
                if !LIVE.load(std::sync::atomic::Ordering::Relaxed) {
                    continue;
                }
                pipe.rpush(keys.decisions(&session), decision()).ignore();
                pipe.publish(keys.decided_channel(), &session).ignore();
            }
        }
        if LIVE.load(std::sync::atomic::Ordering::Relaxed) {
            let _: () = pipe.query_async(&mut writer).await.expect("decide");
        }
    }
}

/// Whether the runner answers (live mode) or the bench pushes decisions ahead (ready mode).
static LIVE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);
