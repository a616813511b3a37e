//! The emulator's configuration: accounts, caller ids, the phone numbers it answers and how,
//! and the knobs of its simulated world (calls per second, speech rate, recogniser noise, time,
//! the latencies of Twilio's cloud APIs).
//!
//! It is plain JSON, written by people and by other tools; see `fixtures/emulator.json` for a
//! complete example. Unknown keys are errors (a typo must not silently change a test), and
//! every error names the file, the JSON path (`numbers["+15551230001"].voice_url`) and, where
//! the text has one, the line and column.
//!
//! A number entry either answers (`behaviour` `answer`, the default) and runs an IVR from
//! `voice_url` (or a Studio flow file), optionally after `answer_after_rings` rings and hanging
//! up by itself after `hang_up_after_secs`; or it never answers: `busy`, `no-answer`, `failed`.
//! The parties a `<Dial>` reaches are configured the same way: numbers under `numbers`,
//! `<Client>` names and `<Sip>` URIs under `clients`, any other number by `unlisted_numbers`
//! (absent: it rings and is never answered, the usual fate of a number nobody set up).
//! `queues` sizes call queues and gives them an emulated agent (see [`queues`]).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use twilio_wire::sid::is_sid;
use twilio_wire::twiml::HttpMethod;

mod account;
mod json_positions;
mod latencies;
pub mod queues;
pub use account::{AccountConfig, AccountStatus, ApiKeyConfig, KeyKind, OwnedNumberConfig};
use json_positions::{child_path, json_positions, line_start};
pub use latencies::Latencies;
pub use queues::QueueConfig;

/// Seconds of one ring cycle (North American cadence: 2 s tone, 4 s silence).
pub const RING_CYCLE_SECS: u32 = 6;

/// An account's auth token: the crate's [`Secret`](twilio_wire::secret::Secret), never printed.
pub use twilio_wire::secret::Secret as AuthToken;

/// Whether and how a configured number answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NumberBehaviour {
    /// Answers and runs its IVR (the default).
    #[default]
    Answer,
    /// Busy signal: the call ends `busy`.
    Busy,
    /// Rings until the caller's `Timeout`: the call ends `no-answer`.
    NoAnswer,
    /// Cannot be completed as dialled: the call ends `failed`.
    Failed,
}

/// One phone number the emulator answers.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberConfig {
    /// Whether it answers at all.
    #[serde(default)]
    pub behaviour: NumberBehaviour,
    /// The IVR: TwiML fetched when the call is answered (absolute http(s) URL).
    #[serde(default)]
    pub voice_url: Option<String>,
    /// How `voice_url` is requested (default POST).
    #[serde(default, deserialize_with = "http_method")]
    pub voice_method: HttpMethod,
    /// Requested when `voice_url` fails, as Twilio's number setting of that name.
    #[serde(default)]
    pub voice_fallback_url: Option<String>,
    /// How `voice_fallback_url` is requested (default POST).
    #[serde(default, deserialize_with = "http_method")]
    pub voice_fallback_method: HttpMethod,
    /// A Studio flow JSON file run instead of `voice_url` (relative to the configuration file).
    #[serde(default)]
    pub studio_flow: Option<PathBuf>,
    /// The number's own call-status webhook (its side of the call).
    #[serde(default)]
    pub status_callback: Option<String>,
    /// How `status_callback` is requested (default POST).
    #[serde(default, deserialize_with = "http_method")]
    pub status_callback_method: HttpMethod,
    /// Rings before answering (default 1; one ring is [`RING_CYCLE_SECS`]).
    #[serde(default)]
    pub answer_after_rings: Option<u32>,
    /// The IVR hangs up by itself this many seconds after answering.
    #[serde(default)]
    pub hang_up_after_secs: Option<u32>,
    /// A label for reports and the ledger.
    #[serde(default)]
    pub friendly_name: Option<String>,
}

impl NumberConfig {
    /// Rings before the number answers.
    pub fn rings_before_answer(&self) -> u32 {
        self.answer_after_rings.unwrap_or(1)
    }
}

/// Speech-recognition noise: the heard text may differ from the spoken text.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecogniserConfig {
    /// 0.0 hears every word right; 1.0 garbles as much as the recogniser model allows.
    #[serde(default)]
    pub noise: f64,
    /// Seed of the noise, so a run can be repeated.
    #[serde(default)]
    pub seed: u64,
}

