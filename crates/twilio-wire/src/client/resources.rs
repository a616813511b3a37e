//! The Call and Message resources as the runner reads them, deserialised leniently: numbers as
//! strings or numbers (Twilio sends `"duration": "15"`, SignalWire `"duration": 20`), `null` or
//! missing for anything optional, unknown keys ignored (`twilio.md` §1 "Values", §10).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::time::parse_rfc2822;

/// A Call resource (`twilio.md` §2.1): what create, fetch and update answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct CallResource {
    /// `CA...` (a UUID on SignalWire).
    #[serde(deserialize_with = "string")]
    pub sid: String,
    /// `queued`, `ringing`, `in-progress`, `completed`, `busy`, `failed`, `no-answer`,
    /// `canceled` (kept as text: a provider's extra status must not fail the response).
    #[serde(deserialize_with = "string")]
    pub status: String,
    /// The called endpoint.
    #[serde(deserialize_with = "string")]
    pub to: String,
    /// The caller ID.
    #[serde(deserialize_with = "string")]
    pub from: String,
    /// `outbound-api` for calls the runner places.
    #[serde(deserialize_with = "opt_string")]
    pub direction: Option<String>,
    /// `human`, `machine_start`, ... when machine detection ran.
    #[serde(deserialize_with = "opt_string")]
    pub answered_by: Option<String>,
    /// Seconds the call lasted, once it ended.
    #[serde(rename = "duration", deserialize_with = "opt_u64")]
    pub duration_secs: Option<u64>,
    /// Milliseconds the call waited in Twilio's calls-per-second queue.
    #[serde(rename = "queue_time", deserialize_with = "opt_u64")]
    pub queue_time_ms: Option<u64>,
    /// When the call was answered (RFC 2822, as sent).
    #[serde(deserialize_with = "opt_string")]
    pub start_time: Option<String>,
    /// When the call ended (RFC 2822, as sent).
    #[serde(deserialize_with = "opt_string")]
    pub end_time: Option<String>,
    /// When the call was created (RFC 2822, as sent).
    #[serde(deserialize_with = "opt_string")]
    pub date_created: Option<String>,
    /// The cost as text (`"-0.03000"`), once known.
    #[serde(deserialize_with = "opt_string")]
    pub price: Option<String>,
    /// The currency of `price`.
    #[serde(deserialize_with = "opt_string")]
    pub price_unit: Option<String>,
    /// The resource's host-relative URI.
    #[serde(deserialize_with = "opt_string")]
    pub uri: Option<String>,
    /// The HTTP `Date` of the response that carried this resource: Twilio's clock when the
    /// resource carries no date of its own.
    #[serde(skip)]
    pub response_date: Option<DateTime<Utc>>,
}

impl CallResource {
    /// When the call was created on Twilio's clock, to the second: `date_created`, else
    /// `start_time`, else the response's `Date` (both no earlier than the creation). `None`
    /// when Twilio gave none of them. Never the local clock, which may be off.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        [&self.date_created, &self.start_time]
            .into_iter()
            .find_map(|date| date.as_deref().and_then(parse_rfc2822))
            .or(self.response_date)
    }

    /// Whether the call has reached a final status (nothing to hang up any more).
    pub fn has_ended(&self) -> bool {
        is_final_status(&self.status)
    }

    /// Whether the call has not been answered yet, so `Status=canceled` is the way to end it.
    pub fn is_pending(&self) -> bool {
        matches!(self.status.as_str(), "queued" | "initiated" | "ringing")
    }
}

/// A Message resource (`twilio.md` §8).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct MessageResource {
    /// `SM...`/`MM...`.
    #[serde(deserialize_with = "string")]
    pub sid: String,
    /// The text.
    #[serde(deserialize_with = "string")]
    pub body: String,
    /// The sender.
    #[serde(deserialize_with = "string")]
    pub from: String,
    /// The recipient.
    #[serde(deserialize_with = "string")]
    pub to: String,
    /// `inbound`, `outbound-api`, `outbound-call` or `outbound-reply`.
    #[serde(deserialize_with = "string")]
    pub direction: String,
    /// `queued`, `sent`, `delivered`, `received`, ...
    #[serde(deserialize_with = "string")]
    pub status: String,
    /// When it was sent (RFC 2822, as sent), if it was.
    #[serde(deserialize_with = "opt_string")]
    pub date_sent: Option<String>,
    /// When it was created (RFC 2822, as sent).
    #[serde(deserialize_with = "opt_string")]
    pub date_created: Option<String>,
    /// The delivery error, if any (an integer on Twilio, tolerated as text).
    #[serde(deserialize_with = "opt_u64")]
    pub error_code: Option<u64>,
    /// The delivery error's text.
    #[serde(deserialize_with = "opt_string")]
    pub error_message: Option<String>,
    /// SMS segments.
    #[serde(deserialize_with = "opt_u64")]
    pub num_segments: Option<u64>,
}

impl MessageResource {
    /// When the message was created on Twilio's clock: `date_created`, else `date_sent`.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        [&self.date_created, &self.date_sent]
            .into_iter()
            .find_map(|date| date.as_deref().and_then(parse_rfc2822))
    }
}

/// One page of `GET Messages.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct MessagePage {
    pub messages: Vec<MessageResource>,
    #[serde(deserialize_with = "opt_string")]
    pub next_page_uri: Option<String>,
}

