//! The JSON of Call, Message, Recording and Transcription resources exactly as Twilio shows them (§2.1, §8):
//! every field present, numbers as strings, RFC 2822 dates, `null` for what is unknown, and
//! URIs relative to the host root.

use serde_json::{json, Value};
use sha1::{Digest, Sha1};

use crate::config::EmulatorConfig;
use crate::model::{
    CallRecord, MessageRecord, RecordingRecord, TranscriptionRecord, TranscriptionStatus,
};
use twilio_wire::time::rfc2822;

use super::params::formatted_number;

/// The API version in every path.
pub const API_VERSION: &str = "2010-04-01";

/// `/2010-04-01/Accounts/{AccountSid}`.
pub fn account_path(account_sid: &str) -> String {
    format!("/{API_VERSION}/Accounts/{account_sid}")
}

/// A stable `PN...` SID for a configured number, so `phone_number_sid` is the same in every
/// response (Twilio's is the number's purchase record; the emulator has none to point at).
pub fn phone_number_sid(number: &str) -> String {
    let digest = Sha1::digest(number.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("PN{hex}")
}

/// A Call resource.
pub fn call_json(call: &CallRecord, config: &EmulatorConfig) -> Value {
    let request = &call.request;
    let call_path = format!("{}/Calls/{}", account_path(&request.account_sid), call.sid);
    let sub = |name: &str| format!("{call_path}/{name}.json");
    let owned_from = config.owns_caller_id(&request.from) || request.from == "+15005550006";
    json!({
        "account_sid": request.account_sid,
        "answered_by": null,
        "api_version": API_VERSION,
        "caller_name": null,
        "date_created": rfc2822(call.date_created),
        "date_updated": rfc2822(call.date_updated),
        "direction": call.direction(),
        "duration": call.duration_secs().map(|d| d.to_string()),
        "end_time": call.end_time.map(rfc2822),
        "forwarded_from": null,
        "from": request.from,
        "from_formatted": formatted_number(&request.from),
        "group_sid": null,
        "parent_call_sid": call.parent_call_sid,
        "phone_number_sid": owned_from.then(|| phone_number_sid(&request.from)),
        "price": null,
        "price_unit": "USD",
        "queue_time": call.queue_time_ms.to_string(),
        "sid": call.sid,
        "start_time": call.start_time.map(rfc2822),
        "status": call.status.as_str(),
        "subresource_uris": {
            "notifications": sub("Notifications"),
            "recordings": sub("Recordings"),
            "payments": sub("Payments"),
            "events": sub("Events"),
            "siprec": sub("Siprec"),
            "streams": sub("Streams"),
            "transcriptions": sub("Transcriptions"),
            "user_defined_message_subscriptions": sub("UserDefinedMessageSubscriptions"),
            "user_defined_messages": sub("UserDefinedMessages"),
        },
        "to": request.to,
        "to_formatted": formatted_number(&request.to),
        "trunk_sid": null,
        "uri": format!("{call_path}.json"),
    })
}

/// How many SMS segments `body` takes: 160 GSM characters alone, 153 per part when split;
/// 70 / 67 once any character needs UCS-2 (approximated as non-ASCII).
pub fn segments(body: &str) -> usize {
    let length = body.chars().count();
    let (single, part) = if body.is_ascii() {
        (160, 153)
    } else {
        (70, 67)
    };
    if length <= single {
        1
    } else {
        length.div_ceil(part)
    }
}

/// A Message resource.
pub fn message_json(message: &MessageRecord) -> Value {
    let path = format!(
        "{}/Messages/{}",
        account_path(&message.account_sid),
        message.sid
    );
    json!({
        "account_sid": message.account_sid,
        "api_version": API_VERSION,
        "body": message.body,
        "date_created": rfc2822(message.date_created),
        "date_sent": rfc2822(message.date_sent),
        "date_updated": rfc2822(message.date_sent),
        "direction": message.direction,
        "error_code": null,
        "error_message": null,
        "from": message.from,
        "messaging_service_sid": null,
        "num_media": "0",
        "num_segments": segments(&message.body).to_string(),
        "price": null,
        "price_unit": "USD",
        "sid": message.sid,
        "status": message.status,
        "subresource_uris": {
            "media": format!("{path}/Media.json"),
            "feedback": format!("{path}/Feedback.json"),
        },
        "to": message.to,
        "uri": format!("{path}.json"),
    })
}

/// A Recording resource; `origin` (`http://host:port`) makes `media_url` absolute. Read
/// through its call (`Calls/{Sid}/Recordings...`), its `uri` is under the call, as Twilio's.
pub fn recording_json(recording: &RecordingRecord, origin: &str, through_call: bool) -> Value {
    let path = format!(
        "{}/Recordings/{}",
        account_path(&recording.account_sid),
        recording.sid
    );
    let uri = if through_call {
        format!(
            "{}/Calls/{}/Recordings/{}.json",
            account_path(&recording.account_sid),
            recording.call_sid,
            recording.sid
        )
    } else {
        format!("{path}.json")
    };
    json!({
        "account_sid": recording.account_sid,
        "api_version": API_VERSION,
        "call_sid": recording.call_sid,
        "conference_sid": null,
        "channels": recording.channels,
        "date_created": rfc2822(recording.date_created),
        "date_updated": rfc2822(recording.date_created),
        "start_time": rfc2822(recording.date_created),
        "duration": recording.duration_secs.to_string(),
        "encryption_details": null,
        "error_code": null,
        "media_url": format!("{origin}{path}"),
        "price": null,
        "price_unit": "USD",
        "sid": recording.sid,
        "source": recording.source.as_str(),
        "status": "completed",
        "subresource_uris": {
            "add_on_results": format!("{path}/AddOnResults.json"),
            "transcriptions": format!("{path}/Transcriptions.json"),
        },
        "track": "both",
        "uri": uri,
    })
}

/// A Transcription resource (OpenAPI `api.v2010.account.transcription`): `price` stays null
/// (the emulator bills nothing) and `type` is `fast`, the only value Twilio documents.
pub fn transcription_json(transcription: &TranscriptionRecord) -> Value {
    let text = match transcription.status {
        TranscriptionStatus::Completed => Value::from(transcription.text.as_str()),
        TranscriptionStatus::Failed => Value::Null,
    };
    json!({
        "account_sid": transcription.account_sid,
        "api_version": API_VERSION,
        "date_created": rfc2822(transcription.date_created),
        "date_updated": rfc2822(transcription.date_created),
        "duration": transcription.duration_secs.to_string(),
        "price": null,
        "price_unit": "USD",
        "recording_sid": transcription.recording_sid,
        "sid": transcription.sid,
        "status": transcription.status.as_str(),
        "transcription_text": text,
        "type": "fast",
        "uri": transcription_uri(&transcription.account_sid, &transcription.sid),
    })
}

/// A transcription's `uri`, also its `TranscriptionUrl` (on the emulator's origin).
pub fn transcription_uri(account_sid: &str, sid: &str) -> String {
    format!("{}/Transcriptions/{sid}.json", account_path(account_sid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_follow_gsm_and_ucs2_limits() {
        assert_eq!(segments(""), 1);
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"a".repeat(306)), 2);
        assert_eq!(segments(&"a".repeat(307)), 3);
        assert_eq!(segments(&"é".repeat(70)), 1);
        assert_eq!(segments(&"é".repeat(71)), 2);
    }

    #[test]
    fn phone_number_sids_are_stable_and_well_formed() {
        let sid = phone_number_sid("+15551230001");
        assert!(twilio_wire::sid::is_sid(&sid, "PN"), "{sid}");
        assert_eq!(sid, phone_number_sid("+15551230001"));
        assert_ne!(sid, phone_number_sid("+15551230002"));
    }
}
