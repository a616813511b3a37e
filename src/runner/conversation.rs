//! The step engine: runs one test case's `#me` and `#bot` steps over a call's session.
//!
//! - `#me`: text is spoken, `BUTTON` keys are pressed, in script order; the engine does not wait
//!   for the IVR afterwards (Botium's semantics: consecutive `#me` go out back to back).
//! - `#bot`: takes the oldest heard message from the queue, or waits for one up to the step
//!   timeout (`stepTimeout`, else `WAITFORBOTTIMEOUT`). A recogniser splits a prompt with pauses
//!   into fragments; unless strict mode is on, fragments are joined until the expectation matches
//!   or the IVR falls silent (a `<Gather>` ends without speech).
//! - Optional steps (`?`) that time out or do not match are skipped (a non-matching message goes
//!   to the next `#bot` step); `!` negates; utterance names in `#bot` are alternatives.
//! - A call that ends while a step waits fails that step at once ("the IVR hung up").

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::convo::{Convo, ConvoStep, Sender, UtteranceBook};
use crate::matching::Matcher;
use crate::webhook::turns::{is_final_status, Action, CallEvent, SessionEnd};

use super::events::{Failure, RunEvent, Speaker, StepRef, TranscriptEntry};
use super::memory::{MemorySettings, ScriptingMemory};

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

/// A message the IVR said, as the recogniser heard it.
#[derive(Debug, Clone, PartialEq)]
struct Heard {
    text: String,
    confidence: Option<f64>,
}

/// What waiting for the IVR produced.
enum Wait {
    Heard(Heard),
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
    /// The last message heard in full, lower case (to drop interim results that arrive late).
    last_heard: String,
    /// Why the call can no longer be heard, when its webhooks' transport is gone.
    lost: Option<String>,
    /// A webhook delivered an event and waits for this engine's decision about it.
    turn_waiting: bool,
    last_me: String,
    last_turn: Option<Instant>,
    sms: Option<&'a dyn SmsInbox>,
    memory: ScriptingMemory,
    events: Option<(tokio::sync::mpsc::UnboundedSender<RunEvent>, usize)>,
    /// Every line said, pressed or heard.
    pub transcript: Vec<TranscriptEntry>,
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
            last_heard: String::new(),
            lost: None,
            turn_waiting: false,
            last_me: String::new(),
            last_turn: None,
            sms: None,
            events: None,
            transcript: Vec::new(),
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

    /// Lets `CHECKTWILIOSMS` read the caller's text messages.
    pub fn with_sms(mut self, inbox: &'a dyn SmsInbox) -> Conversation<'a> {
        self.sms = Some(inbox);
        self
    }

    fn note(&mut self, speaker: Speaker, text: String, confidence: Option<f64>) {
        let response_time = match speaker {
            Speaker::Ivr => self.last_turn.map(|t| t.elapsed()),
            _ => None,
        };
        if speaker == Speaker::Caller {
            self.last_turn = Some(Instant::now());
        }
        let entry = TranscriptEntry {
            at: self.started.elapsed(),
            speaker,
            text,
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
                    self.say(step).map_err(|m| self.failure(step, m))?;
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

    /// Queues what a `#me` step says, presses (`BUTTON`) and plays (`MEDIA`), in script order,
    /// with scripting memory substituted (in the text only when memory is enabled; in arguments
    /// always). Nothing goes out unless the whole step can.
    fn say(&mut self, step: &ConvoStep) -> Result<(), String> {
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
                    if let Some(bad) = crate::convo::validate::invalid_key(&arg) {
                        return Err(format!(
                            "{tag}: BUTTON {written}: invalid character \"{bad}\" in the keys \"{arg}\" (keys are 0-9, * and #; w and W wait)"
                        ));
                    }
                    actions.push(Action::Press(arg));
                }
                "MEDIA" => {
                    if let Some(problem) = crate::convo::validate::media_problem(&arg) {
                        return Err(format!("{tag}: MEDIA {written}: {problem}"));
                    }
                    actions.push(Action::Play(arg));
                }
                _ => {}
            }
        }
        self.last_me = format!("{tag}: #me - {text}");
        for action in &actions {
            self.note(Speaker::Caller, describe(action), None);
        }
        // At once, so a waiting webhook answers with the whole step, never half of it.
        let acted = !actions.is_empty();
        self.session.act_all(actions);
        // These actions answer the webhook that is waiting (or go out with the next one).
        if acted {
            self.turn_waiting = false;
        }
        Ok(())
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
    /// `<Gather>` that heard nothing ends the wait too (the IVR finished its prompt).
    async fn next_heard(&mut self, deadline: tokio::time::Instant, until_silence: bool) -> Wait {
        self.silent = false;
        loop {
            if let Some(heard) = self.queue.pop_front() {
                return Wait::Heard(heard);
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

    fn on_event(&mut self, event: CallEvent) {
        match event {
            CallEvent::Heard { text, confidence } => {
                self.note(Speaker::Ivr, text.clone(), confidence);
                self.silent = false;
                self.partial = None;
                self.last_heard = text.to_lowercase();
                self.queue.push_back(Heard { text, confidence });
                self.turn_waiting = true;
            }
            CallEvent::Partial { text } => {
                // A late interim result of words already heard in full is no news.
                if !self.last_heard.contains(&text.to_lowercase()) {
                    self.partial = Some(text);
                }
            }
            CallEvent::Silence => {
                self.silent = true;
                self.partial = None;
                self.turn_waiting = true;
            }
            CallEvent::Answered { .. } => self.turn_waiting = true,
            CallEvent::Lost { reason } => {
                if self.lost.is_none() {
                    self.note(Speaker::System, reason.clone(), None);
                    self.lost = Some(reason);
                }
                self.ended = true;
            }
            CallEvent::Status { status, .. } => {
                if is_final_status(&status) {
                    // The IVR hung up while saying something: its `<Gather>` was cut short and
                    // never reported, but the interim result holds the words.
                    if let Some(text) = self.partial.take() {
                        self.note(Speaker::Ivr, text.clone(), None);
                        self.queue.push_back(Heard {
                            text,
                            confidence: None,
                        });
                    }
                    self.note(Speaker::System, format!("call {status}"), None);
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

fn describe(action: &Action) -> String {
    match action {
        Action::Say(text) => format!("says: {text}"),
        Action::Press(keys) => format!("presses: {keys}"),
        Action::Play(url) => format!("plays: {url}"),
        Action::Listen => "listens".into(),
        Action::HangUp => "hangs up".into(),
    }
}

mod bot_step;
mod conditional;
mod hooks;

pub use bot_step::botium_duration;

use conditional::Selection;

#[cfg(test)]
#[path = "conversation_tests.rs"]
mod tests;
