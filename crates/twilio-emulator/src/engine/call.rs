//! One call's life: queue, dial, ring, answer, bridge the legs, end, and report each step.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;

use super::bridge::line;
use super::callbacks::StatusCallbacks;
use super::leg::dial::Dialer;
use super::leg::{AnswerGate, LegContext, LegEnd, PendingPosts, Voice};
use super::recordings::store_recording;
use super::{Command, Destination, Shared};
use crate::model::{
    CallRecord, CallRequest, CallStatus, Leg, RecordingRecord, StatusEvent, TranscriptLine,
    TwimlSource,
};
use twilio_wire::sid::new_sid;
use twilio_wire::time::rfc2822;
use twilio_wire::twiml::RejectReason;

/// How a call ended, for the record and the `completed` callback.
struct Ending {
    status: CallStatus,
    sip_code: u16,
    note: String,
}

impl Ending {
    fn new(status: CallStatus, sip_code: u16, note: impl Into<String>) -> Ending {
        Ending {
            status,
            sip_code,
            note: note.into(),
        }
    }
}

/// Runs a call to its end; the REST API's commands arrive on `commands`.
pub(super) async fn run(
    shared: Arc<Shared>,
    sid: String,
    request: CallRequest,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let token = shared
        .settings
        .auth_tokens
        .get(&request.account_sid)
        .cloned()
        .unwrap_or_default();
    let mut callbacks = StatusCallbacks::start(
        shared.client.clone(),
        request.status_callback.clone(),
        request.status_callback_method,
        request.status_callback_events.clone(),
        token.clone(),
    );
    let base = standard_params(&sid, &request, "outbound-api");
    let callback = |status: &str, extra: Vec<(String, String)>| {
        let mut params = base.clone();
        params.push(("CallStatus".into(), status.into()));
        params.push(("Timestamp".into(), rfc2822(shared.clock.now())));
        params.extend(extra);
        params
    };

    // Calls beyond the calls-per-second limit wait in the queue; a cancel there fires nothing.
    let queued = tokio::select! {
        waited = shared.wait_for_slot(&request.account_sid) => Some(waited),
        command = commands.recv() => match command {
            Some(Command::Cancel | Command::HangUp) | None => None,
            Some(Command::Redirect(_) | Command::RedirectIvr(_)) => {
                Some(shared.wait_for_slot(&request.account_sid).await)
            }
        },
    };
    let Some(waited) = queued else {
        shared.log.event(&format!("{sid} canceled while queued"));
        finish_record(&shared, &sid, CallStatus::Canceled, "canceled while queued");
        shared.forget(&sid);
        return;
    };
    let queue_ms = shared.clock.scale() * waited.as_secs_f64() * 1000.0;
    shared
        .store
        .update_call(&sid, |c| c.queue_time_ms = queue_ms as u64);
    callbacks.notify(StatusEvent::Initiated, callback("initiated", Vec::new()));

    // The caller's TwiML of a live-call update before the answer: it runs instead once answered.
    let mut redirected = None;
    let ending = match shared.settings.destinations.get(&request.to).cloned() {
        None => Ending::new(CallStatus::Failed, 404, "no such number"),
        Some(Destination::Failed) => {
            Ending::new(CallStatus::Failed, 503, "the number cannot be reached")
        }
        Some(Destination::Busy) => {
            ring(&shared, &sid, &mut callbacks, &callback);
            match wait(
                &shared,
                Duration::from_secs(2),
                &mut commands,
                &mut redirected,
            )
            .await
            {
                Some(ending) => ending,
                None => Ending::new(CallStatus::Busy, 486, "busy"),
            }
        }
        Some(Destination::NoAnswer) => {
            ring(&shared, &sid, &mut callbacks, &callback);
            let timeout = Duration::from_secs(u64::from(request.timeout_secs));
            match wait(&shared, timeout, &mut commands, &mut redirected).await {
                Some(ending) => ending,
                None => Ending::new(CallStatus::NoAnswer, 487, "no answer"),
            }
        }
        Some(Destination::Answers {
            voice_url,
            fallback,
            rings,
            hang_up_after,
        }) => {
            ring(&shared, &sid, &mut callbacks, &callback);
            let ringing = shared.settings.ring * rings;
            let timeout = Duration::from_secs(u64::from(request.timeout_secs));
            match wait(
                &shared,
                ringing.min(timeout),
                &mut commands,
                &mut redirected,
            )
            .await
            {
                Some(ending) => ending,
                None if ringing > timeout => Ending::new(CallStatus::NoAnswer, 487, "no answer"),
                None => {
                    // The IVR picks up and runs its TwiML; the call is answered when that
                    // TwiML answers it (see `AnswerGate`), within what is left of `Timeout`.
                    let mut mark_answered = || {
                        let now = shared.clock.now();
                        shared.store.update_call(&sid, |c| {
                            c.status = CallStatus::InProgress;
                            c.start_time = Some(now);
                            c.date_updated = now;
                        });
                        callbacks
                            .notify(StatusEvent::Answered, callback("in-progress", Vec::new()));
                        shared.log.event(&format!("{sid} in-progress"));
                    };
                    let answered = Answered {
                        voice_url,
                        fallback,
                        hang_up_after,
                        token: token.clone(),
                        within: timeout - ringing,
                        redirected: redirected.take(),
                    };
                    talk(
                        &shared,
                        &sid,
                        &request,
                        answered,
                        &mut commands,
                        &mut mark_answered,
                    )
                    .await
                }
            }
        }
    };

    let now = shared.clock.now();
    let record = shared.store.update_call(&sid, |c| {
        c.status = ending.status;
        c.end_time = Some(now);
        c.date_updated = now;
        c.transcript.push(TranscriptLine {
            at: now,
            leg: Leg::Callee,
            text: format!("call {}: {}", ending.status.as_str(), ending.note),
        });
        c.clone()
    });
    let mut extra = vec![("SipResponseCode".to_string(), ending.sip_code.to_string())];
    if let Some(record) = record {
        let seconds = record.duration_secs().unwrap_or(0);
        extra.push(("CallDuration".into(), seconds.to_string()));
        if ending.status == CallStatus::Completed {
            extra.push(("Duration".into(), ((seconds + 59) / 60).to_string()));
            if request.record && record.start_time.is_some() {
                let (recording_sid, url) = store_recording(
                    &shared.store,
                    &shared.settings.api_base_url,
                    RecordingRecord {
                        sid: new_sid("RE"),
                        account_sid: request.account_sid.clone(),
                        call_sid: sid.clone(),
                        duration_secs: seconds,
                        date_created: now,
                        source: crate::model::RecordingSource::OutboundApi,
                        channels: 1,
                    },
                );
                shared
                    .store
                    .update_call(&sid, |c| c.recording_sid = Some(recording_sid.clone()));
                extra.push(("RecordingUrl".into(), url));
                extra.push(("RecordingSid".into(), recording_sid));
                extra.push(("RecordingDuration".into(), seconds.to_string()));
            }
        }
    }
    shared.log.event(&format!(
        "{sid} {} ({})",
        ending.status.as_str(),
        ending.note
    ));
    callbacks.notify(
        StatusEvent::Completed,
        callback(ending.status.as_str(), extra),
    );
    shared.forget(&sid);
    callbacks.finish().await;
}

