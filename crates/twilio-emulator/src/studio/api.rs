//! Studio v2 over REST, the part a coverage tool reads: the flows (with their definitions) and
//! every execution with its context and steps, at `/studio/v2/...` (the path prefix that stands
//! for `studio.twilio.com`), with Twilio's JSON, paging and errors. Read only: flows come from
//! the emulator's configuration, executions from the calls that ran them.
//!
//! ```text
//! /studio/v2/Flows[/{FW}]                                            the flows
//! /studio/v2/Flows/{FW}/Executions[/{FN}[/Context]]                  executions (DateCreatedFrom/To, status)
//! /studio/v2/Flows/{FW}/Executions/{FN}/Steps[/{FT}[/Context]]       steps, oldest first
//! ```

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use twilio_wire::client::Product;
use twilio_wire::time::iso8601;

use super::load::LoadedFlow;
use super::records::{ExecutionRecord, StepRecord};
use super::runtime::StudioRuntime;
use crate::rest::error::ApiError;
use crate::rest::paging::{v1_page_json, PageRequest};
use crate::rest::v1::{ok, V1Request, V1State};
use crate::store::Store;

/// What the Studio handlers read: the flows served and the records of their executions.
#[derive(Clone)]
pub(crate) struct StudioRecords {
    /// The flows.
    pub runtime: Arc<StudioRuntime>,
    /// The executions.
    pub store: Store,
}

/// What the Studio handlers share.
pub(crate) type StudioState = V1State<StudioRecords>;

/// The Studio API as an axum router without a fallback (merge it next to the others).
pub(crate) fn router(state: StudioState) -> Router {
    let path = format!("{}/v2/{{*path}}", Product::Studio.path_prefix());
    Router::new().route(&path, any(handle)).with_state(state)
}

async fn handle(
    State(state): State<StudioState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(&state, method, &uri, headers, &body).unwrap_or_else(IntoResponse::into_response)
}

fn serve(
    state: &StudioState,
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let request = V1Request::versioned(
        &state.config,
        &state.keys,
        (Product::Studio, "v2"),
        method,
        uri,
        headers,
    )?
    .read_params(uri, body)?;
    if request.method != Method::GET {
        return Err(ApiError::method_not_allowed());
    }
    let segments = request.segments();
    let path: Vec<&str> = segments.iter().map(String::as_str).collect();
    let r = &request;
    let records = &state.store;
    match path.as_slice() {
        ["Flows"] => list_flows(state, r),
        ["Flows", flow] => Ok(ok(flow_json(r, state.find_flow(r, flow)?))),
        ["Flows", flow, "Executions"] => {
            let (sid, _) = state.find_flow(r, flow)?;
            list_executions(records, r, sid)
        }
        ["Flows", flow, "Executions", execution] => {
            let execution = state.find_execution(r, flow, execution)?;
            Ok(ok(execution_json(r, &execution)))
        }
        ["Flows", flow, "Executions", execution, "Context"] => {
            let e = state.find_execution(r, flow, execution)?;
            Ok(ok(json!({
                "account_sid": e.account_sid,
                "context": e.context,
                "flow_sid": e.flow_sid,
                "execution_sid": e.sid,
                "url": r.url(&format!("/Flows/{}/Executions/{}/Context", e.flow_sid, e.sid)),
            })))
        }
        ["Flows", flow, "Executions", execution, "Steps"] => {
            let e = state.find_execution(r, flow, execution)?;
            let paging = PageRequest::from_params(&r.params)?;
            let url = r.url(&format!("/Flows/{}/Executions/{}/Steps", e.flow_sid, e.sid));
            Ok(ok(v1_page_json(
                &e.steps,
                |s| s.sid.clone(),
                |s| step_json(r, &e, s),
                &paging,
                &url,
                &[],
                "steps",
            )))
        }
        ["Flows", flow, "Executions", execution, "Steps", step] => {
            let (e, s) = state.find_step(r, flow, execution, step)?;
            Ok(ok(step_json(r, &e, &s)))
        }
        ["Flows", flow, "Executions", execution, "Steps", step, "Context"] => {
            let (e, s) = state.find_step(r, flow, execution, step)?;
            Ok(ok(json!({
                "account_sid": e.account_sid,
                "context": s.context,
                "execution_sid": e.sid,
                "flow_sid": e.flow_sid,
                "step_sid": s.sid,
                "url": r.url(&format!(
                    "/Flows/{}/Executions/{}/Steps/{}/Context",
                    e.flow_sid, e.sid, s.sid
                )),
            })))
        }
        _ => Err(r.not_found()),
    }
}

impl StudioState {
    fn find_flow<'a>(
        &'a self,
        r: &V1Request,
        sid: &str,
    ) -> Result<(&'a str, &'a LoadedFlow), ApiError> {
        self.store
            .runtime
            .flows()
            .into_iter()
            .find(|(flow_sid, _, _)| *flow_sid == sid)
            .filter(|_| self.store.runtime.account_sid() == r.account_sid)
            .map(|(sid, _, flow)| (sid, flow))
            .ok_or_else(|| r.not_found())
    }

    fn find_execution(
        &self,
        r: &V1Request,
        flow: &str,
        sid: &str,
    ) -> Result<ExecutionRecord, ApiError> {
        let (flow, _) = self.find_flow(r, flow)?;
        self.store
            .store
            .executions(|e| e.sid == sid && e.flow_sid == flow)
            .pop()
            .ok_or_else(|| r.not_found())
    }

    fn find_step(
        &self,
        r: &V1Request,
        flow: &str,
        execution: &str,
        sid: &str,
    ) -> Result<(ExecutionRecord, StepRecord), ApiError> {
        let execution = self.find_execution(r, flow, execution)?;
        let step = execution
            .steps
            .iter()
            .find(|s| s.sid == sid)
            .cloned()
            .ok_or_else(|| r.not_found())?;
        Ok((execution, step))
    }
}

