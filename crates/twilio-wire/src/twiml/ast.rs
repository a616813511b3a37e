//! TwiML documents as data: the verbs Twilio Programmable Voice runs, with Twilio's defaults
//! already applied (see `shared/reference/twilio.md` §7), so the interpreter never guesses.

/// How a URL is requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpMethod {
    /// `GET`: parameters in the query.
    Get,
    /// `POST` (Twilio's default): parameters form-encoded in the body.
    #[default]
    Post,
}

/// A `<Response>` document: verbs run top to bottom; when they run out, the call ends.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Response {
    /// The verbs, in order.
    pub verbs: Vec<Verb>,
}

/// One TwiML verb.
#[derive(Debug, Clone, PartialEq)]
pub enum Verb {
    /// `<Say>`: text-to-speech.
    Say(Say),
    /// `<Play>`: an audio URL, or keypad tones with `digits`.
    Play(Play),
    /// `<Pause length>`: silence.
    Pause(Pause),
    /// `<Gather>`: listen for speech and/or keys.
    Gather(Gather),
    /// `<Record>`: record the caller.
    Record(Record),
    /// `<Dial>`: connect to another party (a transfer, for an IVR test).
    Dial(Dial),
    /// `<Redirect>`: continue with the TwiML at another URL.
    Redirect(Redirect),
    /// `<Hangup/>`: end the call.
    Hangup,
    /// `<Reject reason>`: refuse the call (only as the first verb of an inbound call).
    Reject(Reject),
    /// `<Enqueue>`: the call waits in a named call queue until it is dequeued or leaves.
    Enqueue(Enqueue),
    /// `<Leave/>`: the call leaves its queue (in a `waitUrl` document) and the document of its
    /// `<Enqueue>` goes on.
    Leave,
    /// A valid Twilio verb this tool does not run (`Connect`, `Start`, `Pay`, ...): skipped,
    /// and reported by the interpreter.
    Unsupported {
        /// The element name.
        name: String,
    },
}

/// `<Say voice language loop>text</Say>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Say {
    /// The text (SSML elements reduced to their text).
    pub text: String,
    /// `voice`, e.g. `Polly.Joanna`.
    pub voice: Option<String>,
    /// `language`, e.g. `en-US`.
    pub language: Option<String>,
    /// `loop`: times to repeat; 0 means "until hang-up" (Twilio stops after 1000).
    pub repeat: u32,
}

/// `<Play loop digits>url</Play>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Play {
    /// The media URL (empty when only `digits` is given).
    pub url: Option<String>,
    /// `digits`: `0-9 A-D * #`, `w` (half a second), `W` (a second).
    pub digits: Option<String>,
    /// `loop`, as for `<Say>`.
    pub repeat: u32,
}

/// `<Pause length>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    /// Seconds (default 1).
    pub length: u32,
}

/// `<Gather>` with Twilio's defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Gather {
    /// `action` (default: the current document's URL, resolved by the interpreter).
    pub action: Option<String>,
    /// `method` (default POST).
    pub method: HttpMethod,
    /// `input` contains `dtmf` (the default when `input` is absent).
    pub dtmf: bool,
    /// `input` contains `speech`.
    pub speech: bool,
    /// `timeout` in seconds (default 5).
    pub timeout: u32,
    /// `speechTimeout` (default: the `timeout` value).
    pub speech_timeout: Option<SpeechTimeout>,
    /// `finishOnKey` (default `#`; empty means none).
    pub finish_on_key: String,
    /// `numDigits`.
    pub num_digits: Option<u32>,
    /// `actionOnEmptyResult` (default false).
    pub action_on_empty_result: bool,
    /// `language`.
    pub language: Option<String>,
    /// `hints`, as written (comma-separated).
    pub hints: Option<String>,
    /// `speechModel`.
    pub speech_model: Option<String>,
    /// `enhanced`.
    pub enhanced: bool,
    /// `partialResultCallback`: where interim speech results are posted (POST).
    pub partial_result_callback: Option<String>,
    /// `bargeIn` (default true): whether input during the nested prompts stops them and is
    /// gathered. Twilio's helper libraries describe it as "Stop playing media upon speech"
    /// (e.g. twilio-csharp `GatherAttributes.BargeIn`); its docs list warning 13332 "Gather:
    /// Invalid bargeIn value" (<https://www.twilio.com/docs/api/errors/13332>), and say nothing
    /// about keys. The emulator treats keys like speech: with `false` the prompts play to their
    /// end and the `<Gather>` starts listening only then, as one without prompts would (keys
    /// and speech that ended meanwhile are lost; speech still going on is heard).
    pub barge_in: bool,
    /// Nested `<Say>`, `<Play>` (no `digits`) and `<Pause>`, played while listening (barge-in).
    pub prompts: Vec<Verb>,
}

