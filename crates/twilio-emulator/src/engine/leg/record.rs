//! `<Record>` on a leg: listening until silence, a finish key or the maximum length, and the
//! recording it leaves in the store.

use std::time::Duration;

use tokio::time::Instant;

use super::LegContext;
use crate::engine::bridge::{Sound, SoundKind};
use crate::engine::recordings::store_recording;
use crate::model::{RecordingRecord, RecordingSource};
use twilio_wire::sid::new_sid;
use twilio_wire::twiml::Record;

impl LegContext {
    /// Records as `<Record>` does: until `timeout` of silence, a finish key or `maxLength`. The
    /// recording is what was heard, silence trimmed (Twilio's default `trim-silence`): sound
    /// still playing when it starts counts from then on, a sound cut short ends at its cut
    /// (and the silence after it starts there). One that
    /// heard nothing has no recording and a `RecordingDuration` of 0, which is how Studio's
    /// record-voicemail tells `noAudio`. A recording is stored, so the REST API lists it; with
    /// `transcribe`, so is its transcription (of the speech heard while recording), and
    /// `transcribeCallback` is resolved against `document_url`.
    pub(super) async fn record(
        &self,
        record: &Record,
        document_url: &str,
    ) -> Vec<(String, String)> {
        if record.play_beep {
            // The beep plays while recording starts; it is never cut short.
            let _ = self.voice.mouth.emit(
                SoundKind::Audio,
                self.voice.clock.wall(Duration::from_millis(500)),
            );
        }
        let mut ear = self.ear.lock().await;
        let began = Instant::now();
        // Sound already playing is recorded from now on (keys pressed before are lost).
        let mut sounds: Vec<Sound> = ear.start_listening();
        let max_end = began
            + self
                .voice
                .clock
                .wall(Duration::from_secs(u64::from(record.max_length)));
        let silence = self
            .voice
            .clock
            .wall(Duration::from_secs(u64::from(record.timeout.max(1))));
        let mut finished_on = String::new();
        // The speech heard, for a transcription.
        let mut speech = Vec::new();
        loop {
            let now = Instant::now();
            let quiet_since = sounds
                .iter()
                .map(Sound::end)
                .max()
                .map_or(now, |end| end.max(now));
            let deadline = (quiet_since + silence).min(max_end);
            // The sound that ends last may yet be cut short (a prompt stopped, a ringback that
            // ends at the answer): then the silence starts at the cut.
            let open = sounds
                .iter()
                .filter(|s| s.cut.at().is_none())
                .max_by_key(|s| s.end());
            let heard = tokio::select! {
                heard = ear.next_until(deadline) => heard,
                () = cut_of(open) => continue,
            };
            let Some(sound) = heard else { break };
            if let SoundKind::Key(key) = sound.kind {
                if record.finish_on_key.contains(key) {
                    finished_on = key.to_string();
                    break;
                }
            }
            if matches!(sound.kind, SoundKind::Speech(_)) {
                speech.push(sound.clone());
            }
            sounds.push(sound);
        }
        // The first sound's start and the last sound's end, within the recording.
        let stopped = Instant::now();
        let heard = sounds
            .iter()
            .map(|s| (s.start.max(began), s.end().min(stopped)))
            .filter(|(start, end)| end > start)
            .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
        let Some((start, end)) = heard else {
            self.voice.note("recorded nothing");
            return vec![
                ("RecordingUrl".into(), String::new()),
                ("RecordingDuration".into(), "0".into()),
                ("Digits".into(), finished_on),
            ];
        };
        let emulated = (end - start).as_secs_f64() * self.voice.clock.scale();
        let seconds = (emulated.round() as i64).max(1);
        self.voice.note(format!("recorded {seconds} s"));
        let account_sid = self
            .params
            .iter()
            .find(|(k, _)| k == "AccountSid")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        let recording = RecordingRecord {
            sid: new_sid("RE"),
            account_sid: account_sid.to_string(),
            call_sid: self.voice.call_sid.clone(),
            duration_secs: seconds,
            date_created: self.voice.clock.now(),
            source: RecordingSource::RecordVerb,
            channels: 1,
        };
        let (recording_sid, url) =
            store_recording(&self.voice.store, &self.api_base_url, recording.clone());
        if record.transcribe {
            // Only the words actually said: a sound its speaker cut short lost the rest.
            let spoken: Vec<String> = speech
                .iter()
                .map(|sound| sound.words_said().join(" "))
                .filter(|text| !text.is_empty())
                .collect();
            self.transcribe(
                &recording,
                &url,
                &spoken.join(" "),
                record.transcribe_callback.as_deref(),
                document_url,
            );
        }
        vec![
            ("RecordingSid".into(), recording_sid),
            ("RecordingUrl".into(), url),
            ("RecordingDuration".into(), seconds.to_string()),
            ("Digits".into(), finished_on),
        ]
    }
}

/// Waits until this sound is cut short; never, without one.
async fn cut_of(sound: Option<&Sound>) {
    match sound {
        Some(sound) => sound.cut.happened().await,
        None => std::future::pending().await,
    }
}
