//! A runner's live sessions: where each transport delivers a call's [`CallEvent`]s and takes
//! the step engine's [`Action`]s.
//!
//! Every TwiML webhook is a question, "the call is here; what now?". It becomes a [`CallEvent`]
//! for the call's session and waits for the session's answer: the [`Action`]s the step engine
//! queued (what to say or press), or a hang-up. The wait is event-driven and bounded by a hold
//! limit far under Twilio's 15 s; past it the webhook just listens, and whatever the engine
//! decides later goes out with the next webhook. Nothing is lost and nothing sleeps.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, Notify};

use super::protocol::{is_final_status, Action, CallEvent, SessionId, Turn};
use twilio_wire::sid::new_sid;

/// The actions a session has decided and not yet sent, and who waits for them.
#[derive(Debug, Default)]
struct Outbox {
    actions: Mutex<VecDeque<Action>>,
    ready: Notify,
    /// What the recogniser should expect next (the texts the coming `#bot` steps expect).
    hints: Mutex<Vec<String>>,
    /// The parameters of the last final status callback. Kept apart from the event queue: when
    /// the IVR ends the call, the step engine reads that event, and the session must still learn
    /// that the call is over (and its `RecordingUrl`) without waiting for a second one.
    final_status: Mutex<Option<Vec<(String, String)>>>,
    /// The call the session belongs to, once `calls.create` has named it: events that name
    /// another call are dropped. Before that every event is taken (a webhook can arrive before
    /// `calls.create` returns, and the correlation id in its URL already names this session).
    call_sid: Mutex<Option<String>>,
}

impl Outbox {
    /// Whether `event` names a call other than the session's own.
    fn names_other_call(&self, event: &CallEvent) -> bool {
        let own = self.call_sid.lock().unwrap_or_else(|p| p.into_inner());
        let Some(own) = own.as_deref() else {
            return false;
        };
        match event {
            CallEvent::Answered { call_sid } => !call_sid.is_empty() && call_sid != own,
            CallEvent::Status { params, .. } => {
                params.iter().any(|(k, v)| k == "CallSid" && v != own)
            }
            _ => false,
        }
    }
}

struct SessionEntry {
    events: mpsc::UnboundedSender<CallEvent>,
    outbox: Arc<Outbox>,
}

/// Every live session of a runner; shared by the webhook routes and the sessions.
#[derive(Clone, Default)]
pub struct Sessions {
    entries: Arc<Mutex<HashMap<SessionId, SessionEntry>>>,
}

/// The step engine's end of a session.
pub struct SessionEnd {
    /// The session's correlation id.
    pub id: SessionId,
    /// What the webhooks report, in order.
    pub events: mpsc::UnboundedReceiver<CallEvent>,
    outbox: Arc<Outbox>,
    sessions: Sessions,
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SessionId, SessionEntry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens a session before its call is placed.
    pub fn open(&self) -> SessionEnd {
        let id = new_sid("TS");
        let (tx, rx) = mpsc::unbounded_channel();
        let outbox = Arc::new(Outbox::default());
        self.lock().insert(
            id.clone(),
            SessionEntry {
                events: tx,
                outbox: outbox.clone(),
            },
        );
        SessionEnd {
            id,
            events: rx,
            outbox,
            sessions: self.clone(),
        }
    }

    /// Whether a session is open.
    pub fn contains(&self, id: &str) -> bool {
        self.lock().contains_key(id)
    }

    /// Delivers an event; false for an unknown (closed) session, or an event about another
    /// call than the session's.
    pub fn deliver(&self, id: &str, event: CallEvent) -> bool {
        match self.lock().get(id) {
            Some(entry) if entry.outbox.names_other_call(&event) => false,
            Some(entry) => {
                if let CallEvent::Status { status, params } = &event {
                    if is_final_status(status) {
                        *entry
                            .outbox
                            .final_status
                            .lock()
                            .unwrap_or_else(|p| p.into_inner()) = Some(params.clone());
                    }
                }
                entry.events.send(event).is_ok()
            }
            None => false,
        }
    }

    /// A webhook's turn: delivers the event, then waits up to `hold` for the session's actions.
    /// Returns what to render, or `None` for an unknown session (or another call than the
    /// session's: a stray call nobody runs).
    pub async fn turn(&self, id: &str, event: CallEvent, hold: Duration) -> Option<Turn> {
        let (outbox, events) = {
            let entries = self.lock();
            let entry = entries.get(id)?;
            if entry.outbox.names_other_call(&event) {
                return None;
            }
            // Deliver under the lock so the engine cannot answer before we start waiting.
            let _ = entry.events.send(event);
            (entry.outbox.clone(), entry.events.clone())
        };
        let deadline = tokio::time::Instant::now() + hold;
        let actions = loop {
            // Register interest before looking, so a notification between the two is not lost.
            let notified = outbox.ready.notified();
            if let Some(actions) = take_decided(&outbox) {
                break actions;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                break take_decided(&outbox).unwrap_or_default();
            }
        };
        Some(delivered(&outbox, &events, actions))
    }
}

