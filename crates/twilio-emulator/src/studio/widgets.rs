//! Widgets as the emulator runs them: each flow state's type, properties (as Liquid templates)
//! and events, checked when the flow is loaded.
//!
//! | type | properties used | events |
//! |---|---|---|
//! | `trigger` | | `incomingCall` (others: messages, REST API; never fired here) |
//! | `say-play` | `say`, `play`, `digits`, `voice`, `language`, `loop` | `audioComplete` |
//! | `gather-input-on-call` | the same prompt, `stop_gather`, `finish_on_key`, `number_of_digits`, `timeout`, `speech_timeout`, `gather_language`, `hints`, `speech_model` | `keypress`, `speech`, `timeout` |
//! | `split-based-on` | `input`; conditions on `match` transitions | `match`, `noMatch` |
//! | `set-variables` | `variables` (key, value) | `next` |
//! | `send-message` | `body`, `to`, `from`, `media_url` | `sent`, `failed` |
//! | `make-http-request` | `method`, `url`, `content_type`, `body`, `parameters` | `success`, `failed` |
//! | `run-function` | `url`, `parameters` (a POST to the Function's URL) | `success`, `fail` |
//! | `add-twiml-redirect` | `url`, `method`, `timeout` | `return`, `timeout`, `fail` |
//! | `connect-call-to` | `noun`, `to`, `sip_endpoint`, `caller_id`, `record`, `timeout` | `callCompleted` (the dialled leg ended, answered or not), `hangup` (the caller hung up) |
//! | `record-voicemail` | `timeout`, `max_length`, `finish_on_key`, `play_beep`, `transcribe`, `transcription_callback_url` | `recordingComplete`, `noAudio`, `hangup` |
//! | `enqueue-call` | `queue_name`, `wait_url`, `wait_url_method` (the TaskRouter form, `workflow_sid`, is not run) | `callComplete` (the call left the queue), `failedToEnqueue` (the queue was full), `callFailure` (an error) |
//!
//! `super::build` makes them from a flow's states. Other properties (the editor's `offset`, `profanity_filter`, `trim`, ...) are accepted
//! and ignored: they change nothing an emulated call can observe.

use std::collections::HashMap;

use super::conditions::Predicate;
use super::liquid::Template;

/// A widget ready to run.
#[derive(Debug, Clone)]
pub struct Widget {
    /// Its name in the flow.
    pub name: String,
    /// What it does.
    pub kind: Kind,
    /// Where each event leads; `None` ends the execution.
    pub next: HashMap<String, Option<String>>,
}

impl Widget {
    /// The widget an event leads to, if any.
    pub fn next_for(&self, event: &str) -> Option<&str> {
        self.next.get(event).and_then(|n| n.as_deref())
    }
}

