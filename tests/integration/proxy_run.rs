//! `ivr-test run` behind the Redis proxy, end to end: the real runner binary, a real
//! `redis-server`, proxies in-process, the emulator standing in for Twilio, and a TwiML IVR.

use std::time::Duration;

use ivr_test::proxy::server::RunningProxy;

use crate::harness::balancer::Balancer;
use crate::harness::emulator::{emulator, ivr_at, ACCOUNT, IVR, TOKEN};
use crate::harness::proxy::{behind_proxy, bind, proxy_at, TOPIC};
use crate::harness::redis::{RedisOptions, RedisServer};
use crate::harness::run::{acme_ivr, json_report, passed, project, run};

const KEYPAD: &str =
    "keypad\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 2\n\n#bot\nYour balance is 42 dollars\n";
const SPEECH: &str =
    "speech\n\n#bot\npress one for sales\n\n#me\nsales please\n\n#bot\nConnecting you to sales\n";

/// What most tests here start with: Redis, the emulator answering with `ivr`, and one proxy in
/// front of the runners.
struct Stage {
    redis: RedisServer,
    ivr: crate::harness::twiml_app::TwimlApp,
    emulator: twilio_emulator::server::RunningEmulator,
    /// `None` only while a test restarts it.
    proxy: Option<RunningProxy>,
    proxy_address: std::net::SocketAddr,
    public_url: String,
}

impl Stage {
    /// `None` when Redis is not installed (and not required).
    async fn start(
        test: &str,
        options: RedisOptions,
        ivr: crate::harness::twiml_app::TwimlApp,
    ) -> Option<Stage> {
        let redis = RedisServer::start(test, options)?;
        let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
        let (listener, public_url) = bind().await;
        let proxy_address = listener.local_addr().expect("addr");
        let proxy = proxy_at(listener, &redis.url(), &public_url).await;
        Some(Stage {
            redis,
            ivr,
            emulator,
            proxy: Some(proxy),
            proxy_address,
            public_url,
        })
    }

    /// The runner's `botium.json`, plus `extra` capabilities.
    fn botium_json(&self, extra: serde_json::Value) -> String {
        behind_proxy(
            &self.emulator.base_url,
            &self.public_url,
            &self.redis.url(),
            extra,
        )
    }

