//! One test case, one call: dial, wait for the answer, run the conversation, hang up.
//!
//! - Every dial attempt has a session of its own, whose correlation id is in every callback URL
//!   of that attempt's call: a webhook that arrives before `calls.create` has returned still
//!   finds it, and a late callback of an earlier attempt (the `canceled` of a call given up on)
//!   finds that attempt's session closed and is dropped, so it never ends or confuses the next
//!   attempt. Once `calls.create` has named the call, the session also drops events naming
//!   another `CallSid` (this works the same through the Redis proxy, whose events are delivered
//!   to the same sessions).
//! - Busy, no-answer, failed and canceled end the attempt at once with that reason; only these
//!   are redialled (`TWILIO_IVR_REDIAL` attempts in all). REST errors are configuration errors:
//!   explained and never redialled.
//! - Every call placed is hung up on every path out (answered or not: pass, fail, error, given
//!   up), and registered with the [`LiveCalls`] so an interrupt hangs it up too.
//! - `CHECKTWILIOSMS` reads the `CallerInbox`: messages to the call's caller ID created at or
//!   after the call, on Twilio's clock.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use super::call_checks::check_call;
use super::conversation::{CallChecks, Conversation, ConversationOptions, SmsInbox};
use super::live_call::CallerLeg;
use super::transport::SessionLink;
use crate::events::{Failure, Happened, RunEvent, TestResult, TranscriptEntry, Verdict};
use crate::turn::signed::{START, STATUS};
use crate::turn::{is_final_status, CallEvent, SessionEnd};
use crate::webhook::routes::WebhookState;
use botiumscript::convo::call_state::EndedBy;
use botiumscript::convo::{Convo, UtteranceBook};
use botiumscript::matching::Matcher;
use twilio_emulator::store::Store;
use twilio_wire::client::{CallResource, CreateCall, HangUp, MessageFilter, TwilioClient};
use twilio_wire::time::rfc2822;
use twilio_wire::twiml::HttpMethod;

#[derive(Debug, Default)]
struct LiveState {
    sids: HashSet<String>,
    /// `calls.create` requests on their way: their calls are not known yet.
    dialing: usize,
    /// The run is being interrupted: no new call may be placed.
    closed: bool,
}

/// The calls a run has placed and not yet hung up, and the ones being placed right now.
#[derive(Debug, Clone, Default)]
pub struct LiveCalls {
    state: Arc<Mutex<LiveState>>,
    settled: Arc<Notify>,
}

/// A `calls.create` on its way; its end (success or not) is announced when dropped.
struct Dialing(LiveCalls);

impl Drop for Dialing {
    fn drop(&mut self) {
        self.0.lock().dialing -= 1;
        self.0.settled.notify_waiters();
    }
}

impl LiveCalls {
    fn lock(&self) -> std::sync::MutexGuard<'_, LiveState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Announces a call about to be placed; `None` once the run is closing (then nothing more
    /// is dialed).
    fn start_dialing(&self) -> Option<Dialing> {
        let mut state = self.lock();
        if state.closed {
            return None;
        }
        state.dialing += 1;
        Some(Dialing(self.clone()))
    }

    fn add(&self, sid: &str) {
        self.lock().sids.insert(sid.to_string());
    }

    fn remove(&self, sid: &str) {
        self.lock().sids.remove(sid);
    }

    /// The SIDs still live.
    pub fn sids(&self) -> Vec<String> {
        self.lock().sids.iter().cloned().collect()
    }

    /// Stops the run placing calls, then waits (at most `limit`) until every `calls.create`
    /// already sent has answered, so that [`sids`](Self::sids) names every call to hang up.
    pub async fn close(&self, limit: Duration) {
        self.lock().closed = true;
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let settled = self.settled.notified();
            tokio::pin!(settled);
            settled.as_mut().enable();
            if self.lock().dialing == 0 {
                return;
            }
            if tokio::time::timeout_at(deadline, settled).await.is_err() {
                return;
            }
        }
    }
}

