//! Studio widgets that work between two webhooks of a call: split-based-on with every
//! condition type, set-variables, send-message, make-http-request and run-function, and the
//! Liquid that ties them together.

use serde_json::{json, Value};

use crate::harness::emulator::{get, CALLER, IVR, TOKEN};
use crate::harness::studio::{call, caller, flow, messages_to_caller, said, say, studio};
use crate::harness::twiml_app::{Received, Reply, TwimlAppBuilder};

/// (predicate, input, value, whether it holds).
const CASES: [(&str, &str, &str, bool); 34] = [
    ("equal_to", " YES ", "yes", true),
    ("equal_to", "yes please", "yes", false),
    ("not_equal_to", "no", "yes", true),
    ("not_equal_to", "Yes", "yes", false),
    ("matches_any_of", "2", "1, 2, 3", true),
    ("matches_any_of", "4", "1,2,3", false),
    ("does_not_match_any_of", "4", "1,2,3", true),
    ("does_not_match_any_of", "Two", "one,two", false),
    ("is_blank", "{{trigger.call.Missing}} ", "", true),
    ("is_blank", "x", "", false),
    ("is_not_blank", "x", "", true),
    ("is_not_blank", "{{trigger.call.Missing}}", "", false),
    ("regex", "Order 12345", "\\d{5}", true),
    ("regex", "Order 12", "^\\d+$", false),
    ("contains", "I want SALES", "sales", true),
    ("contains", "support", "sales", false),
    ("does_not_contain", "support", "sales", true),
    ("does_not_contain", "sales", "SALES", false),
    ("starts_with", "Sales team", "sales", true),
    ("starts_with", "the sales team", "sales", false),
    ("does_not_start_with", "the team", "sales", true),
    ("does_not_start_with", "sales", "sal", false),
    ("less_than", "9", "10", true),
    ("less_than", "11", "10", false),
    ("greater_than", "10.5", "10", true),
    ("greater_than", "abc", "10", false),
    ("is_before_time", "8:30 AM", "09:00", true),
    ("is_before_time", "17:00", "09:00", false),
    ("is_after_time", "18:15", "5:00 PM", true),
    ("is_after_time", "08:00", "17:00", false),
    ("is_before_date", "2024-12-24", "2024-12-25", true),
    ("is_before_date", "2025-01-01", "2024-12-25", false),
    ("is_after_date", "12/31/2024", "2024-12-25", true),
    ("is_after_date", "2024-01-01", "2024-12-25", false),
];

/// A chain of splits, one per case, each noting `name+` or `name-` in `flow.variables.log`;
/// the log goes to the caller by message.
fn conditions_flow() -> Value {
    let mut states = Vec::new();
    for (i, (predicate, input, value, _)) in CASES.iter().enumerate() {
        let after = if i + 1 < CASES.len() {
            format!("split_{}", i + 1)
        } else {
            "report".to_string()
        };
        let note = |mark: &str| {
            json!({"name": format!("note_{i}{mark}"), "type": "set-variables",
                   "properties": {"variables": [{"key": "log", "value": format!("{{{{flow.variables.log}}}}{predicate}{mark},")}]},
                   "transitions": [{"event": "next", "next": after}]})
        };
        let mut condition = json!({"friendly_name": format!("If value {predicate} {value}"),
                                   "arguments": [input], "type": predicate});
        if !value.is_empty() {
            condition["value"] = json!(value);
        }
        states.push(json!({"name": format!("split_{i}"), "type": "split-based-on", "properties": {"input": input},
                           "transitions": [{"event": "noMatch", "next": format!("note_{i}-")},
                                           {"event": "match", "next": format!("note_{i}+"), "conditions": [condition]}]}));
        states.push(note("+"));
        states.push(note("-"));
    }
    states.push(json!({"name": "report", "type": "send-message", "properties": {"body": "{{flow.variables.log}}"},
                       "transitions": [{"event": "sent", "next": "bye"}, {"event": "failed"}]}));
    states.push(say("bye", "Done.", None));
    flow(Value::Array(states))
}

