use serde_json::{json, Value};

use super::*;
use crate::studio::widgets::Kind;

/// A flow: the trigger's incoming call leads to the first of `states`.
fn flow(states: Value) -> Value {
    let first = states[0]["name"].clone();
    let mut all = vec![json!({
        "name": "Trigger", "type": "trigger", "properties": {"offset": {"x": 0, "y": 0}},
        "transitions": [{"event": "incomingMessage"}, {"event": "incomingCall", "next": first},
                        {"event": "incomingRequest"}]
    })];
    all.extend(states.as_array().cloned().unwrap_or_default());
    json!({"description": "test", "states": all, "initial_state": "Trigger",
           "flags": {"allow_concurrent_calls": true}})
}

fn checked(definition: Value) -> Result<Checked, (Option<String>, String)> {
    let definition: FlowDefinition = serde_json::from_value(definition).expect("shape");
    check(&definition)
}

fn refused(definition: Value) -> (Option<String>, String) {
    match checked(definition) {
        Ok(_) => panic!("accepted"),
        Err(e) => e,
    }
}

fn say(name: &str, text: &str, next: Option<&str>) -> Value {
    json!({"name": name, "type": "say-play", "properties": {"say": text, "loop": 1},
           "transitions": [{"event": "audioComplete", "next": next}]})
}

#[test]
fn a_flow_of_every_supported_widget_loads() {
    let definition = flow(json!([
        {"name": "menu", "type": "gather-input-on-call",
         "properties": {"say": "Press 1", "voice": "Polly.Joanna", "language": "en-US", "loop": 1,
                        "stop_gather": true, "finish_on_key": "#", "number_of_digits": 1,
                        "timeout": 5, "speech_timeout": "auto", "gather_language": "en-US",
                        "hints": "sales,support", "speech_model": "phone_call",
                        "profanity_filter": "true", "offset": {"x": 1, "y": 2}},
         "transitions": [{"event": "keypress", "next": "route"}, {"event": "speech", "next": "route"},
                         {"event": "timeout", "next": "menu"}]},
        {"name": "route", "type": "split-based-on", "properties": {"input": "{{widgets.menu.Digits}}"},
         "transitions": [{"event": "noMatch", "next": "vars"},
                         {"event": "match", "next": "text", "conditions": [
                             {"friendly_name": "1", "arguments": ["{{widgets.menu.Digits}}"],
                              "type": "equal_to", "value": "1"}]}]},
        {"name": "vars", "type": "set-variables",
         "properties": {"variables": [{"key": "count", "value": "{{flow.variables.count | plus: 1}}"}]},
         "transitions": [{"event": "next", "next": "http"}]},
        {"name": "text", "type": "send-message", "properties": {"body": "Hi", "to": "{{contact.channel.address}}", "from": "{{flow.channel.address}}"},
         "transitions": [{"event": "sent", "next": "http"}, {"event": "failed"}]},
        {"name": "http", "type": "make-http-request",
         "properties": {"method": "POST", "url": "https://example.com/x",
                        "content_type": "application/json;charset=utf-8", "body": "{\"a\": 1}"},
         "transitions": [{"event": "success", "next": "fn"}, {"event": "failed"}]},
        {"name": "fn", "type": "run-function",
         "properties": {"url": "https://example.com/fn", "parameters": [{"key": "a", "value": "1"}]},
         "transitions": [{"event": "success", "next": "redirect"}, {"event": "fail"}]},
        {"name": "redirect", "type": "add-twiml-redirect",
         "properties": {"url": "https://example.com/twiml", "method": "POST", "timeout": "14400"},
         "transitions": [{"event": "return", "next": "voicemail"}, {"event": "timeout"}, {"event": "fail"}]},
        {"name": "voicemail", "type": "record-voicemail",
         "properties": {"timeout": 5, "max_length": 3600, "finish_on_key": "#", "play_beep": "true",
                        "trim": "trim-silence", "transcribe": false},
         "transitions": [{"event": "recordingComplete", "next": "agent"}, {"event": "noAudio"}, {"event": "hangup"}]},
        {"name": "agent", "type": "connect-call-to",
         "properties": {"noun": "number", "to": "+15557654321", "caller_id": "{{contact.channel.address}}",
                        "record": false, "timeout": 30},
         "transitions": [{"event": "callCompleted", "next": "queue"}, {"event": "hangup"}]},
        {"name": "queue", "type": "enqueue-call",
         "properties": {"queue_name": "{{flow.variables.team}}", "wait_url": "https://example.com/hold",
                        "wait_url_method": "GET", "offset": {"x": 0, "y": 0}},
         "transitions": [{"event": "callComplete"}, {"event": "failedToEnqueue"}, {"event": "callFailure"}]}
    ]));
    let (widgets, trigger) = checked(definition).expect("loads");
    assert_eq!(trigger, "Trigger");
    assert_eq!(widgets.len(), 11);
    assert!(matches!(widgets["queue"].kind, Kind::Enqueue(ref e) if e.wait_url.is_some()));
    assert!(matches!(widgets["menu"].kind, Kind::Gather(ref g) if g.speech));
    assert_eq!(widgets["menu"].next_for("timeout"), Some("menu"));
}

