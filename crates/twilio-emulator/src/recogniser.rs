//! The recogniser model: what a speech `<Gather>` on one leg hears when the other leg `<Say>`s.
//!
//! A phone recogniser (Twilio's `phone_call` model) does not report the words verbatim. The
//! model reproduces the parts that matter to a tolerant matcher, in three steps:
//!
//! 1. Cleaning: SSML-ish tags (`<break/>`, `<emphasis>`) and basic XML entities are removed, white
//!    space is collapsed, and no space is left before punctuation (a recogniser never reports one).
//! 2. Noise (only with [`RecogniserModel::noisy`]): each word, with probability `noise`, is
//!    replaced by a sound-alike from [`CONFUSIONS`], dropped, or has its number format flipped
//!    (`1` is heard as `one`, `one` stays a word instead of becoming `1`). A seeded [`StdRng`]
//!    makes the same seed give the same sequence of results.
//! 3. Formatting: runs of number words become digits (`one two three` -> `123`, `twenty five` ->
//!    `25`, `two thousand twenty five` -> `2025`); whole words only, so `someone` stays. The first
//!    letter is capitalised and other casing kept; the text ends with a period unless it already
//!    ends in `.`, `?` or `!` (a dangling `,`, `;`, `:` or `-` is dropped first).
//!    Unlike a real recogniser, context is ignored: `one moment` is also `1 moment`, and `oh` is
//!    never zero; the matcher's speech-tolerant mode accepts either form.
//!
//! Confidence is [`EXACT_CONFIDENCE`] for a faithful result and falls linearly with the share of
//! words perturbed; nothing heard (empty, only tags or punctuation, every word dropped) is the
//! empty text with confidence 0, which a `<Gather>` treats as silence.

use std::sync::LazyLock;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use regex::Regex;

/// The confidence of a faithful result. Twilio reports about 0.9 for clear speech; a fixed value
/// keeps exact runs reproducible while leaving room for noisy results to score lower.
pub const EXACT_CONFIDENCE: f64 = 0.92;

/// Share of [`EXACT_CONFIDENCE`] lost when every word is perturbed (so it never reaches 0, which
/// means "nothing heard").
const NOISE_PENALTY: f64 = 0.6;

/// Even a one-word prompt occupies the line for a moment (breath, TTS start-up).
const MIN_SPEAKING_TIME: Duration = Duration::from_millis(500);

/// Typical text-to-speech rate, used when a caller gives a rate that is not a positive number.
const DEFAULT_WORDS_PER_MINUTE: f64 = 150.0;

/// Sound-alike confusions typical of IVR vocabulary: (spoken, heard), matched case-insensitively.
#[rustfmt::skip]
pub const CONFUSIONS: &[(&str, &str)] = &[
    ("for", "four"), ("four", "for"), ("to", "two"), ("too", "two"), ("two", "to"),
    ("hear", "here"), ("here", "hear"), ("sales", "sails"), ("account", "a count"),
    ("billing", "building"), ("pound", "found"), ("star", "store"), ("option", "auction"),
    ("menu", "venue"), ("repeat", "report"), ("right", "write"), ("no", "know"), ("eight", "ate"),
];

#[rustfmt::skip]
const UNITS: [&str; 20] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
];
const TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^<>]*>").expect("valid regex"));
static SPACE_BEFORE_PUNCTUATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s+([.,?!;:])").expect("valid regex"));

/// What the recogniser reports for one utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    /// The text as Twilio would report it in `SpeechResult` (empty when nothing was heard).
    pub text: String,
    /// Twilio's `Confidence`, in 0..=1 (0 when nothing was heard).
    pub confidence: f64,
}

/// How heard text is produced from spoken text.
#[derive(Debug, Clone)]
pub struct RecogniserModel {
    noise: f64,
    // StdRng (ChaCha) rather than SmallRng: its stream is the same on every platform, so a seed
    // reproduces a noisy run on a colleague's machine too.
    rng: StdRng,
}

