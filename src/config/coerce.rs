//! Coercions from loosely typed capability values to typed ones.
//!
//! Values come as JSON from `botium.json` or as environment strings that were JSON-parsed when
//! possible, so every coercion accepts both the JSON type and its string spelling. Each returns
//! the expected form on failure, for the error message.

use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

use super::types::{AnswerTiming, SpeechTimeout, TransportChoice, UttExpansionMode, UttNamingMode};

/// The expected form of a value, as shown in error messages.
pub(crate) type Expected = &'static str;

pub(crate) const BOOLEAN: Expected = "true or false (also \"yes\"/\"no\", \"on\"/\"off\", 1/0)";
pub(crate) const MILLISECONDS: Expected = "a number of milliseconds";
pub(crate) const WHOLE_NUMBER: Expected = "a whole number >= 0";
pub(crate) const POSITIVE_WHOLE_NUMBER: Expected = "a whole number >= 1";
pub(crate) const PORT: Expected = "a port number from 1 to 65535";
pub(crate) const FRACTION: Expected = "a number from 0 to 1";
pub(crate) const SPEECH_TIMEOUT: Expected = "\"auto\" or a whole number of seconds >= 1";
pub(crate) const TEXT: Expected = "a string";
pub(crate) const API_KEY_SID: Expected = "an API key SID (SK followed by 32 hex digits)";
pub(crate) const QUERY: Expected =
    "a query string (\"a=1&b=2\") or a JSON object of strings, numbers or booleans";
pub(crate) const TEXT_LIST: Expected =
    "a JSON array of strings or a comma-separated string (\"/,\" for a comma, \"//\" for a slash)";
pub(crate) const VALUE_LIST: Expected = "a JSON array";
pub(crate) const CALLER_IDS: Expected =
    "a caller ID, or several distinct ones as a JSON array of strings or a comma-separated string";
pub(crate) const OBJECT: Expected = "a JSON object";
pub(crate) const UTT_EXPANSION_MODE: Expected = "one of all, first, random, index";
pub(crate) const UTT_NAMING_MODE: Expected = "one of justLineTag, utterance";
pub(crate) const ANSWER_TIMING: Expected = "one of offer, match, silence";
pub(crate) const TRANSPORT: Expected = "one of auto, webhook, proxy, relay";
pub(crate) const HTTP_URL: Expected = "an http:// or https:// URL";
pub(crate) const REDIS_URL: Expected = "a redis:// or rediss:// URL";

/// The longest accepted duration; beyond it a value is surely a mistake (and would overflow).
const MAX_MILLISECONDS: f64 = 1e12;

/// `true/false`, `"yes"/"no"`, `"on"/"off"`, `"1"/"0"`, `1/0` (case-insensitive).
pub(crate) fn boolean(value: &Value) -> Result<bool, Expected> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) if n.as_f64() == Some(1.0) => Ok(true),
        Value::Number(n) if n.as_f64() == Some(0.0) => Ok(false),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => Err(BOOLEAN),
        },
        _ => Err(BOOLEAN),
    }
}

/// A finite JSON number or numeric string.
fn number(value: &Value) -> Option<f64> {
    let n = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

/// Milliseconds, fractions allowed, never negative.
pub(crate) fn milliseconds(value: &Value) -> Result<Duration, Expected> {
    match number(value) {
        Some(ms) if (0.0..=MAX_MILLISECONDS).contains(&ms) => {
            Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| MILLISECONDS)
        }
        _ => Err(MILLISECONDS),
    }
}

/// A whole number in `min..=u32::MAX` (`"3"` and `3.0` count).
pub(crate) fn whole_number(value: &Value, min: u32) -> Result<u32, Expected> {
    let expected = if min >= 1 {
        POSITIVE_WHOLE_NUMBER
    } else {
        WHOLE_NUMBER
    };
    match number(value) {
        Some(n) if n.fract() == 0.0 && n >= f64::from(min) && n <= f64::from(u32::MAX) => {
            Ok(n as u32)
        }
        _ => Err(expected),
    }
}

