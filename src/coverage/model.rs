//! What a suite exercised of the IVR, as data: Studio flows as graphs of widgets and
//! transitions, TwiML applications as the webhook URLs requested and the `<Gather>` outcomes
//! each produced. Every element lists the test cases (by name) that exercised it, so that a
//! report can answer "which tests go through this menu" and shards merge by union.
//!
//! This is the `--coverage FILE` document and the `coverage` object of the JSON report; field
//! names are a stable interface (new fields may be added, none renamed or removed).
//!
//! A transition is an event of a widget that leads to another widget (`next` set in the flow
//! definition). Events that lead nowhere end the execution; real Studio records no step for
//! them, so they cannot be measured on Twilio and are not counted anywhere.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// Everything measured in one run (or merged from several shards).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Studio flows the dialled numbers run, in the order first met.
    pub flows: Vec<FlowCoverage>,
    /// TwiML applications (emulator only): one per dialled number that answers with TwiML.
    pub applications: Vec<ApplicationCoverage>,
}

/// One Studio flow: its widgets and transitions, each with the test cases that exercised it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowCoverage {
    /// The flow's name: its friendly name on Twilio, its file stem on the emulator.
    pub name: String,
    /// `FW...`.
    pub sid: String,
    /// Every widget of the definition, in definition order.
    pub widgets: Vec<WidgetCoverage>,
    /// Every transition with a `next`, in definition order (widget by widget).
    pub transitions: Vec<TransitionCoverage>,
}

/// One widget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WidgetCoverage {
    /// Its name (unique in the flow).
    pub name: String,
    /// Its type, e.g. `gather-input-on-call`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where Studio's editor draws it (`properties.offset`), when the definition says.
    pub position: Option<Position>,
    /// Test cases whose call ran it, sorted.
    pub tests: BTreeSet<String>,
}

/// A point on Studio's canvas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Left to right.
    pub x: f64,
    /// Top to bottom.
    pub y: f64,
}

/// One transition: `from` on `event` (for a split's `match`, one per condition) leads `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitionCoverage {
    /// The widget the event belongs to.
    pub from: String,
    /// The event, as in the definition: `keypress`, `speech`, `timeout`, `match`, `noMatch`...
    pub event: String,
    /// For a split's `match`: the condition's label (its `friendly_name`, else its value).
    pub condition: Option<String>,
    /// The widget it leads to.
    pub to: String,
    /// Test cases whose call took it, sorted.
    pub tests: BTreeSet<String>,
}

/// A TwiML application (on the emulator): what its webhooks were asked, and what callers did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationCoverage {
    /// The dialled number whose TwiML this is.
    pub number: String,
    /// Every webhook URL requested, sorted by method and URL.
    pub webhooks: Vec<WebhookCoverage>,
}

/// One webhook URL of a TwiML application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookCoverage {
    /// `GET` or `POST`.
    pub method: String,
    /// The URL without its query string's call-specific parameters.
    pub url: String,
    /// Test cases whose call requested it, sorted.
    pub tests: BTreeSet<String>,
    /// For a `<Gather>` action URL: each outcome that reached it, sorted.
    pub gathers: Vec<GatherCoverage>,
}

/// One outcome of a `<Gather>`: which digits, which speech, or a timeout.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GatherCoverage {
    /// `digits`, `speech` or `timeout`.
    pub outcome: String,
    /// The digits pressed or the words recognised; `null` for a timeout.
    pub value: Option<String>,
    /// Test cases that produced it, sorted.
    pub tests: BTreeSet<String>,
}

impl FlowCoverage {
    /// Each widget's position in `widgets`, by name (transitions name their widgets).
    pub fn widget_index(&self) -> BTreeMap<&str, usize> {
        self.widgets
            .iter()
            .enumerate()
            .map(|(i, w)| (w.name.as_str(), i))
            .collect()
    }

    /// Widgets some test case ran.
    pub fn widgets_covered(&self) -> usize {
        self.widgets.iter().filter(|w| !w.tests.is_empty()).count()
    }

    /// Transitions some test case took.
    pub fn transitions_covered(&self) -> usize {
        self.transitions
            .iter()
            .filter(|t| !t.tests.is_empty())
            .count()
    }
}

impl Coverage {
    /// Transitions taken over transitions in every flow, in percent (the `--coverage-min`
    /// measure: a branch of a menu not taken is what a suite misses). `None` without flows or
    /// transitions: there is nothing to measure.
    pub fn percent(&self) -> Option<f64> {
        let total: usize = self.flows.iter().map(|f| f.transitions.len()).sum();
        let covered: usize = self
            .flows
            .iter()
            .map(FlowCoverage::transitions_covered)
            .sum();
        (total > 0).then(|| covered as f64 * 100.0 / total as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transition(from: &str, to: &str, tests: &[&str]) -> TransitionCoverage {
        TransitionCoverage {
            from: from.into(),
            event: "next".into(),
            condition: None,
            to: to.into(),
            tests: tests.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn percent_counts_transitions_of_every_flow() {
        let flow = |transitions| FlowCoverage {
            name: "f".into(),
            sid: "FW1".into(),
            widgets: vec![],
            transitions,
        };
        let coverage = Coverage {
            flows: vec![
                flow(vec![
                    transition("a", "b", &["t1"]),
                    transition("b", "c", &[]),
                ]),
                flow(vec![
                    transition("a", "b", &["t2"]),
                    transition("b", "a", &["t2"]),
                ]),
            ],
            applications: vec![],
        };
        assert_eq!(coverage.percent(), Some(75.0));
        assert_eq!(coverage.flows[0].transitions_covered(), 1);
        assert_eq!(Coverage::default().percent(), None);
    }
}
