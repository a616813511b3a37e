//! The webhook routes of the proxy: the in-process webhook's `start`, `next`, `status` and
//! `partial` (same paths, same signature check, same TwiML through [`CallerVoice::answer`]),
//! bridged to the runners through Redis. Each request logs one line.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::config::Accounts;
use super::log::{Outcome, ProxyLog};
use super::redis::RedisLink;
use super::turn::{decision, deliver, Delivery};
use crate::relay::message::{decode_carry, encode_carry};
use crate::turn::answer::CallerVoice;
use crate::turn::signed::{
    callback_url, form_param, next_event, partial_event, query_param, read_signed, start_event,
    status_event, Refusal, SignedWebhook, NEXT, PARTIAL,
};
use crate::turn::{Action, CallEvent};

/// What the routes share.
#[derive(Clone)]
pub struct ProxyState {
    /// Redis.
    pub link: RedisLink,
    /// The tokens webhooks are signed with, by account.
    pub accounts: Arc<Accounts>,
    /// The public base URL Twilio calls (ends with `/`).
    pub public_url: String,
    /// The local path the routes are mounted under (starts and ends with `/`).
    pub endpoint: String,
    /// How long `start`/`next` wait for a decision.
    pub hold: Duration,
    /// The voice of a `<Gather>` when the session's is unknown (Redis down).
    pub default_voice: CallerVoice,
    /// One line per webhook.
    pub log: ProxyLog,
}

/// The four webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The call was answered.
    Start,
    /// A `<Gather>` result.
    Next,
    /// A status callback.
    Status,
    /// An interim speech result.
    Partial,
}

impl Route {
    fn name(self) -> &'static str {
        match self {
            Route::Start => "start",
            Route::Next => "next",
            Route::Status => "status",
            Route::Partial => "partial",
        }
    }
}

/// Serves one webhook and logs it.
pub async fn webhook(state: ProxyState, route: Route, request: Request) -> Response {
    let started = Instant::now();
    let (outcome, response, session, call_sid) = match verify(&state, request).await {
        Err((outcome, response, session)) => (outcome, response, session, String::new()),
        Ok(hook) => {
            let call_sid = form_param(&hook.params, "CallSid")
                .unwrap_or("")
                .to_string();
            let (outcome, response) = match route {
                Route::Start | Route::Next => {
                    let deadline = tokio::time::Instant::from_std(started) + state.hold;
                    turn(&state, route, &hook, deadline).await
                }
                Route::Status | Route::Partial => report(&state, route, &hook).await,
            };
            (outcome, response, hook.session, call_sid)
        }
    };
    state.log.webhook(
        route.name(),
        &session,
        &call_sid,
        outcome,
        started.elapsed(),
    );
    response
}

/// Checks `X-Twilio-Signature` with the token of the webhook's `AccountSid`, against the
/// public URL Twilio called.
async fn verify(
    state: &ProxyState,
    request: Request,
) -> Result<SignedWebhook, (Outcome, Response, String)> {
    read_signed(request, &state.public_url, &state.endpoint, |account| {
        state.accounts.token(account)
    })
    .await
    .map_err(|(refusal, session)| {
        let outcome = match refusal {
            Refusal::TooLarge => Outcome::TooLarge,
            Refusal::Forbidden => Outcome::Forbidden,
        };
        (outcome, refusal.into_response(), session)
    })
}

/// The events of a webhook: those its URL carries (an outage), then its own.
fn events(hook: &SignedWebhook, own: Option<CallEvent>) -> Vec<CallEvent> {
    let mut events = query_param(&hook.uri, "carry")
        .map(|carry| decode_carry(&carry))
        .unwrap_or_default();
    events.extend(own);
    events
}

fn twiml(response: twilio_wire::twiml::Response) -> Response {
    ([("Content-Type", "application/xml")], response.to_xml()).into_response()
}

/// `start` and `next`: deliver, then answer with the runner's decisions (or listen).
async fn turn(
    state: &ProxyState,
    route: Route,
    hook: &SignedWebhook,
    deadline: tokio::time::Instant,
) -> (Outcome, Response) {
    let own = match route {
        Route::Start => start_event(&hook.params),
        _ => next_event(&hook.params),
    };
    let events = events(hook, Some(own));
    // Registered before delivery: a decision published right after the event is not missed.
    let waiter = state.link.waiters.register(&hook.session);
    let record = match deliver(&state.link, &hook.session, &hook.account, &events).await {
        Delivery::Delivered(record) => record,
        // A call no runner owns (it died, or the test is over): end it, it costs money.
        Delivery::Unknown => {
            let hang_up = state.default_voice.answer(&[Action::HangUp], "", None);
            return (Outcome::Unknown, twiml(hang_up));
        }
        Delivery::Foreign => {
            return (
                Outcome::ForeignAccount,
                StatusCode::FORBIDDEN.into_response(),
            )
        }
        Delivery::Failed(_) => return (Outcome::Carried, carry(state, hook, &events)),
    };
    let params = record.url_params.as_deref();
    let next_url = callback_url(&state.public_url, NEXT, &hook.session, params);
    let partial_url = callback_url(&state.public_url, PARTIAL, &hook.session, params);
    let (outcome, turn) = match decision(&state.link, &hook.session, &waiter, deadline).await {
        Ok((turn, true)) => (Outcome::Decided, turn),
        Ok((turn, false)) => (Outcome::Held, turn),
        Err(_) => (Outcome::ListenAfterError, Default::default()),
    };
    let answer = record
        .voice
        .answer_turn(&turn, &next_url, Some(&partial_url));
    (outcome, twiml(answer))
}

/// Redis is unreachable: keep the call alive with a listening `<Gather>` whose action URL
/// carries the undelivered events; Twilio signs that URL when it calls it, so they cannot be
/// forged, and the next webhook delivers them first. The `<Gather>` asks for no interim
/// results: they would reach the runner before the carried events.
fn carry(state: &ProxyState, hook: &SignedWebhook, events: &[CallEvent]) -> Response {
    let mut query: Vec<&str> = hook
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("carry="))
        .collect();
    let carried = format!("carry={}", encode_carry(events));
    query.push(&carried);
    let next_url = format!("{}{NEXT}?{}", state.public_url, query.join("&"));
    twiml(state.default_voice.answer(&[], &next_url, None))
}

/// `status` and `partial`: deliver and answer 204; 503 when Redis is unreachable (the event
/// cannot be carried: nothing answers these with a URL).
async fn report(state: &ProxyState, route: Route, hook: &SignedWebhook) -> (Outcome, Response) {
    let own = match route {
        Route::Status => Some(status_event(&hook.params)),
        _ => partial_event(&hook.params),
    };
    let events = events(hook, own);
    if events.is_empty() {
        return (Outcome::Delivered, StatusCode::NO_CONTENT.into_response());
    }
    match deliver(&state.link, &hook.session, &hook.account, &events).await {
        Delivery::Delivered(_) => (Outcome::Delivered, StatusCode::NO_CONTENT.into_response()),
        Delivery::Unknown => (Outcome::Unknown, StatusCode::NO_CONTENT.into_response()),
        Delivery::Foreign => (
            Outcome::ForeignAccount,
            StatusCode::FORBIDDEN.into_response(),
        ),
        Delivery::Failed(_) => (
            Outcome::Unavailable,
            StatusCode::SERVICE_UNAVAILABLE.into_response(),
        ),
    }
}
