//! Tests of the whole matcher: the §5 examples, the speech-tolerant layer, scores, no panics.

use proptest::prelude::*;
use serde_json::json;

use super::*;

fn matcher(mode: MatchingMode) -> Matcher {
    Matcher::new(mode, NormalizeOptions::default(), true, 1.0).expect("valid matcher")
}

fn strict(mode: MatchingMode) -> Matcher {
    Matcher::new(mode, NormalizeOptions::default(), false, 1.0).expect("valid matcher")
}

fn mode(name: &str) -> MatchingMode {
    MatchingMode::parse(name, &[]).expect("known mode").0
}

const DEFAULT: MatchingMode = MatchingMode::Wildcard { ignore_case: true };

#[test]
fn reference_section_5_examples() {
    let wildcard = matcher(DEFAULT);
    assert_eq!(
        wildcard.compare("Oh, HELLO there!", "hello").how,
        MatchHow::Exact
    );
    assert_eq!(
        wildcard.compare("Oh, HELLO there!", "oh*there").how,
        MatchHow::Exact
    );
    assert!(!strict(DEFAULT).compare("Oh, HELLO there!", "^Oh").matched);
    let exact = matcher(mode("wildcardExactIgnoreCase"));
    assert!(exact.compare("Oh, HELLO there!", "oh, * there!").matched);
    assert!(!exact.compare("Oh, HELLO there!", "hello").matched);
    let regexp = matcher(mode("regexp"));
    assert_eq!(
        regexp
            .compare(
                "my account balance is $15000.",
                r"my account balance is \$\d+."
            )
            .how,
        MatchHow::Exact
    );
    assert!(
        !matcher(mode("equals"))
            .compare("Oh, HELLO there!", "HELLO")
            .matched
    );
}

#[test]
fn unknown_mode_compares_case_sensitively() {
    let (unknown, warning) = MatchingMode::parse("word", &[]).expect("falls back");
    assert!(warning.is_some());
    let unknown = strict(unknown);
    assert!(unknown.compare("Hello", "Hello").matched);
    assert!(!unknown.compare("Hello", "hello").matched);
}

#[test]
fn too_many_wildcards_is_reported() {
    let wildcard = matcher(DEFAULT);
    let eleven = "a*".repeat(11);
    assert_eq!(
        wildcard.try_compare("aaaa", &eleven),
        Err(MatchingError::TooManyWildcards)
    );
    assert_eq!(
        wildcard.validate_expected(&eleven),
        Err(MatchingError::TooManyWildcards)
    );
    let result = wildcard.compare("aaaa", &eleven);
    assert_eq!(
        (result.matched, result.how, result.score),
        (false, MatchHow::NoMatch, 0.0)
    );
    assert!(wildcard.validate_expected(&"a*".repeat(10)).is_ok());
}

#[test]
fn invalid_regexp_is_reported() {
    let regexp = matcher(mode("regexp"));
    let err = regexp.try_compare("x", "a(b").expect_err("invalid");
    let text = err.to_string();
    assert!(text.contains("\"a(b\""), "{text}");
    assert!(regexp.validate_expected("a(b").is_err());
    assert!(regexp.validate_expected(r"(?<amount>\d+)").is_ok());
}

#[test]
fn normalisation_applies_to_both_sides() {
    let equals = strict(mode("equals"));
    assert!(
        equals
            .compare(
                "  <p>Hello</p><br/>  World &amp; \"x\"\n\n next\tline  ",
                "Hello World & \"x\" next line"
            )
            .matched
    );
    let raw = Matcher::new(
        mode("equals"),
        NormalizeOptions {
            enabled: false,
            ..NormalizeOptions::default()
        },
        false,
        1.0,
    )
    .expect("valid");
    assert!(!raw.compare(" Hello", "Hello").matched);
}

