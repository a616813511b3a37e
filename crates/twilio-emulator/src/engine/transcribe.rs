//! `<Record transcribe="true">`: the Transcription of a recording and its `transcribeCallback`.
//!
//! Twilio transcribes a `<Record>` recording after it ends and, when `transcribeCallback` is set,
//! POSTs the result there asynchronously (the call goes on with the `action` document). The
//! emulator "transcribes" with its recogniser: the text is what the recording leg heard said,
//! as a `<Gather>` would have heard it. A recording with no speech in it (keys, audio) makes a
//! `failed` transcription, Twilio's status for a recording it could not transcribe.
//!
//! The callback carries the parameters Twilio's `<Record>` documentation lists for
//! `transcribeCallback` (twilio.com/docs/voice/twiml/record, "transcribeCallback"):
//! `TranscriptionSid`, `TranscriptionText`, `TranscriptionStatus`, `TranscriptionUrl`,
//! `RecordingSid`, `RecordingUrl`, and the call's `CallSid`, `AccountSid`, `From`, `To`,
//! `CallStatus`, `ApiVersion`, `Direction` and `ForwardedFrom`. It is signed like every other
//! webhook, and the call waits for it before it reports its end (as for interim results), so an
//! application has the message before it learns the call completed.

use super::leg::LegContext;
use crate::model::{RecordingRecord, TranscriptionRecord, TranscriptionStatus};
use crate::rest::transcription_uri;
use twilio_wire::sid::new_sid;
use twilio_wire::twiml::{self, HttpMethod};

/// The call parameters of a transcribe callback, besides the transcription's own.
const CALL_PARAMS: [&str; 7] = [
    "CallSid",
    "AccountSid",
    "From",
    "To",
    "ApiVersion",
    "Direction",
    "ForwardedFrom",
];

impl LegContext {
    /// Transcribes `recording` (at `recording_url`), whose speech was `spoken`: stores the
    /// Transcription and, with a `callback` (resolved against `document_url`), posts it there.
    pub(super) fn transcribe(
        &self,
        recording: &RecordingRecord,
        recording_url: &str,
        spoken: &str,
        callback: Option<&str>,
        document_url: &str,
    ) {
        let text = if spoken.trim().is_empty() {
            String::new()
        } else {
            let mut model = self
                .recogniser
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            model.hear(spoken).text
        };
        let status = if text.is_empty() {
            TranscriptionStatus::Failed
        } else {
            TranscriptionStatus::Completed
        };
        let transcription = TranscriptionRecord {
            sid: new_sid("TR"),
            account_sid: recording.account_sid.clone(),
            recording_sid: recording.sid.clone(),
            call_sid: recording.call_sid.clone(),
            status,
            text,
            duration_secs: recording.duration_secs,
            date_created: self.voice.clock.now(),
        };
        self.voice.note(match status {
            TranscriptionStatus::Completed => format!("transcribed: {}", transcription.text),
            TranscriptionStatus::Failed => "transcription failed: nothing said".to_string(),
        });
        self.voice.store.insert_transcription(transcription.clone());
        let Some(callback) = callback else {
            return;
        };
        let url = match document_url {
            "" => url::Url::parse(callback).ok().map(String::from),
            base => twiml::resolve_url(base, callback),
        };
        let Some(url) = url else {
            // Twilio warns about such a URL and the call goes on; so does the emulator.
            self.voice
                .note(format!("invalid transcribeCallback {callback}"));
            return;
        };
        let mut params: Vec<(String, String)> = vec![
            ("TranscriptionSid".into(), transcription.sid.clone()),
            ("TranscriptionText".into(), transcription.text.clone()),
            ("TranscriptionStatus".into(), status.as_str().into()),
            (
                "TranscriptionUrl".into(),
                format!(
                    "{}{}",
                    self.api_base_url,
                    transcription_uri(&transcription.account_sid, &transcription.sid)
                ),
            ),
            ("RecordingSid".into(), recording.sid.clone()),
            ("RecordingUrl".into(), recording_url.to_string()),
            // The recording has just ended and the call goes on.
            ("CallStatus".into(), "in-progress".into()),
        ];
        params.extend(
            self.params
                .iter()
                .filter(|(name, _)| CALL_PARAMS.contains(&name.as_str()))
                .cloned(),
        );
        let (client, token) = (self.client.clone(), self.auth_token.clone());
        self.posts.add(tokio::spawn(async move {
            let _ = client.send(&url, HttpMethod::Post, &params, &token).await;
        }));
    }
}
