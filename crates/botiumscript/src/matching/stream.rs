//! Where a match ends in what the IVR said.
//!
//! What an IVR says is one stream per call: a `#bot` step that matches part of it consumes the
//! stream only through the end of the matched words, and the rest is for the next step. The end
//! is found without re-implementing each mode: the shortest leading run of words that still
//! matches (as well as the whole did) ends where the match ends. Partial-text modes only grow
//! their matches as text is appended, so a binary search over word counts finds it.

use super::matcher::{MatchHow, Matcher};
use super::mode::MatchingMode;

impl Matcher {
    /// Whether a match of `expected` can cover part of a text (and so consume only part of the
    /// stream): `wildcard*`, `include*`, and `regexp*` unless the pattern is anchored at its end.
    /// `equals*`, `wildcardExact*` and `wer` compare whole messages.
    pub fn matches_part(&self, expected: &str) -> bool {
        match self.mode() {
            MatchingMode::Wildcard { .. } | MatchingMode::Include { .. } => true,
            MatchingMode::Regexp { .. } => {
                let pattern = expected.trim_end();
                !pattern.ends_with('$') || pattern.ends_with("\\$")
            }
            MatchingMode::WildcardExact { .. }
            | MatchingMode::Equals { .. }
            | MatchingMode::Wer { .. } => false,
        }
    }

    /// Whether `expected` ends in a wildcard (`Welcome to Acme*`): it asks for whatever follows,
    /// so its match runs to the end of the message it ends in.
    pub fn ends_in_wildcard(&self, expected: &str) -> bool {
        matches!(
            self.mode(),
            MatchingMode::Wildcard { .. } | MatchingMode::WildcardExact { .. }
        ) && expected.trim_end().ends_with('*')
    }

    /// How many leading words of `actual` a match of any of `expected` consumes: the fewest
    /// whose text still matches exactly or speech-tolerantly. `None` means all of it: a
    /// whole-text mode, a near miss (which has no place in the text), or no match at all.
    pub fn matched_words(&self, actual: &str, expected: &[&str]) -> Option<usize> {
        if !expected.iter().all(|e| self.matches_part(e)) {
            return None;
        }
        let words: Vec<&str> = actual.split_whitespace().collect();
        let matches = |count: usize| {
            let prefix = words[..count].join(" ");
            let result = self.compare_any(&prefix, expected);
            result.matched && result.how != MatchHow::NearMiss
        };
        if words.is_empty() || !matches(words.len()) {
            return None;
        }
        // Invariant: `high` words match, `low` words do not (none is assumed not to match).
        let (mut low, mut high) = (0, words.len());
        while low + 1 < high {
            let middle = (low + high) / 2;
            if matches(middle) {
                high = middle;
            } else {
                low = middle;
            }
        }
        Some(high)
    }
}

#[cfg(test)]
mod tests {
    use crate::matching::{Matcher, MatchingMode, NormalizeOptions};

    fn matcher(mode: MatchingMode) -> Matcher {
        Matcher::new(mode, NormalizeOptions::default(), true, 1.0).expect("valid matcher")
    }

    fn wildcard() -> Matcher {
        matcher(MatchingMode::Wildcard { ignore_case: true })
    }

    #[test]
    fn a_match_ends_after_its_last_word() {
        let heard = "Returning to the main menu. Thanks for calling Acme, press 1 for sales";
        assert_eq!(
            wildcard().matched_words(heard, &["Returning to the main menu"]),
            Some(5)
        );
        assert_eq!(
            wildcard().matched_words(heard, &["thanks for calling"]),
            Some(8)
        );
    }

    #[test]
    fn a_wildcard_inside_the_expectation_spans_words() {
        let heard = "Your balance is 42 dollars and 10 cents. Anything else?";
        assert_eq!(
            wildcard().matched_words(heard, &["balance is * dollars"]),
            Some(5)
        );
    }

    #[test]
    fn speech_tolerant_matches_end_too() {
        // "one" is canonically "1": the match still ends at the word that completes it.
        let heard = "Press one for sales. Press two for billing.";
        assert_eq!(wildcard().matched_words(heard, &["press 1"]), Some(2));
    }

    #[test]
    fn whole_text_modes_and_misses_consume_everything() {
        let heard = "Hello there. Goodbye.";
        let equals = matcher(MatchingMode::Equals { ignore_case: true });
        assert_eq!(
            equals.matched_words(heard, &["Hello there. Goodbye."]),
            None
        );
        assert!(!equals.matches_part("Hello there"));
        assert_eq!(wildcard().matched_words(heard, &["not said"]), None);
    }

    #[test]
    fn end_anchored_patterns_compare_the_whole_text() {
        let regexp = matcher(MatchingMode::Regexp { ignore_case: true });
        assert!(regexp.matches_part("main menu"));
        assert!(!regexp.matches_part("main menu$"));
        assert!(regexp.matches_part("costs 5\\$"));
        assert_eq!(
            regexp.matched_words("the main menu, then more", &["main menu"]),
            Some(3)
        );
    }

    #[test]
    fn a_trailing_wildcard_is_recognised() {
        assert!(wildcard().ends_in_wildcard("Welcome to Acme*"));
        assert!(!wildcard().ends_in_wildcard("Welcome * Acme"));
        let include = matcher(MatchingMode::Include { ignore_case: true });
        assert!(!include.ends_in_wildcard("Welcome*"));
    }
}
