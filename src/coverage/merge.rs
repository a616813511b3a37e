//! The union of two runs' coverage (shards of one suite): each widget, transition, webhook and
//! `<Gather>` outcome lists every test case that exercised it in either.
//!
//! Flows are matched by SID and must have the same definition (the same widgets and
//! transitions in the same order); shards that ran different versions of a flow are refused,
//! since their counts could not be compared. Applications are matched by number; their
//! webhooks by method and URL, and gather outcomes by outcome and value, each kept sorted.

use super::model::{ApplicationCoverage, Coverage, FlowCoverage, GatherCoverage, WebhookCoverage};

/// Adds `other`'s test cases to `into`; an error names the flow whose definitions differ.
pub fn merge_into(into: &mut Coverage, other: Coverage) -> Result<(), String> {
    for flow in other.flows {
        match into.flows.iter_mut().find(|f| f.sid == flow.sid) {
            Some(existing) => merge_flow(existing, flow)?,
            None => into.flows.push(flow),
        }
    }
    for application in other.applications {
        match into
            .applications
            .iter_mut()
            .find(|a| a.number == application.number)
        {
            Some(existing) => merge_application(existing, application),
            None => into.applications.push(application),
        }
    }
    Ok(())
}

fn merge_flow(into: &mut FlowCoverage, other: FlowCoverage) -> Result<(), String> {
    let same_widgets = into.widgets.len() == other.widgets.len()
        && into
            .widgets
            .iter()
            .zip(&other.widgets)
            .all(|(a, b)| a.name == b.name && a.kind == b.kind);
    let same_transitions = into.transitions.len() == other.transitions.len()
        && into
            .transitions
            .iter()
            .zip(&other.transitions)
            .all(|(a, b)| {
                (&a.from, &a.event, &a.condition, &a.to) == (&b.from, &b.event, &b.condition, &b.to)
            });
    if !(same_widgets && same_transitions) {
        return Err(format!(
            "flow {} ({}) has different definitions in the reports: were they run against different versions of the flow?",
            into.name, into.sid
        ));
    }
    for (widget, theirs) in into.widgets.iter_mut().zip(other.widgets) {
        widget.tests.extend(theirs.tests);
    }
    for (transition, theirs) in into.transitions.iter_mut().zip(other.transitions) {
        transition.tests.extend(theirs.tests);
    }
    Ok(())
}

fn merge_application(into: &mut ApplicationCoverage, other: ApplicationCoverage) {
    for webhook in other.webhooks {
        match into
            .webhooks
            .iter_mut()
            .find(|w| w.method == webhook.method && w.url == webhook.url)
        {
            Some(existing) => merge_webhook(existing, webhook),
            None => into.webhooks.push(webhook),
        }
    }
    into.webhooks
        .sort_by(|a, b| (&a.method, &a.url).cmp(&(&b.method, &b.url)));
}

fn merge_webhook(into: &mut WebhookCoverage, other: WebhookCoverage) {
    into.tests.extend(other.tests);
    for gather in other.gathers {
        match into
            .gathers
            .iter_mut()
            .find(|g| g.outcome == gather.outcome && g.value == gather.value)
        {
            Some(existing) => existing.tests.extend(gather.tests),
            None => into.gathers.push(gather),
        }
    }
    into.gathers
        .sort_by(|a: &GatherCoverage, b| (&a.outcome, &a.value).cmp(&(&b.outcome, &b.value)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::model::{TransitionCoverage, WidgetCoverage};

    fn names(tests: &[&str]) -> std::collections::BTreeSet<String> {
        tests.iter().map(|t| t.to_string()).collect()
    }

    fn flow(widget_tests: &[&str], transition_tests: &[&str], to: &str) -> FlowCoverage {
        FlowCoverage {
            name: "acme".into(),
            sid: "FW1".into(),
            widgets: vec![WidgetCoverage {
                name: "menu".into(),
                kind: "gather-input-on-call".into(),
                position: None,
                tests: names(widget_tests),
            }],
            transitions: vec![TransitionCoverage {
                from: "menu".into(),
                event: "keypress".into(),
                condition: None,
                to: to.into(),
                tests: names(transition_tests),
            }],
        }
    }

    fn application(url: &str, tests: &[&str], digits: &str) -> ApplicationCoverage {
        ApplicationCoverage {
            number: "+15550001".into(),
            webhooks: vec![WebhookCoverage {
                method: "POST".into(),
                url: url.into(),
                tests: names(tests),
                gathers: vec![GatherCoverage {
                    outcome: "digits".into(),
                    value: Some(digits.into()),
                    tests: names(tests),
                }],
            }],
        }
    }

    #[test]
    fn flows_and_applications_merge_by_union_of_test_names() {
        let mut a = Coverage {
            flows: vec![flow(&["t1"], &[], "sales")],
            applications: vec![application("http://x/menu", &["t1"], "1")],
        };
        let b = Coverage {
            flows: vec![flow(&["t2"], &["t2"], "sales")],
            applications: vec![application("http://x/menu", &["t2"], "2")],
        };
        merge_into(&mut a, b).expect("same flow");
        assert_eq!(a.flows.len(), 1);
        assert_eq!(a.flows[0].widgets[0].tests, names(&["t1", "t2"]));
        assert_eq!(a.flows[0].transitions[0].tests, names(&["t2"]));
        let webhook = &a.applications[0].webhooks[0];
        assert_eq!(webhook.tests, names(&["t1", "t2"]));
        let outcomes: Vec<_> = webhook.gathers.iter().map(|g| g.value.clone()).collect();
        assert_eq!(outcomes, [Some("1".into()), Some("2".into())]);
        let c = Coverage {
            flows: vec![],
            applications: vec![application("http://x/a", &["t3"], "1")],
        };
        merge_into(&mut a, c).expect("new webhook");
        let urls: Vec<_> = a.applications[0]
            .webhooks
            .iter()
            .map(|w| w.url.as_str())
            .collect();
        assert_eq!(
            urls,
            ["http://x/a", "http://x/menu"],
            "sorted by method and URL"
        );
    }

    #[test]
    fn a_flow_with_another_definition_is_refused() {
        let mut a = Coverage {
            flows: vec![flow(&["t1"], &[], "sales")],
            applications: vec![],
        };
        let b = Coverage {
            flows: vec![flow(&["t2"], &[], "support")],
            applications: vec![],
        };
        let err = merge_into(&mut a, b).expect_err("different flows");
        assert!(
            err.contains("acme (FW1)") && err.contains("different definitions"),
            "{err}"
        );
    }
}
