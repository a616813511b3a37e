//! What surrounds the steps: `#begin`/`#end` sections, the logic hooks (`PAUSE`, `WAITFORBOT`,
//! `SKIP_BOT_UNCONSUMED`), and the asserters, `CHECKTWILIOSMS` through the caller's inbox.

use std::time::Duration;

use super::{CallChecks, Conversation, Heard};
use crate::events::{Failure, Happened};
use botiumscript::convo::call_state::{CallCheck, CHECKTWILIOCALL};
use botiumscript::convo::{AsserterCall, Convo, ConvoStep};

impl Conversation<'_> {
    /// Runs the step's logic hooks named in `which`, in file order, their arguments with
    /// scripting memory substituted (as Botium does, even with memory off).
    pub(super) async fn hooks(&mut self, step: &ConvoStep, which: &[&str]) -> Result<(), Failure> {
        for hook in step
            .logic_hooks
            .iter()
            .filter(|h| which.contains(&h.name.as_str()))
        {
            let args = hook
                .args
                .iter()
                .map(|a| self.memory.apply(a))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| {
                    self.failure(step, format!("{}: {}: {e}", step.step_tag, hook.name))
                })?;
            let ms = args.first().and_then(|a| a.trim().parse::<u64>().ok());
            match hook.name.as_str() {
                "PAUSE" => {
                    self.wait_events(Duration::from_millis(ms.unwrap_or(0)), false)
                        .await
                }
                "WAITFORBOT" => {
                    // Without an argument Botium waits forever; a phone call cannot, so the
                    // step timeout bounds it.
                    let limit = ms.map_or(self.options.wait_for_bot, Duration::from_millis);
                    self.wait_events(limit, true).await;
                }
                "SKIP_BOT_UNCONSUMED" => {
                    self.drain_events();
                    self.queue.clear();
                }
                "SET_SCRIPTING_MEMORY" => {
                    if let [name, value, ..] = args.as_slice() {
                        self.memory.set(name, value);
                    }
                }
                "CLEAR_SCRIPTING_MEMORY" => {
                    if let Some(name) = args.first() {
                        self.memory.clear(name);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Keeps answering the call's webhooks for `duration` (a `PAUSE` must not deafen the call);
    /// with `until_new`, stops at the first new message (`WAITFORBOT`).
    pub(super) async fn wait_events(&mut self, duration: Duration, until_new: bool) {
        let deadline = tokio::time::Instant::now() + duration;
        let queued = self.queue.len();
        loop {
            let heard_new = until_new && self.queue.len() > queued;
            if heard_new || self.ended {
                return;
            }
            self.listen_if_a_turn_waits();
            match tokio::time::timeout_at(deadline, self.session.events.recv()).await {
                Ok(Some(event)) => self.on_event(event),
                Ok(None) | Err(_) => return,
            }
        }
    }

    /// Takes in events that already arrived, without waiting.
    pub(super) fn drain_events(&mut self) {
        while let Ok(event) = self.session.events.try_recv() {
            self.on_event(event);
        }
    }

    /// The asserters of a `#begin` or `#end` section.
    pub(super) async fn assert_section(
        &mut self,
        convo: &Convo,
        step: &ConvoStep,
        section: &str,
    ) -> Result<(), Failure> {
        self.drain_events();
        for asserter in &step.asserters {
            if asserter.name == CHECKTWILIOCALL {
                // The call has not ended yet: the session checks it once it has.
                let checks = asserter
                    .args
                    .iter()
                    .map(|a| self.memory.apply(a))
                    .collect::<Result<Vec<_>, _>>()
                    .and_then(|args| CallCheck::parse_all(&args));
                let checks = checks.map_err(|message| {
                    self.failure(step, format!("{}: {section}: {message}", convo.name))
                })?;
                self.call_checks.push(CallChecks {
                    step: super::step_ref(step),
                    checks,
                    not: asserter.not,
                });
                continue;
            }
            let outcome = self.assert_one(asserter, None).await;
            if let Err(message) = outcome {
                return Err(self.failure(step, format!("{}: {section}: {message}", convo.name)));
            }
        }
        Ok(())
    }

    /// One asserter: text and queue asserters here, `CHECKTWILIOSMS` through the inbox.
    pub(super) async fn assert_one(
        &mut self,
        asserter: &AsserterCall,
        heard: Option<&str>,
    ) -> Result<(), String> {
        let substituted;
        let asserter = if asserter.args.iter().any(|a| a.contains('$')) {
            let args = asserter
                .args
                .iter()
                .map(|a| self.memory.apply(a))
                .collect::<Result<Vec<_>, _>>()?;
            substituted = AsserterCall {
                args,
                ..asserter.clone()
            };
            &substituted
        } else {
            asserter
        };
        if asserter.name == botiumscript::convo::registry::CHECKTWILIOSMS {
            return self.check_sms(asserter).await;
        }
        if asserter.name == "PAUSE_ASSERTER" {
            // Botium's pause in `#begin`/`#end` (`check` refuses it elsewhere); the call's
            // webhooks keep being answered meanwhile.
            let ms = asserter
                .args
                .first()
                .and_then(|a| a.trim().parse::<u64>().ok());
            self.wait_events(Duration::from_millis(ms.unwrap_or(0)), false)
                .await;
            return Ok(());
        }
        let context = crate::runner::asserters::AssertContext {
            heard,
            unread: self.queue.len(),
            utterances: self.utterances,
            normalize: self.matcher.normalize_options(),
        };
        match crate::runner::asserters::check(asserter, &context) {
            Some(outcome) if asserter.optional => outcome.or(Ok(())),
            Some(outcome) => outcome,
            // Declared but not runnable here: `check` and `run` refuse these before calling.
            None => Ok(()),
        }
    }

    /// `CHECKTWILIOSMS [text|...]`: polls the caller's messages until each argument matches one
    /// (or, without arguments, until one arrives), up to the SMS wait.
    pub(super) async fn check_sms(&mut self, asserter: &AsserterCall) -> Result<(), String> {
        let Some(inbox) = self.sms else {
            return Err(
                "CHECKTWILIOSMS needs the Twilio Messages API, which this run has no access to"
                    .into(),
            );
        };
        let deadline = tokio::time::Instant::now() + self.options.sms_wait;
        loop {
            let missing = match inbox.bodies().await {
                Ok(bodies) if asserter.args.is_empty() => {
                    (bodies.is_empty()).then(|| format!("No SMS received {}", inbox.scope()))
                }
                Ok(bodies) => asserter
                    .args
                    .iter()
                    .find(|arg| {
                        let refs: Vec<&str> = vec![arg.as_str()];
                        !bodies
                            .iter()
                            .any(|b| self.matcher.compare_any(b, &refs).matched)
                    })
                    .map(|arg| format!("No SMS matching \"{arg}\" received {}", inbox.scope())),
                Err(error) => Some(format!(
                    "Twilio Client failed to list received SMS: {error}"
                )),
            };
            let Some(message) = missing else {
                return Ok(());
            };
            if tokio::time::Instant::now() >= deadline {
                self.note(Happened::System(message.clone()), None);
                return Err(message);
            }
            // Keep the call's webhooks answered while waiting.
            self.wait_events(Duration::from_millis(500), false).await;
        }
    }

    /// The asserters of a `#bot` step, on the message it took.
    pub(super) async fn assert_step(
        &mut self,
        convo: &Convo,
        step: &ConvoStep,
        heard: &Heard,
    ) -> Result<(), Failure> {
        for asserter in &step.asserters {
            if let Err(message) = self.assert_one(asserter, Some(&heard.text)).await {
                let mut failure = self.failure(
                    step,
                    format!(
                        "{}/{}: assertion error - {}: {message}",
                        convo.name, step.step_tag, step.step_tag
                    ),
                );
                failure.heard = Some(heard.text.clone());
                failure.confidence = heard.confidence;
                return Err(failure);
            }
        }
        Ok(())
    }
}
