//! The speech-tolerant canonical form (see the rules in the module doc of [`crate::matching`]).

/// Words for 0..=19 (`oh` is handled apart: it is zero only next to other numbers).
const UNITS: &[(&str, u64)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
];

const TENS: &[(&str, u64)] = &[
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

const ORDINALS: &[(&str, u64)] = &[
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
    ("eighth", 8),
    ("ninth", 9),
    ("tenth", 10),
    ("eleventh", 11),
    ("twelfth", 12),
    ("thirteenth", 13),
    ("fourteenth", 14),
    ("fifteenth", 15),
    ("sixteenth", 16),
    ("seventeenth", 17),
    ("eighteenth", 18),
    ("nineteenth", 19),
    ("twentieth", 20),
    ("thirtieth", 30),
];

/// Single words a recogniser (or a script author) spells in several ways.
const WORD_VARIANTS: &[(&str, &str)] = &[
    ("okay", "ok"),
    ("hash", "pound"),
    ("asterisk", "star"),
    ("alright", "all right"),
];

/// Two-word spellings merged into one word.
const PAIR_VARIANTS: &[(&str, &str, &str)] = &[
    ("per", "cent", "percent"),
    ("o", "k", "ok"),
    ("pound", "key", "pound"),
    ("star", "key", "star"),
    ("hash", "key", "pound"),
];

/// Longest text (in characters) we canonicalise; scores stay deterministic beyond it.
const MAX_CHARS: usize = 10_000;

fn lookup(table: &[(&str, u64)], word: &str) -> Option<u64> {
    table
        .iter()
        .find(|(name, _)| *name == word)
        .map(|(_, value)| *value)
}

/// Lowercase; symbols to words; punctuation to spaces; variants; number words to digits.
///
/// `keep_star` keeps `*` as a wildcard marker (the expected text in wildcard modes): the text
/// is canonicalised part by part and the parts joined with a bare `*`.
pub(crate) fn canonical(text: &str, keep_star: bool) -> String {
    let text: String = text.chars().take(MAX_CHARS).collect();
    if keep_star {
        return text
            .split('*')
            .map(|part| canonical_words(part).join(" "))
            .collect::<Vec<_>>()
            .join("*");
    }
    canonical_words(&text).join(" ")
}

/// The canonical words of a text without wildcards.
pub fn canonical_words(text: &str) -> Vec<String> {
    let lowered = text.to_lowercase();
    let spaced = symbols_to_words(&lowered);
    let words: Vec<String> = spaced.split_whitespace().map(str::to_string).collect();
    let words = apply_variants(words);
    numbers_to_digits(&words)
}

/// Maps symbols to words and punctuation to spaces, keeping numbers like `15,000` and `1.5` whole.
fn symbols_to_words(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let between_digits = i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|next| next.is_ascii_digit());
        match c {
            ',' if between_digits => {}
            '.' if between_digits => out.push_str(" point "),
            '\'' | '’' | 'ʼ' => {}
            '%' => out.push_str(" percent "),
            '&' => out.push_str(" and "),
            '#' => out.push_str(" pound "),
            '*' => out.push_str(" star "),
            '+' => out.push_str(" plus "),
            '@' => out.push_str(" at "),
            c if c.is_alphanumeric() => out.push(c),
            _ => out.push(' '),
        }
    }
    out
}

fn apply_variants(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = words[i].as_str();
        if let Some(next) = words.get(i + 1) {
            if let Some((_, _, merged)) = PAIR_VARIANTS
                .iter()
                .find(|(first, second, _)| *first == word && *second == next.as_str())
            {
                out.push((*merged).to_string());
                i += 2;
                continue;
            }
        }
        match WORD_VARIANTS.iter().find(|(variant, _)| *variant == word) {
            Some((_, canonical)) => {
                out.extend(canonical.split(' ').map(str::to_string));
            }
            None => out.push(words[i].clone()),
        }
        i += 1;
    }
    out
}

/// What one word means inside a spoken number.
#[derive(Clone, Copy)]
enum NumberWord {
    /// A digit string as written (`"105"`).
    Digits,
    Unit(u64),
    Tens(u64),
    Ordinal(u64),
    Hundred,
    Thousand,
    Million,
    /// `oh` (zero only inside a run of numbers).
    Oh,
    /// `double`/`triple` before a digit word.
    Repeat(usize),
}

