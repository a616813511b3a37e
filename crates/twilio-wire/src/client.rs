//! The runner's thin Twilio REST client: place, fetch, hang up and redirect calls, and list
//! the SMS a test expects (`twilio.md` §1, §2, §8). It works against Twilio, the emulator and
//! Twilio-compatible providers whose API lives under a path prefix (SignalWire's
//! `https://<space>.signalwire.com/api/laml`, §10).
//!
//! Like Twilio's own clients it sends HTTP Basic auth, `Accept: application/json`,
//! form-encoded bodies with repeated keys for lists, uses a 30 s timeout and retries only
//! 429 (never processed by Twilio, so always safe to repeat, even a create). Every error
//! names the request (method and URL) and never contains the auth token.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use base64::Engine;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::explain::explain;
use crate::secret::{Redactor, Secret};

mod base;
mod requests;
mod resources;
#[cfg(test)]
mod tests;

pub use base::{ApiBase, Product};
pub use requests::{CreateCall, MessageFilter};
pub use resources::{is_final_status, CallResource, MessageResource};
use resources::{CallPage, MessagePage, WireError};

/// Twilio's API host, the default base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";
/// Per request, as Twilio's clients do.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Retries after a 429 (so at most 4 requests), as Twilio's clients' `autoRetry`.
const MAX_RETRIES: u32 = 3;
/// The first wait after a 429; doubled per retry.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// The longest wait between retries.
const MAX_BACKOFF: Duration = Duration::from_millis(3000);
/// Pages `list_messages` follows when the filter sets no bound.
pub const DEFAULT_MAX_PAGES: u32 = 20;
/// How much of an unexpected response body an error quotes.
const SNIPPET_CHARS: usize = 200;

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// Twilio answered with its error envelope.
    #[error("{}", twilio_display(*.status, *.code, .message, *.explanation))]
    Twilio {
        /// The HTTP status.
        status: u16,
        /// Twilio's error code, e.g. 21215.
        code: u32,
        /// Twilio's message.
        message: String,
        /// What to do about it (see [`explain`]).
        explanation: Option<&'static str>,
    },
    /// The request did not get a Twilio answer: network failure, timeout, or an error status
    /// without Twilio's envelope (a proxy's 502). Names the method and URL.
    #[error("{0}")]
    Http(String),
    /// The answer was not what Twilio sends (not JSON, missing fields, a paging loop).
    #[error("{0}")]
    InvalidResponse(String),
    /// An argument cannot make a request: a malformed base URL, an empty SID.
    #[error("{0}")]
    InvalidArgument(String),
}

impl ClientError {
    /// Twilio's error code, for a [`ClientError::Twilio`].
    pub fn code(&self) -> Option<u32> {
        match self {
            ClientError::Twilio { code, .. } => Some(*code),
            _ => None,
        }
    }
}

fn twilio_display(
    status: u16,
    code: u32,
    message: &str,
    explanation: Option<&'static str>,
) -> String {
    let mut text = format!("Twilio error {code} (HTTP {status}): {message}");
    if let Some(fix) = explanation {
        // A space before the period keeps a URL at the end of the message clickable.
        let stop = if message.ends_with('.') { "" } else { " ." };
        text.push_str(&format!("{stop} Fix: {fix}"));
    }
    text
}

/// What [`TwilioClient::hang_up`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HangUp {
    /// The call was in progress; Twilio accepted `Status=completed`.
    HungUp,
    /// The call was queued or ringing; Twilio accepted `Status=canceled`.
    Canceled,
    /// The call had already ended (or Twilio said 21220 "not in progress").
    AlreadyEnded,
}

/// A Twilio REST client for one account. Cheap to clone (one connection pool).
#[derive(Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    base: ApiBase,
    account_sid: String,
    auth_token: Secret,
    /// Hides the token, raw or inside the Basic credential, in text an error shows.
    redactor: Redactor,
}