#[test]
fn remove_options_apply() {
    let opts = NormalizeOptions {
        enabled: true,
        remove_characters: parse_remove_characters("!,?"),
        remove_regexp: Some("[0-9]".to_string()),
    };
    let equals = Matcher::new(mode("equals"), opts, false, 1.0).expect("valid");
    assert!(equals.compare("Hello!?42", "Hello").matched);
    // Removal runs after normalisation, as in Botium: the space before "42" stays.
    assert!(!equals.compare("Hello 42", "Hello").matched);
    let bad = NormalizeOptions {
        remove_regexp: Some("[".to_string()),
        ..NormalizeOptions::default()
    };
    assert!(Matcher::new(DEFAULT, bad, true, 1.0).is_err());
}

#[test]
fn named_groups_survive_normalisation_in_regexp_mode() {
    let regexp = matcher(mode("regexp"));
    assert_eq!(
        regexp
            .compare("your code is 1234", r"code is (?<code>\d{4})")
            .how,
        MatchHow::Exact
    );
}

#[test]
fn speech_tolerant_numbers() {
    let include = matcher(mode("includeIgnoreCase"));
    for (actual, expected) in [
        ("press one", "Press 1."),
        ("Press 1.", "press one"),
        ("press 1", "press one"),
        ("your code is one two three", "your code is 123"),
        ("twenty one days", "21 days"),
        ("call one oh five", "call 105"),
        ("fifteen thousand dollars", "$15,000"),
    ] {
        let result = include.compare(actual, expected);
        assert_eq!(
            result.how,
            MatchHow::SpeechTolerant,
            "{actual} / {expected}"
        );
        assert_eq!(result.score, 1.0);
    }
    assert!(!include.compare("press two", "press 1").matched);
}

#[test]
fn speech_tolerant_variants() {
    let include = matcher(mode("includeIgnoreCase"));
    for (actual, expected) in [
        ("Okay, goodbye", "ok goodbye"),
        ("fifty per cent", "50%"),
        ("rock & roll", "rock and roll"),
        ("press the pound key", "the # key"),
        ("press hash", "press pound"),
        ("press star to go back", "press * to go back"),
        ("the first option", "the 1st option"),
    ] {
        assert_eq!(
            include.compare(actual, expected).how,
            MatchHow::SpeechTolerant,
            "{actual} / {expected}"
        );
    }
}

#[test]
fn for_mode_keeps_the_normalisation_and_drops_the_speech_layer() {
    let opts = NormalizeOptions {
        enabled: true,
        remove_characters: Vec::new(),
        remove_regexp: Some("#+".to_string()),
    };
    let speech = Matcher::new(DEFAULT, opts, true, 0.5).expect("valid");
    let equals = speech.for_mode(mode("equals")).expect("valid");
    assert_eq!(equals.mode(), mode("equals"));
    assert!(equals.compare("Hello##", "Hello").matched);
    let includes = speech.for_mode(mode("includeIgnoreCase")).expect("valid");
    assert!(!includes.compare("press one", "press 1").matched);
    let bad_wer = MatchingMode::Wer { threshold: 1.5 };
    assert!(speech.for_mode(bad_wer).is_err());
}

#[test]
fn speech_layer_can_be_switched_off() {
    assert!(
        !strict(mode("includeIgnoreCase"))
            .compare("press one", "press 1")
            .matched
    );
}

#[test]
fn speech_layer_keeps_wildcards() {
    let wildcard = matcher(DEFAULT);
    let result = wildcard.compare(
        "For sales, press one. For support, press two.",
        "press 1*press 2",
    );
    assert_eq!(result.how, MatchHow::SpeechTolerant);
    let exact = matcher(mode("wildcardExactIgnoreCase"));
    assert_eq!(
        exact
            .compare(
                "Your balance is fifteen dollars.",
                "your balance is * dollars"
            )
            .how,
        MatchHow::SpeechTolerant
    );
    assert!(
        !exact
            .compare(
                "Your balance is fifteen euros.",
                "your balance is * dollars"
            )
            .matched
    );
}

