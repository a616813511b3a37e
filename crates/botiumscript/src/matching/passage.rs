//! The closest passage: where in a long heard text a short expectation comes closest.
//!
//! An IVR prompt is often a paragraph ("Welcome to Acme ... press 2 for billing ... goodbye")
//! while a `#bot` step checks one phrase of it. When that phrase is misheard, a word diff of the
//! phrase against the whole paragraph is mostly noise; the few heard words that come closest to
//! the phrase, with their similarity, say what went wrong.
//!
//! Rules, so that a report is the same from run to run:
//! * Only for a heard text much longer than the expectation: more than twice its canonical
//!   words and at least [`MIN_EXTRA_WORDS`] more; otherwise the whole heard text is the passage
//!   and there is nothing to point at ([`closest_passage`] gives `None`).
//! * Both texts compare on their speech-tolerant canonical forms (case, punctuation, number
//!   words and recogniser variants ignored, as the matcher's speech layer does). A `*` wildcard
//!   in the expectation is ignored: the passage is the best fit of the literal words.
//! * Candidate passages are the runs of whole heard words whose length is within two words of
//!   the expectation's (counted both in written and in canonical words, so that `1 2 3` and
//!   `123` both fit); each is scored with the matcher's whole-text similarity (1 - character
//!   Levenshtein distance / longer length, see `score`).
//! * The highest similarity wins; on a tie the earliest, then the shortest run.

use super::score::whole_similarity;
use super::speech::{canonical, canonical_words};

/// A heard text must have at least this many canonical words more than the expectation.
pub const MIN_EXTRA_WORDS: usize = 8;

/// How many words a candidate run may be shorter or longer than the expectation.
const LENGTH_SLACK: usize = 2;

/// Words a `*` between two literal parts may stand for inside a passage.
const WORDS_PER_WILDCARD: usize = 6;

/// Heard words looked at; keeps the work bounded on an absurdly long recognition.
const MAX_HEARD_WORDS: usize = 5_000;

/// The run of heard words closest to an expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// The heard words, exactly as heard (spacing and punctuation kept).
    pub text: String,
    /// Similarity of the run to the expectation, 0..=1, on canonical forms.
    pub similarity: f64,
    /// Index of the run's first word among the heard text's whitespace-separated words, from 0.
    pub start_word: usize,
    /// Index one past the run's last word (so `end_word - start_word` words).
    pub end_word: usize,
}

/// The byte range of each whitespace-separated word of `text`.
pub(crate) fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(from)) => {
                spans.push((from, at));
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    if let Some(from) = start {
        spans.push((from, text.len()));
    }
    spans
}

/// The run of `heard` words most similar to `expected`, or `None` when `heard` is not much
/// longer than `expected` (see the module doc) or either has no words.
pub fn closest_passage(heard: &str, expected: &str) -> Option<Passage> {
    let literal = expected.replace('*', " ");
    let expected_len = canonical_words(&literal).len();
    if expected_len == 0 {
        return None;
    }
    // Wildcards between literal parts stand for words the passage may include.
    let parts = expected
        .split('*')
        .filter(|part| !canonical_words(part).is_empty())
        .count();
    let wildcard = (parts > 1).then(|| canonical(expected, true));
    let target = canonical_words(&literal).join(" ");
    let spans: Vec<(usize, usize)> = word_spans(heard)
        .into_iter()
        .take(MAX_HEARD_WORDS)
        .collect();
    let heard_len = canonical_words(&heard[..spans.last()?.1]).len();
    if heard_len <= 2 * expected_len || heard_len < expected_len + MIN_EXTRA_WORDS {
        return None;
    }
    let shortest = expected_len.saturating_sub(LENGTH_SLACK).max(1);
    let longest = expected_len + LENGTH_SLACK + WORDS_PER_WILDCARD * parts.saturating_sub(1);
    let mut best: Option<Candidate> = None;
    for start in 0..spans.len() {
        for end in start + 1..=spans.len() {
            let text = &heard[spans[start].0..spans[end - 1].1];
            let words = canonical_words(text);
            // Appending a word practically never shortens the canonical form (only `double`
            // or `triple` can join a number before them), so no longer run would fit.
            if words.len() > longest {
                break;
            }
            if words.len() < shortest {
                continue;
            }
            let window = words.join(" ");
            let similarity = match &wildcard {
                Some(pattern) => ordered_wildcard_similarity(&window, pattern),
                None => whole_similarity(&window, &target),
            };
            let candidate = Candidate {
                similarity,
                start,
                end,
            };
            if best.is_none_or(|b| candidate.beats(&b)) {
                best = Some(candidate);
            }
        }
    }
    best.map(|b| Passage {
        text: heard[spans[b.start].0..spans[b.end - 1].1].to_string(),
        similarity: b.similarity,
        start_word: b.start,
        end_word: b.end,
    })
}

