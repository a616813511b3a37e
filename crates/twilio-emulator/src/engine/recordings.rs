//! The recordings a call leaves (by `Record=true`, `<Record>` or `<Dial record>`): stored so
//! the REST API lists them, under the URL Twilio reports for them.

use crate::model::RecordingRecord;
use crate::rest::account_path;
use crate::store::Store;

/// The absolute `RecordingUrl` Twilio reports for a recording, on the emulator at
/// `api_base_url`.
pub(crate) fn recording_url(api_base_url: &str, account_sid: &str, recording_sid: &str) -> String {
    format!(
        "{api_base_url}{}/Recordings/{recording_sid}",
        account_path(account_sid)
    )
}

/// Stores `recording` (so the REST API lists it); returns its SID and the absolute
/// `RecordingUrl` Twilio reports for it, on the emulator at `api_base_url`.
pub(crate) fn store_recording(
    store: &Store,
    api_base_url: &str,
    recording: RecordingRecord,
) -> (String, String) {
    let url = recording_url(api_base_url, &recording.account_sid, &recording.sid);
    let sid = recording.sid.clone();
    store.insert_recording(recording);
    (sid, url)
}
