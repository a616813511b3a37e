//! Starting and stopping the proxy on a listener the caller provides (tests bind
//! `127.0.0.1:0`; `proxy start` binds the port it was given).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use twilio_wire::serve::Serving;

use super::config::ProxyConfig;
use super::log::ProxyLog;
use super::redis::RedisLink;
use super::routes::{webhook, ProxyState, Route};
use crate::config::TwilioCaps;
use crate::relay::keys::Keys;
use crate::turn::answer::CallerVoice;
use crate::turn::signed::{NEXT, PARTIAL, START, STATUS};

/// A running proxy.
pub struct RunningProxy {
    /// `http://<host>:<port>`: where it listens.
    pub local_url: String,
    link: RedisLink,
    /// `None` once stopped.
    server: Option<Serving>,
    subscriber: tokio::task::JoinHandle<()>,
}

/// Why the proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listener has no local address.
    #[error("cannot read the listening address: {0}")]
    Address(#[from] std::io::Error),
    /// The Redis URL cannot be used (the message never holds the URL).
    #[error("the Redis URL cannot be used: {0}")]
    Redis(String),
}

/// The routes: the four webhooks under `endpoint`, and `GET /health`.
pub fn router(state: ProxyState) -> Router {
    let base = state.endpoint.clone();
    let route = |route: Route| {
        post(move |State(state): State<ProxyState>, request: Request| {
            webhook(state, route, request)
        })
    };
    Router::new()
        .route(&format!("{base}{START}"), route(Route::Start))
        .route(&format!("{base}{NEXT}"), route(Route::Next))
        .route(&format!("{base}{STATUS}"), route(Route::Status))
        .route(&format!("{base}{PARTIAL}"), route(Route::Partial))
        .route("/health", get(health))
        .with_state(state)
}

/// Always 200 while serving, so a load balancer keeps sending webhooks during a Redis outage
/// (the proxy keeps calls alive then); the body says whether Redis answers.
async fn health(State(state): State<ProxyState>) -> Response {
    let redis = if state.link.ping().await {
        "up"
    } else {
        "down"
    };
    axum::Json(serde_json::json!({
        "status": "ok",
        "redis": redis,
        "waiting": state.link.waiters.len(),
    }))
    .into_response()
}

/// Serves the proxy on `listener` until [`RunningProxy::stop`].
pub async fn start(
    listener: TcpListener,
    config: &ProxyConfig,
    log: ProxyLog,
) -> Result<RunningProxy, StartError> {
    let address = listener.local_addr()?;
    let keys = Keys::new(&config.topic_base);
    let (link, subscriber) = RedisLink::open(config.redis_url.expose(), keys, log.clone())
        .map_err(|e| StartError::Redis(e.category().to_string()))?;
    let state = ProxyState {
        link: link.clone(),
        accounts: Arc::new(config.accounts.clone()),
        public_url: config.public_url.clone(),
        endpoint: config.endpoint.clone(),
        hold: config.hold,
        default_voice: CallerVoice::from_caps(&TwilioCaps::default()),
        log,
    };
    let app = router(state);
    let server = Serving::start(listener, app);
    Ok(RunningProxy {
        local_url: format!("http://{address}"),
        link,
        server: Some(server),
        subscriber,
    })
}

impl RunningProxy {
    /// Whether Redis answers now.
    pub async fn redis_up(&self) -> bool {
        self.link.ping().await
    }

    /// Stops accepting, answers the webhooks that wait (each takes a last look at its
    /// decisions), and waits for the server to finish.
    pub async fn stop(mut self) {
        self.link.waiters.close();
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        self.subscriber.abort();
    }
}

impl Drop for RunningProxy {
    fn drop(&mut self) {
        self.link.waiters.close();
        // The server, dropped with this, shuts down by itself.
        self.subscriber.abort();
    }
}
