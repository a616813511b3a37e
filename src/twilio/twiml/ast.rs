//! TwiML documents as data: the verbs Twilio Programmable Voice runs, with Twilio's defaults
//! already applied (see `shared/reference/twilio.md` §7), so the interpreter never guesses.

/// `speechTimeout`: seconds of silence after speech, or `auto` (the type the
/// `TWILIO_IVR_SPEECH_TIMEOUT` capability already reads into).
pub use crate::config::SpeechTimeout;

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
    /// A valid Twilio verb this tool does not run (`Connect`, `Start`, `Enqueue`, ...): skipped,
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

/// What kind of party a `<Dial>` reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DialNoun {
    /// A phone number (text content or `<Number>`).
    #[default]
    Number,
    /// `<Client>`: an app user by name.
    Client,
    /// `<Sip>`: a SIP URI.
    Sip,
}

/// `<Dial>`: connects the caller to another party.
#[derive(Debug, Clone, PartialEq)]
pub struct Dial {
    /// The number or address dialled (text content, or the first `<Number>`/`<Client>`/`<Sip>`).
    pub target: String,
    /// Which noun named the target.
    pub noun: DialNoun,
    /// The noun's `url`: screening/whisper TwiML run on the dialled party once it answers.
    pub url: Option<String>,
    /// The noun's `method` for `url` (default POST).
    pub url_method: HttpMethod,
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
    /// `record` other than `do-not-record`.
    pub record: bool,
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