/// Marks the call ringing and tells the status callback.
fn ring(
    shared: &Shared,
    sid: &str,
    callbacks: &mut StatusCallbacks,
    callback: &impl Fn(&str, Vec<(String, String)>) -> Vec<(String, String)>,
) {
    let now = shared.clock.now();
    shared.store.update_call(sid, |c| {
        c.status = CallStatus::Ringing;
        c.date_updated = now;
    });
    callbacks.notify(StatusEvent::Ringing, callback("ringing", Vec::new()));
    shared.log.event(&format!("{sid} ringing"));
}

/// Waits an emulated duration before the answer; a hang-up or cancel ends the call first, and
/// the caller's TwiML of a live-call update meanwhile is kept in `redirected`.
async fn wait(
    shared: &Shared,
    duration: Duration,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    redirected: &mut Option<TwimlSource>,
) -> Option<Ending> {
    let deadline = tokio::time::Instant::now() + shared.clock.wall(duration);
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => return None,
            command = commands.recv() => match command {
                Some(Command::Cancel | Command::HangUp) | None => {
                    return Some(Ending::new(CallStatus::Canceled, 487, "canceled before answer"));
                }
                Some(Command::Redirect(source)) => *redirected = Some(source),
                Some(Command::RedirectIvr(_)) => {}
            },
        }
    }
}

