//! The flows of a running emulator: loaded at start, each served at its Studio webhook URL on
//! the emulator's own server, `/v1/Accounts/{AccountSid}/Flows/{FlowSid}` (the path of
//! `https://webhooks.twilio.com`), with every call's execution in memory until the call ends.
//!
//! The flow SID is derived from the number (`FW` + 32 hex digits of a hash), so it is the same
//! on every run: TwiML reached through `add-twiml-redirect` can come back with a `<Redirect>` to
//! `{emulator}/v1/Accounts/{AccountSid}/Flows/{FlowSid}?FlowEvent=return`, as on Twilio.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use sha1::{Digest, Sha1};

use super::context::Execution;
use super::executor::{hang_up, Request, Services};
use super::load::{load, FlowError, LoadedFlow};
use super::records::ExecutionRecord;
use crate::config::EmulatorConfig;

/// A flow and the number it answers.
struct Served {
    number: String,
    flow: LoadedFlow,
}

type ExecutionKey = (String, String);

/// Every flow of the emulator and the executions under way.
pub struct StudioRuntime {
    flows: HashMap<String, Served>,
    base_url: String,
    account_sid: String,
    services: Services,
    executions: Mutex<HashMap<ExecutionKey, Arc<tokio::sync::Mutex<Execution>>>>,
}

/// Loads the flow of every number that has one, refusing the first bad flow.
pub fn load_flows(config: &EmulatorConfig) -> Result<Vec<(String, LoadedFlow)>, FlowError> {
    let mut flows = Vec::new();
    for (number, entry) in &config.numbers {
        if let Some(path) = &entry.studio_flow {
            flows.push((number.clone(), load(path)?));
        }
    }
    Ok(flows)
}

/// One line per widget a call can reach that the emulator does not run, naming the flow file
/// and the widget: every other path runs, and a call that reaches one ends there.
pub fn flow_warnings(flows: &[(String, LoadedFlow)]) -> Vec<String> {
    flows
        .iter()
        .flat_map(|(_, flow)| {
            flow.unrunnable.iter().map(|unrunnable| {
                format!(
                    "{}: {unrunnable}; a call that reaches it ends there with an application error",
                    flow.path.display()
                )
            })
        })
        .collect()
}

