//! What Studio keeps of every execution after it ran, as its Executions API shows it: the
//! execution (`FN...`: the flow, the caller, active or ended, its context) and its steps
//! (`FT...`: each transition taken, named by the event exactly as in the flow definition:
//! `incomingCall`, `keypress`, `match`, `noMatch`...). Coverage tools read these through
//! `/studio/v2/Flows/{FW}/Executions` as they would on Twilio; records outlive their calls.

use chrono::{DateTime, Utc};
use serde_json::Value;

/// One execution of a flow (one incoming call).
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionRecord {
    /// `FN...`.
    pub sid: String,
    /// `FW...`.
    pub flow_sid: String,
    /// The account that owns the flow.
    pub account_sid: String,
    /// The caller's number (`trigger.call.From`).
    pub contact_channel_address: String,
    /// `active` until the execution ends, then `ended`.
    pub status: String,
    /// When the call reached the flow (emulated clock).
    pub date_created: DateTime<Utc>,
    /// When the last step was taken.
    pub date_updated: DateTime<Utc>,
    /// The execution's context (trigger, widgets, flow variables) as of the last step.
    pub context: Value,
    /// Every step, oldest first.
    pub steps: Vec<StepRecord>,
}

/// One step: a widget's event and the widget it led to.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    /// `FT...`.
    pub sid: String,
    /// The event, as in the definition (`incomingCall`, `keypress`, `match`...).
    pub name: String,
    /// The widget whose event it was.
    pub transitioned_from: String,
    /// The widget it led to, or `Ended` when the event leads nowhere.
    pub transitioned_to: String,
    /// What the step knew: the execution's widget outputs and flow data at that moment.
    pub context: Value,
    /// When the step was taken.
    pub date_created: DateTime<Utc>,
}

/// `transitioned_to` of a step whose event leads nowhere, as Studio writes it.
pub const ENDED: &str = "Ended";