/// What an answering destination does.
struct Answered {
    voice_url: Option<(String, twilio_wire::twiml::HttpMethod)>,
    fallback: Option<(String, twilio_wire::twiml::HttpMethod)>,
    hang_up_after: Option<Duration>,
    token: String,
    /// How long its TwiML may keep the call unanswered: what is left of the caller's
    /// `Timeout` after the rings.
    within: Duration,
    /// The caller's TwiML from a live-call update while the call rang: it runs instead of the
    /// TwiML the call was created with.
    redirected: Option<TwimlSource>,
}

/// Runs the IVR's leg until it answers the call (`mark_answered` is called then), then bridges
/// the two legs until one ends, the REST API hangs up, or a time limit passes.
async fn talk(
    shared: &Arc<Shared>,
    sid: &str,
    request: &CallRequest,
    mut answered: Answered,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    mark_answered: &mut (dyn FnMut() + Send),
) -> Ending {
    let (caller_mouth, callee_ear) = line();
    let (callee_mouth, caller_ear) = line();
    let caller_ear = Arc::new(Mutex::new(caller_ear));
    let voice = |leg: Leg, mouth| Voice {
        leg,
        call_sid: sid.to_string(),
        clock: shared.clock,
        store: shared.store.clone(),
        mouth,
        words_per_minute: shared.settings.words_per_minute,
        log: shared.log.clone(),
    };
    let caller = Arc::new(LegContext {
        voice: voice(Leg::Caller, caller_mouth),
        auth_token: answered.token.clone(),
        params: standard_params(sid, request, "outbound-api"),
        fallback: request.fallback.clone(),
        client: shared.client.clone(),
        ear: caller_ear,
        recogniser: shared.recogniser(),
        api_base_url: shared.settings.api_base_url.clone(),
        posts: PendingPosts::default(),
        dialer: None,
        answer: None,
    });
    // The IVR sees an inbound call of its own, from the caller's number, as on Twilio: a call
    // resource its `<Dial>`s hang under and the REST API can hang up or redirect.
    let callee_sid = new_sid("CA");
    let voice_source = answered
        .voice_url
        .clone()
        .map(|(url, method)| TwimlSource::Url { url, method });
    let mut arrived = request.clone();
    arrived.twiml = voice_source
        .clone()
        .unwrap_or(TwimlSource::Inline(String::new()));
    arrived.fallback = answered.fallback.clone();
    arrived.status_callback = None;
    arrived.record = false;
    arrived.send_digits = None;
    shared.store.insert_call(CallRecord::arrived(
        callee_sid.clone(),
        sid,
        arrived,
        shared.clock.now(),
    ));
    shared.add_inbound(sid, &callee_sid);
    let (gate, mut answer) = AnswerGate::new();
    let callee = Arc::new(LegContext {
        voice: voice(Leg::Callee, callee_mouth),
        auth_token: answered.token.clone(),
        params: standard_params(&callee_sid, request, "inbound"),
        fallback: answered.fallback.clone(),
        client: shared.client.clone(),
        ear: Arc::new(Mutex::new(callee_ear)),
        recogniser: shared.recogniser(),
        api_base_url: shared.settings.api_base_url.clone(),
        posts: PendingPosts::default(),
        dialer: Some(Dialer {
            shared: shared.clone(),
            parent_sid: callee_sid.clone(),
            request: request.clone(),
        }),
        answer: Some(gate),
    });

    let start_caller = |source| -> JoinHandle<LegEnd> {
        let caller = caller.clone();
        let send_digits = request.send_digits.clone();
        tokio::spawn(async move {
            if let Some(digits) = send_digits {
                caller.voice.press(&digits).await;
            }
            caller.run(source, "in-progress").await
        })
    };
    let start_callee = |source: Option<TwimlSource>, status: &'static str| -> JoinHandle<LegEnd> {
        let callee = callee.clone();
        tokio::spawn(async move {
            match source {
                Some(source) => callee.run(source, status).await,
                None => {
                    // A line without TwiML answers and stays silent.
                    if let Some(gate) = &callee.answer {
                        gate.open();
                    }
                    std::future::pending().await
                }
            }
        })
    };
    let mut callee_task = start_callee(voice_source, "ringing");

    // Until the IVR's TwiML answers, the call rings: the caller's TwiML has not started, and a
    // live-call update meanwhile replaces the TwiML it starts with.
    let mut caller_source = answered
        .redirected
        .take()
        .unwrap_or_else(|| request.twiml.clone());
    let unanswered_until = tokio::time::Instant::now() + shared.clock.wall(answered.within);
    let unanswered = loop {
        tokio::select! {
            Ok(()) = &mut answer => break None,
            end = &mut callee_task => {
                // It may have answered just before it ended.
                if answer.try_recv().is_ok() {
                    mark_answered();
                    ivr_side_answered(shared, &callee_sid);
                }
                break Some(leg_ending(Leg::Callee, end.ok()));
            }
            _ = tokio::time::sleep_until(unanswered_until) => {
                break Some(Ending::new(CallStatus::NoAnswer, 487, "no answer"));
            }
            command = commands.recv() => match command {
                Some(Command::HangUp | Command::Cancel) | None => {
                    break Some(Ending::new(CallStatus::Canceled, 487, "canceled before answer"));
                }
                // Nothing of the caller's TwiML runs yet: it starts with the new one.
                Some(Command::Redirect(source)) => {
                    caller.voice.note("redirected through the REST API while ringing");
                    caller_source = source;
                }
                Some(Command::RedirectIvr(source)) => {
                    stop(&mut callee_task).await;
                    callee.voice.note("redirected through the REST API");
                    callee_task = start_callee(Some(source), "ringing");
                }
            },
        }
    };
    let ending = match unanswered {
        Some(ending) => ending,
        None => {
            mark_answered();
            ivr_side_answered(shared, &callee_sid);
            let limit = Duration::from_secs(u64::from(request.time_limit_secs));
            let hang_up_after = answered.hang_up_after.unwrap_or(limit).min(limit);
            let deadline = tokio::time::Instant::now() + shared.clock.wall(hang_up_after);
            let mut caller_task = start_caller(caller_source);
            let ending = loop {
                tokio::select! {
                    end = &mut caller_task => break leg_ending(Leg::Caller, end.ok()),
                    end = &mut callee_task => break leg_ending(Leg::Callee, end.ok()),
                    _ = tokio::time::sleep_until(deadline) => {
                        break if hang_up_after < limit {
                            Ending::new(CallStatus::Completed, 200, "the called party hung up")
                        } else {
                            Ending::new(CallStatus::Completed, 200, "TimeLimit reached")
                        };
                    }
                    command = commands.recv() => match command {
                        Some(Command::HangUp | Command::Cancel) | None => {
                            break Ending::new(
                                CallStatus::Completed,
                                200,
                                "hung up through the REST API",
                            );
                        }
                        Some(Command::Redirect(source)) => {
                            // The leg's current verb (a `<Gather>` with its prompts and interim
                            // results included) ends now, and its `action` is never requested.
                            // Waiting for the abort to take effect means nothing of the old
                            // TwiML happens after this.
                            caller_task.abort();
                            let _ = (&mut caller_task).await;
                            caller.voice.note("redirected through the REST API");
                            caller_task = start_caller(source);
                        }
                        Some(Command::RedirectIvr(source)) => {
                            stop(&mut callee_task).await;
                            callee.voice.note("redirected through the REST API");
                            callee_task = start_callee(Some(source), "in-progress");
                        }
                    },
                }
            };
            stop(&mut caller_task).await;
            ending
        }
    };
    // Both legs stop now (a `<Gather>` that ends this way posts the words said by now as
    // interim results); those requests are answered before the call reports its end.
    stop(&mut callee_task).await;
    let deadline = tokio::time::Instant::now() + shared.settings.webhook_budget;
    caller.posts.settle(deadline).await;
    callee.posts.settle(deadline).await;
    let now = shared.clock.now();
    shared.store.update_call(&callee_sid, |c| {
        c.status = ending.status;
        c.end_time = Some(now);
        c.date_updated = now;
    });
    shared.forget(&callee_sid);
    shared.legs_ended(&[sid, &callee_sid]);
    ending
}

