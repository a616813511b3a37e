//! `<Dial>` on the IVR leg: each party it rings is a call leg of its own, with a call resource
//! of its own (`direction` `outbound-dial`, `parent_call_sid` the dialling call).
//!
//! The parties ([`party`]) are looked up in the configuration (`numbers`, `clients`,
//! `unlisted_numbers`) and ring, fail, are busy or answer like a REST call's destination; they
//! ring at once or one after another ([`ring`]). The first to answer and accept (its `url`
//! screening TwiML runs on it privately) is connected to the caller ([`talk`]); the others are
//! cancelled. The IVR leg is parked meanwhile. The caller hears a ringback until a party
//! answers (with `answerOnBridge`, until one is connected, and only then is a call that has
//! not been answered yet answered); `record` makes a recording of the call ([`record`]).
//! A `<Queue>` connects the caller with a queued call instead (`queue`). What the emulator
//! cannot dial (`<Conference>`, `<Sim>`, `<Application>`, `<WhatsApp>`, a `<Queue>` with other
//! nouns or `record`, TaskRouter, answering-machine detection) is refused:
//! the leg ends with an application error whose note names it, instead of a call that goes on
//! as it would not on Twilio.

mod party;
mod queue;
mod record;
mod ring;
mod talk;

use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Mutex;
use tokio::time::Instant;

use self::party::Party;
pub use self::record::Recorded;
use self::record::{DialRecording, Tap};
use self::ring::{NotConnected, Ringing};
use super::owed::OwedAction;
use super::{resolved, LegContext, Voice};
use crate::engine::bridge::{Cut, Ear, Mouth, Sound, SoundKind};
use crate::engine::Shared;
use crate::model::{CallRequest, CallStatus, Leg};
use twilio_wire::twiml::{Dial, DialNoun, HttpMethod};

/// What a leg needs to place `<Dial>` calls: the engine, and the call they belong to.
#[derive(Clone)]
pub struct Dialer {
    /// The engine's shared state (configuration, store, clock).
    pub(crate) shared: Arc<Shared>,
    /// The call whose TwiML dials: the parent of every dialled leg, the IVR's inbound call.
    pub parent_sid: String,
    /// The parent call's request (account, numbers).
    pub request: CallRequest,
}

/// How a `<Dial>` ended, as its `action` is told.
#[derive(Debug, Clone, PartialEq)]
pub struct DialResult {
    /// `DialCallStatus`.
    pub status: CallStatus,
    /// `DialCallSid`: the connected party, or the one whose end the status reports.
    pub sid: String,
    /// `DialCallDuration`: seconds between the party's answer and its end.
    pub duration: i64,
    /// Whether the party was connected to the caller (`DialBridged`).
    pub bridged: bool,
    /// What `record` kept, if anything.
    pub recording: Option<Recorded>,
}

impl DialResult {
    /// The `action` request's parameters besides the standard ones; with a recording, its
    /// `RecordingUrl`, `RecordingSid` and `RecordingDuration`.
    pub fn params(&self) -> Vec<(String, String)> {
        let mut params: Vec<(String, String)> = vec![
            ("DialCallStatus".into(), self.status.as_str().into()),
            ("DialCallSid".into(), self.sid.clone()),
            ("DialCallDuration".into(), self.duration.to_string()),
            ("DialBridged".into(), self.bridged.to_string()),
        ];
        if let Some(recording) = &self.recording {
            params.extend(recording.params());
        }
        params
    }
}

/// What running a `<Dial>` came to.
pub(super) enum DialOutcome {
    /// It ran: its `action` (if any) is told this.
    Ended(DialResult),
    /// This leg cannot dial (the runner's own leg, a dialled party): a transfer.
    CannotDial,
    /// It asks for something the emulator does not emulate; the message names it.
    Refused(String),
}

/// The calls of one `<Dial>` so far, for the `action` requested when it is stopped early.
#[derive(Default)]
struct Progress(StdMutex<Calls>);

#[derive(Default)]
struct Calls {
    /// The first party placed.
    first: Option<String>,
    /// The party connected to the caller.
    connected: Option<String>,
    /// When a queued call was connected to the caller (a dialled party's time is its own
    /// call's, from its answer).
    queued_since: Option<DateTime<Utc>>,
}

impl Progress {
    fn placed(&self, sid: &str) {
        let mut calls = self.0.lock().unwrap_or_else(|p| p.into_inner());
        calls.first.get_or_insert_with(|| sid.to_string());
    }

