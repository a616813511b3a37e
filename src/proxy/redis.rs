//! The proxy's two Redis connections. Commands go over one multiplexed
//! [`ConnectionManager`], which reconnects by itself; no command on it ever blocks (no `BLPOP`,
//! no `XREAD BLOCK`), so one slow webhook cannot stall the others. Waiting for a decision is a
//! `SUBSCRIBE` to `<base>:decided` on a second, dedicated connection, which feeds the in-memory
//! [`Waiters`]; that task reconnects by itself too, and wakes every waiter when it comes back
//! (notifications sent while it was away are lost, the decision lists are not).

use std::collections::HashMap;
use std::time::Duration;

use backon::Retryable;
use futures_util::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, RedisError};

use super::log::ProxyLog;
use super::waiters::Waiters;
use crate::relay::keys::Keys;
use crate::relay::message::{InboxEntry, SessionRecord};
use crate::retry;
use crate::turn::{CallEvent, Turn};

/// How long one connection attempt may take (loopback or LAN: a healthy Redis takes a few ms).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// How long one command may take: Redis answers in microseconds, and a webhook that waits
/// longer than this for Redis had better keep the call alive with a listening `<Gather>`.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(800);
/// The bound on each Redis step of a webhook, a reconnect in progress and the retry included.
/// A webhook makes at most two steps before its hold and one after it: with the 12 s cap on the
/// hold, the answer always beats Twilio's 15 s.
pub const STEP_BUDGET: Duration = Duration::from_millis(1000);
/// The event stream is capped (approximately) at this many entries.
const STREAM_MAXLEN: usize = 10_000;
/// The event stream expires this long after its last event (refreshed by the runner too).
const STREAM_TTL_SECONDS: i64 = 3600;
/// At most this many decisions are taken by one webhook.
const TAKE_AT_MOST: usize = 1000;

/// Why a Redis step failed.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Redis answered with an error or the connection failed.
    #[error("redis: {0}")]
    Redis(#[from] RedisError),
    /// No answer within the step budget.
    #[error("redis: no answer within {0:?}")]
    Timeout(Duration),
    /// Redis holds no registration for the session and has lost (or only just regained) its
    /// registrations: it restarted empty, and the runners have not registered again yet.
    #[error("redis: registrations not restored yet after a restart")]
    Forgotten,
}

/// How long after the registrations' epoch a missing session may still be one a runner is
/// about to register again (runners reconnect within about a second).
const REGISTRATION_GRACE_MS: i64 = 10_000;

/// The command connection, the keys, and the waiters fed by the subscription.
#[derive(Clone)]
pub struct RedisLink {
    commands: ConnectionManager,
    keys: Keys,
    /// The webhooks waiting for a decision.
    pub waiters: Waiters,
}

