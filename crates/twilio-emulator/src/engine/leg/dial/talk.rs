//! The connected `<Dial>`: the caller and the far end hear each other until one side ends it.
//!
//! What the far end says reaches the caller's ear through the IVR leg's mouth, and what the
//! caller says reaches the far end through the IVR leg's ear, which the parked IVR leg does not
//! use meanwhile; both directions pass through here as they are said (same start, length and
//! cut), so a recording can note them. The far end is a dialled party's own TwiML ([`talk`]),
//! or a caller taken from a queue (`super::queue`). `<Number sendDigits>` keys are played to
//! the party as its own TwiML starts. The bridge ends when the far end leaves (the party's
//! TwiML ends, the dequeued caller hangs up), at `timeLimit`, when the caller presses `*` under
//! `hangupOnStar`, or when the party's `hang_up_after_secs` passes.
//!
//! [`talk`]: LegContext::talk

use std::future::Future;
use std::time::Duration;

use super::record::Taps;
use super::ring::Connected;
use crate::engine::bridge::{forward, line, relay, Ear, Mouth};
use crate::engine::leg::{LegContext, Voice};
use crate::model::{Leg, TwimlSource};
use twilio_wire::twiml::Dial;

/// The other side of a bridge, seen from the caller's leg.
pub(super) struct FarEnd<F> {
    /// What the caller says goes here.
    pub(super) to_far: Mouth,
    /// What the far end says comes from here; the bridge ends when its line is gone.
    pub(super) from_far: Ear,
    /// Runs while the far end is there (its TwiML); the bridge ends when it ends.
    pub(super) present: F,
    /// The far end hangs up by itself this long after the bridge starts.
    pub(super) hang_up_after: Option<Duration>,
    /// Why the bridge ended when the far end left, for the log.
    pub(super) left: &'static str,
}

impl LegContext {
    /// Connects the caller with `connected` until the bridge ends; returns why it ended.
    /// With `taps`, what goes each way is noted for the recording.
    pub(super) async fn talk(
        &self,
        dial: &Dial,
        connected: &Connected,
        taps: Option<Taps>,
    ) -> &'static str {
        self.voice
            .note(format!("connected to {}", connected.party.to));
        let (to_party, party_ear) = line();
        let (party_mouth, from_party) = line();
        let agent = self.party_leg(
            &connected.party,
            party_mouth,
            party_ear,
            connected.fallback.clone(),
        );
        // `<Number sendDigits>`: keys Twilio plays to the party once it answers, on the line the
        // party hears (screening, if any, has run by now: the party's own TwiML starts here).
        let keypad = Voice {
            leg: Leg::Caller,
            call_sid: connected.party.sid.clone(),
            mouth: to_party.clone(),
            ..self.voice.clone()
        };
        let run = async {
            match &connected.voice_url {
                Some((url, method)) => {
                    let source = TwimlSource::Url {
                        url: url.clone(),
                        method: *method,
                    };
                    // Boxed: a leg's run reaches this `<Dial>`, which runs another leg.
                    Box::pin(agent.run(source, "ringing")).await;
                }
                None => std::future::pending().await,
            }
        };
        let present = async {
            tokio::pin!(run);
            if let Some(digits) = &connected.spec.send_digits {
                tokio::select! {
                    () = &mut run => return,
                    () = keypad.press(digits) => {}
                }
            }
            run.await
        };
        let far = FarEnd {
            to_far: to_party,
            from_far: from_party,
            present,
            hang_up_after: connected.hang_up_after,
            left: "the dialled party hung up",
        };
        self.bridge(dial, far, taps).await
    }

    /// Carries sound both ways between the caller and `far` until the bridge ends; returns why.
    pub(super) async fn bridge<F: Future<Output = ()>>(
        &self,
        dial: &Dial,
        far: FarEnd<F>,
        taps: Option<Taps>,
    ) -> &'static str {
        let clock = self.voice.clock;
        let (inbound, outbound) =
            taps.map_or((None, None), |t| (Some(t.inbound), Some(t.outbound)));
        let to_caller = forward(far.from_far, self.voice.mouth.clone(), move |sound| {
            if let Some(tap) = &outbound {
                tap.hear(sound);
            }
        });
        let star = relay(
            self.ear.clone(),
            far.to_far,
            dial.hangup_on_star,
            move |sound| {
                if let Some(tap) = &inbound {
                    tap.hear(sound);
                }
            },
        );
        let limit = dial
            .time_limit
            .map_or(Duration::MAX, |s| Duration::from_secs(u64::from(s)));
        let hang_up_after = far.hang_up_after;
        let limit = hang_up_after.map_or(limit, |h| h.min(limit));
        tokio::select! {
            () = far.present => far.left,
            _ = clock.sleep(limit) => if hang_up_after.is_some_and(|h| h <= limit) {
                far.left
            } else {
                "timeLimit reached"
            },
            _ = star => "the caller pressed *",
            () = to_caller => far.left,
        }
    }
}
