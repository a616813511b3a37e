//! `<Enqueue>` on the IVR leg: the IVR's inbound call waits in a named queue of its account
//! (created on first use) until it leaves, as Twilio's `<Enqueue>` reference describes.
//!
//! While it waits, the `waitUrl` TwiML plays to the caller, requested again each time it runs
//! out, or Twilio's hold music without one (`hold`). It leaves the queue when:
//! - another call takes it out: a `<Dial><Queue>` or the queue's configured agent; its `<Queue
//!   url>` TwiML runs on it, then the two are connected until the other side ends (`bridged`):
//!   `QueueResult=bridged`;
//! - the wait TwiML runs `<Leave>` (`leave`), or fails (`error`);
//! - the REST API dequeues it (`POST Queues/{Sid}/Members/{CallSid}.json`): it goes on with the
//!   TwiML at that `Url`, and `action` is told `redirected` (its answer is not used);
//! - the queue is full when it arrives (`queue-full`, at once);
//! - the caller hangs up, or the wait TwiML runs `<Hangup>` (`hangup`, with
//!   `CallStatus=completed`).
//!
//! Then `action` is requested with `QueueResult`, and `QueueSid` and `QueueTime` (seconds in the
//! queue) when it was enqueued, and the call goes on with the TwiML returned; without `action`,
//! with the verb after `<Enqueue>`. TaskRouter's form (`workflowSid`, `<Task>`) is refused.

mod bridged;
mod hold;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use self::hold::WaitEnd;
use super::owed::OwedAction;
use super::{LegContext, LegEnd};
use crate::engine::queue_hub::{Joined, Summons};
use crate::engine::Shared;
use crate::model::TwimlSource;
use twilio_wire::twiml::Enqueue;

/// How a call left its queue: Twilio's `QueueResult` values the emulator produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueResult {
    /// Dequeued and connected with the call that dequeued it (the bridge has ended).
    Bridged,
    /// The queue was full: never enqueued.
    QueueFull,
    /// `<Leave>` in the wait TwiML.
    Leave,
    /// Dequeued through the REST API, to other TwiML.
    Redirected,
    /// The caller hung up while queued.
    Hangup,
    /// The wait TwiML failed.
    Error,
}

impl QueueResult {
    /// Twilio's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueResult::Bridged => "bridged",
            QueueResult::QueueFull => "queue-full",
            QueueResult::Leave => "leave",
            QueueResult::Redirected => "redirected",
            QueueResult::Hangup => "hangup",
            QueueResult::Error => "error",
        }
    }
}

/// What running an `<Enqueue>` came to.
pub(super) enum EnqueueOutcome {
    /// The call left the queue (or never got in); `action` is told `params`. With `redirect`
    /// the call goes on with that TwiML instead (the REST API dequeued it).
    Left {
        /// `QueueResult`, and `QueueSid`, `QueueTime` if it was enqueued.
        params: Vec<(String, String)>,
        /// The TwiML the REST API sent it to.
        redirect: Option<TwimlSource>,
    },
    /// The leg ends; `action` was told.
    Ended(LegEnd),
    /// It asks for something the emulator does not emulate; the message names it.
    Refused(String),
}

/// A call's stay in a queue, for the parameters of the requests made meanwhile.
pub(super) struct Ticket<'a> {
    shared: &'a Shared,
    queue_sid: String,
    call_sid: String,
    enqueued_at: DateTime<Utc>,
}

impl Ticket<'_> {
    /// Whole seconds in the queue so far.
    fn queue_time(&self) -> i64 {
        (self.shared.clock.now() - self.enqueued_at)
            .num_seconds()
            .max(0)
    }

    /// The `waitUrl` request's parameters: the call's place and the queue's state now.
    fn wait_params(&self) -> Vec<(String, String)> {
        let now = self.shared.clock.now();
        let queue = self.shared.store.queues(|q| q.sid == self.queue_sid).pop();
        let (position, size, max, average) = queue.map_or((0, 0, 0, 0), |q| {
            (
                q.position(&self.call_sid).unwrap_or(0),
                q.members.len(),
                q.max_size,
                q.average_wait_secs(now),
            )
        });
        vec![
            ("QueueSid".into(), self.queue_sid.clone()),
            ("QueuePosition".into(), position.to_string()),
            ("QueueTime".into(), self.queue_time().to_string()),
            ("AvgQueueTime".into(), average.to_string()),
            ("CurrentQueueSize".into(), size.to_string()),
            ("MaxQueueSize".into(), max.to_string()),
        ]
    }

    /// The `action` parameters once the call left with `result` after `queue_time` seconds.
    fn left(&self, result: QueueResult, queue_time: i64) -> EnqueueOutcome {
        EnqueueOutcome::Left {
            params: left_params(result, &self.queue_sid, queue_time),
            redirect: None,
        }
    }
}

