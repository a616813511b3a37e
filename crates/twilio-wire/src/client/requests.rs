//! What the runner asks of Twilio: a call to place, a filter for the messages to list and a
//! Function's code to upload, encoded as Twilio's form, query and multipart parameters (`twilio.md` §1 "Encoding", §2.1, §8).

use chrono::NaiveDate;
use reqwest::multipart::{Form, Part};

use super::ClientError;
use crate::twiml::HttpMethod;

/// A call to place (`POST Calls.json`, `twilio.md` §2.1). Unset options keep Twilio's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateCall {
    /// `To`: E.164, `sip:` or `client:`.
    pub to: String,
    /// `From`: a number the account owns or verified.
    pub from: String,
    /// `Url`: the TwiML for the call, requested when it connects.
    pub url: String,
    /// `Method` for `Url`.
    pub method: HttpMethod,
    /// `Twiml`: inline TwiML sent instead of `Url` (at most 4,000 characters), for a call
    /// that needs no webhook, such as a preflight's test call.
    pub twiml: Option<String>,
    /// `StatusCallback`.
    pub status_callback: Option<String>,
    /// `StatusCallbackEvent`s (`initiated`, `ringing`, `answered`, `completed`), sent as
    /// repeated keys.
    pub status_callback_events: Vec<String>,
    /// `Record`.
    pub record: bool,
    /// `Timeout`: seconds to let it ring (Twilio: 60).
    pub timeout_secs: Option<u32>,
    /// `TimeLimit`: the longest the call may last, so a crashed runner cannot leave a billed
    /// call running for hours.
    pub time_limit_secs: Option<u32>,
    /// `SendDigits`, played when the call connects.
    pub send_digits: Option<String>,
    /// `FallbackUrl`.
    pub fallback_url: Option<String>,
    /// `MachineDetection`: `Enable` or `DetectMessageEnd`.
    pub machine_detection: Option<String>,
}

impl CreateCall {
    /// A call from `from` to `to` running the TwiML at `url` (POST), all else default.
    pub fn new(to: impl Into<String>, from: impl Into<String>, url: impl Into<String>) -> Self {
        CreateCall {
            to: to.into(),
            from: from.into(),
            url: url.into(),
            ..CreateCall::default()
        }
    }

    /// The form parameters, in Twilio's names; lists as repeated keys.
    pub(super) fn form(&self) -> Vec<(&'static str, String)> {
        let mut form = vec![("To", self.to.clone()), ("From", self.from.clone())];
        match &self.twiml {
            Some(twiml) => form.push(("Twiml", twiml.clone())),
            None => {
                form.push(("Url", self.url.clone()));
                form.push(("Method", method_name(self.method).to_string()));
            }
        }
        let mut optional = |name: &'static str, value: Option<String>| {
            if let Some(value) = value {
                form.push((name, value));
            }
        };
        optional("StatusCallback", self.status_callback.clone());
        optional("Timeout", self.timeout_secs.map(|s| s.to_string()));
        optional("TimeLimit", self.time_limit_secs.map(|s| s.to_string()));
        optional("SendDigits", self.send_digits.clone());
        optional("FallbackUrl", self.fallback_url.clone());
        optional("MachineDetection", self.machine_detection.clone());
        form.push(("Record", self.record.to_string()));
        for event in &self.status_callback_events {
            form.push(("StatusCallbackEvent", event.clone()));
        }
        form
    }
}

fn method_name(method: HttpMethod) -> &'static str {
    match method {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
    }
}

/// Which messages [`list_messages`](super::TwilioClient::list_messages) returns (filtered by
/// Twilio, not locally).
///
/// Twilio's `DateSent` filters compare whole days (UTC) of `date_sent`, whatever time of day is
/// given, so they are days here: a caller that needs an exact instant filters coarsely here and
/// then compares each message's own dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// `To`.
    pub to: Option<String>,
    /// `From`.
    pub from: Option<String>,
    /// `DateSent>`: sent on or after this day (inclusive).
    pub sent_on_or_after: Option<NaiveDate>,
    /// `DateSent<`: sent on or before this day (inclusive).
    pub sent_on_or_before: Option<NaiveDate>,
    /// `PageSize` (Twilio: 50, at most 1000).
    pub page_size: Option<u32>,
    /// The most pages to follow ([`DEFAULT_MAX_PAGES`](super::DEFAULT_MAX_PAGES) when unset);
    /// more is an error rather than a silently truncated list.
    pub max_pages: Option<u32>,
}

impl MessageFilter {
    pub(super) fn query(&self) -> Result<String, ClientError> {
        // Twilio's documented form: `YYYY-MM-DD`.
        let day = |d: &NaiveDate| d.format("%Y-%m-%d").to_string();
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(to) = &self.to {
            pairs.push(("To", to.clone()));
        }
        if let Some(from) = &self.from {
            pairs.push(("From", from.clone()));
        }
        if let Some(after) = &self.sent_on_or_after {
            pairs.push(("DateSent>", day(after)));
        }
        if let Some(before) = &self.sent_on_or_before {
            pairs.push(("DateSent<", day(before)));
        }
        if let Some(size) = self.page_size {
            pairs.push(("PageSize", size.to_string()));
        }
        serde_urlencoded::to_string(&pairs)
            .map_err(|e| ClientError::InvalidArgument(format!("cannot encode the filter: {e}")))
    }
}

/// A Function's code to upload as a new Version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionUpload {
    /// `Path`, e.g. `/relay`: where the Function answers in an Environment's domain.
    pub path: String,
    /// `Visibility`: `public`, `protected` (only requests Twilio signed) or `private`.
    pub visibility: String,
    /// The JavaScript.
    pub content: String,
    /// The file name the code part carries, e.g. `relay.js`.
    pub file_name: String,
}

impl FunctionUpload {
    /// The multipart body: `Path`, `Visibility`, and the code as the file part `Content`.
    pub(super) fn form(&self) -> Result<Form, ClientError> {
        let code = Part::text(self.content.clone())
            .file_name(self.file_name.clone())
            .mime_str("application/javascript")
            .map_err(|e| ClientError::InvalidArgument(format!("cannot build the upload: {e}")))?;
        Ok(Form::new()
            .text("Path", self.path.clone())
            .text("Visibility", self.visibility.clone())
            .part("Content", code))
    }
}
