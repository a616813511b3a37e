//! The runner's end of the Redis protocol (`docs/proxy-protocol.md`): registers each session
//! before its call is placed, forwards the step engine's decisions, and reads the runner's event
//! stream into the local [`Sessions`], so the step engine works exactly as with the in-process
//! webhook.
//!
//! Outages: commands go through a [`ConnectionManager`], which reconnects by itself; the stream
//! is read from the last id seen, so nothing written meanwhile is missed; after an outage every
//! live session is registered again (a Redis that restarted empty forgets them). An outage longer
//! than the limit ends the live sessions with [`CallEvent::Lost`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backon::Retryable;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::streams::{StreamReadOptions, StreamReadReply};
use redis::AsyncCommands;

use super::keys::Keys;
use super::message::{InboxEntry, SessionRecord};
use crate::retry;
use crate::turn::{CallEvent, Sessions};
use twilio_wire::sid::new_sid;

/// How long a blocking read of the event stream waits before it looks around.
const READ_BLOCK: Duration = Duration::from_millis(1000);

/// What a runner needs to reach the proxy through Redis.
#[derive(Debug, Clone)]
pub struct RelayOptions {
    /// `TWILIO_IVR_REDISURL` (its password never leaves this struct).
    pub url: String,
    /// `TWILIO_IVR_REDIS_TOPICBASE`.
    pub topic_base: String,
    /// How long keys live after the last write (a call's `TimeLimit` and some).
    pub ttl: Duration,
    /// `TWILIO_IVR_REDIS_OUTAGE_LIMIT`.
    pub outage_limit: Duration,
}

/// Redis could not be used.
#[derive(Debug, thiserror::Error)]
#[error("Redis at TWILIO_IVR_REDISURL: {0}")]
pub struct RelayError(String);

impl From<redis::RedisError> for RelayError {
    fn from(e: redis::RedisError) -> Self {
        // The error text may quote the URL; keep only its kind and detail.
        RelayError(match e.detail() {
            Some(detail) => format!("{:?}: {detail}", e.kind()),
            None => format!("{:?}", e.kind()),
        })
    }
}

/// Tracks whether Redis answers, and since when it does not.
#[derive(Debug)]
struct Health {
    down_since: Mutex<Option<(Instant, String)>>,
    limit: Duration,
}

impl Health {
    fn up(&self) -> bool {
        let mut down = self.down_since.lock().unwrap_or_else(|p| p.into_inner());
        down.take().is_some()
    }

    fn down(&self, error: &RelayError) {
        let mut down = self.down_since.lock().unwrap_or_else(|p| p.into_inner());
        down.get_or_insert_with(|| (Instant::now(), error.0.clone()));
    }

    fn lost(&self) -> Option<String> {
        let down = self.down_since.lock().unwrap_or_else(|p| p.into_inner());
        let (since, error) = down.as_ref()?;
        (since.elapsed() >= self.limit).then(|| {
            format!(
                "lost the webhook proxy: Redis unreachable for {} s ({error})",
                since.elapsed().as_secs()
            )
        })
    }
}

/// A runner's link to the proxy.
pub struct RelayLink {
    keys: Keys,
    runner: String,
    commands: ConnectionManager,
    sessions: Sessions,
    /// Sessions registered and not yet over, for registering again after an outage.
    live: Arc<Mutex<HashMap<String, SessionRecord>>>,
    health: Arc<Health>,
    ttl_secs: i64,
    reader: tokio::task::JoinHandle<()>,
}

fn config(response_timeout: Duration) -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(response_timeout))
        .set_max_delay(Duration::from_secs(1))
}

impl RelayLink {
    /// Connects (failing at once when Redis cannot be reached: nothing is dialed then) and
    /// starts reading this runner's event stream into `sessions`.
    pub async fn connect(
        options: &RelayOptions,
        sessions: Sessions,
    ) -> Result<RelayLink, RelayError> {
        let client = redis::Client::open(options.url.as_str())?;
        let commands = client
            .get_connection_manager_with_config(config(Duration::from_secs(2)))
            .await?;
        // The blocking read gets its own connection: it would hold up every other command.
        let reading = client
            .get_connection_manager_with_config(config(READ_BLOCK + Duration::from_secs(2)))
            .await?;
        let keys = Keys::new(&options.topic_base);
        let runner = new_sid("RN");
        let health = Arc::new(Health {
            down_since: Mutex::new(None),
            limit: options.outage_limit,
        });
        let live = Arc::new(Mutex::new(HashMap::new()));
        mark_epoch(&mut commands.clone(), &keys).await?;
        let ttl_secs = i64::try_from(options.ttl.as_secs())
            .unwrap_or(i64::MAX)
            .max(60);
        let reader = tokio::spawn(read_events(EventReader {
            connection: reading,
            commands: commands.clone(),
            inbox: keys.inbox(&runner),
            keys: keys.clone(),
            sessions: sessions.clone(),
            live: live.clone(),
            health: health.clone(),
            ttl_secs,
        }));
        Ok(RelayLink {
            keys,
            runner,
            commands,
            sessions,
            live,
            health,
            ttl_secs,
            reader,
        })
    }

    /// This runner's id (its stream's name).
    pub fn runner(&self) -> &str {
        &self.runner
    }

    /// Why the link is lost, once Redis has been unreachable past the limit.
    pub fn lost(&self) -> Option<String> {
        self.health.lost()
    }

