//! Marking a flow's graph with one execution's steps. Studio names a step by the event that
//! led to it (`incomingCall`, `keypress`, `match`...; Twilio's Console and some accounts write
//! them as words, "Incoming Call"), so a step is matched to a transition by its widgets first
//! (from, to) and by its event only among transitions between the same two widgets, comparing
//! names without case or spaces. A split's `match` steps do not say which condition held:
//! the target widget tells them apart, and two conditions leading to the same widget count as
//! the first of them.

use super::model::FlowCoverage;

/// One step as the Executions API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The event (`incomingCall`, "Incoming Call", `match`...).
    pub name: String,
    /// The widget whose event it was.
    pub from: String,
    /// The widget it led to (`Ended` when none).
    pub to: String,
}

/// Marks what one execution (its `steps`, in any order) ran as exercised by `test`: the
/// initial widget (every execution runs the trigger), each step's target widget and the
/// transition it took.
pub fn mark_execution(flow: &mut FlowCoverage, initial: &str, steps: &[Step], test: &str) {
    let mut ran = vec![initial.to_string()];
    for step in steps {
        ran.push(step.from.clone());
        ran.push(step.to.clone());
        let between: Vec<usize> = flow
            .transitions
            .iter()
            .enumerate()
            .filter(|(_, t)| t.from == step.from && t.to == step.to)
            .map(|(i, _)| i)
            .collect();
        let by_name = between
            .iter()
            .copied()
            .find(|&i| same_event(&flow.transitions[i].event, &step.name));
        if let Some(i) = by_name.or_else(|| between.first().copied()) {
            flow.transitions[i].tests.insert(test.to_string());
        }
    }
    for widget in &mut flow.widgets {
        if ran.contains(&widget.name) {
            widget.tests.insert(test.to_string());
        }
    }
}

/// Whether two event names are the same, ignoring case, spaces, `-` and `_`
/// (`incomingCall` = "Incoming Call").
pub fn same_event(a: &str, b: &str) -> bool {
    let key = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    key(a) == key(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::graph::flow_graph;
    use serde_json::json;

    fn flow() -> FlowCoverage {
        flow_graph(
            "f",
            "FW1",
            &json!({"initial_state": "Trigger", "states": [
                {"name": "Trigger", "type": "trigger",
                 "transitions": [{"event": "incomingCall", "next": "menu"}]},
                {"name": "menu", "type": "gather-input-on-call",
                 "transitions": [{"event": "keypress", "next": "split"},
                                 {"event": "speech", "next": "split"},
                                 {"event": "timeout", "next": "bye"}]},
                {"name": "split", "type": "split-based-on",
                 "transitions": [{"event": "noMatch", "next": "bye"},
                                 {"event": "match", "next": "menu", "conditions": [
                                    {"friendly_name": "again", "arguments": [], "type": "equal_to", "value": "9"}]}]},
                {"name": "bye", "type": "say-play", "transitions": [{"event": "audioComplete"}]}
            ]}),
        )
        .unwrap()
    }

    fn step(name: &str, from: &str, to: &str) -> Step {
        Step {
            name: name.into(),
            from: from.into(),
            to: to.into(),
        }
    }

    fn taken(flow: &FlowCoverage) -> Vec<String> {
        flow.transitions
            .iter()
            .filter(|t| !t.tests.is_empty())
            .map(|t| format!("{}-{}->{}", t.from, t.event, t.to))
            .collect()
    }

    #[test]
    fn words_for_events_match_the_definitions_names() {
        assert!(same_event("Incoming Call", "incomingCall"));
        assert!(same_event("no_match", "noMatch"));
        assert!(!same_event("keypress", "speech"));
    }

    #[test]
    fn steps_mark_their_transitions_and_widgets() {
        let mut flow = flow();
        let steps = [
            step("Incoming Call", "Trigger", "menu"),
            step("speech", "menu", "split"),
            step("match", "split", "menu"),
            step("timeout", "menu", "bye"),
            step("audioComplete", "bye", "Ended"),
        ];
        mark_execution(&mut flow, "Trigger", &steps, "t1");
        assert_eq!(
            taken(&flow),
            [
                "Trigger-incomingCall->menu",
                "menu-speech->split",
                "menu-timeout->bye",
                "split-match->menu"
            ]
        );
        assert_eq!(flow.widgets_covered(), 4);
        assert!(flow.widgets[3].tests.contains("t1"));
    }

    #[test]
    fn the_trigger_counts_without_steps_and_unknown_steps_are_ignored() {
        let mut flow = flow();
        mark_execution(&mut flow, "Trigger", &[step("x", "gone", "away")], "t1");
        assert_eq!(flow.widgets_covered(), 1);
        assert!(taken(&flow).is_empty());
    }
}
