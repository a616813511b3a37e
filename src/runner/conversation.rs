//! The step engine: runs one test case's `#me` and `#bot` steps over a call's session.
//!
//! - `#me`: text is spoken, `BUTTON` keys are pressed, in script order, as one answer. When it
//!   goes out is decided in `conversation/answer.rs` (`TWILIO_IVR_ANSWER_TIMING`): as soon as the
//!   IVR offered it, on the match, or after silence; consecutive `#me` steps are separate answers,
//!   each given once the IVR reacted to the one before.
//! - `#bot`: what the IVR says is one stream per call, in the fragments the recogniser reports.
//!   A step matches against the part not yet consumed, waiting up to the step timeout
//!   (`stepTimeout`, else `WAITFORBOTTIMEOUT`); fragments are joined until the expectation
//!   matches or the IVR falls silent (a `<Gather>` ends without speech), and a match consumes
//!   the stream only through its last word (see `conversation/bot_step.rs`). What the IVR said
//!   before an answer took effect belongs to the step before that answer.
//! - Optional steps (`?`) that time out or do not match are skipped (a non-matching message goes
//!   to the next `#bot` step); `!` negates; utterance names in `#bot` are alternatives.
//! - A call that ends while a step waits fails that step at once ("the IVR hung up").

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::turn::{is_final_status, Action, CallEvent, SessionEnd};
use botiumscript::convo::{Convo, ConvoStep, Sender, UtteranceBook};
use botiumscript::matching::Matcher;

use super::memory::{MemorySettings, ScriptingMemory};
use crate::config::AnswerTiming;
use crate::events::{Failure, Happened, RunEvent, StepRef, TranscriptEntry};

/// How the engine behaves beyond the script.
#[derive(Debug, Clone)]
pub struct ConversationOptions {
    /// `WAITFORBOTTIMEOUT`.
    pub wait_for_bot: Duration,
    /// Join recogniser fragments for a `#bot` step (false: Botium's one message per step).
    pub join_fragments: bool,
    /// The original connector's rule: `#me` text made only of `0-9*#w` is pressed, not spoken.
    pub digit_text_as_tones: bool,
    /// How long `CHECKTWILIOSMS` keeps looking for a matching message.
    pub sms_wait: Duration,
    /// Scripting memory (`SCRIPTING_ENABLE_MEMORY` and the rest).
    pub memory: Arc<MemorySettings>,
    /// The capabilities as written, for `CONDITIONAL_STEP_CAPABILITY_VALUE_BASED`.
    pub capabilities: Arc<BTreeMap<String, serde_json::Value>>,
    /// When a `#me` answer after a matched `#bot` step goes out (`TWILIO_IVR_ANSWER_TIMING`).
    pub answer_timing: AnswerTiming,
}

impl Default for ConversationOptions {
    fn default() -> Self {
        ConversationOptions {
            wait_for_bot: Duration::from_secs(10),
            join_fragments: true,
            digit_text_as_tones: false,
            sms_wait: Duration::from_secs(30),
            memory: Arc::default(),
            capabilities: Arc::default(),
            answer_timing: AnswerTiming::default(),
        }
    }
}

/// Where `CHECKTWILIOSMS` looks for text messages the IVR sent to the caller.
pub trait SmsInbox: Send + Sync {
    /// The bodies of the messages received since the call began.
    fn bodies(&self) -> Pin<Box<dyn Future<Output = Result<Vec<String>, String>> + Send + '_>>;
    /// For messages: `for +15551234 since <time>`.
    fn scope(&self) -> String;
}

/// The `CHECKTWILIOCALL` checks of an `#end` step, checked by the session once the call ended.
#[derive(Debug, Clone)]
pub struct CallChecks {
    /// The `#end` step they stand in.
    pub step: StepRef,
    /// The checks, all of which must hold.
    pub checks: Vec<botiumscript::convo::call_state::CallCheck>,
    /// `!CHECKTWILIOCALL`: passes when one of them fails.
    pub not: bool,
}

impl CallChecks {
    /// Whether these checks want the IVR to hang up (`endedBy=ivr`): the runner then waits for
    /// it before hanging up itself.
    pub fn expects_ivr_hang_up(&self) -> bool {
        !self.not
            && self
                .checks
                .contains(&botiumscript::convo::call_state::CallCheck::EndedBy(
                    botiumscript::convo::call_state::EndedBy::Ivr,
                ))
    }
}

/// A message the IVR said, as the recogniser heard it.
#[derive(Debug, Clone, PartialEq)]
struct Heard {
    text: String,
    confidence: Option<f64>,
}

/// What waiting for the IVR produced.
enum Wait {
    Heard(Heard),
    /// A new interim result (reported only when asked for): what the IVR is saying now.
    Partial(String),
    /// A `<Gather>` ended without speech (reported only when asked for).
    Silent,
    TimedOut,
    HungUp,
}