    fn connected(&self, sid: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).connected = Some(sid.to_string());
    }

    /// A queued call `sid` was connected at `at`.
    fn dequeued(&self, sid: &str, at: DateTime<Utc>) {
        let mut calls = self.0.lock().unwrap_or_else(|p| p.into_inner());
        calls.connected = Some(sid.to_string());
        calls.queued_since = Some(at);
    }
}

/// The longest a ringback plays unless it is cut before: the longest a call lasts.
const RINGBACK_LIMIT: Duration = Duration::from_secs(4 * 3600);

/// The ringback the caller hears while the parties ring: one sound, not speech, on the caller's
/// line from the start of dialling until it is cut, when a party answers (with
/// `answerOnBridge`: when one is connected) or the `<Dial>` ends. Twilio "will play ringback or
/// pass ringback from the carrier" while executing a `<Dial>` (`ringTone`, `<Dial>`
/// reference); `ringTone` chooses a country's cadence, which the emulator does not model.
struct Ringback(Cut);

impl Ringback {
    /// Starts the ringback on `voice`'s line; `tap` notes it for a recording.
    fn start(voice: &Voice, tap: Option<&Tap>) -> Ringback {
        let duration = voice.clock.wall(RINGBACK_LIMIT);
        let start = Instant::now();
        let cut = voice.mouth.emit(SoundKind::Ringback, duration);
        if let Some(tap) = tap {
            tap.hear(&Sound {
                kind: SoundKind::Ringback,
                start,
                duration,
                cut: cut.clone(),
            });
        }
        Ringback(cut)
    }
}

impl Drop for Ringback {
    fn drop(&mut self) {
        self.0.now();
    }
}

/// How a `<Dial>` stopped before its end (the caller hung up) ended, for its `action`: the
/// connected party `completed`, or the first one placed `canceled` (see [`OwedAction`]).
fn stopped_early(dialer: &Dialer, progress: &Progress) -> Vec<(String, String)> {
    let calls = progress.0.lock().unwrap_or_else(|p| p.into_inner());
    let (status, sid) = match (&calls.connected, &calls.first) {
        (Some(sid), _) => (CallStatus::Completed, sid.clone()),
        (None, first) => (CallStatus::Canceled, first.clone().unwrap_or_default()),
    };
    let now = dialer.shared.clock.now();
    let duration = match (&calls.connected, calls.queued_since) {
        (Some(_), Some(since)) => (now - since).num_seconds().max(0),
        (Some(_), None) => dialer
            .shared
            .store
            .call(&sid)
            .and_then(|c| {
                c.duration_secs()
                    .or_else(|| c.start_time.map(|s| (now - s).num_seconds().max(0)))
            })
            .unwrap_or(0),
        (None, _) => 0,
    };
    DialResult {
        status,
        sid,
        duration,
        bridged: calls.connected.is_some(),
        recording: None,
    }
    .params()
}

/// Why the emulator cannot run this `<Dial>`, if it cannot.
fn not_emulated(dial: &Dial) -> Option<String> {
    let queues = dial
        .parties
        .iter()
        .filter(|p| p.noun == DialNoun::Queue)
        .count();
    if queues > 0 && dial.parties.len() > 1 {
        return Some(
            "<Dial><Queue> with other nouns is not emulated: a <Queue> is dialled alone".into(),
        );
    }
    if queues > 0 && dial.record.records() {
        return Some("<Dial record> of a <Queue> is not emulated".into());
    }
    for party in &dial.parties {
        let noun = party.noun.element();
        if !matches!(
            party.noun,
            DialNoun::Number | DialNoun::Client | DialNoun::Sip | DialNoun::Queue
        ) {
            return Some(format!(
                "<Dial><{noun}> is not emulated: the emulator dials <Number>, <Client>, <Sip> \
                 and <Queue>"
            ));
        }
        if party.machine_detection.is_some() {
            return Some(format!(
                "<{noun} machineDetection> is not emulated: the emulator has no answering \
                 machines to detect"
            ));
        }
        let task_router = [
            ("reservationSid", &party.reservation_sid),
            ("postWorkActivitySid", &party.post_work_activity_sid),
        ];
        if let Some((attribute, _)) = task_router.iter().find(|(_, v)| v.is_some()) {
            return Some(format!(
                "<Queue {attribute}> is not emulated: TaskRouter is not emulated"
            ));
        }
    }
    None
}

