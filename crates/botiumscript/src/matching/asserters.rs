//! Botium's text asserters (`TEXT`, `TEXT_CONTAINS_ANY`, …; reference §4.2).
//!
//! They ignore the global mode and the speech-tolerant layer: each name fixes Botium's match
//! function and whether any or all arguments must match. Arguments must already be resolved
//! through utterances by the caller. Error texts are Botium's, without the `<stepTag>: ` prefix
//! the runner puts in front.

use super::botium::botium_match;
use super::mode::{parse_wer_threshold, MatchingMode};
use super::normalize::{normalize_pattern, normalize_text, NormalizeOptions};
use super::wer::{calculate_wer, round2};

/// Whether one argument or every argument must be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextAsserterQuantifier {
    /// At least one argument matches (`…_ANY`, `TEXT`, `TEXT_EQUALS`).
    Any,
    /// Every argument matches (`…_ALL`).
    All,
}

/// What a text asserter checks: derived from its name, plus the line's `!` negation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextAsserterSpec {
    /// Botium's match function for this asserter.
    pub mode: MatchingMode,
    /// Any or all arguments.
    pub quantifier: TextAsserterQuantifier,
    /// Without arguments, check that the text is non-empty (`TEXT`, `TEXT_EQUALS`, their `_IC`).
    pub no_args_means_non_empty: bool,
    /// The line was negated (`!TEXT_CONTAINS_ANY …`).
    pub not: bool,
}

/// Every text asserter name, for registries and "did you mean" hints.
pub const TEXT_ASSERTER_NAMES: &[&str] = &[
    "TEXT",
    "TEXT_IC",
    "TEXT_EQUALS",
    "TEXT_EQUALS_IC",
    "TEXT_CONTAINS_ANY",
    "TEXT_CONTAINS_ANY_IC",
    "TEXT_CONTAINS_ALL",
    "TEXT_CONTAINS_ALL_IC",
    "TEXT_WILDCARD_ANY",
    "TEXT_WILDCARD_ANY_IC",
    "TEXT_WILDCARD_ALL",
    "TEXT_WILDCARD_ALL_IC",
    "TEXT_WILDCARDEXACT_ANY",
    "TEXT_WILDCARDEXACT_ANY_IC",
    "TEXT_WILDCARDEXACT_ALL",
    "TEXT_WILDCARDEXACT_ALL_IC",
    "TEXT_REGEXP_ANY",
    "TEXT_REGEXP_ANY_IC",
    "TEXT_REGEXP_ALL",
    "TEXT_REGEXP_ALL_IC",
];

impl TextAsserterSpec {
    /// Maps an asserter name (`TEXT_CONTAINS_ANY_IC`, …) to its spec; `None` if it is no text asserter.
    pub fn from_name(name: &str) -> Option<TextAsserterSpec> {
        let (base, ignore_case) = match name.strip_suffix("_IC") {
            Some(base) => (base, true),
            None => (name, false),
        };
        let (mode, quantifier, no_args_means_non_empty) = match base {
            "TEXT" | "TEXT_EQUALS" => (
                MatchingMode::Equals { ignore_case },
                TextAsserterQuantifier::Any,
                true,
            ),
            "TEXT_CONTAINS_ANY" => (
                MatchingMode::Include { ignore_case },
                TextAsserterQuantifier::Any,
                false,
            ),
            "TEXT_CONTAINS_ALL" => (
                MatchingMode::Include { ignore_case },
                TextAsserterQuantifier::All,
                false,
            ),
            "TEXT_WILDCARD_ANY" => (
                MatchingMode::Wildcard { ignore_case },
                TextAsserterQuantifier::Any,
                false,
            ),
            "TEXT_WILDCARD_ALL" => (
                MatchingMode::Wildcard { ignore_case },
                TextAsserterQuantifier::All,
                false,
            ),
            "TEXT_WILDCARDEXACT_ANY" => (
                MatchingMode::WildcardExact { ignore_case },
                TextAsserterQuantifier::Any,
                false,
            ),
            "TEXT_WILDCARDEXACT_ALL" => (
                MatchingMode::WildcardExact { ignore_case },
                TextAsserterQuantifier::All,
                false,
            ),
            "TEXT_REGEXP_ANY" => (
                MatchingMode::Regexp { ignore_case },
                TextAsserterQuantifier::Any,
                false,
            ),
            "TEXT_REGEXP_ALL" => (
                MatchingMode::Regexp { ignore_case },
                TextAsserterQuantifier::All,
                false,
            ),
            _ => return None,
        };
        Some(TextAsserterSpec {
            mode,
            quantifier,
            no_args_means_non_empty,
            not: false,
        })
    }