/// What every call of a run shares.
pub struct CallSettings {
    /// The REST client.
    pub client: TwilioClient,
    /// The webhook (for callback URLs and sessions).
    pub webhook: WebhookState,
    /// `TWILIO_IVR_TO`.
    pub to: String,
    /// Dial attempts in all.
    pub redial: u32,
    /// How long to wait for the answer.
    pub wait_call_started: Duration,
    /// How long to wait for the `completed` status after hanging up.
    pub wait_call_completed: Duration,
    /// `TimeLimit` of each call.
    pub time_limit_secs: u32,
    /// `Record`.
    pub record: bool,
    /// The matcher.
    pub matcher: Matcher,
    /// Happened lists.
    pub utterances: UtteranceBook,
    /// Step engine options.
    pub options: ConversationOptions,
    /// Calls placed and not yet hung up.
    pub live: LiveCalls,
    /// The link to the Redis proxy or the Function relay, when Twilio's webhooks go there.
    pub link: Option<SessionLink>,
    /// The records of the emulator `--emulate` started in-process: a failed call's errors on
    /// the IVR's side (a webhook that failed, a Studio widget it does not run) are read there
    /// and named in the failure.
    pub emulator: Option<Store>,
}

/// The caller's inbox, through the Messages API: the messages to the call's caller ID created
/// at or after the call itself, both times on Twilio's clock (to the second, as Twilio gives
/// them), and none that was already listed before the call was placed (which settles a message
/// in the same second as the call). The local clock plays no part, so clock skew cannot let an
/// earlier call's message in. There is no upper bound: a message the IVR sends after hanging up
/// still counts while the check polls.
///
/// Twilio filters `DateSent` by whole days only, so the list is asked for from the call's day
/// on and narrowed here by each message's own `date_created`.
struct CallerInbox<'a> {
    client: &'a TwilioClient,
    caller_id: String,
    call_sid: String,
    /// When the call was created on Twilio's clock; `None` when Twilio gave no time at all.
    since: Option<DateTime<Utc>>,
    /// Messages to the caller ID listed before the call was placed.
    earlier: HashSet<String>,
}

impl SmsInbox for CallerInbox<'_> {
    fn bodies(&self) -> Pin<Box<dyn Future<Output = Result<Vec<String>, String>> + Send + '_>> {
        Box::pin(async move {
            let since = self.since.ok_or_else(|| {
                format!(
                    "Twilio gave no creation time for call {}, so its messages cannot be told from earlier ones",
                    self.call_sid
                )
            })?;
            let filter = MessageFilter {
                to: Some(self.caller_id.clone()),
                sent_on_or_after: Some(since.date_naive()),
                page_size: Some(1000),
                ..MessageFilter::default()
            };
            let messages = self
                .client
                .list_messages(&filter)
                .await
                .map_err(|e| e.to_string())?;
            Ok(messages
                .into_iter()
                .filter(|m| !self.earlier.contains(&m.sid))
                .filter(|m| m.created_at().is_some_and(|created| created >= since))
                .map(|m| m.body)
                .collect())
        })
    }

    fn scope(&self) -> String {
        match self.since {
            Some(since) => format!(
                "for {} since {} (when call {} was created)",
                self.caller_id,
                rfc2822(since),
                self.call_sid
            ),
            None => format!("for {} during call {}", self.caller_id, self.call_sid),
        }
    }
}

/// The SIDs of the messages to `caller_id` before a call is placed: none of them can be the
/// call's. Listed from yesterday on by the local clock: a message in the call's own second is
/// what matters, and the local clock is only used to keep the list short.
async fn earlier_messages(
    client: &TwilioClient,
    caller_id: &str,
) -> Result<HashSet<String>, String> {
    let filter = MessageFilter {
        to: Some(caller_id.to_string()),
        sent_on_or_after: Some((Utc::now() - chrono::Duration::days(1)).date_naive()),
        page_size: Some(1000),
        ..MessageFilter::default()
    };
    client
        .list_messages(&filter)
        .await
        .map(|messages| messages.into_iter().map(|m| m.sid).collect())
        .map_err(|e| e.to_string())
}

/// An answered attempt: its session and its call.
struct Attempt {
    session: SessionEnd,
    call: CallResource,
}

