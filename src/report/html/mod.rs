//! The HTML report: one self-contained file (inline CSS and a little vanilla JS, no external
//! scripts, fonts, styles or images), so that it opens from disk and as a CI artifact.
//!
//! | module | job |
//! |---|---|
//! | this file | [`HtmlReporter`], the page: head, summary, filter controls, sections in order |
//! | [`test_case`](mod@test_case) | one test case: verdict, facts, failure with word diff, steps, transcript, recording |
//! | [`coverage_map`] | the coverage section: flows as SVG graphs with node details, TwiML webhooks |
//! | [`layout`] | where the graph's widgets go (Studio's positions, or layers) |
//! | [`markup`] | escaping, and small pieces of markup the others share |
//!
//! The reporter depends only on [`RunEvent`]s (through the run log, `report::log::RunLog`), so
//! `report merge` can feed it events read back from JSON reports. Without JS the page shows
//! everything; with it, the verdict filter and the search box narrow the test cases, and the
//! coverage map's widgets show their test cases when clicked (or on Enter).

pub mod coverage_map;
pub mod layout;
pub mod markup;
pub mod test_case;

use std::fmt::Write;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use super::format::wall;
use super::log::RunLog;
use super::{write_report_file, Reporter};
use crate::events::{RunEvent, TestResult};
use markup::{escape, facts};
use test_case::verdict_key;

/// The page's style sheet, inlined.
const STYLE: &str = include_str!("page.css");
/// The page's script, inlined.
const SCRIPT: &str = include_str!("page.js");

/// Writes the HTML report when the run finishes.
#[derive(Debug)]
pub struct HtmlReporter {
    path: PathBuf,
    log: RunLog,
}

impl HtmlReporter {
    /// A report to be written to `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        HtmlReporter {
            path: path.into(),
            log: RunLog::default(),
        }
    }

    /// The page for what has been seen so far.
    fn page(&self) -> String {
        let summary = self.log.summary();
        let total = summary.passed + summary.failed + summary.errors;
        let title = format!(
            "ivr-test: {} passed, {} failed, {} errors",
            summary.passed, summary.failed, summary.errors
        );
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><style>{STYLE}</style></head><body>\
             <header><h1>ivr-test report</h1></header><main>",
            title = escape(&title)
        );
        let planned = match (self.log.planned, self.log.complete()) {
            (Some(planned), true) => format!("{planned}, complete"),
            (Some(planned), false) => format!("{planned}, interrupted after {total}"),
            (None, true) => "complete".into(),
            (None, false) => "interrupted".into(),
        };
        let started = self
            .log
            .started
            .map(|(at, _)| at.format("%Y-%m-%d %H:%M:%S %:z").to_string())
            .unwrap_or_else(|| "unknown".into());
        let results: Vec<&TestResult> = self.log.results.values().collect();
        let _ = write!(
            out,
            "<section id=\"summary\" aria-labelledby=\"summary-h\"><h2 id=\"summary-h\">Summary</h2>\
             <p class=\"counts\">{total} test {cases}: <span class=\"count passed\">{} passed</span>, \
             <span class=\"count failed\">{} failed</span>, <span class=\"count error\">{} errors\
             </span></p>",
            summary.passed,
            summary.failed,
            summary.errors,
            cases = if total == 1 { "case" } else { "cases" },
        );
        out.push_str(&facts(
            "summary-facts",
            &[
                ("planned", planned),
                ("started at", started),
                ("duration", wall(summary.duration)),
                ("call time", wall(summary.call_time)),
                (
                    "billed minutes",
                    billed_minutes(results.iter().map(|r| r.call_duration)).to_string(),
                ),
            ],
        ));
        out.push_str("</section>");
        out.push_str(&tests_section(&self.log, &results));
        out.push_str(&coverage_map::section(self.log.coverage.as_ref()));
        let _ = writeln!(out, "</main><script>{SCRIPT}</script></body></html>");
        out
    }
}

/// The test cases in index order, behind the filter controls (hidden until the script runs).
fn tests_section(log: &RunLog, results: &[&TestResult]) -> String {
    let count = |key: &str| {
        results
            .iter()
            .filter(|r| verdict_key(&r.verdict) == key)
            .count()
    };
    let mut out = String::from(
        "<section id=\"tests\" aria-labelledby=\"tests-h\"><h2 id=\"tests-h\">Test cases</h2>\
         <div class=\"controls\" id=\"controls\" hidden><fieldset><legend>Show</legend>",
    );
    for (value, label, n) in [
        ("all", "All", results.len()),
        ("passed", "Passed", count("passed")),
        ("failed", "Failed", count("failed")),
        ("error", "Errors", count("error")),
    ] {
        let _ = write!(
            out,
            "<label><input type=\"radio\" name=\"verdict\" value=\"{value}\"{checked}> \
             {label} ({n})</label>",
            checked = if value == "all" { " checked" } else { "" }
        );
    }
    out.push_str(
        "</fieldset><label for=\"search\">Search names and transcripts</label>\
         <input type=\"search\" id=\"search\" autocomplete=\"off\">\
         <p id=\"shown\" aria-live=\"polite\"></p></div>",
    );
    if results.is_empty() {
        out.push_str("<p class=\"quiet\">No test case finished.</p>");
    }
    for result in results {
        let steps = log
            .steps
            .get(&result.index)
            .map(Vec::as_slice)
            .unwrap_or_default();
        out.push_str(&test_case::section(result, steps));
    }
    out.push_str("</section>");
    out
}

/// Minutes as Twilio bills them: each call's duration in whole seconds (as Twilio records it)
/// rounded up to a whole minute, summed; a call that never connected costs nothing.
pub fn billed_minutes(calls: impl IntoIterator<Item = Duration>) -> u64 {
    calls
        .into_iter()
        .map(|d| {
            let seconds = (d.as_millis() + 500) / 1000;
            let seconds = if d.is_zero() { 0 } else { seconds.max(1) };
            u64::try_from(seconds.div_ceil(60)).unwrap_or(u64::MAX)
        })
        .fold(0, u64::saturating_add)
}

impl Reporter for HtmlReporter {
    fn event(&mut self, event: &RunEvent) -> io::Result<()> {
        self.log.record(event);
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        write_report_file(&self.path, self.page().as_bytes())
    }
}

#[cfg(test)]
mod tests;