    /// The same spec for a negated line (`!NAME`).
    pub fn negated(self, not: bool) -> TextAsserterSpec {
        TextAsserterSpec { not, ..self }
    }
}

/// Runs a text asserter on the bot's text (`None` = the message had no text, treated as empty).
///
/// `Ok(())` passes; `Err` carries Botium's message, e.g. `Expected any text in response "a,b"`.
/// A matching error (bad regex, too many wildcards) fails with that error's message.
pub fn check_text_asserter(
    spec: &TextAsserterSpec,
    actual: Option<&str>,
    args: &[&str],
    normalize: &NormalizeOptions,
) -> Result<(), String> {
    let actual = normalize_text(actual.unwrap_or(""), normalize);
    let what = match spec.quantifier {
        TextAsserterQuantifier::All => "text(s)",
        TextAsserterQuantifier::Any => "any text",
    };
    if args.is_empty() {
        if !spec.no_args_means_non_empty {
            return Ok(());
        }
        // Botium reads `messageText.length` and crashes without text; we treat it as empty.
        return match (actual.is_empty(), spec.not) {
            (true, false) => Err("Expected not empty response".to_string()),
            (false, true) => Err("Expected empty response".to_string()),
            _ => Ok(()),
        };
    }
    let mut founds: Vec<&str> = Vec::new();
    let mut not_founds: Vec<&str> = Vec::new();
    for &arg in args {
        let expected = match spec.mode {
            MatchingMode::Regexp { .. } => normalize_pattern(arg, normalize),
            _ => normalize_text(arg, normalize),
        };
        let hit = botium_match(spec.mode, &actual, &expected).map_err(|err| err.to_string())?;
        if hit {
            founds.push(arg);
        } else {
            not_founds.push(arg);
        }
    }
    let found = match spec.quantifier {
        TextAsserterQuantifier::All => not_founds.is_empty(),
        TextAsserterQuantifier::Any => !founds.is_empty(),
    };
    // Botium prints the arrays with JS's default `toString`: items joined by commas.
    match (found, spec.not) {
        (false, false) => Err(format!(
            "Expected {what} in response \"{}\"",
            not_founds.join(",")
        )),
        (true, true) => Err(format!(
            "Not expected {what} in response \"{}\"",
            founds.join(",")
        )),
        _ => Ok(()),
    }
}

