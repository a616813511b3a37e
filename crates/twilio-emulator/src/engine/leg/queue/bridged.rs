//! The dequeued call's side of the bridge: the `<Queue url>` announcement first (its request
//! carries `QueueSid`, `QueueTime` and `DequeingCallSid` besides the call's own parameters),
//! then the caller and the other side hear each other until the other side ends the bridge
//! (its TwiML ends, its caller hangs up, its `timeLimit` passes); a hang-up here ends it from
//! this side.

use super::hold::{HoldEnd, Holding};
use super::Ticket;
use crate::engine::bridge::{forward, relay};
use crate::engine::leg::LegContext;
use crate::engine::queue_hub::BridgeOffer;
use crate::model::TwimlSource;

impl LegContext {
    /// Connects the dequeued caller through `offer` until the other side ends the bridge.
    pub(super) async fn bridged(&self, offer: BridgeOffer, ticket: &Ticket<'_>, queue_time: i64) {
        self.voice
            .note(format!("dequeued by {}", offer.dequeuer_sid));
        if let Some((url, method)) = offer.url {
            let dequeuer = offer.dequeuer_sid.clone();
            let params = || {
                vec![
                    ("QueueSid".to_string(), ticket.queue_sid.clone()),
                    ("QueueTime".to_string(), queue_time.to_string()),
                    ("DequeingCallSid".to_string(), dequeuer.clone()),
                ]
            };
            let source = TwimlSource::Url { url, method };
            if let HoldEnd::Failed(why) = self.hold(source, &params, Holding::Announcing).await {
                self.voice.note(format!("error: {why}"));
            }
        }
        if offer.connected.send(()).is_err() {
            // The other side is gone already.
            return;
        }
        self.voice
            .note(format!("connected to {}", offer.dequeuer_sid));
        let to_other = relay(self.ear.clone(), offer.to_dequeuer, false, |_| {});
        let from_other = forward(offer.from_dequeuer, self.voice.mouth.clone(), |_| {});
        tokio::select! {
            () = to_other => {}
            () = from_other => {}
        }
        self.voice.note("the bridge from the queue ended");
    }
}
