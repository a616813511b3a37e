//! `CHECKTWILIOCALL`: a passing test case's checks of its call, once the call has ended.
//!
//! Everything checked is observed on the caller's own call, so it works the same on Twilio and
//! on the emulator: the final status and duration from the call resource (`GET Calls/{Sid}`),
//! and who hung up from what the runner saw: the call ended before the script did (the IVR hung
//! up, or its webhooks were lost), or the runner hung up because the script ended.

use std::time::Duration;

use super::conversation::CallChecks;
use super::events::Failure;
use crate::convo::call_state::{EndedBy, ObservedCall, CHECKTWILIOCALL};
use crate::twilio::client::TwilioClient;

/// Checks `checks` against call `sid`; the failure names the `#end` step and what was seen.
pub async fn check_call(
    client: &TwilioClient,
    sid: &str,
    ended_by: EndedBy,
    checks: &[CallChecks],
    at: Duration,
) -> Result<(), Failure> {
    if checks.is_empty() {
        return Ok(());
    }
    let failure = |step: &CallChecks, message: String| Failure {
        step: Some(step.step.clone()),
        message: format!("{CHECKTWILIOCALL}: {message}"),
        expected: None,
        heard: None,
        similarity: None,
        confidence: None,
        at,
    };
    let call = match client.fetch_call(sid).await {
        Ok(call) => call,
        Err(error) => {
            return Err(failure(
                &checks[0],
                format!("the call {sid} could not be read to check it: {error}"),
            ))
        }
    };
    let observed = ObservedCall {
        status: call.status,
        ended_by,
        duration_secs: call.duration_secs.unwrap_or(0),
    };
    for step in checks {
        let failed = step.checks.iter().find_map(|c| c.check(&observed).err());
        match (failed, step.not) {
            (Some(message), false) => return Err(failure(step, message)),
            (None, true) => {
                return Err(failure(
                    step,
                    format!(
                        "expected one check to fail, but the call ended {} by the {} after {} s",
                        observed.status, observed.ended_by, observed.duration_secs
                    ),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}
