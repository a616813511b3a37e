//! Errors of the matching module.

/// Why a matching mode, an expected text or an option cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchingError {
    /// A JavaScript regular expression that we cannot compile (bad syntax, or a construct the
    /// Rust engine lacks, such as a variable-length lookbehind).
    #[error("invalid regular expression \"{pattern}\": {message}")]
    InvalidRegexp {
        /// The pattern as the user wrote it.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
    /// A regular expression that exceeded the backtracking limit while matching.
    #[error("regular expression \"{pattern}\" failed while matching: {message}")]
    RegexpRuntime {
        /// The pattern as the user wrote it.
        pattern: String,
        /// The engine's report.
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
