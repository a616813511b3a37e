//! The connected `<Dial>`: the caller and the party hear each other until one side ends it.
//!
//! What the party says reaches the caller's ear through the IVR leg's mouth, and what the
//! caller says reaches the party through the IVR leg's ear, which the parked IVR leg does not
//! use meanwhile; both directions pass through here as they are said (same start, length and
//! cut), so a recording can note them. `<Number sendDigits>` keys are played to the party as
//! its own TwiML starts. The bridge ends when the party's TwiML ends, at `timeLimit`, when the
//! caller presses `*` under `hangupOnStar`, or when the party's `hang_up_after_secs` passes.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use super::record::{Tap, Taps};
use super::ring::Connected;
use crate::engine::bridge::{line, Ear, Mouth, SoundKind};
use crate::engine::leg::{LegContext, Voice};
use crate::model::{Leg, TwimlSource};
use twilio_wire::twiml::Dial;

impl LegContext {
    /// Connects the caller with `connected` until the bridge ends; returns why it ended.
    /// With `taps`, what goes each way is noted for the recording.
    pub(super) async fn talk(
        &self,
        dial: &Dial,
        connected: &Connected,
        taps: Option<Taps>,
    ) -> &'static str {
        let clock = self.voice.clock;
        self.voice
            .note(format!("connected to {}", connected.party.to));
        let (inbound, outbound) =
            taps.map_or((None, None), |t| (Some(t.inbound), Some(t.outbound)));
        let (relay_mouth, party_ear) = line();
        let (party_mouth, party_out) = line();
        let agent = self.party_leg(
            &connected.party,
            party_mouth,
            party_ear,
            connected.fallback.clone(),
        );
        // What the party says reaches the caller as it is said (same start, length and cut).
        let to_caller = forward(party_out, self.voice.mouth.clone(), outbound);
        // `<Number sendDigits>`: keys Twilio plays to the party once it answers, on the line the
        // party hears (screening, if any, has run by now: the party's own TwiML starts here).
        let keypad = Voice {
            leg: Leg::Caller,
            call_sid: connected.party.sid.clone(),
            mouth: relay_mouth.clone(),
            ..self.voice.clone()
        };
        let star = relay(self.ear.clone(), relay_mouth, dial.hangup_on_star, inbound);
        let limit = dial
            .time_limit
            .map_or(Duration::MAX, |s| Duration::from_secs(u64::from(s)));
        let hang_up_after = connected.hang_up_after;
        let limit = hang_up_after.map_or(limit, |h| h.min(limit));
        let run = async {
            match &connected.voice_url {
                Some((url, method)) => {
                    let source = TwimlSource::Url {
                        url: url.clone(),
                        method: *method,
                    };
                    // Boxed: a leg's run reaches this `<Dial>`, which runs another leg.
                    Box::pin(agent.run(source, "ringing")).await
                }
                None => std::future::pending().await,
            }
        };
        let talk = async {
            tokio::pin!(run);
            if let Some(digits) = &connected.spec.send_digits {
                tokio::select! {
                    end = &mut run => return end,
                    () = keypad.press(digits) => {}
                }
            }
            run.await
        };
        tokio::select! {
            _ = talk => "the dialled party hung up",
            _ = clock.sleep(limit) => if hang_up_after.is_some_and(|h| h <= limit) {
                "the dialled party hung up"
            } else {
                "timeLimit reached"
            },
            _ = star => "the caller pressed *",
            () = to_caller => "the dialled party hung up",
        }
    }
}

/// Relays what the caller says to the dialled party until `*` is pressed under `hangupOnStar`
/// (then it returns); otherwise it never returns. The IVR leg is parked meanwhile, so its ear
/// is free; sounds relayed here are not heard by the IVR later, as on a real bridge.
async fn relay(ear: Arc<Mutex<Ear>>, to_party: Mouth, hangup_on_star: bool, tap: Option<Tap>) {
    let mut ear = ear.lock().await;
    ear.start_listening();
    loop {
        let far = tokio::time::Instant::now() + Duration::from_secs(86_400);
        let Some(sound) = ear.next_until(far).await else {
            if tokio::time::Instant::now() < far {
                // The caller's side of the line is gone: nothing more to relay.
                return std::future::pending().await;
            }
            continue;
        };
        if hangup_on_star && sound.kind == SoundKind::Key('*') {
            return;
        }
        if let Some(tap) = &tap {
            tap.hear(&sound);
        }
        to_party.relay(sound);
    }
}

/// Passes what the party says on to the caller, noting it on `tap`, until the party's side of
/// the line is gone.
async fn forward(mut from_party: Ear, to_caller: Mouth, tap: Option<Tap>) {
    loop {
        let far = tokio::time::Instant::now() + Duration::from_secs(86_400);
        match from_party.next_until(far).await {
            Some(sound) => {
                if let Some(tap) = &tap {
                    tap.hear(&sound);
                }
                to_caller.relay(sound);
            }
            None if tokio::time::Instant::now() < far => return,
            None => {}
        }
    }
}