/// How dialling ended.
enum Dialled {
    Answered(Box<Attempt>),
    /// Busy, no-answer, failed, canceled: worth dialing again.
    Unanswered(String, String),
    /// Not placed (a REST error, Redis unreachable, the run interrupted): dialing again would
    /// not help.
    RestError(String),
    /// Placed, then given up on (the webhook proxy was lost): hung up, not dialed again.
    Abandoned(String, String),
}

/// Runs one test case as a call from `caller_id`; reports through `events`.
pub async fn run_test(
    settings: &CallSettings,
    index: usize,
    convo: &Convo,
    caller_id: &str,
    events: &tokio::sync::mpsc::UnboundedSender<RunEvent>,
) -> TestResult {
    let started = Instant::now();
    let _ = events.send(RunEvent::TestStarted {
        index,
        name: convo.name.clone(),
    });
    let mut transcript: Vec<TranscriptEntry> = Vec::new();
    let mut call_sid = None;
    let mut recording_url = None;
    let mut outcome = Dialled::Unanswered(String::new(), "not dialled".into());
    let mut earlier = HashSet::new();
    if convo.checks_sms() {
        match earlier_messages(&settings.client, caller_id).await {
            Ok(sids) => earlier = sids,
            Err(e) => {
                outcome = Dialled::RestError(format!(
                    "cannot list the messages to {caller_id} before dialing (needed to tell this call's SMS from earlier ones): {e}; not dialed"
                ))
            }
        }
    }
    let attempts = if matches!(outcome, Dialled::RestError(_)) {
        0
    } else {
        settings.redial.max(1)
    };
    let mut answered = None;
    for attempt in 1..=attempts {
        match dial(settings, caller_id, events, index).await {
            Dialled::Answered(call) => {
                call_sid = Some(call.call.sid.clone());
                answered = Some(call);
                break;
            }
            Dialled::Unanswered(sid, why) => {
                transcript.push(system(started, format!("attempt {attempt}: {why}")));
                if !sid.is_empty() {
                    call_sid = Some(sid.clone());
                }
                outcome = Dialled::Unanswered(sid, why);
            }
            Dialled::RestError(why) => {
                outcome = Dialled::RestError(why);
                break;
            }
            Dialled::Abandoned(sid, why) => {
                call_sid = Some(sid.clone());
                outcome = Dialled::Abandoned(sid, why);
                break;
            }
        }
    }
    let error = |message: String| {
        Verdict::Error(Failure {
            step: None,
            message,
            expected: None,
            heard: None,
            similarity: None,
            confidence: None,
            at: started.elapsed(),
        })
    };
    let verdict = match (answered, &outcome) {
        (Some(mut attempt), _) => {
            let sid = attempt.call.sid.clone();
            let inbox = CallerInbox {
                client: &settings.client,
                caller_id: caller_id.to_string(),
                call_sid: sid.clone(),
                since: attempt.call.created_at(),
                earlier,
            };
            let session_id = attempt.session.id.clone();
            let leg = CallerLeg {
                client: &settings.client,
                webhook: &settings.webhook,
                session_id: &session_id,
                call_sid: &sid,
            };
            let mut conversation = Conversation::new(
                &mut attempt.session,
                &settings.matcher,
                &settings.utterances,
                settings.options.clone(),
            )
            .with_sms(&inbox)
            .with_live_call(&leg)
            .with_events(events.clone(), index);
            let result = conversation.run(convo).await;
            transcript.append(&mut conversation.transcript);
            let call_checks = std::mem::take(&mut conversation.call_checks);
            let mut ended_before_hang_up = conversation.call_ended();
            drop(conversation);
            if !ended_before_hang_up && call_checks.iter().any(CallChecks::expects_ivr_hang_up) {
                // "endedBy=ivr": give the IVR its chance to hang up first.
                let limit = settings.options.wait_for_bot;
                wait_completed(&mut attempt.session, &sid, limit).await;
                ended_before_hang_up = attempt.session.final_status(&sid).is_some();
            }
            let ended_by = match hang_up(settings, &sid).await {
                Some(HangUp::AlreadyEnded) => EndedBy::Ivr,
                _ if ended_before_hang_up => EndedBy::Ivr,
                _ => EndedBy::Caller,
            };
            recording_url =
                wait_completed(&mut attempt.session, &sid, settings.wait_call_completed).await;
            let at = started.elapsed();
            let result = match result {
                Ok(()) => check_call(&settings.client, &sid, ended_by, &call_checks, at).await,
                failed => failed,
            };
            if let Some(link) = &settings.link {
                link.unregister(&attempt.session.id).await;
            }
            let lost = settings.link.as_ref().and_then(SessionLink::lost);
            let result = result.map_err(|failure| with_emulator_errors(failure, settings, &sid));
            match result {
                Ok(()) => Verdict::Passed,
                // The call could not be heard any more: no verdict about the IVR.
                Err(failure) if lost.is_some() => Verdict::Error(failure),
                Err(failure) => Verdict::Failed(failure),
            }
        }
        (None, Dialled::RestError(message)) => error(format!(
            "{}: the call could not be placed: {message}",
            convo.name
        )),
        (None, Dialled::Abandoned(_, why)) => error(format!("{}: {why}", convo.name)),
        (None, Dialled::Unanswered(_, why)) => {
            error(format!("{}: the call was not answered: {why}", convo.name))
        }
        (None, Dialled::Answered(_)) => error(format!("{}: not dialled", convo.name)),
    };
    let call = match &call_sid {
        Some(sid) => settings.client.fetch_call(sid).await.ok(),
        None => None,
    };
    let result = TestResult {
        index,
        name: convo.name.clone(),
        file: convo.file.as_ref().clone(),
        verdict,
        duration: started.elapsed(),
        call_sid,
        call_duration: Duration::from_secs(
            call.as_ref().and_then(|c| c.duration_secs).unwrap_or(0),
        ),
        recording_url,
        transcript,
    };
    let _ = events.send(RunEvent::TestFinished {
        result: result.clone(),
    });
    result
}