/// `QueueResult`, `QueueSid`, `QueueTime`: what `action` learns of a call that was enqueued.
fn left_params(result: QueueResult, queue_sid: &str, queue_time: i64) -> Vec<(String, String)> {
    vec![
        ("QueueResult".into(), result.as_str().into()),
        ("QueueSid".into(), queue_sid.to_string()),
        ("QueueTime".into(), queue_time.to_string()),
    ]
}

/// Why the emulator cannot run this `<Enqueue>`, if it cannot.
fn not_emulated(enqueue: &Enqueue) -> Option<String> {
    if enqueue.workflow_sid.is_some() || enqueue.task.is_some() {
        return Some(
            "<Enqueue workflowSid> (a TaskRouter <Task>) is not emulated: the emulator queues \
             calls by name, <Enqueue>NAME</Enqueue>"
                .into(),
        );
    }
    None
}

impl LegContext {
    /// Runs an `<Enqueue>` of the document at `document_url` until the call leaves the queue.
    pub(super) async fn enqueue(&self, enqueue: &Enqueue, document_url: &str) -> EnqueueOutcome {
        if let Some(why) = not_emulated(enqueue) {
            return EnqueueOutcome::Refused(why);
        }
        let Some(dialer) = &self.dialer else {
            return EnqueueOutcome::Refused(
                "<Enqueue> is emulated on the IVR's leg only, not on the caller's or a dialled \
                 party's"
                    .into(),
            );
        };
        let shared = &dialer.shared;
        let joined = shared.join_queue(
            &dialer.request.account_sid,
            &enqueue.queue,
            &dialer.parent_sid,
        );
        let Joined::Waiting(place, summons) = joined else {
            self.voice
                .note(format!("queue {} is full: not enqueued", enqueue.queue));
            let params = vec![("QueueResult".into(), QueueResult::QueueFull.as_str().into())];
            return EnqueueOutcome::Left {
                params,
                redirect: None,
            };
        };
        let ticket = Ticket {
            shared,
            queue_sid: place.queue_sid.clone(),
            call_sid: dialer.parent_sid.clone(),
            enqueued_at: shared.clock.now(),
        };
        self.voice.note(format!(
            "enqueued in {} ({}), position {}",
            enqueue.queue,
            ticket.queue_sid,
            shared
                .store
                .queues(|q| q.sid == ticket.queue_sid)
                .pop()
                .and_then(|q| q.position(&ticket.call_sid))
                .unwrap_or(0)
        ));
        // Seconds in the queue once dequeued: until then, a hang-up is a hang-up from the queue.
        let dequeued_after: Arc<Mutex<Option<i64>>> = Arc::default();
        let mut owed = {
            let (dequeued_after, clock) = (dequeued_after.clone(), shared.clock);
            let (queue_sid, enqueued_at) = (ticket.queue_sid.clone(), ticket.enqueued_at);
            OwedAction::new(
                self,
                enqueue.action.as_deref(),
                enqueue.method,
                document_url,
                move || {
                    let bridged = *dequeued_after.lock().unwrap_or_else(|p| p.into_inner());
                    match bridged {
                        Some(secs) => left_params(QueueResult::Bridged, &queue_sid, secs),
                        None => {
                            let secs = (clock.now() - enqueued_at).num_seconds().max(0);
                            left_params(QueueResult::Hangup, &queue_sid, secs)
                        }
                    }
                },
            )
        };
        let waited = tokio::select! {
            summons = summons => summons.ok(),
            end = self.wait_in_queue(enqueue, document_url, &ticket) => {
                drop(place);
                return match end {
                    WaitEnd::Leave => {
                        owed.settle();
                        self.voice.note(format!("leaves queue {}", enqueue.queue));
                        ticket.left(QueueResult::Leave, ticket.queue_time())
                    }
                    WaitEnd::HungUp => {
                        self.voice.note("hangs up");
                        // `owed` tells `action`: a hang-up from the queue.
                        EnqueueOutcome::Ended(LegEnd::HungUp)
                    }
                    WaitEnd::Failed(why) => {
                        owed.settle();
                        self.voice.note(format!("error: {why}"));
                        ticket.left(QueueResult::Error, ticket.queue_time())
                    }
                };
            }
        };
        let queue_time = ticket.queue_time();
        match waited {
            Some(Summons::Bridge(offer)) => {
                *dequeued_after.lock().unwrap_or_else(|p| p.into_inner()) = Some(queue_time);
                self.bridged(offer, &ticket, queue_time).await;
                owed.settle();
                ticket.left(QueueResult::Bridged, queue_time)
            }
            Some(Summons::Redirect(source)) => {
                self.voice.note("dequeued through the REST API");
                owed.send_now(left_params(
                    QueueResult::Redirected,
                    &ticket.queue_sid,
                    queue_time,
                ));
                EnqueueOutcome::Left {
                    params: Vec::new(),
                    redirect: Some(source),
                }
            }
            None => {
                owed.settle();
                ticket.left(QueueResult::Error, queue_time)
            }
        }
    }
}
