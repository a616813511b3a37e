//! The matcher a run builds once: Botium's mode, then the speech-tolerant layer, then near misses.

use super::botium::{botium_match, regexp, validate_expected, wer_within, wildcard_regex};
use super::error::MatchingError;
use super::js_regex::JsRegex;
use super::mode::MatchingMode;
use super::normalize::{normalize_pattern, normalize_with, NormalizeOptions};
use super::score::{substring_similarity, whole_similarity, wildcard_similarity};
use super::speech::canonical;
use super::wer::{calculate_wer, prepare};

/// The highest score a comparison that did not match can get, so 1.0 always means "matched".
const MAX_UNMATCHED_SCORE: f64 = 0.999;

/// How a comparison was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchHow {
    /// Botium's mode alone matched.
    Exact,
    /// Only the canonical (speech-tolerant) forms matched.
    SpeechTolerant,
    /// Nothing matched, but the score reached the similarity threshold.
    NearMiss,
    /// No match.
    NoMatch,
}

/// The outcome of one comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchResult {
    /// Whether the step passes (`how` is not `NoMatch`).
    pub matched: bool,
    /// Similarity 0..=1; 1.0 exactly when matched by `Exact` or `SpeechTolerant`.
    pub score: f64,
    /// What decided it.
    pub how: MatchHow,
}

impl MatchResult {
    fn no_match(score: f64) -> MatchResult {
        MatchResult {
            matched: false,
            score,
            how: MatchHow::NoMatch,
        }
    }
}

/// Compares bot texts with expected texts under one configuration; built once per run.
#[derive(Debug, Clone)]
pub struct Matcher {
    mode: MatchingMode,
    normalize: NormalizeOptions,
    remove_regexp: Option<JsRegex>,
    speech_tolerant: bool,
    similarity_threshold: f64,
}

impl Matcher {
    /// Builds a matcher; fails on an invalid remove regexp or a threshold outside 0..=1.
    pub fn new(
        mode: MatchingMode,
        normalize: NormalizeOptions,
        speech_tolerant: bool,
        similarity_threshold: f64,
    ) -> Result<Matcher, MatchingError> {
        if !(0.0..=1.0).contains(&similarity_threshold) {
            return Err(MatchingError::InvalidSimilarityThreshold(
                similarity_threshold,
            ));
        }
        check_wer_threshold(mode)?;
        let remove_regexp = normalize.compile_remove_regexp()?;
        Ok(Matcher {
            mode,
            normalize,
            remove_regexp,
            speech_tolerant,
            similarity_threshold,
        })
    }

    /// A matcher for another mode with the same normalisation, without the speech layer (text
    /// asserters compare as Botium does). The compiled remove regexp is shared, not rebuilt.
    pub fn for_mode(&self, mode: MatchingMode) -> Result<Matcher, MatchingError> {
        check_wer_threshold(mode)?;
        Ok(Matcher {
            mode,
            speech_tolerant: false,
            similarity_threshold: 1.0,
            ..self.clone()
        })
    }

    /// The normalisation this matcher applies (text asserters use it too).
    pub fn normalize_options(&self) -> &NormalizeOptions {
        &self.normalize
    }

    /// The mode this matcher applies (to show in failure messages).
    pub fn mode(&self) -> MatchingMode {
        self.mode
    }

    /// Normalises a text the way this matcher does before comparing (for messages and memory).
    pub fn normalize(&self, text: &str) -> String {
        normalize_with(text, &self.normalize, self.remove_regexp.as_ref())
    }

    fn normalize_expected(&self, expected: &str) -> String {
        match self.mode {
            MatchingMode::Regexp { .. } => normalize_pattern(expected, &self.normalize),
            _ => self.normalize(expected),
        }
    }

    /// Checks an expected text without a bot text: wildcard count, regex syntax (for `check`).
    pub fn validate_expected(&self, expected: &str) -> Result<(), MatchingError> {
        // Normalising never adds a `*`, and only regexp mode can reject a text otherwise: a text
        // valid as written stays valid, so `check` normalises only regular expressions and texts
        // with too many wildcards.
        let regexp = matches!(self.mode, MatchingMode::Regexp { .. });
        if !regexp && validate_expected(self.mode, expected).is_ok() {
            return Ok(());
        }
        validate_expected(self.mode, &self.normalize_expected(expected))
    }