impl Default for Gather {
    /// A bare `<Gather/>`: Twilio's defaults (keys only, 5 s, `#` finishes, POST to the document).
    fn default() -> Self {
        Gather {
            action: None,
            method: HttpMethod::Post,
            dtmf: true,
            speech: false,
            timeout: 5,
            speech_timeout: None,
            finish_on_key: "#".into(),
            num_digits: None,
            action_on_empty_result: false,
            language: None,
            hints: None,
            speech_model: None,
            enhanced: false,
            partial_result_callback: None,
            barge_in: true,
            prompts: Vec::new(),
        }
    }
}

/// `<Record>` with Twilio's defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// `action` (default: the current document's URL).
    pub action: Option<String>,
    /// `method`.
    pub method: HttpMethod,
    /// `timeout`: seconds of silence that end the recording (default 5; 0 disables).
    pub timeout: u32,
    /// `finishOnKey` (default `1234567890*#`).
    pub finish_on_key: String,
    /// `maxLength` in seconds (default 3600).
    pub max_length: u32,
    /// `playBeep` (default true).
    pub play_beep: bool,
    /// `recordingStatusCallback`.
    pub recording_status_callback: Option<String>,
    /// `transcribe` (default false): a Transcription of the recording follows.
    pub transcribe: bool,
    /// `transcribeCallback`: where the finished (or failed) transcription is POSTed.
    pub transcribe_callback: Option<String>,
}

/// What a `<Dial>` noun names. The AST keeps every noun Twilio accepts; the emulator decides
/// which it can dial (a phone, an app user, a SIP address) and refuses the others by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DialNoun {
    /// A phone number (text content or `<Number>`).
    #[default]
    Number,
    /// `<Client>`: an app user by name.
    Client,
    /// `<Sip>`: a SIP URI.
    Sip,
    /// `<Conference>`: a conference room by name.
    Conference,
    /// `<Queue>`: the caller at the front of a queue.
    Queue,
    /// `<Sim>`: a Super SIM by SID.
    Sim,
    /// `<Application>`: a TwiML App by SID.
    Application,
    /// `<WhatsApp>`: a WhatsApp user by number.
    WhatsApp,
}

impl DialNoun {
    /// Every noun, in Twilio's documentation order.
    pub const ALL: [DialNoun; 8] = [
        DialNoun::Number,
        DialNoun::Client,
        DialNoun::Sip,
        DialNoun::Conference,
        DialNoun::Queue,
        DialNoun::Sim,
        DialNoun::Application,
        DialNoun::WhatsApp,
    ];

    /// The element name.
    pub fn element(self) -> &'static str {
        match self {
            DialNoun::Number => "Number",
            DialNoun::Client => "Client",
            DialNoun::Sip => "Sip",
            DialNoun::Conference => "Conference",
            DialNoun::Queue => "Queue",
            DialNoun::Sim => "Sim",
            DialNoun::Application => "Application",
            DialNoun::WhatsApp => "WhatsApp",
        }
    }

    /// The noun an element name stands for.
    pub fn from_element(name: &str) -> Option<DialNoun> {
        DialNoun::ALL.into_iter().find(|n| n.element() == name)
    }
}

/// A call progress event a `<Number>`, `<Client>` or `<Sip>` `statusCallback` subscribes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallProgressEvent {
    /// Dialling starts.
    Initiated,
    /// The party's phone rings.
    Ringing,
    /// The party answers (sent with `CallStatus=in-progress`).
    Answered,
    /// The party's call ends, however it ends (the default).
    Completed,
}

impl CallProgressEvent {
    /// Twilio's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CallProgressEvent::Initiated => "initiated",
            CallProgressEvent::Ringing => "ringing",
            CallProgressEvent::Answered => "answered",
            CallProgressEvent::Completed => "completed",
        }
    }
}

/// A recording status a `<Dial recordingStatusCallback>` subscribes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordingEvent {
    /// The recording has started.
    InProgress,
    /// The recording is complete and available (the default).
    Completed,
    /// The recording is absent: nothing to keep (silence trimmed away).
    Absent,
}