/// The whole emulator configuration; see the module documentation and `fixtures/emulator.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmulatorConfig {
    /// Accounts the REST API accepts.
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
    /// Owned or verified caller ids a call may come `From` (besides the configured numbers).
    #[serde(default)]
    pub caller_ids: Vec<String>,
    /// Numbers the emulator answers, by E.164 number. A `<Dial>` to one of them reaches it
    /// the same way a REST call does.
    #[serde(default)]
    pub numbers: BTreeMap<String, NumberConfig>,
    /// `<Dial><Client>` names and `<Dial><Sip>` URIs, configured like numbers (without
    /// `studio_flow`); a name not listed rings and is never answered.
    #[serde(default)]
    pub clients: BTreeMap<String, NumberConfig>,
    /// How a number that `<Dial>` reaches but `numbers` does not list behaves (without
    /// `studio_flow`); absent, it rings and is never answered, so the `<Dial>` ends
    /// `no-answer` after its `timeout`. (A REST call to an unlisted number still fails.)
    #[serde(default)]
    pub unlisted_numbers: Option<NumberConfig>,
    /// Call queues by name: their size, and the agent who answers their callers.
    #[serde(default)]
    pub queues: BTreeMap<String, QueueConfig>,
    /// Calls placed per second per account; the rest wait in `queued` (Twilio's CPS limit).
    #[serde(default = "default_calls_per_second")]
    pub calls_per_second: f64,
    /// Destination prefixes geo permissions allow (`["+1", "+44"]`); absent allows all.
    #[serde(default)]
    pub permitted_prefixes: Option<Vec<String>>,
    /// Text-to-speech pace, words per minute: how long a `<Say>` lasts.
    #[serde(default = "default_speech_rate_wpm")]
    pub speech_rate_wpm: u32,
    /// Speech-recognition noise.
    #[serde(default)]
    pub recogniser: RecogniserConfig,
    /// Emulated seconds per wall-clock second (the CLI may override it).
    #[serde(default = "default_time_scale")]
    pub time_scale: f64,
    /// How long Sync requests, Function invocations and Serverless builds take.
    #[serde(default)]
    pub latencies: Latencies,
}

fn default_calls_per_second() -> f64 {
    1.0
}

fn default_speech_rate_wpm() -> u32 {
    150
}

fn default_time_scale() -> f64 {
    1.0
}

fn http_method<'de, D: Deserializer<'de>>(deserializer: D) -> Result<HttpMethod, D::Error> {
    // A visitor, not `String::deserialize` then a check: serde_json locates an error raised
    // while the string is read at the string, one raised later at the enclosing object.
    struct MethodVisitor;
    impl serde::de::Visitor<'_> for MethodVisitor {
        type Value = HttpMethod;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("`GET` or `POST`")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<HttpMethod, E> {
            match text.to_ascii_uppercase().as_str() {
                "GET" => Ok(HttpMethod::Get),
                "POST" => Ok(HttpMethod::Post),
                _ => Err(E::custom(format!(
                    "unknown method `{text}`, expected `GET` or `POST`"
                ))),
            }
        }
    }
    deserializer.deserialize_str(MethodVisitor)
}

impl Default for EmulatorConfig {
    /// No accounts, no numbers, every default; add an account with [`EmulatorConfig::with_account`].
    fn default() -> EmulatorConfig {
        EmulatorConfig {
            accounts: Vec::new(),
            caller_ids: Vec::new(),
            numbers: BTreeMap::new(),
            clients: BTreeMap::new(),
            unlisted_numbers: None,
            queues: BTreeMap::new(),
            calls_per_second: default_calls_per_second(),
            permitted_prefixes: None,
            speech_rate_wpm: default_speech_rate_wpm(),
            recogniser: RecogniserConfig::default(),
            time_scale: default_time_scale(),
            latencies: Latencies::default(),
        }
    }
}

/// A configuration that cannot be used, located as precisely as the source allows.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EmulatorConfigError {
    /// The file cannot be read.
    #[error("cannot read emulator configuration {}: {reason}", .path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The file is not JSON.
    #[error("{}: invalid JSON at line {line}, column {column}: {message}", .path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// A value is of the wrong shape or not allowed.
    #[error("{source_name}: {json_path}: {message}{}", at_line_column(*.line_column))]
    Invalid {
        /// The file, or `environment` for `TWILIO_*` variables.
        source_name: String,
        /// Where in the document, e.g. `numbers["+15551230001"].voice_url`.
        json_path: String,
        /// What is wrong.
        message: String,
        /// 1-based line and column of the value, when it is in the file.
        line_column: Option<(usize, usize)>,
    },
}

fn at_line_column(line_column: Option<(usize, usize)>) -> String {
    line_column
        .map(|(line, column)| format!(" (line {line}, column {column})"))
        .unwrap_or_default()
}

impl EmulatorConfig {
    /// The defaults plus one account: the usual configuration of a test.
    pub fn with_account(sid: impl Into<String>, auth_token: impl Into<String>) -> EmulatorConfig {
        EmulatorConfig {
            accounts: vec![AccountConfig::new(sid, auth_token)],
            ..EmulatorConfig::default()
        }
    }

