//! What a run does with its measured coverage once the reports are written: the notes on the
//! console, the `--coverage FILE` document, and the `--coverage-min` verdict.

use std::io::Write;
use std::path::Path;

use super::measure::Measured;
use super::studio::locate;
use crate::exit_code::Outcome;
use crate::report::write_report_file;
use twilio_wire::client::TwilioClient;

/// How the coverage part of a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverageEnd {
    /// No minimum, or the minimum is met.
    Met,
    /// Below `--coverage-min` (or nothing measured under a minimum).
    Below,
    /// The `--coverage` file could not be written.
    NotWritten,
}

/// `--coverage-min PERCENT`: a number from 0 to 100.
pub fn parse_min(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{text}` is not a percentage (0 to 100)"))?;
    if (0.0..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{text} is not between 0 and 100"))
    }
}

/// Refuses `--coverage-min` before dialing when the dialled number runs no Studio flow
/// (exit 2: there would be nothing to measure) or its configuration cannot be read (exit 3).
pub async fn measurable(client: &TwilioClient, number: &str) -> Result<(), (Outcome, String)> {
    match locate(client, number).await {
        Ok(destination) => match destination.why_not_measured(number) {
            None => Ok(()),
            Some(why) => Err((
                Outcome::InvalidInput,
                format!("--coverage-min: {why}; nothing was dialed"),
            )),
        },
        Err(e) => Err((
            Outcome::Infrastructure,
            format!("--coverage-min: cannot read the configuration of {number}: {e}; nothing was dialed"),
        )),
    }
}

/// Says the notes, writes `path` (pretty JSON), and checks `min` against the measured percent.
pub fn finish(
    measured: &Measured,
    path: Option<&Path>,
    min: Option<f64>,
    err: &mut dyn Write,
) -> CoverageEnd {
    for note in &measured.notes {
        let _ = writeln!(err, "{note}");
    }
    if let Some(path) = path {
        let written = serde_json::to_vec_pretty(&measured.coverage)
            .map_err(std::io::Error::other)
            .and_then(|json| write_report_file(path, &json));
        if let Err(e) = written {
            let _ = writeln!(err, "error: cannot write {}: {e}", path.display());
            return CoverageEnd::NotWritten;
        }
    }
    let Some(min) = min else {
        return CoverageEnd::Met;
    };
    match measured.coverage.percent() {
        Some(percent) if percent + 1e-9 >= min => CoverageEnd::Met,
        Some(percent) => {
            let _ = writeln!(
                err,
                "coverage {} is below --coverage-min {}",
                percent_text(percent),
                percent_text(min)
            );
            CoverageEnd::Below
        }
        None => {
            let _ = writeln!(
                err,
                "coverage: no Studio transition was measured, below --coverage-min {}",
                percent_text(min)
            );
            CoverageEnd::Below
        }
    }
}

/// `71.4%`, `80%`.
fn percent_text(value: f64) -> String {
    let text = format!("{value:.1}");
    format!("{}%", text.strip_suffix(".0").unwrap_or(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimum_is_a_percentage() {
        assert_eq!(parse_min("80"), Ok(80.0));
        assert_eq!(parse_min("72.5%"), Ok(72.5));
        assert!(parse_min("101").unwrap_err().contains("between 0 and 100"));
        assert!(parse_min("abc").unwrap_err().contains("not a percentage"));
        assert!(parse_min("-1").is_err());
    }

    #[test]
    fn percentages_read_as_people_write_them() {
        assert_eq!(percent_text(80.0), "80%");
        assert_eq!(percent_text(500.0 / 7.0), "71.4%");
    }
}