/// 1 - (Levenshtein distance of `window` against `pattern`, where each `*` of the pattern
/// swallows any text for free) / the pattern's literal length. Unlike the matcher's wildcard
/// score, the parts must come in order: a passage reads left to right.
fn ordered_wildcard_similarity(window: &str, pattern: &str) -> f64 {
    let text: Vec<char> = window.chars().collect();
    let literal = pattern.chars().filter(|&c| c != '*').count();
    if literal == 0 {
        return 1.0;
    }
    // previous[j]: cost of the pattern so far against text[..j].
    let mut previous: Vec<usize> = (0..=text.len()).collect();
    for p in pattern.chars() {
        let mut current = vec![0; text.len() + 1];
        if p == '*' {
            let mut cheapest = usize::MAX;
            for (j, cost) in previous.iter().enumerate() {
                cheapest = cheapest.min(*cost);
                current[j] = cheapest;
            }
        } else {
            current[0] = previous[0] + 1;
            for (j, &t) in text.iter().enumerate() {
                let substitution = previous[j] + usize::from(p != t);
                current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            }
        }
        previous = current;
    }
    let distance = previous[text.len()];
    (1.0 - distance as f64 / literal as f64).clamp(0.0, 1.0)
}

/// A run of heard words being considered (its text is cut out only for the winner).
#[derive(Debug, Clone, Copy)]
struct Candidate {
    similarity: f64,
    start: usize,
    end: usize,
}

impl Candidate {
    /// Higher similarity, then fewer words (a wildcard fit never grows for nothing), then
    /// earlier (candidates come in order, so an equal later one does not win).
    fn beats(&self, other: &Candidate) -> bool {
        if self.similarity != other.similarity {
            return self.similarity > other.similarity;
        }
        self.end - self.start < other.end - other.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MENU: &str = "Thank you for calling Acme Energy. Your call may be recorded for \
        quality purposes. For your balance, press 1. For billing questions, press to. To report \
        an outage, press 3. For anything else, stay on the line.";

    #[test]
    fn the_phrase_in_the_middle_of_a_long_prompt_with_one_word_wrong() {
        let passage = closest_passage(MENU, "For billing questions, press 2").expect("passage");
        assert_eq!(passage.text, "For billing questions, press to.");
        assert_eq!((passage.start_word, passage.end_word), (19, 24));
        // "press 2" heard as "press to": two characters of 30 differ.
        assert!(
            passage.similarity > 0.9 && passage.similarity < 1.0,
            "{}",
            passage.similarity
        );
    }

    #[test]
    fn an_exact_phrase_scores_one_and_spans_its_words() {
        let passage = closest_passage(MENU, "to report an outage press three").expect("passage");
        assert_eq!(passage.text, "To report an outage, press 3.");
        assert_eq!(passage.similarity, 1.0);
    }

    #[test]
    fn numbers_written_either_way_fit() {
        let heard = "Thanks. Please have your account number ready. Your account number is \
            one two three four five six seven eight. Is that right? Say yes or no.";
        let passage = closest_passage(heard, "your account number is 12345678").expect("passage");
        assert_eq!(
            passage.text,
            "Your account number is one two three four five six seven eight."
        );
        assert_eq!(passage.similarity, 1.0);
    }

    #[test]
    fn wildcards_swallow_words_between_parts() {
        let passage =
            closest_passage(MENU, "Your call * recorded for quality reasons").expect("passage");
        assert_eq!(
            passage.text,
            "Your call may be recorded for quality purposes."
        );
        assert!(passage.similarity < 1.0);
        let passage = closest_passage(MENU, "* billing questions, press 2 *").expect("passage");
        assert_eq!(passage.text, "billing questions, press to.");
    }

    #[test]
    fn no_passage_unless_the_heard_text_is_much_longer() {
        // Not more than twice as long.
        assert_eq!(
            closest_passage("press 2 for billing now", "press 2 for"),
            None
        );
        // Twice as long but fewer than 8 words more.
        assert_eq!(closest_passage("a b c d e f g", "a b c"), None);
        assert_eq!(closest_passage(MENU, ""), None);
        assert_eq!(closest_passage(MENU, " * "), None);
        assert_eq!(closest_passage("", "press 2"), None);
        // Just long enough: 11 words against 3.
        assert!(closest_passage("a b c d e f g h i j k", "x y z").is_some());
    }

    #[test]
    fn ties_go_to_the_earliest_run() {
        let heard = "press 2 for billing. Other things here, many of them. press 2 for billing.";
        let passage = closest_passage(heard, "press 2 for billing").expect("passage");
        assert_eq!((passage.start_word, passage.end_word), (0, 4));
    }

    #[test]
    fn a_long_recognition_is_handled() {
        let filler = "and then some words about the weather ".repeat(400);
        let heard = format!("{filler} for billing press to {filler}");
        let passage = closest_passage(&heard, "for billing press 2").expect("passage");
        assert_eq!(passage.text, "for billing press to");
    }

    #[test]
    fn a_wildcard_swallows_words_in_order_only() {
        let score = ordered_wildcard_similarity;
        assert_eq!(
            score("for billing questions press 2", "for billing*press 2"),
            1.0
        );
        assert_eq!(score("for billing press 2", "for billing*press 2"), 1.0);
        assert!(score("press 2 for billing", "for billing*press 2") < 0.5);
        // One edit in 18 literal characters.
        let one_off = score("for billing questions press 3", "for billing*press 2");
        assert_eq!(one_off, 1.0 - 1.0 / 18.0);
        assert_eq!(score("anything", "*"), 1.0);
    }

    #[test]
    fn word_spans_are_byte_ranges_of_words() {
        assert_eq!(word_spans("  ab  c\té "), [(2, 4), (6, 7), (8, 10)]);
        assert!(word_spans(" \n ").is_empty());
    }

    fn words(vocabulary: &'static [&'static str], max: usize) -> BoxedStrategy<Vec<String>> {
        proptest::collection::vec(
            proptest::sample::select(vocabulary).prop_map(str::to_string),
            1..max,
        )
        .boxed()
    }

