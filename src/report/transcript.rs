//! One text file per test case with everything said, pressed and heard on its call.
//!
//! ```text
//! test:      refund/card
//! file:      tests/refund.convo.txt
//! verdict:   failed: Line 12: Bot response (on Line 9: #me - refund) "..." expected to match "..."
//! call:      CA0000000000000000000000000000000b (7.5 s)
//! recording: none
//!
//! +  1.00 s  IVR     Welcome to Acme. (confidence 0.90, responded after 1.00 s)
//! +  2.50 s  CALLER  says: refund
//! ```
//!
//! A failure whose heard text is much longer than the expected one also gets a
//! `closest passage:` line under `verdict:` (see [`botiumscript::matching::closest_passage`]); IVR lines
//! show a prompt repeated back to back once, with ` (said k times)`.
//!
//! File names come from test names, which hold `/`, spaces and anything else: see
//! [`sanitise`].

use std::collections::{BTreeMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};

use super::format::{aligned, headline, one_line, percent, secs, transcript_line};
use super::{write_report_file, Reporter};
use crate::events::{RunEvent, TestResult, Verdict};

/// Longest file stem, in characters: room for a suffix and `.txt` within every file system's
/// 255-byte limit even with multi-byte characters.
const MAX_STEM: usize = 60;

/// Writes `<dir>/<sanitised test name>.txt` as each test case finishes, so that the
/// transcripts of a long run are readable before it ends.
#[derive(Debug)]
pub struct TranscriptWriter {
    dir: PathBuf,
    /// File stem per test case index.
    stems: BTreeMap<usize, String>,
    /// Stems taken, lower-cased: `Menu` and `menu` are one file on macOS and Windows.
    taken: HashSet<String>,
}

impl TranscriptWriter {
    /// Transcripts into `dir` (created when the first one is written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        TranscriptWriter {
            dir: dir.into(),
            stems: BTreeMap::new(),
            taken: HashSet::new(),
        }
    }

    /// The directory the transcripts go to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file stem of a test case, unique in this run: the sanitised name, with `-2`, `-3`
    /// ... when another test case already has it. Assigned when a test case starts (in index
    /// order, normally) rather than when it finishes (in any order), so that names are stable
    /// from run to run.
    fn stem(&mut self, index: usize, name: &str) -> String {
        if let Some(stem) = self.stems.get(&index) {
            return stem.clone();
        }
        let base = sanitise(name);
        let mut stem = base.clone();
        let mut n = 2;
        while !self.taken.insert(stem.to_lowercase()) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        self.stems.insert(index, stem.clone());
        stem
    }

    fn write(&mut self, result: &TestResult) -> io::Result<()> {
        let stem = self.stem(result.index, &result.name);
        let path = self.dir.join(format!("{stem}.txt"));
        write_report_file(&path, render(result).as_bytes())
    }
}

/// The file's text: a header, a blank line, then one line per transcript entry.
fn render(result: &TestResult) -> String {
    let verdict = match &result.verdict {
        Verdict::Passed => "passed".to_string(),
        Verdict::Failed(failure) => format!("failed: {}", headline(&result.name, failure)),
        Verdict::Error(failure) => format!("error: {}", headline(&result.name, failure)),
    };
    let call = match &result.call_sid {
        Some(sid) => format!("{sid} ({})", secs(result.call_duration)),
        None => "none (no call was created)".into(),
    };
    let mut header = vec![
        ("test", result.name.clone()),
        ("file", result.file.display().to_string()),
        ("verdict", verdict),
    ];
    if let Verdict::Failed(failure) | Verdict::Error(failure) = &result.verdict {
        if let Some(passage) = failure.closest_passage() {
            header.push((
                "closest passage",
                format!(
                    "{} (similarity {})",
                    one_line(&passage.text),
                    percent(passage.similarity)
                ),
            ));
        }
    }
    header.push(("call", call));
    header.push((
        "recording",
        result
            .recording_url
            .clone()
            .unwrap_or_else(|| "none".into()),
    ));
    let mut out = aligned(&header, "");
    out.push('\n');
    if result.transcript.is_empty() {
        out.push_str("(nothing was said or heard)\n");
    }
    for entry in &result.transcript {
        out.push_str(&transcript_line(entry));
        out.push('\n');
    }
    out
}

/// A file stem from a test name: letters, digits, `-`, `_` and `.` kept; every run of
/// anything else (`/`, spaces, quotes, control characters) becomes one `_`; no leading or
/// trailing `_` or `.` (hidden files, Windows); at most 60 characters; names that Windows
/// reserves whatever the extension (`CON`, `NUL`, `COM1.x`...) get a leading `_`; an empty
/// result is `test`.
pub fn sanitise(name: &str) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            stem.push(c);
        } else if !stem.ends_with('_') {
            stem.push('_');
        }
    }
    let stem: String = stem
        .trim_matches(['_', '.'])
        .chars()
        .take(MAX_STEM)
        .collect();
    let stem = stem.trim_end_matches(['_', '.']).to_string();
    if stem.is_empty() {
        return "test".into();
    }
    let device = stem.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(device.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (device.len() == 4
            && (device.starts_with("COM") || device.starts_with("LPT"))
            && device.ends_with(|c: char| c.is_ascii_digit()));
    if reserved {
        format!("_{stem}")
    } else {
        stem
    }
}

