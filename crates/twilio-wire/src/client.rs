//! The runner's thin Twilio REST client: place, fetch, hang up and redirect calls, and list
//! the SMS a test expects (`twilio.md` §1, §2, §8); deploy a Function through Serverless
//! (`serverless`), exchange events through Sync Lists (`sync`), and read a Studio flow's
//! executions and steps for coverage (`studio`). It works against Twilio,
//! the emulator and Twilio-compatible providers whose API lives under a path prefix
//! (SignalWire's `https://<space>.signalwire.com/api/laml`, §10); each product's base follows
//! from the one configured base URL (`base`).
//!
//! Like Twilio's own clients it sends HTTP Basic auth, `Accept: application/json`,
//! form-encoded bodies with repeated keys for lists, uses a 30 s timeout and retries only
//! 429 ([`retry::TWILIO_RATE_LIMITED`]; never processed by Twilio, so always safe to repeat, even a create). Every error
//! names the request (method and URL) and never contains the auth token.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use base64::Engine;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT};
use reqwest::Method;
use url::Url;

use crate::secret::{Redactor, Secret};

mod account;
mod base;
mod requests;
mod resources;
mod serverless;
mod serverless_resources;
mod studio;
mod sync;
mod sync_resources;
#[cfg(test)]
mod tests;
mod transport;
mod v1;

pub use account::{
    AccountResource, Capabilities, DialingCountry, IncomingNumber, OutgoingCallerId,
};
pub use base::{ApiBase, Product, FUNCTIONS_PREFIX};
pub use requests::{CreateCall, FunctionUpload, MessageFilter};
pub use resources::{is_final_status, CallResource, MessageResource};
use resources::{CallPage, MessagePage};
pub use serverless::{CreateBuild, CreateServerlessService};
pub use serverless_resources::{
    Build, Dependency, Deployment, Environment, FunctionResource, FunctionVersion,
    ServerlessService, Variable,
};
pub use studio::{StudioExecution, StudioFlow, StudioStep};
pub use sync::ItemQuery;
pub use sync_resources::{SyncList, SyncListItem, SyncService};
use transport::Body;

/// Twilio's API host, the default base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";
/// Per request, as Twilio's clients do.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
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
        /// What to do about it (see [`explain`](crate::explain::explain)).
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
    /// The Basic-auth user: the account SID, or an API key SID (`SK...`).
    username: String,
    /// The auth token, or the API key's secret.
    password: Secret,
    /// Hides the secret, raw or inside the Basic credential, in text an error shows.
    redactor: Redactor,
}

impl fmt::Debug for TwilioClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioClient")
            .field("base_url", &self.base.url.as_str())
            .field("account_sid", &self.account_sid)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl TwilioClient {
    /// A client for `account_sid` at `base_url` ([`DEFAULT_BASE_URL`] for Twilio; a path
    /// prefix such as `/api/laml` is kept), authenticated by the account's auth token. The
    /// SID's format is not checked: compatible providers use UUIDs.
    pub fn new(
        base_url: &str,
        account_sid: &str,
        auth_token: &Secret,
    ) -> Result<TwilioClient, ClientError> {
        let empty = "the auth token is empty: set TWILIO_IVR_AUTH_TOKEN";
        TwilioClient::build(base_url, account_sid, None, auth_token, empty)
    }

    /// A client for `account_sid` authenticated by an API key (`SK...`) and its secret,
    /// Twilio's recommendation: the key is the Basic-auth user while URLs still name the
    /// account.
    pub fn with_api_key(
        base_url: &str,
        account_sid: &str,
        key_sid: &str,
        key_secret: &Secret,
    ) -> Result<TwilioClient, ClientError> {
        let key_sid = key_sid.trim();
        if key_sid.is_empty() || key_sid.contains(':') {
            return Err(ClientError::InvalidArgument(format!(
                "invalid API key SID {key_sid:?}: set TWILIO_IVR_API_KEY (SK...)"
            )));
        }
        let empty = "the API key secret is empty: set TWILIO_IVR_API_SECRET";
        TwilioClient::build(base_url, account_sid, Some(key_sid), key_secret, empty)
    }

    /// The client authenticating as `key_sid`, or as the account itself without one.
    fn build(
        base_url: &str,
        account_sid: &str,
        key_sid: Option<&str>,
        password: &Secret,
        empty_password: &str,
    ) -> Result<TwilioClient, ClientError> {
        let base = ApiBase::parse(base_url)?;
        let account_sid = account_sid.trim();
        if account_sid.is_empty() || account_sid.contains(':') {
            return Err(ClientError::InvalidArgument(format!(
                "invalid account SID {account_sid:?}: set TWILIO_IVR_ACCOUNT_SID (AC...)"
            )));
        }
        if password.expose().is_empty() {
            return Err(ClientError::InvalidArgument(empty_password.to_string()));
        }
        let username = key_sid.unwrap_or(account_sid);
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("ivr-test/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .build()
            .map_err(|e| ClientError::Http(format!("cannot build the HTTP client: {e}")))?;
        let secret = password.expose();
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{secret}"));
        Ok(TwilioClient {
            http,
            base,
            account_sid: account_sid.to_string(),
            username: username.to_string(),
            password: password.clone(),
            redactor: Redactor::new([basic, secret.to_string()]),
        })
    }

    /// Whether requests authenticate with an API key rather than the auth token.
    pub fn uses_api_key(&self) -> bool {
        self.username != self.account_sid
    }

    /// The account the client acts for.
    pub fn account_sid(&self) -> &str {
        &self.account_sid
    }

    /// Places a call (`POST Calls.json`); Twilio answers with the call `queued`.
    pub async fn create_call(&self, call: &CreateCall) -> Result<CallResource, ClientError> {
        let url = self.base.account_url(&self.account_sid, &["Calls.json"]);
        let (mut call, date): (CallResource, _) = self
            .request_dated(Method::POST, url, Body::Form(&call.form()))
            .await?;
        call.response_date = date;
        Ok(call)
    }

    /// The call `sid` as Twilio holds it now (eventually consistent: status callbacks are
    /// the real-time source).
    pub async fn fetch_call(&self, sid: &str) -> Result<CallResource, ClientError> {
        let url = self.call_url(sid)?;
        let (mut call, date): (CallResource, _) =
            self.request_dated(Method::GET, url, Body::Empty).await?;
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
            let page: MessagePage = self.request(Method::GET, url.clone(), Body::Empty).await?;
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
        let page: CallPage = self.request(Method::GET, url, Body::Empty).await?;
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
        self.request(Method::POST, url, Body::Form(form)).await
    }
}