/// A TCP port, 1..=65535.
pub(crate) fn port(value: &Value) -> Result<u16, Expected> {
    match whole_number(value, 1) {
        Ok(n) => u16::try_from(n).map_err(|_| PORT),
        Err(_) => Err(PORT),
    }
}

/// A number in 0..=1.
pub(crate) fn fraction(value: &Value) -> Result<f64, Expected> {
    match number(value) {
        Some(n) if (0.0..=1.0).contains(&n) => Ok(n),
        _ => Err(FRACTION),
    }
}

/// `auto` or whole seconds >= 1 (Twilio's `speechTimeout`); empty means unset.
pub(crate) fn speech_timeout(value: &Value) -> Result<Option<SpeechTimeout>, Expected> {
    match value {
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) if s.trim().eq_ignore_ascii_case("auto") => Ok(Some(SpeechTimeout::Auto)),
        _ => whole_number(value, 1)
            .map(|seconds| Some(SpeechTimeout::Seconds(seconds)))
            .map_err(|_| SPEECH_TIMEOUT),
    }
}

/// A string (a number is refused, even a phone number: JSON drops its `+`); empty means unset.
/// `env_text` is the raw environment value, which wins over its JSON parse (`"0049"`, `"true"`).
pub(crate) fn text(value: &Value, env_text: Option<&str>) -> Result<Option<String>, Expected> {
    let text = match (env_text, value) {
        (Some(raw), _) => raw.to_string(),
        (None, Value::String(s)) => s.clone(),
        // A number is refused: `"TWILIO_IVR_TO": 4930123` has lost its `+` (and leading zeros).
        _ => return Err(TEXT),
    };
    Ok((!text.is_empty()).then_some(text))
}

/// `TWILIO_IVR_API_KEY`: a key SID as Twilio issues them; anything else would only fail at the
/// first request, after the suite started.
pub(crate) fn api_key_sid(
    value: &Value,
    env_text: Option<&str>,
) -> Result<Option<String>, Expected> {
    let Some(sid) = text(value, env_text).map_err(|_| API_KEY_SID)? else {
        return Ok(None);
    };
    let sid = sid.trim().to_string();
    if twilio_wire::sid::is_sid(&sid, "SK") {
        Ok(Some(sid))
    } else {
        Err(API_KEY_SID)
    }
}

/// `TWILIO_IVR_FROM`: one caller ID or a list of them, each a string as [`text`] reads one
/// (surrounding spaces dropped). A JSON array, or a comma-separated string (the only
/// form an environment variable has); empty means unset. A caller ID listed twice is an error:
/// the runner would count it as two lines and let two SMS checks share one inbox.
pub(crate) fn caller_ids(value: &Value, env_text: Option<&str>) -> Result<Vec<String>, Expected> {
    let items: Vec<String> = match value {
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                _ => Err(CALLER_IDS),
            })
            .collect::<Result<_, _>>()?,
        _ => match text(value, env_text).map_err(|_| CALLER_IDS)? {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_string)
                .collect(),
        },
    };
    let mut seen = std::collections::HashSet::new();
    if items.iter().all(|id| seen.insert(id.as_str())) {
        Ok(items)
    } else {
        Err(CALLER_IDS)
    }
}

/// An `http(s)://` URL; empty means unset.
pub(crate) fn http_url(value: &Value, env_text: Option<&str>) -> Result<Option<String>, Expected> {
    match text(value, env_text).map_err(|_| HTTP_URL)? {
        None => Ok(None),
        Some(url) => {
            let lower = url.to_ascii_lowercase();
            let rest = lower
                .strip_prefix("https://")
                .or_else(|| lower.strip_prefix("http://"));
            match rest {
                Some(host) if !host.is_empty() && !url.contains(char::is_whitespace) => {
                    Ok(Some(url))
                }
                _ => Err(HTTP_URL),
            }
        }
    }
}

