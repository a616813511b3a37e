//! Errors of the matching module.

/// Why a matching mode, an expected text or an option cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchingError {
    /// A JavaScript regular expression that JavaScript would refuse too (`new RegExp` throws).
    #[error("invalid regular expression \"{pattern}\": {message}")]
    InvalidRegexp {
        /// The pattern as the user wrote it.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
    /// Botium's limit on `*` wildcards in one expected text (the exact Botium message).
    #[error("Maximum number of 10 wildcards supported.")]
    TooManyWildcards,
    /// A `wer` threshold that is missing, not a number, or outside 0..=100 %.
    #[error("invalid word error rate threshold {value}: {reason}")]
    InvalidWerThreshold {
        /// The value as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A similarity threshold outside 0..=1.
    #[error("invalid similarity threshold {0}: expected a number from 0 to 1")]
    InvalidSimilarityThreshold(f64),
}
