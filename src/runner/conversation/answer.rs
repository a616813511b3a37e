//! When and how a `#me` answer goes out.
//!
//! A caller who knows the menu does not wait for the IVR to finish: they answer when they hear
//! their option. After a `#bot` step has matched, the answer that follows it goes out
//! (`TWILIO_IVR_ANSWER_TIMING`):
//!
//! - `offer` (default): as soon as the IVR has offered it ([`Offer`]: "press 1", "1 for sales",
//!   "say sales") in the matched text or after it, or when the IVR falls silent, whichever comes
//!   first; answers the IVR never offers (several keys, a recording) wait for silence;
//! - `match`: as soon as the step has matched, even mid-prompt;
//! - `silence`: once the IVR has fallen silent.
//!
//! "Silent" is the pause that ends the recogniser's utterance (`TWILIO_IVR_SPEECH_TIMEOUT`, 1 s
//! by default): the runner's `<Gather>` reports what it heard. Waiting longer would miss the
//! `<Gather>` of an IVR that asks an open question and listens only a few seconds.
//!
//! An answer given while a webhook waits goes out in its reply; one decided mid-prompt (from an
//! interim result) redirects the caller's own leg through Twilio's live-call update ([`LiveCall`]).
//! Consecutive `#me` steps are separate answers: each waits until the IVR reacted to the one
//! before (it spoke, or fell silent, after that answer took effect), so a second key never
//! reaches an IVR whose next `<Gather>` is not listening yet.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use super::Conversation;
use crate::config::AnswerTiming;
use crate::events::{Failure, Happened};
use crate::runner::offer::Offer;
use crate::turn::Action;
use botiumscript::convo::ConvoStep;

/// The caller's own call leg, redirected to an answer while the IVR still speaks.
pub trait LiveCall: Send + Sync {
    /// Makes the caller's leg give `actions` at once, then listen expecting `hints` (Twilio's
    /// live-call update with inline TwiML; the `<Gather>` it interrupts reports nothing).
    fn redirect<'a>(
        &'a self,
        actions: &'a [Action],
        hints: Vec<String>,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;
}

/// What decided when an answer went out.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum AnswerCue {
    /// The IVR offered it, in these (canonical) words.
    Offer(String),
    /// The `#bot` step before it matched what the IVR was still saying.
    Match,
    /// The IVR paused after offering it in these words.
    Paused(String),
    /// The IVR paused (the recogniser ended its utterance) without offering it in words.
    Silence,
}

/// What a matched `#bot` step leaves for the `#me` answer that follows it.
#[derive(Debug, Clone)]
pub(super) struct AnswerSetup {
    /// When the step began listening.
    pub listening_since: Instant,
    /// What the IVR said for the step, matched words and the rest (where an offer may be).
    pub heard: String,
    /// Already decided (mid-prompt, from an interim result).
    pub cue: Option<AnswerCue>,
}

