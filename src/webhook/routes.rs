//! The HTTP routes Twilio calls during a test call: `start` (answered), `next` (a `<Gather>`
//! result) and `status` (status callbacks), under the inbound endpoint. Every request must carry
//! a valid `X-Twilio-Signature` for the public URL (403 otherwise); bodies are size-limited.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, OriginalUri, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::answer::CallerVoice;
use super::turns::{Action, CallEvent, Sessions};
use crate::config::Secret;
use crate::twilio::signature;

/// Webhook bodies are small forms; anything larger is not Twilio.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The route names, after the endpoint base.
pub const START: &str = "twilio-ivr/start";
/// The `<Gather>` action route.
pub const NEXT: &str = "twilio-ivr/next";
/// The status callback route.
pub const STATUS: &str = "twilio-ivr/status";
/// The route of interim speech results (`partialResultCallback`).
pub const PARTIAL: &str = "twilio-ivr/partial";

/// What the routes need.
#[derive(Clone)]
pub struct WebhookState {
    /// The live sessions.
    pub sessions: Sessions,
    /// The auth token webhooks are signed with.
    pub auth_token: Secret,
    /// The public base URL Twilio calls (ends with `/`).
    pub public_url: String,
    /// The local path the routes are mounted under (starts and ends with `/`).
    pub endpoint: String,
    /// `TWILIO_IVR_PUBLICURLPARAMS`, encoded, added to every callback URL.
    pub public_url_params: Option<String>,
    /// How long a webhook waits for the step engine.
    pub hold: Duration,
    /// How the runner speaks and listens.
    pub voice: CallerVoice,
}

impl WebhookState {
    /// The URL Twilio must call for `route` of session `id`.
    pub fn callback_url(&self, route: &str, id: &str) -> String {
        callback_url(
            &self.public_url,
            route,
            id,
            self.public_url_params.as_deref(),
        )
    }
}

/// The URL Twilio must call for `route` of session `id` under `public_url` (ends with `/`),
/// with the encoded `params` added. The proxy writes the same URLs as the in-process webhook.
pub fn callback_url(public_url: &str, route: &str, id: &str, params: Option<&str>) -> String {
    let mut url = format!("{public_url}{route}?cs={id}");
    if let Some(params) = params {
        url.push('&');
        url.push_str(params);
    }
    url
}

/// The public URL Twilio called (and signed) for a request to `uri`, when the routes are
/// mounted under `endpoint` locally and reached as `public_url` from outside.
pub fn signed_url(public_url: &str, endpoint: &str, uri: &axum::http::Uri) -> String {
    let path = uri.path();
    let relative = path.strip_prefix(endpoint).unwrap_or(path);
    let mut public = format!("{public_url}{relative}");
    if let Some(query) = uri.query() {
        public.push('?');
        public.push_str(query);
    }
    public
}

/// The first value of query parameter `name` (decoded).
pub fn query_param(uri: &axum::http::Uri, name: &str) -> Option<String> {
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    query.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// The first value of form parameter `name`.
pub fn form_param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The event of a `start` webhook.
pub fn start_event(params: &[(String, String)]) -> CallEvent {
    CallEvent::Answered {
        call_sid: form_param(params, "CallSid").unwrap_or("").to_string(),
    }
}

/// The event of a `next` webhook (a `<Gather>` result): what was heard, or silence.
pub fn next_event(params: &[(String, String)]) -> CallEvent {
    match form_param(params, "SpeechResult").filter(|s| !s.trim().is_empty()) {
        Some(text) => CallEvent::Heard {
            text: text.to_string(),
            confidence: form_param(params, "Confidence").and_then(|c| c.parse().ok()),
        },
        None => CallEvent::Silence,
    }
}

/// The event of a `partial` webhook; `None` when the interim result is empty.
pub fn partial_event(params: &[(String, String)]) -> Option<CallEvent> {
    form_param(params, "UnstableSpeechResult")
        .filter(|t| !t.trim().is_empty())
        .map(|text| CallEvent::Partial {
            text: text.to_string(),
        })
}

/// The event of a `status` webhook.
pub fn status_event(params: &[(String, String)]) -> CallEvent {
    CallEvent::Status {
        status: form_param(params, "CallStatus").unwrap_or("").to_string(),
        params: params.to_vec(),
    }
}

/// The routes, mounted under `state.endpoint`.
pub fn router(state: WebhookState) -> Router {
    let base = state.endpoint.clone();
    Router::new()
        .route(&format!("{base}{START}"), post(start))
        .route(&format!("{base}{NEXT}"), post(next))
        .route(&format!("{base}{STATUS}"), post(status))
        .route(&format!("{base}{PARTIAL}"), post(partial))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// A signed, parsed webhook request: extracting one verifies the signature (403 otherwise).
struct Webhook {
    params: Vec<(String, String)>,
    session: String,
}

impl axum::extract::FromRequest<WebhookState> for Webhook {
    type Rejection = (StatusCode, &'static str);

    async fn from_request(
        request: axum::extract::Request,
        state: &WebhookState,
    ) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        // Routes may be nested: the signed URL is the one Twilio called.
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |original| original.0.clone());
        let body = axum::body::to_bytes(body, BODY_LIMIT)
            .await
            .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "webhook body too large"))?;
        verify(state, &uri, &parts.headers, &body)
            .map_err(|status| (status, "invalid X-Twilio-Signature"))
    }
}

/// Checks the signature against the public URL Twilio called; finds the correlation id.
fn verify(
    state: &WebhookState,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Webhook, StatusCode> {
    let public = signed_url(&state.public_url, &state.endpoint, uri);
    let params: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let given = headers
        .get("X-Twilio-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !signature::validate(state.auth_token.expose(), &public, &params, given) {
        return Err(StatusCode::FORBIDDEN);
    }
    let session = query_param(uri, "cs").unwrap_or_default();
    Ok(Webhook { params, session })
}

async fn turn(state: &WebhookState, hook: Webhook, event: CallEvent) -> Response {
    let next_url = state.callback_url(NEXT, &hook.session);
    let partial_url = state.callback_url(PARTIAL, &hook.session);
    let twiml = match state.sessions.turn(&hook.session, event, state.hold).await {
        Some(turn) => state
            .voice
            .answer_turn(&turn, &next_url, Some(&partial_url)),
        // A call no session owns (a runner that died, a stale test): end it, it costs money.
        None => state.voice.answer(&[Action::HangUp], &next_url, None),
    };
    ([("Content-Type", "application/xml")], twiml.to_xml()).into_response()
}

async fn start(State(state): State<WebhookState>, hook: Webhook) -> Response {
    let event = start_event(&hook.params);
    turn(&state, hook, event).await
}

async fn next(State(state): State<WebhookState>, hook: Webhook) -> Response {
    let event = next_event(&hook.params);
    turn(&state, hook, event).await
}

/// Interim results need no answer (Twilio ignores it); they only inform the session.
async fn partial(State(state): State<WebhookState>, hook: Webhook) -> Response {
    if let Some(event) = partial_event(&hook.params) {
        state.sessions.deliver(&hook.session, event);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn status(State(state): State<WebhookState>, hook: Webhook) -> Response {
    state
        .sessions
        .deliver(&hook.session, status_event(&hook.params));
    StatusCode::NO_CONTENT.into_response()
}