/// Marks the IVR's inbound call answered, with the caller's.
fn ivr_side_answered(shared: &Shared, callee_sid: &str) {
    let now = shared.clock.now();
    shared.store.update_call(callee_sid, |c| {
        c.status = CallStatus::InProgress;
        c.start_time = Some(now);
        c.date_updated = now;
    });
}

/// Stops a leg's task unless it has finished, and waits until it has.
async fn stop(task: &mut JoinHandle<LegEnd>) {
    if !task.is_finished() {
        task.abort();
        let _ = task.await;
    }
}

fn leg_ending(leg: Leg, end: Option<LegEnd>) -> Ending {
    let who = match leg {
        Leg::Caller => "the caller",
        Leg::Callee => "the called party",
    };
    match end {
        Some(LegEnd::Rejected(RejectReason::Busy)) => {
            Ending::new(CallStatus::Busy, 486, "rejected as busy")
        }
        Some(LegEnd::Rejected(RejectReason::Rejected)) => {
            Ending::new(CallStatus::NoAnswer, 603, "rejected")
        }
        Some(LegEnd::Transferred(to)) => Ending::new(
            CallStatus::Completed,
            200,
            format!("{who} transferred the call to {to}"),
        ),
        Some(LegEnd::HungUp | LegEnd::Finished) | None => {
            Ending::new(CallStatus::Completed, 200, format!("{who} hung up"))
        }
    }
}

