//! One test case, one call: dial, wait for the answer, run the conversation, hang up.
//!
//! - Busy, no-answer, failed and canceled end the attempt at once with that reason; only these
//!   are redialled (`TWILIO_IVR_REDIAL` attempts in all). REST errors are configuration errors:
//!   explained and never redialled.
//! - The call is hung up on every path out (pass, fail, error), and registered with the
//!   [`LiveCalls`] so an interrupt hangs it up too.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::conversation::{Conversation, ConversationOptions, SmsInbox};
use super::events::{Failure, RunEvent, Speaker, TestResult, TranscriptEntry, Verdict};
use super::live_call::CallerLeg;
use crate::convo::{Convo, UtteranceBook};
use crate::matching::Matcher;
use crate::relay::message::SessionRecord;
use crate::relay::runner::RelayLink;
use crate::twilio::client::{CreateCall, MessageFilter, TwilioClient};
use crate::twilio::twiml::HttpMethod;
use crate::webhook::routes::{WebhookState, START, STATUS};
use crate::webhook::turns::{is_final_status, CallEvent, SessionEnd};

/// The calls a run has placed and not yet hung up.
#[derive(Debug, Clone, Default)]
pub struct LiveCalls(Arc<Mutex<HashSet<String>>>);

impl LiveCalls {
    fn add(&self, sid: &str) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(sid.to_string());
    }

    fn remove(&self, sid: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(sid);
    }

    /// The SIDs still live.
    pub fn sids(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

/// What every call of a run shares.
pub struct CallSettings {
    /// The REST client.
    pub client: TwilioClient,
    /// The webhook (for callback URLs and sessions).
    pub webhook: WebhookState,
    /// `TWILIO_IVR_FROM`.
    pub from: String,
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
    /// Utterance lists.
    pub utterances: UtteranceBook,
    /// Step engine options.
    pub options: ConversationOptions,
    /// Calls placed and not yet hung up.
    pub live: LiveCalls,
    /// The link to the Redis proxy, when Twilio's webhooks go there (`TWILIO_IVR_REDISURL`).
    pub relay: Option<RelayLink>,
}

/// The caller's inbox, through the Messages API: messages to the caller since the call began
/// (a minute of clock skew allowed).
struct CallerInbox<'a> {
    client: &'a TwilioClient,
    to: String,
    since: DateTime<Utc>,
}

impl SmsInbox for CallerInbox<'_> {
    fn bodies(&self) -> Pin<Box<dyn Future<Output = Result<Vec<String>, String>> + Send + '_>> {
        Box::pin(async move {
            let filter = MessageFilter {
                to: Some(self.to.clone()),
                sent_after: Some(self.since - chrono::Duration::minutes(1)),
                ..MessageFilter::default()
            };
            self.client
                .list_messages(&filter)
                .await
                .map(|messages| messages.into_iter().map(|m| m.body).collect())
                .map_err(|e| e.to_string())
        })
    }

    fn scope(&self) -> String {
        format!("for {} since {}", self.to, self.since.to_rfc2822())
    }
}

/// How dialling ended.
enum Dialled {
    Answered(String),
    /// Busy, no-answer, failed, canceled: worth dialing again.
    Unanswered(String, String),
    /// Not placed (a REST error, Redis unreachable): dialing again would not help.
    RestError(String),
    /// Placed, then given up on (the webhook proxy was lost): hung up, not dialed again.
    Abandoned(String, String),
}