impl fmt::Debug for TwilioClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioClient")
            .field("base_url", &self.base.url.as_str())
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"<redacted>")
            .finish()
    }
}

impl TwilioClient {
    /// A client for `account_sid` at `base_url` ([`DEFAULT_BASE_URL`] for Twilio; a path
    /// prefix such as `/api/laml` is kept). The SID's format is not checked: compatible
    /// providers use UUIDs.
    pub fn new(
        base_url: &str,
        account_sid: &str,
        auth_token: &Secret,
    ) -> Result<TwilioClient, ClientError> {
        let base = ApiBase::parse(base_url)?;
        let account_sid = account_sid.trim();
        if account_sid.is_empty() || account_sid.contains(':') {
            return Err(ClientError::InvalidArgument(format!(
                "invalid account SID {account_sid:?}: set TWILIO_IVR_ACCOUNT_SID (AC...)"
            )));
        }
        if auth_token.expose().is_empty() {
            return Err(ClientError::InvalidArgument(
                "the auth token is empty: set TWILIO_IVR_AUTH_TOKEN".to_string(),
            ));
        }
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("ivr-test/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .build()
            .map_err(|e| ClientError::Http(format!("cannot build the HTTP client: {e}")))?;
        let token = auth_token.expose();
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{account_sid}:{token}"));
        Ok(TwilioClient {
            http,
            base,
            account_sid: account_sid.to_string(),
            auth_token: auth_token.clone(),
            redactor: Redactor::new([basic, token.to_string()]),
        })
    }

    /// The account the client acts for.
    pub fn account_sid(&self) -> &str {
        &self.account_sid
    }

    /// Places a call (`POST Calls.json`); Twilio answers with the call `queued`.
    pub async fn create_call(&self, call: &CreateCall) -> Result<CallResource, ClientError> {
        let url = self.base.account_url(&self.account_sid, &["Calls.json"]);
        let (mut call, date): (CallResource, _) = self
            .request_dated(Method::POST, url, Some(&call.form()))
            .await?;
        call.response_date = date;
        Ok(call)
    }

    /// The call `sid` as Twilio holds it now (eventually consistent: status callbacks are
    /// the real-time source).
    pub async fn fetch_call(&self, sid: &str) -> Result<CallResource, ClientError> {
        let url = self.call_url(sid)?;
        let (mut call, date): (CallResource, _) =
            self.request_dated(Method::GET, url, None).await?;
        call.response_date = date;
        Ok(call)
    }

    /// Ends the call `sid` whatever its state: `Status=canceled` while it is queued or
    /// ringing, `Status=completed` once answered; a call that already ended (or a 21220 "not
    /// in progress" because it ended meanwhile) is [`HangUp::AlreadyEnded`], not an error.
    pub async fn hang_up(&self, sid: &str) -> Result<HangUp, ClientError> {
        let call = self.fetch_call(sid).await?;
        if call.has_ended() {
            return Ok(HangUp::AlreadyEnded);
        }
        if call.is_pending() {
            let after = match self
                .update_call(sid, &[("Status", "canceled".into())])
                .await
            {
                Ok(after) => after,
                Err(e) if e.code() == Some(21220) => return Ok(HangUp::AlreadyEnded),
                Err(e) => return Err(e),
            };
            // Answered between the fetch and the cancel: Twilio ignores `canceled` for an
            // answered call, so hang it up instead of leaving it running.
            if after.is_pending() || after.has_ended() {
                return Ok(HangUp::Canceled);
            }
        }
        match self
            .update_call(sid, &[("Status", "completed".into())])
            .await
        {
            Ok(_) => Ok(HangUp::HungUp),
            Err(e) if e.code() == Some(21220) => Ok(HangUp::AlreadyEnded),
            Err(e) => Err(e),
        }
    }

    /// Makes the live call `sid` continue with the TwiML at `url` (POST), interrupting what
    /// it is doing.
    pub async fn redirect(&self, sid: &str, url: &str) -> Result<CallResource, ClientError> {
        let form = [("Url", url.to_string()), ("Method", "POST".to_string())];
        self.update_call(sid, &form).await
    }

    /// Makes the live call `sid` continue with the inline `twiml` at once, interrupting what it
    /// is doing (a `<Gather>` ends without requesting its `action`). Twilio takes at most 4,000
    /// characters.
    pub async fn update_twiml(&self, sid: &str, twiml: &str) -> Result<CallResource, ClientError> {
        self.update_call(sid, &[("Twiml", twiml.to_string())]).await
    }

    /// Every message matching `filter`, following `next_page_uri` until it is null, at most
    /// `filter.max_pages` pages.
    pub async fn list_messages(
        &self,
        filter: &MessageFilter,
    ) -> Result<Vec<MessageResource>, ClientError> {
        let max_pages = filter.max_pages.unwrap_or(DEFAULT_MAX_PAGES).max(1);
        let mut url = self.base.account_url(&self.account_sid, &["Messages.json"]);
        let query = filter.query()?;
        url.set_query((!query.is_empty()).then_some(query.as_str()));
        let mut seen = HashSet::new();
        let mut messages = Vec::new();
        for _ in 0..max_pages {
            seen.insert(url.to_string());
            let page: MessagePage = self.request(Method::GET, url.clone(), None).await?;
            messages.extend(page.messages);
            let Some(next) = page.next_page_uri.filter(|uri| !uri.is_empty()) else {
                return Ok(messages);
            };
            url = self
                .base
                .join(&next)
                .map_err(|why| ClientError::InvalidResponse(format!("GET {url}: {why}")))?;
            if seen.contains(url.as_str()) {
                return Err(ClientError::InvalidResponse(format!(
                    "GET Messages.json: paging loops back to {url}"
                )));
            }
        }
        Err(ClientError::InvalidResponse(format!(
            "GET Messages.json: more than {max_pages} pages of messages; narrow the filter \
             (To, From, DateSent>) or raise the page bound"
        )))
    }

    /// The first page (up to 50, newest first) of the calls matching `query`, such as
    /// `ParentCallSid` (the legs a call's `<Dial>` placed) or `To`/`From`.
    pub async fn list_calls(
        &self,
        query: &[(&str, String)],
    ) -> Result<Vec<CallResource>, ClientError> {
        let mut url = self.base.account_url(&self.account_sid, &["Calls.json"]);
        let mut pairs: Vec<(&str, String)> = query.to_vec();
        pairs.push(("PageSize", "50".to_string()));
        let encoded = serde_urlencoded::to_string(&pairs)
            .map_err(|e| ClientError::InvalidArgument(format!("cannot encode the query: {e}")))?;
        url.set_query(Some(&encoded));
        let page: CallPage = self.request(Method::GET, url, None).await?;
        Ok(page.calls)
    }

    fn call_url(&self, sid: &str) -> Result<Url, ClientError> {
        let sid = sid.trim();
        if sid.is_empty() {
            return Err(ClientError::InvalidArgument("empty call SID".to_string()));
        }
        Ok(self
            .base
            .account_url(&self.account_sid, &["Calls", &format!("{sid}.json")]))
    }

    async fn update_call(
        &self,
        sid: &str,
        form: &[(&'static str, String)],
    ) -> Result<CallResource, ClientError> {
        let url = self.call_url(sid)?;
        self.request(Method::POST, url, Some(form)).await
    }

    /// Sends one request (retrying 429s) and decodes Twilio's JSON answer or error envelope.
    async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        form: Option<&[(&'static str, String)]>,
    ) -> Result<T, ClientError> {
        self.request_dated(method, url, form)
            .await
            .map(|(value, _)| value)
    }

    /// As [`request`](Self::request), with the answer's HTTP `Date` (Twilio's clock), if it
    /// had a readable one.
    async fn request_dated<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        form: Option<&[(&'static str, String)]>,
    ) -> Result<(T, Option<chrono::DateTime<chrono::Utc>>), ClientError> {
        let body = form
            .map(serde_urlencoded::to_string)
            .transpose()
            .map_err(|e| ClientError::InvalidArgument(format!("cannot encode the form: {e}")))?;
        let mut attempt = 0;
        let (status, date, bytes) = loop {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .basic_auth(&self.account_sid, Some(self.auth_token.expose()));
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body.clone());
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let date = response
                        .headers()
                        .get(reqwest::header::DATE)
                        .and_then(|v| v.to_str().ok())
                        .and_then(crate::time::parse_rfc2822);
                    response.bytes().await.map(|bytes| (status, date, bytes))
                }
                Err(e) => Err(e),
            };
            let (status, date, bytes) = outcome.map_err(|e| self.http_error(&method, &url, &e))?;
            if status == StatusCode::TOO_MANY_REQUESTS && attempt < MAX_RETRIES {
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
                continue;
            }
            break (status, date, bytes);
        };
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map(|value| (value, date))
                .map_err(|e| {
                    ClientError::InvalidResponse(format!(
                        "{method} {url}: HTTP {}: unexpected JSON ({e}): {}",
                        status.as_u16(),
                        self.snippet(&bytes)
                    ))
                });
        }
        Err(self.status_error(&method, &url, status, &bytes))
    }

    /// The error for a non-2xx answer: Twilio's envelope when there is one.
    fn status_error(
        &self,
        method: &Method,
        url: &Url,
        status: StatusCode,
        body: &[u8],
    ) -> ClientError {
        let envelope: WireError = serde_json::from_slice(body).unwrap_or_default();
        let code = match envelope.code.and_then(|c| u32::try_from(c).ok()) {
            Some(code) => Some(code),
            // Twilio's own code for it; a proxy's bare 429 means the same thing.
            None if status == StatusCode::TOO_MANY_REQUESTS => Some(20429),
            None => None,
        };
        match code {
            Some(code) => ClientError::Twilio {
                status: status.as_u16(),
                code,
                message: self.redact(
                    &envelope
                        .message
                        .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_string()),
                ),
                explanation: explain(code),
            },
            None => ClientError::Http(format!(
                "{method} {url}: HTTP {status} without a Twilio error body: {}",
                self.snippet(body)
            )),
        }
    }

