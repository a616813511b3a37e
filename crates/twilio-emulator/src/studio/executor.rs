//! Running widgets for one request to a flow's URL: resume the widget the call was waiting on
//! (a gather's input, the end of a say, a voicemail, a redirect's return), then run widgets
//! until one needs the call again, and answer that widget's TwiML.
//!
//! Widgets that need no call (split, set-variables, send-message, HTTP) run one after another
//! within the request, as Studio runs them between two webhooks; the call hears nothing
//! meanwhile. A widget whose event leads nowhere ends the execution, and the call hangs up.

use serde_json::{json, Value};

use super::context::{variable_value, Execution};
use super::effects;
use super::liquid::RenderEnv;
use super::load::LoadedFlow;
use super::records::{StepRecord, ENDED};
use super::twiml::Renderer;
use super::widgets::{Kind, Widget};
use crate::clock::Clock;
use crate::log::EventLog;
use crate::model::{Leg, TranscriptLine, APPLICATION_ERROR};
use crate::store::Store;
use twilio_wire::twiml::{self, HttpMethod, Response, Verb};

/// At most this many widgets per request, against loops of widgets that never need the call.
const MAX_STEPS: usize = 200;

/// What the executor works with besides the flow.
#[derive(Clone)]
pub struct Services {
    /// Messages go here.
    pub store: Store,
    /// Emulated time, for Liquid's `now` and message dates.
    pub clock: Clock,
    /// One line per widget run.
    pub log: EventLog,
    /// For `make-http-request` and `run-function`.
    pub http: reqwest::Client,
}

/// One request's work: the flow, its URL, the services.
pub struct Request<'a> {
    /// The flow.
    pub flow: &'a LoadedFlow,
    /// The flow's URL; events come back to it with `?FlowEvent=`.
    pub webhook: &'a str,
    /// Shared services.
    pub services: &'a Services,
}

