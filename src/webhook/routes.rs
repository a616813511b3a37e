//! The HTTP routes Twilio calls during a test call: `start` (answered), `next` (a `<Gather>`
//! result), `partial` (interim results) and `status` (status callbacks), under the inbound
//! endpoint. Every request must carry a valid `X-Twilio-Signature` for the public URL (403
//! otherwise); bodies are size-limited. Route names, URLs and the signature check are the turn
//! protocol's ([`crate::turn::signed`]), shared with the proxy.

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use crate::config::Secret;
use crate::turn::answer::CallerVoice;
use crate::turn::signed::{
    callback_url, next_event, partial_event, read_signed, start_event, status_event, Refusal,
    SignedWebhook, BODY_LIMIT, NEXT, PARTIAL, START, STATUS,
};
use crate::turn::{Action, CallEvent, Sessions, Turn};

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
    /// Whether callback URLs carry the listening `<Gather>` (`g=`): the Function relay answers
    /// Twilio by itself and repeats that `<Gather>` (`docs/relay-protocol.md`).
    pub gather_in_urls: bool,
}

impl WebhookState {
    /// The URL Twilio must call for `route` of session `id`.
    pub fn callback_url(&self, route: &str, id: &str) -> String {
        self.callback_url_expecting(route, id, &self.voice.hints)
    }

    /// [`WebhookState::callback_url`], its `<Gather>` (when URLs carry it) expecting `hints`.
    fn callback_url_expecting(&self, route: &str, id: &str, hints: &[String]) -> String {
        let gather = self
            .gather_in_urls
            .then(|| format!("g={}", self.voice.listening_spec(hints)));
        let params = [self.public_url_params.as_deref(), gather.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("&");
        callback_url(
            &self.public_url,
            route,
            id,
            Some(params.as_str()).filter(|p| !p.is_empty()),
        )
    }

    /// The TwiML that gives `actions` to session `id`'s call outside a webhook's reply (the
    /// live-call update): the actions, then a listening `<Gather>` whose results reach the
    /// session, as a webhook's reply would be. Hints are dropped when they would push the
    /// document past Twilio's limit on inline TwiML.
    pub fn live_twiml(&self, id: &str, actions: &[Action], hints: Vec<String>) -> String {
        let render = |hints: Vec<String>| {
            let next_url = self.callback_url_expecting(NEXT, id, &hints);
            let partial_url = self.callback_url_expecting(PARTIAL, id, &[]);
            let turn = Turn {
                actions: actions.to_vec(),
                hints,
            };
            self.voice
                .answer_turn(&turn, &next_url, Some(&partial_url))
                .to_xml()
        };
        let twiml = render(hints);
        if twiml.chars().count() <= MAX_TWIML_CHARS {
            return twiml;
        }
        render(Vec::new())
    }
}

/// Twilio's limit on inline `Twiml`.
const MAX_TWIML_CHARS: usize = 4000;

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

/// A signed webhook: extracting one verifies the signature with the run's token (403
/// otherwise).
struct Webhook(SignedWebhook);

impl axum::extract::FromRequest<WebhookState> for Webhook {
    type Rejection = Refusal;

    async fn from_request(
        request: axum::extract::Request,
        state: &WebhookState,
    ) -> Result<Self, Self::Rejection> {
        read_signed(request, &state.public_url, &state.endpoint, |_| {
            Some(&state.auth_token)
        })
        .await
        .map(Webhook)
        .map_err(|(refusal, _)| refusal)
    }
}

async fn turn(state: &WebhookState, Webhook(hook): Webhook, event: CallEvent) -> Response {
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
    let event = start_event(&hook.0.params);
    turn(&state, hook, event).await
}

async fn next(State(state): State<WebhookState>, hook: Webhook) -> Response {
    let event = next_event(&hook.0.params);
    turn(&state, hook, event).await
}

/// Interim results need no answer (Twilio ignores it); they only inform the session.
async fn partial(State(state): State<WebhookState>, Webhook(hook): Webhook) -> Response {
    if let Some(event) = partial_event(&hook.params) {
        state.sessions.deliver(&hook.session, event);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn status(State(state): State<WebhookState>, Webhook(hook): Webhook) -> Response {
    state
        .sessions
        .deliver(&hook.session, status_event(&hook.params));
    StatusCode::NO_CONTENT.into_response()
}
