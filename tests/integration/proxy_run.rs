//! `ivr-test run` behind the Redis proxy, end to end: the real runner binary, a real
//! `redis-server`, proxies in-process, the emulator standing in for Twilio, and a TwiML IVR.

use std::time::Duration;

use ivr_test::config::Secret;
use ivr_test::proxy::config::{Accounts, ProxyConfig};
use ivr_test::proxy::log::ProxyLog;
use ivr_test::proxy::server::{start, RunningProxy};

use crate::balancer::Balancer;
use crate::emulator::{emulator, ivr_at, IVR, TOKEN};
use crate::harness::{Output, Project};
use crate::redis::{RedisOptions, RedisServer};
use crate::run::{acme_ivr, botium_json_with, merged, run, ACCOUNT};

const TOPIC: &str = "e2e";

/// A proxy for the emulator's account on `redis_url`, bound to `listener`, that Twilio reaches
/// at `public_url`.
async fn proxy_at(
    listener: tokio::net::TcpListener,
    redis_url: &str,
    public_url: &str,
) -> RunningProxy {
    let config = ProxyConfig {
        port: 0,
        host: [127, 0, 0, 1].into(),
        redis_url: Secret::new(redis_url),
        public_url: format!("{public_url}/"),
        endpoint: "/".into(),
        topic_base: TOPIC.into(),
        hold: Duration::from_secs(5),
        accounts: Accounts::new([(ACCOUNT.to_string(), Secret::new(TOKEN))]),
    };
    start(listener, &config, ProxyLog::default())
        .await
        .expect("proxy starts")
}

async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    (listener, url)
}

/// The runner's capabilities: calls through the emulator's API, webhooks through the proxy at
/// `public_url` and Redis at `redis_url`.
fn behind_proxy(
    api_url: &str,
    public_url: &str,
    redis_url: &str,
    extra: serde_json::Value,
) -> String {
    let caps = serde_json::json!({
        "TWILIO_IVR_ACCOUNT_SID": ACCOUNT, "TWILIO_IVR_AUTH_TOKEN": TOKEN,
        "TWILIO_IVR_API_URL": api_url,
        "TWILIO_IVR_PUBLICURL": format!("{public_url}/"),
        "TWILIO_IVR_REDISURL": redis_url,
        "TWILIO_IVR_REDIS_TOPICBASE": TOPIC
    });
    botium_json_with(IVR, merged(caps, extra))
}

const KEYPAD: &str =
    "keypad\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 2\n\n#bot\nYour balance is 42 dollars\n";
const SPEECH: &str =
    "speech\n\n#bot\npress one for sales\n\n#me\nsales please\n\n#bot\nConnecting you to sales\n";

fn project(botium_json: &str, cases: &[(&str, &str)]) -> Project {
    cases.iter().fold(
        Project::new().file("botium.json", botium_json),
        |project, (name, text)| project.file(&format!("convos/{name}.convo.txt"), text),
    )
}

fn verdicts(project: &Project) -> Vec<(String, String)> {
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project.path().join("report.json")).expect("report"),
    )
    .expect("json");
    report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap_or("").to_string(),
                t["verdict"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn passed(out: &Output, project: &Project, names: &[&str]) {
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let expected: Vec<(String, String)> = names
        .iter()
        .map(|n| (n.to_string(), "passed".to_string()))
        .collect();
    assert_eq!(verdicts(project), expected, "{}", out.stderr);
}

#[tokio::test]
async fn two_runners_share_one_redis_and_one_proxy() {
    // Catches: events or decisions of one runner's calls reaching the other (they would hang or
    // fail), a runner that cannot work behind the proxy at all, and a suite that needs the
    // in-process webhook to pass.
    let Some(redis) = RedisServer::start(
        "two_runners_share_one_redis_and_one_proxy",
        RedisOptions::default(),
    ) else {
        return;
    };
    let ivr = acme_ivr().await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let (listener, public_url) = bind().await;
    let proxy = proxy_at(listener, &redis.url(), &public_url).await;
    let caps = behind_proxy(
        &emulator.base_url,
        &public_url,
        &redis.url(),
        serde_json::json!({}),
    );
    let first = project(&caps, &[("a1", KEYPAD), ("a2", SPEECH)]);
    let second = project(&caps, &[("b1", SPEECH), ("b2", KEYPAD)]);
    let args = ["run", "convos", "--parallel", "2", "--json", "report.json"];
    let (out1, out2) = tokio::join!(run(&first, &args), run(&second, &args));
    passed(&out1, &first, &["keypad", "speech"]);
    passed(&out2, &second, &["keypad", "speech"]);
    assert_eq!(
        ivr.received_at("/menu").len(),
        4,
        "four calls reached the menu"
    );
    assert_eq!(emulator.live_calls(), 0, "every call was hung up");
    proxy.stop().await;
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
