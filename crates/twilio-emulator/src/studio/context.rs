//! One call's execution of a flow: where it waits, and the context Liquid reads.
//!
//! ```json
//! {"trigger": {"call": {"CallSid": "CA..", "From": "+1..", "To": "+1..", ...}},
//!  "widgets": {"menu": {"Digits": "1"}, "lookup": {"status_code": 200, "body": "..", "parsed": {..}}},
//!  "flow": {"flow_sid": "FW..", "sid": "FN..", "channel": {"address": "+1<the flow's number>"},
//!           "data": {}, "variables": {"count": 2}},
//!  "contact": {"channel": {"address": "+1<the caller>"}}}
//! ```

use serde_json::{json, Map, Value};

use super::liquid::{RenderEnv, Template};

/// A call's run through a flow.
#[derive(Debug, Clone)]
pub struct Execution {
    /// `FN...`, as Studio names executions.
    pub sid: String,
    /// The widget waiting for the call (a gather's input, the end of a say, a redirect's
    /// return); `None` once the execution has ended.
    pub current: Option<String>,
    /// What Liquid reads.
    pub context: Value,
}

impl Execution {
    /// A new execution for the incoming call whose webhook parameters are `params`.
    pub fn start(flow_sid: &str, params: &[(String, String)]) -> Execution {
        let call: Map<String, Value> = params
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let param = |name: &str| call.get(name).cloned().unwrap_or(Value::Null);
        let sid = twilio_wire::sid::new_sid("FN");
        let context = json!({
            "trigger": {"call": call.clone()},
            "widgets": {},
            "flow": {
                "flow_sid": flow_sid,
                "sid": sid,
                "channel": {"address": param("To")},
                "data": {},
                "variables": {},
            },
            "contact": {"channel": {"address": param("From")}},
        });
        Execution {
            sid,
            current: None,
            context,
        }
    }

    /// A trigger parameter of the call (`AccountSid`, `From`, ...), or "".
    pub fn call_param(&self, name: &str) -> String {
        self.context["trigger"]["call"][name]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Stores what a widget produced, as `widgets.NAME.*`.
    pub fn set_outputs(&mut self, widget: &str, outputs: Value) {
        if let Some(widgets) = self.context["widgets"].as_object_mut() {
            widgets.insert(widget.to_string(), outputs);
        }
    }

    /// Sets `flow.variables.KEY`.
    pub fn set_variable(&mut self, key: &str, value: Value) {
        if let Some(variables) = self.context["flow"]["variables"].as_object_mut() {
            variables.insert(key.to_string(), value);
        }
    }

    /// Renders a template against this execution.
    pub fn render(&self, template: &Template, env: &RenderEnv) -> String {
        template.render(&self.context, env)
    }

    /// Renders an optional property; absent or blank is `None`.
    pub fn render_opt(&self, template: Option<&Template>, env: &RenderEnv) -> Option<String> {
        template
            .map(|t| self.render(t, env))
            .filter(|text| !text.trim().is_empty())
    }
}

/// A Set Variables value as Studio stores it: numbers stay numbers ("A Studio variable created
/// with Set Variables will be numeric if you do not enclose it in quotation marks"), a quoted
/// value is the text inside the quotes, anything else is text.
pub fn variable_value(rendered: &str) -> Value {
    let trimmed = rendered.trim();
    if let Some(number) = super::liquid::value::parse_number(trimmed) {
        return Value::Number(number);
    }
    if trimmed.len() >= 2 && trimmed.starts_with('"') && trimmed.ends_with('"') {
        if let Ok(Value::String(text)) = serde_json::from_str(trimmed) {
            return Value::String(text);
        }
    }
    Value::String(rendered.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_of_an_incoming_call() {
        let params = vec![
            ("CallSid".to_string(), "CA1".to_string()),
            ("From".to_string(), "+15005550006".to_string()),
            ("To".to_string(), "+15551230001".to_string()),
        ];
        let mut execution = Execution::start("FW1", &params);
        execution.set_outputs("menu", json!({"Digits": "1"}));
        execution.set_variable("count", json!(2));
        let c = &execution.context;
        assert_eq!(c["trigger"]["call"]["From"], "+15005550006");
        assert_eq!(c["flow"]["channel"]["address"], "+15551230001");
        assert_eq!(c["contact"]["channel"]["address"], "+15005550006");
        assert_eq!(c["flow"]["flow_sid"], "FW1");
        assert_eq!(c["widgets"]["menu"]["Digits"], "1");
        assert_eq!(c["flow"]["variables"]["count"], 2);
        assert_eq!(execution.call_param("CallSid"), "CA1");
        assert!(execution.sid.starts_with("FN"));
    }

    #[test]
    fn variables_are_numbers_unless_quoted() {
        assert_eq!(variable_value("3"), json!(3));
        assert_eq!(variable_value(" 2.5 "), json!(2.5));
        assert_eq!(variable_value("\"3\""), json!("3"));
        assert_eq!(variable_value("three"), json!("three"));
    }
}