impl RedisLink {
    /// Connects lazily: a Redis that is down at start is reached when it comes up, and the
    /// subscription task retries until then. Fails only on a URL the client cannot use.
    pub fn open(
        url: &str,
        keys: Keys,
        log: ProxyLog,
    ) -> Result<(RedisLink, tokio::task::JoinHandle<()>), RedisError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            // A reconnect gives up quickly; the next command starts another one.
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(250));
        let commands = ConnectionManager::new_lazy_with_config(client.clone(), config)?;
        let waiters = Waiters::default();
        let subscriber = tokio::spawn(subscribe(
            client,
            keys.decided_channel(),
            waiters.clone(),
            log,
        ));
        Ok((
            RedisLink {
                commands,
                keys,
                waiters,
            },
            subscriber,
        ))
    }

    /// The key names.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Runs one step within [`STEP_BUDGET`]; a connection error is retried once, because the
    /// first command after a Redis restart meets the old, dead connection.
    async fn step<T, F, Fut>(&self, what: F) -> Result<T, LinkError>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = Result<T, RedisError>>,
    {
        let attempt = (|| what(self.commands.clone()))
            .retry(retry::REDIS_STALE_CONNECTION)
            .when(|e: &RedisError| e.is_unrecoverable_error() || e.is_io_error());
        match tokio::time::timeout(STEP_BUDGET, attempt).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(LinkError::Timeout(STEP_BUDGET)),
        }
    }

    /// The session's registration; `None` when it is missing (or malformed), and
    /// [`LinkError::Forgotten`] when it may be missing only because Redis restarted empty.
    pub async fn session(&self, session: &str) -> Result<Option<SessionRecord>, LinkError> {
        let key = self.keys.session(session);
        let fields: HashMap<String, String> = self
            .step(|mut c| {
                let key = key.clone();
                async move { c.hgetall(key).await }
            })
            .await?;
        if fields.is_empty() {
            let epoch = self.keys.epoch();
            let began: Option<i64> = self
                .step(|mut c| {
                    let epoch = epoch.clone();
                    async move { c.get(epoch).await }
                })
                .await?;
            let now = chrono::Utc::now().timestamp_millis();
            if began.is_none_or(|began| now - began < REGISTRATION_GRACE_MS) {
                return Err(LinkError::Forgotten);
            }
        }
        Ok(SessionRecord::from_fields(&fields))
    }

    /// Appends events to the runner's stream in one transaction (all or none, in order) and
    /// renews the stream's expiry.
    pub async fn append(
        &self,
        runner: &str,
        session: &str,
        events: &[CallEvent],
    ) -> Result<(), LinkError> {
        if events.is_empty() {
            return Ok(());
        }
        let key = self.keys.inbox(runner);
        let mut pipe = redis::pipe();
        pipe.atomic();
        for event in events {
            let entry = InboxEntry {
                session: session.to_string(),
                event: event.clone(),
            };
            pipe.cmd("XADD")
                .arg(&key)
                .arg("MAXLEN")
                .arg("~")
                .arg(STREAM_MAXLEN)
                .arg("*")
                .arg(entry.to_fields())
                .ignore();
        }
        pipe.expire(&key, STREAM_TTL_SECONDS).ignore();
        self.step(|mut c| {
            let pipe = pipe.clone();
            async move { pipe.query_async::<()>(&mut c).await }
        })
        .await
    }

    /// Takes every decision of the session (one atomic `LPOP`), oldest first. A malformed entry
    /// is skipped (it is the runner's bug, and must not wedge the call).
    pub async fn take(&self, session: &str) -> Result<Vec<Turn>, LinkError> {
        let key = self.keys.decisions(session);
        let taken: Option<Vec<String>> = self
            .step(|mut c| {
                let key = key.clone();
                async move {
                    redis::cmd("LPOP")
                        .arg(key)
                        .arg(TAKE_AT_MOST)
                        .query_async(&mut c)
                        .await
                }
            })
            .await?;
        Ok(taken
            .unwrap_or_default()
            .iter()
            .filter_map(|json| serde_json::from_str(json).ok())
            .collect())
    }

    /// Whether Redis answers a `PING` now.
    pub async fn ping(&self) -> bool {
        self.step(|mut c| async move { redis::cmd("PING").query_async::<String>(&mut c).await })
            .await
            .is_ok()
    }
}

/// The subscription task: `SUBSCRIBE <base>:decided`, wake the waiters of each session named,
/// and reconnect (pausing as [`retry::REDIS_OUTAGE`] says) whenever the connection ends. A `PING`
/// every few seconds finds a connection that died without closing.
async fn subscribe(client: redis::Client, channel: String, waiters: Waiters, log: ProxyLog) {
    let mut was_down = false;
    loop {
        let connect = || async {
            let connected = tokio::time::timeout(CONNECT_TIMEOUT, async {
                let mut pubsub = client.get_async_pubsub().await?;
                pubsub.subscribe(&channel).await?;
                Ok::<_, RedisError>(pubsub)
            })
            .await;
            connected.ok().and_then(Result::ok).ok_or(())
        };
        let connected = connect
            .retry(retry::REDIS_OUTAGE)
            .notify(|_, _| {
                if !was_down {
                    log.note("redis: subscription down; reconnecting");
                    was_down = true;
                }
            })
            .await;
        // The policy never gives up, so the subscription is there.
        let Ok(pubsub) = connected else { continue };
        if was_down {
            log.note("redis: subscription back");
        }
        // Notifications may have been missed while the connection was down or being set up.
        waiters.wake_all();
        let (mut sink, mut stream) = pubsub.split();
        let mut ping = tokio::time::interval(Duration::from_secs(5));
        ping.tick().await;
        loop {
            tokio::select! {
                message = stream.next() => match message {
                    Some(message) => {
                        if let Ok(session) = message.get_payload::<String>() {
                            waiters.wake(&session);
                        }
                    }
                    None => break,
                },
                _ = ping.tick() => {
                    let alive = tokio::time::timeout(RESPONSE_TIMEOUT, sink.ping::<redis::Value>()).await;
                    if !matches!(alive, Ok(Ok(_))) {
                        break;
                    }
                }
            }
        }
        log.note("redis: subscription lost; reconnecting");
        was_down = true;
        waiters.wake_all();
    }
}
