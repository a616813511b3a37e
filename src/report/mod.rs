//! Reporters: consumers of the runner's [`RunEvent`]s.
//!
//! Reporters never decide pass or fail: the runner's [`Verdict`](crate::events::Verdict)
//! is the only verdict. They turn events into what people and machines read:
//!
//! | reporter | output | when |
//! |---|---|---|
//! | [`ConsoleReporter`] | progress bars (terminal) or one line per test (CI, pipes), then a summary with every failure's details | as events arrive; summary at the end |
//! | [`JunitReporter`] | JUnit XML: one `<testsuite>`, a `<testcase>` per test, `<failure>`/`<error>` | on [`Reporter::finish`] |
//! | [`JsonReporter`] | one JSON document, field names documented in [`json`] | on [`Reporter::finish`] |
//! | [`HtmlReporter`] | one self-contained HTML page: summary, test cases, coverage map (see [`html`]) | on [`Reporter::finish`] |
//! | [`TranscriptWriter`] | `<dir>/<test name>.txt` per test case | as each test case finishes |
//! | [`Reporters`] | fan-out to several of the above | |
//!
//! Around the JSON report: [`suite`] (the suite identity it records: fingerprints of the suite
//! and configuration, the shard), [`json_read`] (reading it back, and replaying it as events),
//! [`merge`] (shards' reports merged into one run's, for `ivr-test report merge`).
//!
//! Results may arrive out of order (calls run in parallel); every final output lists test
//! cases in `index` order, so two runs of the same suite give comparable reports.
//!
//! The transcript line format, shared by the console summary, JUnit `system-out` and the
//! transcript files:
//!
//! ```text
//! +  3.21 s  IVR     Welcome to Acme. (confidence 0.92, responded after 1.20 s)
//! +  5.02 s  CALLER  says: billing
//! +  9.40 s  CALLER  presses: 1
//! + 12.00 s  SYSTEM  hung up
//! ```
//!
//! A caller entry whose text already starts with `says: ` or `presses: ` is printed as it is;
//! any other caller text is printed as `says: <text>`. The event contract has no separate
//! field for keypad tones, so the runner marks them with the `presses: ` prefix.

pub mod console;
mod format;
pub mod html;
pub mod json;
pub mod json_read;
pub mod junit;
mod log;
pub mod merge;
pub mod suite;
pub mod transcript;
mod word_diff;

use std::io;
use std::path::Path;

use crate::events::RunEvent;

pub use console::{console_mode, use_colors, ConsoleMode, ConsoleReporter};
pub use html::HtmlReporter;
pub use json::JsonReporter;
pub use junit::JunitReporter;
pub use transcript::TranscriptWriter;

/// A consumer of run events.
///
/// `Send` so that the runner may hand its reporters to another task or thread.
pub trait Reporter: Send {
    /// Takes one event. Events of one test case come in order; test cases interleave.
    fn event(&mut self, event: &RunEvent) -> io::Result<()>;

    /// The run is over (normally after [`RunEvent::RunFinished`], but also after an
    /// interruption): write whatever is still buffered.
    fn finish(&mut self) -> io::Result<()>;
}

/// Several reporters behind one: each event goes to all of them.
///
/// A failing reporter does not starve the others: every reporter gets every event and is
/// finished, and the first error is returned.
pub struct Reporters(pub Vec<Box<dyn Reporter>>);

impl Reporters {
    /// A fan-out over `reporters`.
    pub fn new(reporters: Vec<Box<dyn Reporter>>) -> Self {
        Reporters(reporters)
    }

    /// Adds a reporter.
    pub fn push(&mut self, reporter: Box<dyn Reporter>) {
        self.0.push(reporter);
    }
}

impl Reporter for Reporters {
    fn event(&mut self, event: &RunEvent) -> io::Result<()> {
        let mut first = Ok(());
        for reporter in &mut self.0 {
            let result = reporter.event(event);
            if first.is_ok() {
                first = result;
            }
        }
        first
    }

    fn finish(&mut self) -> io::Result<()> {
        let mut first = Ok(());
        for reporter in &mut self.0 {
            let result = reporter.finish();
            if first.is_ok() {
                first = result;
            }
        }
        first
    }
}

/// Writes a report file whole: into a temporary sibling first, then renamed over `path`, so
/// that a CI step never reads half a report. Creates missing parent directories.
pub fn write_report_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        std::fs::create_dir_all(parent)?;
    }
    let mut tmp_name = path
        .file_name()
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("report path {} names no file", path.display()),
            )
        })?
        .to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Records what it got, and fails on demand.
    struct Probe {
        seen: Arc<Mutex<Vec<String>>>,
        tag: &'static str,
        fail: bool,
    }

    impl Reporter for Probe {
        fn event(&mut self, event: &RunEvent) -> io::Result<()> {
            let kind = match event {
                RunEvent::RunStarted { .. } => "start",
                _ => "other",
            };
            self.seen
                .lock()
                .expect("lock")
                .push(format!("{} {kind}", self.tag));
            if self.fail {
                Err(io::Error::other(format!("{} event", self.tag)))
            } else {
                Ok(())
            }
        }

        fn finish(&mut self) -> io::Result<()> {
            self.seen
                .lock()
                .expect("lock")
                .push(format!("{} finish", self.tag));
            if self.fail {
                Err(io::Error::other(format!("{} finish", self.tag)))
            } else {
                Ok(())
            }
        }
    }

    fn probes(fails: [bool; 3]) -> (Reporters, Arc<Mutex<Vec<String>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let tags = ["a", "b", "c"];
        let reporters = tags
            .iter()
            .zip(fails)
            .map(|(tag, fail)| {
                Box::new(Probe {
                    seen: seen.clone(),
                    tag,
                    fail,
                }) as Box<dyn Reporter>
            })
            .collect();
        (Reporters::new(reporters), seen)
    }

    #[test]
    fn fan_out_sends_every_event_and_finish_to_all() {
        let (mut all, seen) = probes([false, false, false]);
        all.event(&RunEvent::RunStarted {
            test_cases: 1,
            parallel: 1,
        })
        .expect("event");
        all.finish().expect("finish");
        assert_eq!(
            *seen.lock().expect("lock"),
            ["a start", "b start", "c start", "a finish", "b finish", "c finish"]
        );
    }

    #[test]
    fn fan_out_first_error_wins_and_all_still_get_finish() {
        let (mut all, seen) = probes([false, true, true]);
        let err = all
            .event(&RunEvent::RunStarted {
                test_cases: 1,
                parallel: 1,
            })
            .expect_err("b fails");
        assert_eq!(err.to_string(), "b event");
        let err = all.finish().expect_err("b fails");
        assert_eq!(err.to_string(), "b finish");
        assert_eq!(
            *seen.lock().expect("lock"),
            ["a start", "b start", "c start", "a finish", "b finish", "c finish"]
        );
    }

    #[test]
    fn report_files_are_written_whole_into_new_directories() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("reports/ci/out.xml");
        write_report_file(&path, b"one").expect("write");
        write_report_file(&path, b"two").expect("overwrite");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("reports/ci"))
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["out.xml"], "no temporary file left behind");
    }
}
