//! Measuring a run's coverage after its last call: the dialled number's Studio flow through
//! the REST API ([`super::studio`]) and, on the in-process emulator, its TwiML application's
//! webhooks ([`super::twiml`]).

use twilio_emulator::store::Store;
use twilio_wire::client::TwilioClient;
use twilio_wire::time::parse_rfc2822;

use super::model::Coverage;
use super::studio::{locate, measure_flow, Destination, TestCall};
use super::twiml::application_coverage;
use crate::events::TestResult;

/// What was measured, and what a person should know about it (no flow on the number, an
/// API that failed).
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// The coverage (empty when nothing could be measured).
    pub coverage: Coverage,
    /// One line each, for the console.
    pub notes: Vec<String>,
}

/// Measures what the test cases' calls (`results`) to `number` exercised; `emulator` is the
/// in-process emulator's store when the run is emulated.
pub async fn measure(
    client: &TwilioClient,
    number: &str,
    emulator: Option<&Store>,
    results: &[TestResult],
) -> Measured {
    let mut measured = Measured::default();
    let mut calls = Vec::new();
    for result in results {
        let Some(sid) = &result.call_sid else {
            continue;
        };
        match client.fetch_call(sid).await {
            Ok(call) => {
                let Some(start) = call.created_at() else {
                    continue;
                };
                let end = call
                    .end_time
                    .as_deref()
                    .and_then(parse_rfc2822)
                    .unwrap_or(start)
                    .max(start);
                calls.push(TestCall {
                    test: result.name.clone(),
                    call_sid: sid.clone(),
                    from: call.from,
                    start,
                    end,
                });
            }
            Err(e) => measured
                .notes
                .push(format!("coverage: cannot read call {sid}: {e}")),
        }
    }
    match locate(client, number).await {
        Ok(Destination::Flow(sid)) => match measure_flow(client, &sid, &calls, emulator).await {
            Ok(flow) => measured.coverage.flows.push(flow),
            Err(e) => measured
                .notes
                .push(format!("coverage: cannot read Studio flow {sid}: {e}")),
        },
        Ok(other) => {
            if let Some(store) = emulator {
                measured
                    .coverage
                    .applications
                    .push(application_coverage(store, number, &calls));
            } else if let Some(why) = other.why_not_measured(number) {
                measured.notes.push(format!("coverage: {why}"));
            }
        }
        Err(e) => measured.notes.push(format!(
            "coverage: cannot read the configuration of {number}: {e}"
        )),
    }
    measured
}