    /// Asserts that no call is left live, and stops the proxy.
    async fn finish(self) {
        for _ in 0..200 {
            if self.emulator.live_calls() == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(self.emulator.live_calls(), 0, "every call ended");
        if let Some(proxy) = self.proxy {
            proxy.stop().await;
        }
    }
}

#[tokio::test]
async fn two_runners_share_one_redis_and_one_proxy() {
    // Catches: events or decisions of one runner's calls reaching the other (they would hang or
    // fail), a runner that cannot work behind the proxy at all, and a suite that needs the
    // in-process webhook to pass.
    let test = "two_runners_share_one_redis_and_one_proxy";
    let Some(stage) = Stage::start(test, RedisOptions::default(), acme_ivr().await).await else {
        return;
    };
    let caps = stage.botium_json(serde_json::json!({}));
    let first = project(&caps, &[("a1", KEYPAD), ("a2", SPEECH)]);
    let second = project(&caps, &[("b1", SPEECH), ("b2", KEYPAD)]);
    let args = ["run", "convos", "--parallel", "2", "--json", "report.json"];
    let (out1, out2) = tokio::join!(run(&first, &args), run(&second, &args));
    passed(&out1, &first, &["keypad", "speech"]);
    passed(&out2, &second, &["keypad", "speech"]);
    assert_eq!(
        stage.ivr.received_at("/menu").len(),
        4,
        "four calls reached the menu"
    );
    stage.finish().await;
}

#[tokio::test]
async fn answers_go_out_on_the_offer_behind_the_proxy() {
    // Interim results reach the runner through the proxy and Redis; the runner then redirects
    // its own call leg through the REST API with TwiML whose callbacks go to the proxy.
    // Catches: interim results lost on the way, a redirect whose `<Gather>` reports to the
    // runner's own (unreachable) webhook, and the key lost to a stale turn.
    let test = "answers_go_out_on_the_offer_behind_the_proxy";
    let Some(stage) = Stage::start(test, RedisOptions::default(), acme_ivr().await).await else {
        return;
    };
    let caps = stage.botium_json(serde_json::json!({}));
    let offer =
        "offer\n\n#bot\nWelcome to Acme\n\n#me\nBUTTON 2\n\n#bot\nYour balance is 42 dollars\n";
    let project = project(&caps, &[("offer", offer)]);
    let out = run(&project, &["run", "convos", "--json", "report.json"]).await;
    passed(&out, &project, &["offer"]);
    let report = json_report(&project, "report.json");
    let answered = report["tests"][0]["transcript"]
        .as_array()
        .expect("transcript")
        .iter()
        .filter_map(|e| e["text"].as_str())
        .any(|t| t.starts_with("answered on offer \"2 for"));
    assert!(answered, "{report}");
    assert_eq!(
        stage.ivr.received_at("/menu")[0].param("Digits"),
        "2",
        "the key reached the IVR's menu"
    );
    stage.finish().await;
}

#[tokio::test]
async fn webhooks_of_one_call_alternate_between_two_proxies() {
    // Catches: call state kept in a proxy's memory (the other proxy would not know it), and a
    // decision taken by one proxy but answered by the other.
    let Some(redis) = RedisServer::start(
        "webhooks_of_one_call_alternate_between_two_proxies",
        RedisOptions::default(),
    ) else {
        return;
    };
    let ivr = acme_ivr().await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let (listener_a, url_a) = bind().await;
    let (listener_b, url_b) = bind().await;
    let balancer = Balancer::start(vec![url_a, url_b]).await;
    let proxy_a = proxy_at(listener_a, &redis.url(), &balancer.base_url).await;
    let proxy_b = proxy_at(listener_b, &redis.url(), &balancer.base_url).await;
    let caps = behind_proxy(
        &emulator.base_url,
        &balancer.base_url,
        &redis.url(),
        serde_json::json!({}),
    );
    let project = project(&caps, &[("a", KEYPAD), ("b", SPEECH)]);
    let out = run(&project, &["run", "convos", "--json", "report.json"]).await;
    passed(&out, &project, &["keypad", "speech"]);
    let served = balancer.served();
    assert!(
        served.iter().all(|n| *n >= 3),
        "both proxies answered webhooks: {served:?}"
    );
    assert_eq!(emulator.live_calls(), 0);
    proxy_a.stop().await;
    proxy_b.stop().await;
}

/// An IVR whose menu waits a while before it speaks: time for a fault in the middle of a call.
/// Its greeting is long enough (about 250 ms here) to be heard even when the first webhook is
/// slow on a loaded machine (the emulator runs 20 times faster than a real call). Its pause
/// (2.5 s here) outlasts a fault and the runner's reconnection, so the menu is spoken once the
/// caller listens again: audio spoken while a webhook waits for a decision is lost on Twilio too.
async fn slow_ivr() -> crate::harness::twiml_app::TwimlApp {
    crate::harness::twiml_app::TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Say>Welcome to Acme, the home of fine widgets and gadgets since 1949.</Say><Pause length="50"/><Gather input="dtmf" action="/menu" numDigits="1" timeout="10"><Say>Press two for your balance.</Say></Gather></Response>"#,
        )
        .twiml(
            "/menu",
            r#"<Response><Say>Your balance is 42 dollars.</Say><Pause length="10"/><Hangup/></Response>"#,
        )
        .start()
        .await
}

const SLOW: &str = "slow\n\n#bot\nWelcome to Acme*\n\n#bot\nPress two*\n\n#me\nBUTTON 2\n\n#bot\nYour balance is 42 dollars\n";

