//! A `#bot` step: take the next message heard (waiting up to the step timeout), join the
//! fragments of a split prompt, capture scripting memory, compare, and explain a mismatch as
//! Botium does.

use std::time::{Duration, Instant};

use super::answer::AnswerCue;
use super::{step_ref, AnswerSetup, Conversation, Heard, Wait};
use crate::config::AnswerTiming;
use crate::events::{Failure, Happened};
use crate::runner::offer::Offer;
use botiumscript::convo::{Convo, ConvoStep, Sender};
use botiumscript::matching::MatchHow;

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
                            .filter(|w| !botiumscript::convo::variables::uses_memory(w))
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
    ) -> Result<(Vec<String>, botiumscript::matching::MatchResult), String> {
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

    /// A `#bot` step on the stream of what the IVR says. `next` is the step after it: when that
    /// is a `#me` answer, this step leaves it an [`AnswerSetup`], and may decide mid-prompt
    /// that the answer goes now (see `answer.rs`).
    pub(super) async fn expect_bot(
        &mut self,
        convo: &Convo,
        step: &ConvoStep,
        next: Option<&ConvoStep>,
    ) -> Result<(), Failure> {
        self.after_answer = false;
        let listening_since = Instant::now();
        let timeout = step_timeout(step).unwrap_or(self.options.wait_for_bot);
        let deadline = tokio::time::Instant::now() + timeout;
        let tag = format!("{}/{}", convo.name, step.step_tag);
        // A failure right after an answer given mid-prompt may mean the IVR ignored it.
        let early_hint = self.early_answer.take().map(|how| {
            format!(
                " (the answer before this step was given while the IVR was speaking: {how}; \
                 if the IVR ignored it (it kept talking, reprompted or timed out), set \
                 TWILIO_IVR_ANSWER_TIMING to \"silence\")"
            )
        });
        let hint = early_hint.as_deref().unwrap_or("");
        let fail = |message: String,
                    heard: Option<&Heard>,
                    expected: Option<String>,
                    similarity: Option<f64>,
                    at: Duration| Failure {
            step: Some(step_ref(step)),
            message: format!("{message}{hint}"),
            expected,
            heard: heard.map(|h| h.text.clone()),
            similarity,
            confidence: heard.and_then(|h| h.confidence),
            at,
        };
        let answer_next = next.filter(|n| n.sender == Sender::Me);
        let early = self.early_rule(step, answer_next);
        let expected = step.text.as_deref().filter(|t| !t.is_empty());
        let written = expected.map(|e| self.candidates(e)).unwrap_or_default();
        // The fragments this step has taken from the stream, and how they compared.
        let mut parts: Vec<Heard> = Vec::new();
        let mut compared = None;
        loop {
            let wait = self
                .next_heard(deadline, !parts.is_empty(), early.is_some())
                .await;
            let heard = match wait {
                Wait::Heard(heard) => heard,
                Wait::Partial(interim) => {
                    // Words of the utterance an earlier step took are not this step's.
                    let fresh: Vec<&str> = interim
                        .split_whitespace()
                        .skip(self.partial_consumed)
                        .collect();
                    let said = joined(&parts, Some(&fresh.join(" ")));
                    match self.early_cue(early.as_ref(), &written, &said.text) {
                        Some(AnswerCue::Silence) => {
                            // Matched mid-utterance, no answer next: the rest of the
                            // utterance is the next step's.
                            let consumed = self.take_interim(&parts, &fresh, &written);
                            return self.assert_step(convo, step, &consumed).await;
                        }
                        Some(cue) => {
                            // The answer goes now, mid-prompt: all heard so far was this step's.
                            self.note(Happened::Ivr(fresh.join(" ")), None);
                            self.partial_consumed += fresh.len();
                            self.answer_setup = Some(AnswerSetup {
                                listening_since,
                                heard: said.text.clone(),
                                cue: Some(cue),
                            });
                            return self.assert_step(convo, step, &said).await;
                        }
                        None => continue,
                    }
                }
                Wait::Silent | Wait::TimedOut | Wait::HungUp if !parts.is_empty() => break,
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
            parts.push(heard);
            if expected.is_none() {
                // No text expected: the next message passes (Botium: "the answer won't be
                // checked").
                break;
            }
            let said = joined(&parts, None);
            let (candidates, result) = self.compare(&written, &said.text).map_err(|e| {
                fail(
                    format!("{tag}: {e}"),
                    Some(&said),
                    None,
                    None,
                    self.started.elapsed(),
                )
            })?;
            let done = result.matched || step.not || !self.options.join_fragments;
            compared = Some((candidates, result));
            if done {
                break;
            }
        }
        let said = joined(&parts, None);
        let Some((candidates, result)) = compared else {
            self.leave_for_answer(answer_next, listening_since, &said);
            return self.assert_step(convo, step, &said).await;
        };
        let passed = if step.not {
            !result.matched
        } else {
            result.matched
        };
        if passed {
            // An answer next drops the rest anyway (it was said before the answer took effect):
            // only the step's asserters need to know where its words end.
            let consumed = if step.not || (answer_next.is_some() && step.asserters.is_empty()) {
                said.clone()
            } else {
                self.consume(parts, &candidates)
            };
            self.leave_for_answer(answer_next, listening_since, &said);
            return self.assert_step(convo, step, &consumed).await;
        }
        if step.optional && next.is_some_and(|n| n.sender == Sender::Bot) {
            // Botium: a non-matching message goes to the next #bot step.
            for part in parts.into_iter().rev() {
                self.queue.push_front(part);
            }
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
                self.last_me, said.text
            ),
            Some(&said),
            Some(match candidates.as_slice() {
                [one] => one.clone(),
                _ => expected.unwrap_or_default().to_string(),
            }),
            Some(result.score),
            self.started.elapsed(),
        ))
    }

    /// What a step that matched `parts` and the `fresh` words of an interim result takes: the
    /// words through its match; the rest of the utterance stays for the next step.
    fn take_interim(&mut self, parts: &[Heard], fresh: &[&str], written: &[String]) -> Heard {
        let said = joined(parts, Some(&fresh.join(" ")));
        let before: usize = parts
            .iter()
            .map(|p| p.text.split_whitespace().count())
            .sum();
        let refs: Vec<&str> = written.iter().map(String::as_str).collect();
        let through = self
            .matcher
            .matched_words(&said.text, &refs)
            .unwrap_or(before + fresh.len())
            .clamp(before, before + fresh.len());
        self.partial_consumed += through - before;
        self.note(Happened::Ivr(fresh[..through - before].join(" ")), None);
        let words: Vec<&str> = said.text.split_whitespace().collect();
        Heard {
            text: words[..through].join(" "),
            confidence: said.confidence,
        }
    }

    /// A matched step followed by a `#me` answer tells the answer what was heard.
    fn leave_for_answer(&mut self, answer: Option<&ConvoStep>, since: Instant, said: &Heard) {
        if answer.is_some() {
            self.answer_setup = Some(AnswerSetup {
                listening_since: since,
                heard: said.text.clone(),
                cue: None,
            });
        }
    }

    /// Whether this step may decide from interim results, and on what (see `answer.rs`). Not
    /// with `silence`, nor where an early decision could be wrong: no expected text, a negated
    /// step, a step that captures scripting memory or ends in a wildcard (it wants what
    /// follows), a matching mode that compares whole messages, a conditional group, or (with
    /// `offer`) an answer the IVR cannot offer.
    fn early_rule(&self, step: &ConvoStep, answer: Option<&ConvoStep>) -> Option<EarlyRule> {
        let text = step.text.as_deref().filter(|t| !t.is_empty())?;
        let candidates = self.candidates(text);
        let captures = self.options.memory.enabled
            && candidates
                .iter()
                .any(|c| !botiumscript::convo::variables::memory_variables(c).is_empty());
        let open_ended = candidates.iter().any(|c| self.matcher.ends_in_wildcard(c));
        // Whole-message modes (`equals`, `wildcardExact`, `wer`) need the whole utterance.
        let whole = !candidates.iter().all(|c| self.matcher.matches_part(c));
        let conditional = step
            .logic_hooks
            .iter()
            .any(|h| h.name.starts_with("CONDITIONAL_STEP"));
        if step.not || captures || open_ended || whole || conditional {
            return None;
        }
        match (self.options.answer_timing, answer) {
            (AnswerTiming::Silence, _) => None,
            (_, None) => Some(EarlyRule::Consume),
            (AnswerTiming::Match, Some(_)) => Some(EarlyRule::Match),
            (AnswerTiming::Offer, Some(answer)) => {
                let (_, actions) = self.actions_of(answer).ok()?;
                Offer::of(&actions).map(EarlyRule::Offer)
            }
        }
    }

    /// Whether the step passes now, given what the IVR has said so far for it (`said`, ending in
    /// an interim result), and if an answer follows, why it goes now (`Silence`: no answer
    /// follows; the step just takes its words).
    fn early_cue(
        &self,
        rule: Option<&EarlyRule>,
        written: &[String],
        said: &str,
    ) -> Option<AnswerCue> {
        let rule = rule?;
        let candidates: Vec<String> = written
            .iter()
            .map(|c| self.memory.apply_to_text(c).unwrap_or_else(|_| c.clone()))
            .collect();
        let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
        let result = self.matcher.compare_any(said, &refs);
        if !result.matched || result.how == MatchHow::NearMiss {
            return None;
        }
        match rule {
            EarlyRule::Consume => Some(AnswerCue::Silence),
            EarlyRule::Match => Some(AnswerCue::Match),
            EarlyRule::Offer(offer) => offer.find_in(said).map(AnswerCue::Offer),
        }
    }

    /// Takes what a passing match consumed out of `parts`, returning the rest to the stream:
    /// through the last matched word (to the end of its fragment when the expectation ends in a
    /// wildcard); whole fragments in whole-text modes or with `TWILIO_IVR_JOIN_FRAGMENTS=false`.
    fn consume(&mut self, parts: Vec<Heard>, candidates: &[String]) -> Heard {
        let said = joined(&parts, None);
        let open_ended = candidates.iter().any(|c| self.matcher.ends_in_wildcard(c));
        if open_ended && parts.len() == 1 {
            // It runs to the end of the message it ends in: there is only one.
            return said;
        }
        let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
        let cut = if self.options.join_fragments {
            self.matcher.matched_words(&said.text, &refs)
        } else {
            None
        };
        let Some(mut cut) = cut else {
            return said;
        };
        let mut rest = Vec::new();
        let mut taken = Vec::new();
        let mut words_before = 0;
        for part in parts {
            let words: Vec<&str> = part.text.split_whitespace().collect();
            let end = words_before + words.len();
            if open_ended && cut > words_before && cut < end {
                cut = end;
            }
            let keep = cut.saturating_sub(words_before).min(words.len());
            if keep > 0 {
                taken.push(words[..keep].join(" "));
            }
            if keep < words.len() {
                rest.push(Heard {
                    text: words[keep..].join(" "),
                    confidence: part.confidence,
                });
            }
            words_before = end;
        }
        for part in rest.into_iter().rev() {
            self.queue.push_front(part);
        }
        Heard {
            text: taken.join(" "),
            confidence: said.confidence,
        }
    }
}

/// How a step may decide on an interim result (that it passed, and that the answer after it
/// goes now).
#[derive(Debug, Clone)]
enum EarlyRule {
    /// No answer follows: it passes as soon as it matches, taking the words through its match.
    Consume,
    /// As soon as it matches (`match`).
    Match,
    /// Once it matches and the answer was offered (`offer`).
    Offer(Offer),
}

/// Fragments as one message (plus the interim result of what the IVR is saying now); the
/// confidence is the last fragment's that has one.
fn joined(parts: &[Heard], interim: Option<&str>) -> Heard {
    let mut texts: Vec<&str> = parts.iter().map(|p| p.text.as_str()).collect();
    texts.extend(interim.filter(|t| !t.is_empty()));
    Heard {
        text: texts.join(" "),
        confidence: parts.iter().rev().find_map(|p| p.confidence),
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