/// `failure` with the errors the in-process emulator noted on call `sid` (Twilio's application
/// errors on the IVR's side, which the caller only hears as "an application error").
fn with_emulator_errors(mut failure: Failure, settings: &CallSettings, sid: &str) -> Failure {
    let Some(call) = settings.emulator.as_ref().and_then(|store| store.call(sid)) else {
        return failure;
    };
    let errors: Vec<&str> = call
        .transcript
        .iter()
        .filter(|line| line.text.starts_with("error"))
        .map(|line| line.text.as_str())
        .collect();
    if !errors.is_empty() {
        failure.message = format!(
            "{} (the emulator on the IVR's side: {})",
            failure.message,
            errors.join("; ")
        );
    }
    failure
}

fn system(started: Instant, text: String) -> TranscriptEntry {
    TranscriptEntry {
        at: started.elapsed(),
        what: Happened::System(text),
        confidence: None,
        response_time: None,
    }
}

/// One dial attempt from `caller_id`, with a session of its own: places the call and waits
/// until it is answered or ends. Anything but an answer closes the attempt's session (and hangs
/// its call up), so its late webhooks find nobody.
async fn dial(
    settings: &CallSettings,
    caller_id: &str,
    events: &tokio::sync::mpsc::UnboundedSender<RunEvent>,
    index: usize,
) -> Dialled {
    let mut session = settings.webhook.sessions.open();
    if let Some(link) = &settings.link {
        // Registered before dialing, so even the first webhook finds its owner.
        let account = settings.client.account_sid();
        if let Err(e) = link.register(&session.id, &settings.webhook, account).await {
            return Dialled::RestError(format!("{e}; not dialed"));
        }
    }
    let outcome = place_and_wait(settings, &mut session, caller_id, events, index).await;
    match outcome {
        Ok(call) => Dialled::Answered(Box::new(Attempt { session, call })),
        Err(ended) => {
            if let Some(link) = &settings.link {
                link.unregister(&session.id).await;
            }
            ended
        }
    }
}

