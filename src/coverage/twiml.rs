//! TwiML application coverage on the in-process emulator: which webhook URLs the IVR's legs
//! requested, and what each `<Gather>` of the documents they answered got (digits, speech, or
//! a timeout), by test case. The emulator keeps these per leg; the IVR's leg of a test's call
//! is the one that `arrived_from` it. Twilio keeps no such record, so this is emulator only.

use std::collections::BTreeMap;

use twilio_emulator::store::Store;

use super::model::{ApplicationCoverage, GatherCoverage, WebhookCoverage};
use super::studio::TestCall;

/// The webhooks and gather outcomes of `number`'s TwiML application that the test cases'
/// `calls` exercised, sorted by method and URL.
pub fn application_coverage(
    store: &Store,
    number: &str,
    calls: &[TestCall],
) -> ApplicationCoverage {
    let mut webhooks: BTreeMap<(String, String), WebhookCoverage> = BTreeMap::new();
    for call in calls {
        let legs = store.calls(|c| c.arrived_from.as_deref() == Some(call.call_sid.as_str()));
        for leg in legs {
            for request in &leg.webhooks {
                let url = request.url.clone();
                webhooks
                    .entry((request.method.clone(), url.clone()))
                    .or_insert_with(|| WebhookCoverage {
                        method: request.method.clone(),
                        url,
                        tests: Default::default(),
                        gathers: Vec::new(),
                    })
                    .tests
                    .insert(call.test.clone());
            }
            for gathered in &leg.gathers {
                let Some(webhook) = webhooks.values_mut().find(|w| w.url == gathered.url) else {
                    continue;
                };
                let known = webhook
                    .gathers
                    .iter_mut()
                    .find(|g| g.outcome == gathered.outcome && g.value == gathered.value);
                match known {
                    Some(known) => {
                        known.tests.insert(call.test.clone());
                    }
                    None => webhook.gathers.push(GatherCoverage {
                        outcome: gathered.outcome.clone(),
                        value: gathered.value.clone(),
                        tests: [call.test.clone()].into(),
                    }),
                }
            }
        }
    }
    let mut webhooks: Vec<WebhookCoverage> = webhooks.into_values().collect();
    for webhook in &mut webhooks {
        webhook.gathers.sort();
    }
    ApplicationCoverage {
        number: number.to_string(),
        webhooks,
    }
}