    /// Compares what the bot said with one expected text.
    ///
    /// An unusable expected text (bad regex, more than 10 wildcards) gives `NoMatch` with score
    /// 0; use [`Matcher::try_compare`] to report it the way Botium fails the convo.
    pub fn compare(&self, actual: &str, expected: &str) -> MatchResult {
        self.try_compare(actual, expected)
            .unwrap_or_else(|_| MatchResult::no_match(0.0))
    }

    /// Any-of over alternatives (utterance samples): the best result; `matched` if any matched.
    pub fn compare_any(&self, actual: &str, expected: &[&str]) -> MatchResult {
        let results: Vec<MatchResult> = expected
            .iter()
            .map(|alternative| self.compare(actual, alternative))
            .collect();
        best_of(&results)
    }

    /// [`Matcher::compare`], with an unusable expected text reported as an error.
    pub fn try_compare(&self, actual: &str, expected: &str) -> Result<MatchResult, MatchingError> {
        let actual = self.normalize(actual);
        let expected = self.normalize_expected(expected);
        if botium_match(self.mode, &actual, &expected)? {
            return Ok(MatchResult {
                matched: true,
                score: 1.0,
                how: MatchHow::Exact,
            });
        }
        let canonical_forms = self
            .speech_tolerant
            .then(|| self.canonical_forms(&actual, &expected));
        if let Some((canonical_actual, canonical_expected)) = &canonical_forms {
            if self.speech_match(&expected, canonical_actual, canonical_expected)? {
                return Ok(MatchResult {
                    matched: true,
                    score: 1.0,
                    how: MatchHow::SpeechTolerant,
                });
            }
        }
        let score = match &canonical_forms {
            Some((canonical_actual, canonical_expected)) => {
                self.similarity(canonical_actual, canonical_expected)
            }
            None => {
                let (plain_actual, plain_expected) = self.plain_forms(&actual, &expected);
                self.similarity(&plain_actual, &plain_expected)
            }
        }
        .min(MAX_UNMATCHED_SCORE);
        if self.similarity_threshold < 1.0 && score >= self.similarity_threshold {
            return Ok(MatchResult {
                matched: true,
                score,
                how: MatchHow::NearMiss,
            });
        }
        Ok(MatchResult::no_match(score))
    }

    /// [`Matcher::compare_any`], stopping at the first unusable alternative as Botium does.
    pub fn try_compare_any(
        &self,
        actual: &str,
        expected: &[&str],
    ) -> Result<MatchResult, MatchingError> {
        let results = expected
            .iter()
            .map(|alternative| self.try_compare(actual, alternative))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(best_of(&results))
    }

    fn keeps_wildcards(&self) -> bool {
        matches!(
            self.mode,
            MatchingMode::Wildcard { .. }
                | MatchingMode::WildcardExact { .. }
                | MatchingMode::Wer { .. }
        )
    }

    fn canonical_forms(&self, actual: &str, expected: &str) -> (String, String) {
        let expected = match self.mode {
            // The pattern is never canonicalised: it is tried against the canonical bot text.
            MatchingMode::Regexp { .. } => expected.to_string(),
            _ => canonical(expected, self.keeps_wildcards()),
        };
        (canonical(actual, false), expected)
    }

    /// Botium-prepared forms for scoring when the speech layer is off.
    fn plain_forms(&self, actual: &str, expected: &str) -> (String, String) {
        let fold = |text: &str, ignore_case: bool| {
            if ignore_case {
                text.to_lowercase()
            } else {
                text.to_string()
            }
        };
        match self.mode {
            MatchingMode::Wildcard { ignore_case }
            | MatchingMode::WildcardExact { ignore_case }
            | MatchingMode::Regexp { ignore_case }
            | MatchingMode::Include { ignore_case }
            | MatchingMode::Equals { ignore_case } => {
                (fold(actual, ignore_case), fold(expected, ignore_case))
            }
            MatchingMode::Wer { .. } => (prepare(actual), prepare(expected)),
        }
    }

