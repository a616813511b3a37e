//! The console's coverage line of a flow: `coverage acme-energy: 11 of 13 widgets, 15 of 21
//! transitions; never: no_input, ask_account --speech--> lookup, and 4 more`. One line per
//! flow, whatever its size: the report files hold the whole list.

use super::model::{FlowCoverage, TransitionCoverage};

/// How many never-exercised parts the line names before "and N more".
const NAMED: usize = 5;

/// The one-line summary of a flow's coverage.
pub fn flow_line(flow: &FlowCoverage) -> String {
    let mut line = format!(
        "coverage {}: {} of {} widgets, {} of {} transitions",
        flow.name,
        flow.widgets_covered(),
        flow.widgets.len(),
        flow.transitions_covered(),
        flow.transitions.len()
    );
    let never = never_exercised(flow);
    if !never.is_empty() {
        let named: Vec<&str> = never.iter().take(NAMED).map(String::as_str).collect();
        line.push_str("; never: ");
        line.push_str(&named.join(", "));
        if never.len() > NAMED {
            line.push_str(&format!(", and {} more", never.len() - NAMED));
        }
    }
    line
}

/// The widgets never run (by name), then the transitions never taken between widgets that
/// ran (`from --event--> to`: a widget never run already says its transitions were not).
pub fn never_exercised(flow: &FlowCoverage) -> Vec<String> {
    let ran = |name: &str| {
        flow.widgets
            .iter()
            .any(|w| w.name == name && !w.tests.is_empty())
    };
    let mut never: Vec<String> = flow
        .widgets
        .iter()
        .filter(|w| w.tests.is_empty())
        .map(|w| w.name.clone())
        .collect();
    never.extend(
        flow.transitions
            .iter()
            .filter(|t| t.tests.is_empty() && ran(&t.from) && ran(&t.to))
            .map(transition_label),
    );
    never
}

/// `from --event--> to`, with a split's condition: `route --match "billing"--> billing`.
pub fn transition_label(t: &TransitionCoverage) -> String {
    match &t.condition {
        Some(condition) => format!("{} --{} \"{condition}\"--> {}", t.from, t.event, t.to),
        None => format!("{} --{}--> {}", t.from, t.event, t.to),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::model::WidgetCoverage;

    fn widget(name: &str, ran: bool) -> WidgetCoverage {
        WidgetCoverage {
            name: name.into(),
            kind: "say-play".into(),
            position: None,
            tests: if ran {
                ["t".to_string()].into()
            } else {
                Default::default()
            },
        }
    }

    fn transition(from: &str, to: &str, taken: bool) -> TransitionCoverage {
        TransitionCoverage {
            from: from.into(),
            event: "next".into(),
            condition: None,
            to: to.into(),
            tests: if taken {
                ["t".to_string()].into()
            } else {
                Default::default()
            },
        }
    }

    #[test]
    fn one_line_names_the_first_never_exercised_parts() {
        let mut flow = FlowCoverage {
            name: "demo".into(),
            sid: "FW1".into(),
            widgets: vec![widget("a", true), widget("b", true), widget("c", false)],
            transitions: vec![
                transition("a", "b", true),
                transition("b", "a", false),
                transition("b", "c", false),
            ],
        };
        assert_eq!(
            flow_line(&flow),
            "coverage demo: 2 of 3 widgets, 1 of 3 transitions; never: c, b --next--> a"
        );
        for i in 0..6 {
            flow.widgets.push(widget(&format!("w{i}"), false));
        }
        let line = flow_line(&flow);
        assert!(
            line.ends_with("never: c, w0, w1, w2, w3, and 3 more"),
            "{line}"
        );
        assert!(!line.contains('\n'));
    }
}