/// The flow SID of the flow answering `number`: stable across runs.
pub fn flow_sid(number: &str) -> String {
    let digest = Sha1::digest(format!("studio flow of {number}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("FW{}", &hex[..32])
}

impl StudioRuntime {
    /// Serves `flows` on `base_url`; `account_sid` names the flows' owner in their URLs.
    pub fn new(
        flows: Vec<(String, LoadedFlow)>,
        base_url: &str,
        account_sid: &str,
        services: Services,
    ) -> StudioRuntime {
        StudioRuntime {
            flows: flows
                .into_iter()
                .map(|(number, flow)| (flow_sid(&number), Served { number, flow }))
                .collect(),
            base_url: base_url.to_string(),
            account_sid: account_sid.to_string(),
            services,
            executions: Mutex::new(HashMap::new()),
        }
    }

    fn webhook(&self, flow_sid: &str) -> String {
        format!(
            "{}/v1/Accounts/{}/Flows/{flow_sid}",
            self.base_url, self.account_sid
        )
    }

    /// Each flow's number, file and webhook URL (the number's voice URL).
    pub fn webhooks(&self) -> Vec<(String, std::path::PathBuf, String)> {
        let mut all: Vec<_> = self
            .flows
            .iter()
            .map(|(sid, served)| {
                (
                    served.number.clone(),
                    served.flow.path.clone(),
                    self.webhook(sid),
                )
            })
            .collect();
        all.sort();
        all
    }

    /// Drops the executions of a leg whose call has ended; their records end too.
    pub fn forget(&self, call_sid: &str) {
        self.lock().retain(|(_, call), _| call != call_sid);
        let store = &self.services.store;
        let now = self.services.clock.now();
        for record in store.executions(|e| {
            e.status == "active" && e.context["trigger"]["call"]["CallSid"] == call_sid
        }) {
            store.end_execution(&record.sid, now);
        }
    }

    /// Every flow served: its SID, its number and the flow, by SID.
    pub fn flows(&self) -> Vec<(&str, &str, &LoadedFlow)> {
        let mut all: Vec<_> = self
            .flows
            .iter()
            .map(|(sid, served)| (sid.as_str(), served.number.as_str(), &served.flow))
            .collect();
        all.sort_by_key(|(sid, _, _)| *sid);
        all
    }

    /// The account that owns the flows.
    pub fn account_sid(&self) -> &str {
        &self.account_sid
    }

    /// The flow's webhook URL (its numbers' voice URL).
    pub fn webhook_url(&self, flow_sid: &str) -> String {
        self.webhook(flow_sid)
    }

    /// How many executions are under way.
    pub fn executions(&self) -> usize {
        self.lock().len()
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<ExecutionKey, Arc<tokio::sync::Mutex<Execution>>>> {
        self.executions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The flows' webhook routes.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/v1/Accounts/{account_sid}/Flows/{flow_sid}", any(webhook))
            .with_state(self)
    }

    /// Answers one webhook request of a call.
    async fn answer(&self, flow_sid: &str, query: Vec<(String, String)>, body: &[u8]) -> Response {
        let Some(served) = self.flows.get(flow_sid) else {
            return (axum::http::StatusCode::NOT_FOUND, "no such flow").into_response();
        };
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut params = query.clone();
        params.extend(form);
        let param = |key: &str| {
            params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let call_sid = param("CallSid").unwrap_or_default();
        let event = param("FlowEvent");
        let key = (flow_sid.to_string(), call_sid);
        let webhook = self.webhook(flow_sid);
        let request = Request {
            flow: &served.flow,
            webhook: &webhook,
            services: &self.services,
        };
        let existing = self.lock().get(&key).cloned();
        let twiml = match (existing, event.as_deref()) {
            (Some(execution), event) => {
                let mut execution = execution.lock().await;
                let event = match event {
                    Some(event) => event.to_string(),
                    // A redirect back without `FlowEvent`: Studio resumes the waiting widget.
                    None => "return".to_string(),
                };
                request
                    .resume(&mut execution, &event, &params, &query)
                    .await
            }
            (None, None) => {
                let started = Execution::start(flow_sid, &params);
                let now = self.services.clock.now();
                self.services.store.insert_execution(ExecutionRecord {
                    sid: started.sid.clone(),
                    flow_sid: flow_sid.to_string(),
                    account_sid: self.account_sid.clone(),
                    contact_channel_address: started.call_param("From"),
                    status: "active".to_string(),
                    date_created: now,
                    date_updated: now,
                    context: started.context.clone(),
                    steps: Vec::new(),
                });
                let execution = Arc::new(tokio::sync::Mutex::new(started));
                self.lock().insert(key.clone(), execution.clone());
                let mut execution = execution.lock().await;
                request.start(&mut execution).await
            }
            (None, Some(event)) => {
                self.services.log.event(&format!(
                    "{} studio: `{event}` for no execution under way; hanging up",
                    key.1
                ));
                hang_up()
            }
        };
        self.finish(&key).await;
        ([("Content-Type", "application/xml")], twiml.to_xml()).into_response()
    }

    /// Drops an execution that has ended.
    async fn finish(&self, key: &ExecutionKey) {
        let execution = self.lock().get(key).cloned();
        if let Some(execution) = execution {
            let execution = execution.lock().await;
            if execution.current.is_none() {
                self.services
                    .store
                    .end_execution(&execution.sid, self.services.clock.now());
                self.lock().remove(key);
            }
        }
    }
}

async fn webhook(
    State(runtime): State<Arc<StudioRuntime>>,
    Path((_account_sid, flow_sid)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    runtime.answer(&flow_sid, query, &body).await
}
