//! `doctor --call`: one short call to `TWILIO_IVR_TO` that hangs up as soon as it is answered
//! (inline TwiML, so no webhook is needed), and the status it ended with.

use std::time::Duration;

use twilio_wire::client::{CreateCall, TwilioClient};

use crate::config::TwilioCaps;

use super::Finding;

/// How long the call may ring and take before the check gives up on it.
const RING_SECS: u32 = 20;
/// How often its status is read.
const POLL: Duration = Duration::from_millis(500);

/// Places the test call and waits for its end (hanging it up if it outlives the wait).
pub(super) async fn place(client: &TwilioClient, twilio: &TwilioCaps) -> Finding {
    let (Some(to), Some(from)) = (&twilio.to, twilio.caller_ids.first()) else {
        return Finding::fail(
            "test-call",
            "not placed: TWILIO_IVR_TO and TWILIO_IVR_FROM are needed",
            "set both",
        );
    };
    let request = CreateCall {
        twiml: Some("<Response><Hangup/></Response>".into()),
        timeout_secs: Some(RING_SECS),
        time_limit_secs: Some(10),
        ..CreateCall::new(to, from, "")
    };
    let created = match client.create_call(&request).await {
        Ok(call) => call,
        Err(e) => {
            return Finding::fail(
                "test-call",
                format!("Twilio refused the call: {e}"),
                "fix what the error names; the checks above usually say which",
            )
        }
    };
    let polls = u64::from(RING_SECS + 10) * 1000 / POLL.as_millis() as u64;
    for _ in 0..polls {
        tokio::time::sleep(POLL).await;
        match client.fetch_call(&created.sid).await {
            Ok(call) if call.has_ended() => return ended(&call.sid, &call.status),
            Ok(_) => {}
            Err(e) => {
                return Finding::fail(
                    "test-call",
                    format!(
                        "call {} placed, but its status cannot be read: {e}",
                        created.sid
                    ),
                    "see the call in the Console's call logs",
                )
            }
        }
    }
    let _ = client.hang_up(&created.sid).await;
    Finding::fail(
        "test-call",
        format!(
            "call {} did not end within {} s; hung up",
            created.sid,
            RING_SECS + 10
        ),
        "see the call in the Console's call logs",
    )
}

fn ended(sid: &str, status: &str) -> Finding {
    match status {
        "completed" => Finding::ok("test-call", format!("call {sid} was answered and hung up")),
        "busy" | "no-answer" => Finding::warn(
            "test-call",
            format!("call {sid} reached the number but ended {status}"),
            "make sure the IVR answers TWILIO_IVR_TO",
        ),
        _ => Finding::fail(
            "test-call",
            format!("call {sid} ended {status}"),
            "see the call's errors in the Console's call logs",
        ),
    }
}