/// A `redis://` or `rediss://` URL; empty means unset.
pub(crate) fn redis_url(value: &Value, env_text: Option<&str>) -> Result<Option<String>, Expected> {
    match text(value, env_text).map_err(|_| REDIS_URL)? {
        None => Ok(None),
        Some(url) => {
            let lower = url.to_ascii_lowercase();
            if lower.starts_with("redis://") || lower.starts_with("rediss://") {
                Ok(Some(url))
            } else {
                Err(REDIS_URL)
            }
        }
    }
}

/// `TWILIO_IVR_PUBLICURLPARAMS`: a query string or a JSON object, as an encoded query string.
///
/// A query string keeps valid `%XX` escapes and `+` (already encoded); a JSON object's keys and
/// values are raw text, so everything outside the unreserved set is escaped.
pub(crate) fn query_params(
    value: &Value,
    env_text: Option<&str>,
) -> Result<Option<String>, Expected> {
    let pairs: Vec<String> = match value {
        Value::Object(map) => {
            let mut pairs = Vec::new();
            for (key, value) in map {
                let value = match value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return Err(QUERY),
                };
                pairs.push(format!(
                    "{}={}",
                    percent_encode(key, false),
                    percent_encode(&value, false)
                ));
            }
            pairs
        }
        _ => {
            let Some(query) = text(value, env_text).map_err(|_| QUERY)? else {
                return Ok(None);
            };
            let query = query.trim();
            let query = query.strip_prefix('?').unwrap_or(query);
            let mut pairs = Vec::new();
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let (key, value) = match pair.split_once('=') {
                    Some((key, value)) => (key, Some(value)),
                    None => (pair, None),
                };
                if key.is_empty() {
                    return Err(QUERY);
                }
                let key = percent_encode(key, true);
                pairs.push(match value {
                    Some(value) => format!("{key}={}", percent_encode(value, true)),
                    None => key,
                });
            }
            pairs
        }
    };
    Ok((!pairs.is_empty()).then(|| pairs.join("&")))
}

/// RFC 3986's unreserved characters stay as they are; everything else is escaped.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// In a query that is already encoded, `+` (a space) stays too.
const NOT_UNRESERVED_OR_PLUS: &AsciiSet = &NOT_UNRESERVED.remove(b'+');

/// Percent-encodes everything but RFC 3986 unreserved characters.
/// `already_encoded` keeps valid `%XX` escapes and `+` as they are.
pub(crate) fn percent_encode(text: &str, already_encoded: bool) -> String {
    if !already_encoded {
        return utf8_percent_encode(text, NOT_UNRESERVED).to_string();
    }
    let mut encoded = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        let escape = rest
            .get(at + 1..at + 3)
            .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()));
        // A `%` that starts no escape is a percent sign, encoded with the text before it.
        let end = if escape { at + 3 } else { at + 1 };
        encoded.extend(utf8_percent_encode(&rest[..at], NOT_UNRESERVED_OR_PLUS));
        if escape {
            encoded.push_str(&rest[at..end]);
        } else {
            encoded.push_str("%25");
        }
        rest = &rest[end..];
    }
    encoded.extend(utf8_percent_encode(rest, NOT_UNRESERVED_OR_PLUS));
    encoded
}

/// A JSON array of strings, or Botium's comma-separated string (`/,` is a comma, `//` a slash).
pub(crate) fn text_list(value: &Value, env_text: Option<&str>) -> Result<Vec<String>, Expected> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(TEXT_LIST),
            })
            .collect(),
        _ => {
            let Some(list) = text(value, env_text).map_err(|_| TEXT_LIST)? else {
                return Ok(Vec::new());
            };
            let mut items = Vec::new();
            let mut current = String::new();
            let mut chars = list.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, chars.peek()) {
                    ('/', Some(&next)) if next == ',' || next == '/' => {
                        current.push(next);
                        chars.next();
                    }
                    (',', _) => items.push(std::mem::take(&mut current)),
                    _ => current.push(c),
                }
            }
            items.push(current);
            items.retain(|item| !item.is_empty());
            Ok(items)
        }
    }
}

/// A JSON array; a single value counts as a one-element array.
pub(crate) fn value_list(value: &Value) -> Result<Vec<Value>, Expected> {
    match value {
        Value::Array(items) => Ok(items.clone()),
        Value::Object(_) => Err(VALUE_LIST),
        other => Ok(vec![other.clone()]),
    }
}

