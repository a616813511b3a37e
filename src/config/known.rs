//! Known capability names and matching modes, and "did you mean" suggestions for typos.
//!
//! Botium ignores unknown capabilities and treats unknown matching modes as case-sensitive
//! equals, so a typo silently changes nothing, or the wrong thing; we warn instead.

/// `TWILIO_IVR_*` capabilities of the original connector, all read by this tool.
pub(crate) const TWILIO_CAPABILITIES: &[&str] = &[
    "TWILIO_IVR_ACCOUNT_SID",
    "TWILIO_IVR_AUTH_TOKEN",
    "TWILIO_IVR_API_KEY",
    "TWILIO_IVR_API_SECRET",
    "TWILIO_IVR_FROM",
    "TWILIO_IVR_TO",
    "TWILIO_IVR_LANGUAGE_CODE",
    "TWILIO_IVR_VOICE",
    "TWILIO_IVR_SPEECH_MODEL",
    "TWILIO_IVR_SPEECH_MODEL_ENHANCED",
    "TWILIO_IVR_SPEECH_TIMEOUT",
    "TWILIO_IVR_PUBLICURL",
    "TWILIO_IVR_PUBLICURLPARAMS",
    "TWILIO_IVR_REDISURL",
    "TWILIO_IVR_REDIS_TOPICBASE",
    "TWILIO_IVR_INBOUNDPORT",
    "TWILIO_IVR_INBOUNDENDPOINT",
    "TWILIO_IVR_RECORD",
    "TWILIO_IVR_REDIAL",
    "TWILIO_IVR_WAIT_CALL_STARTED",
    "TWILIO_IVR_WAIT_CALL_COMPLETED",
    "TWILIO_IVR_WAIT_BOTIUM_RESPONSE",
    "TWILIO_IVR_API_URL",
    "TWILIO_IVR_EMULATE",
    "TWILIO_IVR_CALLS_PER_SECOND",
    "TWILIO_IVR_TIME_LIMIT",
    "TWILIO_IVR_GATHER_TIMEOUT",
    "TWILIO_IVR_HINTS",
    "TWILIO_IVR_JOIN_FRAGMENTS",
    "TWILIO_IVR_DIGITS_AS_TONES",
    "TWILIO_IVR_ANSWER_TIMING",
    "TWILIO_IVR_TRANSPORT",
    "TWILIO_IVR_SMS_WAIT",
    "TWILIO_IVR_REDIS_OUTAGE_LIMIT",
];

/// `SCRIPTING_*` capabilities this tool reads.
pub(crate) const SCRIPTING_CAPABILITIES: &[&str] = &[
    "SCRIPTING_MATCHING_MODE",
    "SCRIPTING_MATCHING_MODE_ARGS",
    "SCRIPTING_NORMALIZE_TEXT",
    "SCRIPTING_NORMALIZE_TEXT_REMOVE_CHARACTERES",
    "SCRIPTING_NORMALIZE_TEXT_REMOVE_REGEXP",
    "SCRIPTING_SPEECH_TOLERANT",
    "SCRIPTING_SIMILARITY_THRESHOLD",
    "SCRIPTING_TXT_EOL",
    "SCRIPTING_ENABLE_MEMORY",
    "SCRIPTING_MEMORY_MATCHING_MODE",
    "SCRIPTING_MEMORY_COLUMN_MODE",
    "SCRIPTING_MEMORYEXPANSION_KEEP_ORIG",
    "SCRIPTING_ENABLE_MULTIPLE_ASSERT_ERRORS",
    "SCRIPTING_ENABLE_SKIP_ASSERT_ERRORS",
    "SCRIPTING_FORCE_BOT_CONSUMED",
    "SCRIPTING_UTTEXPANSION_MODE",
    "SCRIPTING_UTTEXPANSION_RANDOM_COUNT",
    "SCRIPTING_UTTEXPANSION_NAMING_MODE",
    "SCRIPTING_UTTEXPANSION_NAMING_UTTERANCE_MAX",
    "SCRIPTING_CONVO_STEP_PARAMETERS",
];

