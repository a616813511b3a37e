//! The human report: live progress on a terminal, one line per test case elsewhere, and a
//! summary with every failure's details at the end.
//!
//! Which mode and whether to colour are decided by the caller from facts it passes in
//! ([`console_mode`], [`use_colors`]), so the reporter never reads the environment itself.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::time::Duration;

use console::Style;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::format::{
    aligned, failure_details, headline, millis, secs, transcript_line, verdict_word, wall,
};
use super::log::RunLog;
use super::Reporter;
use crate::events::{Happened, RunEvent, TestResult, Verdict};
use botiumscript::matching::collapse_repeats;

/// How many transcript lines a failure shows in the summary.
const TAIL_LINES: usize = 5;

/// How the console shows a run while it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleMode {
    /// Live bars: the whole run, and a spinner per call in progress (terminals only).
    Progress,
    /// One line per finished test case (CI logs, pipes, dumb terminals).
    Lines,
}

/// Whether an environment variable is set to something that means yes (`CI=true`, `CI=1`,
/// `CI=woodpecker`), rather than unset, empty, `0` or `false`.
fn env_flag(env: &BTreeMap<String, String>, name: &str) -> bool {
    env.get(name).is_some_and(|value| {
        let value = value.trim();
        !(value.is_empty() || value == "0" || value.eq_ignore_ascii_case("false"))
    })
}

/// Progress bars only on a real terminal outside CI: a CI log keeps every redraw as text, and a
/// dumb terminal cannot move the cursor.
pub fn console_mode(is_terminal: bool, env: &BTreeMap<String, String>) -> ConsoleMode {
    let dumb = env.get("TERM").is_some_and(|term| term == "dumb");
    if !is_terminal || dumb || env_flag(env, "CI") {
        ConsoleMode::Lines
    } else {
        ConsoleMode::Progress
    }
}

/// Colours only on a terminal that can show them, and never when `NO_COLOR` is set to
/// anything non-empty (<https://no-color.org>).
pub fn use_colors(is_terminal: bool, env: &BTreeMap<String, String>) -> bool {
    let no_color = env.get("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = env.get("TERM").is_some_and(|term| term == "dumb");
    is_terminal && !no_color && !dumb
}

/// A test case in progress, as its spinner shows it.
struct Live {
    bar: ProgressBar,
    step: Option<String>,
    heard: Option<String>,
}

/// The bars of [`ConsoleMode::Progress`].
struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    live: HashMap<usize, Live>,
}

