//! `<Dial>` on the IVR leg: the dialled party is a call leg of its own, with a call resource of
//! its own (`direction` `outbound-dial`, `parent_call_sid` the dialling call).
//!
//! The party is looked up in the configuration (`numbers`, `clients`, `unlisted_numbers`) and
//! rings, fails, is busy or answers like a REST call's destination. Once it answers, the
//! `<Number url>` screening TwiML runs on it privately, then it is bridged to the caller: what it
//! says reaches the caller's ear through the IVR leg's mouth, and what the caller says reaches
//! it through the IVR leg's ear, which the parked IVR leg does not use meanwhile. The bridge
//! ends when the party's TwiML ends, at `timeLimit`, when the caller presses `*` under
//! `hangupOnStar`, or when the party's `hang_up_after_secs` passes.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use super::{resolved, LegContext, LegEnd, PendingPosts, Voice};
use crate::emulator::engine::bridge::{line, Ear, Mouth, SoundKind};
use crate::emulator::engine::{Destination, Shared};
use crate::emulator::model::{CallRecord, CallRequest, CallStatus, Leg, TwimlSource};
use crate::twilio::sid::new_sid;
use crate::twilio::twiml::{Dial, DialNoun, HttpMethod};

/// How long a busy party takes to answer with its busy signal (as for REST calls).
const BUSY_AFTER: Duration = Duration::from_secs(2);

/// What a leg needs to place `<Dial>` calls: the engine, and the call they belong to.
#[derive(Clone)]
pub struct Dialer {
    /// The engine's shared state (configuration, store, clock).
    pub(crate) shared: Arc<Shared>,
    /// The call whose TwiML dials: the parent of every dialled leg. Both legs of an emulated
    /// call share one call resource, so this is the caller's call.
    pub parent_sid: String,
    /// The parent call's request (account, numbers).
    pub request: CallRequest,
}

/// How a `<Dial>` ended, as its `action` is told.
#[derive(Debug, Clone, PartialEq)]
pub struct DialResult {
    /// `DialCallStatus`.
    pub status: CallStatus,
    /// `DialCallSid`.
    pub sid: String,
    /// `DialCallDuration`: seconds between the party's answer and its end.
    pub duration: i64,
    /// Whether the party was connected to the caller (`DialBridged`).
    pub bridged: bool,
}

impl DialResult {
    /// The `action` request's parameters besides the standard ones.
    pub fn params(&self) -> Vec<(String, String)> {
        vec![
            ("DialCallStatus".into(), self.status.as_str().into()),
            ("DialCallSid".into(), self.sid.clone()),
            ("DialCallDuration".into(), self.duration.to_string()),
            ("DialBridged".into(), self.bridged.to_string()),
        ]
    }
}

/// The `action` request still owed: URL, method, standard parameters, signing key.
type PendingAction = (String, HttpMethod, Vec<(String, String)>, String);

/// Ends the dialled call when the `<Dial>` is stopped before its end (the caller hung up: the
/// IVR leg is aborted): the party's call ends too, and the `action`, if any, is still requested
/// with `CallStatus=completed`, as Twilio does, so a Studio flow can take its `hangup` path.
/// The request is kept in the leg's pending posts, which the call waits for.
struct Unfinished {
    dialer: Dialer,
    sid: String,
    answered: bool,
    action: Option<PendingAction>,
    client: crate::emulator::engine::webhook::WebhookClient,
    posts: PendingPosts,
    done: bool,
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let status = if self.answered {
            CallStatus::Completed
        } else {
            CallStatus::Canceled
        };
        let duration = finish(&self.dialer, &self.sid, status, "the caller hung up");
        let Some((url, method, mut params, token)) = self.action.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        params.extend(
            DialResult {
                status,
                sid: self.sid.clone(),
                duration,
                bridged: self.answered,
            }
            .params(),
        );
        let client = self.client.clone();
        self.posts.add(tokio::spawn(async move {
            let _ = client.send(&url, method, &params, &token).await;
        }));
    }
}

