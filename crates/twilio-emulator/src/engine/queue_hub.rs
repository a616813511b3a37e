//! The live side of call queues: how a waiting call is reached when another takes it out.
//!
//! Who waits, in which order, lives in the store ([`crate::queues`]), where the REST
//! API reads it. Here each waiting call has a channel on which it is told why it leaves
//! ([`Summons`]): to be bridged with the call that dequeued it (a `<Dial><Queue>`, a configured
//! agent), or to run other TwiML (`POST Queues/{Sid}/Members/{CallSid}.json`). A call that
//! stops waiting on its own (`<Leave>`, a hang-up) drops its `Place`, which takes it out.
//!
//! ```text
//! <Enqueue> --join--> store: members += call     hub: summons[call] = sender
//! <Dial><Queue> / agent --dequeue--> store: members -= front --> sender.send(Summons::Bridge)
//! ```

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tokio::sync::{oneshot, Notify};

use super::bridge::{Ear, Mouth};
use super::Shared;
use crate::model::TwimlSource;
use crate::queues::{self, MemberRecord, QueueRecord, DEFAULT_MAX_SIZE};
use twilio_wire::twiml::HttpMethod;

/// Why a waiting call leaves its queue, when another call takes it out.
pub enum Summons {
    /// Dequeued, to be connected with the call that dequeued it.
    Bridge(BridgeOffer),
    /// Dequeued through the REST API: the call goes on with this TwiML.
    Redirect(TwimlSource),
}

/// What a dequeued call is connected through.
pub struct BridgeOffer {
    /// The call that dequeued it (`DequeingCallSid`).
    pub dequeuer_sid: String,
    /// `<Queue url>`: TwiML run on the dequeued call before the two are connected.
    pub url: Option<(String, HttpMethod)>,
    /// What the dequeued caller says goes here.
    pub to_dequeuer: Mouth,
    /// What the other side says comes from here; its line going quiet ends the bridge.
    pub from_dequeuer: Ear,
    /// Told when the dequeued call is connected (after its `url` TwiML).
    pub connected: oneshot::Sender<()>,
}

/// The engine's waiting calls, and the configured agents on duty.
#[derive(Default)]
pub(crate) struct QueueHub {
    summons: Mutex<HashMap<String, oneshot::Sender<Summons>>>,
    /// Woken whenever a call joins a queue.
    joined: Notify,
    /// The queues (by SID) whose configured agent is taking calls.
    agents_on_duty: Mutex<HashSet<String>>,
}

/// A call's place in a queue: it leaves the queue when this is dropped, unless it was taken
/// out already.
pub(crate) struct Place {
    shared: Arc<Shared>,
    /// The queue's SID.
    pub queue_sid: String,
    call_sid: String,
}

impl Drop for Place {
    fn drop(&mut self) {
        let (queue_sid, call_sid) = (&self.queue_sid, &self.call_sid);
        self.shared
            .store
            .update_queues(|all| queues::take(all, queue_sid, Some(call_sid)));
        self.shared
            .queues
            .summons
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(call_sid);
    }
}

/// What joining a queue came to.
pub(crate) enum Joined {
    /// The call waits; it learns on the receiver if another call takes it out.
    Waiting(Place, oneshot::Receiver<Summons>),
    /// The queue was full: the call was not enqueued.
    Full,
}

impl Shared {
    /// Puts `call_sid` at the back of the account's queue `name` (created on first use, with
    /// the configured or Twilio's default `max_size`), and puts the queue's agent on duty.
    pub(crate) fn join_queue(
        self: &Arc<Self>,
        account_sid: &str,
        name: &str,
        call_sid: &str,
    ) -> Joined {
        let configured = self.settings.queues.get(name);
        let max_size = configured.map_or(DEFAULT_MAX_SIZE, |q| q.max_size);
        let now = self.clock.now();
        let joined = self
            .store
            .update_queues(|all| queues::join(all, account_sid, name, max_size, call_sid, now));
        let Ok(queue_sid) = joined else {
            return Joined::Full;
        };
        let (tx, rx) = oneshot::channel();
        self.queues
            .summons
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(call_sid.to_string(), tx);
        self.queues.joined.notify_waiters();
        if configured.is_some_and(|q| q.agent.is_some()) {
            self.put_agent_on_duty(&queue_sid);
        }
        let place = Place {
            shared: self.clone(),
            queue_sid,
            call_sid: call_sid.to_string(),
        };
        Joined::Waiting(place, rx)
    }

    /// The account's queue `name`, if it exists.
    pub(crate) fn queue_named(&self, account_sid: &str, name: &str) -> Option<QueueRecord> {
        self.store
            .queues(|q| q.account_sid == account_sid && q.friendly_name == name)
            .pop()
    }

    /// Takes `call_sid` (the front member when `None`) out of the queue `queue_sid` and hands it
    /// `summons`; returns the member, or the summons back when nobody (still) waits there.
    pub(crate) fn dequeue(
        &self,
        queue_sid: &str,
        call_sid: Option<&str>,
        mut summons: Summons,
    ) -> Result<MemberRecord, Summons> {
        loop {
            let Some(member) = self
                .store
                .update_queues(|all| queues::take(all, queue_sid, call_sid))
            else {
                return Err(summons);
            };
            let sender = self
                .queues
                .summons
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&member.call_sid);
            // A member whose call is ending has no one listening: try the next.
            if let Some(tx) = sender {
                match tx.send(summons) {
                    Ok(()) => return Ok(member),
                    Err(back) => summons = back,
                }
            }
            if call_sid.is_some() {
                return Err(summons);
            }
        }
    }

    /// Waits until a call joins any queue; `check` runs once the wait is armed, so a join just
    /// before cannot be missed. Returns at once with `check`'s value when it has one.
    pub(crate) async fn after_join<T>(&self, mut check: impl FnMut() -> Option<T>) -> T {
        loop {
            let joined = self.queues.joined.notified();
            tokio::pin!(joined);
            joined.as_mut().enable();
            if let Some(found) = check() {
                return found;
            }
            joined.await;
        }
    }

    /// Marks the queue's agent on duty; `false` if it already was.
    pub(crate) fn agent_goes_on_duty(&self, queue_sid: &str) -> bool {
        self.queues
            .agents_on_duty
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(queue_sid.to_string())
    }

    /// Takes the queue's agent off duty if nobody waits there; returns the front member
    /// otherwise. Checked under the duty lock, so a call that joins meanwhile finds the agent
    /// either on duty or gone (and puts it back).
    pub(crate) fn front_or_off_duty(&self, queue_sid: &str) -> Option<MemberRecord> {
        let mut on_duty = self
            .queues
            .agents_on_duty
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let front = self
            .store
            .queues(|q| q.sid == queue_sid)
            .pop()
            .and_then(|q| q.members.first().cloned());
        if front.is_none() {
            on_duty.remove(queue_sid);
        }
        front
    }
}