impl Request<'_> {
    fn env(&self) -> RenderEnv {
        RenderEnv {
            now: self.services.clock.now(),
        }
    }

    fn log(&self, execution: &Execution, line: &str) {
        let call = execution.call_param("CallSid");
        self.services.log.event(&format!("{call} studio: {line}"));
    }

    /// Keeps the step `from --event--> to` of the execution, as Studio's Steps list shows it.
    fn step(&self, execution: &Execution, from: &str, event: &str, to: Option<&str>) {
        let now = self.services.clock.now();
        let step = StepRecord {
            sid: twilio_wire::sid::new_sid("FT"),
            name: event.to_string(),
            transitioned_from: from.to_string(),
            transitioned_to: to.unwrap_or(ENDED).to_string(),
            context: json!({
                "widgets": execution.context["widgets"].clone(),
                "flow": execution.context["flow"].clone(),
            }),
            date_created: now,
        };
        self.services
            .store
            .add_step(&execution.sid, step, execution.context.clone());
    }

    /// A call reached a widget the emulator does not run: the call's transcript names it,
    /// and the caller hears Twilio's application error before the hang-up, so the test that
    /// took this path fails there while every other path of the flow runs.
    fn unrunnable(&self, execution: &Execution, name: &str) -> Response {
        let text = match self.flow.unrunnable.iter().find(|u| u.widget == name) {
            Some(unrunnable) => format!("error: {unrunnable}"),
            None => format!("error: widget `{name}` is not run by the emulator"),
        };
        self.log(execution, &text);
        let line = TranscriptLine {
            at: self.services.clock.now(),
            leg: Leg::Callee,
            text,
        };
        let store = &self.services.store;
        let call = execution.call_param("CallSid");
        let call = store
            .call(&call)
            .map_or(call, |c| c.transcript_sid().to_string());
        store.update_call(&call, |c| c.transcript.push(line));
        Response {
            verbs: vec![
                Verb::Say(twiml::Say {
                    text: APPLICATION_ERROR.to_string(),
                    voice: None,
                    language: None,
                    repeat: 1,
                }),
                Verb::Hangup,
            ],
        }
    }

    /// Starts an execution at the trigger.
    pub async fn start(&self, execution: &mut Execution) -> Response {
        self.log(execution, &format!("execution {} starts", execution.sid));
        self.run(execution, Some(self.flow.trigger.clone())).await
    }

    /// Continues with `event` for the widget the call was waiting on; `params` are the
    /// request's parameters, `query` those of its URL (a redirect's return values).
    pub async fn resume(
        &self,
        execution: &mut Execution,
        event: &str,
        params: &[(String, String)],
        query: &[(String, String)],
    ) -> Response {
        match self.outcome(execution, event, params, query) {
            Ok(next) => self.run(execution, next).await,
            Err(problem) => {
                self.log(execution, &problem);
                execution.current = None;
                hang_up()
            }
        }
    }

    /// The widget the waiting widget's outcome leads to.
    fn outcome(
        &self,
        execution: &mut Execution,
        event: &str,
        params: &[(String, String)],
        query: &[(String, String)],
    ) -> Result<Option<String>, String> {
        let name = execution
            .current
            .clone()
            .ok_or_else(|| format!("no widget waits for `{event}`"))?;
        let widget = self.widget(&name)?;
        let param = |key: &str| {
            params
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let (fired, outputs) = match (&widget.kind, event) {
            (Kind::SayPlay(_), "audioComplete") => ("audioComplete", None),
            (Kind::Gather(_), "gather") => {
                let mut outputs = serde_json::Map::new();
                for key in ["Digits", "FinishedOnKey", "SpeechResult", "Confidence"] {
                    if let Some(value) = param(key) {
                        outputs.insert(key.to_string(), Value::String(value));
                    }
                }
                let filled = |key: &str| param(key).is_some_and(|v| !v.is_empty());
                let fired = if filled("Digits") {
                    "keypress"
                } else if filled("SpeechResult") {
                    "speech"
                } else {
                    "timeout"
                };
                (fired, Some(Value::Object(outputs)))
            }
            (Kind::Record(_), "record") => {
                let mut outputs = serde_json::Map::new();
                for key in [
                    "RecordingUrl",
                    "RecordingSid",
                    "RecordingDuration",
                    "Digits",
                ] {
                    if let Some(value) = param(key) {
                        outputs.insert(key.to_string(), Value::String(value));
                    }
                }
                let seconds: u64 = param("RecordingDuration")
                    .and_then(|d| d.parse().ok())
                    .unwrap_or(0);
                let fired = if seconds > 0 {
                    "recordingComplete"
                } else {
                    "noAudio"
                };
                (fired, Some(Value::Object(outputs)))
            }
            (Kind::Connect(_), "connect") => {
                let mut outputs = serde_json::Map::new();
                for key in ["DialCallStatus", "DialCallSid", "DialCallDuration"] {
                    if let Some(value) = param(key) {
                        outputs.insert(key.to_string(), Value::String(value));
                    }
                }
                // Twilio requests a `<Dial>` action after the caller hung up too, with the
                // parent call `completed`; otherwise the caller is still on the line.
                let fired = if param("CallStatus").as_deref() == Some("completed") {
                    "hangup"
                } else {
                    "callCompleted"
                };
                (fired, Some(Value::Object(outputs)))
            }
            (Kind::Enqueue(_), "enqueue") => {
                let mut outputs = serde_json::Map::new();
                for key in ["QueueResult", "QueueSid", "QueueTime"] {
                    if let Some(value) = param(key) {
                        outputs.insert(key.to_string(), Value::String(value));
                    }
                }
                // Studio's widget reference: `failedToEnqueue` for a full queue, `callFailure`
                // for a system error (and here an error of the wait TwiML), `callComplete`
                // whenever else the `<Enqueue>` action is requested.
                let fired = match param("QueueResult").as_deref() {
                    Some("queue-full") => "failedToEnqueue",
                    Some("error" | "system-error") => "callFailure",
                    _ => "callComplete",
                };
                (fired, Some(Value::Object(outputs)))
            }
            (Kind::Redirect(_), "return") => {
                // The return URL's own parameters; a GET also carries the call's standard
                // parameters in the query, which are the trigger's, not the widget's.
                let standard = |k: &str| {
                    k == "FlowEvent"
                        || k == "CallStatus"
                        || execution.context["trigger"]["call"].get(k).is_some()
                };
                let outputs = query
                    .iter()
                    .filter(|(k, _)| !standard(k))
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                ("return", Some(Value::Object(outputs)))
            }
            _ => return Err(format!("`{event}` does not fit widget `{name}`")),
        };
        if let Some(outputs) = outputs {
            execution.set_outputs(&name, outputs);
        }
        self.log(execution, &format!("{name} -> {fired}"));
        let next = widget.next_for(fired);
        self.step(execution, &name, fired, next);
        Ok(next.map(str::to_string))
    }

    fn widget(&self, name: &str) -> Result<&Widget, String> {
        self.flow
            .widgets
            .get(name)
            .ok_or_else(|| format!("no widget `{name}`"))
    }

    fn event_url(&self, event: &str) -> String {
        format!("{}?FlowEvent={event}", self.webhook)
    }

    /// Runs widgets from `next` until one needs the call.
    async fn run(&self, execution: &mut Execution, mut next: Option<String>) -> Response {
        for _ in 0..MAX_STEPS {
            let Some(name) = next.take() else {
                self.log(execution, "execution ends");
                execution.current = None;
                return hang_up();
            };
            let widget = match self.widget(&name) {
                Ok(widget) => widget,
                Err(problem) => {
                    self.log(execution, &problem);
                    execution.current = None;
                    return hang_up();
                }
            };
            execution.current = Some(name.clone());
            let env = self.env();
            let render = || Renderer { execution, env };
            let fired: &str = match &widget.kind {
                Kind::Trigger => "incomingCall",
                Kind::SayPlay(prompt) => {
                    let mut verbs = render().prompt(prompt);
                    if widget.next_for("audioComplete").is_some() {
                        verbs.push(redirect(self.event_url("audioComplete")));
                    } else {
                        self.log(execution, &format!("{name} plays, then the execution ends"));
                        execution.current = None;
                        verbs.push(Verb::Hangup);
                    }
                    return Response { verbs };
                }
                Kind::Gather(gather) => {
                    let verb = render().gather(gather, self.event_url("gather"));
                    return Response { verbs: vec![verb] };
                }
                Kind::Record(record) => {
                    let verb = render().record(record, self.event_url("record"));
                    return Response { verbs: vec![verb] };
                }
                Kind::Connect(connect) => {
                    // The `<Dial>` action brings the dialled leg's end back: `callCompleted`,
                    // or `hangup` when the caller hung up (see `outcome`).
                    let verb = render().dial(connect, Some(self.event_url("connect")));
                    if matches!(verb, Verb::Unsupported { .. }) {
                        self.log(
                            execution,
                            &format!("{name} cannot connect: {} is not emulated", connect.noun),
                        );
                        execution.current = None;
                    } else {
                        self.log(execution, &format!("{name} connects the call"));
                    }
                    return Response { verbs: vec![verb] };
                }
                Kind::Enqueue(enqueue) => {
                    let verb = render().enqueue(enqueue, self.event_url("enqueue"));
                    self.log(execution, &format!("{name} enqueues the call"));
                    return Response { verbs: vec![verb] };
                }
                Kind::Redirect(redirect) => match render().redirect(redirect) {
                    Some(verb) => {
                        self.log(execution, &format!("{name} hands the call to TwiML"));
                        return Response { verbs: vec![verb] };
                    }
                    None => {
                        let url = execution.render(&redirect.url, &env);
                        execution
                            .set_outputs(&name, json!({"error": format!("`{url}` is not a URL")}));
                        "fail"
                    }
                },
                Kind::Split(branches) => {
                    let matched = branches.iter().find(|branch| {
                        branch.conditions.iter().all(|c| {
                            let subject = execution.render(&c.subject, &env);
                            c.predicate
                                .holds(&subject, &execution.render(&c.value, &env))
                        })
                    });
                    if let Some(branch) = matched {
                        self.log(execution, &format!("{name} -> match"));
                        self.step(execution, &name, "match", branch.next.as_deref());
                        next = branch.next.clone();
                        continue;
                    }
                    "noMatch"
                }
                Kind::SetVariables(variables) => {
                    for (key, value) in variables {
                        let value = variable_value(&execution.render(value, &env));
                        execution.set_variable(key, value);
                    }
                    "next"
                }
                Kind::SendMessage(message) => {
                    let (event, outputs) =
                        effects::send_message(&self.services.store, message, execution, &env);
                    execution.set_outputs(&name, outputs);
                    event
                }
                Kind::Http(http) => {
                    let (event, outputs) =
                        effects::http(&self.services.http, http, execution, &env).await;
                    execution.set_outputs(&name, outputs);
                    event
                }
                Kind::NotRun(_) => {
                    execution.current = None;
                    return self.unrunnable(execution, &name);
                }
            };
            self.log(execution, &format!("{name} -> {fired}"));
            next = widget.next_for(fired).map(str::to_string);
            self.step(execution, &name, fired, next.as_deref());
        }
        self.log(
            execution,
            &format!("more than {MAX_STEPS} widgets without the call; hanging up"),
        );
        execution.current = None;
        hang_up()
    }
}

fn redirect(url: String) -> Verb {
    Verb::Redirect(twiml::Redirect {
        url,
        method: HttpMethod::Post,
    })
}

/// The TwiML that ends the call.
pub fn hang_up() -> Response {
    Response {
        verbs: vec![Verb::Hangup],
    }
}