#[tokio::test]
async fn split_based_on_decides_every_condition_type() {
    let (emulator, _dir) = studio(&conditions_flow()).await;
    let caller = caller(|_| String::new()).await;
    let ended = call(&emulator, &caller, &[]).await;
    assert_eq!(ended["status"], "completed");
    let expected: String = CASES
        .iter()
        .map(|(p, _, _, holds)| format!("{p}{},", if *holds { "+" } else { "-" }))
        .collect();
    let messages = messages_to_caller(&emulator).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let body = messages[0]["body"].as_str().unwrap_or_default();
    for (got, want) in body.split(',').zip(expected.split(',')) {
        assert_eq!(got, want, "the whole log: {body}");
    }
    assert_eq!(body, expected);
}

#[tokio::test]
async fn set_variables_and_send_message_store_messages_the_api_lists() {
    let flow = flow(json!([
        {"name": "vars", "type": "set-variables",
         "properties": {"variables": [{"key": "code", "value": "4711"}, {"key": "name", "value": "\"Ada\""},
                                      {"key": "next_code", "value": "{{flow.variables.code | plus: 1}}"}]},
         "transitions": [{"event": "next", "next": "text_caller"}]},
        {"name": "text_caller", "type": "send-message",
         "properties": {"body": "Hi {{flow.variables.name}}, your code is {{flow.variables.code}}, then {{flow.variables.next_code}}.",
                        "from": "{{flow.channel.address}}", "to": "{{contact.channel.address}}"},
         "transitions": [{"event": "sent", "next": "text_agent"}, {"event": "failed"}]},
        {"name": "text_agent", "type": "send-message",
         "properties": {"body": "Call from {{trigger.call.From}} ({{widgets.text_caller.status}})", "to": "+15557770000"},
         "transitions": [{"event": "sent", "next": "text_nobody"}, {"event": "failed"}]},
        {"name": "text_nobody", "type": "send-message", "properties": {"body": "x", "to": "{{widgets.nope.To}}"},
         "transitions": [{"event": "sent", "next": "sent"}, {"event": "failed", "next": "not_sent"}]},
        say("sent", "Sent.", None),
        say("not_sent", "Two sent, one failed.", None)
    ]));
    let (emulator, _dir) = studio(&flow).await;
    let caller = caller(|_| String::new()).await;
    let ended = call(&emulator, &caller, &[]).await;
    assert_eq!(said(&emulator, &ended).await, ["Two sent, one failed."]);
    let to_caller = messages_to_caller(&emulator).await;
    assert_eq!(to_caller.len(), 1);
    assert_eq!(
        to_caller[0]["body"],
        "Hi Ada, your code is 4711, then 4712."
    );
    assert_eq!(to_caller[0]["from"], IVR);
    assert_eq!(to_caller[0]["direction"], "outbound-api");
    let to_agent = get(&emulator.base_url, "Messages.json?To=%2B15557770000").await;
    assert_eq!(
        to_agent["messages"][0]["body"],
        format!("Call from {CALLER} (sent)")
    );
    assert_eq!(
        to_agent["messages"][0]["from"], IVR,
        "from defaults to the flow's number"
    );
}

