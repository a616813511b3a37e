//! Deployed Functions answering HTTP, as on an Environment's domain: a request to
//! `{base}/functions/{domain_name}{path}` (the emulator's stand-in for
//! `https://{domain_name}{path}`) runs the Function Version at `path` of the Build the
//! Environment has deployed, under node (see `node.rs`).
//!
//! | case | answer |
//! |---|---|
//! | no Environment with that domain, nothing deployed, no Version at the path | 404 |
//! | a `private` Version | 404 (only other Functions may call it) |
//! | a `protected` Version without a valid `X-Twilio-Signature` for the account | 401 |
//! | node missing | 500 naming node |
//! | no callback within the execution limit (10 s emulated) | 504 |
//! | `process.exit`, or the deployment's node worker crashed | 500 |
//!
//! `event` holds the query string's parameters, then the form or JSON body's (a repeated name
//! becomes an array), and `request.headers`. `context` holds the Environment's Variables,
//! `ACCOUNT_SID`, `AUTH_TOKEN` (when the Service has `include_credentials`), `DOMAIN_NAME`,
//! `PATH`, `SERVICE_SID`, `ENVIRONMENT_SID`, and, only on the emulator, `TWILIO_API_BASE` (the
//! emulator's base URL, where the Function sends its REST requests instead of twilio.com) and
//! `TWILIO_FUNCTIONS_BASE` (this Environment's base URL, instead of `https://{DOMAIN_NAME}`).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use twilio_wire::client::FUNCTIONS_PREFIX;
use twilio_wire::signature;

use crate::rest::params::Params;
use crate::rest::recordings::origin;

use super::node::{Deployment, InvokeError};
use super::store::{FunctionVersion, Service, Visibility};
use super::ServerlessState;

/// Where Functions answer: `/functions/{domain_name}{path}`.
pub fn route() -> String {
    format!("{FUNCTIONS_PREFIX}/{{domain}}/{{*path}}")
}

/// How long Twilio lets a Function run before it stops it.
const EXECUTION_LIMIT: Duration = Duration::from_secs(10);

/// What one invocation runs: the Version and where it is deployed.
struct Deployed {
    service: Service,
    environment_sid: String,
    build_sid: String,
    domain_name: String,
    version: FunctionVersion,
    variables: Vec<(String, String)>,
}

