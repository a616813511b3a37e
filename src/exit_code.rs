//! Named process exit codes: the contract between `ivr-test` and a CI pipeline.

/// How a command ended. `main` turns it into the process exit code; nothing else exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every test case passed (or `check` found no error).
    Passed,
    /// At least one test case failed; everything else worked.
    TestFailed,
    /// Usage, configuration or script error: nothing was dialed.
    InvalidInput,
    /// `doctor` found a check that fails: the suite would not run as configured.
    NotReady,
    /// Twilio, Redis or the network failed, so no verdict could be reached.
    Infrastructure,
    /// Stopped by Ctrl-C or SIGTERM.
    Interrupted,
    /// Every test case passed, but the suite exercised less of the flow than `--coverage-min`.
    CoverageBelowMinimum,
}

impl Outcome {
    /// The exit code documented in the README.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Passed => 0,
            Outcome::TestFailed => 1,
            Outcome::InvalidInput | Outcome::NotReady => 2,
            Outcome::Infrastructure => 3,
            Outcome::CoverageBelowMinimum => 4,
            Outcome::Interrupted => 130,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn codes_match_the_readme() {
        assert_eq!(Outcome::Passed.code(), 0);
        assert_eq!(Outcome::TestFailed.code(), 1);
        assert_eq!(Outcome::InvalidInput.code(), 2);
        assert_eq!(Outcome::NotReady.code(), 2);
        assert_eq!(Outcome::Infrastructure.code(), 3);
        assert_eq!(Outcome::CoverageBelowMinimum.code(), 4);
        assert_eq!(Outcome::Interrupted.code(), 130);
    }
}