#[tokio::test]
async fn http_widgets_make_real_requests_and_expose_the_answer() {
    let server = TwimlAppBuilder::new(TOKEN)
        .route("/customer", |_: &Received| {
            Reply::Json(r#"{"name": "Ada", "balance": 41, "tags": ["vip", "new"]}"#.into())
        })
        .route("/notes", |_: &Received| {
            Reply::Json(r#"{"saved": true}"#.into())
        })
        .route("/function", |r: &Received| {
            Reply::Json(format!(r#"{{"greeting": "hi {}"}}"#, r.param("Name")))
        })
        .route("/broken", |_: &Received| Reply::Status(500))
        .start()
        .await;
    let flow = flow(json!([
        {"name": "lookup", "type": "make-http-request",
         "properties": {"method": "GET", "url": server.url("/customer"),
                        "content_type": "application/x-www-form-urlencoded;charset=utf-8",
                        "parameters": [{"key": "From", "value": "{{trigger.call.From}}"}]},
         "transitions": [{"event": "success", "next": "note"}, {"event": "failed"}]},
        {"name": "note", "type": "make-http-request",
         "properties": {"method": "POST", "url": server.url("/notes"), "content_type": "application/json;charset=utf-8",
                        "body": "{\"caller\": \"{{trigger.call.From}}\", \"name\": \"{{widgets.lookup.parsed.name}}\"}"},
         "transitions": [{"event": "success", "next": "fn"}, {"event": "failed"}]},
        {"name": "fn", "type": "run-function",
         "properties": {"service_sid": "ZS00000000000000000000000000000000", "url": server.url("/function"),
                        "parameters": [{"key": "Name", "value": "{{widgets.lookup.parsed.name | upcase}}"}]},
         "transitions": [{"event": "success", "next": "broken"}, {"event": "fail"}]},
        {"name": "broken", "type": "make-http-request",
         "properties": {"method": "POST", "url": server.url("/broken"),
                        "content_type": "application/x-www-form-urlencoded;charset=utf-8",
                        "parameters": [{"key": "a", "value": "1"}]},
         "transitions": [{"event": "success"}, {"event": "failed", "next": "report"}]},
        say("report", "Hello {{widgets.lookup.parsed.name}}, balance {{widgets.lookup.parsed.balance | plus: 1}}, tags {{widgets.lookup.parsed.tags | join: ' and '}}, {{widgets.fn.parsed.greeting}}, saved {{widgets.note.parsed.saved}}, then {{widgets.broken.status_code}}.", None)
    ]));
    let (emulator, _dir) = studio(&flow).await;
    let caller = caller(|_| String::new()).await;
    let ended = call(&emulator, &caller, &[]).await;
    assert_eq!(
        said(&emulator, &ended).await,
        ["Hello Ada, balance 42, tags vip and new, hi ADA, saved true, then 500."]
    );
    let lookup = &server.received_at("/customer")[0];
    assert_eq!(
        (lookup.method.as_str(), lookup.param("From")),
        ("GET", CALLER)
    );
    let note = &server.received_at("/notes")[0];
    assert_eq!(note.method, "POST");
    let body: Value = serde_json::from_str(&note.body).expect("a JSON body");
    assert_eq!(body, json!({"caller": CALLER, "name": "Ada"}));
    assert_eq!(server.received_at("/function")[0].param("Name"), "ADA");
    assert_eq!(server.received_at("/broken")[0].param("a"), "1");
}

#[tokio::test]
async fn liquid_conditions_and_filters_shape_what_is_said() {
    let flow = flow(json!([
        {"name": "vars", "type": "set-variables",
         "properties": {"variables": [{"key": "hour", "value": "14"}, {"key": "who", "value": "  ada lovelace "}]},
         "transitions": [{"event": "next", "next": "greet"}]},
        say("greet", "{% if flow.variables.hour < 12 %}Good morning{% elsif flow.variables.hour < 18 %}Good afternoon{% else %}Good evening{% endif %} {{flow.variables.who | strip | capitalize}}, calling {{trigger.call.To | slice: -4, 4}} from {{trigger.call.From | replace: '+1', ''}}{{widgets.nothing.here}}.", None)
    ]));
    let (emulator, _dir) = studio(&flow).await;
    let caller = caller(|_| String::new()).await;
    let ended = call(&emulator, &caller, &[]).await;
    assert_eq!(
        said(&emulator, &ended).await,
        ["Good afternoon Ada lovelace, calling 0001 from 5005550006."]
    );
}
