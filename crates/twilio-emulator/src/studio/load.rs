//! Loading a flow file: JSON, then every widget (`super::build`), then the graph:
//! unique names, a trigger as `initial_state`, transitions that lead to widgets of the flow.
//! Widgets the emulator does not run are listed when a call can reach them ([`Unrunnable`]):
//! every other path of the flow still runs, and a call that reaches one fails there.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use super::build::build;
use super::flow::FlowDefinition;
use super::widgets::{Kind, Widget};

/// A flow ready to run.
#[derive(Debug, Clone)]
pub struct LoadedFlow {
    /// The file it came from.
    pub path: PathBuf,
    /// Its widgets by name.
    pub widgets: HashMap<String, Widget>,
    /// The trigger widget's name.
    pub trigger: String,
    /// The widgets a call can reach that the emulator does not run, in the order a call meets
    /// them (breadth first from the trigger).
    pub unrunnable: Vec<Unrunnable>,
    /// The definition as the file holds it, served by the Flows API.
    pub definition: serde_json::Value,
}

/// A widget an incoming call can reach but the emulator does not run (`capture-payments`,
/// `send-to-flex`, ...): a call that reaches it ends there with an application error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrunnable {
    /// The widget's name.
    pub widget: String,
    /// Its Studio type.
    pub kind: String,
    /// Why the emulator does not run it.
    pub reason: &'static str,
}

impl std::fmt::Display for Unrunnable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "widget `{}` ({}) is not run by the emulator: {}",
            self.widget, self.kind, self.reason
        )
    }
}

/// Why a flow cannot be used: the file, the widget (when one is to blame), the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}{message}", .path.display(), .widget.as_ref().map(|w| format!("widget `{w}`: ")).unwrap_or_default())]
pub struct FlowError {
    /// The flow file.
    pub path: PathBuf,
    /// The widget at fault.
    pub widget: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Reads and checks the flow at `path`.
pub fn load(path: &Path) -> Result<LoadedFlow, FlowError> {
    let fail = |widget: Option<&str>, message: String| FlowError {
        path: path.to_path_buf(),
        widget: widget.map(str::to_string),
        message,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| fail(None, format!("cannot read the Studio flow: {e}")))?;
    let raw: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| fail(None, format!("not a Studio flow definition: {e}")))?;
    let definition: FlowDefinition = serde_json::from_value(raw.clone())
        .map_err(|e| fail(None, format!("not a Studio flow definition: {e}")))?;
    check(&definition)
        .map_err(|(widget, message)| fail(widget.as_deref(), message))
        .map(|(widgets, trigger)| LoadedFlow {
            path: path.to_path_buf(),
            unrunnable: unrunnable(&definition, &widgets, &trigger),
            widgets,
            trigger,
            definition: raw,
        })
}

type Checked = (HashMap<String, Widget>, String);

/// Checks a definition; an error is (widget, message).
pub fn check(definition: &FlowDefinition) -> Result<Checked, (Option<String>, String)> {
    let mut widgets: HashMap<String, Widget> = HashMap::new();
    let mut order = Vec::new();
    for state in &definition.states {
        let name = state.name.trim();
        if name.is_empty() {
            return Err((None, format!("a `{}` widget has no name", state.kind)));
        }
        if widgets.contains_key(name) {
            return Err((Some(name.to_string()), "two widgets have this name".into()));
        }
        let widget = build(state).map_err(|m| (Some(name.to_string()), m))?;
        order.push(name.to_string());
        widgets.insert(name.to_string(), widget);
    }
    for name in &order {
        let widget = &widgets[name];
        let split_targets = match &widget.kind {
            Kind::Split(branches) => branches.iter().filter_map(|b| b.next.clone()).collect(),
            _ => Vec::new(),
        };
        let targets = widget.next.values().flatten().chain(split_targets.iter());
        for target in targets {
            if !widgets.contains_key(target) {
                let message =
                    format!("a transition leads to `{target}`, which is not a widget of this flow");
                return Err((Some(name.clone()), message));
            }
        }
    }
    let trigger = definition.initial_state.trim();
    match widgets.get(trigger).map(|w| &w.kind) {
        Some(Kind::Trigger) => {}
        Some(_) => {
            return Err((
                None,
                format!("initial_state `{trigger}` is not a trigger widget"),
            ))
        }
        None => {
            return Err((
                None,
                format!("initial_state `{trigger}` is not a widget of this flow"),
            ))
        }
    }
    let triggers = widgets
        .values()
        .filter(|w| matches!(w.kind, Kind::Trigger))
        .count();
    if triggers > 1 {
        return Err((None, format!("{triggers} trigger widgets; a flow has one")));
    }
    Ok((widgets, trigger.to_string()))
}

/// The widgets a call can reach that the emulator does not run.
fn unrunnable(
    definition: &FlowDefinition,
    widgets: &HashMap<String, Widget>,
    trigger: &str,
) -> Vec<Unrunnable> {
    reachable_from_calls(widgets, trigger)
        .into_iter()
        .filter_map(|name| match widgets[&name].kind {
            Kind::NotRun(reason) => Some(Unrunnable {
                kind: definition
                    .states
                    .iter()
                    .find(|s| s.name.trim() == name)
                    .map_or_else(String::new, |s| s.kind.clone()),
                widget: name,
                reason,
            }),
            _ => None,
        })
        .collect()
}

/// The widgets an incoming call can reach: from the trigger's `incomingCall` on.
fn reachable_from_calls(widgets: &HashMap<String, Widget>, trigger: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut queue: VecDeque<String> = widgets[trigger]
        .next_for("incomingCall")
        .map(str::to_string)
        .into_iter()
        .collect();
    let mut order = Vec::new();
    while let Some(name) = queue.pop_front() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(widget) = widgets.get(&name) else {
            continue;
        };
        order.push(name);
        queue.extend(widget.next.values().flatten().cloned());
        if let Kind::Split(branches) = &widget.kind {
            queue.extend(branches.iter().filter_map(|b| b.next.clone()));
        }
    }
    order
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