impl RecordingEvent {
    /// Twilio's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordingEvent::InProgress => "in-progress",
            RecordingEvent::Completed => "completed",
            RecordingEvent::Absent => "absent",
        }
    }
}

/// `<Dial record>`: whether the bridged call is recorded, from when, in how many channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DialRecord {
    /// `do-not-record` (the default; `false` is an alias).
    #[default]
    DoNotRecord,
    /// `record-from-answer` (`true` is an alias): mono, from the party's answer.
    FromAnswer,
    /// `record-from-ringing`: mono, from the moment dialling starts.
    FromRinging,
    /// `record-from-answer-dual`: the caller and the party in two channels.
    FromAnswerDual,
    /// `record-from-ringing-dual`.
    FromRingingDual,
}

impl DialRecord {
    /// Twilio's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DialRecord::DoNotRecord => "do-not-record",
            DialRecord::FromAnswer => "record-from-answer",
            DialRecord::FromRinging => "record-from-ringing",
            DialRecord::FromAnswerDual => "record-from-answer-dual",
            DialRecord::FromRingingDual => "record-from-ringing-dual",
        }
    }

    /// Whether anything is recorded.
    pub fn records(self) -> bool {
        self != DialRecord::DoNotRecord
    }

    /// Whether recording starts with the ringing rather than the answer.
    pub fn from_ringing(self) -> bool {
        matches!(self, DialRecord::FromRinging | DialRecord::FromRingingDual)
    }

    /// Whether the two parties get a channel each.
    pub fn dual(self) -> bool {
        matches!(
            self,
            DialRecord::FromAnswerDual | DialRecord::FromRingingDual
        )
    }
}

/// `<Dial recordingTrack>`: whose audio a `<Dial record>` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordingTrack {
    /// Both directions (the default).
    #[default]
    Both,
    /// What Twilio receives from the caller.
    Inbound,
    /// What Twilio plays to the caller: the party, and the ringback.
    Outbound,
}

impl RecordingTrack {
    /// Twilio's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordingTrack::Both => "both",
            RecordingTrack::Inbound => "inbound",
            RecordingTrack::Outbound => "outbound",
        }
    }
}

/// One party a `<Dial>` rings: a noun (or the `<Dial>`'s text, a number) with its attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct DialParty {
    /// Which noun named it.
    pub noun: DialNoun,
    /// The number, name, URI or SID, as written (trimmed).
    pub address: String,
    /// `url`: screening TwiML run on the party once it answers, before the bridge.
    pub url: Option<String>,
    /// `method` for `url` (default POST).
    pub url_method: HttpMethod,
    /// `<Number sendDigits>`: keys played to the party once it answers (`w` waits 0.5 s).
    pub send_digits: Option<String>,
    /// `statusCallback`: the party's call progress events go here.
    pub status_callback: Option<String>,
    /// `statusCallbackMethod` (default POST).
    pub status_callback_method: HttpMethod,
    /// `statusCallbackEvent` (default `completed`).
    pub status_callback_events: Vec<CallProgressEvent>,
    /// `<Number machineDetection>` / `<Sip machineDetection>`, kept so that the emulator can
    /// refuse it: answering-machine detection is not emulated.
    pub machine_detection: Option<String>,
    /// `<Queue reservationSid>`: a TaskRouter reservation, kept so that the emulator can refuse
    /// it (TaskRouter is not emulated).
    pub reservation_sid: Option<String>,
    /// `<Queue postWorkActivitySid>`: a TaskRouter activity, kept to be refused likewise.
    pub post_work_activity_sid: Option<String>,
}

impl DialParty {
    /// A party named by `noun` at `address`, every attribute at Twilio's default.
    pub fn new(noun: DialNoun, address: impl Into<String>) -> DialParty {
        DialParty {
            noun,
            address: address.into(),
            url: None,
            url_method: HttpMethod::Post,
            send_digits: None,
            status_callback: None,
            status_callback_method: HttpMethod::Post,
            status_callback_events: vec![CallProgressEvent::Completed],
            machine_detection: None,
            reservation_sid: None,
            post_work_activity_sid: None,
        }
    }
}

