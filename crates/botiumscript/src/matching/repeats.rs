//! Repeated prompts shown once with their count.
//!
//! `<Say loop="3">`, or an IVR that reprompts word for word, reaches the recogniser as the same
//! sentences several times in a row. Printed as heard, the repetition buries what a reader needs
//! (was it the right prompt?); [`collapse_repeats`] writes it once with ` (said k times)` after
//! it. It is for reports only: matching always sees the raw text.
//!
//! Rules:
//! * A repeat is a unit of at least [`MIN_UNIT_WORDS`] words followed at once by itself, k >= 2
//!   times; words compare ignoring case and punctuation (`Sales,` = `sales.`), as recognisers
//!   punctuate each repetition their own way. So `no no` or `one one` in an account number
//!   stay as they are.
//! * A unit whose words are all numbers (`1 2 3 1 2 3`, `one two one two`) is never collapsed:
//!   digits spoken twice are data, not a reprompt.
//! * Where several units repeat from one word on, the one covering the most words wins, then
//!   the shortest (so `A A A A` is `A` four times, not `A A` twice); repeats inside the unit
//!   are collapsed too. The first occurrence is kept as heard; everything outside repeats is
//!   unchanged, so a text without repeats comes back as it was.

use super::passage::word_spans;
use super::speech::canonical_words;

/// The shortest unit that counts as a repeated prompt.
pub const MIN_UNIT_WORDS: usize = 3;

/// The longest unit looked for; bounds the work on long recognitions.
const MAX_UNIT_WORDS: usize = 200;

/// `text` with each back-to-back repetition written once, followed by ` (said k times)`.
pub fn collapse_repeats(text: &str) -> String {
    let spans = word_spans(text);
    let keys: Vec<String> = spans
        .iter()
        .map(|&(from, to)| {
            text[from..to]
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        })
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < spans.len() {
        let Some((unit, times)) = longest_repeat(text, &spans, &keys, i) else {
            i += 1;
            continue;
        };
        let (unit_start, unit_end) = (spans[i].0, spans[i + unit - 1].1);
        out.push_str(&text[copied..unit_start]);
        out.push_str(&collapse_repeats(&text[unit_start..unit_end]));
        out.push_str(&format!(" (said {times} times)"));
        i += unit * times;
        copied = spans[i - 1].1;
    }
    out.push_str(&text[copied..]);
    out
}

/// The repeat starting at word `at` that covers the most words (then the shortest unit), as
/// (unit length in words, times said).
fn longest_repeat(
    text: &str,
    spans: &[(usize, usize)],
    keys: &[String],
    at: usize,
) -> Option<(usize, usize)> {
    let room = (keys.len() - at) / 2;
    let mut best: Option<(usize, usize)> = None;
    for unit in MIN_UNIT_WORDS..=room.min(MAX_UNIT_WORDS) {
        let first = &keys[at..at + unit];
        let times = 1 + keys[at + unit..]
            .chunks_exact(unit)
            .take_while(|next| *next == first)
            .count();
        let covers = |(unit, times): (usize, usize)| unit * times;
        if times < 2 || best.is_some_and(|b| covers(b) >= unit * times) {
            continue;
        }
        if first.iter().all(String::is_empty)
            || is_number(&text[spans[at].0..spans[at + unit - 1].1])
        {
            continue;
        }
        best = Some((unit, times));
    }
    best
}