impl Sessions {
    /// The next decision of session `id` for a webhook that is not in this process (the Redis
    /// proxy): waits until the engine has decided something; `None` once the session is closed.
    pub async fn decided(&self, id: &str) -> Option<Turn> {
        loop {
            let (outbox, events) = {
                let entries = self.lock();
                let entry = entries.get(id)?;
                (entry.outbox.clone(), entry.events.clone())
            };
            let notified = outbox.ready.notified();
            if let Some(actions) = take_decided(&outbox) {
                return Some(delivered(&outbox, &events, actions));
            }
            // Closing wakes this too; the timeout is only a safety net.
            let _ = tokio::time::timeout(Duration::from_secs(1), notified).await;
        }
    }
}

/// Takes everything queued once the engine has decided something (any action, `Listen` included).
/// The turn that carries `actions` to Twilio, whichever transport asked: the engine learns that
/// an answer went out (what the IVR says next belongs to the step after it), and the turn
/// carries the recogniser's current hints.
fn delivered(
    outbox: &Outbox,
    events: &mpsc::UnboundedSender<CallEvent>,
    actions: Vec<Action>,
) -> Turn {
    if !actions.is_empty() {
        let _ = events.send(CallEvent::AnswerDelivered);
    }
    let hints = outbox
        .hints
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    Turn { actions, hints }
}

fn take_decided(outbox: &Outbox) -> Option<Vec<Action>> {
    let mut queue = outbox.actions.lock().unwrap_or_else(|p| p.into_inner());
    if queue.is_empty() {
        return None;
    }
    let actions: Vec<Action> = queue.drain(..).filter(|a| *a != Action::Listen).collect();
    Some(actions)
}