impl Reporter for TranscriptWriter {
    fn event(&mut self, event: &RunEvent) -> io::Result<()> {
        match event {
            RunEvent::TestStarted { index, name } => {
                self.stem(*index, name);
                Ok(())
            }
            RunEvent::TestFinished { result } => self.write(result),
            _ => Ok(()),
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn one_file_per_test_case_with_header_and_transcript() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("transcripts");
        let mut writer = TranscriptWriter::new(&dir);
        for event in fixtures::events() {
            writer.event(&event).expect("event");
        }
        writer.finish().expect("finish");
        assert_eq!(
            files(&dir),
            [
                "billing_pay_by_card.txt",
                "outage.txt",
                "refund_fast_card.txt"
            ]
        );
        let failed = std::fs::read_to_string(dir.join("refund_fast_card.txt")).expect("read");
        assert_eq!(
            failed,
            "test:      refund \"fast\" <&>/card\n\
             file:      tests/refund.convo.txt\n\
             verdict:   failed: Line 12: Bot response (on Line 9: #me - refund) \"Your refund is on its way\" expected to match \"Your refund was issued\"\n\
             call:      CA0000000000000000000000000000000b (7.5 s)\n\
             recording: none\n\
             \n\
             +  0.00 s  SYSTEM  call answered\n\
             +  1.00 s  IVR     Welcome to Acme. (confidence 0.90, responded after 1.00 s)\n\
             +  2.50 s  CALLER  says: refund\n\
             +  4.00 s  IVR     Refunds. Say card or cash. (confidence 0.88, responded after 1.50 s)\n\
             +  5.00 s  CALLER  says: card\n\
             + 14.20 s  IVR     Your refund is on its way (confidence 0.84, responded after 9.20 s)\n"
        );
        let passed = std::fs::read_to_string(dir.join("billing_pay_by_card.txt")).expect("read");
        assert!(
            passed.starts_with("test:      billing/pay by card\n"),
            "{passed}"
        );
        assert!(passed.contains("\nverdict:   passed\n"), "{passed}");
        assert!(
            passed.contains("\nrecording: https://api.twilio.com/rec/RE1\n"),
            "{passed}"
        );
        assert!(
            passed.ends_with("+  5.00 s  CALLER  presses: 1\n"),
            "{passed}"
        );
        let error = std::fs::read_to_string(dir.join("outage.txt")).expect("read");
        assert!(
            error.contains("\nverdict:   error: call failed: busy\n"),
            "{error}"
        );
        assert!(
            error.contains("\ncall:      none (no call was created)\n"),
            "{error}"
        );
        assert!(
            error.ends_with("\n(nothing was said or heard)\n"),
            "{error}"
        );
    }

    #[test]
    fn a_long_repeated_prompt_is_shown_once_with_the_closest_passage() {
        let text = render(&fixtures::long_prompt());
        let menu = "Thank you for calling Acme. For your balance, press 1. For billing \
                    questions, press to. (said 2 times)";
        assert_eq!(
            text,
            format!(
                "test:            billing menu\n\
                 file:            tests/menu.convo.txt\n\
                 verdict:         failed: Line 12: Bot response (on Line 9: #me - hello) \"{menu}\" \
                 expected to match \"For billing questions, press 2\"\n\
                 closest passage: For billing questions, press to. (similarity 93%)\n\
                 call:            CA0000000000000000000000000000000d (9.0 s)\n\
                 recording:       none\n\
                 \n\
                 +  0.00 s  SYSTEM  call answered\n\
                 +  2.00 s  CALLER  says: hello\n\
                 +  9.00 s  IVR     {menu} (confidence 0.91, responded after 7.00 s)\n"
            )
        );
    }

    #[test]
    fn names_that_sanitise_alike_get_distinct_stable_files() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut writer = TranscriptWriter::new(tmp.path());
        let names = [
            "menu/billing",
            "menu billing",
            "Menu_Billing",
            "menu_billing-2",
        ];
        for (index, name) in names.iter().enumerate() {
            writer
                .event(&RunEvent::TestStarted {
                    index,
                    name: (*name).into(),
                })
                .expect("start");
        }
        // Finish in reverse: the names were settled at the start.
        for (index, name) in names.iter().enumerate().rev() {
            let mut result = fixtures::passed();
            result.index = index;
            result.name = (*name).into();
            writer
                .event(&RunEvent::TestFinished { result })
                .expect("finish");
        }
        assert_eq!(
            files(tmp.path()),
            [
                "Menu_Billing-3.txt",
                "menu_billing-2-2.txt",
                "menu_billing-2.txt",
                "menu_billing.txt"
            ]
        );
        let second = std::fs::read_to_string(tmp.path().join("menu_billing-2.txt")).expect("read");
        assert!(second.starts_with("test:      menu billing\n"), "{second}");
    }

    #[test]
    fn sanitise_rules() {
        assert_eq!(sanitise("billing/pay by card"), "billing_pay_by_card");
        assert_eq!(sanitise("../../etc/passwd"), "etc_passwd");
        assert_eq!(sanitise(".hidden"), "hidden");
        assert_eq!(sanitise("Grüße: 1 + 1"), "Grüße_1_1");
        assert_eq!(sanitise("a\u{0}b\tc"), "a_b_c");
        assert_eq!(sanitise("///"), "test");
        assert_eq!(sanitise(""), "test");
        assert_eq!(sanitise("con"), "_con");
        assert_eq!(sanitise("COM1.menu"), "_COM1.menu");
        assert_eq!(sanitise("COMA"), "COMA");
        let long = sanitise(&"x".repeat(300));
        assert_eq!(long.chars().count(), MAX_STEM);
        assert_eq!(
            sanitise(&format!("{}/b", "y".repeat(MAX_STEM - 1))),
            "y".repeat(MAX_STEM - 1)
        );
    }
}