/// A JSON object.
pub(crate) fn object(value: &Value) -> Result<Value, Expected> {
    match value {
        Value::Object(_) => Ok(value.clone()),
        _ => Err(OBJECT),
    }
}

/// `all`, `first`, `random` or `index` (case-insensitive).
pub(crate) fn utt_expansion_mode(value: &Value) -> Result<UttExpansionMode, Expected> {
    let Value::String(s) = value else {
        return Err(UTT_EXPANSION_MODE);
    };
    match s.trim().to_ascii_lowercase().as_str() {
        "all" => Ok(UttExpansionMode::All),
        "first" => Ok(UttExpansionMode::First),
        "random" => Ok(UttExpansionMode::Random),
        "index" => Ok(UttExpansionMode::Index),
        _ => Err(UTT_EXPANSION_MODE),
    }
}

/// `offer`, `match` or `silence` (case-insensitive).
pub(crate) fn answer_timing(value: &Value) -> Result<AnswerTiming, Expected> {
    let Value::String(s) = value else {
        return Err(ANSWER_TIMING);
    };
    match s.trim().to_ascii_lowercase().as_str() {
        "offer" => Ok(AnswerTiming::Offer),
        "match" => Ok(AnswerTiming::Match),
        "silence" => Ok(AnswerTiming::Silence),
        _ => Err(ANSWER_TIMING),
    }
}

/// `auto`, `webhook`, `proxy` or `relay` (case-insensitive).
pub(crate) fn transport(value: &Value) -> Result<TransportChoice, Expected> {
    let Value::String(s) = value else {
        return Err(TRANSPORT);
    };
    match s.trim().to_ascii_lowercase().as_str() {
        "auto" => Ok(TransportChoice::Auto),
        "webhook" => Ok(TransportChoice::Webhook),
        "proxy" => Ok(TransportChoice::Proxy),
        "relay" => Ok(TransportChoice::Relay),
        _ => Err(TRANSPORT),
    }
}

