//! Filling the typed capabilities from the merged raw values, collecting every error.

use std::collections::BTreeMap;

use miette::SourceSpan;
use serde_json::Value;

use super::coerce::{self, Expected};
use super::error::{ConfigError, FileSource, Origin};
use super::secrets::{Redactor, REDACTED};
use super::source::ParsedFile;
use super::types::{Capabilities, ScriptingCaps, Secret, TwilioCaps};

/// Values longer than this are cut in messages.
const MAX_SHOWN_CHARS: usize = 120;

/// One capability value and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The value (an environment string JSON-parsed when it parses).
    pub value: Value,
    /// Where it came from.
    pub origin: Origin,
    /// The environment string as given, for capabilities that are text.
    pub env_text: Option<String>,
}

/// Capabilities by name after merging file and environment.
pub(crate) type Merged = BTreeMap<String, Entry>;

/// What errors need besides the value: the file for snippets and the secrets to hide.
pub(crate) struct ErrorContext<'a> {
    /// The parsed configuration file, if one was read.
    pub file: Option<&'a ParsedFile>,
    /// Hides secret values in messages and snippets.
    pub redactor: Redactor,
}

impl ErrorContext<'_> {
    /// An invalid-value error; a secret's value is never shown.
    pub fn invalid(
        &self,
        capability: &str,
        entry: &Entry,
        expected: &str,
        secret: bool,
    ) -> ConfigError {
        let shown = if secret {
            REDACTED.to_string()
        } else {
            self.redactor.redact(&shown_value(entry))
        };
        let (src, span) = self.snippet(&entry.origin);
        ConfigError::InvalidValue {
            capability: capability.to_string(),
            expected: expected.to_string(),
            shown,
            origin: entry.origin.clone(),
            src,
            span,
        }
    }

    /// The masked file text and the span, when `origin` is in the file.
    pub fn snippet(&self, origin: &Origin) -> (Option<FileSource>, Option<SourceSpan>) {
        match (origin, self.file) {
            (Origin::File { span, .. }, Some(file)) => (
                Some(file.source_for_display(self.redactor.values())),
                Some((*span).into()),
            ),
            _ => (None, None),
        }
    }
}

/// The value as the user wrote it: the environment string, or the JSON.
fn shown_value(entry: &Entry) -> String {
    let shown = match &entry.env_text {
        Some(text) => Value::String(text.clone()).to_string(),
        None => entry.value.to_string(),
    };
    if shown.chars().count() > MAX_SHOWN_CHARS {
        let cut: String = shown.chars().take(MAX_SHOWN_CHARS).collect();
        format!("{cut}...")
    } else {
        shown
    }
}

/// Reads typed values out of the merged map, recording errors and falling back to defaults.
pub(crate) struct Typer<'a> {
    merged: &'a Merged,
    ctx: &'a ErrorContext<'a>,
    /// Errors found so far.
    pub errors: Vec<ConfigError>,
}

impl<'a> Typer<'a> {
    /// A typer over `merged`.
    pub fn new(merged: &'a Merged, ctx: &'a ErrorContext<'a>) -> Self {
        Typer {
            merged,
            ctx,
            errors: Vec::new(),
        }
    }

    /// The typed value of `key`; absent or `null` gives `default`, as does an error.
    fn get<T>(
        &mut self,
        key: &str,
        default: T,
        parse: impl FnOnce(&Value, Option<&str>) -> Result<T, Expected>,
    ) -> T {
        self.get_inner(key, default, false, parse)
    }

    /// Like `get`, but the value is never shown in an error.
    fn get_secret<T>(
        &mut self,
        key: &str,
        default: T,
        parse: impl FnOnce(&Value, Option<&str>) -> Result<T, Expected>,
    ) -> T {
        self.get_inner(key, default, true, parse)
    }

    fn get_inner<T>(
        &mut self,
        key: &str,
        default: T,
        secret: bool,
        parse: impl FnOnce(&Value, Option<&str>) -> Result<T, Expected>,
    ) -> T {
        let Some(entry) = self.merged.get(key) else {
            return default;
        };
        if entry.value.is_null() {
            return default;
        }
        match parse(&entry.value, entry.env_text.as_deref()) {
            Ok(value) => value,
            Err(expected) => {
                let error = self.ctx.invalid(key, entry, expected, secret);
                self.errors.push(error);
                default
            }
        }
    }

    /// All typed capabilities; `raw` is left empty for the caller to fill.
    pub fn capabilities(&mut self) -> Capabilities {
        let defaults = Capabilities::default();
        Capabilities {
            project_name: self.get("PROJECTNAME", defaults.project_name.clone(), |v, e| {
                text_or(v, e, &defaults.project_name)
            }),
            container_mode: self.get("CONTAINERMODE", None, coerce::text),
            wait_for_bot_timeout: self.get(
                "WAITFORBOTTIMEOUT",
                defaults.wait_for_bot_timeout,
                |v, _| coerce::milliseconds(v),
            ),
            twilio: self.twilio(),
            scripting: self.scripting(),
            raw: BTreeMap::new(),
        }
    }