impl Conversation<'_> {
    /// A `#me` step: waits until the IVR reacted to a previous answer, decides when this one
    /// goes out (after a `#bot` step), and gives it.
    pub(super) async fn answer(&mut self, step: &ConvoStep) -> Result<(), Failure> {
        let (text, actions) = self.actions_of(step).map_err(|m| self.failure(step, m))?;
        if self.after_answer {
            self.wait_for_reaction().await;
        }
        let cue = self
            .answer_setup
            .take()
            .map(|setup| self.cue_for(setup, &actions));
        self.last_me = format!("{}: #me - {text}", step.step_tag);
        let early = self.note_cue(cue.as_ref(), !actions.is_empty());
        for action in &actions {
            self.note(Happened::Caller(action.clone()), None);
        }
        self.deliver(actions, early).await;
        self.after_answer = true;
        Ok(())
    }

    /// When the answer after a matched `#bot` step goes out (see the module doc): as decided
    /// mid-prompt, or now that the IVR paused (its offer named when the words hold it).
    fn cue_for(&self, setup: AnswerSetup, actions: &[Action]) -> (AnswerCue, Duration) {
        let offered = || {
            let offer = Offer::of(actions)?;
            (self.options.answer_timing == AnswerTiming::Offer)
                .then(|| offer.find_in(&setup.heard))?
        };
        let cue = match &setup.cue {
            Some(cue) => cue.clone(),
            None => offered().map_or(AnswerCue::Silence, AnswerCue::Paused),
        };
        (cue, setup.listening_since.elapsed())
    }

    /// Waits (bounded by `WAITFORBOTTIMEOUT`) until the previous answer has gone out and the IVR
    /// reacted to it: it spoke, or fell silent, after the answer took effect.
    async fn wait_for_reaction(&mut self) {
        let deadline = tokio::time::Instant::now() + self.options.wait_for_bot;
        loop {
            if (self.reacted && !self.answer_in_flight) || self.ended {
                return;
            }
            self.listen_if_a_turn_waits();
            match tokio::time::timeout_at(deadline, self.session.events.recv()).await {
                Ok(Some(event)) => self.on_event(event),
                Ok(None) | Err(_) => return,
            }
        }
    }

    /// Notes in the transcript when and why an answer goes out; true when it goes out while the
    /// IVR still speaks (then a failure of the next step names it).
    fn note_cue(&mut self, cue: Option<&(AnswerCue, Duration)>, answering: bool) -> bool {
        let Some((cue, after)) = cue.filter(|_| answering) else {
            return false;
        };
        let after = after.as_secs_f64();
        let (line, early) = match cue {
            AnswerCue::Offer(words) => (
                format!("answered on offer \"{words}\" after {after:.1} s"),
                true,
            ),
            AnswerCue::Match => (format!("answered on match after {after:.1} s"), true),
            AnswerCue::Paused(words) => (
                format!("answered after silence (offered \"{words}\")"),
                false,
            ),
            AnswerCue::Silence => ("answered after silence".to_string(), false),
        };
        self.note(Happened::System(line.clone()), None);
        self.early_answer = early.then_some(line);
        early
    }

    /// Gives `actions` as one answer: in the reply of a waiting webhook; decided mid-prompt
    /// (`early`), through the live-call update; otherwise with the next webhook.
    async fn deliver(&mut self, actions: Vec<Action>, early: bool) {
        if actions.is_empty() {
            return;
        }
        self.reacted = false;
        if early && !self.turn_waiting {
            if let Some(call) = self.call {
                match call.redirect(&actions, self.session.hints()).await {
                    Ok(()) => {
                        // What the IVR said until now belonged to the step before this answer;
                        // late interim results of the interrupted `<Gather>` are dropped.
                        self.queue.clear();
                        self.superseded_partial = self.partial.take().map(|p| p.to_lowercase());
                        self.partial_consumed = 0;
                        self.answer_in_flight = false;
                        return;
                    }
                    Err(error) => self.note(
                        Happened::System(format!("the live-call update failed ({error}); the answer goes out with the next webhook")),
                        None,
                    ),
                }
            }
        }
        // At once, so a waiting webhook answers with the whole step, never half of it. Its reply
        // goes out now: what is queued was said before the answer.
        if self.turn_waiting {
            self.queue.clear();
        }
        self.answer_in_flight = true;
        self.session.act_all(actions);
        self.turn_waiting = false;
    }

    /// What a `#me` step says (`Say`), presses (`BUTTON`) and plays (`MEDIA`), in script order,
    /// with scripting memory substituted (in the text only when memory is enabled; in arguments
    /// always), and its text. An error leaves nothing to send: a step goes out whole or not at all.
    pub(super) fn actions_of(&self, step: &ConvoStep) -> Result<(String, Vec<Action>), String> {
        let tag = &step.step_tag;
        let text = match step.text.as_deref() {
            Some(text) => self.memory.apply_to_text(text),
            None => Ok(String::new()),
        };
        let text = text.map_err(|e| format!("{tag}: {e}"))?;
        let mut actions = Vec::new();
        if !text.is_empty() {
            let tones = self.options.digit_text_as_tones
                && text
                    .chars()
                    .all(|c| matches!(c, '0'..='9' | '*' | '#' | 'w' | 'W'));
            actions.push(if tones {
                Action::Press(text.clone())
            } else {
                Action::Say(text.clone())
            });
        }
        for input in &step.user_inputs {
            let Some(written) = input.args.first() else {
                continue;
            };
            let name = &input.name;
            let arg = self
                .memory
                .apply(written)
                .map_err(|e| format!("{tag}: {name} {written}: {e}"))?;
            match name.as_str() {
                "BUTTON" => {
                    if let Some(bad) = botiumscript::convo::validate::invalid_key(&arg) {
                        return Err(format!(
                            "{tag}: BUTTON {written}: invalid character \"{bad}\" in the keys \"{arg}\" (keys are 0-9, * and #; w and W wait)"
                        ));
                    }
                    actions.push(Action::Press(arg));
                }
                "MEDIA" => {
                    if let Some(problem) = botiumscript::convo::validate::media_problem(&arg) {
                        return Err(format!("{tag}: MEDIA {written}: {problem}"));
                    }
                    actions.push(Action::Play(arg));
                }
                _ => {}
            }
        }
        Ok((text, actions))
    }
}