/// Sets the final status of a call that never got past the queue.
fn finish_record(shared: &Shared, sid: &str, status: CallStatus, note: &str) {
    let now = shared.clock.now();
    shared.store.update_call(sid, |c| {
        c.status = status;
        c.end_time = Some(now);
        c.date_updated = now;
        c.transcript.push(TranscriptLine {
            at: now,
            leg: Leg::Caller,
            text: note.to_string(),
        });
    });
}

/// The parameters of every request about a leg (§5.1), without `CallStatus`. Both legs see
/// the call from the caller's number to the called one.
pub(super) fn standard_params(
    sid: &str,
    request: &CallRequest,
    direction: &str,
) -> Vec<(String, String)> {
    let (from, to) = (request.from.as_str(), request.to.as_str());
    let mut params: Vec<(String, String)> = vec![
        ("AccountSid".into(), request.account_sid.clone()),
        ("ApiVersion".into(), "2010-04-01".into()),
        ("CallSid".into(), sid.to_string()),
        ("Direction".into(), direction.into()),
        ("From".into(), from.into()),
        ("To".into(), to.into()),
        ("Caller".into(), from.into()),
        ("Called".into(), to.into()),
    ];
    for place in ["From", "To", "Caller", "Called"] {
        for part in ["City", "State", "Zip", "Country"] {
            params.push((format!("{place}{part}"), String::new()));
        }
    }
    params
}