    const FILLER: &[&str] = &["alpha", "bravo", "charlie", "delta", "echo,", "foxtrot."];
    const PHRASE: &[&str] = &["press", "billing", "sales", "7", "Nine", "account"];
    const MIXED: &[&str] = &[
        "press", "billing,", "Sales.", "7", "nine", "one", "double", "*", "é", "-", "per", "cent",
    ];

    proptest! {
        #[test]
        fn any_text_is_handled(heard in ".{0,200}", expected in ".{0,40}") {
            if let Some(passage) = closest_passage(&heard, &expected) {
                prop_assert!((0.0..=1.0).contains(&passage.similarity));
                prop_assert!(heard.contains(&passage.text));
            }
        }

        #[test]
        fn a_passage_is_a_run_of_heard_words_with_a_similarity_in_range(
            heard in words(MIXED, 60).prop_map(|w| w.join(" ")),
            expected in words(MIXED, 6).prop_map(|w| w.join(" ")),
        ) {
            let passage = closest_passage(&heard, &expected);
            let n = canonical_words(&expected.replace('*', " ")).len();
            let h = canonical_words(&heard).len();
            prop_assert_eq!(passage.is_some(), n > 0 && h > 2 * n && h >= n + MIN_EXTRA_WORDS);
            if let Some(passage) = passage {
                let heard_words: Vec<&str> = heard.split_whitespace().collect();
                prop_assert!(passage.start_word < passage.end_word);
                prop_assert_eq!(
                    heard_words[passage.start_word..passage.end_word].join(" "),
                    passage.text.split_whitespace().collect::<Vec<_>>().join(" ")
                );
                prop_assert!((0.0..=1.0).contains(&passage.similarity));
                prop_assert_eq!(Some(passage), closest_passage(&heard, &expected));
            }
        }

        #[test]
        fn an_embedded_phrase_is_found_exactly(
            before in words(FILLER, 20),
            phrase in words(PHRASE, 6),
            after in words(FILLER, 20),
        ) {
            let heard = format!("{} {} {}", before.join(" "), phrase.join(" "), after.join(" "));
            let expected = phrase.join(" ");
            match closest_passage(&heard, &expected) {
                Some(passage) => {
                    prop_assert_eq!(passage.similarity, 1.0);
                    prop_assert_eq!(passage.text, expected);
                    prop_assert_eq!(passage.start_word, before.len());
                }
                None => {
                    let n = canonical_words(&expected).len();
                    let h = canonical_words(&heard).len();
                    prop_assert!(h <= 2 * n || h < n + MIN_EXTRA_WORDS);
                }
            }
        }
    }
}