    /// Registers session `id` (before its call is placed) and forwards its decisions until the
    /// session closes. `record.runner` must be [`RelayLink::runner`].
    pub async fn register(&self, id: &str, record: SessionRecord) -> Result<(), RelayError> {
        let mut connection = self.commands.clone();
        write_session(&mut connection, &self.keys, id, &record, self.ttl_secs).await?;
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_string(), record);
        tokio::spawn(forward_decisions(
            self.commands.clone(),
            self.keys.clone(),
            self.sessions.clone(),
            self.health.clone(),
            id.to_string(),
            self.ttl_secs,
        ));
        Ok(())
    }

    /// Forgets session `id` (its test case is over): its webhooks now get `<Hangup/>`.
    pub async fn unregister(&self, id: &str) {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        let mut connection = self.commands.clone();
        let keys: [String; 2] = [self.keys.session(id), self.keys.decisions(id)];
        for key in keys {
            let _: Result<(), _> = connection.del(key).await;
        }
    }
}

impl Drop for RelayLink {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Marks when the registrations in this Redis began, unless a runner already did; the mark
/// lives a day after the last runner renewed it (every key expires).
async fn mark_epoch(connection: &mut ConnectionManager, keys: &Keys) -> Result<(), RelayError> {
    let now = chrono::Utc::now().timestamp_millis();
    redis::pipe()
        .cmd("SET")
        .arg(keys.epoch())
        .arg(now)
        .arg("NX")
        .ignore()
        .expire(keys.epoch(), EPOCH_TTL_SECS)
        .ignore()
        .query_async::<()>(connection)
        .await?;
    Ok(())
}

/// How long the registrations' epoch outlives the last runner.
const EPOCH_TTL_SECS: i64 = 24 * 3600;

async fn write_session(
    connection: &mut ConnectionManager,
    keys: &Keys,
    id: &str,
    record: &SessionRecord,
    ttl_secs: i64,
) -> Result<(), RelayError> {
    let key = keys.session(id);
    redis::pipe()
        .atomic()
        .hset_multiple(&key, &record.to_fields())
        .ignore()
        .expire(&key, ttl_secs)
        .ignore()
        .query_async::<()>(connection)
        .await?;
    Ok(())
}

/// Pushes each decision of session `id` to its list and wakes the proxies, retrying through an
/// outage until the link is lost.
async fn forward_decisions(
    connection: ConnectionManager,
    keys: Keys,
    sessions: Sessions,
    health: Arc<Health>,
    id: String,
    ttl_secs: i64,
) {
    let list = keys.decisions(&id);
    while let Some(turn) = sessions.decided(&id).await {
        let Ok(json) = serde_json::to_string(&turn) else {
            continue;
        };
        let mut pipe = redis::pipe();
        pipe.atomic()
            .rpush(&list, &json)
            .ignore()
            .expire(&list, ttl_secs)
            .ignore()
            .publish(keys.decided_channel(), &id)
            .ignore();
        let push = || {
            let (pipe, health, mut connection) = (&pipe, &health, connection.clone());
            async move {
                pipe.query_async::<()>(&mut connection)
                    .await
                    .map_err(|e| health.down(&RelayError::from(e)))
            }
        };
        let pushed = push
            .retry(retry::REDIS_OUTAGE)
            .when(|_| health.lost().is_none() && sessions.contains(&id))
            .await;
        if pushed.is_err() {
            return;
        }
    }
}

/// The reading side's state.
struct EventReader {
    connection: ConnectionManager,
    commands: ConnectionManager,
    inbox: String,
    keys: Keys,
    sessions: Sessions,
    live: Arc<Mutex<HashMap<String, SessionRecord>>>,
    health: Arc<Health>,
    ttl_secs: i64,
}

/// Reads the runner's stream from the last id seen, delivering each event to its session.
async fn read_events(mut reader: EventReader) {
    let mut last_id = "0".to_string();
    let options = StreamReadOptions::default()
        .block(READ_BLOCK.as_millis() as usize)
        .count(256);
    let mut refreshed = Instant::now() - Duration::from_secs(3600);
    loop {
        let read: Result<Option<StreamReadReply>, _> = reader
            .connection
            .xread_options(&[&reader.inbox], &[&last_id], &options)
            .await;
        match read {
            Ok(reply) => {
                if reader.health.up() {
                    reregister(&mut reader).await;
                }
                for entry in reply.into_iter().flat_map(|r| r.keys).flat_map(|k| k.ids) {
                    last_id = entry.id.clone();
                    let session: Option<String> = entry.get("session");
                    let event: Option<String> = entry.get("event");
                    if let Some(InboxEntry { session, event }) = session
                        .zip(event)
                        .and_then(|(s, e)| InboxEntry::from_fields(&s, &e))
                    {
                        reader.sessions.deliver(&session, event);
                    }
                }
                if refreshed.elapsed() > Duration::from_secs(30) {
                    let _: Result<(), _> = reader
                        .commands
                        .expire(&reader.inbox, reader.ttl_secs.max(3600))
                        .await;
                    let _ = mark_epoch(&mut reader.commands, &reader.keys).await;
                    refreshed = Instant::now();
                }
            }
            Err(e) => {
                reader.health.down(&RelayError::from(e));
                if let Some(reason) = reader.health.lost() {
                    end_live_sessions(&reader, &reason);
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// After an outage: Redis may have restarted empty, so every live session is registered again.
async fn reregister(reader: &mut EventReader) {
    let live: Vec<(String, SessionRecord)> = reader
        .live
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let _ = mark_epoch(&mut reader.commands, &reader.keys).await;
    for (id, record) in live {
        let _ = write_session(
            &mut reader.commands,
            &reader.keys,
            &id,
            &record,
            reader.ttl_secs,
        )
        .await;
    }
}

/// Ends every live session: the call can no longer be heard.
fn end_live_sessions(reader: &EventReader, reason: &str) {
    let ids: Vec<String> = reader
        .live
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .keys()
        .cloned()
        .collect();
    for id in ids {
        reader.sessions.deliver(
            &id,
            CallEvent::Lost {
                reason: reason.to_string(),
            },
        );
    }
}
