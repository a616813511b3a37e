//! `SCRIPTING_MATCHING_MODE`: the mode names and their parsing (reference §5.2).

use std::fmt;

use super::error::MatchingError;

/// How an expected text is compared with what the bot said (Botium's matching modes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MatchingMode {
    /// `wildcard[IgnoreCase]`: `*` is any text, unanchored (matches substrings).
    Wildcard {
        /// Case-insensitive (the `i` flag).
        ignore_case: bool,
    },
    /// `wildcardExact[IgnoreCase]`: like `Wildcard`, anchored at both ends.
    WildcardExact {
        /// Case-insensitive (the `i` flag).
        ignore_case: bool,
    },
    /// `regexp[IgnoreCase]`: the expected text is a JavaScript regex, unanchored.
    Regexp {
        /// Case-insensitive (the `i` flag).
        ignore_case: bool,
    },
    /// `include[IgnoreCase]`: the expected text is a substring.
    Include {
        /// Both sides lowercased.
        ignore_case: bool,
    },
    /// `equals[IgnoreCase]`: the whole texts are equal.
    Equals {
        /// Both sides lowercased.
        ignore_case: bool,
    },
    /// `wer`: the word error rate is at most `threshold`.
    Wer {
        /// Highest accepted word error rate, 0..=1.
        threshold: f64,
    },
}

/// Every valid mode name, in the order of Botium's `Capabilities.js` comment, then the aliases.
pub const MODE_NAMES: &[&str] = &[
    "regexp",
    "regexpIgnoreCase",
    "wildcard",
    "wildcardIgnoreCase",
    "wildcardExact",
    "wildcardExactIgnoreCase",
    "include",
    "includeIgnoreCase",
    "equals",
    "equalsIgnoreCase",
    "wer",
    "wildcardLowerCase",
    "includeLowerCase",
];

impl Default for MatchingMode {
    /// Botium's default, `wildcardIgnoreCase`.
    fn default() -> Self {
        MatchingMode::Wildcard { ignore_case: true }
    }
}

impl MatchingMode {
    /// Parses a SCRIPTING_MATCHING_MODE name (+ SCRIPTING_MATCHING_MODE_ARGS for wer). Accepts the legacy aliases
    /// wildcardLowerCase / includeLowerCase. An unknown name behaves as Botium does (case-sensitive equals) and
    /// returns Some(warning text) that names the mode and lists the valid ones (with a "did you mean" via strsim).
    pub fn parse(
        name: &str,
        args: &[serde_json::Value],
    ) -> Result<(MatchingMode, Option<String>), MatchingError> {
        let mode = match name {
            "regexp" => MatchingMode::Regexp { ignore_case: false },
            "regexpIgnoreCase" => MatchingMode::Regexp { ignore_case: true },
            "wildcard" => MatchingMode::Wildcard { ignore_case: false },
            "wildcardIgnoreCase" | "wildcardLowerCase" => {
                MatchingMode::Wildcard { ignore_case: true }
            }
            "wildcardExact" => MatchingMode::WildcardExact { ignore_case: false },
            "wildcardExactIgnoreCase" => MatchingMode::WildcardExact { ignore_case: true },
            "include" => MatchingMode::Include { ignore_case: false },
            "includeIgnoreCase" | "includeLowerCase" => MatchingMode::Include { ignore_case: true },
            "equals" => MatchingMode::Equals { ignore_case: false },
            "equalsIgnoreCase" => MatchingMode::Equals { ignore_case: true },
            "wer" => MatchingMode::Wer {
                threshold: parse_wer_threshold(args.first())?,
            },
            unknown => {
                return Ok((
                    MatchingMode::Equals { ignore_case: false },
                    Some(unknown_mode_warning(unknown)),
                ))
            }
        };
        Ok((mode, None))
    }

    /// The Botium name of this mode (the canonical spelling, not an alias).
    pub fn name(&self) -> &'static str {
        match *self {
            MatchingMode::Wildcard { ignore_case } => pick(ignore_case, "wildcard"),
            MatchingMode::WildcardExact { ignore_case } => pick(ignore_case, "wildcardExact"),
            MatchingMode::Regexp { ignore_case } => pick(ignore_case, "regexp"),
            MatchingMode::Include { ignore_case } => pick(ignore_case, "include"),
            MatchingMode::Equals { ignore_case } => pick(ignore_case, "equals"),
            MatchingMode::Wer { .. } => "wer",
        }
    }
}

fn pick(ignore_case: bool, base: &'static str) -> &'static str {
    if !ignore_case {
        return base;
    }
    match base {
        "wildcard" => "wildcardIgnoreCase",
        "wildcardExact" => "wildcardExactIgnoreCase",
        "regexp" => "regexpIgnoreCase",
        "include" => "includeIgnoreCase",
        _ => "equalsIgnoreCase",
    }
}

impl fmt::Display for MatchingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchingMode::Wer { threshold } => write!(f, "wer ({:.0}%)", threshold * 100.0),
            other => f.write_str(other.name()),
        }
    }
}

fn unknown_mode_warning(name: &str) -> String {
    let lowered = name.to_lowercase();
    let suggestion = MODE_NAMES
        .iter()
        .map(|candidate| {
            (
                strsim::jaro_winkler(&lowered, &candidate.to_lowercase()),
                *candidate,
            )
        })
        // Highest similarity wins; on a tie the earlier (canonical) name, for determinism.
        .fold(None::<(f64, &str)>, |best, (score, candidate)| match best {
            Some((best_score, _)) if best_score >= score => best,
            _ => Some((score, candidate)),
        })
        .filter(|(score, _)| *score >= 0.8)
        .map(|(_, candidate)| format!(" Did you mean \"{candidate}\"?"))
        .unwrap_or_default();
    format!(
        "unknown SCRIPTING_MATCHING_MODE \"{name}\": like Botium, falling back to case-sensitive equals.{suggestion} Valid modes: {}",
        MODE_NAMES.join(", ")
    )
}

