//! The emulator's records: calls, messages and recordings, as the REST API shows them and the
//! call engine updates them.

use chrono::{DateTime, Utc};

use twilio_wire::twiml::HttpMethod;

/// A call's REST `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallStatus {
    /// Waiting for the calls-per-second limit.
    Queued,
    /// Dialling started (appears in callbacks only; REST shows `queued` until ringing).
    Initiated,
    /// The destination rings.
    Ringing,
    /// Answered.
    InProgress,
    /// Answered and ended.
    Completed,
    /// Busy signal.
    Busy,
    /// Could not be completed as dialled.
    Failed,
    /// Not answered before `Timeout`, or rejected.
    NoAnswer,
    /// Cancelled through the REST API while queued or ringing.
    Canceled,
}

impl CallStatus {
    /// Twilio's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Queued => "queued",
            CallStatus::Initiated => "initiated",
            CallStatus::Ringing => "ringing",
            CallStatus::InProgress => "in-progress",
            CallStatus::Completed => "completed",
            CallStatus::Busy => "busy",
            CallStatus::Failed => "failed",
            CallStatus::NoAnswer => "no-answer",
            CallStatus::Canceled => "canceled",
        }
    }

    /// Parses Twilio's spelling.
    pub fn parse(text: &str) -> Option<CallStatus> {
        [
            CallStatus::Queued,
            CallStatus::Initiated,
            CallStatus::Ringing,
            CallStatus::InProgress,
            CallStatus::Completed,
            CallStatus::Busy,
            CallStatus::Failed,
            CallStatus::NoAnswer,
            CallStatus::Canceled,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Whether the call has ended.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CallStatus::Completed
                | CallStatus::Busy
                | CallStatus::Failed
                | CallStatus::NoAnswer
                | CallStatus::Canceled
        )
    }
}

/// The `StatusCallbackEvent` values a call subscribes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusEvent {
    /// Dialling starts.
    Initiated,
    /// The far end rings.
    Ringing,
    /// Answered (sent with `CallStatus=in-progress`).
    Answered,
    /// Any terminal state (the default).
    Completed,
}

impl StatusEvent {
    /// Parses Twilio's spelling.
    pub fn parse(text: &str) -> Option<StatusEvent> {
        Some(match text {
            "initiated" => StatusEvent::Initiated,
            "ringing" => StatusEvent::Ringing,
            "answered" => StatusEvent::Answered,
            "completed" => StatusEvent::Completed,
            _ => return None,
        })
    }
}

/// Where a call's (caller leg's) TwiML comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum TwimlSource {
    /// `Url` + `Method`.
    Url {
        /// The absolute URL.
        url: String,
        /// How to request it.
        method: HttpMethod,
    },
    /// `Twiml`: the document itself.
    Inline(String),
}

/// What `POST Calls.json` asked for, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRequest {
    /// The account that placed the call.
    pub account_sid: String,
    /// `To`.
    pub to: String,
    /// `From`.
    pub from: String,
    /// `Url`/`Method` or `Twiml`.
    pub twiml: TwimlSource,
    /// `FallbackUrl` + `FallbackMethod`.
    pub fallback: Option<(String, HttpMethod)>,
    /// `StatusCallback`.
    pub status_callback: Option<String>,
    /// `StatusCallbackMethod`.
    pub status_callback_method: HttpMethod,
    /// `StatusCallbackEvent` (default: completed only).
    pub status_callback_events: Vec<StatusEvent>,
    /// `Record`.
    pub record: bool,
    /// `Timeout`: ring seconds before `no-answer` (default 60).
    pub timeout_secs: u32,
    /// `TimeLimit`: maximum call seconds (default 4 hours).
    pub time_limit_secs: u32,
    /// `SendDigits`: keys to press once answered.
    pub send_digits: Option<String>,
}

/// What Twilio says when an application fails and there is no fallback.
pub const APPLICATION_ERROR: &str = "We're sorry, an application error has occurred. Goodbye.";

/// Who spoke or pressed in a transcript line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leg {
    /// The leg that placed the call (the test runner's TwiML).
    Caller,
    /// The leg that was called (the IVR).
    Callee,
}

/// One line of a call's transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptLine {
    /// When, in emulated time.
    pub at: DateTime<Utc>,
    /// Which leg acted.
    pub leg: Leg,
    /// What happened: `say: ...`, `heard: ...`, `digits: ...`, `hangup`, errors...
    pub text: String,
}

/// A call as the emulator tracks it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    /// `CA...`.
    pub sid: String,
    /// What was asked for.
    pub request: CallRequest,
    /// REST status.
    pub status: CallStatus,
    /// Created.
    pub date_created: DateTime<Utc>,
    /// Last change.
    pub date_updated: DateTime<Utc>,
    /// Answered.
    pub start_time: Option<DateTime<Utc>>,
    /// Ended.
    pub end_time: Option<DateTime<Utc>>,
    /// Milliseconds spent queued by the calls-per-second limit.
    pub queue_time_ms: u64,
    /// What happened, both legs.
    pub transcript: Vec<TranscriptLine>,
    /// The recording made with `Record=true`, once the call ended.
    pub recording_sid: Option<String>,
    /// The call whose `<Dial>` placed this one; `None` for calls made through the REST API.
    pub parent_call_sid: Option<String>,
    /// For the IVR's side of an emulated call (the call as it arrived at the called number:
    /// Twilio's `inbound` call, whose `<Dial>`s are its children), the caller's call it
    /// arrived from, whose transcript holds what both sides did.
    pub arrived_from: Option<String>,
    /// Every TwiML document this leg requested, in order (coverage of a TwiML application).
    pub webhooks: Vec<WebhookRequest>,
    /// What each `<Gather>` of this leg got, in order, with the document that held it.
    pub gathers: Vec<GatherOutcome>,
}