#[test]
fn unknown_types_and_transitions_to_nowhere_are_refused_with_the_widget_name() {
    let (widget, message) = refused(flow(
        json!([{"name": "x", "type": "say-pley", "properties": {}}]),
    ));
    assert_eq!(widget.as_deref(), Some("x"));
    assert_eq!(message, "unknown widget type `say-pley`");
    let (widget, message) = refused(flow(json!([say("hello", "Hi", Some("nowhere"))])));
    assert_eq!(widget.as_deref(), Some("hello"));
    assert!(
        message.contains("leads to `nowhere`, which is not a widget"),
        "{message}"
    );
    let (_, message) = refused(flow(json!([say("a", "Hi", None), say("a", "Ho", None)])));
    assert_eq!(message, "two widgets have this name");
}

#[test]
fn bad_properties_are_refused() {
    let cases = [
        (
            json!({"name": "w", "type": "say-play", "properties": {}}),
            "needs `say`, `play` or `digits`",
        ),
        (
            json!({"name": "w", "type": "say-play", "properties": {"say": "Hi {{trigger.call.From"}}),
            "property `say`: Liquid syntax error",
        ),
        (
            json!({"name": "w", "type": "say-play", "properties": {"digits": "12x"}}),
            "keys a phone does not have",
        ),
        (
            json!({"name": "w", "type": "gather-input-on-call", "properties": {"timeout": "soon"}}),
            "property `timeout`",
        ),
        (
            json!({"name": "w", "type": "gather-input-on-call", "properties": {"speech_timeout": "fast"}}),
            "neither `auto` nor",
        ),
        (
            json!({"name": "w", "type": "split-based-on", "properties": {}}),
            "property `input` is required",
        ),
        (
            json!({"name": "w", "type": "split-based-on", "properties": {"input": "{{x}}"},
                "transitions": [{"event": "match", "next": "w", "conditions": [{"type": "equals", "value": "1"}]}]}),
            "unknown type `equals`",
        ),
        (
            json!({"name": "w", "type": "split-based-on", "properties": {"input": "{{x}}"},
                "transitions": [{"event": "match", "next": "w", "conditions": [{"type": "regex", "value": "(open"}]}]}),
            "invalid regex",
        ),
        (
            json!({"name": "w", "type": "split-based-on", "properties": {"input": "{{x}}"},
                "transitions": [{"event": "match", "next": "w", "conditions": [{"type": "contains"}]}]}),
            "`value` is missing",
        ),
        (
            json!({"name": "w", "type": "send-message", "properties": {"to": "+1"}}),
            "property `body` is required",
        ),
        (
            json!({"name": "w", "type": "make-http-request",
                "properties": {"method": "PUT", "url": "https://e.com", "content_type": "application/json"}}),
            "is not one of GET, POST",
        ),
        (
            json!({"name": "w", "type": "make-http-request",
                "properties": {"method": "GET", "url": "e.com/x", "content_type": "application/json"}}),
            "not an absolute http(s) URL",
        ),
        (
            json!({"name": "w", "type": "make-http-request",
                "properties": {"method": "GET", "url": "https://e.com", "content_type": "text/plain"}}),
            "neither application/x-www-form-urlencoded nor application/json",
        ),
        (
            json!({"name": "w", "type": "set-variables", "properties": {"variables": [{"value": "1"}]}}),
            "`key` is missing",
        ),
        (
            json!({"name": "w", "type": "connect-call-to", "properties": {"noun": "queue", "to": "x"}}),
            "is not one of number",
        ),
        (
            json!({"name": "w", "type": "connect-call-to", "properties": {"noun": "number"}}),
            "property `to` is required",
        ),
        (
            json!({"name": "w", "type": "record-voicemail", "properties": {"play_beep": "loud"}}),
            "not true or false",
        ),
        (
            json!({"name": "w", "type": "record-voicemail", "properties": {"transcribe": "maybe"}}),
            "not true or false",
        ),
        (
            json!({"name": "w", "type": "say-play", "properties": {"say": "x"},
                "transitions": [{"event": "done"}]}),
            "`done` is not an event of say-play (audioComplete)",
        ),
        (
            json!({"name": "w", "type": "enqueue-call", "properties": {"wait_url": "https://e.com"}}),
            "property `queue_name` is required",
        ),
        (
            json!({"name": "w", "type": "enqueue-call", "properties": {"queue_name": "q", "wait_url": "/hold"}}),
            "property `wait_url`: `/hold` is not an absolute http(s) URL",
        ),
        (
            json!({"name": "w", "type": "enqueue-call", "properties": {"queue_name": "q", "wait_url_method": "PUT"}}),
            "is not one of GET, POST",
        ),
        (
            json!({"name": "w", "type": "enqueue-call", "properties": {"queue_name": "q"},
                "transitions": [{"event": "hangup"}]}),
            "`hangup` is not an event of enqueue-call (callComplete, failedToEnqueue, callFailure)",
        ),
    ];
    for (state, expected) in cases {
        let (widget, message) = refused(flow(json!([state])));
        assert_eq!(widget.as_deref(), Some("w"), "{message}");
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }
}