/// Botium's threshold rule: a value containing `.` or `,` is a ratio, anything else is percent.
///
/// Deliberate differences: `0,25` is 0.25 (Botium's `parseFloat` stops at the comma and gets 0),
/// and a missing, non-numeric or out-of-range value is an error (Botium compares with NaN and
/// never matches).
pub fn parse_wer_threshold(arg: Option<&serde_json::Value>) -> Result<f64, MatchingError> {
    let raw = match arg {
        None | Some(serde_json::Value::Null) => return Err(MatchingError::InvalidWerThreshold {
            value: "(none)".to_string(),
            reason:
                "the wer mode needs a threshold in SCRIPTING_MATCHING_MODE_ARGS, e.g. [25] for 25 %"
                    .to_string(),
        }),
        Some(serde_json::Value::String(text)) => text.trim().to_string(),
        Some(other) => other.to_string(),
    };
    let invalid = |reason: &str| MatchingError::InvalidWerThreshold {
        value: raw.clone(),
        reason: reason.to_string(),
    };
    let threshold = if raw.contains('.') || raw.contains(',') {
        raw.replace(',', ".")
            .parse::<f64>()
            .map_err(|_| invalid("not a number"))?
    } else {
        raw.parse::<f64>()
            .map_err(|_| invalid("not a number"))?
            .trunc()
            / 100.0
    };
    if !threshold.is_finite() || !(0.0..=1.0).contains(&threshold) {
        return Err(invalid("expected 0..100 (percent) or 0.0..1.0 (ratio)"));
    }
    Ok(threshold)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(name: &str) -> (MatchingMode, Option<String>) {
        MatchingMode::parse(name, &[]).expect("parses")
    }

    #[test]
    fn every_name_and_alias() {
        assert_eq!(
            parse("wildcard").0,
            MatchingMode::Wildcard { ignore_case: false }
        );
        assert_eq!(
            parse("wildcardIgnoreCase").0,
            MatchingMode::Wildcard { ignore_case: true }
        );
        assert_eq!(
            parse("wildcardLowerCase").0,
            MatchingMode::Wildcard { ignore_case: true }
        );
        assert_eq!(
            parse("wildcardExactIgnoreCase").0,
            MatchingMode::WildcardExact { ignore_case: true }
        );
        assert_eq!(
            parse("regexp").0,
            MatchingMode::Regexp { ignore_case: false }
        );
        assert_eq!(
            parse("includeLowerCase").0,
            MatchingMode::Include { ignore_case: true }
        );
        assert_eq!(
            parse("equalsIgnoreCase").0,
            MatchingMode::Equals { ignore_case: true }
        );
        for name in MODE_NAMES.iter().filter(|name| **name != "wer") {
            assert!(parse(name).1.is_none(), "{name}");
        }
    }

    #[test]
    fn names_round_trip() {
        for name in MODE_NAMES.iter().filter(|name| **name != "wer") {
            let mode = parse(name).0;
            assert_eq!(parse(mode.name()).0, mode);
        }
        assert_eq!(MatchingMode::default().name(), "wildcardIgnoreCase");
    }

    #[test]
    fn unknown_mode_is_case_sensitive_equals_with_warning() {
        let (mode, warning) = parse("word");
        assert_eq!(mode, MatchingMode::Equals { ignore_case: false });
        let warning = warning.expect("warning");
        assert!(warning.contains("\"word\""), "{warning}");
        assert!(warning.contains("wildcardIgnoreCase"), "{warning}");
    }

    #[test]
    fn unknown_mode_suggests_the_closest() {
        let warning = parse("Wildcard").1.expect("names are case-sensitive");
        assert!(warning.contains("Did you mean \"wildcard\"?"), "{warning}");
        let warning = parse("regexIgnoreCase").1.expect("warning");
        assert!(
            warning.contains("Did you mean \"regexpIgnoreCase\"?"),
            "{warning}"
        );
        let warning = parse("zzzzzz").1.expect("warning");
        assert!(!warning.contains("Did you mean"), "{warning}");
    }

    #[test]
    fn wer_thresholds() {
        let wer = |arg: serde_json::Value| match MatchingMode::parse("wer", &[arg]) {
            Ok((MatchingMode::Wer { threshold }, None)) => threshold,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(wer(json!(25)), 0.25);
        assert_eq!(wer(json!("25")), 0.25);
        assert_eq!(wer(json!(0.3)), 0.3);
        assert_eq!(wer(json!("0.3")), 0.3);
        assert_eq!(wer(json!("0,3")), 0.3);
        assert_eq!(wer(json!(0)), 0.0);
        assert_eq!(wer(json!(100)), 1.0);
    }

    #[test]
    fn bad_wer_thresholds() {
        assert!(MatchingMode::parse("wer", &[]).is_err());
        for bad in [
            json!("abc"),
            json!(150),
            json!(-5),
            json!("1.5"),
            json!(null),
        ] {
            assert!(
                matches!(
                    MatchingMode::parse("wer", std::slice::from_ref(&bad)),
                    Err(MatchingError::InvalidWerThreshold { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn display_names_the_mode() {
        assert_eq!(
            MatchingMode::Include { ignore_case: true }.to_string(),
            "includeIgnoreCase"
        );
        assert_eq!(
            MatchingMode::Wer { threshold: 0.25 }.to_string(),
            "wer (25%)"
        );
    }
}
