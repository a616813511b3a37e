//! Botium's match functions (`MatchFunctions.js`), on texts that are already normalised.

use super::error::MatchingError;
use super::js_regex::JsRegex;
use super::mode::MatchingMode;
use super::wer::{calculate_wer, round2};

/// Botium's limit on `*` in one expected text.
const MAX_WILDCARDS: usize = 10;

/// JS `.` (no `s` flag): anything but the four line terminators; Botium's `(.*)` is this, repeated.
const JS_DOT_STAR: &str = r"[^\n\r\x{2028}\x{2029}]*";

/// Checks an expected text before use: wildcard count and regex syntax.
pub(crate) fn validate_expected(mode: MatchingMode, expected: &str) -> Result<(), MatchingError> {
    match mode {
        // Escaped text always compiles; only the wildcard count can be wrong. Counting instead
        // of compiling keeps `check` fast on large suites.
        MatchingMode::Wildcard { .. } | MatchingMode::WildcardExact { .. } => {
            if expected.matches('*').count() > MAX_WILDCARDS {
                Err(MatchingError::TooManyWildcards)
            } else {
                Ok(())
            }
        }
        MatchingMode::Regexp { ignore_case } => regexp(expected, ignore_case).map(|_| ()),
        MatchingMode::Include { .. } | MatchingMode::Equals { .. } | MatchingMode::Wer { .. } => {
            Ok(())
        }
    }
}

/// Botium's `regexp` mode: `new RegExp(expected, ignoreCase ? 'i' : '')`.
pub(crate) fn regexp(expected: &str, ignore_case: bool) -> Result<JsRegex, MatchingError> {
    JsRegex::new(expected, if ignore_case { "i" } else { "" })
}

/// Botium's wildcard regex: the text with regex specials escaped and each `*` as `(.*)`.
pub(crate) fn wildcard_regex(
    expected: &str,
    ignore_case: bool,
    anchored: bool,
) -> Result<regex::Regex, MatchingError> {
    let parts: Vec<String> = expected.split('*').map(regex::escape).collect();
    if parts.len() - 1 > MAX_WILDCARDS {
        return Err(MatchingError::TooManyWildcards);
    }
    let body = parts.join(&format!("({JS_DOT_STAR})"));
    let source = if anchored {
        format!("^(?:{body})$")
    } else {
        body
    };
    regex::RegexBuilder::new(&source)
        .case_insensitive(ignore_case)
        .build()
        .map_err(|err| MatchingError::InvalidRegexp {
            pattern: expected.to_string(),
            message: err.to_string(),
        })
}

/// Botium's verdict for one (normalised) bot text and one (normalised) expected text.
pub(crate) fn botium_match(
    mode: MatchingMode,
    actual: &str,
    expected: &str,
) -> Result<bool, MatchingError> {
    Ok(match mode {
        MatchingMode::Wildcard { ignore_case } => {
            wildcard_regex(expected, ignore_case, false)?.is_match(actual)
        }
        MatchingMode::WildcardExact { ignore_case } => {
            wildcard_regex(expected, ignore_case, true)?.is_match(actual)
        }
        MatchingMode::Regexp { ignore_case } => regexp(expected, ignore_case)?.is_match(actual),
        MatchingMode::Include { ignore_case: true } => {
            actual.to_lowercase().contains(&expected.to_lowercase())
        }
        MatchingMode::Include { ignore_case: false } => actual.contains(expected),
        MatchingMode::Equals { ignore_case: true } => {
            actual.to_lowercase() == expected.to_lowercase()
        }
        MatchingMode::Equals { ignore_case: false } => actual == expected,
        MatchingMode::Wer { threshold } => wer_within(actual, expected, threshold),
    })
}