/// One test case's conversation over a session.
pub struct Conversation<'a> {
    session: &'a mut SessionEnd,
    matcher: &'a Matcher,
    utterances: &'a UtteranceBook,
    options: ConversationOptions,
    started: Instant,
    queue: VecDeque<Heard>,
    silent: bool,
    ended: bool,
    /// The interim result of what the IVR is saying now, if a `<Gather>` has not reported it.
    partial: Option<String>,
    /// A new interim result arrived since the engine last looked.
    partial_is_new: bool,
    /// Leading words of the current utterance that steps already took from its interim
    /// results: the utterance's final result starts after them.
    partial_consumed: usize,
    /// The interim result of a `<Gather>` this engine interrupted with a live-call update
    /// (lower case): late interim results of that `<Gather>` extend it and are dropped.
    superseded_partial: Option<String>,
    /// The last message heard in full, lower case (to drop interim results that arrive late).
    last_heard: String,
    /// Why the call can no longer be heard, when its webhooks' transport is gone.
    lost: Option<String>,
    /// A webhook delivered an event and waits for this engine's decision about it.
    turn_waiting: bool,
    last_me: String,
    last_turn: Option<Instant>,
    /// The caller's own call leg, for answers given while the IVR still speaks.
    call: Option<&'a dyn LiveCall>,
    /// What the last `#bot` step left for the `#me` answer that follows it.
    answer_setup: Option<AnswerSetup>,
    /// The last step was a `#me` answer (the next one waits for the IVR's reaction).
    after_answer: bool,
    /// An answer was decided and has not yet gone out to Twilio.
    answer_in_flight: bool,
    /// The IVR spoke, or fell silent, after the last answer took effect.
    reacted: bool,
    /// How the last answer was timed, when it went out before the IVR fell silent (a failure
    /// of the next step names it: the IVR may have ignored it).
    early_answer: Option<String>,
    sms: Option<&'a dyn SmsInbox>,
    memory: ScriptingMemory,
    events: Option<(tokio::sync::mpsc::UnboundedSender<RunEvent>, usize)>,
    /// Every line said, pressed or heard.
    pub transcript: Vec<TranscriptEntry>,
    /// The `CHECKTWILIOCALL` checks of a passing conversation's `#end` section.
    pub call_checks: Vec<CallChecks>,
}