impl SessionEnd {
    /// What the recogniser is told to expect now.
    pub fn hints(&self) -> Vec<String> {
        self.outbox
            .hints
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Ties the session to its call once `calls.create` has named it: from now on events that
    /// name another call (a stray or forged webhook) are not delivered to it.
    pub fn bind_call(&self, call_sid: &str) {
        *self
            .outbox
            .call_sid
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(call_sid.to_string());
    }

    /// Sets what the recogniser should expect from now on.
    pub fn expect(&self, hints: Vec<String>) {
        *self.outbox.hints.lock().unwrap_or_else(|p| p.into_inner()) = hints;
    }

    /// The parameters of the final status callback of call `call_sid`, if it has come, whoever
    /// read its event (a redialled session may hold an earlier call's final status).
    pub fn final_status(&self, call_sid: &str) -> Option<Vec<(String, String)>> {
        self.outbox
            .final_status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .filter(|params| params.iter().any(|(k, v)| k == "CallSid" && v == call_sid))
    }

    /// Queues an action for the next webhook (or the one waiting now).
    pub fn act(&self, action: Action) {
        self.act_all(vec![action]);
    }

    /// Queues several actions at once: a waiting webhook answers with all of them.
    pub fn act_all(&self, actions: Vec<Action>) {
        if actions.is_empty() {
            return;
        }
        self.outbox
            .actions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(actions);
        self.outbox.ready.notify_waiters();
    }
}

impl Drop for SessionEnd {
    fn drop(&mut self) {
        self.sessions.lock().remove(&self.id);
        // Wakes a relay waiting in `decided`, which then finds the session closed.
        self.outbox.ready.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A status callback of call `call`.
    fn status(call: &str, status: &str) -> CallEvent {
        CallEvent::Status {
            status: status.into(),
            params: vec![
                ("CallSid".into(), call.into()),
                ("CallStatus".into(), status.into()),
            ],
        }
    }

    /// A webhook that delivers silence to session `id` and waits (up to 10 s) for its turn.
    fn waiting_webhook(
        sessions: &Sessions,
        id: SessionId,
    ) -> tokio::task::JoinHandle<Option<Turn>> {
        let sessions = sessions.clone();
        tokio::spawn(async move {
            sessions
                .turn(&id, CallEvent::Silence, Duration::from_secs(10))
                .await
        })
    }

    // Paused time: the clock moves only when every task waits on a timer, so a turn that
    // waited for its hold would end 10 s (of virtual time) later.
    #[tokio::test(start_paused = true)]
    async fn a_turn_returns_as_soon_as_the_engine_decides() {
        let sessions = Sessions::default();
        let mut end = sessions.open();
        let id = end.id.clone();
        let webhook = waiting_webhook(&sessions, id);
        assert_eq!(end.events.recv().await, Some(CallEvent::Silence));
        let started = tokio::time::Instant::now();
        end.act(Action::Say("hello".into()));
        let turn = webhook.await.unwrap().unwrap();
        assert_eq!(turn.actions, vec![Action::Say("hello".into())]);
        assert_eq!(started.elapsed(), Duration::ZERO, "not held");
    }

    #[tokio::test]
    async fn after_the_hold_limit_a_turn_listens_and_later_actions_wait_for_the_next() {
        let sessions = Sessions::default();
        let end = sessions.open();
        let first = sessions
            .turn(&end.id, CallEvent::Silence, Duration::from_millis(20))
            .await;
        assert_eq!(first, Some(Turn::default()));
        end.expect(vec!["sales".into()]);
        end.act(Action::Press("1".into()));
        end.act(Action::Say("sales".into()));
        let second = sessions
            .turn(&end.id, CallEvent::Silence, Duration::from_millis(20))
            .await;
        let second = second.unwrap();
        assert_eq!(
            second.actions,
            vec![Action::Press("1".into()), Action::Say("sales".into())]
        );
        assert_eq!(second.hints, ["sales"]);
    }

    #[tokio::test]
    async fn an_answer_that_went_out_is_marked_after_the_event_it_answered() {
        let sessions = Sessions::default();
        let mut end = sessions.open();
        let id = end.id.clone();
        let webhook = waiting_webhook(&sessions, id);
        assert_eq!(end.events.recv().await, Some(CallEvent::Silence));
        end.act(Action::Press("1".into()));
        webhook.await.expect("turn").expect("session");
        assert_eq!(end.events.recv().await, Some(CallEvent::AnswerDelivered));
        // Listening is no answer: nothing is marked.
        end.act(Action::Listen);
        sessions
            .turn(&end.id, CallEvent::Silence, Duration::from_secs(10))
            .await;
        assert_eq!(end.events.recv().await, Some(CallEvent::Silence));
        assert!(end.events.try_recv().is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn listen_answers_at_once_with_nothing_to_say() {
        let sessions = Sessions::default();
        let end = sessions.open();
        end.act(Action::Listen);
        let started = tokio::time::Instant::now();
        let actions = sessions
            .turn(&end.id, CallEvent::Silence, Duration::from_secs(10))
            .await;
        assert_eq!(actions, Some(Turn::default()));
        assert_eq!(started.elapsed(), Duration::ZERO, "not held");
    }

    #[tokio::test]
    async fn a_final_status_is_kept_after_its_event_was_read() {
        let sessions = Sessions::default();
        let mut end = sessions.open();
        assert!(sessions.deliver(&end.id, status("CA1", "in-progress")));
        assert_eq!(end.final_status("CA1"), None);
        assert!(sessions.deliver(&end.id, status("CA1", "completed")));
        while end.events.try_recv().is_ok() {}
        let kept = end.final_status("CA1").expect("kept");
        assert!(kept.contains(&("CallStatus".into(), "completed".into())));
        assert_eq!(end.final_status("CA2"), None, "another call's status");
    }

    #[tokio::test]
    async fn a_session_bound_to_its_call_drops_events_about_other_calls() {
        let sessions = Sessions::default();
        let mut end = sessions.open();
        // Before the call is known, every event counts (a webhook may beat `calls.create`).
        assert!(sessions.deliver(&end.id, status("CA1", "ringing")));
        end.bind_call("CA1");
        assert!(!sessions.deliver(&end.id, status("CA0", "no-answer")));
        assert_eq!(end.final_status("CA0"), None);
        let stray = CallEvent::Answered {
            call_sid: "CA0".into(),
        };
        assert_eq!(
            sessions
                .turn(&end.id, stray, Duration::from_millis(1))
                .await,
            None
        );
        assert!(sessions.deliver(&end.id, status("CA1", "in-progress")));
        assert!(sessions.deliver(&end.id, CallEvent::Silence));
        let mut seen = Vec::new();
        while let Ok(event) = end.events.try_recv() {
            seen.push(event);
        }
        assert_eq!(
            seen,
            vec![
                status("CA1", "ringing"),
                status("CA1", "in-progress"),
                CallEvent::Silence
            ]
        );
    }

    #[tokio::test]
    async fn unknown_sessions_get_nothing_and_closed_sessions_are_forgotten() {
        let sessions = Sessions::default();
        assert_eq!(
            sessions
                .turn("TSnope", CallEvent::Silence, Duration::from_millis(1))
                .await,
            None
        );
        let end = sessions.open();
        let id = end.id.clone();
        assert!(sessions.contains(&id));
        drop(end);
        assert!(!sessions.contains(&id));
        assert!(!sessions.deliver(&id, CallEvent::Silence));
    }
}
