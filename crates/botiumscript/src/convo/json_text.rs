//! When step text is JSON: Botium's `is-json` (2.x) test, reproduced exactly.
//!
//! Botium joins a step's text lines with spaces and, when `is-json` says so, stores the parsed
//! value as `sourceData` instead of `messageText`. `is-json` 2.x is json2.js's validity regex
//! behind a guard that rejects strings JavaScript's `Number()` can read: so `123` stays text, while
//! `true`, `null` and `"quoted"` become JSON values.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use super::source::{is_js_whitespace, js_trim};

/// JS `\s` as a character class body (WhiteSpace + LineTerminator).
const JS_SPACE: &str = crate::js_text::WHITESPACE_CLASS_ITEMS;

struct Json2Patterns {
    escapes: Regex,
    tokens: Regex,
    open_brackets: Regex,
    only_structure: Regex,
}

fn patterns() -> &'static Json2Patterns {
    static PATTERNS: OnceLock<Json2Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        // These patterns are constants; a failure here is a bug caught by the unit tests.
        let build = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("json2 pattern {p}: {e}"));
        Json2Patterns {
            escapes: build(r#"\\["\\/bfnrtu]"#),
            tokens: build(
                r#""[^"\\\n\r]*"|true|false|null|-?[0-9]+(?:\.[0-9]*)?(?:[eE][+\-]?[0-9]+)?"#,
            ),
            open_brackets: build(&format!(r"(?:^|:|,)(?:[{JS_SPACE}]*\[)+")),
            only_structure: build(&format!(r"^[\],:{{}}{JS_SPACE}]*$")),
        }
    })
}

/// `is-json` 2.x: is this text to be parsed as JSON?
pub fn looks_like_json(text: &str) -> bool {
    // The regexes are costly on every step; the first character settles most prose.
    could_start_json(text) && json2_test(text)
}

/// Whether the first non-blank character can start what survives the test: a JSON token or
/// structure. A letter there can only begin `true`, `false` or `null` ("text message" cannot).
fn could_start_json(text: &str) -> bool {
    let start = text.trim_start_matches(is_js_whitespace);
    start.starts_with(|c: char| {
        matches!(c, '{' | '[' | ']' | '}' | ',' | ':' | '"' | '-' | '0'..='9')
    }) || ["true", "false", "null"]
        .iter()
        .any(|word| start.starts_with(word))
}

/// `is-json` 2.x itself: not a JavaScript number, and json2.js's validity regexes.
fn json2_test(text: &str) -> bool {
    if !js_number_is_nan(text) {
        return false;
    }
    let p = patterns();
    let step1 = p.escapes.replace_all(text, "@");
    let step2 = p.tokens.replace_all(&step1, "]");
    let step3 = p.open_brackets.replace_all(&step2, "");
    p.only_structure.is_match(&step3)
}

/// Parses step text that [`looks_like_json`]; Botium's `JSON.parse` would throw on failure.
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

/// JavaScript's `isNaN(Number(s))` for a string.
fn js_number_is_nan(s: &str) -> bool {
    let t = js_trim(s);
    if t.is_empty() {
        return false; // Number("") is 0
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned == "Infinity" {
        return false;
    }
    // 0x / 0o / 0b literals take no sign.
    let radix_literal = |prefixes: [&str; 2], radix: u32| {
        prefixes
            .iter()
            .find_map(|p| t.strip_prefix(p))
            .is_some_and(|digits| !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)))
    };
    if radix_literal(["0x", "0X"], 16)
        || radix_literal(["0o", "0O"], 8)
        || radix_literal(["0b", "0B"], 2)
    {
        return false;
    }
    !is_js_decimal(unsigned)
}

/// StrUnsignedDecimalLiteral: digits with an optional fraction and exponent, at least one digit.
fn is_js_decimal(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok && !s.chars().any(is_js_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_and_arrays_are_json() {
        assert!(looks_like_json(r#"{"text": "hi", "x": 1}"#));
        assert!(looks_like_json(
            r#"{   "sessionId": "1234567890876543",   "text": "Text message",   "data": {     "key": "value"   } }"#
        ));
        assert!(looks_like_json(r#"[{"a": 1}, {"b": [1, 2]}]"#));
        assert!(looks_like_json("{}"));
        assert!(looks_like_json(r#""quoted""#));
        assert!(looks_like_json("true"));
        assert!(looks_like_json("null"));
    }

    #[test]
    fn numbers_and_prose_are_text() {
        for text in [
            "123",
            "  12  ",
            "1e3",
            "-4.5",
            "0x1F",
            "Infinity",
            "",
            "   ",
            "hello",
            "{not json}",
            "Welcome to {company}",
            "press 1",
        ] {
            assert!(!looks_like_json(text), "{text:?}");
        }
    }

    #[test]
    fn structure_only_text_passes_the_test_but_fails_to_parse() {
        // Botium's JSON.parse throws here; the loader reports it as a script error.
        assert!(looks_like_json(","));
        assert!(parse(",").is_err());
    }

    #[test]
    fn escaped_quotes_inside_strings() {
        assert!(looks_like_json(r#"{"a": "say \"hi\""}"#));
    }

    #[test]
    fn words_that_start_like_literals() {
        assert!(!looks_like_json("text message please"));
        assert!(!looks_like_json("nothing"));
        assert!(looks_like_json("[true, false]"));
        assert!(looks_like_json(" false"));
    }

    proptest::proptest! {
        /// The fast exit never turns away a text the full test accepts.
        #[test]
        fn the_first_character_check_keeps_every_json_text(
            text in r#"[ \t\[\]{}:,"\\truefalsn0-9.@-]{0,10}"#
        ) {
            proptest::prop_assert!(!json2_test(&text) || could_start_json(&text));
        }
    }
}