/// Sets a dialled call's final status and end time; returns its duration in seconds.
fn finish(dialer: &Dialer, sid: &str, status: CallStatus, note: &str) -> i64 {
    let now = dialer.shared.clock.now();
    dialer
        .shared
        .log
        .event(&format!("{sid} {} ({note})", status.as_str()));
    dialer
        .shared
        .store
        .update_call(sid, |c| {
            c.status = status;
            c.end_time = Some(now);
            c.date_updated = now;
            c.duration_secs().unwrap_or(0)
        })
        .unwrap_or(0)
}

impl LegContext {
    /// Runs a `<Dial>` of the document at `document_url` to its end. Its `action` is requested
    /// by the caller of this function when the `<Dial>` ends, or by [`Unfinished`] when the
    /// call ends first. `None` when this leg cannot dial (the runner's own leg).
    pub(super) async fn dial(&self, dial: &Dial, document_url: &str) -> Option<DialResult> {
        let dialer = self.dialer.clone()?;
        let target = dial.parties.first()?;
        let action = dial.action.as_deref().map(|a| resolved(document_url, a));
        let screening_url = target.url.as_deref().map(|u| resolved(document_url, u));
        let settings = &dialer.shared.settings;
        let (to, destination) = match target.noun {
            DialNoun::Number => (
                target.address.clone(),
                settings.destinations.get(&target.address).cloned(),
            ),
            DialNoun::Client => (
                format!("client:{}", target.address),
                settings.clients.get(&target.address).cloned(),
            ),
            _ => (
                target.address.clone(),
                settings.clients.get(&target.address).cloned(),
            ),
        };
        let destination = destination.unwrap_or_else(|| match target.noun {
            DialNoun::Number => settings.unlisted.clone(),
            _ => Destination::NoAnswer,
        });
        let from = dial
            .caller_id
            .clone()
            .unwrap_or_else(|| dialer.request.from.clone());
        let sid = new_sid("CA");
        let now = dialer.shared.clock.now();
        let mut request = dialer.request.clone();
        request.to = to.clone();
        request.from = from.clone();
        request.status_callback = None;
        request.record = false;
        request.send_digits = None;
        request.timeout_secs = dial.timeout;
        dialer.shared.store.insert_call(CallRecord::new(
            sid.clone(),
            request,
            CallStatus::Ringing,
            now,
            Some(dialer.parent_sid.clone()),
        ));
        self.voice.note(format!("dials {to} ({sid})"));
        dialer
            .shared
            .log
            .event(&format!("{sid} ringing (dialled by {})", dialer.parent_sid));
        let mut unfinished = Unfinished {
            dialer: dialer.clone(),
            sid: sid.clone(),
            answered: false,
            action: action.map(|url| {
                (
                    url.to_string(),
                    dial.method,
                    self.request_params("completed", Vec::new()),
                    self.auth_token.clone(),
                )
            }),
            client: self.client.clone(),
            posts: self.posts.clone(),
            done: false,
        };
        let clock = dialer.shared.clock;
        let timeout = Duration::from_secs(u64::from(dial.timeout));
        let unanswered = |status: CallStatus, after: Duration| async move {
            clock.sleep(after).await;
            status
        };
        let answered = match destination {
            Destination::Failed => Err(CallStatus::Failed),
            Destination::Busy => Err(unanswered(CallStatus::Busy, BUSY_AFTER).await),
            Destination::NoAnswer => Err(unanswered(CallStatus::NoAnswer, timeout).await),
            Destination::Answers {
                voice_url,
                fallback,
                rings,
                hang_up_after,
            } => {
                let ringing = settings.ring * rings;
                if ringing > timeout {
                    Err(unanswered(CallStatus::NoAnswer, timeout).await)
                } else {
                    clock.sleep(ringing).await;
                    Ok((voice_url, fallback, hang_up_after))
                }
            }
        };
        let (voice_url, fallback, hang_up_after) = match answered {
            Ok(answered) => answered,
            Err(status) => {
                unfinished.done = true;
                let note = format!("{} after dialling", status.as_str());
                finish(&dialer, &sid, status, &note);
                self.voice
                    .note(format!("dial of {to}: {}", status.as_str()));
                return Some(DialResult {
                    status,
                    sid,
                    duration: 0,
                    bridged: false,
                });
            }
        };
        let now = clock.now();
        dialer.shared.store.update_call(&sid, |c| {
            c.status = CallStatus::InProgress;
            c.start_time = Some(now);
            c.date_updated = now;
        });
        unfinished.answered = true;
        dialer.shared.log.event(&format!("{sid} in-progress"));

        let party = |mouth: Mouth, ear: Ear| LegContext {
            voice: Voice {
                leg: Leg::Callee,
                call_sid: sid.clone(),
                mouth,
                ..self.voice.clone()
            },
            auth_token: self.auth_token.clone(),
            params: party_params(&self.params, &sid, &from, &to, &dialer.parent_sid),
            fallback: fallback.clone(),
            client: self.client.clone(),
            ear: Arc::new(Mutex::new(ear)),
            recogniser: self.recogniser.clone(),
            api_base_url: self.api_base_url.clone(),
            posts: self.posts.clone(),
            // A dialled party's own `<Dial>` ends its leg (no nested dialling).
            dialer: None,
        };
        let (status, bridged, note) = 'talk: {
            if let Some(url) = screening_url {
                // Screening: heard by the party only; the caller hears nothing of it.
                let (private_mouth, _unheard) = line();
                let (_silent, private_ear) = line();
                let screening = party(private_mouth, private_ear);
                let source = TwimlSource::Url {
                    url,
                    method: target.url_method,
                };
                // Boxed: a leg's run reaches this `<Dial>`, which runs another leg.
                let end = Box::pin(screening.run(source, "in-progress")).await;
                if end != LegEnd::Finished {
                    // Twilio's `<Number>` documentation ("TwiML Voice: <Number>", attribute
                    // `url`) offers the screening TwiML "a chance to decline the phone call
                    // using <Gather> and <Hangup>"; it names no status for it. A declined call
                    // was not taken, so the emulator reports `no-answer`, with
                    // `DialBridged=false`.
                    break 'talk (CallStatus::NoAnswer, false, "declined when screened");
                }
            }
            self.voice.note(format!("connected to {to}"));
            let (relay_mouth, party_ear) = line();
            let agent = party(self.voice.mouth.clone(), party_ear);
            let star = relay(self.ear.clone(), relay_mouth, dial.hangup_on_star);
            let limit = dial
                .time_limit
                .map_or(Duration::MAX, |s| Duration::from_secs(u64::from(s)));
            let limit = hang_up_after.map_or(limit, |h| h.min(limit));
            let talk = async {
                match voice_url {
                    Some((url, method)) => {
                        Box::pin(agent.run(TwimlSource::Url { url, method }, "ringing")).await
                    }
                    None => std::future::pending().await,
                }
            };
            let note = tokio::select! {
                _ = talk => "the dialled party hung up",
                _ = clock.sleep(limit) => if hang_up_after.is_some_and(|h| h <= limit) {
                    "the dialled party hung up"
                } else {
                    "timeLimit reached"
                },
                _ = star => "the caller pressed *",
            };
            (CallStatus::Completed, true, note)
        };
        unfinished.done = true;
        let duration = finish(&dialer, &sid, CallStatus::Completed, note);
        self.voice.note(format!("dial of {to} ended: {note}"));
        Some(DialResult {
            status,
            sid,
            duration,
            bridged,
        })
    }
}

/// Relays what the caller says to the dialled party until `*` is pressed under `hangupOnStar`
/// (then it returns); otherwise it never returns. The IVR leg is parked meanwhile, so its ear
/// is free; sounds relayed here are not heard by the IVR later, as on a real bridge.
async fn relay(ear: Arc<Mutex<Ear>>, to_party: Mouth, hangup_on_star: bool) {
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
        to_party.relay(sound);
    }
}

/// The standard parameters of the dialled leg's requests: its own `CallSid`, `From` and `To`,
/// `Direction` `outbound-dial`, and the `ParentCallSid`.
fn party_params(
    base: &[(String, String)],
    sid: &str,
    from: &str,
    to: &str,
    parent: &str,
) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = base
        .iter()
        .map(|(k, v)| {
            let v = match k.as_str() {
                "CallSid" => sid.to_string(),
                "Direction" => "outbound-dial".to_string(),
                "From" | "Caller" => from.to_string(),
                "To" | "Called" => to.to_string(),
                _ => v.clone(),
            };
            (k.clone(), v)
        })
        .collect();
    params.push(("ParentCallSid".into(), parent.to_string()));
    params
}
