//! The TwiML interpreter of one call leg.
//!
//! A leg runs a document's verbs top to bottom: `<Say>` and `<Play digits>` put sound on the
//! line (taking as long as they would on a phone), `<Gather>` and `<Record>` listen to the other
//! leg, and verbs with an `action` (or `<Redirect>`) fetch the next document. `<Dial>` on the
//! IVR leg parks it while the dialled party talks with the caller (see [`dial`]); `<Enqueue>`
//! holds it in a call queue until it leaves (see [`queue`]). When the verbs run out, or at
//! `<Hangup>` or `<Reject>`, the leg ends and with it the call.

pub mod dial;
mod gather;
mod interim;
mod owed;
mod owned_task;
pub mod queue;
mod record;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use self::gather::Heard;
use super::bridge::{Cut, Ear, Mouth, SoundKind};
use super::webhook::{FetchError, WebhookClient};
use crate::clock::Clock;
use crate::log::EventLog;
use crate::model::{GatherOutcome, Leg, TranscriptLine, TwimlSource, WebhookRequest};
use crate::recogniser::{speaking_time, RecogniserModel};
use crate::store::Store;
use twilio_wire::twiml::{self, HttpMethod, RejectReason, Response, Verb};

pub use crate::model::APPLICATION_ERROR;
/// How long `speechTimeout="auto"` waits after speech ends, in emulated time.
const AUTO_SPEECH_TIMEOUT: Duration = Duration::from_millis(1000);
/// How long one keypad tone lasts.
const KEY_TONE: Duration = Duration::from_millis(200);
/// How long a `<Play>` of an audio URL lasts (the emulator does not fetch media).
const AUDIO_CLIP: Duration = Duration::from_secs(2);
/// At most this many documents per leg, against redirect loops.
const MAX_DOCUMENTS: usize = 1000;

/// How a leg ended.
#[derive(Debug, Clone, PartialEq)]
pub enum LegEnd {
    /// `<Hangup>` or an application error.
    HungUp,
    /// The verbs ran out (a hang-up too, except for `<Number url>` screening TwiML, where it
    /// means the party accepts the call).
    Finished,
    /// `<Reject>` as the first verb of the callee leg.
    Rejected(RejectReason),
    /// `<Dial>` on a leg that cannot dial (the runner's own leg, a dialled party): the call
    /// was transferred to this number.
    Transferred(String),
}

/// Everything a leg needs; one per leg of a call.
pub struct LegContext {
    /// How this leg makes sound and notes what it does.
    pub voice: Voice,
    /// The key webhooks of this leg are signed with.
    pub auth_token: String,
    /// The standard parameters of every request of this leg (without `CallStatus`).
    pub params: Vec<(String, String)>,
    /// Where to go when the leg's TwiML fails.
    pub fallback: Option<(String, HttpMethod)>,
    /// The webhook client.
    pub client: WebhookClient,
    /// What the other leg says arrives here (shared so a redirected leg keeps listening).
    pub ear: Arc<Mutex<Ear>>,
    /// How speech is recognised.
    pub recogniser: Arc<std::sync::Mutex<RecogniserModel>>,
    /// The emulator's base URL, for the `RecordingUrl` of `<Record>`.
    pub api_base_url: String,
    /// Interim results still on their way.
    pub posts: PendingPosts,
    /// How this leg places `<Dial>` calls; `None` where `<Dial>` ends the leg instead.
    pub dialer: Option<dial::Dialer>,
    /// How this leg answers its call; `None` on legs whose call is answered already.
    pub answer: Option<AnswerGate>,
}

/// How the IVR's leg answers its call. Twilio answers an inbound call when its TwiML starts
/// doing something, except a first `<Reject>` (never answered) and a `<Dial answerOnBridge>`,
/// which answers when the dialled party is connected ("If `<Dial>` is the first TwiML verb in
/// your TwiML document, `answerOnBridge="true"` will cause the inbound call to ring until the
/// dialed number answers", `<Dial>` reference). The call engine starts the caller's TwiML
/// and reports `in-progress` when the gate opens. Only the first opening counts.
#[derive(Debug, Clone)]
pub struct AnswerGate(Arc<std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>>);

impl AnswerGate {
    /// A closed gate, and what learns that it opened.
    pub fn new() -> (AnswerGate, tokio::sync::oneshot::Receiver<()>) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        (AnswerGate(Arc::new(std::sync::Mutex::new(Some(tx)))), rx)
    }

    /// Answers the call (once).
    pub fn open(&self) {
        let sender = self.0.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(sender) = sender {
            let _ = sender.send(());
        }
    }
}

/// Requests still on their way when the leg may end (interim results): the call waits for them
/// before it reports its end, so an application gets the words said before a hang-up before
/// it learns that the call completed.
#[derive(Debug, Clone, Default)]
pub struct PendingPosts(Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>);