/// A widget type with its checked properties.
#[derive(Debug, Clone)]
pub enum Kind {
    /// `trigger`.
    Trigger,
    /// `say-play`.
    SayPlay(Prompt),
    /// `gather-input-on-call`.
    Gather(Gather),
    /// `split-based-on`.
    Split(Vec<Branch>),
    /// `set-variables`.
    SetVariables(Vec<(String, Template)>),
    /// `send-message`.
    SendMessage(SendMessage),
    /// `make-http-request`, or `run-function` (a POST of its parameters to the Function's URL).
    Http(Http),
    /// `add-twiml-redirect`.
    Redirect(Redirect),
    /// `connect-call-to`.
    Connect(Connect),
    /// `record-voicemail`.
    Record(Record),
    /// `enqueue-call` with a queue name.
    Enqueue(Enqueue),
    /// A Studio widget the emulator does not run, accepted only where no call reaches it.
    NotRun(&'static str),
}

/// What a `say-play` (or a gather's prompt) plays.
#[derive(Debug, Clone, Default)]
pub struct Prompt {
    /// Text to speak.
    pub say: Option<Template>,
    /// Audio URL.
    pub play: Option<Template>,
    /// Keys to play (`say-play` only).
    pub digits: Option<Template>,
    /// `voice`.
    pub voice: Option<Template>,
    /// `language`.
    pub language: Option<Template>,
    /// `loop`.
    pub repeat: Option<Template>,
}

/// `gather-input-on-call`.
#[derive(Debug, Clone)]
pub struct Gather {
    /// The prompt played while listening.
    pub prompt: Prompt,
    /// Listen for speech: the `speech` event leads somewhere (Studio's rule).
    pub speech: bool,
    /// `stop_gather`: whether `finish_on_key` ends the input (default true).
    pub stop_gather: Option<Template>,
    /// `finish_on_key` (default `#`).
    pub finish_on_key: Option<Template>,
    /// `number_of_digits`.
    pub number_of_digits: Option<Template>,
    /// `timeout` in seconds (default 5).
    pub timeout: Option<Template>,
    /// `speech_timeout`: seconds or `auto`.
    pub speech_timeout: Option<Template>,
    /// `gather_language`.
    pub language: Option<Template>,
    /// `hints`.
    pub hints: Option<Template>,
    /// `speech_model`.
    pub speech_model: Option<Template>,
}

/// A `match` transition of `split-based-on`.
#[derive(Debug, Clone)]
pub struct Branch {
    /// All must hold.
    pub conditions: Vec<Check>,
    /// Where it leads.
    pub next: Option<String>,
}

/// One condition.
#[derive(Debug, Clone)]
pub struct Check {
    /// The predicate.
    pub predicate: Predicate,
    /// The tested value (the condition's argument, else the widget's `input`).
    pub subject: Template,
    /// The value compared with.
    pub value: Template,
}

/// `send-message`.
#[derive(Debug, Clone)]
pub struct SendMessage {
    /// `to` (default: the caller).
    pub to: Option<Template>,
    /// `from` (default: the flow's number).
    pub from: Option<Template>,
    /// `body`.
    pub body: Template,
    /// `media_url`.
    pub media_url: Option<Template>,
}

/// `make-http-request` or `run-function`.
#[derive(Debug, Clone)]
pub struct Http {
    /// `run-function` (events `success`/`fail`) rather than `make-http-request` (`failed`).
    pub function: bool,
    /// `GET` or `POST`.
    pub method: Option<Template>,
    /// `url`.
    pub url: Template,
    /// Whether the body is JSON (`application/json`) rather than a form.
    pub json: bool,
    /// `body` (JSON requests).
    pub body: Option<Template>,
    /// `parameters` (form requests; the query of a GET).
    pub parameters: Vec<(String, Template)>,
}

/// `add-twiml-redirect`.
#[derive(Debug, Clone)]
pub struct Redirect {
    /// `url`.
    pub url: Template,
    /// `method` (default POST).
    pub method: Option<Template>,
}

/// `connect-call-to`.
#[derive(Debug, Clone)]
pub struct Connect {
    /// `noun`: `number`, `number-multi`, `client`, `sip`, `sim`, `conference`.
    pub noun: String,
    /// `to` (or `sip_endpoint` for `sip`).
    pub to: Template,
    /// `caller_id`.
    pub caller_id: Option<Template>,
    /// `record`.
    pub record: Option<Template>,
    /// `timeout`.
    pub timeout: Option<Template>,
}

/// `record-voicemail`.
#[derive(Debug, Clone)]
pub struct Record {
    /// `timeout`: seconds of silence that end it.
    pub timeout: Option<Template>,
    /// `max_length`.
    pub max_length: Option<Template>,
    /// `finish_on_key`.
    pub finish_on_key: Option<Template>,
    /// `play_beep`.
    pub play_beep: Option<Template>,
    /// `transcribe`: `<Record transcribe>`, so the voicemail gets a Transcription.
    pub transcribe: Option<Template>,
    /// `transcription_callback_url`: `<Record transcribeCallback>`.
    pub transcription_callback_url: Option<Template>,
}

/// `enqueue-call` with `queue_name` (not a TaskRouter workflow).
#[derive(Debug, Clone)]
pub struct Enqueue {
    /// `queue_name`: the queue, created on first use.
    pub queue_name: Template,
    /// `wait_url`: the hold TwiML (default: Twilio's hold music).
    pub wait_url: Option<Template>,
    /// `wait_url_method` (default POST).
    pub wait_url_method: Option<Template>,
}
