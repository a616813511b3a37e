//! Effective configuration for people (`check` output), secrets redacted.

use std::time::Duration;

use serde_json::Value;

use super::secrets::REDACTED;
use super::types::{Config, Secret, SpeechTimeout, UttExpansionMode, UttNamingMode};

/// Shown for a capability without a value.
const UNSET: &str = "(unset)";

/// Capabilities a call cannot be placed without.
const REQUIRED_FOR_CALLS: [&str; 5] = [
    "TWILIO_IVR_ACCOUNT_SID",
    "TWILIO_IVR_AUTH_TOKEN (or TWILIO_IVR_API_KEY + TWILIO_IVR_API_SECRET)",
    "TWILIO_IVR_FROM",
    "TWILIO_IVR_TO",
    "TWILIO_IVR_PUBLICURL",
];

impl Config {
    /// Effective capability values as `(name, value)` in a stable order, secrets redacted.
    pub fn describe(&self) -> Vec<(String, String)> {
        let caps = &self.capabilities;
        let t = &caps.twilio;
        let s = &caps.scripting;
        let redis = t.redis_url.as_ref().map(|url| self.redact(url.expose()));
        let rows: Vec<(&str, String)> = vec![
            ("PROJECTNAME", caps.project_name.clone()),
            ("CONTAINERMODE", optional(&caps.container_mode)),
            ("WAITFORBOTTIMEOUT", millis(caps.wait_for_bot_timeout)),
            ("TWILIO_IVR_ACCOUNT_SID", optional(&t.account_sid)),
            ("TWILIO_IVR_AUTH_TOKEN", secret(&t.auth_token)),
            ("TWILIO_IVR_API_KEY", optional(&t.api_key)),
            ("TWILIO_IVR_API_SECRET", secret(&t.api_secret)),
            (
                "TWILIO_IVR_FROM",
                if t.caller_ids.is_empty() {
                    UNSET.to_string()
                } else {
                    t.caller_ids.join(", ")
                },
            ),
            ("TWILIO_IVR_TO", optional(&t.to)),
            ("TWILIO_IVR_LANGUAGE_CODE", t.language_code.clone()),
            ("TWILIO_IVR_VOICE", optional(&t.voice)),
            ("TWILIO_IVR_SPEECH_MODEL", optional(&t.speech_model)),
            (
                "TWILIO_IVR_SPEECH_MODEL_ENHANCED",
                t.speech_model_enhanced.to_string(),
            ),
            (
                "TWILIO_IVR_SPEECH_TIMEOUT",
                match t.speech_timeout {
                    None => UNSET.to_string(),
                    Some(SpeechTimeout::Auto) => "auto".to_string(),
                    Some(SpeechTimeout::Seconds(n)) => format!("{n} s"),
                },
            ),
            ("TWILIO_IVR_PUBLICURL", optional(&t.public_url)),
            ("TWILIO_IVR_PUBLICURLPARAMS", optional(&t.public_url_params)),
            ("TWILIO_IVR_REDISURL", optional(&redis)),
            ("TWILIO_IVR_REDIS_TOPICBASE", t.redis_topic_base.clone()),
            (
                "TWILIO_IVR_INBOUNDPORT",
                t.inbound_port.map_or(UNSET.to_string(), |p| p.to_string()),
            ),
            ("TWILIO_IVR_INBOUNDENDPOINT", t.inbound_endpoint.clone()),
            ("TWILIO_IVR_RECORD", t.record.to_string()),
            ("TWILIO_IVR_REDIAL", t.redial.to_string()),
            ("TWILIO_IVR_WAIT_CALL_STARTED", millis(t.wait_call_started)),
            (
                "TWILIO_IVR_WAIT_CALL_COMPLETED",
                millis(t.wait_call_completed),
            ),
            (
                "TWILIO_IVR_WAIT_BOTIUM_RESPONSE",
                millis(t.wait_botium_response),
            ),
            (
                "TWILIO_IVR_ANSWER_TIMING",
                t.answer_timing.name().to_string(),
            ),
            ("TWILIO_IVR_TRANSPORT", t.transport.name().to_string()),
            ("SCRIPTING_MATCHING_MODE", s.matching_mode.clone()),
            (
                "SCRIPTING_MATCHING_MODE_ARGS",
                Value::Array(s.matching_mode_args.clone()).to_string(),
            ),
            ("SCRIPTING_NORMALIZE_TEXT", s.normalize_text.to_string()),
            (
                "SCRIPTING_NORMALIZE_TEXT_REMOVE_CHARACTERES",
                Value::from(s.normalize_remove_characters.clone()).to_string(),
            ),
            (
                "SCRIPTING_NORMALIZE_TEXT_REMOVE_REGEXP",
                optional(&s.normalize_remove_regexp),
            ),
            ("SCRIPTING_SPEECH_TOLERANT", s.speech_tolerant.to_string()),
            (
                "SCRIPTING_SIMILARITY_THRESHOLD",
                s.similarity_threshold.to_string(),
            ),
            (
                "SCRIPTING_TXT_EOL",
                s.txt_eol
                    .as_ref()
                    .map_or(UNSET.to_string(), |eol| format!("{eol:?}")),
            ),
            ("SCRIPTING_ENABLE_MEMORY", s.enable_memory.to_string()),
            (
                "SCRIPTING_MEMORY_MATCHING_MODE",
                s.memory_matching_mode.clone(),
            ),
            (
                "SCRIPTING_MEMORY_COLUMN_MODE",
                optional(&s.memory_column_mode),
            ),
            (
                "SCRIPTING_MEMORYEXPANSION_KEEP_ORIG",
                s.memory_expansion_keep_orig.to_string(),
            ),
            (
                "SCRIPTING_ENABLE_MULTIPLE_ASSERT_ERRORS",
                s.enable_multiple_assert_errors.to_string(),
            ),
            (
                "SCRIPTING_ENABLE_SKIP_ASSERT_ERRORS",
                s.enable_skip_assert_errors.to_string(),
            ),
            (
                "SCRIPTING_FORCE_BOT_CONSUMED",
                s.force_bot_consumed.to_string(),
            ),
            (
                "SCRIPTING_UTTEXPANSION_MODE",
                match s.utt_expansion_mode {
                    UttExpansionMode::All => "all",
                    UttExpansionMode::First => "first",
                    UttExpansionMode::Random => "random",
                    UttExpansionMode::Index => "index",
                }
                .to_string(),
            ),
            (
                "SCRIPTING_UTTEXPANSION_RANDOM_COUNT",
                s.utt_expansion_random_count.to_string(),
            ),
            (
                "SCRIPTING_UTTEXPANSION_NAMING_MODE",
                match s.utt_expansion_naming_mode {
                    UttNamingMode::JustLineTag => "justLineTag",
                    UttNamingMode::Utterance => "utterance",
                }
                .to_string(),
            ),
            (
                "SCRIPTING_UTTEXPANSION_NAMING_UTTERANCE_MAX",
                s.utt_expansion_naming_utterance_max.to_string(),
            ),
            (
                "SCRIPTING_CONVO_STEP_PARAMETERS",
                s.convo_step_parameters
                    .as_ref()
                    .map_or(UNSET.to_string(), Value::to_string),
            ),
        ];
        rows.into_iter()
            .map(|(name, value)| (name.to_string(), self.redact(&value)))
            .collect()
    }

    /// Capabilities that must be set before a call can be placed, but are not.
    pub fn missing_for_calls(&self) -> Vec<&'static str> {
        let t = &self.capabilities.twilio;
        let present = [
            t.account_sid.is_some(),
            t.rest_credentials().is_some(),
            !t.caller_ids.is_empty(),
            t.to.is_some(),
            t.public_url.is_some(),
        ];
        REQUIRED_FOR_CALLS
            .iter()
            .zip(present)
            .filter(|(_, present)| !present)
            .map(|(name, _)| *name)
            .collect()
    }
}

fn optional(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| UNSET.to_string())
}

fn secret(value: &Option<Secret>) -> String {
    match value {
        Some(_) => REDACTED.to_string(),
        None => UNSET.to_string(),
    }
}

fn millis(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms.fract() == 0.0 {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{ms} ms")
    }
}