#[test]
fn speech_layer_tries_the_regexp_on_the_canonical_text() {
    let regexp = matcher(mode("regexp"));
    assert_eq!(
        regexp.compare("press one", r"press \d").how,
        MatchHow::SpeechTolerant
    );
    assert!(!regexp.compare("press one", r"press \d\d").matched);
}

#[test]
fn speech_layer_on_equals_and_wer() {
    assert_eq!(
        matcher(mode("equals")).compare("Press one.", "press 1").how,
        MatchHow::SpeechTolerant
    );
    let (wer, _) = MatchingMode::parse("wer", &[json!(0)]).expect("valid");
    let wer = matcher(wer);
    assert_eq!(
        wer.compare("press one", "press 1").how,
        MatchHow::SpeechTolerant
    );
    assert!(!wer.compare("press two", "press 1").matched);
}

#[test]
fn punctuation_only_expectation_does_not_match_everything() {
    assert!(!matcher(mode("include")).compare("hello", "?!").matched);
}

#[test]
fn wer_mode_thresholds() {
    let wer = |threshold: serde_json::Value| {
        strict(MatchingMode::parse("wer", &[threshold]).expect("valid").0)
    };
    assert!(
        wer(json!(34))
            .compare("hello my fiend", "Hello, my friend!")
            .matched
    );
    assert!(
        !wer(json!(25))
            .compare("hello my fiend", "Hello, my friend!")
            .matched
    );
    assert!(
        wer(json!("0,5"))
            .compare("hello my fiend", "Hello, my friend!")
            .matched
    );
    let result = wer(json!(25)).compare("hello my fiend", "Hello, my friend!");
    assert!((result.score - 0.67).abs() < 1e-9, "{}", result.score);
}

#[test]
fn scores_for_substring_and_exact_modes() {
    let include = matcher(mode("includeIgnoreCase"));
    let result = include.compare("For sales press one, for support press two", "press 3");
    assert!(!result.matched);
    assert!(
        (result.score - (1.0 - 1.0 / 7.0)).abs() < 1e-9,
        "{}",
        result.score
    );
    let equals = matcher(mode("equalsIgnoreCase"));
    let result = equals.compare("goodbye", "goodbye now");
    assert!(result.score > 0.5 && result.score < 1.0, "{}", result.score);
    assert_eq!(matcher(mode("regexp")).compare("abc", "x+").score, 0.0);
}

#[test]
fn near_misses_need_a_threshold_below_one() {
    let lenient = Matcher::new(
        mode("includeIgnoreCase"),
        NormalizeOptions::default(),
        true,
        0.8,
    )
    .expect("valid");
    let result = lenient.compare("please hold the line", "please hold the lime");
    assert_eq!((result.matched, result.how), (true, MatchHow::NearMiss));
    assert!(result.score < 1.0 && result.score >= 0.8);
    assert!(!lenient.compare("goodbye", "please hold the line").matched);
    let default = matcher(mode("includeIgnoreCase"));
    assert!(
        !default
            .compare("please hold the line", "please hold the lime")
            .matched
    );
}

#[test]
fn invalid_thresholds_are_rejected() {
    for bad in [-0.1, 1.1, f64::NAN] {
        assert!(matches!(
            Matcher::new(DEFAULT, NormalizeOptions::default(), true, bad),
            Err(MatchingError::InvalidSimilarityThreshold(_))
        ));
    }
    assert!(Matcher::new(
        MatchingMode::Wer { threshold: 2.0 },
        NormalizeOptions::default(),
        true,
        1.0
    )
    .is_err());
}

