//! A `#bot` step: take the next message heard (waiting up to the step timeout), join the
//! fragments of a split prompt, capture scripting memory, compare, and explain a mismatch as
//! Botium does.

use std::time::Duration;

use super::{step_ref, Conversation, Heard, Wait};
use crate::convo::{Convo, ConvoStep, Sender};
use crate::runner::events::Failure;

impl Conversation<'_> {
    /// What the recogniser should expect: the texts of the coming `#bot` steps (with what
    /// memory already knows; variables still unknown are left out).
    pub(super) fn hints(&self, steps: &[&ConvoStep]) -> Vec<String> {
        steps
            .iter()
            .take_while(|s| s.sender == Sender::Bot)
            .filter_map(|s| s.text.as_deref())
            .flat_map(|t| self.candidates(t))
            .map(|t| self.memory.apply_to_text(&t).unwrap_or(t))
            .flat_map(|t| {
                t.split(['*', '.', ',', '?', '!'])
                    .map(|p| {
                        p.split_whitespace()
                            .filter(|w| !crate::convo::variables::uses_memory(w))
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|p| !p.is_empty())
            .collect()
    }

    /// Captures memory from `heard` (when enabled), then compares it with the expected texts,
    /// substituted; returns those texts and the result.
    fn compare(
        &mut self,
        written: &[String],
        heard: &str,
    ) -> Result<(Vec<String>, crate::matching::MatchResult), String> {
        self.memory.capture(written, heard);
        let candidates = written
            .iter()
            .map(|c| self.memory.apply_to_text(c))
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
        let result = self.matcher.compare_any(heard, &refs);
        Ok((candidates, result))
    }

    pub(super) fn candidates(&self, text: &str) -> Vec<String> {
        match self.utterances.resolve(text) {
            Some((u, _)) => u.samples.clone(),
            None => vec![text.to_string()],
        }
    }

    pub(super) async fn expect_bot(
        &mut self,
        convo: &Convo,
        step: &ConvoStep,
        next: Option<&ConvoStep>,
    ) -> Result<(), Failure> {
        let timeout = step_timeout(step).unwrap_or(self.options.wait_for_bot);
        let deadline = tokio::time::Instant::now() + timeout;
        let tag = format!("{}/{}", convo.name, step.step_tag);
        let fail = |message: String,
                    heard: Option<&Heard>,
                    expected: Option<String>,
                    similarity: Option<f64>,
                    at: Duration| Failure {
            step: Some(step_ref(step)),
            message,
            expected,
            heard: heard.map(|h| h.text.clone()),
            similarity,
            confidence: heard.and_then(|h| h.confidence),
            at,
        };
        let mut heard = match self.next_heard(deadline, false).await {
            Wait::Heard(h) => h,
            Wait::TimedOut | Wait::Silent if step.optional => return Ok(()),
            Wait::TimedOut | Wait::Silent => {
                return Err(fail(
                    format!(
                        "{tag}: error waiting for bot - Bot did not respond within {}",
                        botium_duration(timeout)
                    ),
                    None,
                    step.text.clone(),
                    None,
                    self.started.elapsed(),
                ))
            }
            Wait::HungUp => {
                let why = self.lost.as_deref().unwrap_or("the IVR hung up");
                return Err(fail(
                    format!("{tag}: {why}"),
                    None,
                    step.text.clone(),
                    None,
                    self.started.elapsed(),
                ));
            }
        };
        let Some(expected) = step.text.as_deref().filter(|t| !t.is_empty()) else {
            // No text expected: any message passes (Botium: "the answer won't be checked").
            return self.assert_step(convo, step, &heard).await;
        };
        let written = self.candidates(expected);
        // A prompt split by the recogniser: join fragments until it matches or the IVR is silent.
        let (candidates, result) = loop {
            let (candidates, result) = self.compare(&written, &heard.text).map_err(|e| {
                fail(
                    format!("{tag}: {e}"),
                    Some(&heard),
                    None,
                    None,
                    self.started.elapsed(),
                )
            })?;
            if result.matched || step.not || !self.options.join_fragments {
                break (candidates, result);
            }
            match self.next_heard(deadline, true).await {
                Wait::Heard(h) => {
                    heard.text = format!("{} {}", heard.text, h.text);
                    heard.confidence = h.confidence.or(heard.confidence);
                }
                Wait::Silent | Wait::TimedOut | Wait::HungUp => break (candidates, result),
            }
        };
        let passed = if step.not {
            !result.matched
        } else {
            result.matched
        };
        if passed {
            return Ok(());
        }
        if step.optional && next.is_some_and(|n| n.sender == Sender::Bot) {
            // Botium: a non-matching message goes to the next #bot step.
            self.queue.push_front(heard);
            return Ok(());
        }
        let quoted = candidates
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let relation = match (step.not, candidates.len() > 1) {
            (true, _) => "expected NOT to match",
            (false, true) => "expected to match one of",
            (false, false) => "expected to match",
        };
        Err(fail(
            format!(
                "{tag}: Bot response (on {}) \"{}\" {relation} {quoted}",
                self.last_me, heard.text
            ),
            Some(&heard),
            Some(match candidates.as_slice() {
                [one] => one.clone(),
                _ => expected.to_string(),
            }),
            Some(result.score),
            self.started.elapsed(),
        ))
    }
}

/// `CONVO_STEP_PARAMETERS {"stepTimeout": ms}` (or `stepTimeout:ms`) of a step.
fn step_timeout(step: &ConvoStep) -> Option<Duration> {
    let hook = step
        .logic_hooks
        .iter()
        .find(|h| h.name == "CONVO_STEP_PARAMETERS")?;
    hook.args.iter().find_map(|arg| {
        let ms = match serde_json::from_str::<serde_json::Value>(arg) {
            Ok(json) => json.get("stepTimeout")?.as_u64()?,
            Err(_) => arg.strip_prefix("stepTimeout:")?.trim().parse().ok()?,
        };
        Some(Duration::from_millis(ms))
    })
}

/// Botium's duration format: `10s`, `1s 500ms`, `300ms`.
pub fn botium_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let ms = d.subsec_millis();
    match (secs, ms) {
        (0, ms) => format!("{ms}ms"),
        (s, 0) => format!("{s}s"),
        (s, ms) => format!("{s}s {ms}ms"),
    }
}
