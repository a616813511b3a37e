//! Making a [`Widget`] from a flow state: its type, its properties read as templates and
//! checked ([`super::props`]), its events checked against the type's.

use std::collections::HashMap;

use super::conditions::{compile_regex, Predicate};
use super::flow::{State, Transition};
use super::liquid::Template;
use super::props::Props;
use super::widgets::{
    Branch, Check, Connect, Enqueue, Gather, Http, Kind, Prompt, Record, Redirect, SendMessage,
    Widget,
};

/// The events of each type the emulator runs.
fn events(kind: &str) -> &'static [&'static str] {
    match kind {
        "say-play" => &["audioComplete"],
        "gather-input-on-call" => &["keypress", "speech", "timeout"],
        "split-based-on" => &["match", "noMatch"],
        "set-variables" => &["next"],
        "send-message" => &["sent", "failed"],
        "make-http-request" => &["success", "failed"],
        "run-function" => &["success", "fail"],
        "add-twiml-redirect" => &["return", "timeout", "fail"],
        "connect-call-to" => &["callCompleted", "hangup"],
        "record-voicemail" => &["recordingComplete", "noAudio", "hangup"],
        "enqueue-call" => &["callComplete", "failedToEnqueue", "callFailure"],
        _ => &[],
    }
}

/// Builds a widget from its state; the error names what is wrong (not the widget).
pub fn build(state: &State) -> Result<Widget, String> {
    let kind = state.kind.as_str();
    let p = Props::new(&state.properties);
    let built = match kind {
        "trigger" => Kind::Trigger,
        "say-play" => {
            let prompt = prompt(&p, true)?;
            if prompt.say.is_none() && prompt.play.is_none() && prompt.digits.is_none() {
                return Err("needs `say`, `play` or `digits`".into());
            }
            Kind::SayPlay(prompt)
        }
        "gather-input-on-call" => Kind::Gather(gather(&p, &state.transitions)?),
        "split-based-on" => Kind::Split(split(&p, &state.transitions)?),
        "set-variables" => Kind::SetVariables(p.pairs("variables")?),
        "send-message" => Kind::SendMessage(SendMessage {
            to: p.template("to")?,
            from: p.template("from")?,
            body: p.required("body")?,
            media_url: p.template("media_url")?,
        }),
        "make-http-request" | "run-function" => Kind::Http(http(&p, kind == "run-function")?),
        "add-twiml-redirect" => Kind::Redirect(Redirect {
            url: p.url("url")?,
            method: p.one_of("method", &["GET", "POST"])?,
        }),
        "connect-call-to" => Kind::Connect(connect(&p)?),
        "enqueue-call" => enqueue(&p)?,
        "record-voicemail" => Kind::Record(Record {
            timeout: p.uint("timeout", 0)?,
            max_length: p.uint("max_length", 1)?,
            finish_on_key: p.keys("finish_on_key")?,
            play_beep: p.boolean("play_beep")?,
            transcribe: p.boolean("transcribe")?,
            transcription_callback_url: p.template("transcription_callback_url")?,
        }),
        other => match super::refused::reason(other) {
            Some(reason) => Kind::NotRun(reason),
            None => return Err(format!("unknown widget type `{other}`")),
        },
    };
    let mut next = HashMap::new();
    for transition in &state.transitions {
        let known = events(kind);
        let checked = !matches!(built, Kind::Trigger | Kind::NotRun(_));
        if checked && !known.contains(&transition.event.as_str()) {
            return Err(format!(
                "`{}` is not an event of {kind} ({})",
                transition.event,
                known.join(", ")
            ));
        }
        if transition.event != "match" {
            next.insert(transition.event.clone(), transition.next.clone());
        }
    }
    Ok(Widget {
        name: state.name.clone(),
        kind: built,
        next,
    })
}

fn prompt(p: &Props, digits: bool) -> Result<Prompt, String> {
    Ok(Prompt {
        say: p.template("say")?,
        play: p.template("play")?,
        digits: if digits {
            p.keys_or_waits("digits")?
        } else {
            None
        },
        voice: p.template("voice")?,
        language: p.template("language")?,
        repeat: p.uint("loop", 0)?,
    })
}

fn gather(p: &Props, transitions: &[Transition]) -> Result<Gather, String> {
    let leads = |event: &str| {
        transitions
            .iter()
            .any(|t| t.event == event && t.next.is_some())
    };
    let speech = leads("speech");
    Ok(Gather {
        prompt: prompt(p, false)?,
        speech,
        stop_gather: p.boolean("stop_gather")?,
        finish_on_key: p.keys("finish_on_key")?,
        number_of_digits: p.uint("number_of_digits", 1)?,
        timeout: p.uint("timeout", 1)?,
        speech_timeout: p.speech_timeout("speech_timeout")?,
        language: p.template("gather_language")?,
        hints: p.template("hints")?,
        speech_model: p.template("speech_model")?,
    })
}