impl LegContext {
    /// Runs a `<Dial>` of the document at `document_url` to its end. Its `action` is requested
    /// by the caller of this function when the `<Dial>` ends, or by an [`OwedAction`] when the
    /// call ends first.
    pub(super) async fn dial(&self, dial: &Dial, document_url: &str) -> DialOutcome {
        let Some(dialer) = self.dialer.clone() else {
            return DialOutcome::CannotDial;
        };
        if let Some(why) = not_emulated(dial) {
            return DialOutcome::Refused(why);
        }
        if let [party] = dial.parties.as_slice() {
            if party.noun == DialNoun::Queue {
                return self.dial_queue(&dialer, dial, party, document_url).await;
            }
        }
        let from = dial
            .caller_id
            .clone()
            .unwrap_or_else(|| dialer.request.from.clone());
        let progress = Arc::new(Progress::default());
        let mut unfinished = self.owed_dial_action(dial, document_url, &dialer, &progress);
        // Declared after `unfinished`, so dropped (kept, when the caller hangs up) before it.
        let mut recording = DialRecording::new(self, dial, document_url, &dialer.parent_sid);
        if dial.record.from_ringing() {
            if let Some(recording) = &mut recording {
                recording.start((dialer.shared.clock.now(), Instant::now()));
            }
        }
        let ringback = Ringback::start(&self.voice, recording.as_ref().map(|r| &r.taps.outbound));
        let ringing = Ringing {
            dialer: &dialer,
            dial,
            document_url,
            from: &from,
            ringback: ringback.0.clone(),
            progress: &progress,
        };
        let mut connected = match self.ring(&ringing).await {
            Ok(connected) => connected,
            Err(NotConnected { sid, status, .. }) => {
                unfinished.settle();
                // With `answerOnBridge` the call is answered now, for what follows the `<Dial>`.
                self.answer();
                return DialOutcome::Ended(DialResult {
                    status,
                    sid,
                    duration: 0,
                    bridged: false,
                    recording: recording.as_mut().and_then(DialRecording::finish),
                });
            }
        };
        ringback.0.now();
        // With `answerOnBridge`, the call is answered now (otherwise it was before the `<Dial>`).
        self.answer();
        progress.connected(&connected.party.sid);
        if let (Some(recording), Some(answered)) = (&mut recording, connected.party.answered_at()) {
            recording.start(answered);
        }
        let taps = recording.as_ref().map(|r| r.taps.clone());
        let note = self.talk(dial, &connected, taps).await;
        unfinished.settle();
        let recorded = recording.as_mut().and_then(DialRecording::finish);
        let extra = recorded.as_ref().map(Recorded::params).unwrap_or_default();
        let duration = connected.party.finish(CallStatus::Completed, note, extra);
        self.voice
            .note(format!("dial of {} ended: {note}", connected.party.to));
        DialOutcome::Ended(DialResult {
            status: CallStatus::Completed,
            sid: connected.party.sid.clone(),
            duration,
            bridged: true,
            recording: recorded,
        })
    }

    /// The `<Dial>`'s `action`, owed until the `<Dial>` ends on its own; `progress` says how far
    /// it got when the caller hangs up first.
    fn owed_dial_action(
        &self,
        dial: &Dial,
        document_url: &str,
        dialer: &Dialer,
        progress: &Arc<Progress>,
    ) -> OwedAction<impl FnOnce() -> Vec<(String, String)>> {
        let (dialer, progress) = (dialer.clone(), progress.clone());
        OwedAction::new(
            self,
            dial.action.as_deref(),
            dial.method,
            document_url,
            move || stopped_early(&dialer, &progress),
        )
    }

    /// A leg for the dialled party: its own call, webhooks as its own, and its TwiML's own
    /// `<Dial>` ends it (no nested dialling).
    fn party_leg(
        &self,
        party: &Party,
        mouth: Mouth,
        ear: Ear,
        fallback: Option<(String, HttpMethod)>,
    ) -> LegContext {
        LegContext {
            voice: Voice {
                leg: Leg::Callee,
                call_sid: party.sid.clone(),
                mouth,
                ..self.voice.clone()
            },
            auth_token: self.auth_token.clone(),
            params: party.params.clone(),
            fallback,
            client: self.client.clone(),
            ear: Arc::new(Mutex::new(ear)),
            recogniser: self.recogniser.clone(),
            api_base_url: self.api_base_url.clone(),
            posts: self.posts.clone(),
            dialer: None,
            answer: None,
        }
    }
}
