//! What the proxy tests share: an in-process proxy on a real Redis, the runner's side of the
//! protocol played by hand with Redis commands, and signed webhooks.

use std::time::{Duration, Instant};

use ivr_test::config::{Secret, TwilioCaps};
use ivr_test::proxy::config::{Accounts, ProxyConfig};
use ivr_test::proxy::log::ProxyLog;
use ivr_test::proxy::server::{start, RunningProxy};
use ivr_test::relay::keys::Keys;
use ivr_test::relay::message::{InboxEntry, SessionRecord};
use ivr_test::turn::answer::CallerVoice;
use ivr_test::turn::{Action, Turn};
use redis::AsyncCommands;
use twilio_wire::signature;

use super::emulator::{ACCOUNT, IVR, TOKEN};
use super::redis::RedisServer;
use super::run::{botium_json_with, merged};

pub const AC1: &str = "AC11111111111111111111111111111111";
pub const AC2: &str = "AC22222222222222222222222222222222";
pub const TOKEN1: &str = "token-of-account-one";
pub const TOKEN2: &str = "token-of-account-two";
pub const BASE: &str = "it";

/// A proxy serving both accounts on `redis_url`, with this hold limit.
pub async fn proxy(redis_url: &str, hold: Duration) -> (RunningProxy, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let public_url = format!("http://{}/", listener.local_addr().expect("addr"));
    let config = ProxyConfig {
        port: 0,
        host: [127, 0, 0, 1].into(),
        redis_url: Secret::new(redis_url),
        public_url: public_url.clone(),
        endpoint: "/".into(),
        topic_base: BASE.into(),
        hold,
        accounts: Accounts::new([
            (AC1.to_string(), Secret::new(TOKEN1)),
            (AC2.to_string(), Secret::new(TOKEN2)),
        ]),
    };
    let proxy = start(listener, &config, ProxyLog::default())
        .await
        .expect("proxy starts");
    (proxy, public_url)
}

/// The runner's side of the protocol, by hand.
pub struct Runner {
    pub id: String,
    pub keys: Keys,
    pub redis: redis::aio::MultiplexedConnection,
}

impl Runner {
    pub async fn new(server: &RedisServer, id: &str) -> Runner {
        let redis = server
            .client()
            .get_multiplexed_async_connection()
            .await
            .expect("runner connects");
        let mut runner = Runner {
            id: id.into(),
            keys: Keys::new(BASE),
            redis,
        };
        // As a runner does when it connects; a minute old, so a missing session is a finished
        // call, not one still being registered again after a restart.
        let minute_ago = chrono::Utc::now().timestamp_millis() - 60_000;
        let _: () = redis::cmd("SET")
            .arg(runner.keys.epoch())
            .arg(minute_ago)
            .arg("NX")
            .query_async(&mut runner.redis)
            .await
            .expect("epoch");
        runner
    }

    /// Registers a session of `account` (HSET + EXPIRE), as the runner does before dialling.
    pub async fn register(&mut self, session: &str, account: &str) {
        let mut voice = CallerVoice::from_caps(&TwilioCaps::default());
        voice.language = "de-DE".into();
        voice.hints = vec!["registered".into()];
        let record = SessionRecord {
            runner: self.id.clone(),
            account: account.into(),
            voice,
            url_params: Some("APIKEY=k%201".into()),
        };
        let key = self.keys.session(session);
        let _: () = self
            .redis
            .hset_multiple(&key, &record.to_fields())
            .await
            .expect("HSET");
        let _: () = self.redis.expire(&key, 600).await.expect("EXPIRE");
    }

    /// Pushes a decision and wakes the proxies.
    pub async fn decide(&mut self, session: &str, actions: Vec<Action>, hints: &[&str]) {
        let turn = Turn {
            actions,
            hints: hints.iter().map(|h| h.to_string()).collect(),
        };
        let json = serde_json::to_string(&turn).expect("json");
        let _: () = self
            .redis
            .rpush(self.keys.decisions(session), json)
            .await
            .expect("RPUSH");
        let _: () = self
            .redis
            .publish(self.keys.decided_channel(), session)
            .await
            .expect("PUBLISH");
    }

