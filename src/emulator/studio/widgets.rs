//! Widgets as the emulator runs them: each flow state's type, properties (as Liquid templates)
//! and events, checked when the flow is loaded.
//!
//! | type | properties used | events |
//! |---|---|---|
//! | `trigger` | | `incomingCall` (others: messages, REST API; never fired here) |
//! | `say-play` | `say`, `play`, `digits`, `voice`, `language`, `loop` | `audioComplete` |
//! | `gather-input-on-call` | the same prompt, `stop_gather`, `finish_on_key`, `number_of_digits`, `timeout`, `speech_timeout`, `gather_language`, `hints`, `speech_model` | `keypress`, `speech`, `timeout` |
//! | `split-based-on` | `input`; conditions on `match` transitions | `match`, `noMatch` |
//! | `set-variables` | `variables` (key, value) | `next` |
//! | `send-message` | `body`, `to`, `from`, `media_url` | `sent`, `failed` |
//! | `make-http-request` | `method`, `url`, `content_type`, `body`, `parameters` | `success`, `failed` |
//! | `run-function` | `url`, `parameters` (a POST to the Function's URL) | `success`, `fail` |
//! | `add-twiml-redirect` | `url`, `method`, `timeout` | `return`, `timeout`, `fail` |
//! | `connect-call-to` | `noun`, `to`, `sip_endpoint`, `caller_id`, `record`, `timeout` | `callCompleted`, `hangup` |
//! | `record-voicemail` | `timeout`, `max_length`, `finish_on_key`, `play_beep` | `recordingComplete`, `noAudio`, `hangup` |
//!
//! Other properties (the editor's `offset`, `profanity_filter`, `transcribe`, ...) are accepted
//! and ignored: they change nothing an emulated call can observe.

use std::collections::HashMap;

use super::conditions::{compile_regex, Predicate};
use super::flow::{State, Transition};
use super::liquid::Template;
use super::props::Props;

/// A widget ready to run.
#[derive(Debug, Clone)]
pub struct Widget {
    /// Its name in the flow.
    pub name: String,
    /// What it does.
    pub kind: Kind,
    /// Where each event leads; `None` ends the execution.
    pub next: HashMap<String, Option<String>>,
}

impl Widget {
    /// The widget an event leads to, if any.
    pub fn next_for(&self, event: &str) -> Option<&str> {
        self.next.get(event).and_then(|n| n.as_deref())
    }
}

/// A widget type with its checked properties.
#[derive(Debug, Clone)]
pub enum Kind {
    /// `trigger`.
    Trigger,
    /// `say-play`.
    SayPlay(Prompt),
    /// `gather-input-on-call`.
    Gather(Gather),
    /// `split-based-on`.
    Split(Vec<Branch>),
    /// `set-variables`.
    SetVariables(Vec<(String, Template)>),
    /// `send-message`.
    SendMessage(SendMessage),
    /// `make-http-request`, or `run-function` (a POST of its parameters to the Function's URL).
    Http(Http),
    /// `add-twiml-redirect`.
    Redirect(Redirect),
    /// `connect-call-to`.
    Connect(Connect),
    /// `record-voicemail`.
    Record(Record),
    /// A Studio widget the emulator does not run, accepted only where no call reaches it.
    NotRun(&'static str),
}

/// What a `say-play` (or a gather's prompt) plays.
#[derive(Debug, Clone, Default)]
pub struct Prompt {
    /// Text to speak.
    pub say: Option<Template>,
    /// Audio URL.
    pub play: Option<Template>,
    /// Keys to play (`say-play` only).
    pub digits: Option<Template>,
    /// `voice`.
    pub voice: Option<Template>,
    /// `language`.
    pub language: Option<Template>,
    /// `loop`.
    pub repeat: Option<Template>,
}

/// `gather-input-on-call`.
#[derive(Debug, Clone)]
pub struct Gather {
    /// The prompt played while listening.
    pub prompt: Prompt,
    /// Listen for keys: the `keypress` event leads somewhere, or `speech` does not.
    pub dtmf: bool,
    /// Listen for speech: the `speech` event leads somewhere (Studio's rule).
    pub speech: bool,
    /// `stop_gather`: whether `finish_on_key` ends the input (default true).
    pub stop_gather: Option<Template>,
    /// `finish_on_key` (default `#`).
    pub finish_on_key: Option<Template>,
    /// `number_of_digits`.
    pub number_of_digits: Option<Template>,
    /// `timeout` in seconds (default 5).
    pub timeout: Option<Template>,
    /// `speech_timeout`: seconds or `auto`.
    pub speech_timeout: Option<Template>,
    /// `gather_language`.
    pub language: Option<Template>,
    /// `hints`.
    pub hints: Option<Template>,
    /// `speech_model`.
    pub speech_model: Option<Template>,
}

/// A `match` transition of `split-based-on`.
#[derive(Debug, Clone)]
pub struct Branch {
    /// All must hold.
    pub conditions: Vec<Check>,
    /// Where it leads.
    pub next: Option<String>,
}

/// One condition.
#[derive(Debug, Clone)]
pub struct Check {
    /// The predicate.
    pub predicate: Predicate,
    /// The tested value (the condition's argument, else the widget's `input`).
    pub subject: Template,
    /// The value compared with.
    pub value: Template,
}

/// `send-message`.
#[derive(Debug, Clone)]
pub struct SendMessage {
    /// `to` (default: the caller).
    pub to: Option<Template>,
    /// `from` (default: the flow's number).
    pub from: Option<Template>,
    /// `body`.
    pub body: Template,
    /// `media_url`.
    pub media_url: Option<Template>,
}

/// `make-http-request` or `run-function`.
#[derive(Debug, Clone)]
pub struct Http {
    /// `run-function` (events `success`/`fail`) rather than `make-http-request` (`failed`).
    pub function: bool,
    /// `GET` or `POST`.
    pub method: Option<Template>,
    /// `url`.
    pub url: Template,
    /// Whether the body is JSON (`application/json`) rather than a form.
    pub json: bool,
    /// `body` (JSON requests).
    pub body: Option<Template>,
    /// `parameters` (form requests; the query of a GET).
    pub parameters: Vec<(String, Template)>,
}

/// `add-twiml-redirect`.
#[derive(Debug, Clone)]
pub struct Redirect {
    /// `url`.
    pub url: Template,
    /// `method` (default POST).
    pub method: Option<Template>,
}

/// `connect-call-to`.
#[derive(Debug, Clone)]
pub struct Connect {
    /// `noun`: `number`, `number-multi`, `client`, `sip`, `sim`, `conference`.
    pub noun: String,
    /// `to` (or `sip_endpoint` for `sip`).
    pub to: Template,
    /// `caller_id`.
    pub caller_id: Option<Template>,
    /// `record`.
    pub record: Option<Template>,
    /// `timeout`.
    pub timeout: Option<Template>,
}

/// `record-voicemail`.
#[derive(Debug, Clone)]
pub struct Record {
    /// `timeout`: seconds of silence that end it.
    pub timeout: Option<Template>,
    /// `max_length`.
    pub max_length: Option<Template>,
    /// `finish_on_key`.
    pub finish_on_key: Option<Template>,
    /// `play_beep`.
    pub play_beep: Option<Template>,
}

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
        "record-voicemail" => Kind::Record(Record {
            timeout: p.uint("timeout", 0)?,
            max_length: p.uint("max_length", 1)?,
            finish_on_key: p.keys("finish_on_key")?,
            play_beep: p.boolean("play_beep")?,
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
        dtmf: leads("keypress") || !speech,
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