/// Runs `TEXT_WER utterance|threshold` (threshold as for the `wer` mode: `25` = 25 %, `0.25`).
///
/// Errors are Botium's (without the step tag): `Word Error Rate (40%) higher than accepted (25%)`,
/// negated `… lower than accepted …`. Deliberate difference: a missing or invalid threshold is an
/// error (Botium compares with NaN and passes).
pub fn check_wer_asserter(
    actual: Option<&str>,
    args: &[&str],
    not: bool,
    normalize: &NormalizeOptions,
) -> Result<(), String> {
    const NAME: &str = "Word Error Rate Asserter";
    let (utterance, threshold) = match args {
        [] => return Err(format!("{NAME} - no argument given")),
        [utterance] => (*utterance, None),
        [utterance, threshold] => (*utterance, Some(*threshold)),
        _ => {
            return Err(format!(
                "{NAME} - too many arguments \"{}\"",
                args.join(",")
            ))
        }
    };
    let threshold = parse_wer_threshold(
        threshold
            .map(|text| serde_json::Value::String(text.to_string()))
            .as_ref(),
    )
    .map_err(|err| format!("{NAME} - {err}"))?;
    let actual = normalize_text(actual.unwrap_or(""), normalize);
    let expected = normalize_text(utterance, normalize);
    let rate = calculate_wer(&actual, &expected);
    let threshold = round2(threshold);
    let percent = |value: f64| format!("{:.0}%", value * 100.0);
    if !not && rate > threshold {
        return Err(format!(
            "Word Error Rate ({}) higher than accepted ({})",
            percent(rate),
            percent(threshold)
        ));
    }
    if not && rate < threshold {
        return Err(format!(
            "Word Error Rate ({}) lower than accepted ({})",
            percent(rate),
            percent(threshold)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str) -> TextAsserterSpec {
        TextAsserterSpec::from_name(name).expect("a text asserter")
    }

    fn check(name: &str, not: bool, actual: Option<&str>, args: &[&str]) -> Result<(), String> {
        check_text_asserter(
            &spec(name).negated(not),
            actual,
            args,
            &NormalizeOptions::default(),
        )
    }

    #[test]
    fn every_name_maps() {
        for name in TEXT_ASSERTER_NAMES {
            let spec = spec(name);
            assert_eq!(
                name.ends_with("_IC"),
                spec.mode.name().ends_with("IgnoreCase"),
                "{name}"
            );
            assert_eq!(
                name.ends_with("_ALL") || name.ends_with("_ALL_IC"),
                spec.quantifier == TextAsserterQuantifier::All,
                "{name}"
            );
        }
        assert!(TextAsserterSpec::from_name("TEXT_WER").is_none());
        assert!(TextAsserterSpec::from_name("BUTTONS").is_none());
        assert_eq!(
            spec("TEXT_CONTAINS_ANY").mode,
            MatchingMode::Include { ignore_case: false }
        );
        assert_eq!(
            spec("TEXT_REGEXP_ALL_IC").mode,
            MatchingMode::Regexp { ignore_case: true }
        );
        assert_eq!(
            spec("TEXT_WILDCARDEXACT_ANY").mode,
            MatchingMode::WildcardExact { ignore_case: false }
        );
    }

    #[test]
    fn text_without_args_needs_some_text() {
        assert_eq!(check("TEXT", false, Some("hi"), &[]), Ok(()));
        assert_eq!(
            check("TEXT", false, Some("  "), &[]),
            Err("Expected not empty response".to_string())
        );
        assert_eq!(
            check("TEXT", false, None, &[]),
            Err("Expected not empty response".to_string())
        );
        assert_eq!(
            check("TEXT", true, Some("hi"), &[]),
            Err("Expected empty response".to_string())
        );
        assert_eq!(check("TEXT", true, None, &[]), Ok(()));
        // Other asserters without args check nothing.
        assert_eq!(check("TEXT_CONTAINS_ANY", false, None, &[]), Ok(()));
    }

    #[test]
    fn equals_any() {
        assert_eq!(
            check("TEXT", false, Some("Hello"), &["Hi", "Hello"]),
            Ok(())
        );
        assert_eq!(
            check("TEXT_EQUALS", false, Some("hello"), &["Hi", "Hello"]),
            Err("Expected any text in response \"Hi,Hello\"".to_string())
        );
        assert_eq!(
            check("TEXT_EQUALS_IC", false, Some("hello"), &["Hello"]),
            Ok(())
        );
        assert_eq!(
            check("TEXT_IC", false, Some(" <b>HELLO</b> "), &["hello"]),
            Ok(())
        );
    }

    #[test]
    fn contains_all_lists_the_missing() {
        assert_eq!(
            check(
                "TEXT_CONTAINS_ALL",
                false,
                Some("press 1 or 2"),
                &["1", "2", "3", "4"]
            ),
            Err("Expected text(s) in response \"3,4\"".to_string())
        );
        assert_eq!(
            check(
                "TEXT_CONTAINS_ALL_IC",
                false,
                Some("Press 1 or 2"),
                &["press", "2"]
            ),
            Ok(())
        );
    }

    #[test]
    fn negation_lists_the_found() {
        assert_eq!(
            check("TEXT_CONTAINS_ANY", true, Some("press 1 or 2"), &["1", "5"]),
            Err("Not expected any text in response \"1\"".to_string())
        );
        assert_eq!(
            check("TEXT_CONTAINS_ANY", true, Some("press 1"), &["5"]),
            Ok(())
        );
        assert_eq!(
            check("TEXT_CONTAINS_ALL", true, Some("a b"), &["a", "b"]),
            Err("Not expected text(s) in response \"a,b\"".to_string())
        );
        // Negated ALL fails only when all are present.
        assert_eq!(
            check("TEXT_CONTAINS_ALL", true, Some("a"), &["a", "b"]),
            Ok(())
        );
    }

    #[test]
    fn wildcard_and_regexp_asserters() {
        assert_eq!(
            check(
                "TEXT_WILDCARD_ANY_IC",
                false,
                Some("Oh, HELLO there!"),
                &["oh*there"]
            ),
            Ok(())
        );
        assert!(check(
            "TEXT_WILDCARD_ANY",
            false,
            Some("Oh, HELLO there!"),
            &["oh*there"]
        )
        .is_err());
        assert_eq!(
            check(
                "TEXT_WILDCARDEXACT_ALL_IC",
                false,
                Some("Oh, HELLO there!"),
                &["oh, * there!"]
            ),
            Ok(())
        );
        assert!(check(
            "TEXT_WILDCARDEXACT_ANY_IC",
            false,
            Some("Oh, HELLO there!"),
            &["hello"]
        )
        .is_err());
        assert_eq!(
            check("TEXT_REGEXP_ANY", false, Some("code 1234"), &[r"\d{4}$"]),
            Ok(())
        );
        assert_eq!(
            check(
                "TEXT_REGEXP_ALL",
                false,
                Some("code 1234"),
                &[r"\d{4}$", "^x"]
            ),
            Err("Expected text(s) in response \"^x\"".to_string())
        );
    }

    #[test]
    fn wer_asserter() {
        let opts = NormalizeOptions::default();
        assert_eq!(
            check_wer_asserter(
                Some("hello my fiend"),
                &["Hello, my friend!", "34"],
                false,
                &opts
            ),
            Ok(())
        );
        assert_eq!(
            check_wer_asserter(
                Some("hello my fiend"),
                &["Hello, my friend!", "25"],
                false,
                &opts
            ),
            Err("Word Error Rate (33%) higher than accepted (25%)".to_string())
        );
        assert_eq!(
            check_wer_asserter(
                Some("hello my fiend"),
                &["Hello, my friend!", "0.5"],
                true,
                &opts
            ),
            Err("Word Error Rate (33%) lower than accepted (50%)".to_string())
        );
        assert_eq!(
            check_wer_asserter(Some("x"), &["x", "0,1"], true, &opts),
            Err("Word Error Rate (0%) lower than accepted (10%)".to_string())
        );
        assert_eq!(
            check_wer_asserter(Some("x"), &[], false, &opts),
            Err("Word Error Rate Asserter - no argument given".to_string())
        );
        assert!(
            check_wer_asserter(Some("x"), &["a", "1", "2"], false, &opts)
                .expect_err("too many")
                .contains("too many arguments")
        );
        assert!(check_wer_asserter(None, &["x"], false, &opts).is_err());
    }

    #[test]
    fn matching_errors_fail_the_assertion() {
        let err =
            check("TEXT_WILDCARD_ANY", false, Some("x"), &[&"*".repeat(11)]).expect_err("too many");
        assert_eq!(err, "Maximum number of 10 wildcards supported.");
        let err = check("TEXT_REGEXP_ANY", false, Some("x"), &["("]).expect_err("invalid");
        assert!(err.contains("\"(\""), "{err}");
    }
}