/// Runs the Function deployed at `domain` and `path`.
pub async fn handle(
    State(state): State<ServerlessState>,
    Path((domain, path)): Path<(String, String)>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/{path}");
    let Some(deployed) = deployed(&state, &domain, &path) else {
        return plain(
            StatusCode::NOT_FOUND,
            format!("No Function is deployed at {domain}{path}"),
        );
    };
    let form = if is_form(&headers) && method == Method::POST {
        match Params::decode(&body) {
            Ok(params) => params.0,
            Err(e) => return plain(StatusCode::BAD_REQUEST, e.envelope.message),
        }
    } else {
        Vec::new()
    };
    match deployed.version.visibility {
        Visibility::Private => {
            return plain(
                StatusCode::NOT_FOUND,
                format!("{path} is a private Function"),
            );
        }
        Visibility::Protected => {
            let url = format!("{}{uri}", origin(&headers));
            if !signed(&state, &deployed.service, &url, &form, &headers) {
                return plain(
                    StatusCode::UNAUTHORIZED,
                    format!("{path} is protected: a valid X-Twilio-Signature is required"),
                );
            }
        }
        Visibility::Public => {}
    }
    let event = match event(&uri, &headers, &form, &body) {
        Ok(event) => event,
        Err(why) => return plain(StatusCode::BAD_REQUEST, why),
    };
    state.clock.sleep(state.config.latencies.function()).await;
    let input = json!({
        "code": deployed.version.content,
        "filename": format!("{}.js", deployed.version.path.trim_start_matches('/')),
        "context": context(&state, &deployed, &headers),
        "variables": Map::from_iter(
            deployed.variables.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        ),
        "event": event,
    });
    let deployment = Deployment {
        environment_sid: &deployed.environment_sid,
        build_sid: &deployed.build_sid,
    };
    match state
        .store
        .node()
        .invoke(&deployment, &input, state.clock.wall(EXECUTION_LIMIT))
        .await
    {
        Ok(answer) => {
            let status = StatusCode::from_u16(answer.status_code).unwrap_or(StatusCode::OK);
            let mut response = (status, answer.body).into_response();
            for (name, value) in &answer.headers {
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string);
                if let (Ok(name), Ok(value)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(&text),
                ) {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
        Err(error @ InvokeError::TimedOut(_)) => {
            plain(StatusCode::GATEWAY_TIMEOUT, error.to_string())
        }
        Err(error) => plain(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()),
    }
}

/// The Version at `path` of the Build deployed on the Environment whose domain is `domain`.
fn deployed(state: &ServerlessState, domain: &str, path: &str) -> Option<Deployed> {
    state.store.with(|data| {
        let environment = data.environments.iter().find(|e| e.domain_name == domain)?;
        let build_sid = environment.build_sid.as_deref()?;
        let build = data.builds.iter().find(|b| b.sid == build_sid)?;
        let version = build.function_versions.iter().find(|v| v.path == path)?;
        let service = data
            .services
            .iter()
            .find(|s| s.sid == environment.service_sid)?;
        let variables = data
            .variables
            .iter()
            .filter(|v| v.environment_sid == environment.sid)
            .map(|v| (v.key.clone(), v.value.clone()))
            .collect();
        Some(Deployed {
            service: service.clone(),
            environment_sid: environment.sid.clone(),
            build_sid: build.sid.clone(),
            domain_name: environment.domain_name.clone(),
            version: version.clone(),
            variables,
        })
    })
}

/// Whether the request carries the account's signature of `url` and the form parameters.
fn signed(
    state: &ServerlessState,
    service: &Service,
    url: &str,
    form: &[(String, String)],
    headers: &HeaderMap,
) -> bool {
    let Some(given) = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    state
        .config
        .accounts
        .iter()
        .find(|a| a.sid == service.account_sid)
        .is_some_and(|account| signature::validate(account.auth_token.expose(), url, form, given))
}

fn is_form(headers: &HeaderMap) -> bool {
    content_type(headers).starts_with("application/x-www-form-urlencoded")
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// `event`: query parameters, then the form or JSON body's, then `request.headers`.
fn event(
    uri: &Uri,
    headers: &HeaderMap,
    form: &[(String, String)],
    body: &[u8],
) -> Result<Value, String> {
    let query = Params::decode(uri.query().unwrap_or_default().as_bytes())
        .map_err(|e| e.envelope.message)?;
    let mut event = Map::new();
    for (name, value) in query.0.iter().chain(form) {
        let value = Value::from(value.as_str());
        match event.get_mut(name) {
            Some(Value::Array(values)) => values.push(value),
            Some(first) => *first = Value::Array(vec![first.clone(), value]),
            None => {
                event.insert(name.clone(), value);
            }
        }
    }
    if content_type(headers).starts_with("application/json") && !body.is_empty() {
        match serde_json::from_slice(body) {
            Ok(Value::Object(fields)) => event.extend(fields),
            Ok(_) => return Err("a JSON body must be an object".into()),
            Err(e) => return Err(format!("the JSON body does not parse: {e}")),
        }
    }
    let request_headers: Map<String, Value> = headers
        .iter()
        .filter_map(|(name, value)| Some((name.to_string(), Value::from(value.to_str().ok()?))))
        .collect();
    event.insert(
        "request".into(),
        json!({"headers": request_headers, "cookies": {}}),
    );
    Ok(Value::Object(event))
}

/// `context`: the Variables, then what Twilio sets, then the emulator's bases.
fn context(state: &ServerlessState, deployed: &Deployed, headers: &HeaderMap) -> Value {
    let mut context: Map<String, Value> = deployed
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    let base = origin(headers);
    let service = &deployed.service;
    context.insert("ACCOUNT_SID".into(), service.account_sid.as_str().into());
    if service.include_credentials {
        let account = state
            .config
            .accounts
            .iter()
            .find(|a| a.sid == service.account_sid);
        if let Some(account) = account {
            context.insert("AUTH_TOKEN".into(), account.auth_token.expose().into());
        }
    }
    context.insert("DOMAIN_NAME".into(), deployed.domain_name.as_str().into());
    context.insert("PATH".into(), deployed.version.path.as_str().into());
    context.insert("SERVICE_SID".into(), service.sid.as_str().into());
    context.insert(
        "ENVIRONMENT_SID".into(),
        deployed.environment_sid.as_str().into(),
    );
    context.insert("TWILIO_API_BASE".into(), base.as_str().into());
    context.insert(
        "TWILIO_FUNCTIONS_BASE".into(),
        format!("{base}{FUNCTIONS_PREFIX}/{}", deployed.domain_name).into(),
    );
    Value::Object(context)
}

fn plain(status: StatusCode, message: String) -> Response {
    (status, message).into_response()
}
