//! Twilio's webhooks as every transport receives them: the route names and callback URLs the
//! runner gives Twilio, the signed-request check, and the [`CallEvent`] each webhook reports.
//! The in-process webhook and the Redis proxy both read requests through [`read_signed`], so a
//! request one accepts the other accepts too.

use axum::extract::{OriginalUri, Request};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::protocol::CallEvent;
use crate::config::Secret;
use twilio_wire::signature;

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

/// The URL Twilio must call for `route` of session `id` under `public_url` (ends with `/`),
/// with the encoded `params` added. Every transport writes the same URLs.
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
pub fn signed_url(public_url: &str, endpoint: &str, uri: &Uri) -> String {
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
pub fn query_param(uri: &Uri, name: &str) -> Option<String> {
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

/// A webhook whose `X-Twilio-Signature` was verified.
#[derive(Debug)]
pub struct SignedWebhook {
    /// The form parameters.
    pub params: Vec<(String, String)>,
    /// The session's correlation id (`cs` in the URL), empty when missing.
    pub session: String,
    /// `AccountSid`.
    pub account: String,
    /// The URL Twilio called (its query may carry more, such as the proxy's carried events).
    pub uri: Uri,
}

/// Why a webhook was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The body exceeds [`BODY_LIMIT`].
    TooLarge,
    /// No token for its account, or the signature does not match.
    Forbidden,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "webhook body too large"),
            Refusal::Forbidden => (StatusCode::FORBIDDEN, "invalid X-Twilio-Signature"),
        }
        .into_response()
    }
}

/// Reads `request` and checks its signature, with the auth token `token_of` gives for its
/// `AccountSid`, against the public URL Twilio called. A refusal comes with the session's
/// correlation id, for the log.
pub async fn read_signed<'a>(
    request: Request,
    public_url: &str,
    endpoint: &str,
    token_of: impl Fn(&str) -> Option<&'a Secret>,
) -> Result<SignedWebhook, (Refusal, String)> {
    let (parts, body) = request.into_parts();
    // Routes may be nested: the signed URL is the one Twilio called.
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or_else(|| parts.uri.clone(), |original| original.0.clone());
    let session = query_param(&uri, "cs").unwrap_or_default();
    let Ok(body) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return Err((Refusal::TooLarge, session));
    };
    let params: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let account = form_param(&params, "AccountSid").unwrap_or("").to_string();
    let given = parts
        .headers
        .get("X-Twilio-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let url = signed_url(public_url, endpoint, &uri);
    match token_of(&account) {
        Some(token) if signature::validate(token.expose(), &url, &params, given) => {
            Ok(SignedWebhook {
                params,
                session,
                account,
                uri,
            })
        }
        _ => Err((Refusal::Forbidden, session)),
    }
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
