//! Text matching: Botium's matching modes and normalisation, plus a speech-tolerant layer.
//!
//! A `#bot` step compares what the Twilio recogniser heard with the expected text.
//! [`Matcher::compare`] decides in three stages and stops at the first that matches:
//!
//! 1. **Botium's mode** ([`MatchHow::Exact`]) on both texts normalised by [`normalize_text`]
//!    (reference §5.2, §5.3): `wildcard` (regex specials escaped, `*` = any text, unanchored),
//!    `wildcardExact` (anchored), `regexp` (a JavaScript regex on an ECMAScript engine, see
//!    `js_regex`), `include`, `equals`, `wer` (word error rate at most the threshold, see `wer`).
//! 2. **The speech-tolerant layer** ([`MatchHow::SpeechTolerant`], on unless switched off): the
//!    same mode on canonical forms of both texts. The canonical form is:
//!    * lowercase (so this layer ignores case even in case-sensitive modes: recognisers
//!      capitalise at random);
//!    * `%` -> `percent`, `&` -> `and`, `#` -> `pound`, `*` -> `star`, `+` -> `plus`,
//!      `@` -> `at`; apostrophes dropped (`don't` = `dont`); other punctuation -> space;
//!      `15,000` -> `15000` and `1.5` -> `1 point 5`;
//!    * words: `okay` -> `ok`, `o k` -> `ok`, `per cent` -> `percent`, `hash` -> `pound`,
//!      `asterisk` -> `star`, `pound key`/`star key`/`hash key` -> `pound`/`star`,
//!      `alright` -> `all right`;
//!    * numbers as digits: a run of number words and digit strings becomes one digit string,
//!      its spoken numbers concatenated as digits are read: `press one` = `Press 1.`,
//!      `one two three` = `123` = `1 2 3`, `twenty one` = `21`, `one hundred twenty` = `120`,
//!      `two thousand five` = `2005`, `nineteen eighty four` = `1984`, `double five` = `55`;
//!      `oh`/`o` is zero only right after a number (`one oh five` = `105`, but `Oh, hello`
//!      stays); ordinals: `first` = `1st`, `twenty first` = `21st`;
//!    * whitespace collapsed.
//!
//!    In `wildcard`, `wildcardExact` and `wer` modes the expected text keeps its `*` (the parts
//!    between are canonicalised and joined by a bare `*`, so `Press * now` still works and the
//!    wildcard also absorbs the spaces around it). In `regexp` mode the pattern is not
//!    canonicalised; it is tried against the canonical bot text too. An expected text that is
//!    only punctuation never matches in this layer (it would be contained in anything).
//! 3. **Near misses** ([`MatchHow::NearMiss`]): with a `similarity_threshold` below 1.0, a
//!    comparison whose score reaches the threshold passes. 1.0 (the default) disables this.
//!
//! # Scores
//!
//! Every comparison has a deterministic similarity in 0..=1: 1.0 when stage 1 or 2 matched,
//! otherwise at most 0.999. It is computed on the canonical forms (on the Botium-prepared
//! forms, lowercased for IgnoreCase modes, when the speech layer is off):
//! * `include`, `wildcard` without `*`: 1 - (fewest character edits turning the expected text
//!   into some substring of the bot text) / expected length, i.e. the best alignment of the
//!   expected text anywhere in the bot text;
//! * `equals`, `wildcardExact` without `*`: 1 - character Levenshtein distance / longer length;
//! * `wildcard`/`wildcardExact` with `*`: each literal part aligned as for `include`, averaged
//!   weighted by part length;
//! * `wer`: 1 - word error rate (clamped);
//! * `regexp`: 0 (a pattern has no text to align), so regexps never near-miss.
//!
//! # Text asserters
//!
//! [`TextAsserterSpec::from_name`] and [`check_text_asserter`] implement `TEXT`,
//! `TEXT_CONTAINS_ANY` and the rest with Botium's match functions and error texts;
//! [`check_wer_asserter`] implements `TEXT_WER`.
//!
//! # For reports only
//!
//! [`Matcher::matched_words`] says where a match ends in a heard text, so that a `#bot` step
//! consumes the stream of what the IVR says only through its last matched word (`stream`).
//!
//! [`closest_passage`] finds the run of words in a long heard text that comes closest to a short
//! expectation, and [`collapse_repeats`] writes a prompt heard several times in a row once with
//! its count. Reporters use them to explain a failure; no comparison above uses them.
//!
//! # Deliberate differences from Botium
//!
//! * The speech-tolerant layer and near misses (ours).
//! * A regexp pattern is not stripped of `<…>` by normalisation (Botium mangles named groups).
//! * `wer`: `0,25` means 0.25 (Botium parses 0); a missing or bad threshold is an error, not a
//!   silent never-match; empty wildcard parts do not count as correct words; words are split on
//!   whitespace runs (no empty words).
//! * A missing bot text is compared as empty text (`TEXT` does not crash).

mod asserters;
mod botium;
mod error;
mod js_regex;
mod matcher;
mod mode;
mod normalize;
mod passage;
mod repeats;
mod score;
mod speech;
mod stream;
mod wer;

/// Studio's `regex` conditions are JavaScript patterns too.
pub use js_regex::JsRegex;
pub use speech::canonical_words;

#[cfg(test)]
mod tests;

pub use asserters::{
    check_text_asserter, check_wer_asserter, TextAsserterQuantifier, TextAsserterSpec,
    TEXT_ASSERTER_NAMES,
};
pub use error::MatchingError;
pub use matcher::{matcher_from_caps, MatchHow, MatchResult, Matcher};
pub use mode::{parse_wer_threshold, MatchingMode, MODE_NAMES};
pub use normalize::{normalize_text, parse_remove_characters, NormalizeOptions};
pub use passage::{closest_passage, Passage};
pub use repeats::collapse_repeats;
