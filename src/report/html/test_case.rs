//! One test case's section: verdict badge, facts, the failure (expected vs heard, closest
//! passage, word diff), the steps it started, the transcript table and the recording.
//!
//! Failed and error cases are open (`<details open>`), passed ones closed: a reader looks at
//! what went wrong first, and everything else stays one click (or Enter) away.

use std::fmt::Write;

use super::markup::{escape, facts};
use crate::events::{Failure, Happened, Speaker, StepRef, TestResult, TranscriptEntry, Verdict};
use crate::report::format::{diff_texts, failure_details, secs, step_location};
use crate::report::word_diff::{word_diff_pieces, Piece};
use botiumscript::matching::collapse_repeats;

/// The verdict as the report's filter and CSS name it.
pub fn verdict_key(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Passed => "passed",
        Verdict::Failed(_) => "failed",
        Verdict::Error(_) => "error",
    }
}

/// The badge's word: what a person reads first.
fn badge_word(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Passed => "PASS",
        Verdict::Failed(_) => "FAIL",
        Verdict::Error(_) => "ERROR",
    }
}

/// The `<article>` of one test case; `steps` are the steps it started, in order.
pub fn section(result: &TestResult, steps: &[StepRef]) -> String {
    let key = verdict_key(&result.verdict);
    let failure = match &result.verdict {
        Verdict::Passed => None,
        Verdict::Failed(failure) | Verdict::Error(failure) => Some(failure),
    };
    let mut out = format!(
        "<article class=\"test {key}\" data-verdict=\"{key}\" id=\"test-{index}\">\
         <details{open}><summary><h3><span class=\"badge {key}\">{badge}</span> \
         <span class=\"name\">{name}</span></h3></summary><div class=\"body\">",
        index = result.index,
        open = if failure.is_some() { " open" } else { "" },
        badge = badge_word(&result.verdict),
        name = escape(&result.name),
    );
    out.push_str(&facts(
        "facts",
        &[
            ("file", result.file.display().to_string()),
            ("duration", secs(result.duration)),
            ("call time", secs(result.call_duration)),
            (
                "call SID",
                result.call_sid.clone().unwrap_or_else(|| "none".into()),
            ),
        ],
    ));
    if let Some(failure) = failure {
        out.push_str(&failure_block(key, failure));
    }
    out.push_str(&steps_list(steps, failure, key));
    out.push_str(&transcript_table(&result.transcript));
    if let Some(url) = &result.recording_url {
        let _ = write!(
            out,
            "<h4>Recording</h4><p><audio controls preload=\"none\" src=\"{url}\" \
             aria-label=\"Recording of {name}\"></audio> <a href=\"{url}\">{url}</a></p>",
            url = escape(url),
            name = escape(&result.name),
        );
    }
    out.push_str("</div></details></article>\n");
    out
}

/// What went wrong: the message, expected vs heard, the closest passage and the word diff.
fn failure_block(key: &str, failure: &Failure) -> String {
    let title = if key == "error" { "Error" } else { "Failure" };
    let mut out = format!(
        "<div class=\"failure\"><h4>{title}</h4><p class=\"message\">{}</p>",
        escape(&failure.message)
    );
    // The console's details, but for the message (above) and the diff (drawn below).
    let pairs: Vec<(&str, String)> = failure_details(failure)
        .into_iter()
        .filter(|(label, _)| !matches!(*label, "message" | "diff"))
        .collect();
    out.push_str(&facts("facts failure-facts", &pairs));
    let passage = failure.closest_passage();
    if let Some((expected, heard)) = diff_texts(failure, passage.as_ref()) {
        if let Some(pieces) = word_diff_pieces(expected, heard) {
            out.push_str(&diff_paragraph(&pieces));
        }
    }
    out.push_str("</div>");
    out
}

/// The word diff: words only expected as `<del>[-…-]</del>`, only heard as `<ins>{+…+}</ins>`,
/// so that the markers are read (and copied) as well as seen, not told by colour alone.
pub fn diff_paragraph(pieces: &[Piece]) -> String {
    let mut out = String::from(
        "<p class=\"diff\"><span class=\"label\">diff (<del>[-expected-]</del> \
         <ins>{+heard+}</ins>):</span> ",
    );
    let words: Vec<String> = pieces
        .iter()
        .map(|piece| match piece {
            Piece::Same(words) => escape(words),
            Piece::Removed(words) => format!("<del>[-{}-]</del>", escape(words)),
            Piece::Added(words) => format!("<ins>{{+{}+}}</ins>", escape(words)),
        })
        .collect();
    out.push_str(&words.join(" "));
    out.push_str("</p>");
    out
}

/// The steps the test case started; the one its failure names is marked with the verdict
/// (`failed`, or `error` when the call failed there).
fn steps_list(steps: &[StepRef], failure: Option<&Failure>, key: &'static str) -> String {
    if steps.is_empty() {
        return "<h4>Steps</h4><p class=\"quiet\">No steps recorded.</p>".into();
    }
    let failed_at = failure
        .and_then(|f| f.step.as_ref())
        .and_then(|step| steps.iter().rposition(|s| s == step));
    let mut out = String::from("<h4>Steps</h4><ol class=\"steps\">");
    for (i, step) in steps.iter().enumerate() {
        let (class, word) = if Some(i) == failed_at {
            ("failed", key)
        } else {
            ("passed", "passed")
        };
        let _ = write!(
            out,
            "<li class=\"{class}\"><span class=\"step-state\">{word}</span> {}</li>",
            escape(&step_location(step))
        );
    }
    out.push_str("</ol>");
    out
}

/// Who a transcript line is about, as the table's column says it.
fn who(speaker: Speaker) -> &'static str {
    match speaker {
        Speaker::Caller => "caller",
        Speaker::Ivr => "IVR",
        Speaker::System => "system",
    }
}

/// The transcript as a table, inside a box that scrolls on its own on a narrow screen.
fn transcript_table(transcript: &[TranscriptEntry]) -> String {
    if transcript.is_empty() {
        return "<h4>Transcript</h4><p class=\"quiet\">Nothing was said.</p>".into();
    }
    let mut out = String::from(
        "<h4>Transcript</h4><div class=\"scroll\" tabindex=\"0\" role=\"region\" \
         aria-label=\"Transcript\"><table class=\"transcript\"><thead><tr><th scope=\"col\">\
         Time</th><th scope=\"col\">Who</th><th scope=\"col\">Text</th><th scope=\"col\">\
         Confidence</th><th scope=\"col\">Response time</th></tr></thead><tbody>",
    );
    for entry in transcript {
        let text = match &entry.what {
            Happened::Ivr(words) => collapse_repeats(words),
            _ => entry.text().into_owned(),
        };
        let speaker = who(entry.speaker());
        let _ = write!(
            out,
            "<tr class=\"{class}\"><td class=\"num\">+{at:.2} s</td><td>{speaker}</td>\
             <td>{text}</td><td class=\"num\">{confidence}</td><td class=\"num\">{rt}</td></tr>",
            class = speaker.to_lowercase(),
            at = entry.at.as_secs_f64(),
            text = escape(&text),
            confidence = entry
                .confidence
                .map(|c| format!("{c:.2}"))
                .unwrap_or_default(),
            rt = entry
                .response_time
                .map(|rt| format!("{:.2} s", rt.as_secs_f64()))
                .unwrap_or_default(),
        );
    }
    out.push_str("</tbody></table></div>");
    out
}