impl PendingPosts {
    /// Keeps track of a request on its way.
    pub fn add(&self, post: tokio::task::JoinHandle<()>) {
        let mut posts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        posts.retain(|p| !p.is_finished());
        posts.push(post);
    }

    /// Waits until every request so far has been answered, at most until `deadline`.
    pub async fn settle(&self, deadline: tokio::time::Instant) {
        let posts = std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()));
        for post in posts {
            let _ = tokio::time::timeout_at(deadline, post).await;
        }
    }
}

/// The sound-making part of a leg: speaks, presses, plays, and notes it in the transcript.
/// Cloned onto a task for `<Gather>` prompts, which input may interrupt.
#[derive(Debug, Clone)]
pub struct Voice {
    /// Which leg this is.
    pub leg: Leg,
    /// The call SID (transcripts are kept per call).
    pub call_sid: String,
    /// Emulated time.
    pub clock: Clock,
    /// Where transcripts go.
    pub store: Store,
    /// What this leg says reaches the other leg here.
    pub mouth: Mouth,
    /// Speech rate.
    pub words_per_minute: f64,
    /// The emulator's event log.
    pub log: EventLog,
}

impl Voice {
    /// Adds a line to the call's transcript (and the event log).
    pub fn note(&self, text: impl Into<String>) {
        let line = TranscriptLine {
            at: self.clock.now(),
            leg: self.leg,
            text: text.into(),
        };
        let who = match self.leg {
            Leg::Caller => "caller",
            Leg::Callee => "callee",
        };
        self.log
            .event(&format!("{} {who}: {}", self.call_sid, line.text));
        self.store
            .update_call(&self.call_sid, |c| c.transcript.push(line));
    }

    /// Speaks a text: puts it on the line and takes as long as saying it does.
    pub async fn say(&self, text: &str) {
        let emulated = speaking_time(text, self.words_per_minute);
        self.note(format!("says: {text}"));
        self.sound(SoundKind::Speech(text.to_string()), emulated)
            .await;
    }

    /// Puts a sound on the line for its emulated length. Stopped before its end (the future
    /// dropped: a barge-in, a redirect, a hang-up), the sound is cut there, so the other leg
    /// hears only what was played.
    async fn sound(&self, kind: SoundKind, emulated: Duration) {
        struct CutIfStopped(Option<Cut>);
        impl Drop for CutIfStopped {
            fn drop(&mut self) {
                if let Some(cut) = self.0.take() {
                    cut.now();
                }
            }
        }
        let mut playing = CutIfStopped(Some(self.mouth.emit(kind, self.clock.wall(emulated))));
        self.clock.sleep(emulated).await;
        playing.0 = None;
    }

    /// Presses keys; `w` waits half a second, `W` a second.
    pub async fn press(&self, digits: &str) {
        self.note(format!("presses: {digits}"));
        for key in digits.chars() {
            match key {
                'w' => self.clock.sleep(Duration::from_millis(500)).await,
                'W' => self.clock.sleep(Duration::from_secs(1)).await,
                _ => {
                    self.sound(SoundKind::Key(key), KEY_TONE).await;
                }
            }
        }
    }

    /// Plays a sound-making verb (`Say`, `Play`, `Pause`); other verbs make no sound.
    pub async fn play(&self, verb: &Verb) {
        let times = |repeat: u32| if repeat == 0 { 1000 } else { repeat };
        match verb {
            Verb::Say(say) => {
                for _ in 0..times(say.repeat) {
                    self.say(&say.text).await;
                }
            }
            Verb::Play(play) => {
                for _ in 0..times(play.repeat) {
                    if let Some(digits) = &play.digits {
                        self.press(digits).await;
                    }
                    if let Some(url) = &play.url {
                        self.note(format!("plays: {url}"));
                        self.sound(SoundKind::Audio, AUDIO_CLIP).await;
                    }
                }
            }
            Verb::Pause(pause) => {
                self.clock
                    .sleep(Duration::from_secs(u64::from(pause.length)))
                    .await
            }
            _ => {}
        }
    }
}

impl LegContext {
    fn request_params(
        &self,
        call_status: &str,
        extra: Vec<(String, String)>,
    ) -> Vec<(String, String)> {
        let mut params = self.params.clone();
        params.push(("CallStatus".into(), call_status.into()));
        params.extend(extra);
        params
    }

    /// Runs the leg from its first document until it ends.
    pub async fn run(&self, first: TwimlSource, first_status: &str) -> LegEnd {
        let mut next = Some((first, self.request_params(first_status, Vec::new())));
        let mut first_document = true;
        for _ in 0..MAX_DOCUMENTS {
            let Some((source, params)) = next.take() else {
                return LegEnd::Finished;
            };
            let (document, url) = match self.load(&source, &params).await {
                Some(loaded) => loaded,
                None => return self.application_error().await,
            };
            match self.run_document(&document, &url, first_document).await {
                Step::Next(source, params) => next = Some((source, params)),
                Step::End(end) => return end,
            }
            first_document = false;
        }
        self.voice.note("error: too many documents (redirect loop)");
        self.application_error().await
    }