#[test]
fn compare_any_picks_the_best() {
    let wildcard = matcher(DEFAULT);
    let result = wildcard.compare_any("press one for sales", &["goodbye", "press 1", "press one"]);
    assert_eq!((result.matched, result.how), (true, MatchHow::Exact));
    let result = wildcard.compare_any("press one for sales", &["goodbye", "press 1"]);
    assert_eq!(result.how, MatchHow::SpeechTolerant);
    let result = wildcard.compare_any("hello", &["goodbye", "help"]);
    assert!(!result.matched);
    assert_eq!(result.score, wildcard.compare("hello", "help").score);
    assert_eq!(wildcard.compare_any("hello", &[]).how, MatchHow::NoMatch);
    let eleven = "*".repeat(11);
    assert!(wildcard.try_compare_any("x", &["x", &eleven]).is_err());
    assert!(wildcard.compare_any("x", &["x", &eleven]).matched);
}

fn all_modes() -> Vec<MatchingMode> {
    let mut modes: Vec<MatchingMode> = MODE_NAMES
        .iter()
        .filter(|name| **name != "wer")
        .map(|name| mode(name))
        .collect();
    modes.push(MatchingMode::Wer { threshold: 0.3 });
    modes
}

proptest! {
    #[test]
    fn never_panics_and_scores_stay_in_range(
        actual in ".{0,60}",
        expected in ".{0,40}",
        speech in any::<bool>(),
        normalize in any::<bool>(),
    ) {
        for mode in all_modes() {
            let opts = NormalizeOptions { enabled: normalize, ..NormalizeOptions::default() };
            let matcher = Matcher::new(mode, opts, speech, 0.9).expect("valid");
            let result = matcher.compare(&actual, &expected);
            prop_assert!((0.0..=1.0).contains(&result.score), "{mode}: {}", result.score);
            prop_assert_eq!(result.matched, result.how != MatchHow::NoMatch);
            if matches!(result.how, MatchHow::Exact | MatchHow::SpeechTolerant) {
                prop_assert_eq!(result.score, 1.0);
            } else {
                prop_assert!(result.score < 1.0);
            }
            // Deterministic.
            prop_assert_eq!(result, matcher.compare(&actual, &expected));
        }
    }

    #[test]
    fn speech_words_never_panic(
        words in proptest::collection::vec(
            prop_oneof![
                Just("one"), Just("oh"), Just("o"), Just("double"), Just("triple"),
                Just("hundred"), Just("thousand"), Just("million"), Just("twenty"),
                Just("first"), Just("twelve"), Just("123"), Just("99999999999999999999"),
                Just("per"), Just("cent"), Just("*"), Just("x"),
            ],
            0..30,
        ),
    ) {
        let text = words.join(" ");
        let include = Matcher::new(mode("include"), NormalizeOptions::default(), true, 0.5).expect("valid");
        let result = include.compare(&text, &text);
        prop_assert!(result.matched);
    }

    #[test]
    fn regex_like_expectations_never_panic(
        actual in "[a-c0-9 $.*<>-]{0,20}",
        expected in r"[\\()\[\]{}^$.*+?|a-c0-9<>=!:,uxpkcbBdDsSwW-]{0,20}",
    ) {
        for mode in all_modes() {
            let matcher = Matcher::new(mode, NormalizeOptions::default(), true, 0.5).expect("valid");
            let result = matcher.compare(&actual, &expected);
            prop_assert!((0.0..=1.0).contains(&result.score));
        }
        let opts = NormalizeOptions { remove_regexp: Some(expected.clone()), ..NormalizeOptions::default() };
        let _ = normalize_text(&actual, &opts);
    }

    #[test]
    fn asserters_never_panic(actual in proptest::option::of(".{0,40}"), arg in ".{0,20}", not in any::<bool>()) {
        for name in TEXT_ASSERTER_NAMES {
            let spec = TextAsserterSpec::from_name(name).expect("known").negated(not);
            let _ = check_text_asserter(&spec, actual.as_deref(), &[arg.as_str()], &NormalizeOptions::default());
        }
    }
}
