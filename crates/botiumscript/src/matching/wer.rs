//! Word error rate, as Botium's `calculateWer` computes it with the `word-error-rate` package.
//!
//! * `word-error-rate`: word-level Levenshtein distance divided by the **longer** word count
//!   (`wordErrorRate("one hen two ducks", "won hen too ducts")` = 0.75).
//! * Botium prepares both texts by deleting the characters `` .,/#!$%^&;:{}=-_`~() `` and
//!   lowercasing; `*` stays in the expected text.
//! * Without `*`, the rate is that of the whole texts. With `*`, each non-empty part of the
//!   expected text is aligned with the window of the bot's words (of the part's length) that has
//!   the lowest rate (the last one on ties), words are compared position by position, and the rate
//!   is mismatches / words over all parts.
//! * Rates are rounded to two decimals (`toFixed(2)`) before they are compared with a threshold.
//!
//! Deliberate differences: words are split on whitespace runs, so a deleted ` - ` does not leave
//! an empty "word" behind; empty parts (`*` at either end, `**`) do not count as one correct word
//! each (Botium's count lets `* hello` against `goodbye` score 50 %); an expected text of only
//! wildcards has rate 0.

/// Characters Botium's `_prepareString` deletes before computing a word error rate.
const WER_DELETED: &[char] = &[
    '.', ',', '/', '#', '!', '$', '%', '^', '&', ';', ':', '{', '}', '=', '-', '_', '`', '~', '(',
    ')',
];

/// Longest text (in words) we align; keeps the quadratic work bounded on absurd inputs.
const MAX_WORDS: usize = 2_000;

/// Botium's preparation: delete its punctuation set and lowercase.
pub(crate) fn prepare(text: &str) -> String {
    text.chars()
        .filter(|c| !WER_DELETED.contains(c))
        .collect::<String>()
        .to_lowercase()
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().take(MAX_WORDS).collect()
}

/// Word-level Levenshtein distance.
pub(crate) fn word_edit_distance(a: &[&str], b: &[&str]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, word_a) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, word_b) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(word_a != word_b);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// `word-error-rate`'s `wordErrorRate`: edit distance / the longer word count (0 for two empty texts).
pub(crate) fn word_error_rate(a: &[&str], b: &[&str]) -> f64 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 0.0;
    }
    word_edit_distance(a, b) as f64 / longest as f64
}

/// JavaScript's `toFixed(2)` as a number.
pub(crate) fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Botium's `calculateWer(botText, expected)`, rounded to two decimals; may exceed 1.
pub(crate) fn calculate_wer(bot_text: &str, expected: &str) -> f64 {
    let bot = prepare(bot_text);
    let bot_words = words(&bot);
    let expected = prepare(expected);
    if !expected.contains('*') {
        return round2(word_error_rate(&bot_words, &words(&expected)));
    }
    let mut errors = 0usize;
    let mut counted = 0usize;
    for part in expected.split('*') {
        let part_words = words(part);
        if part_words.is_empty() {
            continue;
        }
        let window = part_words.len().min(bot_words.len());
        let best = best_window(&bot_words, &part_words, window);
        errors += part_words
            .iter()
            .enumerate()
            .filter(|(i, word)| best.get(*i) != Some(*word))
            .count();
        counted += part_words.len();
    }
    if counted == 0 {
        return 0.0;
    }
    round2(errors as f64 / counted as f64)
}

/// The window of `size` bot words with the lowest rounded rate against `part`; the last on ties.
fn best_window<'a>(bot_words: &[&'a str], part: &[&str], size: usize) -> Vec<&'a str> {
    if size == 0 {
        return Vec::new();
    }
    let mut best: (f64, &[&'a str]) = (f64::INFINITY, &[]);
    for window in bot_words.windows(size) {
        let rate = round2(word_error_rate(window, part));
        if rate <= best.0 {
            best = (rate, window);
        }
    }
    best.1.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_examples() {
        let rate = |a: &str, b: &str| word_error_rate(&words(a), &words(b));
        assert_eq!(rate("one hen", "won hen"), 0.5);
        assert_eq!(rate("one hen two ducks", "won hen too ducts"), 0.75);
        assert_eq!(rate("", ""), 0.0);
        assert_eq!(rate("a b", ""), 1.0);
    }

    #[test]
    fn preparation_strips_botium_punctuation_and_case() {
        assert_eq!(prepare("Hello, World! (x) 50%"), "hello world x 50");
        // `?` and `'` are not in Botium's set.
        assert_eq!(prepare("What's up?"), "what's up?");
    }

    #[test]
    fn whole_text_rate() {
        assert_eq!(calculate_wer("Hello, my friend!", "hello my friend"), 0.0);
        assert_eq!(calculate_wer("hello my fiend", "hello my friend"), 0.33);
        assert_eq!(calculate_wer("a b c d", "a b x y"), 0.5);
    }

    #[test]
    fn wildcard_parts_are_scored_separately() {
        assert_eq!(
            calculate_wer(
                "Your balance is 500 dollars, thank you",
                "your balance is * thank you"
            ),
            0.0
        );
        assert_eq!(
            calculate_wer(
                "Your balance is 500 dollars, thank you",
                "your balance was * thank you"
            ),
            0.2
        );
    }

    #[test]
    fn empty_parts_do_not_dilute_the_rate() {
        assert_eq!(calculate_wer("goodbye", "* hello"), 1.0);
        assert_eq!(calculate_wer("anything at all", "*"), 0.0);
    }

    #[test]
    fn part_longer_than_the_bot_text() {
        assert_eq!(calculate_wer("hello", "* hello there friend"), 0.67);
        assert_eq!(calculate_wer("", "* hello"), 1.0);
    }
}
