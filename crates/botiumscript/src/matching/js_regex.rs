//! JavaScript regular expressions, as Botium builds them (`new RegExp(text, flags)`).
//!
//! `regress` is an ECMAScript regex engine, so a pattern means what it means under Node: the
//! same syntax (Annex B's lenient forms included), classes, word boundaries, case folding and
//! Unicode properties. JavaScript strings are UTF-16, and without the `u` flag a pattern works on
//! code units (`.` takes half of an emoji), so the text is matched as UTF-16: code units without
//! `u`, code points with it. Like Node, the engine backtracks without a limit.
//!
//! Where `regress` and Node disagree (the differential test below lists it): without `u`,
//! `\u{…}` is the letter `u` repeated, which `regress` reads as a code point, so it is rewritten
//! before compiling; and `ſ` (U+017F) and `ı` (U+0131) ignore case as `s` and `i` do, where Node
//! keeps them apart.

use std::ops::Range;

use super::error::MatchingError;

/// A compiled JavaScript regular expression; the matching modes, the remove-regexp option and
/// Studio's `regex` conditions all read user patterns through it.
#[derive(Debug, Clone)]
pub struct JsRegex {
    regex: regress::Regex,
    unicode: bool,
}

impl JsRegex {
    /// `new RegExp(pattern, flags)`: `i` ignores case, `u` reads code points; other flags
    /// (`g`) change nothing for the calls below.
    pub fn new(pattern: &str, flags: &str) -> Result<Self, MatchingError> {
        let flags = regress::Flags::from(flags);
        let compiled = if flags.unicode {
            regress::Regex::with_flags(pattern, flags)
        } else {
            // Without `u` an astral character in the pattern is its two code units, as in JS.
            let pattern = letter_u_before_braces(pattern);
            regress::Regex::from_unicode(pattern.encode_utf16().map(u32::from), flags)
        };
        compiled
            .map(|regex| JsRegex {
                regex,
                unicode: flags.unicode,
            })
            .map_err(|err| MatchingError::InvalidRegexp {
                pattern: pattern.to_string(),
                message: err.to_string(),
            })
    }

    /// `regex.test(text)`.
    pub fn is_match(&self, text: &str) -> bool {
        let units: Vec<u16> = text.encode_utf16().collect();
        let found = self.matches(&units).next().is_some();
        found
    }

    /// `text.replace(regex /g, '')`. Without `u` a match may split a surrogate pair; a Rust
    /// string cannot keep the half left over, so it becomes U+FFFD.
    pub fn remove_all(&self, text: &str) -> String {
        let units: Vec<u16> = text.encode_utf16().collect();
        let mut kept = Vec::with_capacity(units.len());
        let mut from = 0;
        for found in self.matches(&units) {
            kept.extend_from_slice(&units[from..found.start]);
            from = found.end;
        }
        kept.extend_from_slice(&units[from..]);
        String::from_utf16_lossy(&kept)
    }

    /// The ranges (in code units) of the successive matches, JavaScript's `/g` iteration.
    fn matches<'a>(&'a self, units: &'a [u16]) -> Box<dyn Iterator<Item = Range<usize>> + 'a> {
        if self.unicode {
            Box::new(self.regex.find_from_utf16(units, 0).map(|m| m.range()))
        } else {
            Box::new(self.regex.find_from_ucs2(units, 0).map(|m| m.range()))
        }
    }
}

/// Without the `u` flag JavaScript reads `\u{2}` as `u{2}` (the letter, twice); `regress` reads
/// a code point, so the escape's backslash goes.
fn letter_u_before_braces(pattern: &str) -> std::borrow::Cow<'_, str> {
    if !pattern.contains("\\u{") {
        return pattern.into();
    }
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') if chars.peek() == Some(&'{') => out.push('u'),
            Some(escaped) => {
                out.push('\\');
                out.push(escaped);
            }
            None => out.push('\\'),
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One case of `tests/fixtures/js_regex/node_cases.json`, with Node's answers.
    #[derive(serde::Deserialize)]
    struct NodeCase {
        pattern: String,
        flags: String,
        text: String,
        error: bool,
        test: Option<bool>,
        removed: Option<String>,
    }

    #[test]
    fn every_case_behaves_as_under_node() {
        let cases: Vec<NodeCase> = serde_json::from_str(include_str!(
            "../../tests/fixtures/js_regex/node_cases.json"
        ))
        .expect("valid case file");
        assert!(cases.len() > 80, "{} cases", cases.len());
        let mut differences = Vec::new();
        for case in &cases {
            let label = format!("/{}/{} on {:?}", case.pattern, case.flags, case.text);
            let compiled = JsRegex::new(&case.pattern, &case.flags);
            if compiled.is_err() != case.error {
                differences.push(format!("{label}: {compiled:?}"));
            }
            let Ok(regex) = compiled else { continue };
            if Some(regex.is_match(&case.text)) != case.test {
                differences.push(format!("{label}: test is not {:?}", case.test));
            }
            if let Some(removed) = case
                .removed
                .as_ref()
                .filter(|r| **r != regex.remove_all(&case.text))
            {
                differences.push(format!("{label}: removing does not leave {removed:?}"));
            }
        }
        // regress folds these two to ASCII letters; JavaScript's Canonicalize refuses to.
        let known = [
            "/ſ/i on \"s\": test is not Some(false)",
            "/s/i on \"ſ\": test is not Some(false)",
            "/ı/i on \"I\": test is not Some(false)",
        ];
        assert_eq!(differences, known);
    }

    #[test]
    fn invalid_patterns_name_the_pattern() {
        let err = JsRegex::new("(unclosed", "").expect_err("invalid");
        let text = err.to_string();
        assert!(text.contains("\"(unclosed\""), "{text}");
    }

    #[test]
    fn removal_without_a_match_keeps_the_text() {
        let regex = JsRegex::new("z", "ug").expect("compiles");
        assert_eq!(regex.remove_all("abc"), "abc");
    }
}