fn split(p: &Props, transitions: &[Transition]) -> Result<Vec<Branch>, String> {
    let input = p.required("input")?;
    let mut branches = Vec::new();
    for (i, transition) in transitions.iter().enumerate() {
        if transition.event != "match" {
            continue;
        }
        if transition.conditions.is_empty() {
            return Err(format!("transition {i} (match) has no conditions"));
        }
        let mut conditions = Vec::new();
        for condition in &transition.conditions {
            let label = condition
                .friendly_name
                .as_deref()
                .unwrap_or(&condition.kind);
            let at = |e: String| format!("condition `{label}`: {e}");
            let predicate = Predicate::named(&condition.kind).ok_or_else(|| {
                let known: Vec<&str> = Predicate::names().collect();
                at(format!(
                    "unknown type `{}` (one of {})",
                    condition.kind,
                    known.join(", ")
                ))
            })?;
            let subject = match condition.arguments.first() {
                Some(argument) => Template::parse(argument).map_err(|e| at(e.to_string()))?,
                None => input.clone(),
            };
            let value = match &condition.value {
                serde_json::Value::String(s) => {
                    Template::parse(s).map_err(|e| at(e.to_string()))?
                }
                serde_json::Value::Number(n) => Template::text(n.to_string()),
                serde_json::Value::Bool(b) => Template::text(b.to_string()),
                _ if predicate.needs_value() => return Err(at("`value` is missing".into())),
                _ => Template::text(""),
            };
            if let (Predicate::Regex, Some(pattern)) = (predicate, value.constant()) {
                compile_regex(pattern.trim()).map_err(|e| at(format!("invalid regex: {e}")))?;
            }
            conditions.push(Check {
                predicate,
                subject,
                value,
            });
        }
        branches.push(Branch {
            conditions,
            next: transition.next.clone(),
        });
    }
    Ok(branches)
}

fn http(p: &Props, function: bool) -> Result<Http, String> {
    let json = if function {
        false
    } else {
        let content_type = p.required("content_type")?;
        let text = content_type
            .constant()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if text.contains("json") {
            true
        } else if text.contains("x-www-form-urlencoded") {
            false
        } else {
            return Err(format!(
                "property `content_type`: `{text}` is neither application/x-www-form-urlencoded \
                 nor application/json"
            ));
        }
    };
    Ok(Http {
        function,
        method: if function {
            None
        } else {
            Some(
                p.one_of("method", &["GET", "POST"])?
                    .ok_or("property `method` is required")?,
            )
        },
        url: p.url("url")?,
        json,
        body: p.template("body")?,
        parameters: p.pairs("parameters")?,
    })
}

fn connect(p: &Props) -> Result<Connect, String> {
    const NOUNS: [&str; 6] = [
        "number",
        "number-multi",
        "client",
        "sip",
        "sim",
        "conference",
    ];
    let noun = match p.one_of("noun", &NOUNS)? {
        Some(t) => t.constant().unwrap_or_default().trim().to_ascii_lowercase(),
        None => "number".to_string(),
    };
    if noun.is_empty() {
        return Err("property `noun` must not depend on Liquid".into());
    }
    let to = if noun == "sip" {
        p.required("sip_endpoint")?
    } else {
        p.required("to")?
    };
    Ok(Connect {
        noun,
        to,
        caller_id: p.template("caller_id")?,
        record: p.boolean("record")?,
        timeout: p.uint("timeout", 1)?,
    })
}

/// `enqueue-call`: a queue by name; its TaskRouter form (a workflow, with task attributes,
/// priority and timeout) is a widget the emulator does not run, named by the property.
fn enqueue(p: &Props) -> Result<Kind, String> {
    const TASK_ROUTER: [(&str, &str); 4] = [
        (
            "workflow_sid",
            "its `workflow_sid` hands the call to a TaskRouter workflow, and TaskRouter is not \
             emulated (a `queue_name` is)",
        ),
        (
            "task_attributes",
            "its `task_attributes` make a TaskRouter task, and TaskRouter is not emulated",
        ),
        (
            "priority",
            "its `priority` is a TaskRouter task's, and TaskRouter is not emulated",
        ),
        (
            "timeout",
            "its `timeout` is a TaskRouter task's, and TaskRouter is not emulated",
        ),
    ];
    let given = |key: &str| -> Result<Option<Template>, String> {
        let template = p.template(key)?;
        Ok(template.filter(|t| t.constant().is_none_or(|c| !c.trim().is_empty())))
    };
    for (key, reason) in TASK_ROUTER {
        if given(key)?.is_some() {
            return Ok(Kind::NotRun(reason));
        }
    }
    let wait_url = match given("wait_url")? {
        Some(_) => Some(p.url("wait_url")?),
        None => None,
    };
    Ok(Kind::Enqueue(Enqueue {
        queue_name: p.required("queue_name")?,
        wait_url,
        wait_url_method: p.one_of("wait_url_method", &["GET", "POST"])?,
    }))
}
