//! The widgets that act on the world without the call: `make-http-request` and `run-function`
//! (real HTTP requests), and `send-message` (a message stored as if sent through the Messages
//! API, so `GET Messages.json` lists it).
//!
//! Each returns the event it fires and the outputs it leaves in `widgets.NAME`:
//!
//! | widget | outputs |
//! |---|---|
//! | HTTP | `status_code`, `content_type`, `body`, and `parsed` when the body is JSON |
//! | send-message | `message_sid`, `status`, `to`, `from`, `body` |

use std::time::Duration;

use serde_json::{json, Value};

use super::context::Execution;
use super::liquid::{RenderEnv, Template};
use super::widgets::{Http, SendMessage};
use crate::config::is_e164;
use crate::model::MessageRecord;
use crate::store::Store;

/// How long Studio waits for an HTTP widget's answer.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Makes the widget's request; `success` on a 2xx answer, else `failed` (`fail` for a Function).
pub async fn http(
    client: &reqwest::Client,
    widget: &Http,
    execution: &Execution,
    env: &RenderEnv,
) -> (&'static str, Value) {
    let failed = if widget.function { "fail" } else { "failed" };
    let url = execution.render(&widget.url, env).trim().to_string();
    let get = match &widget.method {
        Some(method) => execution
            .render(method, env)
            .trim()
            .eq_ignore_ascii_case("GET"),
        None => false,
    };
    let parameters: Vec<(String, String)> = widget
        .parameters
        .iter()
        .map(|(key, value)| (key.clone(), execution.render(value, env)))
        .collect();
    let Ok(mut parsed_url) = url::Url::parse(&url) else {
        return (failed, json!({"error": format!("`{url}` is not a URL")}));
    };
    let request = if get {
        if !parameters.is_empty() {
            parsed_url.query_pairs_mut().extend_pairs(parameters.iter());
        }
        client.get(parsed_url)
    } else if widget.json {
        let body = widget
            .body
            .as_ref()
            .map(|b| execution.render(b, env))
            .unwrap_or_default();
        client
            .post(parsed_url)
            .header("Content-Type", "application/json")
            .body(body)
    } else {
        client.post(parsed_url).form(&parameters)
    };
    let response = match request.timeout(HTTP_TIMEOUT).send().await {
        Ok(response) => response,
        Err(error) => return (failed, json!({"error": error.to_string()})),
    };
    let status = response.status();
    let content_type = response
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = match response.text().await {
        Ok(body) => body,
        Err(error) => return (failed, json!({"error": error.to_string()})),
    };
    let mut outputs = json!({
        "status_code": status.as_u16(),
        "content_type": content_type,
        "body": body,
    });
    if let Ok(parsed) = serde_json::from_str::<Value>(&body) {
        if parsed.is_object() || parsed.is_array() || content_type.contains("json") {
            outputs["parsed"] = parsed;
        }
    }
    let event = if status.is_success() {
        "success"
    } else {
        failed
    };
    (event, outputs)
}

/// Stores the message, from the flow's number to the caller unless `from`/`to` say otherwise.
pub fn send_message(
    store: &Store,
    widget: &SendMessage,
    execution: &Execution,
    env: &RenderEnv,
) -> (&'static str, Value) {
    // An absent `to`/`from` defaults; one that renders empty is a message that cannot be sent.
    let or = |template: Option<&Template>, default: String| match template {
        Some(t) => execution.render(t, env).trim().to_string(),
        None => default,
    };
    let to = or(widget.to.as_ref(), execution.call_param("From"));
    let from = or(widget.from.as_ref(), execution.call_param("To"));
    let body = execution.render(&widget.body, env);
    let media = execution.render_opt(widget.media_url.as_ref(), env);
    let problem = if !is_e164(&to) {
        Some(format!("the 'To' number {to} is not a valid phone number"))
    } else if from.is_empty() {
        Some("a 'From' number is required".to_string())
    } else if body.trim().is_empty() && media.is_none() {
        Some("message body is required".to_string())
    } else if body.chars().count() > crate::rest::MAX_MESSAGE_CHARS {
        Some("the message body exceeds the 1600 character limit".to_string())
    } else {
        None
    };
    if let Some(problem) = problem {
        return ("failed", json!({"error": problem, "to": to, "from": from}));
    }
    let now = env.now;
    let sid = twilio_wire::sid::new_sid("SM");
    store.insert_message(MessageRecord {
        sid: sid.clone(),
        account_sid: execution.call_param("AccountSid"),
        from: from.clone(),
        to: to.clone(),
        body: body.clone(),
        date_created: now,
        date_sent: now,
        direction: "outbound-api".to_string(),
        status: "sent".to_string(),
    });
    (
        "sent",
        json!({"message_sid": sid, "status": "sent", "to": to, "from": from, "body": body}),
    )
}
