//! A round-robin HTTP load balancer for tests: each request goes to the next backend in turn
//! (path, query, body and the `X-Twilio-Signature` and `Content-Type` headers kept), so the
//! webhooks of one call alternate between proxies.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Clone)]
struct Backends {
    urls: Arc<Vec<String>>,
    next: Arc<AtomicUsize>,
    served: Arc<Vec<AtomicUsize>>,
    client: reqwest::Client,
}

/// A running balancer.
pub struct Balancer {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    backends: Backends,
    server: tokio::task::JoinHandle<()>,
}

impl Balancer {
    /// Starts a balancer in front of `backends` (base URLs without a trailing slash).
    pub async fn start(backends: Vec<String>) -> Balancer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let served = backends.iter().map(|_| AtomicUsize::new(0)).collect();
        let state = Backends {
            urls: Arc::new(backends),
            next: Arc::new(AtomicUsize::new(0)),
            served: Arc::new(served),
            client: reqwest::Client::new(),
        };
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Balancer {
            base_url,
            backends: state,
            server,
        }
    }

    /// How many requests each backend answered.
    pub fn served(&self) -> Vec<usize> {
        self.backends
            .served
            .iter()
            .map(|n| n.load(Ordering::SeqCst))
            .collect()
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn forward(
    State(backends): State<Backends>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let turn = backends.next.fetch_add(1, Ordering::SeqCst) % backends.urls.len();
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = backends
        .client
        .request(method, format!("{}{path}", backends.urls[turn]))
        .body(body);
    for name in ["X-Twilio-Signature", "Content-Type"] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value);
        }
    }
    match request.send().await {
        Ok(response) => {
            backends.served[turn].fetch_add(1, Ordering::SeqCst);
            let status =
                StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let content_type = response
                .headers()
                .get("Content-Type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("text/plain")
                .to_string();
            let body = response.bytes().await.unwrap_or_default();
            (status, [("Content-Type", content_type)], body).into_response()
        }
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}