fn list_flows(state: &StudioState, r: &V1Request) -> Result<Response, ApiError> {
    let paging = PageRequest::from_params(&r.params)?;
    let flows: Vec<(&str, &LoadedFlow)> = if state.store.runtime.account_sid() == r.account_sid {
        state
            .store
            .runtime
            .flows()
            .into_iter()
            .map(|(sid, _, flow)| (sid, flow))
            .collect()
    } else {
        Vec::new()
    };
    Ok(ok(v1_page_json(
        &flows,
        |(sid, _)| sid.to_string(),
        |flow| {
            let mut json = flow_json(r, *flow);
            // Twilio's list leaves the definition out; fetch a flow to read it.
            json["definition"] = Value::Null;
            json
        },
        &paging,
        &r.url("/Flows"),
        &[],
        "flows",
    )))
}

/// The flow's name: its file's stem (`acme-energy` of `acme-energy.flow.json`).
pub fn flow_name(flow: &LoadedFlow) -> String {
    let file = flow
        .path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    file.strip_suffix(".flow.json")
        .or_else(|| file.strip_suffix(".json"))
        .unwrap_or(&file)
        .to_string()
}

fn flow_json(r: &V1Request, (sid, flow): (&str, &LoadedFlow)) -> Value {
    let url = r.url(&format!("/Flows/{sid}"));
    json!({
        "sid": sid,
        "account_sid": r.account_sid,
        "author_sid": null,
        "friendly_name": flow_name(flow),
        "definition": flow.definition,
        "status": "published",
        "revision": 1,
        "commit_message": null,
        "valid": true,
        "errors": [],
        "warnings": [],
        "date_created": "2026-01-01T00:00:00Z",
        "date_updated": null,
        "webhook_url": webhook_url(r, sid),
        "url": url,
        "links": {
            "test_users": format!("{url}/TestUsers"),
            "revisions": format!("{url}/Revisions"),
            "executions": format!("{url}/Executions"),
        },
    })
}

/// The flow's webhook on the origin the client addressed (`webhooks.twilio.com`'s path).
fn webhook_url(r: &V1Request, sid: &str) -> String {
    let studio = r.url("");
    let origin = studio
        .strip_suffix(&format!("{}/v2", Product::Studio.path_prefix()))
        .unwrap_or(&studio);
    format!("{origin}/v1/Accounts/{}/Flows/{sid}", r.account_sid)
}

fn list_executions(store: &StudioRecords, r: &V1Request, flow: &str) -> Result<Response, ApiError> {
    let paging = PageRequest::from_params(&r.params)?;
    let bound = |name: &str| -> Result<Option<DateTime<Utc>>, ApiError> {
        r.params
            .get(name)
            .map(|text| {
                DateTime::parse_from_rfc3339(text.trim())
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| {
                        ApiError::invalid_parameter(format!(
                            "{name} must be an ISO 8601 date and time: {text}"
                        ))
                    })
            })
            .transpose()
    };
    let from = bound("DateCreatedFrom")?;
    let to = bound("DateCreatedTo")?;
    // Twilio's description spells this filter `status`; `Status` is read too.
    let status = r
        .params
        .get("status")
        .or_else(|| r.params.get("Status"))
        .map(str::to_string);
    // Newest first, as Twilio lists executions.
    let mut executions = store.store.executions(|e| {
        e.flow_sid == flow
            && from.is_none_or(|from| e.date_created >= from)
            && to.is_none_or(|to| e.date_created <= to)
            && status.as_ref().is_none_or(|s| &e.status == s)
    });
    executions.reverse();
    let mut filters = Vec::new();
    for name in ["DateCreatedFrom", "DateCreatedTo", "status", "Status"] {
        if let Some(value) = r.params.get(name) {
            filters.push((name.to_string(), value.to_string()));
        }
    }
    Ok(ok(v1_page_json(
        &executions,
        |e| e.sid.clone(),
        |e| execution_json(r, e),
        &paging,
        &r.url(&format!("/Flows/{flow}/Executions")),
        &filters,
        "executions",
    )))
}

fn execution_json(r: &V1Request, e: &ExecutionRecord) -> Value {
    let url = r.url(&format!("/Flows/{}/Executions/{}", e.flow_sid, e.sid));
    json!({
        "sid": e.sid,
        "account_sid": e.account_sid,
        "flow_sid": e.flow_sid,
        "contact_channel_address": e.contact_channel_address,
        "contact_sid": null,
        "flow_version": 1,
        "context": e.context,
        "status": e.status,
        "date_created": iso8601(e.date_created),
        "date_updated": iso8601(e.date_updated),
        "initiated_by": e.context["trigger"]["call"]["CallSid"],
        "url": url,
        "links": {
            "steps": format!("{url}/Steps"),
            "execution_context": format!("{url}/Context"),
        },
    })
}

fn step_json(r: &V1Request, e: &ExecutionRecord, s: &StepRecord) -> Value {
    let url = r.url(&format!(
        "/Flows/{}/Executions/{}/Steps/{}",
        e.flow_sid, e.sid, s.sid
    ));
    json!({
        "sid": s.sid,
        "account_sid": e.account_sid,
        "flow_sid": e.flow_sid,
        "execution_sid": e.sid,
        "parent_step_sid": null,
        "name": s.name,
        "context": s.context,
        "transitioned_from": s.transitioned_from,
        "transitioned_to": s.transitioned_to,
        "type": null,
        "date_created": iso8601(s.date_created),
        "date_updated": null,
        "url": url,
        "links": {"step_context": format!("{url}/Context")},
    })
}