/// One whitespace-separated word: punctuation around it, the word itself, and whether noise has
/// pinned its spelling (a number kept as words must not be turned back into digits).
#[derive(Debug, Clone, Default)]
struct Token {
    lead: String,
    core: String,
    trail: String,
    literal: bool,
}

/// A number word's role in a spoken number.
#[derive(Debug, Clone, Copy)]
enum NumberWord {
    Unit(u64),
    Tens(u64),
    Hundred,
    Thousand,
}

impl RecogniserModel {
    /// Faithful formatting, no noise.
    pub fn exact() -> Self {
        Self::noisy(0.0, 0)
    }

    /// With seeded noise: `noise` in 0..=1 is the per-word probability of a perturbation
    /// (clamped; NaN counts as 0).
    pub fn noisy(noise: f64, seed: u64) -> Self {
        let noise = if noise.is_nan() {
            0.0
        } else {
            noise.clamp(0.0, 1.0)
        };
        RecogniserModel {
            noise,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// What the recogniser reports for `spoken` text, and its confidence in 0..=1.
    pub fn hear(&mut self, spoken: &str) -> Heard {
        let mut tokens = tokenize(spoken);
        let words = tokens.iter().filter(|t| !t.core.is_empty()).count();
        let changed = if self.noise > 0.0 {
            self.perturb(&mut tokens)
        } else {
            0
        };
        if words == 0 || tokens.iter().all(|t| t.core.is_empty()) {
            return Heard {
                text: String::new(),
                confidence: 0.0,
            };
        }
        let share = changed as f64 / words as f64;
        Heard {
            text: format(&tokens),
            confidence: EXACT_CONFIDENCE * (1.0 - NOISE_PENALTY * share),
        }
    }

    /// Applies per-word noise in place; returns how many words were perturbed.
    fn perturb(&mut self, tokens: &mut Vec<Token>) -> usize {
        let mut changed = 0;
        let mut kept = Vec::with_capacity(tokens.len());
        for mut token in tokens.drain(..) {
            if token.core.is_empty() || !self.rng.random_bool(self.noise) {
                kept.push(token);
                continue;
            }
            changed += 1;
            let confusion = CONFUSIONS
                .iter()
                .find(|(w, _)| w.eq_ignore_ascii_case(&token.core));
            let confusion = confusion.map(|c| c.1);
            let number = is_number(&token.core) || token.core.bytes().all(|b| b.is_ascii_digit());
            // Uniform over the perturbations that apply; dropping always does.
            let mut pick = self
                .rng
                .random_range(0..1 + usize::from(confusion.is_some()) + usize::from(number));
            if let Some(heard) = confusion {
                if pick == 0 {
                    let capital = token.core.starts_with(char::is_uppercase);
                    token.core = if capital {
                        capitalise_first(heard)
                    } else {
                        heard.into()
                    };
                    kept.push(token);
                    continue;
                }
                pick -= 1;
            }
            if number && pick == 0 {
                if token.core.bytes().all(|b| b.is_ascii_digit()) {
                    token.core = spell_digits(&token.core);
                }
                token.literal = true;
                kept.push(token);
            }
        }
        *tokens = kept;
        changed
    }
}

/// The words of a `<Say>` text as they are spoken one after the other (SSML tags dropped): what
/// speaking time is proportional to, and what interim results grow by.
pub fn spoken_words(text: &str) -> Vec<String> {
    TAG.replace_all(text, " ")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Seconds a text takes to say at `words_per_minute` (at least a short minimum for non-empty
/// text; a rate that is not a positive number means a typical 150 words per minute).
pub fn speaking_time(text: &str, words_per_minute: f64) -> Duration {
    let words = spoken_words(text).len();
    if words == 0 {
        return Duration::ZERO;
    }
    let rate = if words_per_minute.is_finite() && words_per_minute > 0.0 {
        words_per_minute
    } else {
        DEFAULT_WORDS_PER_MINUTE
    };
    // A tiny rate would overflow Duration; saturate instead of panicking.
    let time = Duration::try_from_secs_f64(words as f64 * 60.0 / rate).unwrap_or(Duration::MAX);
    time.max(MIN_SPEAKING_TIME)
}

fn tokenize(spoken: &str) -> Vec<Token> {
    let untagged = TAG.replace_all(spoken, " ");
    // `&amp;` last, so `&amp;lt;` becomes the text `&lt;`, as an XML parser would read it.
    let decoded = untagged
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    let tidy = SPACE_BEFORE_PUNCTUATION.replace_all(&decoded, "$1");
    tidy.split_whitespace().map(split_token).collect()
}

/// Splits `"(one),"` into `"("`, `"one"`, `"),"`; inner punctuation (`don't`) stays in the word.
fn split_token(word: &str) -> Token {
    let start = word.find(char::is_alphanumeric);
    let end = word
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_alphanumeric())
        .map(|(i, c)| i + c.len_utf8());
    match (start, end) {
        (Some(start), Some(end)) if start < end => Token {
            lead: word[..start].to_string(),
            core: word[start..end].to_string(),
            trail: word[end..].to_string(),
            literal: false,
        },
        _ => Token {
            lead: word.to_string(),
            ..Token::default()
        },
    }
}

fn capitalise_first(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut done = false;
    for c in text.chars() {
        if !done && c.is_alphanumeric() {
            done = true;
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn number_word(word: &str) -> Option<NumberWord> {
    if let Some(i) = UNITS.iter().position(|u| u.eq_ignore_ascii_case(word)) {
        return Some(NumberWord::Unit(i as u64));
    }
    if let Some(i) = TENS.iter().position(|t| t.eq_ignore_ascii_case(word)) {
        return Some(NumberWord::Tens(20 + 10 * i as u64));
    }
    let scale = |name: &str| word.eq_ignore_ascii_case(name);
    [
        ("hundred", NumberWord::Hundred),
        ("thousand", NumberWord::Thousand),
    ]
    .into_iter()
    .find_map(|(name, kind)| scale(name).then_some(kind))
}

/// Whether a word is a spoken number (any case), hyphenated ones (`twenty-five`) included.
fn is_number(word: &str) -> bool {
    !word.is_empty() && word.split('-').all(|part| number_word(part).is_some())
}

/// Spells digits as a recogniser might hear them back: `7` -> `seven`, `25` -> `twenty five`,
/// longer numbers and leading zeros digit by digit (`1234` -> `one two three four`).
fn spell_digits(digits: &str) -> String {
    let values: Vec<usize> = digits
        .bytes()
        .map(|b| usize::from(b.saturating_sub(b'0')).min(9))
        .collect();
    match values.as_slice() {
        [unit] => UNITS[*unit].to_string(),
        [1, unit] => UNITS[10 + unit].to_string(),
        [tens @ 2..=9, 0] => TENS[tens - 2].to_string(),
        [tens @ 2..=9, unit] => format!("{} {}", TENS[tens - 2], UNITS[*unit]),
        _ => values
            .iter()
            .map(|d| UNITS[*d])
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// 1..=99 (0..=99 with `allow_zero`) at the start of `words`: (value, words used).
fn below_hundred(words: &[&str], allow_zero: bool) -> Option<(u64, usize)> {
    match number_word(words.first()?)? {
        NumberWord::Unit(u) if u > 0 || allow_zero => Some((u, 1)),
        NumberWord::Tens(t) => match words.get(1).and_then(|w| number_word(w)) {
            Some(NumberWord::Unit(u @ 1..=9)) => Some((t + u, 2)),
            _ => Some((t, 1)),
        },
        _ => None,
    }
}

/// 0..=999 at the start of `words`: `five`, `twenty five`, `fifteen hundred`, `one hundred five`.
fn below_thousand(words: &[&str]) -> Option<(u64, usize)> {
    let (value, used) = below_hundred(words, true)?;
    let hundred = matches!(
        words.get(1).and_then(|w| number_word(w)),
        Some(NumberWord::Hundred)
    );
    if used == 1 && value > 0 && value < 20 && hundred {
        let (rest, more) = below_hundred(&words[2..], false).unwrap_or((0, 0));
        return Some((value * 100 + rest, 2 + more));
    }
    Some((value, used))
}

/// The longest number at the start of `words`, up to `999 thousand 999`.
fn parse_number(words: &[&str]) -> Option<(u64, usize)> {
    let (mut value, mut used) = below_thousand(words)?;
    let thousand = words.get(used).and_then(|w| number_word(w));
    if value > 0 && matches!(thousand, Some(NumberWord::Thousand)) {
        value *= 1000;
        used += 1;
        if let Some((rest, more)) = below_thousand(&words[used..]) {
            value += rest;
            used += more;
        }
    }
    Some((value, used))
}

/// A run of number words as the recogniser writes it: successive numbers are read as digits
/// (`one two three` -> `123`, `nineteen ninety nine` -> `1999`); a stray scale word stays a word.
fn run_to_digits(words: &[&str]) -> String {
    let mut out = String::new();
    let (mut i, mut after_digits) = (0, false);
    while i < words.len() {
        let (piece, used, digits) = match parse_number(&words[i..]) {
            Some((value, used)) => (value.to_string(), used, true),
            None => (words[i].to_string(), 1, false),
        };
        // Digits follow digits directly (`1` `2` -> `12`); anything else is a new word.
        let joins = digits && after_digits;
        if !out.is_empty() && !joins {
            out.push(' ');
        }
        out.push_str(&piece);
        (i, after_digits) = (i + used, digits);
    }
    out
}

fn format(tokens: &[Token]) -> String {
    let convertible = |t: &Token| !t.literal && is_number(&t.core);
    let mut words: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if !convertible(&tokens[i]) {
            let t = &tokens[i];
            words.push(format!("{}{}{}", t.lead, t.core, t.trail));
            i += 1;
            continue;
        }
        // Punctuation between number words ends the run: "one, two" stays two numbers.
        let mut end = i + 1;
        while end < tokens.len()
            && tokens[end - 1].trail.is_empty()
            && tokens[end].lead.is_empty()
            && convertible(&tokens[end])
        {
            end += 1;
        }
        let parts: Vec<&str> = tokens[i..end]
            .iter()
            .flat_map(|t| t.core.split('-'))
            .collect();
        let digits = run_to_digits(&parts);
        words.push(format!(
            "{}{digits}{}",
            tokens[i].lead,
            tokens[end - 1].trail
        ));
        i = end;
    }
    let joined = words.join(" ");
    let mut text = capitalise_first(joined.trim_end_matches([',', ';', ':', '-', ' ']));
    let body = text.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    if !text[body..].contains(['.', '?', '!']) {
        text.push('.');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LONG: &str = "thank you for calling the billing department to hear your account balance \
        press one for sales press two to repeat this menu or stay on the line for an agent";

    fn exact(spoken: &str) -> String {
        RecogniserModel::exact().hear(spoken).text
    }

    #[test]
    fn formats_as_a_phone_recogniser() {
        for (spoken, heard) in [
            ("press one", "Press 1."),
            ("one two three four", "1234."),
            ("twenty five", "25."),
            ("your pin is one two three four", "Your pin is 1234."),
            ("twenty-five, two thousand twenty five", "25, 2025."),
            ("one hundred five or fifteen hundred", "105 or 1500."),
            ("someone once said none", "Someone once said none."),
            ("press one, two or three", "Press 1, 2 or 3."),
            ("  call NASA  at\tIBM ", "Call NASA at IBM."),
            ("is that right?", "Is that right?"),
            ("<speak>Hi <break time=\"1s\"/> there</speak>", "Hi there."),
            (
                "Sales &amp; bills <emphasis>now</emphasis> !",
                "Sales & bills now!",
            ),
            ("say \"yes.\"", "Say \"yes.\""),
            ("hello,", "Hello."),
            ("a hundred THOUSAND", "A hundred THOUSAND."),
        ] {
            assert_eq!(exact(spoken), heard, "{spoken:?}");
        }
    }

    #[test]
    fn nothing_spoken_is_nothing_heard() {
        for spoken in ["", "  \n\t ", "<break time=\"2s\"/>", "..."] {
            let heard = RecogniserModel::exact().hear(spoken);
            assert!(
                heard.text.is_empty() && heard.confidence == 0.0,
                "{heard:?}"
            );
        }
        let heard = RecogniserModel::exact().hear("hi");
        assert_eq!(heard.confidence, EXACT_CONFIDENCE);
    }

    #[test]
    fn zero_noise_is_exact() {
        let mut model = RecogniserModel::noisy(0.0, 99);
        for spoken in [LONG, "press 1", "twenty five", "<b>x</b>"] {
            assert_eq!(model.hear(spoken), RecogniserModel::exact().hear(spoken));
        }
    }

    #[test]
    fn a_seed_reproduces_a_sequence_and_seeds_differ() {
        let run = |seed| {
            let mut model = RecogniserModel::noisy(0.5, seed);
            (0..5).map(|_| model.hear(LONG)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7)[0], run(8)[0]);
        // The RNG advances: successive results of one model differ.
        assert_ne!(run(7)[0], run(7)[1]);
    }

    #[test]
    fn full_noise_changes_most_words() {
        let clean = exact(LONG);
        let heard = RecogniserModel::noisy(1.0, 3).hear(LONG);
        let (words, clean): (Vec<_>, Vec<_>) =
            (heard.text.split(' ').collect(), clean.split(' ').collect());
        let kept = clean.iter().filter(|w| words.contains(w)).count();
        assert!(kept * 4 < clean.len(), "{}", heard.text);
        assert!(heard.confidence < EXACT_CONFIDENCE, "{}", heard.confidence);
    }

    #[test]
    fn noise_substitutes_drops_and_reformats_numbers() {
        let spoken = "to hear sales account, press 1 or one";
        let hear = |seed| RecogniserModel::noisy(1.0, seed).hear(spoken).text;
        let heard: Vec<String> = (0..40).map(hear).collect();
        for expected in ["2 ", "Here", "sails", "a count", "one"] {
            let found = heard.iter().any(|h| h.contains(expected));
            assert!(found, "{expected}: {heard:?}");
        }
        // Dropped words: some results are shorter than the six words spoken.
        let shorter = heard.iter().any(|h| h.split(' ').count() < 6);
        assert!(shorter, "{heard:?}");
    }

    #[test]
    fn confidence_falls_with_noise() {
        let mean = |noise| {
            let total: f64 = (0..20)
                .map(|seed| RecogniserModel::noisy(noise, seed).hear(LONG).confidence)
                .sum();
            total / 20.0
        };
        let (low, high) = (mean(0.1), mean(0.8));
        assert!(
            EXACT_CONFIDENCE > low && low > high && high > 0.0,
            "{low} {high}"
        );
    }

    #[test]
    fn speaking_time_is_proportional_to_words() {
        assert_eq!(speaking_time("a b c d", 120.0), Duration::from_secs(2));
        assert_eq!(
            speaking_time("a b c d e f g h", 120.0),
            2 * speaking_time("a b c d", 120.0)
        );
        assert_eq!(speaking_time(" <break/> ", 120.0), Duration::ZERO);
        assert_eq!(speaking_time("hi", 150.0), MIN_SPEAKING_TIME);
        assert_eq!(speaking_time("a b c d e", -3.0), Duration::from_secs(2));
        assert_eq!(speaking_time("a", 1e-300), Duration::MAX);
    }

    proptest! {
        #[test]
        fn hearing_never_panics_and_confidence_is_a_probability(
            spoken in "(\\PC|<|>|&amp;|-| one| twenty| hundred| thousand| for| 1| 05){0,40}",
            noise in any::<f64>(),
            seed in any::<u64>(),
        ) {
            let heard = RecogniserModel::noisy(noise, seed).hear(&spoken);
            prop_assert!((0.0..=1.0).contains(&heard.confidence), "{}", heard.confidence);
            prop_assert_eq!(heard.text.is_empty(), heard.confidence == 0.0);
        }
    }
}
