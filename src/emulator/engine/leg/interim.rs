//! Interim speech results of one `<Gather partialResultCallback>`, at a cadence like Twilio's.
//!
//! Twilio posts interim results while the caller is still speaking, so an application can act
//! before the utterance ends (the runner answers an IVR's offer that way). Here a result is
//! posted as each word has been spoken: a word of a sound ends at `start + duration * k / n`
//! (the k-th of n words, on the wall clock, i.e. scaled emulated time). One task per `<Gather>`
//! sleeps until each word's end; it is an [`OwnedTask`], so nothing is posted once the
//! `<Gather>` has ended or its leg has moved on.
//!
//! The parameters: `UnstableSpeechResult` is everything heard so far in this `<Gather>`,
//! `StableSpeechResult` all of it but the last word (a recogniser may still revise the word
//! being spoken, not the ones before it), both through the leg's recogniser model;
//! `SequenceNumber` counts from 0 within the `<Gather>`; `SpeechActivity` is `true`. Twilio
//! ignores the answer, and so does the emulator. Words whose end had already passed when the
//! `<Gather>` heard them (speech that began before it) are posted at once, one by one; words
//! after the point where a sound was cut short (a stopped prompt) are never posted.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::gather::OwnedTask;
use super::LegContext;
use crate::emulator::engine::bridge::{Sound, SoundKind};
use crate::emulator::recogniser::{spoken_words, RecogniserModel};
use crate::twilio::twiml::HttpMethod;

/// The interim results of one `<Gather>`; dropping it stops them.
pub(super) struct Interim {
    heard: mpsc::UnboundedSender<Sound>,
    _task: OwnedTask,
}

impl Interim {
    /// Starts posting to `url` (already resolved) what the `<Gather>` of `leg` hears.
    pub(super) fn start(leg: &LegContext, url: String) -> Interim {
        let (heard, mut sounds) = mpsc::unbounded_channel::<Sound>();
        let client = leg.client.clone();
        let token = leg.auth_token.clone();
        let params = leg.request_params("in-progress", Vec::new());
        let recogniser = leg.recogniser.clone();
        let voice = leg.voice.clone();
        let task = OwnedTask::spawn(async move {
            let mut words: Vec<String> = Vec::new();
            let mut sequence = 0u64;
            while let Some(sound) = sounds.recv().await {
                let SoundKind::Speech(text) = &sound.kind else {
                    continue;
                };
                let spoken = spoken_words(text);
                let count = spoken.len() as f64;
                for (index, word) in spoken.into_iter().enumerate() {
                    let share = (index + 1) as f64 / count;
                    let word_end = sound.start + sound.duration.mul_f64(share);
                    tokio::time::sleep_until(word_end).await;
                    if sound.cut.at().is_some_and(|cut| cut < word_end) {
                        break; // cut short before this word was said
                    }
                    words.push(word);
                    let mut request = params.clone();
                    request.extend([
                        (
                            "UnstableSpeechResult".to_string(),
                            recognise(&recogniser, &words),
                        ),
                        (
                            "StableSpeechResult".to_string(),
                            recognise(&recogniser, &words[..words.len() - 1]),
                        ),
                        ("SequenceNumber".to_string(), sequence.to_string()),
                        ("SpeechActivity".to_string(), "true".to_string()),
                    ]);
                    // Noted with its emulated time, so a transcript shows when the application
                    // could first know each word.
                    voice.note(format!("interim {sequence}: {}", unstable(&request)));
                    sequence += 1;
                    // Awaited, so results arrive in order; on a task of its own, so a request
                    // made before the `<Gather>` ended is not cut off when it ends. A failure is
                    // ignored, as Twilio ignores the answer.
                    let (client, url, token) = (client.clone(), url.clone(), token.clone());
                    let _ = tokio::spawn(async move {
                        let _ = client.send(&url, HttpMethod::Post, &request, &token).await;
                    })
                    .await;
                }
            }
        });
        Interim { heard, _task: task }
    }

    /// The `<Gather>` heard this speech; its words are posted as they end (those it was cut
    /// short before are not).
    pub(super) fn hear(&self, sound: &Sound) {
        let _ = self.heard.send(sound.clone());
    }
}

/// The `UnstableSpeechResult` of a request.
fn unstable(request: &[(String, String)]) -> &str {
    request
        .iter()
        .find(|(name, _)| name == "UnstableSpeechResult")
        .map_or("", |(_, value)| value.as_str())
}

/// What the recogniser makes of these words ("" for none).
fn recognise(recogniser: &Arc<std::sync::Mutex<RecogniserModel>>, words: &[String]) -> String {
    if words.is_empty() {
        return String::new();
    }
    let mut model = recogniser
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    model.hear(&words.join(" ")).text
}
