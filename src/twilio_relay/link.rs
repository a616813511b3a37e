//! The runner's end of the Function relay (`docs/relay-protocol.md`): before a session dials,
//! it tells the relay about the call (a Sync List named after the session, [`event_list_name`]); while the session
//! lives, it reads the List's new Items into the local [`Sessions`](crate::turn::Sessions) as [`CallEvent`]s, and gives
//! the step engine's decisions to the call through Twilio's live-call update. The step engine
//! works exactly as with the in-process webhook.
//!
//! Everything here is an outbound request to Twilio's REST APIs: nothing listens.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::task::JoinHandle;

use super::event_list_name;
use crate::turn::signed::{next_event, partial_event, start_event, status_event};
use crate::turn::{is_final_status, CallEvent, Turn};
use crate::webhook::routes::WebhookState;
use twilio_wire::client::{ClientError, ItemQuery, TwilioClient};

/// How often a session's List is read when nothing new came: a turn waits half of it on
/// average. Five reads a second stay under Sync's 20 reads per second per object.
pub const POLL_EVERY: Duration = Duration::from_millis(200);

/// How long Sync may fail without a break before the call counts as lost.
const OUTAGE_LIMIT: Duration = Duration::from_secs(30);

/// The most Items one read returns (Twilio's largest page).
const PAGE_SIZE: u32 = 100;

/// A runner's link to its relay: one task per live session.
pub struct FunctionLink {
    shared: Arc<Shared>,
    followers: Mutex<HashMap<String, JoinHandle<()>>>,
}

/// What every session's task reads.
struct Shared {
    client: TwilioClient,
    /// The relay's Sync Service (`SYNC_SERVICE_SID`).
    sync_service: String,
    /// Callback URLs (through the relay, with `g=`) and the caller's voice.
    webhook: WebhookState,
    /// How long a session's List lives (the call's time limit and some).
    ttl: Duration,
    poll_every: Duration,
    /// Why the relay was lost (Sync unreadable past the outage limit), once it was.
    lost: Mutex<Option<String>>,
}

impl FunctionLink {
    /// A link through the relay whose events are kept in Sync Service `sync_service`; `webhook`
    /// holds the relay's callback URLs and `webhook.sessions` the sessions to feed.
    pub fn new(
        client: TwilioClient,
        sync_service: String,
        webhook: WebhookState,
        ttl: Duration,
    ) -> FunctionLink {
        FunctionLink {
            shared: Arc::new(Shared {
                client,
                sync_service,
                webhook,
                ttl,
                poll_every: POLL_EVERY,
                lost: Mutex::new(None),
            }),
            followers: Mutex::new(HashMap::new()),
        }
    }

    /// Tells the relay about session `id`'s call before it is placed (its List), and starts
    /// following the session. An error means the call must not be placed: the relay would
    /// hang it up.
    pub async fn register(&self, id: &str) -> Result<(), ClientError> {
        let shared = &self.shared;
        shared
            .client
            .create_sync_list(
                &shared.sync_service,
                Some(&event_list_name(id)),
                Some(shared.ttl.as_secs()),
            )
            .await?;
        let follower = tokio::spawn(follow(self.shared.clone(), id.to_string()));
        self.lock().insert(id.to_string(), follower);
        Ok(())
    }

    /// Stops following session `id` and deletes its List (what the relay stored of the call).
    pub async fn unregister(&self, id: &str) {
        if let Some(follower) = self.lock().remove(id) {
            follower.abort();
        }
        let shared = &self.shared;
        // Best effort: the List expires by itself after its TTL.
        let _ = shared
            .client
            .delete_sync_list(&shared.sync_service, &event_list_name(id))
            .await;
    }