fn classify(word: &str) -> Option<NumberWord> {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) {
        return Some(NumberWord::Digits);
    }
    if let Some(value) = lookup(UNITS, word) {
        return Some(NumberWord::Unit(value));
    }
    if let Some(value) = lookup(TENS, word) {
        return Some(NumberWord::Tens(value));
    }
    if let Some(value) = lookup(ORDINALS, word) {
        return Some(NumberWord::Ordinal(value));
    }
    match word {
        "hundred" => Some(NumberWord::Hundred),
        "thousand" => Some(NumberWord::Thousand),
        "million" => Some(NumberWord::Million),
        "oh" | "o" => Some(NumberWord::Oh),
        "double" => Some(NumberWord::Repeat(2)),
        "triple" => Some(NumberWord::Repeat(3)),
        _ => None,
    }
}

/// For each word, whether it takes part in a spoken number (context decides for `oh`, scales
/// and `double`): one forward pass, so long inputs stay linear.
fn number_flags(words: &[String]) -> Vec<bool> {
    let kinds: Vec<Option<NumberWord>> = words.iter().map(|word| classify(word)).collect();
    let mut flags = vec![false; words.len()];
    for i in 0..words.len() {
        let previous_is_number = i > 0 && flags[i - 1];
        flags[i] = match kinds[i] {
            None => false,
            // "oh" is zero only after a number: "one oh five", "five oh"; not "Oh, hello".
            Some(NumberWord::Oh) => previous_is_number,
            Some(NumberWord::Hundred | NumberWord::Thousand | NumberWord::Million) => {
                previous_is_number
            }
            Some(NumberWord::Repeat(_)) => {
                matches!(
                    kinds.get(i + 1),
                    Some(Some(NumberWord::Unit(value))) if *value < 10
                ) || matches!(kinds.get(i + 1), Some(Some(NumberWord::Oh)))
            }
            Some(_) => true,
        };
    }
    flags
}

/// The digit word right after `double`/`triple` belongs to its run even though "oh" alone is no number.
fn repeated_digit(words: &[String], i: usize) -> bool {
    i > 0
        && matches!(classify(&words[i - 1]), Some(NumberWord::Repeat(_)))
        && classify(&words[i]).is_some()
}

fn ordinal_suffix(value: u64) -> &'static str {
    match (value % 10, value % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// Replaces each run of number words by digits: "one two three" -> "123", "twenty one" -> "21",
/// "one oh five" -> "105", "one hundred twenty" -> "120", "twenty first" -> "21st",
/// "double five" -> "55". Runs of digit strings are joined too ("1 2 3" -> "123").
fn numbers_to_digits(words: &[String]) -> Vec<String> {
    let flags = number_flags(words);
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        if !flags[i] {
            out.push(words[i].clone());
            i += 1;
            continue;
        }
        let mut end = i;
        while end < words.len() && (flags[end] || repeated_digit(words, end)) {
            end += 1;
            // An ordinal ends a number: "first second" are two ordinals.
            if matches!(classify(&words[end - 1]), Some(NumberWord::Ordinal(_))) {
                break;
            }
        }
        out.push(spoken_run_to_digits(&words[i..end]));
        i = end;
    }
    out
}