/// Waits (bounded) until the IVR has answered a call (fetched its first TwiML).
async fn until_the_ivr_answered(ivr: &crate::harness::twiml_app::TwimlApp) {
    for _ in 0..500 {
        if !ivr.received_at("/voice").is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the IVR answered no call");
}

/// Waits (bounded) until the emulator has a call in progress.
async fn until_a_call_is_live(emulator: &twilio_emulator::server::RunningEmulator) {
    for _ in 0..500 {
        if emulator.live_calls() > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no call went live");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_in_the_middle_of_a_suite_loses_no_turn() {
    // Redis restarts (with its append-only file, as a production Redis keeps its data) while a
    // call is live. Catches: a runner or proxy that does not reconnect by itself, and a turn lost
    // during the outage (webhooks then are answered with a listening Gather carrying their
    // events).
    let options = RedisOptions {
        persistent: true,
        ..RedisOptions::default()
    };
    let test = "a_redis_restart_in_the_middle_of_a_suite_loses_no_turn";
    let Some(mut stage) = Stage::start(test, options, slow_ivr().await).await else {
        return;
    };
    let cases: Vec<(String, String)> = (1..=3)
        .map(|i| (format!("c{i}"), SLOW.replace("slow", &format!("slow {i}"))))
        .collect();
    let refs: Vec<(&str, &str)> = cases
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let project = project(&stage.botium_json(serde_json::json!({})), &refs);
    let running = run(&project, &["run", "convos", "--json", "report.json"]);
    let (ivr, redis) = (&stage.ivr, &mut stage.redis);
    let fault = async {
        // During the IVR's pause after its greeting: a restart takes a few hundred ms, in which
        // the caller cannot listen (20 times longer in the emulator's time).
        until_the_ivr_answered(ivr).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        redis.stop();
        // Down long enough for webhooks to arrive meanwhile (the caller listens in 250 ms turns).
        tokio::time::sleep(Duration::from_millis(400)).await;
        tokio::task::block_in_place(|| redis.restart());
    };
    let (out, ()) = tokio::join!(running, fault);
    passed(&out, &project, &["slow 1", "slow 2", "slow 3"]);
    assert_eq!(
        stage.ivr.received_at("/menu").len(),
        3,
        "every call's key reached the IVR"
    );
    stage.finish().await;
}

#[tokio::test]
async fn a_proxy_restart_mid_call_loses_nothing() {
    // The proxy stops and starts again on the same port while a call is live. Catches: call
    // state kept in the proxy, and webhooks of the call that never find their way back.
    let test = "a_proxy_restart_mid_call_loses_nothing";
    let Some(mut stage) = Stage::start(test, RedisOptions::default(), slow_ivr().await).await
    else {
        return;
    };
    let project = project(&stage.botium_json(serde_json::json!({})), &[("a", SLOW)]);
    let running = run(&project, &["run", "convos", "--json", "report.json"]);
    let restart = async {
        // In the IVR's pause after its greeting, between two webhooks of the call.
        until_the_ivr_answered(&stage.ivr).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Some(proxy) = stage.proxy.take() {
            proxy.stop().await;
        }
        let listener = tokio::net::TcpListener::bind(stage.proxy_address)
            .await
            .expect("the same port");
        stage.proxy = Some(proxy_at(listener, &stage.redis.url(), &stage.public_url).await);
    };
    let (out, ()) = tokio::join!(running, restart);
    passed(&out, &project, &["slow"]);
    assert_eq!(stage.ivr.received_at("/menu").len(), 1);
    stage.finish().await;
}

#[tokio::test]
async fn redis_gone_for_longer_than_the_limit_is_an_infrastructure_error() {
    // Catches: a runner that waits forever for a Redis that does not come back, or that calls
    // the IVR's silence a test failure (exit 1) instead of an infrastructure error (exit 3),
    // and a call left live.
    let test = "redis_gone_for_longer_than_the_limit_is_an_infrastructure_error";
    let Some(mut stage) = Stage::start(test, RedisOptions::default(), slow_ivr().await).await
    else {
        return;
    };
    let caps = stage.botium_json(
        serde_json::json!({"TWILIO_IVR_REDIS_OUTAGE_LIMIT": 1500, "WAITFORBOTTIMEOUT": 30000}),
    );
    let project = project(&caps, &[("a", SLOW)]);
    let running = run(&project, &["run", "convos", "--json", "report.json"]);
    let (emulator, redis) = (&stage.emulator, &mut stage.redis);
    let fault = async {
        until_a_call_is_live(emulator).await;
        redis.stop();
    };
    let (out, ()) = tokio::join!(running, fault);
    assert_eq!(out.code, Some(3), "{}", out.stderr);
    assert!(
        out.stderr.contains("lost the webhook proxy"),
        "{}",
        out.stderr
    );
    // Exit 3, not a step that timed out (exit 1 after WAITFORBOTTIMEOUT): the outage limit
    // ended the run first. The call was hung up through the REST API.
    stage.finish().await;
}

#[tokio::test]
async fn a_runner_that_dies_leaves_its_call_to_the_time_limit() {
    // The runner is killed (SIGKILL: no chance to hang up) in the middle of a call. Catches: a
    // call without a TimeLimit, which would stay live (and billed) for as long as the IVR talks.
    let test = "a_runner_that_dies_leaves_its_call_to_the_time_limit";
    // An IVR that never hangs up.
    let ivr = crate::harness::twiml_app::TwimlAppBuilder::new(TOKEN)
        .twiml("/voice", r#"<Response><Say>Please hold.</Say><Pause length="20"/><Redirect>/voice</Redirect></Response>"#)
        .start()
        .await;
    let Some(stage) = Stage::start(test, RedisOptions::default(), ivr).await else {
        return;
    };
    // 60 s of call time: 3 s here, the emulator runs 20 times faster.
    let caps = stage
        .botium_json(serde_json::json!({"TWILIO_IVR_TIME_LIMIT": 60, "WAITFORBOTTIMEOUT": 600000}));
    let project = project(
        &caps,
        &[(
            "a",
            "waits\n\n#bot\nPlease hold\n\n#bot\nAn agent answers\n",
        )],
    );
    let mut runner = std::process::Command::new(env!("CARGO_BIN_EXE_ivr-test"))
        .args(["run", "convos"])
        .current_dir(project.path())
        .env_clear()
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    until_a_call_is_live(&stage.emulator).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    runner.kill().expect("kill");
    let _ = runner.wait();
    assert_eq!(
        stage.emulator.live_calls(),
        1,
        "the call outlives its runner"
    );
    // Then its TimeLimit ends it.
    stage.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runner_and_proxy_reach_a_tls_redis_with_a_password() {
    // Both binaries, each trusting the Redis server's private CA through SSL_CERT_FILE as an
    // operator would. Catches: a runner that cannot use `rediss://` or a password, and the
    // password shown in any output.
    const PASSWORD: &str = "s3cret-redis-pass";
    let options = RedisOptions {
        password: Some(PASSWORD.into()),
        tls: true,
        ..RedisOptions::default()
    };
    let Some(redis) = RedisServer::start(
        "runner_and_proxy_reach_a_tls_redis_with_a_password",
        options,
    ) else {
        return;
    };
    let ivr = acme_ivr().await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let ca = redis.ca();
    let mut proxy = crate::proxy_cli::ProxyProcess::start_for(
        &redis.url(),
        (ACCOUNT, TOKEN, TOPIC),
        &[("SSL_CERT_FILE", &ca)],
    );
    let public_url = proxy.public_url.trim_end_matches('/').to_string();
    let caps = behind_proxy(
        &emulator.base_url,
        &public_url,
        &redis.url(),
        serde_json::json!({}),
    );
    let project = project(&caps, &[("a", KEYPAD)]).env("SSL_CERT_FILE", &ca.to_string_lossy());
    let out = tokio::task::spawn_blocking(move || {
        let out = project.run(&["run", "convos", "--json", "report.json"]);
        (out, project)
    })
    .await
    .expect("run");
    let (out, project) = out;
    passed(&out, &project, &["keypad"]);
    assert!(!out.stderr.contains(PASSWORD), "{}", out.stderr);
    assert_eq!(tokio::task::block_in_place(|| proxy.terminate()), Some(0));
    assert!(!proxy.stderr().contains(PASSWORD));
    assert_eq!(emulator.live_calls(), 0);
}