    /// Why calls can no longer be heard, once Sync could not be read past the outage limit.
    pub fn lost(&self) -> Option<String> {
        self.shared
            .lost
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, JoinHandle<()>>> {
        self.followers.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for FunctionLink {
    fn drop(&mut self) {
        for follower in self.lock().values() {
            follower.abort();
        }
    }
}

/// One session's task: reads its List into the session and gives the session's decisions to
/// the call, until the session closes (or is unregistered, which aborts it).
async fn follow(shared: Arc<Shared>, id: String) {
    let sessions = &shared.webhook.sessions;
    let mut reader = ListReader::default();
    // A decision taken before the call's SID is known waits for it.
    let mut undelivered: Option<Turn> = None;
    loop {
        let read = reader.read(&shared, &id).await;
        match read {
            Ok(events) => {
                for event in events {
                    sessions.deliver(&id, event);
                }
            }
            Err(lost) => {
                *shared.lost.lock().unwrap_or_else(|p| p.into_inner()) = Some(lost.clone());
                sessions.deliver(&id, CallEvent::Lost { reason: lost });
                return;
            }
        }
        if let Some(call) = reader.call_sid.as_deref() {
            if let Some(turn) = undelivered.take() {
                redirect(&shared, &id, call, turn).await;
            }
        }
        if !sessions.contains(&id) {
            return;
        }
        if reader.more {
            continue;
        }
        tokio::select! {
            decided = sessions.decided(&id) => match decided {
                None => return,
                Some(turn) if turn.actions.is_empty() => {}
                Some(turn) => match reader.call_sid.as_deref() {
                    Some(call) => redirect(&shared, &id, call, turn).await,
                    // Several decisions before the SID: one answer, in order.
                    None => {
                        let earlier = undelivered.take().into_iter();
                        undelivered = Some(Turn::merge(earlier.chain([turn]).collect()));
                    }
                },
            },
            () = tokio::time::sleep(shared.poll_every) => {}
        }
    }
}

/// Gives `turn` to call `call` through the live-call update: its actions, then listening again
/// through the relay. A call that has ended meanwhile needs nothing.
async fn redirect(shared: &Shared, id: &str, call: &str, turn: Turn) {
    let twiml = shared.webhook.live_twiml(id, &turn.actions, turn.hints);
    if let Err(error) = shared.client.update_twiml(call, &twiml).await {
        // Twilio refuses to update a call that is over (21220); any other refusal leaves the
        // call listening, and the session's step then times out naming what it waited for.
        let ended = matches!(&error, ClientError::Twilio { code: 21220, .. });
        if !ended {
            shared.webhook.sessions.deliver(
                id,
                CallEvent::Lost {
                    reason: format!("the relay could not give the call its answer: {error}"),
                },
            );
        }
    }
}

/// Reads a session's List from where it stopped.
#[derive(Default)]
struct ListReader {
    /// The index of the last Item read.
    last: Option<u64>,
    /// The call the List's events name, once one has.
    call_sid: Option<String>,
    /// Whether the last read filled a page (more may be waiting).
    more: bool,
    /// Since when reads fail.
    failing_since: Option<Instant>,
}

impl ListReader {
    /// The events of the Items added since the last read; `Err` once Sync has failed for
    /// longer than the outage limit.
    async fn read(&mut self, shared: &Shared, id: &str) -> Result<Vec<CallEvent>, String> {
        let query = ItemQuery {
            from: self.last,
            exclusive: self.last.is_some(),
            page_size: Some(PAGE_SIZE),
            max_pages: Some(1),
            ..ItemQuery::default()
        };
        let items = match shared
            .client
            .list_sync_list_items(&shared.sync_service, &event_list_name(id), &query)
            .await
        {
            Ok(items) => items,
            Err(error) => {
                self.more = false;
                let since = *self.failing_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= OUTAGE_LIMIT {
                    return Err(format!(
                        "lost the relay: its Sync List could not be read for {} s ({error})",
                        since.elapsed().as_secs()
                    ));
                }
                return Ok(Vec::new());
            }
        };
        self.failing_since = None;
        self.more = items.len() >= PAGE_SIZE as usize;
        let mut events = Vec::with_capacity(items.len());
        for item in items {
            self.last = Some(item.index);
            if let Some(event) = event_of(&item.data) {
                if let Some(call) = call_of(&event) {
                    self.call_sid.get_or_insert(call);
                }
                events.push(event);
            }
        }
        Ok(events)
    }
}

/// The event an Item stores: `{"hook": ..., "params": {...}}` as the relay writes it; `None`
/// for anything else (an empty interim result, an unknown hook).
pub fn event_of(data: &Value) -> Option<CallEvent> {
    let params: Vec<(String, String)> = data
        .get("params")?
        .as_object()?
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect();
    match data.get("hook")?.as_str()? {
        "start" => Some(start_event(&params)),
        "next" => Some(next_event(&params)),
        "partial" => partial_event(&params),
        "status" => Some(status_event(&params)),
        _ => None,
    }
}

/// The call an event names.
fn call_of(event: &CallEvent) -> Option<String> {
    match event {
        CallEvent::Answered { call_sid } if !call_sid.is_empty() => Some(call_sid.clone()),
        CallEvent::Status { params, status } if !is_final_status(status) => params
            .iter()
            .find(|(k, _)| k == "CallSid")
            .map(|(_, v)| v.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_become_the_events_of_their_hooks() {
        let start =
            json!({"hook": "start", "params": {"CallSid": "CA1", "CallStatus": "in-progress"}});
        assert_eq!(
            event_of(&start),
            Some(CallEvent::Answered {
                call_sid: "CA1".into()
            })
        );
        let heard =
            json!({"hook": "next", "params": {"SpeechResult": "Press two", "Confidence": "0.9"}});
        assert_eq!(
            event_of(&heard),
            Some(CallEvent::Heard {
                text: "Press two".into(),
                confidence: Some(0.9)
            })
        );
        assert_eq!(
            event_of(&json!({"hook": "next", "params": {}})),
            Some(CallEvent::Silence)
        );
        assert_eq!(
            event_of(&json!({"hook": "partial", "params": {"UnstableSpeechResult": "Press"}})),
            Some(CallEvent::Partial {
                text: "Press".into()
            })
        );
        assert_eq!(
            event_of(&json!({"hook": "partial", "params": {"UnstableSpeechResult": " "}})),
            None
        );
        let status = event_of(
            &json!({"hook": "status", "params": {"CallSid": "CA1", "CallStatus": "completed"}}),
        );
        assert!(
            matches!(status, Some(CallEvent::Status { ref status, .. }) if status == "completed")
        );
        assert_eq!(event_of(&json!({"hook": "other", "params": {}})), None);
        assert_eq!(event_of(&json!({"params": {}})), None);
    }

    #[test]
    fn the_call_is_learnt_from_its_answer_or_a_live_status() {
        assert_eq!(
            call_of(&CallEvent::Answered {
                call_sid: "CA1".into()
            }),
            Some("CA1".into())
        );
        let ringing = event_of(
            &json!({"hook": "status", "params": {"CallSid": "CA2", "CallStatus": "ringing"}}),
        );
        assert_eq!(ringing.as_ref().and_then(call_of), Some("CA2".into()));
        let over = event_of(
            &json!({"hook": "status", "params": {"CallSid": "CA2", "CallStatus": "completed"}}),
        );
        assert_eq!(over.as_ref().and_then(call_of), None);
        assert_eq!(call_of(&CallEvent::Silence), None);
    }
}
