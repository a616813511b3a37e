//! Studio flow coverage through the REST API, the same code path on the emulator and on
//! Twilio: the dialled number's configuration (IncomingPhoneNumbers) names the flow in its
//! voice URL (`.../v1/Accounts/{AC}/Flows/{FW}`), the Flows API gives its definition, and the
//! Executions API the executions created while the suite's calls ran, with their steps.
//!
//! An execution belongs to a test case exactly on the in-process emulator (its trigger's
//! `CallSid` is the IVR's leg, whose `arrived_from` is the test's call). On Twilio the flow's
//! execution only knows the caller's number and when it started: it belongs to the test case
//! whose call came from that number and was under way then, the nearest start winning. Two
//! test cases calling at once from one caller ID can therefore be confused on Twilio; give
//! each parallel call its own caller ID for exact attribution.

use chrono::{DateTime, Duration, Utc};
use twilio_emulator::store::Store;
use twilio_wire::client::{ClientError, StudioExecution, TwilioClient};

use super::graph::flow_graph;
use super::model::FlowCoverage;
use super::steps::{mark_execution, Step};

/// Where the dialled number's calls go, as its configuration says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A Studio flow: `FW...`.
    Flow(String),
    /// The number is not the account's own: its configuration cannot be read.
    NotOnAccount,
    /// The number's voice URL is not a Studio flow's (a TwiML application, or none).
    NotAFlow(Option<String>),
}

impl Destination {
    /// Why there is no Studio coverage, for the console; `None` for a flow.
    pub fn why_not_measured(&self, number: &str) -> Option<String> {
        match self {
            Destination::Flow(_) => None,
            Destination::NotOnAccount => Some(format!(
                "{number} is not a number of the account (IncomingPhoneNumbers): no Studio flow to measure"
            )),
            Destination::NotAFlow(url) => Some(format!(
                "{number} does not run a Studio flow (voice URL {}): no Studio flow to measure",
                url.as_deref().unwrap_or("none")
            )),
        }
    }
}

/// Reads where the calls to `number` go.
pub async fn locate(client: &TwilioClient, number: &str) -> Result<Destination, ClientError> {
    let numbers = client.find_incoming_number(number).await?;
    let Some(owned) = numbers.into_iter().find(|n| n.phone_number == number) else {
        return Ok(Destination::NotOnAccount);
    };
    Ok(match owned.voice_url.as_deref().and_then(flow_sid_in) {
        Some(sid) => Destination::Flow(sid),
        None => Destination::NotAFlow(owned.voice_url),
    })
}

/// The `FW...` of a Studio webhook URL (`https://webhooks.twilio.com/v1/Accounts/AC../Flows/FW..`).
pub fn flow_sid_in(voice_url: &str) -> Option<String> {
    let path = voice_url.split(['?', '#']).next()?;
    let mut segments = path.split('/');
    segments.find(|s| *s == "Flows")?;
    segments
        .next()
        .filter(|sid| sid.starts_with("FW") && sid.len() > 2)
        .map(str::to_string)
}

/// One test case's call as the Calls API tells it: who called, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCall {
    /// The test case's name.
    pub test: String,
    /// The caller's call SID.
    pub call_sid: String,
    /// The caller ID it came from.
    pub from: String,
    /// When it was created (Twilio's clock, as the executions' dates).
    pub start: DateTime<Utc>,
    /// When it ended (its start when it never ended).
    pub end: DateTime<Utc>,
}

/// How long before a call's creation and after its end an execution still counts as its own:
/// dates are to the second, and the flow starts after the call is answered.
const SLACK_SECONDS: i64 = 5;