    /// Fetches (or parses) a document, trying the fallback URL once when it fails.
    async fn load(
        &self,
        source: &TwimlSource,
        params: &[(String, String)],
    ) -> Option<(Response, String)> {
        let (url, result) = match source {
            TwimlSource::Inline(xml) => (
                String::new(),
                twiml::parse(xml).map_err(|e| FetchError::Document {
                    url: "Twiml parameter".into(),
                    reason: e.to_string(),
                }),
            ),
            TwimlSource::Url { url, method } => (
                {
                    let request = WebhookRequest {
                        method: if *method == HttpMethod::Get {
                            "GET"
                        } else {
                            "POST"
                        }
                        .into(),
                        url: url.clone(),
                    };
                    self.voice
                        .store
                        .update_call(&self.own_sid(), |c| c.webhooks.push(request));
                    url.clone()
                },
                self.client
                    .fetch_twiml(url, *method, params, &self.auth_token)
                    .await,
            ),
        };
        let error = match result {
            Ok(document) => return Some((document, url)),
            Err(error) => error,
        };
        self.voice.note(format!("error {}: {error}", error.code()));
        let (fallback_url, method) = self.fallback.clone()?;
        let mut fallback_params = params.to_vec();
        fallback_params.push(("ErrorCode".into(), error.code().to_string()));
        fallback_params.push(("ErrorUrl".into(), url));
        match self
            .client
            .fetch_twiml(&fallback_url, method, &fallback_params, &self.auth_token)
            .await
        {
            Ok(document) => Some((document, fallback_url)),
            Err(error) => {
                self.voice
                    .note(format!("error {}: fallback failed: {error}", error.code()));
                None
            }
        }
    }

    /// Answers this leg's call, if it has one to answer.
    fn answer(&self) {
        if let Some(gate) = &self.answer {
            gate.open();
        }
    }

    async fn application_error(&self) -> LegEnd {
        self.answer();
        self.voice.say(APPLICATION_ERROR).await;
        LegEnd::HungUp
    }

    async fn run_document(&self, document: &Response, url: &str, first_document: bool) -> Step {
        for (index, verb) in document.verbs.iter().enumerate() {
            let first_verb = first_document && index == 0;
            match verb {
                // Not answered (yet): see `AnswerGate`.
                Verb::Reject(_) if first_verb => {}
                Verb::Dial(dial) if dial.answer_on_bridge => {}
                _ => self.answer(),
            }
            match verb {
                Verb::Say(_) | Verb::Play(_) | Verb::Pause(_) => self.voice.play(verb).await,
                Verb::Gather(gather) => {
                    let heard = self.gather(gather, url).await;
                    let extra = self.gathered(heard, gather);
                    self.note_gather(url, extra.as_deref());
                    let Some(extra) = extra else {
                        continue;
                    };
                    return self.follow(gather.action.as_deref(), url, gather.method, extra);
                }
                Verb::Record(record) => {
                    let extra = self.record(record, url).await;
                    return self.follow(record.action.as_deref(), url, record.method, extra);
                }
                Verb::Dial(dial) => {
                    let result = match self.dial(dial, url).await {
                        dial::DialOutcome::Ended(result) => result,
                        dial::DialOutcome::CannotDial => {
                            let to = dial.first_address();
                            self.voice.note(format!("transferred to {to}"));
                            return Step::End(LegEnd::Transferred(to.to_string()));
                        }
                        dial::DialOutcome::Refused(why) => {
                            self.voice.note(format!("error: {why}"));
                            return Step::End(self.application_error().await);
                        }
                    };
                    if dial.action.is_some() {
                        return self.follow(
                            dial.action.as_deref(),
                            url,
                            dial.method,
                            result.params(),
                        );
                    }
                }
                Verb::Redirect(redirect) => {
                    return self.follow(Some(&redirect.url), url, redirect.method, Vec::new());
                }
                Verb::Hangup => {
                    self.voice.note("hangs up");
                    return Step::End(LegEnd::HungUp);
                }
                Verb::Reject(reject) => {
                    self.voice.note("rejects the call");
                    return Step::End(if first_verb && self.voice.leg == Leg::Callee {
                        LegEnd::Rejected(reject.reason)
                    } else {
                        LegEnd::HungUp
                    });
                }
                Verb::Enqueue(enqueue) => match self.enqueue(enqueue, url).await {
                    queue::EnqueueOutcome::Left {
                        redirect: Some(source),
                        ..
                    } => return Step::Next(source, self.request_params("in-progress", Vec::new())),
                    queue::EnqueueOutcome::Left { params, .. } => {
                        if enqueue.action.is_some() {
                            let (action, method) = (enqueue.action.as_deref(), enqueue.method);
                            return self.follow(action, url, method, params);
                        }
                    }
                    queue::EnqueueOutcome::Ended(end) => return Step::End(end),
                    queue::EnqueueOutcome::Refused(why) => {
                        self.voice.note(format!("error: {why}"));
                        return Step::End(self.application_error().await);
                    }
                },
                Verb::Leave => self.voice.note("skips <Leave>: the call is not in a queue"),
                Verb::Unsupported { name } if name == "Dial" => self.voice.note(
                    "skips unsupported <Dial>: only <Number>, <Client>, <Sip> and <Queue> are \
                     dialled (<Conference>, <Sim>, <Application>, <WhatsApp> are not emulated)",
                ),
                Verb::Unsupported { name } => {
                    self.voice.note(format!("skips unsupported <{name}>"))
                }
            }
        }
        self.answer();
        self.voice.note("hangs up (no more verbs)");
        Step::End(LegEnd::Finished)
    }

