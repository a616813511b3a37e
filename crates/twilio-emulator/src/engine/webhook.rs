//! Requests the emulator makes as Twilio would: TwiML fetches and status callbacks, form-encoded
//! (or in the query for GET), signed with `X-Twilio-Signature`, within Twilio's time budget.

use std::time::Duration;

use crate::log::EventLog;
use twilio_wire::sid::new_sid;
use twilio_wire::signature;
use twilio_wire::twiml::{self, HttpMethod, Response};

/// Why a TwiML request failed, with Twilio's debugger code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    /// 11200: a non-2xx answer.
    #[error("HTTP {status} from {url}")]
    Status {
        /// The URL requested.
        url: String,
        /// The status answered.
        status: u16,
    },
    /// 11205: connected, but no complete answer within the budget.
    #[error("no answer from {url} within {budget_ms} ms")]
    Timeout {
        /// The URL requested.
        url: String,
        /// The budget.
        budget_ms: u128,
    },
    /// 11205: no connection (refused, unknown host, TLS failure), after Twilio's retries.
    #[error("cannot connect to {url} ({reason})")]
    Unreachable {
        /// The URL requested.
        url: String,
        /// What the HTTP client said.
        reason: String,
    },
    /// 11100: the URL is not usable.
    #[error("invalid URL {url}")]
    InvalidUrl {
        /// The URL.
        url: String,
    },
    /// 12100: the body is not a valid TwiML document.
    #[error("invalid TwiML from {url}: {reason}")]
    Document {
        /// The URL requested.
        url: String,
        /// The parse error.
        reason: String,
    },
}

impl FetchError {
    /// Twilio's error code for the debugger and `ErrorCode` of fallback requests.
    pub fn code(&self) -> u32 {
        match self {
            FetchError::Status { .. } => 11200,
            FetchError::Timeout { .. } | FetchError::Unreachable { .. } => 11205,
            FetchError::InvalidUrl { .. } => 11100,
            FetchError::Document { .. } => 12100,
        }
    }
}

/// Sends signed Twilio-style requests.
#[derive(Debug, Clone)]
pub struct WebhookClient {
    http: reqwest::Client,
    budget: Duration,
    log: EventLog,
}

impl WebhookClient {
    /// A client whose requests get `budget` in all (Twilio: 15 s including connecting).
    pub fn new(budget: Duration, log: EventLog) -> WebhookClient {
        let http = reqwest::Client::builder()
            .user_agent("TwilioProxy/1.1")
            .redirect(reqwest::redirect::Policy::limited(10))
            .build()
            .unwrap_or_default();
        WebhookClient { http, budget, log }
    }

    /// Requests `url` with Twilio's parameters, signed with `auth_token`; returns the body.
    pub async fn send(
        &self,
        url: &str,
        method: HttpMethod,
        params: &[(String, String)],
        auth_token: &str,
    ) -> Result<String, FetchError> {
        // A URL fragment never goes over HTTP (it carries Twilio's connection overrides).
        let retries = connect_retries(url);
        let url = url.split('#').next().unwrap_or(url).to_string();
        let mut parsed =
            url::Url::parse(&url).map_err(|_| FetchError::InvalidUrl { url: url.clone() })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::InvalidUrl { url });
        }
        let request = match method {
            HttpMethod::Get => {
                parsed.query_pairs_mut().extend_pairs(params.iter());
                let signed_url = parsed.to_string();
                let signature = signature::compute(auth_token, &signed_url, &[]);
                self.http
                    .get(parsed)
                    .header("X-Twilio-Signature", signature)
            }
            HttpMethod::Post => {
                let signed_url = parsed.to_string();
                let signature = signature::compute(auth_token, &signed_url, params);
                let body = serde_urlencoded::to_string(params).unwrap_or_default();
                self.http
                    .post(parsed)
                    .header("X-Twilio-Signature", signature)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body)
            }
        };
        let request = request
            .header("I-Twilio-Idempotency-Token", new_sid("ID"))
            .header("Accept", "*/*")
            .timeout(self.budget);
        // Twilio retries a request it could not connect for (`rc`, default 1): a web server
        // restarting between two webhooks costs a moment, not the call.
        let started = std::time::Instant::now();
        let mut attempt = 0;
        let response = loop {
            let Some(this) = request.try_clone() else {
                break request.send().await;
            };
            match this.send().await {
                Err(e) if e.is_connect() && attempt < retries => {
                    attempt += 1;
                    self.log
                        .detail(&format!("webhook {url}: cannot connect, retry {attempt}"));
                    tokio::time::sleep(CONNECT_RETRY_PAUSE).await;
                }
                sent => break sent,
            }
        };
        let failed = |e: reqwest::Error| {
            if e.is_timeout() {
                FetchError::Timeout {
                    url: url.clone(),
                    budget_ms: self.budget.as_millis(),
                }
            } else {
                FetchError::Unreachable {
                    url: url.clone(),
                    reason: error_chain(&e),
                }
            }
        };
        let response = response.map_err(failed)?;
        let status = response.status();
        // Timed until the whole body is in: that is when Twilio can act on it.
        let body = response.text().await.map_err(failed);
        self.log.detail(&format!(
            "webhook {} {url} -> {} in {} ms",
            if method == HttpMethod::Get {
                "GET"
            } else {
                "POST"
            },
            status.as_u16(),
            started.elapsed().as_millis()
        ));
        if !status.is_success() {
            return Err(FetchError::Status {
                url,
                status: status.as_u16(),
            });
        }
        body
    }

    /// Requests a TwiML document and parses it.
    pub async fn fetch_twiml(
        &self,
        url: &str,
        method: HttpMethod,
        params: &[(String, String)],
        auth_token: &str,
    ) -> Result<Response, FetchError> {
        let body = self.send(url, method, params, auth_token).await?;
        twiml::parse(&body).map_err(|e| FetchError::Document {
            url: url.to_string(),
            reason: e.to_string(),
        })
    }
}
/// An HTTP client error with its causes ("error sending request" alone says nothing).
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// How long Twilio waits before retrying a request it could not connect for (not documented; a
/// short pause).
const CONNECT_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(300);

