//! Ringing a `<Dial>`'s parties until one answers and accepts the call.
//!
//! All parties ring at once (Twilio's simultaneous dialling: "the first call that connects will
//! cancel all the other attempts", `<Sip>` reference), or with `sequential="true"` one after
//! another in document order ("call up to ten agents one after the other", `<Dial>`
//! reference), each for the `<Dial>`'s `timeout` (Twilio does not say whether the timeout is
//! per party; here each gets all of it). A party that answers runs its `url` screening TwiML
//! privately; it is connected only if the screening runs out of verbs, so that a party whose
//! screening hangs up (a voicemail that cannot press 1) does not end the others' ringing.

use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};

use super::party::Party;
use super::{resolved, Dialer, Progress};
use crate::engine::bridge::{line, Cut};
use crate::engine::leg::{LegContext, LegEnd};
use crate::engine::Destination;
use crate::model::{CallStatus, TwimlSource};
use twilio_wire::twiml::{Dial, DialParty, HttpMethod};

/// How long a busy party takes to answer with its busy signal (as for REST calls).
const BUSY_AFTER: Duration = Duration::from_secs(2);

/// A party that answered and accepted the call: ready to be connected.
pub(super) struct Connected {
    /// Its call.
    pub(super) party: Party,
    /// Its noun, for `sendDigits`.
    pub(super) spec: DialParty,
    /// Its own TwiML (what the person or IVR at that number does), if any.
    pub(super) voice_url: Option<(String, HttpMethod)>,
    /// Where its TwiML goes when it fails.
    pub(super) fallback: Option<(String, HttpMethod)>,
    /// It hangs up by itself this long after answering.
    pub(super) hang_up_after: Option<Duration>,
}

/// A party that was not connected: its place in the `<Dial>`, its call, how it ended.
pub(super) struct NotConnected {
    index: usize,
    /// Its `CallSid`.
    pub(super) sid: String,
    /// What the `<Dial>` reports for it (`no-answer` for a party that declined at screening).
    pub(super) status: CallStatus,
}

/// What the parties of one `<Dial>` share while they ring.
pub(super) struct Ringing<'a> {
    pub(super) dialer: &'a Dialer,
    pub(super) dial: &'a Dial,
    pub(super) document_url: &'a str,
    /// The dialled legs' `From`.
    pub(super) from: &'a str,
    /// The caller's ringback, which stops when a party answers (with `answerOnBridge`: when it
    /// is connected).
    pub(super) ringback: Cut,
    pub(super) progress: &'a Progress,
}

impl LegContext {
    /// Rings the parties of a `<Dial>`: the first to answer and accept, or, when none does, the
    /// one whose end the `<Dial>` reports (see [`outcome`]).
    pub(super) async fn ring(&self, ringing: &Ringing<'_>) -> Result<Connected, NotConnected> {
        let parties = ringing.dial.parties.iter().enumerate();
        let mut failed = Vec::new();
        if ringing.dial.sequential {
            for (index, spec) in parties {
                match self.attempt(ringing, index, spec).await {
                    Ok(connected) => return Ok(connected),
                    Err(not) => failed.push(not),
                }
            }
        } else {
            let mut attempts: FuturesUnordered<_> = parties
                .map(|(index, spec)| self.attempt(ringing, index, spec))
                .collect();
            while let Some(result) = attempts.next().await {
                match result {
                    // Dropping the other attempts cancels their calls.
                    Ok(connected) => return Ok(connected),
                    Err(not) => failed.push(not),
                }
            }
        }
        Err(outcome(failed))
    }

