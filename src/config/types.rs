//! The typed configuration the rest of the tool reads.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

pub use botiumscript::caps::{
    Extension, ExtensionKind, ScriptingCaps, UttExpansionMode, UttNamingMode,
};
pub use twilio_wire::secret::Secret;
pub use twilio_wire::twiml::SpeechTimeout;

/// Everything `botium.json` plus the environment configure.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `botium.json` that was read, if any.
    pub file: Option<PathBuf>,
    /// Typed capabilities with the original connector's defaults.
    pub capabilities: Capabilities,
    /// `ASSERTERS`, `LOGIC_HOOKS` and `USER_INPUTS` declarations, in file order.
    pub extensions: Vec<Extension>,
    /// `botium.Sources`, kept as written (legacy; unused by calls).
    pub sources: serde_json::Map<String, Value>,
    /// `botium.Envs`, kept as written.
    pub envs: serde_json::Map<String, Value>,
    /// Things that load but probably are not what the user meant.
    pub warnings: Vec<String>,
}

/// Typed capabilities (`Debug` is written by hand in `secrets.rs`: `raw` holds secrets).
#[derive(Clone)]
pub struct Capabilities {
    /// `PROJECTNAME`.
    pub project_name: String,
    /// `CONTAINERMODE` (`twilio-ivr` for the original connector).
    pub container_mode: Option<String>,
    /// `WAITFORBOTTIMEOUT`: how long a `#bot` step waits.
    pub wait_for_bot_timeout: Duration,
    /// The `TWILIO_IVR_*` capabilities.
    pub twilio: TwilioCaps,
    /// The `SCRIPTING_*` capabilities.
    pub scripting: ScriptingCaps,
    /// Every capability as merged from file and environment (secrets included: never print).
    pub raw: BTreeMap<String, Value>,
}

/// When the runner gives a `#me` answer that follows a matched `#bot` step
/// (`TWILIO_IVR_ANSWER_TIMING`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnswerTiming {
    /// As soon as the IVR has offered the answer ("press 1"), or has fallen silent (default).
    #[default]
    Offer,
    /// As soon as the `#bot` step has matched, even mid-prompt (IVRs that listen while speaking).
    Match,
    /// Only once the IVR has fallen silent (IVRs whose `<Gather bargeIn="false">` ignores input
    /// while they speak).
    Silence,
}

/// How Twilio's webhooks reach the runner (`TWILIO_IVR_TRANSPORT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransportChoice {
    /// The Redis proxy with `TWILIO_IVR_REDISURL`; else this process's webhook with
    /// `TWILIO_IVR_PUBLICURL` or `--emulate`; else the Function relay (default).
    #[default]
    Auto,
    /// This process serves the webhooks (at `TWILIO_IVR_PUBLICURL`, or for `--emulate`).
    Webhook,
    /// `ivr-test proxy start` receives them and relays them through Redis.
    Proxy,
    /// A Twilio Function on the account receives them; the runner reads them over Sync.
    Relay,
}

impl TransportChoice {
    /// The name used in configuration.
    pub fn name(self) -> &'static str {
        match self {
            TransportChoice::Auto => "auto",
            TransportChoice::Webhook => "webhook",
            TransportChoice::Proxy => "proxy",
            TransportChoice::Relay => "relay",
        }
    }
}

impl AnswerTiming {
    /// When answers go out, for people (`check`).
    pub fn summary(self) -> &'static str {
        match self {
            AnswerTiming::Offer => "as soon as the IVR offers them, else when it falls silent",
            AnswerTiming::Match => "as soon as the #bot step before them matches, even mid-prompt",
            AnswerTiming::Silence => "when the IVR falls silent",
        }
    }

    /// The name used in configuration and transcripts.
    pub fn name(self) -> &'static str {
        match self {
            AnswerTiming::Offer => "offer",
            AnswerTiming::Match => "match",
            AnswerTiming::Silence => "silence",
        }
    }
}