/// Whether every canonical word is a number (`1 2 3`, `one two`, `twenty-one`).
fn is_number(unit: &str) -> bool {
    canonical_words(unit)
        .iter()
        .all(|word| word.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_looped_prompt_is_written_once_with_its_count() {
        let menu = "Press 1 for sales, press 2 for billing.";
        assert_eq!(
            collapse_repeats(&format!("{menu} {menu} {menu}")),
            "Press 1 for sales, press 2 for billing. (said 3 times)"
        );
    }

    #[test]
    fn case_and_punctuation_do_not_hide_a_repeat_and_the_first_is_kept() {
        assert_eq!(
            collapse_repeats(
                "Welcome. Say sales or billing. say Sales, or billing say sales or billing? Goodbye"
            ),
            "Welcome. Say sales or billing. (said 3 times) Goodbye"
        );
    }

    #[test]
    fn the_unit_covering_most_wins_and_the_smallest_of_those() {
        assert_eq!(
            collapse_repeats("a b c a b c a b c a b c"),
            "a b c (said 4 times)"
        );
        // Two sentences looped: one unit, not two.
        assert_eq!(
            collapse_repeats("hi there you. bye now friend. hi there you. bye now friend."),
            "hi there you. bye now friend. (said 2 times)"
        );
        // A repeat inside the unit is collapsed too.
        assert_eq!(
            collapse_repeats("x y z x y z w x y z x y z w"),
            "x y z (said 2 times) w (said 2 times)"
        );
    }

    #[test]
    fn short_repeats_and_numbers_stay() {
        for text in [
            "no no",
            "no no no",
            "your account is one one two",
            "Press 1. Press 1.",
            "1 2 3 1 2 3",
            "one two three one two three",
            "555 1212 555 1212 555 1212",
            "Your code is 4 4 4 4 4 4 4 4 4",
        ] {
            assert_eq!(collapse_repeats(text), text);
        }
    }

    #[test]
    fn text_around_a_repeat_keeps_its_spacing() {
        assert_eq!(
            collapse_repeats("Hello,  caller.\nthe menu is this the menu is this  then goodbye"),
            "Hello,  caller.\nthe menu is this (said 2 times)  then goodbye"
        );
    }

    #[test]
    fn a_long_recognition_is_handled() {
        let words: Vec<String> = (0..3_000).map(|n| format!("w{n}")).collect();
        let prose = words.join(" ");
        let text = format!("{prose} say it again. say it again. {prose}");
        assert_eq!(
            collapse_repeats(&text),
            format!("{prose} say it again. (said 2 times) {prose}")
        );
        let same = "and ".repeat(3_000);
        assert_eq!(
            collapse_repeats(same.trim_end()),
            "and and and (said 1000 times)"
        );
    }

    fn text_of(vocabulary: &'static [&'static str]) -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(vocabulary), 0..40)
            .prop_map(|words| words.join(" "))
    }

    const WORDS: &[&str] = &[
        "press", "Press", "1", "for", "sales.", "billing,", "one", "no",
    ];

    proptest! {
        #[test]
        fn idempotent(text in text_of(WORDS)) {
            let once = collapse_repeats(&text);
            prop_assert_eq!(collapse_repeats(&once), once);
        }

        #[test]
        fn repeated_units_collapse_and_expand_back(
            unit in proptest::collection::vec(proptest::sample::select(WORDS), 3..8),
            times in 2usize..5,
        ) {
            let unit = unit.join(" ");
            let text = vec![unit.as_str(); times].join(" ");
            let collapsed = collapse_repeats(&text);
            if is_number(&unit) {
                prop_assert_eq!(collapsed, text);
            } else {
                // Whatever unit was chosen, writing it out again gives the same words (but for case).
                let (kept, count) = collapsed
                    .rsplit_once(" (said ")
                    .and_then(|(kept, rest)| Some((kept, rest.strip_suffix(" times)")?)))
                    .expect("a count at the end");
                let count: usize = count.parse().expect("a number");
                prop_assert!(count >= times);
                // (A unit with a repeat inside it is itself collapsed: not expanded here.)
                if !kept.contains("(said") {
                    prop_assert_eq!(vec![kept; count].join(" ").to_lowercase(), text.to_lowercase());
                }
            }
        }

        #[test]
        fn text_without_repeats_is_unchanged(words in proptest::collection::vec("[a-z]{1,6}[,.]?", 0..30)) {
            let text = words.join(" ");
            let keys: Vec<String> = words.iter().map(|w| w.trim_end_matches([',', '.']).to_string()).collect();
            let repeats = (MIN_UNIT_WORDS..=keys.len() / 2).any(|unit| {
                keys.windows(2 * unit).any(|w| w[..unit] == w[unit..])
            });
            prop_assume!(!repeats);
            prop_assert_eq!(collapse_repeats(&text), text);
        }

        #[test]
        fn digit_strings_are_never_collapsed(digits in proptest::collection::vec("[0-9]{1,4}", 0..30)) {
            let text = digits.join(" ");
            prop_assert_eq!(collapse_repeats(&text), text);
        }
    }
}