/// The test case `execution` belongs to: exactly through the emulator's `store` when given,
/// else by caller number and time (see the module's doc).
pub fn attribute<'a>(
    execution: &StudioExecution,
    calls: &'a [TestCall],
    store: Option<&Store>,
) -> Option<&'a str> {
    if let Some(store) = store {
        let leg = execution.context["trigger"]["call"]["CallSid"].as_str()?;
        let caller = store.call(leg)?.arrived_from?;
        return calls
            .iter()
            .find(|c| c.call_sid == caller)
            .map(|c| c.test.as_str());
    }
    let created = execution.created_at()?;
    let from = match execution.context["trigger"]["call"]["From"].as_str() {
        Some(from) => from.to_string(),
        None => execution.contact_channel_address.clone(),
    };
    let slack = Duration::seconds(SLACK_SECONDS);
    calls
        .iter()
        .filter(|c| c.from == from && c.start - slack <= created && created <= c.end + slack)
        .min_by_key(|c| (created - c.start).num_milliseconds().abs())
        .map(|c| c.test.as_str())
}

/// The coverage of flow `flow_sid` by the executions the test cases' `calls` started.
pub async fn measure_flow(
    client: &TwilioClient,
    flow_sid: &str,
    calls: &[TestCall],
    store: Option<&Store>,
) -> Result<FlowCoverage, ClientError> {
    let flow = client.fetch_studio_flow(flow_sid).await?;
    let mut coverage = flow_graph(&flow.friendly_name, &flow.sid, &flow.definition)
        .map_err(ClientError::InvalidResponse)?;
    let initial = flow.definition["initial_state"]
        .as_str()
        .unwrap_or("Trigger")
        .to_string();
    let (Some(first), Some(last)) = (
        calls.iter().map(|c| c.start).min(),
        calls.iter().map(|c| c.end).max(),
    ) else {
        return Ok(coverage);
    };
    let slack = Duration::seconds(SLACK_SECONDS);
    let executions = client
        .list_studio_executions(flow_sid, first - slack, last + slack)
        .await?;
    for execution in &executions {
        let Some(test) = attribute(execution, calls, store) else {
            continue;
        };
        let steps: Vec<Step> = client
            .list_studio_steps(flow_sid, &execution.sid)
            .await?
            .into_iter()
            .map(|s| Step {
                name: s.name,
                from: s.transitioned_from,
                to: s.transitioned_to,
            })
            .collect();
        mark_execution(&mut coverage, &initial, &steps, test);
    }
    Ok(coverage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(second: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, second).unwrap()
    }

    fn call(test: &str, from: &str, start: u32, end: u32) -> TestCall {
        TestCall {
            test: test.into(),
            call_sid: format!("CA{test}"),
            from: from.into(),
            start: at(start),
            end: at(end),
        }
    }

    fn execution(from: &str, second: u32) -> StudioExecution {
        StudioExecution {
            sid: "FN1".into(),
            contact_channel_address: from.into(),
            context: json!({"trigger": {"call": {"From": from, "CallSid": "CAleg"}}}),
            date_created: Some(format!("2026-01-01T12:00:{second:02}Z")),
            ..Default::default()
        }
    }

    #[test]
    fn the_flow_sid_is_read_from_a_webhook_url() {
        assert_eq!(
            flow_sid_in("https://webhooks.twilio.com/v1/Accounts/AC1/Flows/FWabc").as_deref(),
            Some("FWabc")
        );
        assert_eq!(
            flow_sid_in("http://127.0.0.1:9/v1/Accounts/AC1/Flows/FWabc?x=1").as_deref(),
            Some("FWabc")
        );
        assert_eq!(flow_sid_in("https://ivr.example.com/voice"), None);
        assert_eq!(flow_sid_in("https://x/Flows/"), None);
    }

    #[test]
    fn on_twilio_the_caller_and_the_nearest_start_decide() {
        let calls = [
            call("a", "+1555", 0, 30),
            call("b", "+1555", 20, 50),
            call("c", "+1666", 0, 50),
        ];
        assert_eq!(attribute(&execution("+1555", 2), &calls, None), Some("a"));
        assert_eq!(attribute(&execution("+1555", 22), &calls, None), Some("b"));
        assert_eq!(attribute(&execution("+1666", 22), &calls, None), Some("c"));
        assert_eq!(attribute(&execution("+1777", 22), &calls, None), None);
        assert_eq!(attribute(&execution("+1555", 59), &calls, None), None);
    }
}