    fn twilio(&mut self) -> TwilioCaps {
        let d = TwilioCaps::default();
        let ms = |v: &Value, _: Option<&str>| coerce::milliseconds(v);
        TwilioCaps {
            account_sid: self.get("TWILIO_IVR_ACCOUNT_SID", None, coerce::text),
            auth_token: self.get_secret("TWILIO_IVR_AUTH_TOKEN", None, |v, e| {
                Ok(coerce::text(v, e)?.map(Secret::new))
            }),
            api_key: self.get("TWILIO_IVR_API_KEY", None, coerce::api_key_sid),
            api_secret: self.get_secret("TWILIO_IVR_API_SECRET", None, |v, e| {
                Ok(coerce::text(v, e)?.map(Secret::new))
            }),
            caller_ids: self.get("TWILIO_IVR_FROM", Vec::new(), coerce::caller_ids),
            to: self.get("TWILIO_IVR_TO", None, coerce::text),
            language_code: self.get(
                "TWILIO_IVR_LANGUAGE_CODE",
                d.language_code.clone(),
                |v, e| text_or(v, e, &d.language_code),
            ),
            voice: self.get("TWILIO_IVR_VOICE", None, coerce::text),
            speech_model: self.get(
                "TWILIO_IVR_SPEECH_MODEL",
                d.speech_model.clone(),
                coerce::text,
            ),
            speech_model_enhanced: self.get(
                "TWILIO_IVR_SPEECH_MODEL_ENHANCED",
                d.speech_model_enhanced,
                |v, _| coerce::boolean(v),
            ),
            speech_timeout: self.get("TWILIO_IVR_SPEECH_TIMEOUT", None, |v, _| {
                coerce::speech_timeout(v)
            }),
            public_url: self.get("TWILIO_IVR_PUBLICURL", None, coerce::http_url),
            public_url_params: self.get("TWILIO_IVR_PUBLICURLPARAMS", None, coerce::query_params),
            redis_url: self.get_secret("TWILIO_IVR_REDISURL", None, |v, e| {
                Ok(coerce::redis_url(v, e)?.map(Secret::new))
            }),
            redis_topic_base: self.get(
                "TWILIO_IVR_REDIS_TOPICBASE",
                d.redis_topic_base.clone(),
                |v, e| text_or(v, e, &d.redis_topic_base),
            ),
            inbound_port: self.get("TWILIO_IVR_INBOUNDPORT", None, |v, _| {
                coerce::port(v).map(Some)
            }),
            inbound_endpoint: self.get(
                "TWILIO_IVR_INBOUNDENDPOINT",
                d.inbound_endpoint.clone(),
                |v, e| text_or(v, e, &d.inbound_endpoint),
            ),
            record: self.get("TWILIO_IVR_RECORD", d.record, |v, _| coerce::boolean(v)),
            redial: self.get("TWILIO_IVR_REDIAL", d.redial, |v, _| {
                coerce::whole_number(v, 1)
            }),
            wait_call_started: self.get("TWILIO_IVR_WAIT_CALL_STARTED", d.wait_call_started, ms),
            wait_call_completed: self.get(
                "TWILIO_IVR_WAIT_CALL_COMPLETED",
                d.wait_call_completed,
                ms,
            ),
            wait_botium_response: self.get(
                "TWILIO_IVR_WAIT_BOTIUM_RESPONSE",
                d.wait_botium_response,
                ms,
            ),
            api_url: self.get("TWILIO_IVR_API_URL", d.api_url.clone(), |v, e| {
                Ok(coerce::http_url(v, e)?.unwrap_or_else(|| d.api_url.clone()))
            }),
            emulate: self.get("TWILIO_IVR_EMULATE", None, coerce::text),
            calls_per_second: self.get(
                "TWILIO_IVR_CALLS_PER_SECOND",
                d.calls_per_second,
                |v, _| coerce::whole_number(v, 1),
            ),
            time_limit_secs: self.get("TWILIO_IVR_TIME_LIMIT", d.time_limit_secs, |v, _| {
                coerce::whole_number(v, 1)
            }),
            gather_timeout_secs: self.get(
                "TWILIO_IVR_GATHER_TIMEOUT",
                d.gather_timeout_secs,
                |v, _| coerce::whole_number(v, 1),
            ),
            hints: self.get("TWILIO_IVR_HINTS", Vec::new(), coerce::text_list),
            join_fragments: self.get("TWILIO_IVR_JOIN_FRAGMENTS", d.join_fragments, |v, _| {
                coerce::boolean(v)
            }),
            digits_as_tones: self.get("TWILIO_IVR_DIGITS_AS_TONES", d.digits_as_tones, |v, _| {
                coerce::boolean(v)
            }),
            answer_timing: self.get("TWILIO_IVR_ANSWER_TIMING", d.answer_timing, |v, _| {
                coerce::answer_timing(v)
            }),
            transport: self.get("TWILIO_IVR_TRANSPORT", d.transport, |v, _| {
                coerce::transport(v)
            }),
            sms_wait: self.get("TWILIO_IVR_SMS_WAIT", d.sms_wait, ms),
            redis_outage_limit: self.get("TWILIO_IVR_REDIS_OUTAGE_LIMIT", d.redis_outage_limit, ms),
        }
    }

