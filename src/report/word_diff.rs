//! A word-level diff of an expected text and what was heard, in git's `--word-diff` style:
//! `Your balance is [-24-]{+42+} dollars`. Words compare without case and punctuation, as a
//! recogniser's output differs from a script in exactly those; `*` in the expected text (a
//! wildcard) matches nothing here, so what it stood for shows as heard-only words.

use similar::{capture_diff_slices, Algorithm, DiffTag};

/// Longer texts are no longer read word by word; their diff would not help.
const MAX_WORDS: usize = 400;

/// What a word is compared by: its letters and digits without case. A word of punctuation only
/// has no letters to compare and equals no other word.
#[derive(PartialEq, Eq, Hash)]
enum Key {
    Letters(String),
    Unmatched { heard: bool, index: usize },
}

fn keys(words: &[&str], heard: bool) -> Vec<Key> {
    words
        .iter()
        .enumerate()
        .map(|(index, word)| {
            let letters: String = word
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect();
            if letters.is_empty() {
                Key::Unmatched { heard, index }
            } else {
                Key::Letters(letters)
            }
        })
        .collect()
}

/// One piece of a word diff: words both texts have (as heard), words only expected, words only
/// heard. The HTML report renders these as marked-up runs; [`word_diff`] as git's markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Words in both texts, as heard.
    Same(String),
    /// Words expected but not heard.
    Removed(String),
    /// Words heard but not expected.
    Added(String),
}

/// Moves one run of changed words into `out`: what was expected, then what was heard instead.
fn changed(removed: &mut Vec<&str>, added: &mut Vec<&str>, out: &mut Vec<Piece>) {
    if !removed.is_empty() {
        out.push(Piece::Removed(removed.join(" ")));
    }
    if !added.is_empty() {
        out.push(Piece::Added(added.join(" ")));
    }
    removed.clear();
    added.clear();
}

/// The diff, or `None` when the texts are too long to diff usefully or have no word in common.
pub fn word_diff(expected: &str, heard: &str) -> Option<String> {
    let pieces = word_diff_pieces(expected, heard)?;
    let mut out = String::new();
    let mut after_removal = false;
    for piece in pieces {
        // A removal followed by an addition is one change, written without a space between.
        let joined_to_removal = after_removal && matches!(piece, Piece::Added(_));
        if !out.is_empty() && !joined_to_removal {
            out.push(' ');
        }
        after_removal = matches!(piece, Piece::Removed(_));
        match piece {
            Piece::Same(words) => out.push_str(&words),
            Piece::Removed(words) => out.push_str(&format!("[-{words}-]")),
            Piece::Added(words) => out.push_str(&format!("{{+{words}+}}")),
        }
    }
    Some(out)
}

/// The diff as pieces in reading order, or `None` as for [`word_diff`].
pub fn word_diff_pieces(expected: &str, heard: &str) -> Option<Vec<Piece>> {
    let expected: Vec<&str> = expected.split_whitespace().collect();
    let heard: Vec<&str> = heard.split_whitespace().collect();
    if expected.is_empty()
        || heard.is_empty()
        || expected.len() > MAX_WORDS
        || heard.len() > MAX_WORDS
    {
        return None;
    }
    let ops = capture_diff_slices(
        Algorithm::Myers,
        &keys(&expected, false),
        &keys(&heard, true),
    );
    let mut out: Vec<Piece> = Vec::new();
    let (mut removed, mut added): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    let mut common = false;
    for op in ops {
        let (tag, expected_words, heard_words) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            common = true;
            changed(&mut removed, &mut added, &mut out);
            out.push(Piece::Same(heard[heard_words].join(" ")));
        } else {
            removed.extend(&expected[expected_words]);
            added.extend(&heard[heard_words]);
        }
    }
    changed(&mut removed, &mut added, &mut out);
    common.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_words_are_marked_and_recogniser_noise_is_not() {
        assert_eq!(
            word_diff(
                "Account 1 2 3. Your balance is 24 dollars",
                "account 1 2 3 your balance is 42 dollars."
            )
            .as_deref(),
            Some("account 1 2 3 your balance is [-24-]{+42+} dollars.")
        );
        assert_eq!(
            word_diff("Press 1 for sales", "Press 1 for sales or 2 for billing").as_deref(),
            Some("Press 1 for sales {+or 2 for billing+}")
        );
        assert_eq!(
            word_diff("Welcome to Globex", "Welcome to Acme").as_deref(),
            Some("Welcome to [-Globex-]{+Acme+}")
        );
    }

    #[test]
    fn punctuation_only_words_match_nothing() {
        assert_eq!(
            word_diff("Press - 1 now", "Press - 2 now").as_deref(),
            Some("Press [-- 1-]{+- 2+} now")
        );
    }

    #[test]
    fn nothing_in_common_or_nothing_at_all_has_no_diff() {
        assert_eq!(word_diff("Goodbye", "Hello there"), None);
        assert_eq!(word_diff("", "Hello"), None);
    }
}