/// `justLineTag` or `utterance` (case-insensitive).
pub(crate) fn utt_naming_mode(value: &Value) -> Result<UttNamingMode, Expected> {
    let Value::String(s) = value else {
        return Err(UTT_NAMING_MODE);
    };
    match s.trim().to_ascii_lowercase().as_str() {
        "justlinetag" => Ok(UttNamingMode::JustLineTag),
        "utterance" => Ok(UttNamingMode::Utterance),
        _ => Err(UTT_NAMING_MODE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn booleans_accept_common_spellings() {
        for yes in [
            json!(true),
            json!("TRUE"),
            json!("yes"),
            json!("On"),
            json!("1"),
            json!(1),
        ] {
            assert_eq!(boolean(&yes), Ok(true), "{yes}");
        }
        for no in [
            json!(false),
            json!("false"),
            json!("No"),
            json!("off"),
            json!("0"),
            json!(0),
        ] {
            assert_eq!(boolean(&no), Ok(false), "{no}");
        }
        for bad in [json!("maybe"), json!(2), json!(null), json!([true])] {
            assert_eq!(boolean(&bad), Err(BOOLEAN), "{bad}");
        }
    }

    #[test]
    fn numbers_accept_zero_and_numeric_strings() {
        assert_eq!(whole_number(&json!(0), 0), Ok(0));
        assert_eq!(whole_number(&json!("0"), 0), Ok(0));
        assert_eq!(whole_number(&json!(" 7 "), 0), Ok(7));
        assert_eq!(whole_number(&json!(3.0), 1), Ok(3));
        assert_eq!(whole_number(&json!(0), 1), Err(POSITIVE_WHOLE_NUMBER));
        assert_eq!(whole_number(&json!(1.5), 0), Err(WHOLE_NUMBER));
        assert_eq!(whole_number(&json!(-1), 0), Err(WHOLE_NUMBER));
        assert_eq!(whole_number(&json!("NaN"), 0), Err(WHOLE_NUMBER));
        assert_eq!(whole_number(&json!("inf"), 0), Err(WHOLE_NUMBER));
    }

    #[test]
    fn milliseconds_accept_numbers_and_numeric_strings() {
        assert_eq!(milliseconds(&json!("500")), Ok(Duration::from_millis(500)));
        assert_eq!(milliseconds(&json!(0)), Ok(Duration::ZERO));
        assert_eq!(milliseconds(&json!(1.5)), Ok(Duration::from_micros(1500)));
        assert_eq!(milliseconds(&json!("20s")), Err(MILLISECONDS));
        assert_eq!(milliseconds(&json!(-1)), Err(MILLISECONDS));
        assert_eq!(milliseconds(&json!(1e300)), Err(MILLISECONDS));
    }

    #[test]
    fn ports_are_bounded() {
        assert_eq!(port(&json!("8080")), Ok(8080));
        assert_eq!(port(&json!(65535)), Ok(65535));
        assert_eq!(port(&json!(0)), Err(PORT));
        assert_eq!(port(&json!(65536)), Err(PORT));
    }

    #[test]
    fn fractions_are_bounded() {
        assert_eq!(fraction(&json!("0.8")), Ok(0.8));
        assert_eq!(fraction(&json!(0)), Ok(0.0));
        assert_eq!(fraction(&json!(1.01)), Err(FRACTION));
    }

    #[test]
    fn answer_timing_is_one_of_three_names() {
        assert_eq!(answer_timing(&json!("offer")), Ok(AnswerTiming::Offer));
        assert_eq!(answer_timing(&json!(" Match ")), Ok(AnswerTiming::Match));
        assert_eq!(answer_timing(&json!("SILENCE")), Ok(AnswerTiming::Silence));
        assert_eq!(answer_timing(&json!("early")), Err(ANSWER_TIMING));
        assert_eq!(answer_timing(&json!(1)), Err(ANSWER_TIMING));
    }

    #[test]
    fn transport_is_one_of_four_names() {
        assert_eq!(transport(&json!(" Relay ")), Ok(TransportChoice::Relay));
        assert_eq!(transport(&json!("webhook")), Ok(TransportChoice::Webhook));
        assert_eq!(transport(&json!("redis")), Err(TRANSPORT));
        assert_eq!(transport(&json!(1)), Err(TRANSPORT));
    }

    #[test]
    fn speech_timeout_is_auto_or_seconds() {
        assert_eq!(
            speech_timeout(&json!("auto")),
            Ok(Some(SpeechTimeout::Auto))
        );
        assert_eq!(
            speech_timeout(&json!("AUTO")),
            Ok(Some(SpeechTimeout::Auto))
        );
        assert_eq!(
            speech_timeout(&json!(3)),
            Ok(Some(SpeechTimeout::Seconds(3)))
        );
        assert_eq!(
            speech_timeout(&json!("3")),
            Ok(Some(SpeechTimeout::Seconds(3)))
        );
        assert_eq!(speech_timeout(&json!("")), Ok(None));
        assert_eq!(speech_timeout(&json!(0)), Err(SPEECH_TIMEOUT));
        assert_eq!(speech_timeout(&json!("2.5")), Err(SPEECH_TIMEOUT));
    }

    #[test]
    fn text_prefers_the_raw_environment_string() {
        assert_eq!(text(&json!(49), Some("0049")), Ok(Some("0049".into())));
        assert_eq!(
            text(&json!(4930123), None),
            Err(TEXT),
            "a number is no string"
        );
        assert_eq!(text(&json!(""), None), Ok(None));
        assert_eq!(text(&json!(true), None), Err(TEXT));
    }

    #[test]
    fn urls_need_their_scheme() {
        assert!(http_url(&json!("https://x.example/a"), None).is_ok());
        assert_eq!(http_url(&json!("x.example"), None), Err(HTTP_URL));
        assert_eq!(http_url(&json!("https://"), None), Err(HTTP_URL));
        assert!(redis_url(&json!("rediss://:pw@h:6380"), None).is_ok());
        assert_eq!(redis_url(&json!("localhost:6379"), None), Err(REDIS_URL));
    }

    #[test]
    fn query_params_are_encoded() {
        assert_eq!(
            query_params(&json!({"APIKEY": "a b&c", "n": 1, "ok": true}), None),
            Ok(Some("APIKEY=a%20b%26c&n=1&ok=true".into()))
        );
        assert_eq!(
            query_params(&json!("?a=x y&b=%20z+w&flag"), None),
            Ok(Some("a=x%20y&b=%20z+w&flag".into()))
        );
        assert_eq!(
            query_params(&json!("k=ü/é"), None),
            Ok(Some("k=%C3%BC%2F%C3%A9".into()))
        );
        assert_eq!(
            query_params(&json!("rate=100%&x=%zz&y=%4"), None),
            Ok(Some("rate=100%25&x=%25zz&y=%254".into()))
        );
        assert_eq!(query_params(&json!(""), None), Ok(None));
        assert_eq!(query_params(&json!({"a": {"b": 1}}), None), Err(QUERY));
        assert_eq!(query_params(&json!("=x"), None), Err(QUERY));
    }

    #[test]
    fn text_lists_follow_botium_escapes() {
        assert_eq!(
            text_list(&json!("a,b/,c,d//e,,"), None),
            Ok(vec!["a".to_string(), "b,c".into(), "d/e".into()])
        );
        assert_eq!(
            text_list(&json!(["?", "!"]), None),
            Ok(vec!["?".to_string(), "!".into()])
        );
        assert_eq!(text_list(&json!([{}]), None), Err(TEXT_LIST));
    }

    #[test]
    fn caller_ids_are_one_or_a_list() {
        let ids = |v: Value, env: Option<&str>| caller_ids(&v, env);
        assert_eq!(
            ids(json!("+4930123"), None),
            Ok(vec!["+4930123".to_string()])
        );
        assert_eq!(
            ids(json!(4930123), Some("0049301")),
            Ok(vec!["0049301".into()])
        );
        assert_eq!(ids(json!(["+1555", 1666]), None), Err(CALLER_IDS));
        assert_eq!(ids(json!(1666), None), Err(CALLER_IDS));
        assert_eq!(
            ids(json!("+1555, +1666,"), Some("+1555, +1666,")),
            Ok(vec!["+1555".to_string(), "+1666".into()])
        );
        assert_eq!(ids(json!(""), None), Ok(Vec::new()));
        assert_eq!(ids(json!(["+1555", "+1555"]), None), Err(CALLER_IDS));
        assert_eq!(ids(json!("+1555,+1555"), None), Err(CALLER_IDS));
        assert_eq!(ids(json!(["+1555", ""]), None), Err(CALLER_IDS));
        assert_eq!(ids(json!([{}]), None), Err(CALLER_IDS));
        assert_eq!(ids(json!(true), None), Err(CALLER_IDS));
    }

    proptest::proptest! {
        #[test]
        fn coercions_never_panic_and_queries_stay_encoded(text in "\\PC{0,40}") {
            let value = Value::String(text.clone());
            let _ = (boolean(&value), milliseconds(&value), whole_number(&value, 1));
            let _ = (port(&value), fraction(&value), speech_timeout(&value));
            let _ = (text_list(&value, None), http_url(&value, None), redis_url(&value, None));
            if let Ok(Some(query)) = query_params(&value, None) {
                proptest::prop_assert!(
                    query.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%+=&".contains(&b)),
                    "{}", query
                );
            }
        }
    }

    #[test]
    fn expansion_modes_parse() {
        assert_eq!(
            utt_expansion_mode(&json!("Random")),
            Ok(UttExpansionMode::Random)
        );
        assert_eq!(utt_expansion_mode(&json!("some")), Err(UTT_EXPANSION_MODE));
        assert_eq!(
            utt_naming_mode(&json!("utterance")),
            Ok(UttNamingMode::Utterance)
        );
        assert_eq!(
            utt_naming_mode(&json!("justLineTag")),
            Ok(UttNamingMode::JustLineTag)
        );
        assert_eq!(utt_naming_mode(&json!(1)), Err(UTT_NAMING_MODE));
    }
}
