//! `<Dial><Queue>NAME</Queue></Dial>` on the IVR leg: the caller is connected with the call at
//! the front of the account's queue `NAME` (Twilio's `<Queue>` reference). An empty queue is
//! waited on until a call joins it or the `<Dial>`'s `timeout` passes (`DialCallStatus`
//! `no-answer`); a queue that does not exist is `failed`. The dequeued call hears the noun's
//! `url` TwiML first while the caller hears the ringback; then the two hear each other until
//! the dequeued caller hangs up, `timeLimit` passes or `*` is pressed under `hangupOnStar`.
//! `action` gets `DialCallStatus=completed`, `DialCallSid` (the dequeued call),
//! `DialCallDuration` (seconds connected) and `DialBridged`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::talk::FarEnd;
use super::{resolved, DialOutcome, DialResult, Dialer, Progress, Ringback};
use crate::engine::bridge::line;
use crate::engine::leg::LegContext;
use crate::engine::queue_hub::{BridgeOffer, Summons};
use crate::model::CallStatus;
use twilio_wire::twiml::{Dial, DialParty};

impl LegContext {
    /// Runs a `<Dial>` of one `<Queue>` to its end.
    pub(super) async fn dial_queue(
        &self,
        dialer: &Dialer,
        dial: &Dial,
        party: &DialParty,
        document_url: &str,
    ) -> DialOutcome {
        let shared = &dialer.shared;
        let ended = |status: CallStatus, sid: String| {
            self.voice.note(format!(
                "dial of queue {}: {}",
                party.address,
                status.as_str()
            ));
            // With `answerOnBridge`, the call is answered now, for what follows the `<Dial>`.
            self.answer();
            DialOutcome::Ended(DialResult {
                status,
                sid,
                duration: 0,
                bridged: false,
                recording: None,
            })
        };
        let Some(queue) = shared.queue_named(&dialer.request.account_sid, &party.address) else {
            return ended(CallStatus::Failed, String::new());
        };
        let progress = Arc::new(Progress::default());
        let mut unfinished = self.owed_dial_action(dial, document_url, dialer, &progress);
        let ringback = Ringback::start(&self.voice, None);
        let (to_member, member_ear) = line();
        let (member_mouth, from_member) = line();
        let (connected, is_connected) = oneshot::channel();
        let mut summons = Some(Summons::Bridge(BridgeOffer {
            dequeuer_sid: dialer.parent_sid.clone(),
            url: party
                .url
                .as_deref()
                .map(|url| (resolved(document_url, url), party.url_method)),
            to_dequeuer: member_mouth,
            from_dequeuer: member_ear,
            connected,
        }));
        let take_front = shared.after_join(|| {
            let offered = summons.take()?;
            match shared.dequeue(&queue.sid, None, offered) {
                Ok(member) => Some(member),
                Err(back) => {
                    summons = Some(back);
                    None
                }
            }
        });
        let wait = shared
            .clock
            .wall(Duration::from_secs(u64::from(dial.timeout)));
        let Ok(member) = tokio::time::timeout(wait, take_front).await else {
            unfinished.settle();
            return ended(CallStatus::NoAnswer, String::new());
        };
        progress.placed(&member.call_sid);
        self.voice.note(format!(
            "takes {} from queue {}",
            member.call_sid, party.address
        ));
        if is_connected.await.is_err() {
            unfinished.settle();
            return ended(CallStatus::NoAnswer, member.call_sid);
        }
        drop(ringback);
        self.answer();
        let started = shared.clock.now();
        progress.dequeued(&member.call_sid, started);
        self.voice.note(format!("connected to {}", member.call_sid));
        let far = FarEnd {
            to_far: to_member,
            from_far: from_member,
            present: std::future::pending(),
            hang_up_after: None,
            left: "the dequeued caller hung up",
        };
        let note = self.bridge(dial, far, None).await;
        unfinished.settle();
        self.voice
            .note(format!("dial of queue {} ended: {note}", party.address));
        DialOutcome::Ended(DialResult {
            status: CallStatus::Completed,
            sid: member.call_sid,
            duration: (shared.clock.now() - started).num_seconds().max(0),
            bridged: true,
            recording: None,
        })
    }
}
