//! A word-level diff of an expected text and what was heard, in git's `--word-diff` style:
//! `Your balance is [-24-]{+42+} dollars`. Words compare without case and punctuation, as a
//! recogniser's output differs from a script in exactly those; `*` in the expected text (a
//! wildcard) matches nothing here, so what it stood for shows as heard-only words.

/// The diff, or `None` when the texts are too long to diff usefully or have no word in common.
pub fn word_diff(expected: &str, heard: &str) -> Option<String> {
    const MAX_WORDS: usize = 400;
    let a: Vec<&str> = expected.split_whitespace().collect();
    let b: Vec<&str> = heard.split_whitespace().collect();
    if a.is_empty() || b.is_empty() || a.len() > MAX_WORDS || b.len() > MAX_WORDS {
        return None;
    }
    let key = |w: &str| -> String {
        w.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (ka, kb): (Vec<String>, Vec<String>) = (
        a.iter().map(|w| key(w)).collect(),
        b.iter().map(|w| key(w)).collect(),
    );
    // Longest common subsequence table, from the ends.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if !ka[i].is_empty() && ka[i] == kb[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    if lcs[0][0] == 0 {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let (mut removed, mut added): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    let flush = |out: &mut Vec<String>, removed: &mut Vec<&str>, added: &mut Vec<&str>| {
        let mut change = String::new();
        if !removed.is_empty() {
            change.push_str(&format!("[-{}-]", removed.join(" ")));
            removed.clear();
        }
        if !added.is_empty() {
            change.push_str(&format!("{{+{}+}}", added.join(" ")));
            added.clear();
        }
        if !change.is_empty() {
            out.push(change);
        }
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && !ka[i].is_empty() && ka[i] == kb[j] {
            flush(&mut out, &mut removed, &mut added);
            out.push(b[j].to_string());
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            added.push(b[j]);
            j += 1;
        } else {
            removed.push(a[i]);
            i += 1;
        }
    }
    flush(&mut out, &mut removed, &mut added);
    Some(out.join(" "))
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
    fn nothing_in_common_or_nothing_at_all_has_no_diff() {
        assert_eq!(word_diff("Goodbye", "Hello there"), None);
        assert_eq!(word_diff("", "Hello"), None);
    }
}