    /// Every event in the runner's stream, in order.
    pub async fn events(&mut self) -> Vec<InboxEntry> {
        let reply: redis::streams::StreamRangeReply = self
            .redis
            .xrange_all(self.keys.inbox(&self.id))
            .await
            .expect("XRANGE");
        reply
            .ids
            .iter()
            .map(|entry| {
                let field = |name: &str| -> String {
                    entry.get(name).unwrap_or_else(|| panic!("field {name}"))
                };
                InboxEntry::from_fields(&field("session"), &field("event")).expect("an event")
            })
            .collect()
    }

    /// Waits (at most 5 s) until the stream holds `n` events.
    pub async fn wait_events(&mut self, n: usize) -> Vec<InboxEntry> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let events = self.events().await;
            if events.len() >= n || Instant::now() > deadline {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// The proxy's hold limit as a clock, so a test can say "before the hold ran out" without
/// reading the time: a webhook of a session nobody decides for, which the proxy answers only
/// when its hold ends. Its events go to a runner of its own, out of the test's way.
pub struct HoldClock {
    held: tokio::task::JoinHandle<(u16, String)>,
}

impl HoldClock {
    /// Starts the clock's webhook on the proxy at `public` and returns once it is being held.
    pub async fn start(server: &RedisServer, public: &str) -> HoldClock {
        // A runner and session of its own for each clock.
        static CLOCKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = CLOCKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut witness = Runner::new(server, &format!("RCLOCK{n}")).await;
        witness.register(&format!("TSCLOCK{n}"), AC1).await;
        let url = format!("{public}twilio-ivr/start?cs=TSCLOCK{n}");
        let held = tokio::spawn(async move { post(&url, Some(TOKEN1), &params(AC1, &[])).await });
        assert_eq!(
            witness.wait_events(1).await.len(),
            1,
            "the clock's webhook arrived"
        );
        HoldClock { held }
    }

    /// What `answer` gives, which must come before the clock's hold ends.
    pub async fn before_it_runs_out<T>(
        mut self,
        answer: impl std::future::Future<Output = T>,
    ) -> T {
        tokio::select! {
            biased;
            out = answer => out,
            _ = &mut self.held => panic!("held until the hold ran out"),
        }
    }

    /// Awaits the end of the clock's hold, and then what `answer` gives: it must not have come
    /// earlier.
    pub async fn after_it_runs_out<T>(mut self, answer: impl std::future::Future<Output = T>) -> T {
        tokio::pin!(answer);
        tokio::select! {
            biased;
            _ = &mut self.held => {}
            _ = &mut answer => panic!("answered before the hold ran out"),
        }
        answer.await
    }
}

/// The parameters Twilio posts for `call` of `account`, plus `extra`.
pub fn params(account: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut params = vec![
        ("AccountSid".to_string(), account.to_string()),
        (
            "CallSid".to_string(),
            "CA0000000000000000000000000000000a".to_string(),
        ),
        ("CallStatus".to_string(), "in-progress".to_string()),
    ];
    params.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    params
}

/// Posts a webhook to `url` signed with `token` (`None`: no signature header).
pub async fn post(url: &str, token: Option<&str>, params: &[(String, String)]) -> (u16, String) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(params).expect("form"));
    if let Some(token) = token {
        request = request.header("X-Twilio-Signature", signature::compute(token, url, params));
    }
    let response = request.send().await.expect("post");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// The `action` URL of the answer's `<Gather>` (XML-unescaped).
pub fn gather_action(twiml: &str) -> String {
    let start = twiml.find("<Gather").expect("a Gather");
    let rest = &twiml[start..];
    let at = rest.find(" action=\"").expect("an action") + " action=\"".len();
    let end = rest[at..].find('"').expect("closing quote");
    rest[at..at + end].replace("&amp;", "&")
}

// `ivr-test run` behind a proxy: the emulator's account served by an in-process proxy.

/// The topic base of runs behind an in-process proxy.
pub const TOPIC: &str = "e2e";

/// A proxy for the emulator's account on `redis_url`, bound to `listener`, that Twilio reaches
/// at `public_url`.
pub async fn proxy_at(
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
    start(
        listener,
        &config,
        ProxyLog::new(|l| eprintln!("[proxy] {l}")),
    )
    .await
    .expect("proxy starts")
}

pub async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    (listener, url)
}

/// The runner's capabilities: calls through the emulator's API, webhooks through the proxy at
/// `public_url` and Redis at `redis_url`.
pub fn behind_proxy(
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
