//! A Studio flow definition as a coverage graph: every widget (in definition order, with its
//! type and its place on Studio's canvas) and every transition that leads somewhere (a
//! split's `match` once per condition set, labelled), none of them exercised yet.

use serde_json::Value;
use twilio_emulator::studio::flow::{Condition, FlowDefinition};

use super::model::{FlowCoverage, Position, TransitionCoverage, WidgetCoverage};

/// The unexercised graph of the flow `definition` (the JSON Studio exports and the Flows API
/// returns), or why it is not a flow definition.
pub fn flow_graph(name: &str, sid: &str, definition: &Value) -> Result<FlowCoverage, String> {
    let definition: FlowDefinition = serde_json::from_value(definition.clone())
        .map_err(|e| format!("flow {name} ({sid}): not a Studio flow definition: {e}"))?;
    let widgets = definition
        .states
        .iter()
        .map(|state| WidgetCoverage {
            name: state.name.clone(),
            kind: state.kind.clone(),
            position: position(state.properties.get("offset")),
            tests: Default::default(),
        })
        .collect();
    let transitions = definition
        .states
        .iter()
        .flat_map(|state| {
            state.transitions.iter().filter_map(|transition| {
                let to = transition.next.as_ref().filter(|n| !n.is_empty())?;
                Some(TransitionCoverage {
                    from: state.name.clone(),
                    event: transition.event.clone(),
                    condition: condition_label(&transition.conditions),
                    to: to.clone(),
                    tests: Default::default(),
                })
            })
        })
        .collect();
    Ok(FlowCoverage {
        name: name.to_string(),
        sid: sid.to_string(),
        widgets,
        transitions,
    })
}

/// `properties.offset`, when it holds numbers.
fn position(offset: Option<&Value>) -> Option<Position> {
    let offset = offset?;
    Some(Position {
        x: offset.get("x")?.as_f64()?,
        y: offset.get("y")?.as_f64()?,
    })
}

/// A split condition set's label: each condition's `friendly_name`, else its value, joined
/// with "and"; `None` for events without conditions.
fn condition_label(conditions: &[Condition]) -> Option<String> {
    if conditions.is_empty() {
        return None;
    }
    let labels: Vec<String> = conditions
        .iter()
        .map(|c| match &c.friendly_name {
            Some(name) if !name.trim().is_empty() => name.clone(),
            _ => match &c.value {
                Value::String(text) => text.clone(),
                Value::Null => c.kind.clone(),
                other => other.to_string(),
            },
        })
        .collect();
    Some(labels.join(" and "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn widgets_in_order_and_transitions_with_a_next() {
        let definition = json!({
            "initial_state": "Trigger",
            "states": [
                {"name": "Trigger", "type": "trigger",
                 "properties": {"offset": {"x": 10, "y": -20}},
                 "transitions": [{"event": "incomingCall", "next": "menu"},
                                 {"event": "incomingMessage"}]},
                {"name": "menu", "type": "gather-input-on-call", "properties": {},
                 "transitions": [{"event": "keypress", "next": "route"},
                                 {"event": "speech", "next": ""},
                                 {"event": "timeout", "next": "menu"}]},
                {"name": "route", "type": "split-based-on", "properties": {},
                 "transitions": [
                    {"event": "noMatch", "next": "menu"},
                    {"event": "match", "next": "menu", "conditions": [
                        {"friendly_name": "one", "arguments": ["x"], "type": "equal_to", "value": "1"}]},
                    {"event": "match", "next": "Trigger", "conditions": [
                        {"arguments": ["x"], "type": "equal_to", "value": "2"}]}]}
            ]
        });
        let flow = flow_graph("demo", "FW1", &definition).unwrap();
        let names: Vec<_> = flow.widgets.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["Trigger", "menu", "route"]);
        assert_eq!(
            flow.widgets[0].position,
            Some(Position { x: 10.0, y: -20.0 })
        );
        assert_eq!(flow.widgets[1].position, None);
        assert_eq!(flow.widgets[2].kind, "split-based-on");
        let edges: Vec<_> = flow
            .transitions
            .iter()
            .map(|t| {
                format!(
                    "{} {} {} {}",
                    t.from,
                    t.event,
                    t.condition.as_deref().unwrap_or("-"),
                    t.to
                )
            })
            .collect();
        assert_eq!(
            edges,
            [
                "Trigger incomingCall - menu",
                "menu keypress - route",
                "menu timeout - menu",
                "route noMatch - menu",
                "route match one menu",
                "route match 2 Trigger",
            ]
        );
    }

    #[test]
    fn not_a_definition_names_the_flow() {
        let problem = flow_graph("demo", "FW1", &json!({"states": 3})).unwrap_err();
        assert!(problem.starts_with("flow demo (FW1): not a Studio flow definition"));
    }
}