    /// The request an `action` (default: the current document) makes next.
    fn follow(
        &self,
        action: Option<&str>,
        document_url: &str,
        method: HttpMethod,
        extra: Vec<(String, String)>,
    ) -> Step {
        let target = match action {
            Some(action) => resolved(document_url, action),
            None => document_url.to_string(),
        };
        if target.is_empty() {
            // Inline TwiML has no document URL to fall back on: the call ends, as on Twilio.
            self.voice
                .note("error 11100: no action URL for inline TwiML");
            return Step::End(LegEnd::HungUp);
        }
        Step::Next(
            TwimlSource::Url {
                url: target,
                method,
            },
            self.request_params("in-progress", extra),
        )
    }

    /// Keeps what the `<Gather>` of the document at `url` got (`extra`: its action's
    /// parameters, `None` when it heard nothing), for coverage.
    fn note_gather(&self, url: &str, extra: Option<&[(String, String)]>) {
        let param = |name: &str| {
            extra
                .unwrap_or_default()
                .iter()
                .find(|(k, v)| k == name && !v.is_empty())
                .map(|(_, v)| v.clone())
        };
        let (outcome, value) = match (param("Digits"), param("SpeechResult")) {
            (Some(digits), _) => ("digits", Some(digits)),
            (None, Some(speech)) => ("speech", Some(speech)),
            (None, None) => ("timeout", None),
        };
        let gathered = GatherOutcome {
            url: url.to_string(),
            outcome: outcome.to_string(),
            value,
        };
        self.voice
            .store
            .update_call(&self.own_sid(), |c| c.gathers.push(gathered));
    }

    /// This leg's own call SID (the voice notes transcripts on the caller's call instead).
    fn own_sid(&self) -> String {
        self.params
            .iter()
            .find(|(k, _)| k == "CallSid")
            .map_or_else(|| self.voice.call_sid.clone(), |(_, v)| v.clone())
    }

    /// The `action` parameters of what a `<Gather>` heard; `None` when it heard nothing and the
    /// document goes on (no `actionOnEmptyResult`).
    fn gathered(&self, heard: Heard, gather: &twiml::Gather) -> Option<Vec<(String, String)>> {
        Some(match heard {
            Heard::Nothing if !gather.action_on_empty_result => return None,
            Heard::Nothing => Vec::new(),
            Heard::Digits {
                digits,
                finished_on,
            } => {
                self.voice.note(format!("gathered digits: {digits}"));
                let mut p = vec![("Digits".into(), digits)];
                if let Some(key) = finished_on {
                    p.push(("FinishedOnKey".into(), key.to_string()));
                }
                p
            }
            Heard::Speech(texts) => {
                let heard = self.recognise(&texts.join(" "));
                self.voice
                    .note(format!("heard: {} ({:.2})", heard.0, heard.1));
                vec![
                    ("SpeechResult".into(), heard.0),
                    ("Confidence".into(), format!("{:.8}", heard.1)),
                ]
            }
        })
    }

    fn recognise(&self, spoken: &str) -> (String, f64) {
        let mut model = self
            .recogniser
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let heard = model.hear(spoken);
        (heard.text, heard.confidence)
    }
}

/// What a document run leads to.
enum Step {
    Next(TwimlSource, Vec<(String, String)>),
    End(LegEnd),
}

/// `target` resolved against the document it appeared in; as written when the document has no
/// URL (inline TwiML) or cannot be resolved against.
fn resolved(document_url: &str, target: &str) -> String {
    match document_url {
        "" => target.to_string(),
        base => twiml::resolve_url(base, target).unwrap_or_else(|| target.to_string()),
    }
}