/// A TwiML document a leg requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// The URL as requested (a `GET` without the call's parameters).
    pub url: String,
}

/// What a `<Gather>` got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatherOutcome {
    /// The URL of the document that held the `<Gather>`.
    pub url: String,
    /// `digits`, `speech` or `timeout`.
    pub outcome: String,
    /// The digits or the recognised words; `None` for a timeout.
    pub value: Option<String>,
}

impl CallRecord {
    /// A new call `sid` in `status` at `now`, nothing happened yet; `parent_call_sid` for a leg a
    /// `<Dial>` placed.
    pub fn new(
        sid: String,
        request: CallRequest,
        status: CallStatus,
        now: DateTime<Utc>,
        parent_call_sid: Option<String>,
    ) -> CallRecord {
        CallRecord {
            sid,
            request,
            status,
            date_created: now,
            date_updated: now,
            start_time: None,
            end_time: None,
            queue_time_ms: 0,
            transcript: Vec::new(),
            recording_sid: None,
            parent_call_sid,
            arrived_from: None,
            webhooks: Vec::new(),
            gathers: Vec::new(),
        }
    }

    /// The IVR's side of the call `caller_sid`, ringing at `now`: `request` as it arrived at
    /// the called number.
    pub fn arrived(
        sid: String,
        caller_sid: &str,
        request: CallRequest,
        now: DateTime<Utc>,
    ) -> CallRecord {
        let mut record = CallRecord::new(sid, request, CallStatus::Ringing, now, None);
        record.arrived_from = Some(caller_sid.to_string());
        record
    }

    /// The call whose transcript holds what happens on this one: the caller's for the IVR's side.
    pub fn transcript_sid(&self) -> &str {
        self.arrived_from.as_deref().unwrap_or(&self.sid)
    }

    /// Twilio's `direction`: `inbound` for the IVR's side, `outbound-dial` for a call placed by
    /// `<Dial>`, `outbound-api` for one placed through the REST API.
    pub fn direction(&self) -> &'static str {
        if self.arrived_from.is_some() {
            "inbound"
        } else if self.parent_call_sid.is_some() {
            "outbound-dial"
        } else {
            "outbound-api"
        }
    }

    /// Whole seconds between answer and end (Twilio's `duration`).
    pub fn duration_secs(&self) -> Option<i64> {
        match (self.start_time, self.end_time) {
            (Some(s), Some(e)) => Some((e - s).num_seconds().max(0)),
            (None, Some(_)) => Some(0),
            _ => None,
        }
    }
}

/// An SMS as the Messages API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRecord {
    /// `SM...`.
    pub sid: String,
    /// The owning account.
    pub account_sid: String,
    /// Sender.
    pub from: String,
    /// Recipient.
    pub to: String,
    /// Text.
    pub body: String,
    /// Created.
    pub date_created: DateTime<Utc>,
    /// Sent (set at creation: the emulator delivers at once).
    pub date_sent: DateTime<Utc>,
    /// `outbound-api` when created by REST, `inbound` for the receiving number's view.
    pub direction: String,
    /// `sent`, `delivered`, `received`...
    pub status: String,
}

/// A call recording.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordingRecord {
    /// `RE...`.
    pub sid: String,
    /// The owning account.
    pub account_sid: String,
    /// The recorded call.
    pub call_sid: String,
    /// Seconds.
    pub duration_secs: i64,
    /// Created.
    pub date_created: DateTime<Utc>,
    /// What made it; Twilio reports it as `source`, and clients tell voicemails from call
    /// recordings by it.
    pub source: RecordingSource,
    /// 1, or 2 for a dual-channel `<Dial record>` (the caller in the first, the party in the
    /// second).
    pub channels: u8,
}

/// How a recording was made: the part of Twilio's `recording_enum_source` the emulator produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordingSource {
    /// `Record=true` on Create Call.
    OutboundApi,
    /// The `<Record>` verb (and Studio's record-voicemail, which is `<Record>` underneath).
    RecordVerb,
    /// `<Dial record>`: the bridged conversation of a dialled call.
    DialVerb,
}

impl RecordingSource {
    /// Twilio's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordingSource::OutboundApi => "OutboundAPI",
            RecordingSource::RecordVerb => "RecordVerb",
            RecordingSource::DialVerb => "DialVerb",
        }
    }
}

/// A transcription of a `<Record transcribe="true">` recording (Twilio's Transcription resource).
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptionRecord {
    /// `TR...`.
    pub sid: String,
    /// The owning account.
    pub account_sid: String,
    /// The transcribed recording.
    pub recording_sid: String,
    /// The recording's call; not in the resource, but in the transcribe callback.
    pub call_sid: String,
    /// `completed`, or `failed` when nothing was said.
    pub status: TranscriptionStatus,
    /// What the recogniser heard; empty when it failed.
    pub text: String,
    /// Seconds of transcribed audio (the recording's length).
    pub duration_secs: i64,
    /// Created.
    pub date_created: DateTime<Utc>,
}

/// The part of Twilio's `transcription_enum_status` the emulator produces: it transcribes at
/// once, so a transcription is never seen `in-progress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranscriptionStatus {
    /// Words were heard.
    Completed,
    /// The recording held no speech.
    Failed,
}

impl TranscriptionStatus {
    /// Twilio's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TranscriptionStatus::Completed => "completed",
            TranscriptionStatus::Failed => "failed",
        }
    }
}