/// Runs one test case as a call; reports through `events`.
pub async fn run_test(
    settings: &CallSettings,
    index: usize,
    convo: &Convo,
    events: &tokio::sync::mpsc::UnboundedSender<RunEvent>,
) -> TestResult {
    let started = Instant::now();
    let began = Utc::now();
    let _ = events.send(RunEvent::TestStarted {
        index,
        name: convo.name.clone(),
    });
    let mut session = settings.webhook.sessions.open();
    let mut transcript: Vec<TranscriptEntry> = Vec::new();
    let mut call_sid = None;
    let mut recording_url = None;
    let mut outcome = Dialled::Unanswered(String::new(), "not dialled".into());
    if let Some(relay) = &settings.relay {
        // Registered before dialing, so even the first webhook finds its owner.
        let record = SessionRecord {
            runner: relay.runner().to_string(),
            account: settings.client.account_sid().to_string(),
            voice: settings.webhook.voice.clone(),
            url_params: settings.webhook.public_url_params.clone(),
        };
        if let Err(e) = relay.register(&session.id, record).await {
            outcome = Dialled::RestError(format!("{e}; not dialed"));
        }
    }
    let attempts = if matches!(outcome, Dialled::RestError(_)) {
        0
    } else {
        settings.redial.max(1)
    };
    for attempt in 1..=attempts {
        outcome = dial(settings, &mut session, events, index).await;
        match &outcome {
            Dialled::Answered(sid) => {
                call_sid = Some(sid.clone());
                break;
            }
            Dialled::Unanswered(sid, why) => {
                transcript.push(system(started, format!("attempt {attempt}: {why}")));
                if !sid.is_empty() {
                    call_sid = Some(sid.clone());
                }
            }
            Dialled::RestError(_) => break,
            Dialled::Abandoned(sid, _) => {
                call_sid = Some(sid.clone());
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
    let verdict = match &outcome {
        Dialled::RestError(message) => error(format!(
            "{}: the call could not be placed: {message}",
            convo.name
        )),
        Dialled::Abandoned(_, why) => error(format!("{}: {why}", convo.name)),
        Dialled::Unanswered(_, why) => {
            error(format!("{}: the call was not answered: {why}", convo.name))
        }
        Dialled::Answered(sid) => {
            let inbox = CallerInbox {
                client: &settings.client,
                to: settings.from.clone(),
                since: began,
            };
            let session_id = session.id.clone();
            let leg = CallerLeg {
                client: &settings.client,
                webhook: &settings.webhook,
                session_id: &session_id,
                call_sid: sid,
            };
            let mut conversation = Conversation::new(
                &mut session,
                &settings.matcher,
                &settings.utterances,
                settings.options.clone(),
            )
            .with_sms(&inbox)
            .with_live_call(&leg)
            .with_events(events.clone(), index);
            let result = conversation.run(convo).await;
            transcript.append(&mut conversation.transcript);
            hang_up(settings, sid).await;
            recording_url = wait_completed(&mut session, sid, settings.wait_call_completed).await;
            let lost = settings.relay.as_ref().and_then(RelayLink::lost);
            match result {
                Ok(()) => Verdict::Passed,
                // The call could not be heard any more: no verdict about the IVR.
                Err(failure) if lost.is_some() => Verdict::Error(failure),
                Err(failure) => Verdict::Failed(failure),
            }
        }
    };
    if let Some(relay) = &settings.relay {
        relay.unregister(&session.id).await;
    }
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

fn system(started: Instant, text: String) -> TranscriptEntry {
    TranscriptEntry {
        at: started.elapsed(),
        speaker: Speaker::System,
        text,
        confidence: None,
        response_time: None,
    }
}

/// Places one call and waits until it is answered or ends.
async fn dial(
    settings: &CallSettings,
    session: &mut SessionEnd,
    events: &tokio::sync::mpsc::UnboundedSender<RunEvent>,
    index: usize,
) -> Dialled {
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
            &settings.from,
            webhook.callback_url(START, &session.id),
        )
    };
    let call = match settings.client.create_call(&request).await {
        Ok(call) => call,
        Err(error) => return Dialled::RestError(error.to_string()),
    };
    settings.live.add(&call.sid);
    let _ = events.send(RunEvent::CallPlaced {
        index,
        call_sid: call.sid.clone(),
    });
    let deadline = tokio::time::Instant::now() + settings.wait_call_started;
    loop {
        let event = tokio::time::timeout_at(deadline, session.events.recv()).await;
        match event {
            // Answered means Twilio asked for the first TwiML: that webhook now waits for the
            // conversation's first decision. The `in-progress` status callback may come first
            // and only reports.
            Ok(Some(CallEvent::Answered { .. })) => return Dialled::Answered(call.sid),
            Ok(Some(CallEvent::Lost { reason })) => {
                hang_up(settings, &call.sid).await;
                return Dialled::Abandoned(call.sid, reason);
            }
            Ok(Some(CallEvent::Status { status, .. })) => match status.as_str() {
                "busy" | "no-answer" | "failed" | "canceled" => {
                    settings.live.remove(&call.sid);
                    return Dialled::Unanswered(call.sid, format!("the line was {status}"));
                }
                "completed" => {
                    settings.live.remove(&call.sid);
                    return Dialled::Unanswered(
                        call.sid,
                        "the call ended before Twilio asked this run's webhook for TwiML: can Twilio reach TWILIO_IVR_PUBLICURL?".into(),
                    );
                }
                _ => {}
            },
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => {
                hang_up(settings, &call.sid).await;
                return Dialled::Unanswered(
                    call.sid,
                    format!(
                        "no answer within {} ms",
                        settings.wait_call_started.as_millis()
                    ),
                );
            }
        }
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

/// Hangs a call up; an already ended call is fine.
async fn hang_up(settings: &CallSettings, sid: &str) {
    let _ = settings.client.hang_up(sid).await;
    settings.live.remove(sid);
}