impl<'a> Conversation<'a> {
    /// A conversation on `session`, comparing with `matcher`.
    pub fn new(
        session: &'a mut SessionEnd,
        matcher: &'a Matcher,
        utterances: &'a UtteranceBook,
        options: ConversationOptions,
    ) -> Conversation<'a> {
        let memory = ScriptingMemory::new(options.memory.clone(), "");
        Conversation {
            session,
            matcher,
            utterances,
            options,
            memory,
            started: Instant::now(),
            queue: VecDeque::new(),
            silent: false,
            ended: false,
            partial: None,
            partial_is_new: false,
            partial_consumed: 0,
            superseded_partial: None,
            last_heard: String::new(),
            lost: None,
            turn_waiting: false,
            last_me: String::new(),
            last_turn: None,
            call: None,
            answer_setup: None,
            after_answer: false,
            answer_in_flight: false,
            reacted: false,
            early_answer: None,
            sms: None,
            events: None,
            transcript: Vec::new(),
            call_checks: Vec::new(),
        }
    }

    /// Reports steps and transcript lines as they happen, for test case `index`.
    pub fn with_events(
        mut self,
        events: tokio::sync::mpsc::UnboundedSender<RunEvent>,
        index: usize,
    ) -> Conversation<'a> {
        self.events = Some((events, index));
        self
    }

    fn emit(&self, event: impl FnOnce(usize) -> RunEvent) {
        if let Some((events, index)) = &self.events {
            let _ = events.send(event(*index));
        }
    }

    /// Whether the call ended (the IVR hung up, or its webhooks were lost) before the runner
    /// hung up.
    pub fn call_ended(&self) -> bool {
        self.ended
    }

    /// Lets answers go out through a live-call update while the IVR still speaks.
    pub fn with_live_call(mut self, call: &'a dyn LiveCall) -> Conversation<'a> {
        self.call = Some(call);
        self
    }

    /// Lets `CHECKTWILIOSMS` read the caller's text messages.
    pub fn with_sms(mut self, inbox: &'a dyn SmsInbox) -> Conversation<'a> {
        self.sms = Some(inbox);
        self
    }

    fn note(&mut self, what: Happened, confidence: Option<f64>) {
        let response_time = match what {
            Happened::Ivr(_) => self.last_turn.map(|t| t.elapsed()),
            _ => None,
        };
        if let Happened::Caller(_) = what {
            self.last_turn = Some(Instant::now());
        }
        let entry = TranscriptEntry {
            at: self.started.elapsed(),
            what,
            confidence,
            response_time,
        };
        self.emit(|index| RunEvent::Transcript {
            index,
            entry: entry.clone(),
        });
        self.transcript.push(entry);
    }

    /// Runs a test case: `#begin` hooks and asserters, the `#me`/`#bot` steps, then `#end` hooks
    /// and asserters (only after a passing conversation, as Botium does); the first failure ends it.
    pub async fn run(&mut self, convo: &Convo) -> Result<(), Failure> {
        let section = |sender: Sender| -> Vec<&ConvoStep> {
            convo.steps.iter().filter(|s| s.sender == sender).collect()
        };
        self.memory = ScriptingMemory::new(self.options.memory.clone(), &convo.name);
        // Botium runs SET_SCRIPTING_MEMORY before the other begin hooks.
        for step in section(Sender::Begin) {
            self.hooks(step, &["SET_SCRIPTING_MEMORY"]).await?;
        }
        for step in section(Sender::Begin) {
            self.hooks(
                step,
                &[
                    "CLEAR_SCRIPTING_MEMORY",
                    "PAUSE",
                    "WAITFORBOT",
                    "SKIP_BOT_UNCONSUMED",
                ],
            )
            .await?;
            self.assert_section(convo, step, "#begin").await?;
        }
        let steps: Vec<&ConvoStep> = convo
            .steps
            .iter()
            .filter(|s| matches!(s.sender, Sender::Me | Sender::Bot))
            .collect();
        // The call was answered before the conversation began: its first webhook waits for a
        // decision, which the first step makes (actions for `#me`, listening otherwise).
        self.turn_waiting = true;
        let mut i = 0;
        while i < steps.len() {
            let mut next = i + 1;
            let mut step = steps[i];
            if step.sender == Sender::Bot {
                let selection = self
                    .select_conditional(&convo.name, &steps, i)
                    .map_err(|(j, message)| self.failure(steps[j], message))?;
                match selection {
                    Selection::Plain => {}
                    Selection::Chosen {
                        step: chosen,
                        after,
                    } => {
                        step = steps[chosen];
                        next = after;
                    }
                    Selection::Skipped { after } => {
                        i = after;
                        continue;
                    }
                }
            }
            self.emit(|index| RunEvent::StepStarted {
                index,
                step: step_ref(step),
            });
            match step.sender {
                Sender::Me => {
                    self.hooks(step, &["SKIP_BOT_UNCONSUMED"]).await?;
                    self.answer(step).await?;
                    self.hooks(step, &["PAUSE", MEMORY_SET, MEMORY_CLEAR])
                        .await?;
                }
                _ => {
                    self.session.expect(self.hints(&steps[i..]));
                    self.hooks(step, &["WAITFORBOT"]).await?;
                    self.expect_bot(convo, step, steps.get(next).copied())
                        .await?;
                    self.hooks(
                        step,
                        &["PAUSE", "SKIP_BOT_UNCONSUMED", MEMORY_SET, MEMORY_CLEAR],
                    )
                    .await?;
                }
            }
            i = next;
        }
        for step in section(Sender::End) {
            self.hooks(step, &["PAUSE", "WAITFORBOT"]).await?;
            self.assert_section(convo, step, "#end").await?;
        }
        Ok(())
    }

    fn failure(&self, step: &ConvoStep, message: String) -> Failure {
        Failure {
            step: Some(step_ref(step)),
            message,
            expected: None,
            heard: None,
            similarity: None,
            confidence: None,
            at: self.started.elapsed(),
        }
    }

    /// Each webhook turn gets exactly one decision, made after its event was processed: when
    /// the engine is about to wait for more of the IVR, that decision is "listen".
    fn listen_if_a_turn_waits(&mut self) {
        if self.turn_waiting {
            self.turn_waiting = false;
            self.session.act(Action::Listen);
        }
    }

    /// Waits for the next message from the IVR (the queue first); with `until_silence`, a
    /// `<Gather>` that heard nothing ends the wait too (the IVR finished its prompt); with
    /// `partials`, each new interim result ends it as well.
    async fn next_heard(
        &mut self,
        deadline: tokio::time::Instant,
        until_silence: bool,
        partials: bool,
    ) -> Wait {
        self.silent = false;
        self.partial_is_new = false;
        loop {
            // While an answer waits for a webhook to carry it, what is queued was said before it.
            if !self.answer_in_flight {
                if let Some(heard) = self.queue.pop_front() {
                    return Wait::Heard(heard);
                }
            }
            if partials && std::mem::take(&mut self.partial_is_new) {
                if let Some(text) = &self.partial {
                    return Wait::Partial(text.clone());
                }
            }
            if self.ended {
                return Wait::HungUp;
            }
            if until_silence && self.silent {
                return Wait::Silent;
            }
            self.listen_if_a_turn_waits();
            match tokio::time::timeout_at(deadline, self.session.events.recv()).await {
                Err(_) => return Wait::TimedOut,
                Ok(None) => return Wait::HungUp,
                Ok(Some(event)) => self.on_event(event),
            }
        }
    }

    /// Adds an utterance the IVR finished to the stream (and the transcript), without the
    /// leading words steps already took from its interim results.
    fn hear(&mut self, text: String, confidence: Option<f64>) {
        let skip = std::mem::take(&mut self.partial_consumed);
        let rest = text
            .split_whitespace()
            .skip(skip)
            .collect::<Vec<_>>()
            .join(" ");
        if !rest.is_empty() {
            self.note(Happened::Ivr(rest.clone()), confidence);
            self.queue.push_back(Heard {
                text: rest,
                confidence,
            });
        }
    }

    /// Whether `text` continues (or is part of) the interim result of a `<Gather>` this engine
    /// interrupted: the same words from the start, case and punctuation aside.
    fn superseded(&self, text: &str) -> bool {
        let Some(old) = &self.superseded_partial else {
            return false;
        };
        let words = |t: &str| -> Vec<String> {
            t.split_whitespace()
                .map(|w| {
                    w.chars()
                        .filter(|c| c.is_alphanumeric())
                        .flat_map(char::to_lowercase)
                        .collect()
                })
                .filter(|w: &String| !w.is_empty())
                .collect()
        };
        let (old, new) = (words(old), words(text));
        let shorter = old.len().min(new.len());
        shorter > 0 && old[..shorter] == new[..shorter]
    }

    fn on_event(&mut self, event: CallEvent) {
        match event {
            CallEvent::Heard { text, confidence } => {
                self.silent = false;
                self.partial = None;
                self.turn_waiting = true;
                // The final result of a `<Gather>` this engine interrupted (its webhook crossed
                // the live-call update) was said before that answer: no step's.
                if self.superseded(&text) {
                    self.superseded_partial = None;
                    return;
                }
                self.superseded_partial = None;
                self.last_heard = text.to_lowercase();
                self.hear(text, confidence);
                self.reacted |= !self.answer_in_flight;
            }
            CallEvent::Partial { text } => {
                let lower = text.to_lowercase();
                // A late interim result of words already heard in full is no news, nor is one of
                // a `<Gather>` this engine interrupted (it extends what was heard then).
                if !self.last_heard.contains(&lower) && !self.superseded(&text) {
                    self.partial = Some(text);
                    self.partial_is_new = true;
                    self.reacted |= !self.answer_in_flight;
                }
            }
            CallEvent::Silence => {
                self.silent = true;
                self.partial = None;
                self.partial_consumed = 0;
                self.turn_waiting = true;
                self.reacted |= !self.answer_in_flight;
            }
            CallEvent::AnswerDelivered => {
                // The webhook that carried the answer has been answered, and what the IVR said
                // before the answer took effect belonged to the step before it.
                self.turn_waiting = false;
                self.answer_in_flight = false;
                self.reacted = false;
                self.queue.clear();
                self.partial = None;
                self.partial_consumed = 0;
            }
            CallEvent::Answered { .. } => self.turn_waiting = true,
            CallEvent::Lost { reason } => {
                if self.lost.is_none() {
                    self.note(Happened::System(reason.clone()), None);
                    self.lost = Some(reason);
                }
                self.ended = true;
            }
            CallEvent::Status { status, .. } => {
                if is_final_status(&status) {
                    // The IVR hung up while saying something: its `<Gather>` was cut short and
                    // never reported, but the interim result holds the words.
                    if let Some(text) = self.partial.take() {
                        self.hear(text, None);
                    }
                    self.note(Happened::System(format!("call {status}")), None);
                    self.ended = true;
                }
            }
        }
    }
}

/// The scripting-memory hooks.
const MEMORY_SET: &str = "SET_SCRIPTING_MEMORY";
const MEMORY_CLEAR: &str = "CLEAR_SCRIPTING_MEMORY";

fn step_ref(step: &ConvoStep) -> StepRef {
    StepRef {
        tag: step.step_tag.clone(),
        sender: step.sender,
        file: step.location.file.as_ref().clone(),
        line: step.location.line,
    }
}

mod answer;
mod bot_step;
mod conditional;
mod hooks;

pub use answer::LiveCall;
pub use bot_step::botium_duration;

use answer::AnswerSetup;

use conditional::Selection;

#[cfg(test)]
#[path = "conversation_tests.rs"]
mod tests;
