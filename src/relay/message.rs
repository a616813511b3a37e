//! The messages of the protocol, as stored in Redis.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::turn::answer::CallerVoice;
use crate::turn::CallEvent;

/// A session's registration (the fields of its HASH), written by the runner before it places
/// the call, so a webhook that beats `calls.create`'s response finds its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The runner's id: its events go to [`super::keys::Keys::inbox`] of it.
    pub runner: String,
    /// The account that places the call; a webhook signed for another account is refused.
    pub account: String,
    /// How to listen and speak (the proxy renders the TwiML).
    pub voice: CallerVoice,
    /// `TWILIO_IVR_PUBLICURLPARAMS`, encoded, for the callback URLs the proxy writes.
    pub url_params: Option<String>,
}

impl SessionRecord {
    /// The HASH fields.
    pub fn to_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("runner", self.runner.clone()),
            ("account", self.account.clone()),
            (
                "voice",
                serde_json::to_string(&self.voice).unwrap_or_default(),
            ),
            ("url_params", self.url_params.clone().unwrap_or_default()),
        ]
    }

    /// From the HASH fields; `None` when a field is missing or malformed.
    pub fn from_fields(
        fields: &std::collections::HashMap<String, String>,
    ) -> Option<SessionRecord> {
        Some(SessionRecord {
            runner: fields.get("runner")?.clone(),
            account: fields.get("account")?.clone(),
            voice: serde_json::from_str(fields.get("voice")?).ok()?,
            url_params: fields.get("url_params").filter(|p| !p.is_empty()).cloned(),
        })
    }
}

/// One entry of a runner's event stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxEntry {
    /// The session.
    pub session: String,
    /// What the webhook reported.
    pub event: CallEvent,
}

impl InboxEntry {
    /// The stream entry's fields.
    pub fn to_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("session", self.session.clone()),
            (
                "event",
                serde_json::to_string(&self.event).unwrap_or_default(),
            ),
        ]
    }

    /// From a stream entry's fields.
    pub fn from_fields(session: &str, event_json: &str) -> Option<InboxEntry> {
        Some(InboxEntry {
            session: session.to_string(),
            event: serde_json::from_str(event_json).ok()?,
        })
    }
}

/// Events a proxy could not hand to Redis (an outage), carried in the next callback URL it gives
/// Twilio (`carry=`), so the next webhook delivers them first: no turn is lost, and no call state
/// waits in a proxy's memory. Twilio signs the URL, so a carried event cannot be forged.
pub fn encode_carry(events: &[CallEvent]) -> String {
    let json = serde_json::to_vec(events).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// The events of a `carry=` parameter; empty when it is malformed.
pub fn decode_carry(carry: &str) -> Vec<CallEvent> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(carry)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TwilioCaps;

    #[test]
    fn records_and_entries_round_trip() {
        let record = SessionRecord {
            runner: "R1".into(),
            account: "AC1".into(),
            voice: CallerVoice::from_caps(&TwilioCaps::default()),
            url_params: Some("a=1".into()),
        };
        let fields = record
            .to_fields()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(SessionRecord::from_fields(&fields), Some(record));
        let entry = InboxEntry {
            session: "TS1".into(),
            event: CallEvent::Heard {
                text: "Hello.".into(),
                confidence: Some(0.9),
            },
        };
        let fields = entry.to_fields();
        assert_eq!(
            InboxEntry::from_fields(&fields[0].1, &fields[1].1),
            Some(entry)
        );
    }

    #[test]
    fn carried_events_round_trip_and_garbage_is_empty() {
        let events = vec![
            CallEvent::Silence,
            CallEvent::Heard {
                text: "Press 1 & 2?".into(),
                confidence: None,
            },
        ];
        let carry = encode_carry(&events);
        assert!(carry
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(decode_carry(&carry), events);
        assert!(decode_carry("not base64!").is_empty());
    }
}
