//! `CHECKTWILIOCALL`: a passing test case's checks of its call, once the call has ended.
//!
//! Everything checked is observed on the caller's own call, so it works the same on Twilio and
//! on the emulator: the final status and duration from the call resource (`GET Calls/{Sid}`),
//! and who hung up from what the runner saw: the call ended before the script did (the IVR hung
//! up, or its webhooks were lost), or the runner hung up because the script ended.
//!
//! Transfers are the calls the IVR's `<Dial>` placed. Twilio lists them as child calls
//! (`ParentCallSid`) of the IVR's own, inbound call, which the runner finds on its account when
//! the IVR runs there (`To` and `From` of the caller's call, direction `inbound`). The emulator,
//! whose two legs share one call, lists them under the caller's call. When neither can be found,
//! a transfer check fails and says why: never a silent pass.

use std::time::Duration;

use super::conversation::CallChecks;
use super::events::Failure;
use crate::convo::call_state::{CallCheck, EndedBy, ObservedCall, Transfer, CHECKTWILIOCALL};
use crate::twilio::client::{CallResource, TwilioClient};

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
    let wants_transfers = checks
        .iter()
        .any(|c| c.checks.iter().any(CallCheck::needs_transfers));
    let transfers = if wants_transfers {
        transfers(client, &call).await
    } else {
        Ok(Vec::new())
    };
    let observed = ObservedCall {
        status: call.status,
        ended_by,
        duration_secs: call.duration_secs.unwrap_or(0),
        transfers,
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

/// The IVR's transfers of `call` (see the module doc), or why they cannot be seen.
async fn transfers(client: &TwilioClient, call: &CallResource) -> Result<Vec<Transfer>, String> {
    let children = |parent: String| async move {
        client
            .list_calls(&[("ParentCallSid", parent)])
            .await
            .map_err(|e| format!("the calls could not be listed: {e}"))
    };
    let mine = children(call.sid.clone()).await?;
    if !mine.is_empty() {
        return Ok(mine.iter().map(transfer).collect());
    }
    let arrived = client
        .list_calls(&[("To", call.to.clone()), ("From", call.from.clone())])
        .await
        .map_err(|e| format!("the calls could not be listed: {e}"))?;
    let ivr_call = arrived
        .into_iter()
        .filter(|c| c.direction.as_deref() == Some("inbound"))
        .find(|c| c.created_at() >= call.created_at());
    match ivr_call {
        Some(ivr_call) => Ok(children(ivr_call.sid).await?.iter().map(transfer).collect()),
        None => Err(format!(
            "no inbound call from {} to {} is on this account, so the IVR's own call (whose child \
             calls are its transfers) cannot be read; run the IVR's number on the same account",
            call.from, call.to
        )),
    }
}

/// A dialed leg as a transfer: answered once it was in progress (and so `completed` at its end).
fn transfer(leg: &CallResource) -> Transfer {
    Transfer {
        to: leg.to.clone(),
        answered: matches!(leg.status.as_str(), "in-progress" | "completed"),
    }
}