    /// Reads `path` (or starts from the defaults), adds the `TWILIO_ACCOUNT_SID` +
    /// `TWILIO_AUTH_TOKEN` account from `env` (replacing the file's token for the same SID),
    /// and validates the result. Example: `fixtures/emulator.json`.
    pub fn load(
        path: Option<&Path>,
        env: &BTreeMap<String, String>,
    ) -> Result<EmulatorConfig, EmulatorConfigError> {
        let mut config = match path {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|e| EmulatorConfigError::Unreadable {
                        path: path.to_path_buf(),
                        reason: e.to_string(),
                    })?;
                let mut config = EmulatorConfig::parse(path, &text)?;
                resolve_studio_flows(&mut config, path);
                config
            }
            None => EmulatorConfig::default(),
        };
        if let (Some(sid), Some(token)) =
            (env.get("TWILIO_ACCOUNT_SID"), env.get("TWILIO_AUTH_TOKEN"))
        {
            if !is_sid(sid, "AC") {
                return Err(EmulatorConfigError::Invalid {
                    source_name: "environment".into(),
                    json_path: "TWILIO_ACCOUNT_SID".into(),
                    message: format!("`{sid}` is not an account SID (AC + 32 hex digits)"),
                    line_column: None,
                });
            }
            // Keep what the file says about the account; the environment's token wins.
            let mut account = config
                .account(sid)
                .cloned()
                .unwrap_or_else(|| AccountConfig::new(sid.clone(), ""));
            account.auth_token = AuthToken::new(token.clone());
            config.accounts.retain(|a| &a.sid != sid);
            config.accounts.push(account);
        }
        if config.accounts.is_empty() {
            return Err(EmulatorConfigError::Invalid {
                source_name: path.map_or("environment".into(), |p| p.display().to_string()),
                json_path: "accounts".into(),
                message: "no account: add one to `accounts` or set TWILIO_ACCOUNT_SID and \
                          TWILIO_AUTH_TOKEN"
                    .into(),
                line_column: None,
            });
        }
        Ok(config)
    }

    /// Parses and validates a configuration text; `path` only names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<EmulatorConfig, EmulatorConfigError> {
        let positions = match json_positions(text) {
            Ok(positions) => positions,
            Err(e) => {
                return Err(EmulatorConfigError::Syntax {
                    path: path.to_path_buf(),
                    line: e.line(),
                    column: e.column(),
                    message: strip_position(&e.to_string()),
                })
            }
        };
        let source_name = path.display().to_string();
        let config: EmulatorConfig = serde_json::from_str(text).map_err(|e| {
            let offset = line_start(text, e.line()) + e.column();
            let json_path = positions.path_at(offset);
            let message = if json_path.ends_with("auth_token") || json_path.ends_with(".secret") {
                // serde quotes the offending value; for a token that is the secret.
                "expected the secret as a string".to_string()
            } else {
                strip_position(&e.to_string())
            };
            EmulatorConfigError::Invalid {
                source_name: source_name.clone(),
                json_path,
                message,
                line_column: Some((e.line(), e.column())),
            }
        })?;
        if let Some((json_path, message)) = config.problem() {
            let line_column = positions.line_column_of(text, &json_path);
            return Err(EmulatorConfigError::Invalid {
                source_name,
                json_path,
                message,
                line_column,
            });
        }
        Ok(config)
    }

    /// The account with this SID.
    pub fn account(&self, sid: &str) -> Option<&AccountConfig> {
        self.accounts.iter().find(|a| a.sid == sid)
    }

    /// The configured number `number`.
    pub fn number(&self, number: &str) -> Option<&NumberConfig> {
        self.numbers.get(number)
    }

    /// Whether calls may come from `number`: a caller id or a configured number.
    pub fn owns_caller_id(&self, number: &str) -> bool {
        self.caller_ids.iter().any(|c| c == number) || self.numbers.contains_key(number)
    }

    /// Whether `account`'s calls may come from `number`: a shared caller id or configured
    /// number, or one the account owns or verified.
    pub fn account_may_call_from(&self, account: &AccountConfig, number: &str) -> bool {
        self.owns_caller_id(number)
            || account.has_verified(number)
            || account.owned_number(number).is_some()
    }

    /// Whether geo permissions allow calling `to`.
    pub fn permits_destination(&self, to: &str) -> bool {
        match &self.permitted_prefixes {
            None => true,
            Some(prefixes) => prefixes.iter().any(|p| to.starts_with(p.as_str())),
        }
    }

    /// The first semantic problem, as (JSON path, message).
    fn problem(&self) -> Option<(String, String)> {
        let mut seen = Vec::new();
        let mut keys = Vec::new();
        for (i, account) in self.accounts.iter().enumerate() {
            if let Some(found) = account.problem(i) {
                return Some(found);
            }
            if seen.contains(&&account.sid) {
                return Some((format!("accounts[{i}].sid"), "duplicate account".into()));
            }
            seen.push(&account.sid);
            for (k, key) in account.api_keys.iter().enumerate() {
                if keys.contains(&&key.sid) {
                    let at = format!("accounts[{i}].api_keys[{k}].sid");
                    return Some((at, "duplicate API key".into()));
                }
                keys.push(&key.sid);
            }
        }
        for (i, caller_id) in self.caller_ids.iter().enumerate() {
            if !is_e164(caller_id) {
                return Some((format!("caller_ids[{i}]"), not_e164(caller_id)));
            }
        }
        for (number, entry) in &self.numbers {
            let at = child_path("numbers", number);
            if !is_e164(number) {
                return Some((at, not_e164(number)));
            }
            if let Some((field, message)) = entry.problem() {
                return Some((format!("{at}.{field}"), message));
            }
        }
        let dialled_only = self
            .clients
            .iter()
            .map(|(name, entry)| (child_path("clients", name), entry))
            .chain(
                self.unlisted_numbers
                    .iter()
                    .map(|entry| ("unlisted_numbers".to_string(), entry)),
            );
        for (at, entry) in dialled_only {
            if entry.studio_flow.is_some() {
                let message = "only `numbers` entries run Studio flows; use a voice_url".into();
                return Some((format!("{at}.studio_flow"), message));
            }
            if let Some((field, message)) = entry.problem() {
                return Some((format!("{at}.{field}"), message));
            }
        }
        if let Some(found) = queues::problem(&self.queues, &self.numbers) {
            return Some(found);
        }
        if let Some(prefixes) = &self.permitted_prefixes {
            for (i, prefix) in prefixes.iter().enumerate() {
                let digits = prefix.strip_prefix('+').unwrap_or("");
                if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                    let message = format!("`{prefix}` is not a destination prefix like `+44`");
                    return Some((format!("permitted_prefixes[{i}]"), message));
                }
            }
        }
        let positive = [
            ("calls_per_second", self.calls_per_second),
            ("time_scale", self.time_scale),
            ("speech_rate_wpm", f64::from(self.speech_rate_wpm)),
        ];
        for (field, value) in positive {
            if !(value.is_finite() && value > 0.0) {
                return Some((field.into(), format!("must be above 0, found {value}")));
            }
        }
        let noise = self.recogniser.noise;
        if !(0.0..=1.0).contains(&noise) {
            let message = format!("must be between 0.0 and 1.0, found {noise}");
            return Some(("recogniser.noise".into(), message));
        }
        None
    }
}

