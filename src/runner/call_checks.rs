//! `CHECKTWILIOCALL`: a passing test case's checks of its call, once the call has ended.
//!
//! Everything checked is observed on the caller's own call, so it works the same on Twilio and
//! on the emulator: the final status and duration from the call resource (`GET Calls/{Sid}`),
//! and who hung up from what the runner saw: the call ended before the script did (the IVR hung
//! up, or its webhooks were lost), or the runner hung up because the script ended.
//!
//! Transfers are the calls the IVR's `<Dial>` placed. Twilio (and the emulator, which shows the
//! IVR's side of each call as Twilio does) lists them as child calls (`ParentCallSid`) of the
//! IVR's own, `inbound` call, which the runner finds on its account when the IVR runs there:
//! `To` and `From` of the caller's call, answered and ended with it. When it cannot be found, or
//! cannot be told apart from a parallel test case's, a transfer check fails and says why: never
//! a silent pass.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::conversation::CallChecks;
use crate::events::Failure;
use botiumscript::convo::call_state::{
    CallCheck, EndedBy, ObservedCall, Transfer, CHECKTWILIOCALL,
};
use twilio_wire::client::{CallResource, TwilioClient};
use twilio_wire::time::parse_rfc2822;

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
    let listing = |filter: Vec<(&'static str, String)>| async move {
        client
            .list_calls(&filter)
            .await
            .map_err(|e| format!("the calls could not be listed: {e}"))
    };
    let arrived = listing(vec![("To", call.to.clone()), ("From", call.from.clone())]).await?;
    let ivr_call = ivr_call_of(call, &arrived)?;
    let children = listing(vec![("ParentCallSid", ivr_call.sid.clone())]).await?;
    Ok(children.iter().map(transfer).collect())
}

/// The IVR's own call among `arrived` (calls from the caller's number to the IVR's): the
/// `inbound` one answered and ended when `call` was, to Twilio's second. Parallel test cases
/// calling from the same number could match alike; that is refused rather than guessed.
fn ivr_call_of<'a>(
    call: &CallResource,
    arrived: &'a [CallResource],
) -> Result<&'a CallResource, String> {
    let time = |date: &Option<String>| date.as_deref().and_then(parse_rfc2822);
    let near = |a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>| match (a, b) {
        (Some(a), Some(b)) => (a - b).num_seconds().abs() <= 1,
        _ => false,
    };
    let matching: Vec<&CallResource> = arrived
        .iter()
        .filter(|c| c.direction.as_deref() == Some("inbound"))
        .filter(|c| near(time(&c.start_time), time(&call.start_time)))
        .filter(|c| near(time(&c.end_time), time(&call.end_time)))
        .collect();
    match matching.as_slice() {
        [ivr_call] => Ok(ivr_call),
        [] => Err(format!(
            "no inbound call from {} to {} answered and ended with this call is on this \
             account, so the IVR's own call (whose child calls are its transfers) cannot be \
             read; run the IVR's number on the same account",
            call.from, call.to
        )),
        several => Err(format!(
            "{} inbound calls from {} to {} answered and ended with this call, so which one is \
             the IVR's side of it cannot be told; give parallel test cases caller IDs of their \
             own (a list in TWILIO_IVR_FROM)",
            several.len(),
            call.from,
            call.to
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A call from the test's number to the IVR's, answered and ended at these seconds past
    /// 10:00:00.
    fn call(sid: &str, direction: &str, started: u32, ended: u32) -> CallResource {
        let at = |s: u32| format!("Fri, 04 Dec 2026 10:{:02}:{:02} +0000", s / 60, s % 60);
        CallResource {
            sid: sid.into(),
            status: "completed".into(),
            to: "+15550001111".into(),
            from: "+15550002222".into(),
            direction: Some(direction.into()),
            start_time: Some(at(started)),
            end_time: Some(at(ended)),
            ..CallResource::default()
        }
    }

    #[test]
    fn the_ivr_call_is_the_inbound_one_answered_and_ended_with_the_call() {
        let own = call("CAown", "outbound-api", 10, 40);
        let arrived = [
            own.clone(),
            call("CAearlier", "inbound", 0, 20),
            call("CAivr", "inbound", 11, 40),
            call("CAlater", "inbound", 30, 70),
        ];
        assert_eq!(
            ivr_call_of(&own, &arrived).map(|c| c.sid.as_str()),
            Ok("CAivr")
        );
    }

    #[test]
    fn no_matching_inbound_call_says_the_ivr_must_run_on_the_account() {
        let own = call("CAown", "outbound-api", 10, 40);
        let arrived = [own.clone(), call("CAother", "inbound", 10, 90)];
        let error = ivr_call_of(&own, &arrived).unwrap_err();
        assert!(
            error.contains("no inbound call from +15550002222 to +15550001111"),
            "{error}"
        );
        assert!(
            error.contains("run the IVR's number on the same account"),
            "{error}"
        );
    }

    #[test]
    fn two_inbound_calls_alike_are_refused_not_guessed() {
        let own = call("CAown", "outbound-api", 10, 40);
        let arrived = [
            call("CAa", "inbound", 10, 40),
            call("CAb", "inbound", 11, 41),
        ];
        let error = ivr_call_of(&own, &arrived).unwrap_err();
        assert!(error.starts_with("2 inbound calls"), "{error}");
        assert!(error.contains("caller IDs of their own"), "{error}");
    }
}