    /// The same mode on the canonical forms (always case-insensitive: they are lowercase).
    fn speech_match(
        &self,
        expected: &str,
        canonical_actual: &str,
        canonical_expected: &str,
    ) -> Result<bool, MatchingError> {
        let expected_has_content = canonical_expected.chars().any(|c| c != '*');
        // An expected text made only of punctuation would be contained in anything.
        if !expected_has_content && expected.chars().any(|c| c != '*' && !c.is_whitespace()) {
            return Ok(false);
        }
        Ok(match self.mode {
            MatchingMode::Wildcard { .. } => {
                wildcard_regex(canonical_expected, true, false)?.is_match(canonical_actual)
            }
            MatchingMode::WildcardExact { .. } => {
                wildcard_regex(canonical_expected, true, true)?.is_match(canonical_actual)
            }
            MatchingMode::Regexp { ignore_case } => {
                regexp(expected, ignore_case)?.is_match(canonical_actual)
            }
            MatchingMode::Include { .. } => canonical_actual.contains(canonical_expected),
            MatchingMode::Equals { .. } => canonical_actual == canonical_expected,
            MatchingMode::Wer { threshold } => {
                wer_within(canonical_actual, canonical_expected, threshold)
            }
        })
    }

    fn similarity(&self, actual: &str, expected: &str) -> f64 {
        match self.mode {
            MatchingMode::Wildcard { .. } if expected.contains('*') => {
                wildcard_similarity(actual, expected)
            }
            MatchingMode::WildcardExact { .. } if expected.contains('*') => {
                wildcard_similarity(actual, expected)
            }
            MatchingMode::Wildcard { .. } | MatchingMode::Include { .. } => {
                substring_similarity(actual, expected)
            }
            MatchingMode::WildcardExact { .. } | MatchingMode::Equals { .. } => {
                whole_similarity(actual, expected)
            }
            // A pattern has no text to align with.
            MatchingMode::Regexp { .. } => 0.0,
            MatchingMode::Wer { .. } => (1.0 - calculate_wer(actual, expected)).clamp(0.0, 1.0),
        }
    }
}

/// The best of several results: matched before unmatched, then Exact > SpeechTolerant >
/// NearMiss, then the higher score; the first wins ties. None at all: NoMatch with score 0.
fn best_of(results: &[MatchResult]) -> MatchResult {
    results
        .iter()
        .copied()
        .fold(None::<MatchResult>, |best, candidate| match best {
            Some(current) if !is_better(&candidate, &current) => Some(current),
            _ => Some(candidate),
        })
        .unwrap_or_else(|| MatchResult::no_match(0.0))
}

fn is_better(candidate: &MatchResult, current: &MatchResult) -> bool {
    if candidate.how != current.how {
        return candidate.how < current.how;
    }
    candidate.score > current.score
}

/// The matcher a run uses, from `SCRIPTING_*` capabilities (mode, normalisation, speech layer,
/// threshold); the warning names an unknown mode (which compares as case-sensitive `equals`).
pub fn matcher_from_caps(
    caps: &crate::caps::ScriptingCaps,
) -> Result<(Matcher, Option<String>), MatchingError> {
    let (mode, warning) = MatchingMode::parse(&caps.matching_mode, &caps.matching_mode_args)?;
    let normalize = NormalizeOptions {
        enabled: caps.normalize_text,
        remove_characters: caps.normalize_remove_characters.clone(),
        remove_regexp: caps.normalize_remove_regexp.clone(),
    };
    let matcher = Matcher::new(
        mode,
        normalize,
        caps.speech_tolerant,
        caps.similarity_threshold,
    )?;
    Ok((matcher, warning))
}

/// A `wer` mode's threshold must be a ratio from 0 to 1.
fn check_wer_threshold(mode: MatchingMode) -> Result<(), MatchingError> {
    match mode {
        MatchingMode::Wer { threshold } if !(0.0..=1.0).contains(&threshold) => {
            Err(MatchingError::InvalidWerThreshold {
                value: threshold.to_string(),
                reason: "expected a ratio from 0 to 1".to_string(),
            })
        }
        _ => Ok(()),
    }
}
