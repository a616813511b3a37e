//! A small TwiML application for tests: routes that answer TwiML, recording every request (path,
//! parameters, whether its `X-Twilio-Signature` was valid) so tests can assert on what the
//! emulator sent, in order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use twilio_wire::signature;

/// One request the application received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The full URL requested.
    pub url: String,
    /// The `X-Twilio-Signature` header as sent.
    pub signature: String,
    /// Path without the query.
    pub path: String,
    /// Form (POST) or query (GET) parameters.
    pub params: Vec<(String, String)>,
    /// Whether the signature matched the URL and parameters.
    pub signed: bool,
    /// The HTTP method.
    pub method: String,
    /// The body as text (a JSON body has no form parameters).
    pub body: String,
}

impl Received {
    /// A parameter's value, or "".
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

type Handler = Arc<dyn Fn(&Received) -> Reply + Send + Sync>;

/// What a route answers.
pub enum Reply {
    /// 200 with TwiML.
    Twiml(String),
    /// Another status, empty body.
    Status(u16),
    /// Waits, then answers TwiML (for webhook time budgets).
    Slow(Duration, String),
    /// 200 with a JSON body.
    Json(String),
}

#[derive(Clone)]
struct AppState {
    token: String,
    routes: Arc<HashMap<String, Handler>>,
    received: Arc<Mutex<Vec<Received>>>,
    base: Arc<Mutex<String>>,
}

/// A running application.
pub struct TwimlApp {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    received: Arc<Mutex<Vec<Received>>>,
    server: tokio::task::JoinHandle<()>,
}

/// Builds an application route by route.
pub struct TwimlAppBuilder {
    token: String,
    routes: HashMap<String, Handler>,
}

impl TwimlAppBuilder {
    /// An app that checks signatures with `token`.
    pub fn new(token: &str) -> TwimlAppBuilder {
        TwimlAppBuilder {
            token: token.to_string(),
            routes: HashMap::new(),
        }
    }

    /// Answers `path` with a fixed TwiML document.
    pub fn twiml(self, path: &str, xml: &str) -> TwimlAppBuilder {
        let xml = xml.to_string();
        self.route(path, move |_| Reply::Twiml(xml.clone()))
    }

    /// Answers `path` with what `handler` makes of the request.
    pub fn route(
        mut self,
        path: &str,
        handler: impl Fn(&Received) -> Reply + Send + Sync + 'static,
    ) -> TwimlAppBuilder {
        self.routes.insert(path.to_string(), Arc::new(handler));
        self
    }

    /// Starts the application on a free loopback port.
    pub async fn start(self) -> TwimlApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = AppState {
            token: self.token,
            routes: Arc::new(self.routes),
            received: Arc::default(),
            base: Arc::new(Mutex::new(base_url.clone())),
        };
        let received = state.received.clone();
        let app = axum::Router::new().fallback(handle).with_state(state);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TwimlApp {
            base_url,
            received,
            server,
        }
    }
}

async fn handle(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let base = state.base.lock().expect("lock").clone();
    let url = format!("{base}{uri}");
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let given = headers
        .get("X-Twilio-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let signed_params = if method == Method::POST {
        form.clone()
    } else {
        Vec::new()
    };
    let signed = signature::validate(&state.token, &url, &signed_params, given);
    let params = if method == Method::POST { form } else { query };
    let received = Received {
        url: url.clone(),
        signature: given.to_string(),
        path: uri.path().to_string(),
        params,
        signed,
        method: method.to_string(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    state.received.lock().expect("lock").push(received.clone());
    let Some(handler) = state.routes.get(uri.path()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match handler(&received) {
        Reply::Twiml(xml) => ([("Content-Type", "application/xml")], xml).into_response(),
        Reply::Status(code) => StatusCode::from_u16(code)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
        Reply::Json(json) => ([("Content-Type", "application/json")], json).into_response(),
        Reply::Slow(delay, xml) => {
            tokio::time::sleep(delay).await;
            ([("Content-Type", "application/xml")], xml).into_response()
        }
    }
}

impl TwimlApp {
    /// A URL on this application.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Every request so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// The requests to one path.
    pub fn received_at(&self, path: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// Waits (bounded) until `done` holds for the requests received.
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        for _ in 0..500 {
            let received = self.received();
            if done(&received) {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "timed out waiting for {what}; received: {:#?}",
            self.received()
        );
    }
}

impl Drop for TwimlApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}