/// The widgets a call can reach that the emulator does not run, as `load` lists them.
fn unrunnable_of(definition: Value) -> Vec<Unrunnable> {
    let definition: FlowDefinition = serde_json::from_value(definition).expect("shape");
    let (widgets, trigger) = check(&definition).expect("loads");
    unrunnable(&definition, &widgets, &trigger)
}

#[test]
fn widgets_a_call_cannot_run_load_and_are_listed_only_on_the_path_of_a_call() {
    let pay = json!({"name": "pay", "type": "capture-payments",
                     "properties": {"currency": "usd"}, "transitions": [{"event": "success"}]});
    let menu = json!({"name": "menu", "type": "gather-input-on-call",
                      "properties": {"say": "Press 1 to pay, 2 for hours"},
                      "transitions": [{"event": "keypress", "next": "route"}]});
    let route = json!({"name": "route", "type": "split-based-on",
                       "properties": {"input": "{{widgets.menu.Digits}}"},
                       "transitions": [{"event": "noMatch", "next": "hours"},
                                       {"event": "match", "next": "pay", "conditions": [
                                          {"type": "equal_to", "arguments": ["{{widgets.menu.Digits}}"],
                                           "value": "1", "friendly_name": "1"}]}]});
    let definition = flow(json!([
        menu,
        route,
        say("hours", "Nine to five", None),
        pay
    ]));
    assert_eq!(
        unrunnable_of(definition),
        [Unrunnable {
            widget: "pay".into(),
            kind: "capture-payments".into(),
            reason: "<Pay> is not emulated",
        }]
    );
    // The same kind of widget on the message branch only: no call meets it.
    let waits = json!({"name": "ask", "type": "send-and-wait-for-reply",
                       "properties": {"body": "Reply YES"}, "transitions": [{"event": "incomingMessage"}]});
    let mut definition = flow(json!([say("hello", "Hi", None), waits]));
    definition["states"][0]["transitions"][0]["next"] = json!("ask");
    let (widgets, _) = checked(definition.clone()).expect("loads");
    assert!(matches!(widgets["ask"].kind, Kind::NotRun(_)));
    assert_eq!(unrunnable_of(definition), []);
}

#[test]
fn an_enqueue_call_to_task_router_is_not_run_naming_the_property() {
    for (property, value) in [
        ("workflow_sid", json!("WW0123456789abcdef0123456789abcdef")),
        ("task_attributes", json!("{\"lang\": \"en\"}")),
        ("priority", json!(5)),
    ] {
        let state = json!({"name": "flex", "type": "enqueue-call",
                           "properties": {property: value, "queue_name": ""},
                           "transitions": [{"event": "callComplete"}]});
        let unrunnable = unrunnable_of(flow(json!([state])));
        let [only] = unrunnable.as_slice() else {
            panic!("one widget the emulator does not run: {unrunnable:?}");
        };
        let message = only.to_string();
        assert!(
            message.starts_with("widget `flex` (enqueue-call) is not run by the emulator: ")
                && message.contains(&format!("its `{property}`"))
                && message.contains("TaskRouter is not emulated"),
            "{message}"
        );
    }
    // An empty `workflow_sid`, as the editor exports it beside a queue name, is no workflow.
    let state = json!({"name": "q", "type": "enqueue-call",
                       "properties": {"queue_name": "support", "workflow_sid": ""}});
    let (widgets, _) = checked(flow(json!([state]))).expect("loads");
    assert!(matches!(widgets["q"].kind, Kind::Enqueue(_)));
}

#[test]
fn the_initial_state_must_be_the_trigger() {
    let mut definition = flow(json!([say("hello", "Hi", None)]));
    definition["initial_state"] = json!("hello");
    assert!(refused(definition.clone())
        .1
        .contains("is not a trigger widget"));
    definition["initial_state"] = json!("Start");
    assert!(refused(definition)
        .1
        .contains("is not a widget of this flow"));
}

#[test]
fn errors_name_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("main.json");
    std::fs::write(
        &path,
        flow(json!([say("hello", "Hi {{x", None)])).to_string(),
    )
    .expect("write");
    let error = load(&path).expect_err("refused");
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "{}: widget `hello`: property `say`",
            path.display()
        )),
        "{text}"
    );
    std::fs::write(&path, "{\"states\": [").expect("write");
    assert!(load(&path)
        .expect_err("refused")
        .to_string()
        .contains("not a Studio flow definition"));
    let missing = dir.path().join("missing.json");
    assert!(load(&missing)
        .expect_err("refused")
        .to_string()
        .contains("cannot read the Studio flow"));
}
