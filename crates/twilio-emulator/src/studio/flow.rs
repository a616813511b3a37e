//! The exported flow definition as JSON, exactly as Studio's editor and the Flows API write it
//! (`https://schemas.twilio.com/studio/draft/2019-09/flow-definition`):
//!
//! ```json
//! {"description": "IVR", "initial_state": "Trigger", "flags": {"allow_concurrent_calls": true},
//!  "states": [{"name": "Trigger", "type": "trigger", "properties": {"offset": {"x": 0, "y": 0}},
//!              "transitions": [{"event": "incomingCall", "next": "menu"}]}, ...]}
//! ```
//!
//! Only the shape is checked here; what each widget's `properties` and `transitions` mean is
//! [`super::widgets`]' job. Keys Studio may add over time (and the editor's `offset`) are
//! ignored, so an export loads unchanged.

use serde::Deserialize;
use serde_json::{Map, Value};

/// A whole flow.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FlowDefinition {
    /// The flow's description (Studio writes its friendly name there).
    #[serde(default)]
    pub description: Option<String>,
    /// The widgets.
    pub states: Vec<State>,
    /// The widget executions start at: the trigger.
    pub initial_state: String,
    /// `allow_concurrent_calls` and friends; the emulator always allows concurrent calls.
    #[serde(default)]
    pub flags: Option<Map<String, Value>>,
}

/// One widget ("state" in the definition).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct State {
    /// Its name: unique, and how Liquid refers to it (`widgets.NAME`).
    pub name: String,
    /// The widget type, e.g. `say-play`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where the flow goes on each event.
    #[serde(default)]
    pub transitions: Vec<Transition>,
    /// The widget's configuration.
    #[serde(default)]
    pub properties: Map<String, Value>,
}

/// An event of a widget and the widget it leads to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Transition {
    /// The event, e.g. `keypress`, `audioComplete`, `match`.
    pub event: String,
    /// The next widget; none ends the execution (and, on a call, the call).
    #[serde(default)]
    pub next: Option<String>,
    /// For `split-based-on`'s `match` events: all must hold.
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

/// One condition of a `split-based-on` transition.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Condition {
    /// The editor's label.
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// The tested value (a Liquid template); Studio writes the widget's `input` here.
    #[serde(default)]
    pub arguments: Vec<String>,
    /// The predicate, e.g. `equal_to`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What the input is compared with (a Liquid template); absent for `is_blank`.
    #[serde(default)]
    pub value: Value,
}