/// `<Dial>`: connects the caller to another party (the first of several to answer).
#[derive(Debug, Clone, PartialEq)]
pub struct Dial {
    /// The parties, in document order: one for a number as text, up to ten nouns.
    pub parties: Vec<DialParty>,
    /// `hangupOnStar`: the caller pressing `*` ends the dialled leg.
    pub hangup_on_star: bool,
    /// `action`: requested when the dialled leg ends; without it the document continues.
    pub action: Option<String>,
    /// `method`.
    pub method: HttpMethod,
    /// `timeout`: ring time in seconds (default 30).
    pub timeout: u32,
    /// `callerId`.
    pub caller_id: Option<String>,
    /// `timeLimit` in seconds.
    pub time_limit: Option<u32>,
    /// `record`.
    pub record: DialRecord,
    /// `trim`: `trim-silence` (true) or `do-not-trim` (false, the default).
    pub trim: bool,
    /// `recordingTrack`.
    pub recording_track: RecordingTrack,
    /// `recordingStatusCallback`.
    pub recording_status_callback: Option<String>,
    /// `recordingStatusCallbackMethod` (default POST).
    pub recording_status_callback_method: HttpMethod,
    /// `recordingStatusCallbackEvent` (default `completed`).
    pub recording_status_callback_events: Vec<RecordingEvent>,
    /// `answerOnBridge`: the call is answered when the party is connected, not before.
    pub answer_on_bridge: bool,
    /// `sequential`: the parties ring one after another instead of all at once.
    pub sequential: bool,
}

impl Dial {
    /// A `<Dial>` of `parties` with every attribute at Twilio's default.
    pub fn new(parties: Vec<DialParty>) -> Dial {
        Dial {
            parties,
            hangup_on_star: false,
            action: None,
            method: HttpMethod::Post,
            timeout: 30,
            caller_id: None,
            time_limit: None,
            record: DialRecord::DoNotRecord,
            trim: false,
            recording_track: RecordingTrack::Both,
            recording_status_callback: None,
            recording_status_callback_method: HttpMethod::Post,
            recording_status_callback_events: vec![RecordingEvent::Completed],
            answer_on_bridge: false,
            sequential: false,
        }
    }

    /// The first party's address: where a leg that cannot dial is transferred.
    pub fn first_address(&self) -> &str {
        self.parties.first().map_or("", |p| p.address.as_str())
    }
}

/// The longest queue name Twilio takes (`<Enqueue>` and `<Queue>` references).
pub const MAX_QUEUE_NAME: usize = 64;

/// `<Enqueue>` with Twilio's defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Enqueue {
    /// The queue's name (the text); empty only with `workflowSid`, where TaskRouter picks it.
    pub queue: String,
    /// `action`: requested when the call leaves the queue; without it the document continues.
    pub action: Option<String>,
    /// `method` for `action` (default POST).
    pub method: HttpMethod,
    /// `waitUrl`: TwiML played while the call waits (default: Twilio's hold music).
    pub wait_url: Option<String>,
    /// `waitUrlMethod` (default POST).
    pub wait_url_method: HttpMethod,
    /// `workflowSid`: a TaskRouter workflow, kept so that the emulator can refuse it.
    pub workflow_sid: Option<String>,
    /// `<Task>`: a TaskRouter task, kept so that the emulator can refuse it.
    pub task: Option<EnqueueTask>,
}

impl Enqueue {
    /// `<Enqueue>queue</Enqueue>` with every attribute at Twilio's default.
    pub fn new(queue: impl Into<String>) -> Enqueue {
        Enqueue {
            queue: queue.into(),
            action: None,
            method: HttpMethod::Post,
            wait_url: None,
            wait_url_method: HttpMethod::Post,
            workflow_sid: None,
            task: None,
        }
    }
}

/// `<Task priority timeout>attributes</Task>` inside `<Enqueue workflowSid>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnqueueTask {
    /// The task's attributes: JSON text, as written (trimmed).
    pub attributes: String,
    /// `priority`.
    pub priority: Option<u32>,
    /// `timeout` in seconds.
    pub timeout: Option<u32>,
}

/// `<Redirect method>url</Redirect>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Redirect {
    /// The URL (may be relative).
    pub url: String,
    /// `method` (default POST).
    pub method: HttpMethod,
}

/// Why `<Reject>` refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RejectReason {
    /// `rejected` (default): the caller sees `no-answer`.
    #[default]
    Rejected,
    /// `busy`: the caller sees `busy`.
    Busy,
}

/// `<Reject reason>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reject {
    /// The reason.
    pub reason: RejectReason,
}

/// The Gather `speechTimeout`: seconds of silence, or `auto` (also what the runner's
/// `TWILIO_IVR_SPEECH_TIMEOUT` capability reads into).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SpeechTimeout {
    /// `auto`: Twilio decides when speech ended.
    Auto,
    /// Whole seconds of silence.
    Seconds(u32),
}
