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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use twilio_emulator::model::{
        CallRecord, CallRequest, GatherOutcome, TwimlSource, WebhookRequest,
    };
    use twilio_wire::twiml::HttpMethod;

    fn request() -> CallRequest {
        CallRequest {
            account_sid: "AC1".into(),
            to: "+1555".into(),
            from: "+1666".into(),
            twiml: TwimlSource::Inline("<Response/>".into()),
            fallback: None,
            status_callback: None,
            status_callback_method: HttpMethod::Post,
            status_callback_events: Vec::new(),
            record: false,
            timeout_secs: 60,
            time_limit_secs: 600,
            send_digits: None,
        }
    }

    /// The IVR's leg of the test call `caller`: requested `urls`, gathered `gathers`.
    fn leg(store: &Store, caller: &str, urls: &[&str], gathers: &[(&str, &str, Option<&str>)]) {
        let mut record =
            CallRecord::arrived(format!("{caller}-ivr"), caller, request(), Utc::now());
        record.webhooks = urls
            .iter()
            .map(|url| WebhookRequest {
                method: "POST".into(),
                url: url.to_string(),
            })
            .collect();
        record.gathers = gathers
            .iter()
            .map(|(url, outcome, value)| GatherOutcome {
                url: url.to_string(),
                outcome: outcome.to_string(),
                value: value.map(str::to_string),
            })
            .collect();
        store.insert_call(record);
    }

    fn call(test: &str, sid: &str) -> TestCall {
        TestCall {
            test: test.into(),
            call_sid: sid.into(),
            from: "+1666".into(),
            start: Utc::now(),
            end: Utc::now(),
        }
    }

    #[test]
    fn each_test_cases_ivr_leg_counts_for_it_alone() {
        let store = Store::default();
        leg(
            &store,
            "CAa",
            &["https://ivr/voice", "https://ivr/menu?lang=en"],
            &[("https://ivr/voice", "digits", Some("2"))],
        );
        leg(
            &store,
            "CAb",
            &["https://ivr/voice", "https://ivr/voice"],
            &[
                ("https://ivr/voice", "timeout", None),
                ("https://ivr/voice", "digits", Some("2")),
            ],
        );
        // A call no test case made (another run's) counts for nobody.
        leg(&store, "CAother", &["https://ivr/secret"], &[]);
        let coverage = application_coverage(&store, "+1555", &[call("a", "CAa"), call("b", "CAb")]);
        assert_eq!(coverage.number, "+1555");
        let urls: Vec<&str> = coverage.webhooks.iter().map(|w| w.url.as_str()).collect();
        assert_eq!(urls, ["https://ivr/menu?lang=en", "https://ivr/voice"]);
        let voice = &coverage.webhooks[1];
        assert_eq!(voice.tests, ["a".to_string(), "b".to_string()].into());
        let gathers: Vec<(String, Option<String>, Vec<String>)> = voice
            .gathers
            .iter()
            .map(|g| {
                (
                    g.outcome.clone(),
                    g.value.clone(),
                    g.tests.iter().cloned().collect(),
                )
            })
            .collect();
        assert_eq!(
            gathers,
            [
                (
                    "digits".into(),
                    Some("2".into()),
                    vec!["a".into(), "b".into()]
                ),
                ("timeout".into(), None, vec!["b".into()]),
            ]
        );
        assert!(coverage.webhooks[0].gathers.is_empty());
    }
}