/// Botium `SCRIPTING_*` capabilities for other script formats and features; accepted without a
/// warning (they are real names, just not used by a `.convo.txt` runner).
pub(crate) const OTHER_BOTIUM_SCRIPTING_CAPABILITIES: &[&str] = &[
    "SCRIPTING_XLSX_EOL_WRITE",
    "SCRIPTING_XLSX_STARTROW",
    "SCRIPTING_XLSX_STARTCOL",
    "SCRIPTING_XLSX_HASHEADER",
    "SCRIPTING_XLSX_MODE",
    "SCRIPTING_XLSX_SHEETNAMES",
    "SCRIPTING_XLSX_SHEETNAMES_PCONVOS",
    "SCRIPTING_XLSX_SHEETNAMES_UTTERANCES",
    "SCRIPTING_XLSX_SHEETNAMES_SCRIPTING_MEMORY",
    "SCRIPTING_CSV_DELIMITER",
    "SCRIPTING_CSV_SKIP_HEADER",
    "SCRIPTING_CSV_QUOTE",
    "SCRIPTING_CSV_ESCAPE",
    "SCRIPTING_CSV_MODE",
    "SCRIPTING_CSV_QUESTION_ANSWER_QUESTION_COL",
    "SCRIPTING_CSV_QUESTION_ANSWER_ANSWER_COL",
    "SCRIPTING_CSV_MULTIROW_COLUMN_CONVERSATION_ID",
    "SCRIPTING_CSV_MULTIROW_COLUMN_SENDER",
    "SCRIPTING_CSV_MULTIROW_COLUMN_TEXT",
    "SCRIPTING_CSV_UTTERANCE_STARTROW",
    "SCRIPTING_CSV_UTTERANCE_STARTROW_HEADER",
    "SCRIPTING_UTTEXPANSION_INCOMPREHENSION",
    "SCRIPTING_UTTEXPANSION_USENAMEASINTENT",
    "SCRIPTING_MEMORYEXPANSION_DELORIG",
];

/// Text matching modes Botium implements (§5.2).
pub(crate) const MATCHING_MODES: &[&str] = &[
    "regexp",
    "regexpIgnoreCase",
    "wildcard",
    "wildcardIgnoreCase",
    "wildcardLowerCase",
    "wildcardExact",
    "wildcardExactIgnoreCase",
    "include",
    "includeIgnoreCase",
    "includeLowerCase",
    "equals",
    "equalsIgnoreCase",
    "wer",
];

/// `SCRIPTING_MEMORY_MATCHING_MODE` values Botium implements.
pub(crate) const MEMORY_MATCHING_MODES: &[&str] = &["word", "non_whitespace", "joker"];

pub(crate) use botiumscript::caps::did_you_mean;

/// `" (did you mean X?)"` or nothing.
pub(crate) fn suggestion(name: &str, candidates: &[&str]) -> String {
    did_you_mean(name, candidates)
        .map(|c| format!(" (did you mean {c}?)"))
        .unwrap_or_default()
}

/// A warning for a capability name that looks like ours but is not, or None.
pub(crate) fn unknown_capability_warning(name: &str, origin: &str) -> Option<String> {
    let is_ours = name.starts_with("TWILIO_IVR_") || name.starts_with("SCRIPTING_");
    let is_known = TWILIO_CAPABILITIES.contains(&name)
        || SCRIPTING_CAPABILITIES.contains(&name)
        || OTHER_BOTIUM_SCRIPTING_CAPABILITIES.contains(&name);
    if !is_ours || is_known {
        return None;
    }
    let all: Vec<&str> = TWILIO_CAPABILITIES
        .iter()
        .chain(SCRIPTING_CAPABILITIES)
        .copied()
        .collect();
    Some(format!(
        "unknown capability {name} (from {origin}) is ignored{}",
        suggestion(name, &all)
    ))
}

/// A warning for a matching mode Botium does not implement, or None.
pub(crate) fn matching_mode_warning(mode: &str) -> Option<String> {
    if MATCHING_MODES.contains(&mode) {
        return None;
    }
    Some(format!(
        "SCRIPTING_MATCHING_MODE \"{mode}\" is not a known matching mode; it behaves as case-sensitive equals, as in Botium{}",
        suggestion(mode, MATCHING_MODES)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("TWILIO_IVR_AUTHTOKEN", TWILIO_CAPABILITIES),
            Some("TWILIO_IVR_AUTH_TOKEN")
        );
        assert_eq!(
            did_you_mean("wildcardignorecase", MATCHING_MODES),
            Some("wildcardIgnoreCase")
        );
        assert_eq!(did_you_mean("zzzz", MATCHING_MODES), None);
    }

    #[test]
    fn warns_only_for_unknown_names_in_our_namespaces() {
        assert!(unknown_capability_warning("TWILIO_IVR_REDIAL", "f").is_none());
        assert!(unknown_capability_warning("SCRIPTING_XLSX_STARTROW", "f").is_none());
        assert!(unknown_capability_warning("SIMPLEREST_URL", "f").is_none());
        let warning = unknown_capability_warning("TWILIO_IVR_REDAIL", "BOTIUM_TWILIO_IVR_REDAIL")
            .expect("warning");
        assert!(
            warning.contains("did you mean TWILIO_IVR_REDIAL?"),
            "{warning}"
        );
        assert!(warning.contains("BOTIUM_TWILIO_IVR_REDAIL"), "{warning}");
    }

    #[test]
    fn warns_for_unknown_matching_modes() {
        assert!(matching_mode_warning("wer").is_none());
        let warning = matching_mode_warning("wildcardIgnorecase").expect("warning");
        assert!(warning.contains("case-sensitive equals"), "{warning}");
        assert!(
            warning.contains("did you mean wildcardIgnoreCase?"),
            "{warning}"
        );
    }
}