    /// Places and rings one party; screens it once it answers.
    async fn attempt(
        &self,
        ringing: &Ringing<'_>,
        index: usize,
        spec: &DialParty,
    ) -> Result<Connected, NotConnected> {
        let dial = ringing.dial;
        let (mut party, destination) = Party::place(
            self,
            ringing.dialer,
            spec,
            ringing.document_url,
            ringing.from,
            dial.timeout,
        );
        ringing.progress.placed(&party.sid);
        let clock = ringing.dialer.shared.clock;
        let timeout = Duration::from_secs(u64::from(dial.timeout));
        let answered = match destination {
            Destination::Failed => Err(CallStatus::Failed),
            Destination::Busy => {
                party.ringing();
                clock.sleep(BUSY_AFTER).await;
                Err(CallStatus::Busy)
            }
            Destination::NoAnswer => {
                party.ringing();
                clock.sleep(timeout).await;
                Err(CallStatus::NoAnswer)
            }
            Destination::Answers {
                voice_url,
                fallback,
                rings,
                hang_up_after,
            } => {
                party.ringing();
                let ring_for = ringing.dialer.shared.settings.ring * rings;
                if ring_for > timeout {
                    clock.sleep(timeout).await;
                    Err(CallStatus::NoAnswer)
                } else {
                    clock.sleep(ring_for).await;
                    Ok((voice_url, fallback, hang_up_after))
                }
            }
        };
        // Ends the party's call with `status`; the `<Dial>` reports `reported` for it.
        let not_connected =
            |party: &mut Party, status: CallStatus, reported: CallStatus, note: &str| {
                party.finish(status, note, Vec::new());
                self.voice
                    .note(format!("dial of {}: {}", party.to, reported.as_str()));
                NotConnected {
                    index,
                    sid: party.sid.clone(),
                    status: reported,
                }
            };
        let (voice_url, fallback, hang_up_after) = match answered {
            Ok(answered) => answered,
            Err(status) => {
                let note = format!("{} after dialling", status.as_str());
                return Err(not_connected(&mut party, status, status, &note));
            }
        };
        party.answer();
        if !dial.answer_on_bridge {
            ringing.ringback.now();
        }
        if let Some(url) = &spec.url {
            // Screening: heard by the party only; the caller hears nothing of it (or, with
            // `answerOnBridge`, the ringback goes on).
            let (private_mouth, _unheard) = line();
            let (_silent, private_ear) = line();
            let screening = self.party_leg(&party, private_mouth, private_ear, fallback.clone());
            let source = TwimlSource::Url {
                url: resolved(ringing.document_url, url),
                method: spec.url_method,
            };
            // Boxed: a leg's run reaches this `<Dial>`, which runs another leg.
            let end = Box::pin(screening.run(source, "in-progress")).await;
            if end != LegEnd::Finished {
                // Twilio's `<Number>` documentation ("TwiML Voice: <Number>", attribute `url`)
                // offers the screening TwiML "a chance to decline the phone call using
                // <Gather> and <Hangup>"; it names no status for it. A declined call was not
                // taken, so the emulator reports `no-answer`, with `DialBridged=false`; the
                // party's own call was answered, so it ends `completed`.
                return Err(not_connected(
                    &mut party,
                    CallStatus::Completed,
                    CallStatus::NoAnswer,
                    "declined when screened",
                ));
            }
        }
        Ok(Connected {
            party,
            spec: spec.clone(),
            voice_url,
            fallback,
            hang_up_after,
        })
    }
}

/// What a `<Dial>` reports when no party was connected. Twilio documents no rule for several
/// parties; the emulator's: `no-answer` if any party rang unanswered (or declined), else `busy`
/// if any was busy, else `failed` (so one party's status is reported as is). `DialCallSid` is
/// the first party, in document order, that ended so.
fn outcome(failed: Vec<NotConnected>) -> NotConnected {
    let rank = |status: CallStatus| match status {
        CallStatus::NoAnswer => 0,
        CallStatus::Busy => 1,
        _ => 2,
    };
    failed
        .into_iter()
        .min_by_key(|not| (rank(not.status), not.index))
        .unwrap_or(NotConnected {
            index: 0,
            sid: String::new(),
            status: CallStatus::NoAnswer,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn not(index: usize, status: CallStatus) -> NotConnected {
        NotConnected {
            index,
            sid: format!("CA{index}"),
            status,
        }
    }

    #[test]
    fn the_dial_reports_no_answer_before_busy_before_failed() {
        let pick = |failed: Vec<NotConnected>| {
            let o = outcome(failed);
            (o.sid, o.status)
        };
        assert_eq!(
            pick(vec![
                not(0, CallStatus::Failed),
                not(1, CallStatus::Busy),
                not(2, CallStatus::NoAnswer),
                not(3, CallStatus::NoAnswer)
            ]),
            ("CA2".into(), CallStatus::NoAnswer)
        );
        assert_eq!(
            pick(vec![not(1, CallStatus::Busy), not(0, CallStatus::Busy)]),
            ("CA0".into(), CallStatus::Busy)
        );
        assert_eq!(
            pick(vec![not(0, CallStatus::Failed), not(1, CallStatus::Busy)]),
            ("CA1".into(), CallStatus::Busy)
        );
        assert_eq!(
            pick(vec![not(0, CallStatus::Failed)]),
            ("CA0".into(), CallStatus::Failed)
        );
    }
}