/// Places the call of `session` and waits for its answer (`Ok`) or its end (`Err`, hung up).
async fn place_and_wait(
    settings: &CallSettings,
    session: &mut SessionEnd,
    caller_id: &str,
    events: &tokio::sync::mpsc::UnboundedSender<RunEvent>,
    index: usize,
) -> Result<CallResource, Dialled> {
    let webhook = &settings.webhook;
    let request = CreateCall {
        status_callback: Some(webhook.callback_url(STATUS, &session.id)),
        status_callback_events: vec![
            "initiated".into(),
            "ringing".into(),
            "answered".into(),
            "completed".into(),
        ],
        record: settings.record,
        time_limit_secs: Some(settings.time_limit_secs),
        method: HttpMethod::Post,
        ..CreateCall::new(
            &settings.to,
            caller_id,
            webhook.callback_url(START, &session.id),
        )
    };
    let Some(dialing) = settings.live.start_dialing() else {
        return Err(Dialled::RestError("the run was interrupted".into()));
    };
    let call = match settings.client.create_call(&request).await {
        Ok(call) => call,
        Err(error) => return Err(Dialled::RestError(error.to_string())),
    };
    settings.live.add(&call.sid);
    drop(dialing);
    session.bind_call(&call.sid);
    let _ = events.send(RunEvent::CallPlaced {
        index,
        call_sid: call.sid.clone(),
    });
    let deadline = tokio::time::Instant::now() + settings.wait_call_started;
    loop {
        let event = tokio::time::timeout_at(deadline, session.events.recv()).await;
        let ended = match event {
            // Answered means Twilio asked for the first TwiML: that webhook now waits for the
            // conversation's first decision. The `in-progress` status callback may come first
            // and only reports.
            Ok(Some(CallEvent::Answered { .. })) => return Ok(call),
            Ok(Some(CallEvent::Lost { reason })) => Dialled::Abandoned(call.sid.clone(), reason),
            Ok(Some(CallEvent::Status { status, .. })) => match status.as_str() {
                "busy" | "no-answer" | "failed" | "canceled" => {
                    Dialled::Unanswered(call.sid.clone(), format!("the line was {status}"))
                }
                "completed" => Dialled::Unanswered(
                    call.sid.clone(),
                    "the call ended before Twilio asked this run's webhook for TwiML: can Twilio reach TWILIO_IVR_PUBLICURL?".into(),
                ),
                _ => continue,
            },
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => Dialled::Unanswered(
                call.sid.clone(),
                format!(
                    "no answer within {} ms",
                    settings.wait_call_started.as_millis()
                ),
            ),
        };
        // Ended or given up: make sure (an ended call costs one fetch to confirm).
        hang_up(settings, &call.sid).await;
        return Err(ended);
    }
}

/// Waits (bounded) for call `sid`'s final status callback; returns its `RecordingUrl`, if any.
/// A final status that already came (the IVR hung up, and the step engine read that event) ends
/// the wait at once.
async fn wait_completed(session: &mut SessionEnd, sid: &str, limit: Duration) -> Option<String> {
    let recording_url = |params: Vec<(String, String)>| {
        params
            .into_iter()
            .find(|(k, _)| k == "RecordingUrl")
            .map(|(_, v)| v)
    };
    if let Some(params) = session.final_status(sid) {
        return recording_url(params);
    }
    let deadline = tokio::time::Instant::now() + limit;
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, session.events.recv()).await {
        if let CallEvent::Status { status, params } = event {
            if is_final_status(&status) {
                return recording_url(params);
            }
        }
    }
    None
}

/// Hangs a call up; an already ended call is fine. A call that could not be hung up (Twilio
/// unreachable) stays among the live calls, for the end of the run to try again.
/// Hangs a call up; `None` when Twilio could not be told (it stays live for the retry at the
/// end of the run).
async fn hang_up(settings: &CallSettings, sid: &str) -> Option<HangUp> {
    let outcome = settings.client.hang_up(sid).await.ok()?;
    settings.live.remove(sid);
    Some(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn closing_waits_for_calls_being_placed_and_then_refuses_new_ones() {
        let live = LiveCalls::default();
        let dialing = live.start_dialing().expect("open");
        let closing = {
            let live = live.clone();
            tokio::spawn(async move { live.close(Duration::from_secs(10)).await })
        };
        // The call being placed is created after the interrupt: it must still be hung up.
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!closing.is_finished(), "a calls.create is still on its way");
        live.add("CA1");
        drop(dialing);
        closing.await.expect("closed");
        assert_eq!(live.sids(), ["CA1"]);
        assert!(live.start_dialing().is_none(), "nothing new is dialed");
        live.remove("CA1");
        assert!(live.sids().is_empty());
    }
}