impl NumberConfig {
    /// The first problem of this entry, as (field, message).
    fn problem(&self) -> Option<(&'static str, String)> {
        let urls = [
            ("voice_url", &self.voice_url),
            ("voice_fallback_url", &self.voice_fallback_url),
            ("status_callback", &self.status_callback),
        ];
        for (field, url) in urls {
            if let Some(url) = url {
                if !is_http_url(url) {
                    return Some((field, format!("`{url}` is not an absolute http(s) URL")));
                }
            }
        }
        if self.behaviour == NumberBehaviour::Answer {
            if self.voice_url.is_some() && self.studio_flow.is_some() {
                let message = "give either voice_url or studio_flow, not both".into();
                return Some(("studio_flow", message));
            }
            let runs_something = self.voice_url.is_some() || self.studio_flow.is_some();
            if !runs_something && self.hang_up_after_secs.is_none() {
                let message = "an answering number needs a voice_url, a studio_flow or \
                               hang_up_after_secs"
                    .into();
                return Some(("voice_url", message));
            }
        } else {
            let answering_only = [
                ("voice_url", self.voice_url.is_some()),
                ("studio_flow", self.studio_flow.is_some()),
                ("answer_after_rings", self.answer_after_rings.is_some()),
                ("hang_up_after_secs", self.hang_up_after_secs.is_some()),
            ];
            if let Some((field, _)) = answering_only.into_iter().find(|(_, set)| *set) {
                return Some((
                    field,
                    "this number never answers (behaviour); remove it".into(),
                ));
            }
        }
        None
    }
}

fn resolve_studio_flows(config: &mut EmulatorConfig, config_path: &Path) {
    let base = config_path.parent().unwrap_or(Path::new(""));
    for entry in config.numbers.values_mut() {
        if let Some(flow) = entry.studio_flow.as_mut() {
            if flow.is_relative() {
                *flow = base.join(&*flow);
            }
        }
    }
}

/// Whether `number` is E.164: `+` and 7 to 15 digits.
pub fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (7..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
    })
}

pub(crate) fn not_e164(number: &str) -> String {
    format!("`{number}` is not an E.164 number (+ and 7 to 15 digits)")
}

/// Whether `text` is an absolute http(s) URL with a host.
pub fn is_http_url(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// serde_json appends ` at line L column C`; the errors here carry positions separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests;