    /// Describes a transport failure with the URL and the causes, never the credentials.
    fn http_error(&self, method: &Method, url: &Url, error: &reqwest::Error) -> ClientError {
        let what = if error.is_timeout() {
            format!("no answer within {} s", REQUEST_TIMEOUT.as_secs())
        } else {
            let mut causes = Vec::new();
            let mut source: Option<&dyn std::error::Error> = Some(error);
            while let Some(cause) = source {
                let text = cause.to_string();
                if !causes.contains(&text) {
                    causes.push(text);
                }
                source = cause.source();
            }
            causes.join(": ")
        };
        ClientError::Http(self.redact(&format!("{method} {url} failed: {what}")))
    }

    /// Up to [`SNIPPET_CHARS`] of a body, on one line, credentials removed (a server may
    /// echo the request's headers).
    fn snippet(&self, body: &[u8]) -> String {
        let text = String::from_utf8_lossy(body);
        let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut short: String = line.chars().take(SNIPPET_CHARS).collect();
        if line.chars().count() > SNIPPET_CHARS {
            short.push('…');
        }
        self.redact(&short)
    }

    /// Removes the auth token, raw or inside a Basic credential, from text an error shows.
    fn redact(&self, text: &str) -> String {
        self.redactor.redact(text)
    }
}

/// The wait before retry `attempt` (from 0): 100 ms, 200 ms, 400 ms, ... capped at 3 s.
fn backoff(attempt: u32) -> Duration {
    FIRST_BACKOFF
        .saturating_mul(2u32.saturating_pow(attempt))
        .min(MAX_BACKOFF)
}