/// Botium's `wer` verdict: the rounded rate is at most the rounded threshold.
pub(crate) fn wer_within(actual: &str, expected: &str, threshold: f64) -> bool {
    calculate_wer(actual, expected) <= round2(threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WILDCARD_IC: MatchingMode = MatchingMode::Wildcard { ignore_case: true };
    const WILDCARD: MatchingMode = MatchingMode::Wildcard { ignore_case: false };
    const EXACT_IC: MatchingMode = MatchingMode::WildcardExact { ignore_case: true };

    fn hit(mode: MatchingMode, actual: &str, expected: &str) -> bool {
        botium_match(mode, actual, expected).expect("no error")
    }

    #[test]
    fn wildcard_matches_substrings() {
        assert!(hit(WILDCARD_IC, "Oh, HELLO there!", "hello"));
        assert!(hit(WILDCARD_IC, "Oh, HELLO there!", "oh*there"));
        assert!(!hit(WILDCARD, "Oh, HELLO there!", "hello"));
        assert!(!hit(WILDCARD_IC, "Oh, HELLO there!", "goodbye"));
    }

    #[test]
    fn wildcard_escapes_regex_specials() {
        assert!(!hit(WILDCARD_IC, "Oh, HELLO there!", "^Oh"));
        assert!(hit(WILDCARD_IC, "costs $5 (approx.)", "$5 (approx.)"));
        assert!(!hit(WILDCARD_IC, "costs 5", "cost.5"));
        assert!(hit(WILDCARD_IC, r"a\b", r"a\b"));
    }

    #[test]
    fn wildcard_star_does_not_cross_js_line_terminators() {
        assert!(!hit(WILDCARD_IC, "oh\nthere", "oh*there"));
        assert!(hit(WILDCARD_IC, "oh there", "oh*there"));
    }

    #[test]
    fn wildcard_exact_is_anchored() {
        assert!(hit(EXACT_IC, "Oh, HELLO there!", "oh, * there!"));
        assert!(!hit(EXACT_IC, "Oh, HELLO there!", "hello"));
        assert!(!hit(
            MatchingMode::WildcardExact { ignore_case: false },
            "Oh, HELLO there!",
            "oh, * there!"
        ));
    }

    #[test]
    fn more_than_ten_wildcards_is_an_error() {
        let eleven = "*".repeat(11);
        let err = botium_match(WILDCARD_IC, "x", &eleven).expect_err("too many");
        assert_eq!(err.to_string(), "Maximum number of 10 wildcards supported.");
        assert!(hit(WILDCARD_IC, "x", &"*".repeat(10)));
        assert!(validate_expected(EXACT_IC, &eleven).is_err());
    }

    #[test]
    fn regexp_example_and_errors() {
        let regexp = MatchingMode::Regexp { ignore_case: false };
        assert!(hit(
            regexp,
            "my account balance is $15000.",
            r"my account balance is \$\d+."
        ));
        assert!(hit(regexp, "Oh, HELLO there!", "^Oh"));
        assert!(!hit(regexp, "Oh, HELLO there!", "hello"));
        assert!(hit(
            MatchingMode::Regexp { ignore_case: true },
            "Oh, HELLO there!",
            "hello"
        ));
        let err = botium_match(regexp, "x", "(").expect_err("invalid");
        assert!(matches!(err, MatchingError::InvalidRegexp { ref pattern, .. } if pattern == "("));
    }

    #[test]
    fn include_and_equals() {
        let include_ic = MatchingMode::Include { ignore_case: true };
        assert!(hit(include_ic, "Oh, HELLO there!", "hello"));
        assert!(!hit(
            MatchingMode::Include { ignore_case: false },
            "Oh, HELLO there!",
            "hello"
        ));
        assert!(!hit(
            MatchingMode::Equals { ignore_case: false },
            "Oh, HELLO there!",
            "HELLO"
        ));
        assert!(hit(
            MatchingMode::Equals { ignore_case: false },
            "HELLO",
            "HELLO"
        ));
        assert!(!hit(
            MatchingMode::Equals { ignore_case: false },
            "hello",
            "HELLO"
        ));
        assert!(hit(
            MatchingMode::Equals { ignore_case: true },
            "hello",
            "HELLO"
        ));
    }

    #[test]
    fn wer_threshold() {
        let wer = |threshold| MatchingMode::Wer { threshold };
        // One wrong word in three: 33 %.
        assert!(hit(wer(0.34), "hello my fiend", "Hello, my friend!"));
        assert!(hit(wer(0.33), "hello my fiend", "Hello, my friend!"));
        assert!(!hit(wer(0.25), "hello my fiend", "Hello, my friend!"));
        assert!(hit(wer(0.0), "Hello my friend.", "hello, my friend"));
    }
}