/// One page of `GET Calls.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CallPage {
    pub calls: Vec<CallResource>,
}

/// Twilio's error envelope, read leniently: proxies and compatible providers send a string
/// `code` or no `message`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct WireError {
    #[serde(deserialize_with = "opt_u64")]
    pub code: Option<u64>,
    #[serde(deserialize_with = "opt_string")]
    pub message: Option<String>,
}

/// Text from a string, number or boolean; `None` for null, missing or a structure.
fn text(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn opt_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(text(Value::deserialize(deserializer)?))
}

fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(opt_string(deserializer)?.unwrap_or_default())
}

/// A whole number from `15`, `"15"`, `15.0` or `" 15 "`; anything else (null, `""`, `"n/a"`,
/// negative) is `None`, since an odd duration must not fail a response the runner needs.
fn opt_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    })
}

/// Whether a call status (`CallStatus`, or a call resource's `status`) is final: the call is over.
pub fn is_final_status(status: &str) -> bool {
    matches!(
        status,
        "completed" | "busy" | "failed" | "no-answer" | "canceled"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_times_come_from_twilio_never_the_local_clock() {
        let at = |text: &str| parse_rfc2822(text);
        let mut call = CallResource {
            start_time: Some("Wed, 02 Sep 2026 10:00:05 +0000".into()),
            ..CallResource::default()
        };
        assert_eq!(call.created_at(), at("Wed, 02 Sep 2026 10:00:05 +0000"));
        call.date_created = Some("Wed, 02 Sep 2026 10:00:00 +0000".into());
        assert_eq!(call.created_at(), at("Wed, 02 Sep 2026 10:00:00 +0000"));
        let dated = CallResource {
            response_date: at("Wed, 02 Sep 2026 10:00:01 GMT"),
            ..CallResource::default()
        };
        assert_eq!(dated.created_at(), at("Wed, 02 Sep 2026 10:00:01 +0000"));
        assert_eq!(CallResource::default().created_at(), None);
        let message = MessageResource {
            date_sent: Some("Wed, 02 Sep 2026 10:00:09 +0000".into()),
            ..MessageResource::default()
        };
        assert_eq!(message.created_at(), at("Wed, 02 Sep 2026 10:00:09 +0000"));
    }

    #[test]
    fn a_twilio_call_reads_with_numbers_as_strings_and_nulls() {
        let call: CallResource = serde_json::from_str(
            r#"{"sid":"CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","status":"queued","to":"+14155551212",
                "from":"+18668675310","duration":null,"queue_time":"1000","start_time":null,
                "end_time":null,"price":null,"direction":"outbound-api","answered_by":null,
                "subresource_uris":{"recordings":"/x"},"brand_new_field":[1,2]}"#,
        )
        .unwrap();
        assert_eq!(call.sid, "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        assert_eq!(call.duration_secs, None);
        assert_eq!(call.queue_time_ms, Some(1000));
        assert_eq!(call.direction.as_deref(), Some("outbound-api"));
        assert!(call.is_pending() && !call.has_ended());
    }

    #[test]
    fn a_signalwire_call_reads_with_real_numbers() {
        let call: CallResource = serde_json::from_str(
            r#"{"sid":"b3877c40-da60-4998-90ad-b792e98472pa","status":"completed","to":"+1",
                "from":null,"duration":20,"price":-0.00500,"queue_time":0.0,
                "end_time":"Wed, 02 Sep 2026 10:00:20 +0000"}"#,
        )
        .unwrap();
        assert_eq!(call.duration_secs, Some(20));
        assert_eq!(call.queue_time_ms, Some(0));
        assert_eq!(call.price.as_deref(), Some("-0.005"));
        assert_eq!(call.from, "");
        assert!(call.has_ended());
    }

    #[test]
    fn odd_numbers_become_none_instead_of_failing() {
        let call: CallResource =
            serde_json::from_str(r#"{"sid":"CA1","duration":"","queue_time":-3}"#).unwrap();
        assert_eq!((call.duration_secs, call.queue_time_ms), (None, None));
        let call: CallResource =
            serde_json::from_str(r#"{"sid":"CA1","duration":" 15 "}"#).unwrap();
        assert_eq!(call.duration_secs, Some(15));
    }

    #[test]
    fn a_message_reads_with_integer_or_string_error_codes() {
        let message: MessageResource = serde_json::from_str(
            r#"{"sid":"SM1","body":"hi","from":"+1","to":"+2","direction":"inbound",
                "status":"received","date_sent":"Fri, 24 May 2019 17:44:50 +0000",
                "error_code":"30008","num_segments":"1"}"#,
        )
        .unwrap();
        assert_eq!(message.error_code, Some(30008));
        assert_eq!(message.num_segments, Some(1));
        assert_eq!(message.direction, "inbound");
        let page: MessagePage =
            serde_json::from_str(r#"{"messages":[{"sid":"SM2"}],"next_page_uri":null}"#).unwrap();
        assert_eq!(page.messages.len(), 1);
        assert_eq!(page.next_page_uri, None);
    }

    #[test]
    fn error_envelopes_read_with_string_codes_or_missing_messages() {
        let e: WireError = serde_json::from_str(r#"{"code":"21211","status":400}"#).unwrap();
        assert_eq!((e.code, e.message), (Some(21211), None));
        let e: WireError = serde_json::from_str(r#"{"errors":[]}"#).unwrap();
        assert_eq!(e.code, None);
    }
}