    fn scripting(&mut self) -> ScriptingCaps {
        let d = ScriptingCaps::default();
        let flag = |v: &Value, _: Option<&str>| coerce::boolean(v);
        ScriptingCaps {
            matching_mode: self.get(
                "SCRIPTING_MATCHING_MODE",
                d.matching_mode.clone(),
                |v, e| text_or(v, e, &d.matching_mode),
            ),
            matching_mode_args: self.get("SCRIPTING_MATCHING_MODE_ARGS", Vec::new(), |v, _| {
                coerce::value_list(v)
            }),
            normalize_text: self.get("SCRIPTING_NORMALIZE_TEXT", d.normalize_text, flag),
            normalize_remove_characters: self.get(
                "SCRIPTING_NORMALIZE_TEXT_REMOVE_CHARACTERES",
                Vec::new(),
                coerce::text_list,
            ),
            normalize_remove_regexp: self.get(
                "SCRIPTING_NORMALIZE_TEXT_REMOVE_REGEXP",
                None,
                coerce::text,
            ),
            speech_tolerant: self.get("SCRIPTING_SPEECH_TOLERANT", d.speech_tolerant, flag),
            similarity_threshold: self.get(
                "SCRIPTING_SIMILARITY_THRESHOLD",
                d.similarity_threshold,
                |v, _| coerce::fraction(v),
            ),
            txt_eol: self.get("SCRIPTING_TXT_EOL", None, coerce::text),
            enable_memory: self.get("SCRIPTING_ENABLE_MEMORY", d.enable_memory, flag),
            memory_matching_mode: self.get(
                "SCRIPTING_MEMORY_MATCHING_MODE",
                d.memory_matching_mode.clone(),
                |v, e| text_or(v, e, &d.memory_matching_mode),
            ),
            memory_column_mode: self.get("SCRIPTING_MEMORY_COLUMN_MODE", None, coerce::text),
            memory_expansion_keep_orig: self.get(
                "SCRIPTING_MEMORYEXPANSION_KEEP_ORIG",
                d.memory_expansion_keep_orig,
                flag,
            ),
            enable_multiple_assert_errors: self.get(
                "SCRIPTING_ENABLE_MULTIPLE_ASSERT_ERRORS",
                d.enable_multiple_assert_errors,
                flag,
            ),
            enable_skip_assert_errors: self.get(
                "SCRIPTING_ENABLE_SKIP_ASSERT_ERRORS",
                d.enable_skip_assert_errors,
                flag,
            ),
            force_bot_consumed: self.get(
                "SCRIPTING_FORCE_BOT_CONSUMED",
                d.force_bot_consumed,
                flag,
            ),
            utt_expansion_mode: self.get(
                "SCRIPTING_UTTEXPANSION_MODE",
                d.utt_expansion_mode,
                |v, _| coerce::utt_expansion_mode(v),
            ),
            utt_expansion_random_count: self.get(
                "SCRIPTING_UTTEXPANSION_RANDOM_COUNT",
                d.utt_expansion_random_count,
                |v, _| coerce::whole_number(v, 1),
            ),
            utt_expansion_naming_mode: self.get(
                "SCRIPTING_UTTEXPANSION_NAMING_MODE",
                d.utt_expansion_naming_mode,
                |v, _| coerce::utt_naming_mode(v),
            ),
            utt_expansion_naming_utterance_max: self.get(
                "SCRIPTING_UTTEXPANSION_NAMING_UTTERANCE_MAX",
                d.utt_expansion_naming_utterance_max,
                |v, _| coerce::whole_number(v, 0),
            ),
            convo_step_parameters: self.get("SCRIPTING_CONVO_STEP_PARAMETERS", None, |v, _| {
                coerce::object(v).map(Some)
            }),
        }
    }
}

/// Text where empty means "use the default".
fn text_or(value: &Value, env_text: Option<&str>, default: &str) -> Result<String, Expected> {
    Ok(coerce::text(value, env_text)?.unwrap_or_else(|| default.to_string()))
}