/// The `TWILIO_IVR_*` capabilities of the original connector.
#[derive(Debug, Clone)]
pub struct TwilioCaps {
    /// `TWILIO_IVR_ACCOUNT_SID`.
    pub account_sid: Option<String>,
    /// `TWILIO_IVR_AUTH_TOKEN`: REST credential without a key, and the key that signs webhooks.
    pub auth_token: Option<Secret>,
    /// `TWILIO_IVR_API_KEY` (ours): an API key SID (`SK...`), Twilio's recommended REST
    /// credential, with `api_secret`.
    pub api_key: Option<String>,
    /// `TWILIO_IVR_API_SECRET` (ours): the API key's secret.
    pub api_secret: Option<Secret>,
    /// `TWILIO_IVR_FROM`: the caller IDs calls are placed from (one or more; empty when unset).
    /// Several let parallel calls that check SMS each have an inbox of their own.
    pub caller_ids: Vec<String>,
    /// `TWILIO_IVR_TO`: the IVR's number.
    pub to: Option<String>,
    /// `TWILIO_IVR_LANGUAGE_CODE` (default `en-US`).
    pub language_code: String,
    /// `TWILIO_IVR_VOICE`.
    pub voice: Option<String>,
    /// `TWILIO_IVR_SPEECH_MODEL` (default `phone_call`; empty means unset).
    pub speech_model: Option<String>,
    /// `TWILIO_IVR_SPEECH_MODEL_ENHANCED` (default true).
    pub speech_model_enhanced: bool,
    /// `TWILIO_IVR_SPEECH_TIMEOUT`.
    pub speech_timeout: Option<SpeechTimeout>,
    /// `TWILIO_IVR_PUBLICURL`.
    pub public_url: Option<String>,
    /// `TWILIO_IVR_PUBLICURLPARAMS`, as an encoded query string without `?`.
    pub public_url_params: Option<String>,
    /// `TWILIO_IVR_REDISURL` (may hold a password).
    pub redis_url: Option<Secret>,
    /// `TWILIO_IVR_REDIS_TOPICBASE` (default `BOTIUM_TWILIO_IVR`).
    pub redis_topic_base: String,
    /// `TWILIO_IVR_INBOUNDPORT`.
    pub inbound_port: Option<u16>,
    /// `TWILIO_IVR_INBOUNDENDPOINT` (default `/`).
    pub inbound_endpoint: String,
    /// `TWILIO_IVR_RECORD` (default false).
    pub record: bool,
    /// `TWILIO_IVR_REDIAL`: total dial attempts (default 5).
    pub redial: u32,
    /// `TWILIO_IVR_WAIT_CALL_STARTED` (default 20 s).
    pub wait_call_started: Duration,
    /// `TWILIO_IVR_WAIT_CALL_COMPLETED` (default 10 s).
    pub wait_call_completed: Duration,
    /// `TWILIO_IVR_WAIT_BOTIUM_RESPONSE` (default 5 s; here only an upper bound, never a sleep).
    pub wait_botium_response: Duration,
    /// `TWILIO_IVR_API_URL` (ours): the REST API base (Twilio's, or a compatible provider's).
    pub api_url: String,
    /// `TWILIO_IVR_EMULATE` (ours): an emulator configuration to run the calls against.
    pub emulate: Option<String>,
    /// `TWILIO_IVR_CALLS_PER_SECOND` (ours, default 1, Twilio's account default).
    pub calls_per_second: u32,
    /// `TWILIO_IVR_TIME_LIMIT` (ours): the `TimeLimit` of every call (default 600 s).
    pub time_limit_secs: u32,
    /// `TWILIO_IVR_GATHER_TIMEOUT` (ours): seconds a `<Gather>` waits for speech (default 5).
    pub gather_timeout_secs: u32,
    /// `TWILIO_IVR_HINTS` (ours): extra recogniser hints.
    pub hints: Vec<String>,
    /// `TWILIO_IVR_JOIN_FRAGMENTS` (ours, default true): join split prompts for a `#bot` step.
    pub join_fragments: bool,
    /// `TWILIO_IVR_DIGITS_AS_TONES` (ours, default false): digit-only `#me` text is pressed.
    pub digits_as_tones: bool,
    /// `TWILIO_IVR_ANSWER_TIMING` (ours, default `offer`): when a `#me` answer goes out.
    pub answer_timing: AnswerTiming,
    /// `TWILIO_IVR_TRANSPORT` (ours, default `auto`): how Twilio's webhooks reach the runner.
    pub transport: TransportChoice,
    /// `TWILIO_IVR_SMS_WAIT` (ours, default 30 s): how long `CHECKTWILIOSMS` polls.
    pub sms_wait: Duration,
    /// `TWILIO_IVR_REDIS_OUTAGE_LIMIT` (ours, default 30 s): how long a runner behind the proxy
    /// waits for an unreachable Redis before its live test cases end as infrastructure errors.
    pub redis_outage_limit: Duration,
}

impl Default for TwilioCaps {
    fn default() -> Self {
        TwilioCaps {
            account_sid: None,
            auth_token: None,
            api_key: None,
            api_secret: None,
            caller_ids: Vec::new(),
            to: None,
            language_code: "en-US".into(),
            voice: None,
            speech_model: Some("phone_call".into()),
            speech_model_enhanced: true,
            speech_timeout: None,
            public_url: None,
            public_url_params: None,
            redis_url: None,
            redis_topic_base: "BOTIUM_TWILIO_IVR".into(),
            inbound_port: None,
            inbound_endpoint: "/".into(),
            record: false,
            redial: 5,
            wait_call_started: Duration::from_millis(20_000),
            wait_call_completed: Duration::from_millis(10_000),
            wait_botium_response: Duration::from_millis(5_000),
            api_url: "https://api.twilio.com".into(),
            emulate: None,
            calls_per_second: 1,
            time_limit_secs: 600,
            gather_timeout_secs: 5,
            hints: Vec::new(),
            join_fragments: true,
            answer_timing: AnswerTiming::Offer,
            transport: TransportChoice::Auto,
            digits_as_tones: false,
            sms_wait: Duration::from_millis(30_000),
            redis_outage_limit: Duration::from_millis(30_000),
        }
    }
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            project_name: "Botium Project".into(),
            container_mode: None,
            wait_for_bot_timeout: Duration::from_millis(10_000),
            twilio: TwilioCaps::default(),
            scripting: ScriptingCaps::default(),
            raw: BTreeMap::new(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            file: None,
            capabilities: Capabilities::default(),
            extensions: Vec::new(),
            sources: serde_json::Map::new(),
            envs: serde_json::Map::new(),
            warnings: Vec::new(),
        }
    }
}