/// The connection override `rc` (retry count, 0 to 5) of a URL's fragment; Twilio's default is 1.
fn connect_retries(url: &str) -> u32 {
    url.split_once('#')
        .map(|(_, fragment)| fragment)
        .and_then(|fragment| {
            fragment
                .split('&')
                .find_map(|pair| pair.strip_prefix("rc="))
                .and_then(|n| n.parse::<u32>().ok())
        })
        .map_or(1, |n| n.min(5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_retries_follow_the_rc_override() {
        assert_eq!(connect_retries("https://h/p"), 1);
        assert_eq!(connect_retries("https://h/p#ct=2000&rc=3"), 3);
        assert_eq!(connect_retries("https://h/p#rc=0"), 0);
        assert_eq!(connect_retries("https://h/p#rc=9"), 5);
    }

    /// A client whose verbose log lines are kept.
    fn logged_client(
        budget: Duration,
    ) -> (WebhookClient, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = lines.clone();
        let log = EventLog::new(true, move |l| sink.lock().unwrap().push(l.to_string()));
        (WebhookClient::new(budget, log), lines)
    }

    #[tokio::test]
    async fn the_log_times_a_webhook_from_its_request_to_its_whole_answer() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/slow", listener.local_addr().unwrap());
        let app = axum::Router::new().route(
            "/slow",
            axum::routing::post(|| async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                "<Response/>"
            }),
        );
        let server = twilio_wire::serve::Serving::start(listener, app);
        let (client, lines) = logged_client(Duration::from_secs(15));
        client
            .send(&url, HttpMethod::Post, &[], "token")
            .await
            .unwrap();
        server.stop().await;
        let line = lines.lock().unwrap().last().cloned().unwrap();
        let ms: u64 = line
            .rsplit_once(" in ")
            .and_then(|(_, t)| t.strip_suffix(" ms"))
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| panic!("{line}"));
        // The answer cannot have come before the server's pause ended.
        assert!(ms >= 300, "{line}");
    }

    #[tokio::test]
    async fn a_refused_connection_is_told_apart_from_a_timeout() {
        // A port that was free a moment ago: nothing listens there now.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/voice#rc=0", listener.local_addr().unwrap());
        drop(listener);
        let (client, _) = logged_client(Duration::from_secs(15));
        let error = client
            .send(&url, HttpMethod::Post, &[], "token")
            .await
            .unwrap_err();
        assert_eq!(error.code(), 11205);
        let text = error.to_string();
        assert!(
            text.starts_with("cannot connect to http://127.0.0.1:"),
            "{text}"
        );
        assert!(!text.contains("within"), "{text}");
        assert!(text.to_lowercase().contains("refused"), "{text}");
    }
}
