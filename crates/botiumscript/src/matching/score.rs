//! Similarity scores in 0..=1 (see "Scores" in the module doc of [`crate::matching`]).

/// Characters of each side that scoring looks at; keeps the quadratic work bounded.
const MAX_SCORED_CHARS: usize = 2_000;

fn chars(text: &str) -> Vec<char> {
    text.chars().take(MAX_SCORED_CHARS).collect()
}

/// Whole-text similarity: 1 - Levenshtein distance / the longer length (two empty texts: 1).
pub(crate) fn whole_similarity(actual: &str, expected: &str) -> f64 {
    let actual = chars(actual);
    let expected = chars(expected);
    let longest = actual.len().max(expected.len());
    if longest == 0 {
        return 1.0;
    }
    let distance = edit_distance(&expected, &actual, false);
    clamp01(1.0 - distance as f64 / longest as f64)
}

/// Best-alignment similarity: 1 - (fewest edits turning `expected` into some substring of
/// `actual`) / the expected length. An empty expected text is contained everywhere: 1.
pub(crate) fn substring_similarity(actual: &str, expected: &str) -> f64 {
    let actual = chars(actual);
    let expected = chars(expected);
    if expected.is_empty() {
        return 1.0;
    }
    let distance = edit_distance(&expected, &actual, true);
    clamp01(1.0 - distance as f64 / expected.len() as f64)
}

/// Wildcard similarity: each literal part aligned on its own, weighted by its length.
pub(crate) fn wildcard_similarity(actual: &str, expected_with_stars: &str) -> f64 {
    let parts: Vec<&str> = expected_with_stars
        .split('*')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    let total: usize = parts.iter().map(|part| part.chars().count()).sum();
    if total == 0 {
        return 1.0;
    }
    let weighted: f64 = parts
        .iter()
        .map(|part| substring_similarity(actual, part) * part.chars().count() as f64)
        .sum();
    clamp01(weighted / total as f64)
}

fn clamp01(value: f64) -> f64 {
    if value.is_nan() {
        0.0
    } else {
        value.clamp(0.0, 1.0)
    }
}

/// Levenshtein distance of `pattern` against `text`; with `free_ends`, the best substring of
/// `text` (Sellers' algorithm: starting and ending anywhere in `text` costs nothing).
fn edit_distance(pattern: &[char], text: &[char], free_ends: bool) -> usize {
    // Row j: cost of aligning pattern[..i] with text ending at j.
    let mut previous: Vec<usize> = if free_ends {
        vec![0; text.len() + 1]
    } else {
        (0..=text.len()).collect()
    };
    let mut current = vec![0; text.len() + 1];
    for (i, pattern_char) in pattern.iter().enumerate() {
        current[0] = i + 1;
        for (j, text_char) in text.iter().enumerate() {
            let substitution = previous[j] + usize::from(pattern_char != text_char);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    if free_ends {
        previous.iter().copied().min().unwrap_or(pattern.len())
    } else {
        previous[text.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_text() {
        assert_eq!(whole_similarity("hello", "hello"), 1.0);
        assert_eq!(whole_similarity("", ""), 1.0);
        assert_eq!(whole_similarity("abcd", "abce"), 0.75);
        assert_eq!(whole_similarity("abc", ""), 0.0);
    }

    #[test]
    fn best_alignment_inside_longer_text() {
        assert_eq!(substring_similarity("oh hello there", "hello"), 1.0);
        assert_eq!(
            substring_similarity("please press 1 now", "press 2"),
            1.0 - 1.0 / 7.0
        );
        assert_eq!(substring_similarity("", "abc"), 0.0);
        assert_eq!(substring_similarity("anything", ""), 1.0);
    }

    #[test]
    fn wildcard_parts_weighted() {
        assert_eq!(wildcard_similarity("oh hello there", "oh*there"), 1.0);
        let score = wildcard_similarity("oh hello there", "ox*there");
        assert!(score > 0.8 && score < 1.0, "{score}");
        assert_eq!(wildcard_similarity("x", "**"), 1.0);
    }
}
