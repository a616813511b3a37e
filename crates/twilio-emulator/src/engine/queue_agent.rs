//! A configured queue's emulated agent (`queues.NAME.agent`): a person who takes the queue's
//! callers one at a time, so that a test can reach "an agent answers".
//!
//! The agent goes on duty when a call joins the queue and off duty when it is empty. The caller
//! at the front is taken once it has waited `answer_after_secs` with the agent free (counted
//! from whichever came later: its joining, or the agent's last call ending). Taking it is what
//! `<Dial><Queue>NAME</Queue></Dial>` on the agent's phone would do: the emulator calls the
//! agent's number (a call of its own, `outbound-api`, from the number the caller dialled to the
//! agent's), the agent answers at once, and that number's TwiML (or Studio flow) is what the
//! agent says to the dequeued caller, who hears it as any prompt. The call ends when the agent's
//! TwiML ends, when its `hang_up_after_secs` passes, or when the caller hangs up.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use super::bridge::{forward, line};
use super::call::standard_params;
use super::leg::{LegContext, PendingPosts, Voice};
use super::queue_hub::{BridgeOffer, Summons};
use super::{Destination, Shared};
use crate::model::{CallRecord, CallStatus, Leg, TwimlSource};
use crate::queues::QueueRecord;
use twilio_wire::sid::new_sid;

impl Shared {
    /// Puts the agent of the queue `queue_sid` on duty, unless it is already.
    pub(crate) fn put_agent_on_duty(self: &Arc<Self>, queue_sid: &str) {
        if self.agent_goes_on_duty(queue_sid) {
            tokio::spawn(on_duty(self.clone(), queue_sid.to_string()));
        }
    }
}

/// Takes the queue's callers one after another until nobody waits.
async fn on_duty(shared: Arc<Shared>, queue_sid: String) {
    let Some(queue) = shared.store.queues(|q| q.sid == queue_sid).pop() else {
        return;
    };
    let settings = shared.settings.queues.get(&queue.friendly_name).cloned();
    let Some((agent, answer_after)) =
        settings.and_then(|s| s.agent.map(|agent| (agent, s.answer_after)))
    else {
        return;
    };
    let mut free_since = shared.clock.now();
    while let Some(front) = shared.front_or_off_duty(&queue_sid) {
        let due = front.date_enqueued.max(free_since)
            + chrono::Duration::from_std(answer_after).unwrap_or_default();
        let wait = (due - shared.clock.now()).to_std().unwrap_or_default();
        if !wait.is_zero() {
            // The front may change meanwhile; it is looked at again then.
            shared.clock.sleep(wait).await;
            continue;
        }
        take_call(&shared, &queue, &front.call_sid, &agent).await;
        free_since = shared.clock.now();
    }
}

/// Calls the agent and connects it with the queued call `member_sid`, until one side leaves.
async fn take_call(shared: &Arc<Shared>, queue: &QueueRecord, member_sid: &str, agent: &str) {
    let Some(Destination::Answers {
        voice_url,
        fallback,
        hang_up_after,
        ..
    }) = shared.settings.destinations.get(agent).cloned()
    else {
        return;
    };
    let (to_agent, from_member) = line();
    let (agent_mouth, member_ear) = line();
    let (connected, is_connected) = tokio::sync::oneshot::channel();
    let agent_sid = new_sid("CA");
    let offer = BridgeOffer {
        dequeuer_sid: agent_sid.clone(),
        url: None,
        to_dequeuer: to_agent,
        from_dequeuer: member_ear,
        connected,
    };
    if shared
        .dequeue(&queue.sid, Some(member_sid), Summons::Bridge(offer))
        .is_err()
    {
        return;
    }
    let Some(member) = shared.store.call(member_sid) else {
        return;
    };
    let mut request = member.request.clone();
    request.from = member.request.to.clone();
    request.to = agent.to_string();
    request.status_callback = None;
    request.record = false;
    request.send_digits = None;
    let now = shared.clock.now();
    let mut record = CallRecord::new(
        agent_sid.clone(),
        request.clone(),
        CallStatus::InProgress,
        now,
        None,
    );
    record.start_time = Some(now);
    shared.store.insert_call(record);
    shared.log.event(&format!(
        "{agent_sid} in-progress (agent {agent} takes {member_sid} from queue {})",
        queue.friendly_name
    ));
    let (into_agent, agent_ear) = line();
    let leg = LegContext {
        voice: Voice {
            leg: Leg::Callee,
            call_sid: agent_sid.clone(),
            clock: shared.clock,
            store: shared.store.clone(),
            mouth: agent_mouth,
            words_per_minute: shared.settings.words_per_minute,
            log: shared.log.clone(),
        },
        auth_token: shared
            .settings
            .auth_tokens
            .get(&request.account_sid)
            .cloned()
            .unwrap_or_default(),
        params: standard_params(&agent_sid, &request, "outbound-api"),
        fallback,
        client: shared.client.clone(),
        ear: Arc::new(Mutex::new(agent_ear)),
        recogniser: shared.recogniser(),
        api_base_url: shared.settings.api_base_url.clone(),
        posts: PendingPosts::default(),
        dialer: None,
        answer: None,
    };
    let note = if is_connected.await.is_err() {
        "the caller hung up before the bridge"
    } else {
        talk(
            shared,
            &leg,
            voice_url,
            hang_up_after,
            from_member,
            into_agent,
        )
        .await
    };
    let deadline = tokio::time::Instant::now() + shared.settings.webhook_budget;
    let posts = leg.posts.clone();
    // The agent's side of the line goes quiet now, which ends the caller's bridge.
    drop(leg);
    posts.settle(deadline).await;
    let now = shared.clock.now();
    shared.store.update_call(&agent_sid, |c| {
        c.status = CallStatus::Completed;
        c.end_time = Some(now);
        c.date_updated = now;
    });
    shared.log.event(&format!("{agent_sid} completed ({note})"));
    shared.legs_ended(&[&agent_sid]);
}

/// Runs the agent's TwiML while what the caller says reaches it; returns why it ended.
async fn talk(
    shared: &Shared,
    leg: &LegContext,
    voice_url: Option<(String, twilio_wire::twiml::HttpMethod)>,
    hang_up_after: Option<Duration>,
    from_member: super::bridge::Ear,
    into_agent: super::bridge::Mouth,
) -> &'static str {
    let run = async {
        match voice_url {
            Some((url, method)) => {
                leg.run(TwimlSource::Url { url, method }, "in-progress")
                    .await;
            }
            None => std::future::pending().await,
        }
    };
    let hangs_up = async {
        match hang_up_after {
            Some(after) => shared.clock.sleep(after).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = run => "the agent hung up",
        () = hangs_up => "the agent hung up",
        () = forward(from_member, into_agent, |_| {}) => "the caller hung up",
    }
}