impl Bars {
    fn new(target: ProgressDrawTarget) -> Bars {
        let multi = MultiProgress::with_draw_target(target);
        let style = ProgressStyle::with_template(
            "[{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} test cases  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        let overall = multi.add(ProgressBar::new(0).with_style(style));
        Bars {
            multi,
            overall,
            live: HashMap::new(),
        }
    }

    fn start(&mut self, index: usize, name: &str) {
        let style = ProgressStyle::with_template("{spinner} {prefix}  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = self.multi.insert_before(
            &self.overall,
            ProgressBar::new_spinner()
                .with_style(style)
                .with_prefix(console::truncate_str(name, 40, "…").into_owned())
                .with_message("placing the call"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        self.live.insert(
            index,
            Live {
                bar,
                step: None,
                heard: None,
            },
        );
    }

    fn update(&mut self, index: usize, step: Option<String>, heard: Option<String>) {
        let Some(live) = self.live.get_mut(&index) else {
            return;
        };
        if step.is_some() {
            live.step = step;
        }
        if heard.is_some() {
            live.heard = heard;
        }
        let mut msg = live.step.clone().unwrap_or_else(|| "call placed".into());
        if let Some(heard) = &live.heard {
            msg.push_str(&format!(
                "  heard: \"{}\"",
                console::truncate_str(heard, 60, "…")
            ));
        }
        live.bar.set_message(msg);
    }

    fn end(&mut self, index: usize) {
        if let Some(live) = self.live.remove(&index) {
            live.bar.finish_and_clear();
            self.multi.remove(&live.bar);
        }
        self.overall.inc(1);
    }

    fn clear(&mut self) -> io::Result<()> {
        for (_, live) in self.live.drain() {
            live.bar.finish_and_clear();
        }
        self.overall.finish_and_clear();
        self.multi.clear()
    }
}

/// The human report on a console stream (normally stderr).
///
/// In [`ConsoleMode::Progress`] the bars are drawn by indicatif on stderr (which hides them
/// when stderr is not a terminal; see [`ConsoleReporter::with_draw_target`]), finished test
/// cases are printed above the bars, and only the summary is written to `out`. In
/// [`ConsoleMode::Lines`] everything goes to `out`.
pub struct ConsoleReporter {
    out: Box<dyn Write + Send>,
    mode: ConsoleMode,
    colors: bool,
    log: RunLog,
    bars: Option<Bars>,
    summary_written: bool,
}

impl ConsoleReporter {
    /// A console report on `out`, without colours (see [`ConsoleReporter::with_colors`]).
    pub fn new(out: Box<dyn Write + Send>, mode: ConsoleMode) -> Self {
        let bars = match mode {
            ConsoleMode::Progress => Some(Bars::new(ProgressDrawTarget::stderr())),
            ConsoleMode::Lines => None,
        };
        ConsoleReporter {
            out,
            mode,
            colors: false,
            log: RunLog::default(),
            bars,
            summary_written: false,
        }
    }

    /// Colours on or off (decide with [`use_colors`]).
    pub fn with_colors(mut self, colors: bool) -> Self {
        self.colors = colors;
        self
    }

    /// Where the progress bars are drawn (tests use [`ProgressDrawTarget::hidden`]). No effect
    /// in [`ConsoleMode::Lines`].
    pub fn with_draw_target(self, target: ProgressDrawTarget) -> Self {
        if let Some(bars) = &self.bars {
            bars.multi.set_draw_target(target);
        }
        self
    }

    fn paint(&self, style: Style, text: &str) -> String {
        style.force_styling(self.colors).apply_to(text).to_string()
    }

    fn verdict(&self, verdict: &Verdict) -> String {
        let style = match verdict {
            Verdict::Passed => Style::new().green(),
            Verdict::Failed(_) => Style::new().red().bold(),
            Verdict::Error(_) => Style::new().yellow().bold(),
        };
        self.paint(style, verdict_word(verdict))
    }

    /// `PASS  name  (12.3 s)` / `FAIL  name  (8.1 s)  Line 12: ...`.
    fn result_line(&self, result: &TestResult) -> String {
        let mut line = format!(
            "{} {}  ({})",
            self.verdict(&result.verdict),
            result.name,
            secs(result.duration)
        );
        if let Verdict::Failed(failure) | Verdict::Error(failure) = &result.verdict {
            line.push_str("  ");
            line.push_str(&headline(&result.name, failure));
        }
        line
    }

    /// Totals, then each failure and error in index order with what is needed to act on it.
    fn summary_text(&self) -> String {
        let summary = self.log.summary();
        let total = summary.passed + summary.failed + summary.errors;
        let mut out = String::from("\n");
        let counts = format!(
            "{} in {}: {} passed, {} failed, {}",
            plural(total, "test case", "test cases"),
            wall(summary.duration),
            summary.passed,
            summary.failed,
            plural(summary.errors, "error", "errors"),
        );
        out.push_str(&self.paint(Style::new().bold(), &counts));
        out.push('\n');
        if let (false, Some(planned)) = (self.log.complete(), self.log.planned) {
            out.push_str(&format!(
                "run interrupted: {total} of {} finished\n",
                plural(planned, "test case", "test cases")
            ));
        }
        // Twilio bills each call per started minute, which is what a budget needs to know.
        let calls: Vec<Duration> = self
            .log
            .results
            .values()
            .map(|r| r.call_duration)
            .filter(|d| !d.is_zero())
            .collect();
        let billed: u64 = calls.iter().map(|d| millis(*d).div_ceil(60_000)).sum();
        out.push_str(&format!(
            "call time: {:.1} min in {} ({billed} min billed, each call rounded up to the minute)\n",
            summary.call_time.as_secs_f64() / 60.0,
            plural(calls.len(), "call", "calls"),
        ));
        if let Some(coverage) = &self.log.coverage {
            for flow in &coverage.flows {
                out.push_str(&crate::coverage::summary::flow_line(flow));
                out.push('\n');
            }
        }
        for result in self.log.results.values() {
            let (Verdict::Failed(failure) | Verdict::Error(failure)) = &result.verdict else {
                continue;
            };
            out.push_str(&format!(
                "\n{} {}  ({})\n",
                self.verdict(&result.verdict),
                result.name,
                secs(result.duration)
            ));
            let mut details = vec![("file", result.file.display().to_string())];
            details.extend(failure_details(failure));
            if let Some(sid) = &result.call_sid {
                details.push(("call", sid.clone()));
            }
            if let Some(url) = &result.recording_url {
                details.push(("recording", url.clone()));
            }
            out.push_str(&aligned(&details, "  "));
            let lines = &result.transcript;
            let tail = &lines[lines.len().saturating_sub(TAIL_LINES)..];
            if tail.is_empty() {
                out.push_str("  transcript: nothing was said or heard\n");
            } else if tail.len() == lines.len() {
                out.push_str("  transcript:\n");
            } else {
                out.push_str(&format!(
                    "  transcript (last {} of {} lines):\n",
                    tail.len(),
                    lines.len()
                ));
            }
            for entry in tail {
                out.push_str(&format!("    {}\n", transcript_line(entry)));
            }
        }
        out
    }

    fn write_summary(&mut self) -> io::Result<()> {
        if self.summary_written {
            return Ok(());
        }
        self.summary_written = true;
        // The bars go first, so that the summary is not drawn over.
        if let Some(bars) = &mut self.bars {
            bars.clear()?;
        }
        let text = self.summary_text();
        self.out.write_all(text.as_bytes())?;
        self.out.flush()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Reporter for ConsoleReporter {
    fn event(&mut self, event: &RunEvent) -> io::Result<()> {
        self.log.record(event);
        match event {
            RunEvent::RunStarted {
                test_cases,
                parallel,
            } => match &mut self.bars {
                Some(bars) => bars.overall.set_length(*test_cases as u64),
                None => {
                    writeln!(
                        self.out,
                        "running {}, {} at a time",
                        plural(*test_cases, "test case", "test cases"),
                        plural(*parallel, "call", "calls")
                    )?;
                    self.out.flush()?;
                }
            },
            // The summary reads it from the log.
            RunEvent::CoverageMeasured { .. } => {}
            RunEvent::TestStarted { index, name } => {
                if let Some(bars) = &mut self.bars {
                    bars.start(*index, name);
                }
            }
            RunEvent::CallPlaced { index, .. } => {
                if let Some(bars) = &mut self.bars {
                    bars.update(*index, Some("call placed".into()), None);
                }
            }
            RunEvent::StepStarted { index, step } => {
                if let Some(bars) = &mut self.bars {
                    bars.update(*index, Some(format!("{} #{}", step.tag, step.sender)), None);
                }
            }
            RunEvent::Transcript { index, entry } => {
                if let (Some(bars), Happened::Ivr(words)) = (&mut self.bars, &entry.what) {
                    bars.update(*index, None, Some(collapse_repeats(words)));
                }
            }
            RunEvent::TestFinished { result } => {
                let line = self.result_line(result);
                match &mut self.bars {
                    Some(bars) => {
                        bars.end(result.index);
                        let s = &self.log.summary();
                        bars.overall.set_message(format!(
                            "{} passed, {} failed, {}",
                            s.passed,
                            s.failed,
                            plural(s.errors, "error", "errors")
                        ));
                        // Above the bars; indicatif drops it when the target is hidden.
                        bars.multi.println(line)?;
                    }
                    None => {
                        writeln!(self.out, "{line}")?;
                        self.out.flush()?;
                    }
                }
            }
            RunEvent::RunFinished { .. } => self.write_summary()?,
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        // After an interruption there was no RunFinished: say what is known.
        self.write_summary()
    }
}

impl std::fmt::Debug for ConsoleReporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleReporter")
            .field("mode", &self.mode)
            .field("colors", &self.colors)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "console_tests.rs"]
mod tests;