/// Turns one run of number words into a digit string (chunks concatenated, as digits are read).
fn spoken_run_to_digits(run: &[String]) -> String {
    let mut digits = String::new();
    let mut suffix = "";
    // The compositional number being built: e.g. "two hundred twenty" -> 220.
    let mut group: Option<u64> = None;
    let mut total: u64 = 0;
    let mut last_small_was_tens = false;
    let flush = |digits: &mut String, group: &mut Option<u64>, total: &mut u64| {
        if let Some(value) = group.take() {
            digits.push_str(&total.saturating_add(value).to_string());
        } else if *total > 0 {
            digits.push_str(&total.to_string());
        }
        *total = 0;
    };
    let mut index = 0;
    while index < run.len() {
        let word = run[index].as_str();
        match classify(word) {
            Some(NumberWord::Digits) => {
                flush(&mut digits, &mut group, &mut total);
                digits.push_str(word);
                last_small_was_tens = false;
            }
            Some(NumberWord::Unit(value)) | Some(NumberWord::Ordinal(value)) => {
                let is_ordinal = matches!(classify(word), Some(NumberWord::Ordinal(_)));
                match group {
                    // "twenty one": the unit completes the tens.
                    Some(current) if last_small_was_tens && value < 10 => {
                        group = Some(current + value);
                    }
                    // "one hundred five": the remainder after a scale word.
                    Some(current) if current % 100 == 0 && current > 0 && value < 100 => {
                        group = Some(current + value);
                    }
                    None if total > 0 && value < 100 => {
                        group = Some(value);
                    }
                    _ => {
                        flush(&mut digits, &mut group, &mut total);
                        group = Some(value);
                    }
                }
                last_small_was_tens = false;
                if is_ordinal {
                    suffix = ordinal_suffix(group.unwrap_or(value));
                }
            }
            Some(NumberWord::Tens(value)) => {
                match group {
                    Some(current) if current % 100 == 0 && current > 0 => {
                        group = Some(current + value);
                    }
                    None if total > 0 => group = Some(value),
                    _ => {
                        flush(&mut digits, &mut group, &mut total);
                        group = Some(value);
                    }
                }
                last_small_was_tens = true;
            }
            Some(NumberWord::Oh) => {
                flush(&mut digits, &mut group, &mut total);
                digits.push('0');
                last_small_was_tens = false;
            }
            Some(NumberWord::Repeat(times)) => {
                flush(&mut digits, &mut group, &mut total);
                if let Some(next) = run.get(index + 1) {
                    let digit = match classify(next) {
                        Some(NumberWord::Unit(value)) => value.to_string(),
                        _ => "0".to_string(),
                    };
                    digits.push_str(&digit.repeat(times));
                    index += 1;
                }
                last_small_was_tens = false;
            }
            Some(NumberWord::Hundred) => {
                group = Some(group.unwrap_or(1).saturating_mul(100));
                last_small_was_tens = false;
            }
            Some(scale @ (NumberWord::Thousand | NumberWord::Million)) => {
                let factor = if matches!(scale, NumberWord::Thousand) {
                    1_000
                } else {
                    1_000_000
                };
                total = total.saturating_add(group.take().unwrap_or(1).saturating_mul(factor));
                last_small_was_tens = false;
            }
            None => {}
        }
        index += 1;
    }
    flush(&mut digits, &mut group, &mut total);
    digits.push_str(suffix);
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        canonical(text, false)
    }

    #[test]
    fn digits_and_number_words_agree() {
        assert_eq!(canon("press one"), "press 1");
        assert_eq!(canon("Press 1."), "press 1");
        assert_eq!(canon("one two three"), "123");
        assert_eq!(canon("1 2 3"), "123");
        assert_eq!(canon("twenty one"), "21");
        assert_eq!(canon("twenty-one"), "21");
        assert_eq!(canon("one oh five"), "105");
        assert_eq!(canon("nineteen eighty four"), "1984");
        assert_eq!(canon("one hundred twenty three"), "123");
        assert_eq!(canon("two thousand five hundred"), "2500");
        assert_eq!(canon("five five five one two one two"), "5551212");
        assert_eq!(canon("double five"), "55");
        assert_eq!(canon("$15,000"), "15000");
        assert_eq!(canon("fifteen thousand"), "15000");
    }

    #[test]
    fn oh_is_zero_only_between_numbers() {
        assert_eq!(canon("Oh, hello there"), "oh hello there");
        assert_eq!(canon("five oh"), "50");
        assert_eq!(canon("oh five"), "oh 5");
    }

    #[test]
    fn ordinals() {
        assert_eq!(canon("the first option"), "the 1st option");
        assert_eq!(canon("the 1st option"), "the 1st option");
        assert_eq!(canon("twenty first"), "21st");
        assert_eq!(canon("first second"), "1st 2nd");
        assert_eq!(canon("eleventh"), "11th");
    }

    #[test]
    fn recogniser_variants() {
        assert_eq!(canon("Okay!"), canon("OK"));
        assert_eq!(canon("o.k."), "ok");
        assert_eq!(canon("50 per cent"), canon("50%"));
        assert_eq!(canon("fifty percent"), "50 percent");
        assert_eq!(canon("Tom & Jerry"), "tom and jerry");
        assert_eq!(canon("press hash"), canon("press #"));
        assert_eq!(canon("press the pound key"), "press the pound");
        assert_eq!(canon("press star"), canon("press *"));
        assert_eq!(canon("asterisk"), "star");
        assert_eq!(canon("don't"), "dont");
    }

    #[test]
    fn decimals() {
        assert_eq!(canon("1.5"), canon("one point five"));
    }

    #[test]
    fn wildcards_survive_when_asked() {
        assert_eq!(
            canonical("Press * for sales, or one.", true),
            "press*for sales or 1"
        );
        assert_eq!(canonical("*", true), "*");
    }
}
