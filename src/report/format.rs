//! Text shared by the reporters: durations, transcript lines, failure details.
//!
//! One place, so that the console, JUnit and the transcript files say the same thing the same
//! way.

use std::time::Duration;

use crate::events::{Failure, Happened, Speaker, StepRef, TranscriptEntry, Verdict};
use botiumscript::matching::{collapse_repeats, Passage};

/// Seconds with one decimal: `12.3 s`.
pub fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// A wall time: `25.4 s`, or `4 min 05 s` from a minute on.
pub fn wall(d: Duration) -> String {
    if d < Duration::from_secs(60) {
        secs(d)
    } else {
        let s = d.as_secs();
        format!("{} min {:02} s", s / 60, s % 60)
    }
}

/// Whole milliseconds, saturating (a report never fails over a silly duration).
pub fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A 0..=1 score as a whole percentage: `71%`.
pub fn percent(score: f64) -> String {
    format!("{:.0}%", score * 100.0)
}

/// The verdict's word, padded to one width so that names line up: `PASS `, `FAIL `, `ERROR`.
pub fn verdict_word(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Passed => "PASS ",
        Verdict::Failed(_) => "FAIL ",
        Verdict::Error(_) => "ERROR",
    }
}

/// Where a step is: `tests/refund.convo.txt:12 (Line 12, #bot)`.
pub fn step_location(step: &StepRef) -> String {
    format!(
        "{}:{} ({}, #{})",
        step.file.display(),
        step.line,
        step.tag,
        step.sender
    )
}

/// A failure in one line, for a line that already names the test case:
/// `Line 12: Bot response (...) "..." expected to match "..."`.
///
/// Botium's messages start with `<convo>/<tag>: `; the test name is dropped (the line shows
/// it already) and the tag kept, or added when the message lacks it. Botium joins several
/// errors with `,\n`, so line breaks become spaces.
pub fn headline(name: &str, failure: &Failure) -> String {
    let message = readable_message(failure);
    let message = message.trim();
    let message = message
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(message);
    let message = match &failure.step {
        Some(step) if !message.starts_with(&format!("{}:", step.tag)) => {
            format!("{}: {message}", step.tag)
        }
        _ => message.to_string(),
    };
    one_line(&message)
}

/// The failure's message with the heard text in it shown as [`Failure::heard_display`] does
/// (a looped prompt once, with its count). The JSON report keeps the message as it was.
fn readable_message(failure: &Failure) -> String {
    match (&failure.heard, failure.heard_display()) {
        (Some(heard), Some(display)) if !heard.is_empty() && *heard != display => {
            failure.message.replace(heard.as_str(), &display)
        }
        _ => failure.message.clone(),
    }
}

/// Joins lines with spaces (a message must not break a one-line-per-test log).
pub fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A failure's details as label/value pairs, only those the runner knows: the heard text with
/// repeats collapsed, and for a long heard text the closest passage, which the diff is then
/// computed against.
pub fn failure_details(failure: &Failure) -> Vec<(&'static str, String)> {
    let mut details = vec![("message", readable_message(failure))];
    if let Some(step) = &failure.step {
        details.push(("step", step_location(step)));
    }
    if let Some(expected) = &failure.expected {
        details.push(("expected", expected.clone()));
    }
    if let Some(heard) = failure.heard_display() {
        details.push(("heard", heard));
    }
    let passage = failure.closest_passage();
    if let Some(passage) = &passage {
        details.push((
            "closest passage",
            format!(
                "{} (similarity {})",
                one_line(&passage.text),
                percent(passage.similarity)
            ),
        ));
    }
    if let Some((expected, heard)) = diff_texts(failure, passage.as_ref()) {
        if let Some(diff) = super::word_diff::word_diff(expected, heard) {
            details.push(("diff", diff));
        }
    }
    if let Some(similarity) = failure.similarity {
        details.push(("similarity", percent(similarity)));
    }
    if let Some(confidence) = failure.confidence {
        details.push(("confidence", format!("{confidence:.2}")));
    }
    details.push((
        "at",
        format!("{:.2} s into the call", failure.at.as_secs_f64()),
    ));
    details
}

/// What a failure's word diff compares: the expected text, and what was heard or, when there is
/// one, its closest passage (a short phrase against a paragraph would show the whole paragraph
/// as added words).
pub fn diff_texts<'a>(
    failure: &'a Failure,
    passage: Option<&'a Passage>,
) -> Option<(&'a str, &'a str)> {
    let (expected, heard) = (failure.expected.as_deref()?, failure.heard.as_deref()?);
    Some((expected, passage.map_or(heard, |p| p.text.as_str())))
}

