//! Sending a request: Basic auth, a form or multipart body, 429s retried with backoff, and
//! every failure described with the request's method and URL but never the credentials.

// The `bytes` crate's type, which reqwest answers with.
use axum::body::Bytes;
use backon::Retryable;
use chrono::{DateTime, Utc};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::requests::FunctionUpload;
use super::resources::WireError;
use super::{ClientError, TwilioClient, REQUEST_TIMEOUT, SNIPPET_CHARS};
use crate::explain::explain;
use crate::retry;

/// What a request carries.
#[derive(Clone, Copy)]
pub(super) enum Body<'a> {
    /// Nothing (`GET`, `DELETE`).
    Empty,
    /// Form parameters, in Twilio's names; repeated names for lists.
    Form(&'a [(&'static str, String)]),
    /// A Function's code, as `multipart/form-data`.
    Upload(&'a FunctionUpload),
}

impl TwilioClient {
    /// Sends one request (retrying 429s) and decodes Twilio's JSON answer or error envelope.
    pub(super) async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Body<'_>,
    ) -> Result<T, ClientError> {
        self.request_dated(method, url, body)
            .await
            .map(|(value, _)| value)
    }

    /// As [`request`](Self::request), with the answer's HTTP `Date` (Twilio's clock), if it
    /// had a readable one.
    pub(super) async fn request_dated<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Body<'_>,
    ) -> Result<(T, Option<DateTime<Utc>>), ClientError> {
        let (status, date, bytes) = self.send(&method, &url, body).await?;
        serde_json::from_slice(&bytes)
            .map(|value| (value, date))
            .map_err(|e| {
                ClientError::InvalidResponse(format!(
                    "{method} {url}: HTTP {}: unexpected JSON ({e}): {}",
                    status.as_u16(),
                    self.snippet(&bytes)
                ))
            })
    }

    /// Sends one request, retrying 429s; a 2xx answer's status, `Date` and body, or the error
    /// (Twilio's envelope when there is one).
    pub(super) async fn send(
        &self,
        method: &Method,
        url: &Url,
        body: Body<'_>,
    ) -> Result<(StatusCode, Option<DateTime<Utc>>, Bytes), ClientError> {
        let form = match body {
            Body::Form(form) => Some(serde_urlencoded::to_string(form).map_err(|e| {
                ClientError::InvalidArgument(format!("cannot encode the form: {e}"))
            })?),
            Body::Empty | Body::Upload(_) => None,
        };
        let send = || async {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .basic_auth(&self.username, Some(self.password.expose()));
            if let Some(form) = &form {
                request = request
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(form.clone());
            }
            if let Body::Upload(upload) = body {
                // Built anew for every try: a multipart body is consumed by sending it.
                request = request.multipart(upload.form().map_err(Try::Failed)?);
            }
            let answer = async {
                let response = request.send().await?;
                let status = response.status();
                let date = response
                    .headers()
                    .get(reqwest::header::DATE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(crate::time::parse_rfc2822);
                response.bytes().await.map(|bytes| Answer {
                    status,
                    date,
                    bytes,
                })
            };
            match answer.await {
                Ok(answer) if answer.status == StatusCode::TOO_MANY_REQUESTS => {
                    Err(Try::RateLimited(answer))
                }
                Ok(answer) => Ok(answer),
                Err(e) => Err(Try::Failed(self.http_error(method, url, &e))),
            }
        };
        let Answer {
            status,
            date,
            bytes,
        } = match send
            .retry(retry::TWILIO_RATE_LIMITED)
            .when(|e| matches!(e, Try::RateLimited(_)))
            .await
        {
            // The last 429 is reported like any other error answer.
            Ok(answer) | Err(Try::RateLimited(answer)) => answer,
            Err(Try::Failed(e)) => return Err(e),
        };
        if status.is_success() {
            return Ok((status, date, bytes));
        }
        Err(self.status_error(method, url, status, &bytes))
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

/// An HTTP answer, whatever its status.
struct Answer {
    status: StatusCode,
    /// Twilio's clock, from the `Date` header, if readable.
    date: Option<chrono::DateTime<chrono::Utc>>,
    bytes: Bytes,
}

/// Why one try gave no answer to decode: a 429, worth another try, or a transport failure.
enum Try {
    RateLimited(Answer),
    Failed(ClientError),
}