/// Label/value pairs as aligned lines, each starting with `indent`. Continuation lines of a
/// multi-line value are indented under the value.
pub fn aligned(details: &[(&str, String)], indent: &str) -> String {
    let width = details
        .iter()
        .map(|(label, _)| label.len())
        .max()
        .unwrap_or(0)
        + 1;
    let mut out = String::new();
    for (label, value) in details {
        let label = format!("{label}:");
        let mut lines = value.lines();
        let first = lines.next().unwrap_or("");
        out.push_str(&format!("{indent}{label:<width$} {first}\n"));
        for more in lines {
            out.push_str(&format!("{indent}{:<width$} {more}\n", ""));
        }
    }
    out
}

/// The speaker column, padded: `IVR   `, `CALLER`, `SYSTEM`.
fn speaker(speaker: Speaker) -> &'static str {
    match speaker {
        Speaker::Caller => "CALLER",
        Speaker::Ivr => "IVR   ",
        Speaker::System => "SYSTEM",
    }
}

/// One transcript line (see the module doc of [`crate::report`]):
/// `+  3.21 s  IVR     Welcome to Acme. (confidence 0.92, responded after 1.20 s)`.
///
/// IVR speech has back-to-back repeats collapsed (`... (said 3 times)`), so that a looped prompt
/// takes one line's worth of reading.
pub fn transcript_line(entry: &TranscriptEntry) -> String {
    let text = one_line(&entry.text());
    let text = match entry.what {
        Happened::Ivr(_) => collapse_repeats(&text),
        _ => text,
    };
    let mut notes = Vec::new();
    if let Some(confidence) = entry.confidence {
        notes.push(format!("confidence {confidence:.2}"));
    }
    if let Some(rt) = entry.response_time {
        notes.push(format!("responded after {:.2} s", rt.as_secs_f64()));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    };
    format!(
        "+{:>6.2} s  {}  {text}{notes}",
        entry.at.as_secs_f64(),
        speaker(entry.speaker())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    fn failure() -> Failure {
        match fixtures::failed().verdict {
            Verdict::Failed(f) => f,
            other => panic!("fixture changed: {other:?}"),
        }
    }

    #[test]
    fn transcript_lines_follow_the_documented_format() {
        let passed = fixtures::passed();
        let lines: Vec<_> = passed.transcript.iter().map(transcript_line).collect();
        assert_eq!(
            lines,
            [
                "+  1.20 s  IVR     Welcome to Acme. (confidence 0.92, responded after 1.20 s)",
                "+  3.21 s  CALLER  says: billing",
                "+  5.00 s  CALLER  presses: 1",
            ]
        );
        let system = &fixtures::failed().transcript[0];
        assert_eq!(transcript_line(system), "+  0.00 s  SYSTEM  call answered");
    }

    #[test]
    fn headline_drops_the_test_name_and_keeps_the_tag() {
        assert_eq!(
            headline(fixtures::FAILED_NAME, &failure()),
            "Line 12: Bot response (on Line 9: #me - refund) \"Your refund is on its way\" \
             expected to match \"Your refund was issued\""
        );
        let mut bare = failure();
        bare.message = "Bot did not respond\nwithin 300ms".into();
        assert_eq!(
            headline("x", &bare),
            "Line 12: Bot did not respond within 300ms"
        );
    }

    #[test]
    fn details_list_what_is_known_aligned() {
        let text = aligned(&failure_details(&failure()), "  ");
        let expected = format!(
            "  message:    {}\n  \
             step:       tests/refund.convo.txt:12 (Line 12, #bot)\n  \
             expected:   Your refund was issued\n  \
             heard:      Your refund is on its way\n  \
             diff:       Your refund [-was issued-]{{+is on its way+}}\n  \
             similarity: 71%\n  \
             confidence: 0.84\n  \
             at:         14.20 s into the call\n",
            failure().message
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn durations() {
        assert_eq!(secs(Duration::from_millis(12_345)), "12.3 s");
        assert_eq!(wall(Duration::from_millis(59_900)), "59.9 s");
        assert_eq!(wall(Duration::from_secs(245)), "4 min 05 s");
        assert_eq!(millis(Duration::MAX), u64::MAX);
        assert_eq!(percent(0.714), "71%");
    }
}
