//! Interim speech results of one `<Gather partialResultCallback>`, at a cadence like Twilio's.
//!
//! Twilio posts interim results while the caller is still speaking, so an application can act
//! before the utterance ends (the runner answers an IVR's offer that way). Here a result is
//! posted as each word has been spoken: a word of a sound ends at `start + duration * k / n`
//! (the k-th of n words, on the wall clock, i.e. scaled emulated time). One task per `<Gather>`
//! sleeps until the next word's end; it is an [`OwnedTask`], so it stops with the `<Gather>`.
//! When the `<Gather>` ends (its result, a redirect, a hang-up), the words said by then and not
//! yet posted are posted at once, so the last word before a hang-up is never lost to a race
//! between timers; nothing said after that moment is posted.
//!
//! The parameters: `UnstableSpeechResult` is everything heard so far in this `<Gather>`,
//! `StableSpeechResult` all of it but the last word (a recogniser may still revise the word
//! being spoken, not the ones before it), both through the leg's recogniser model;
//! `SequenceNumber` counts from 0 within the `<Gather>`; `SpeechActivity` is `true`. Twilio
//! ignores the answer, and so does the emulator. Words whose end had already passed when the
//! `<Gather>` heard them (speech that began before it) are posted at once, one by one; words
//! after the point where a sound was cut short (a stopped prompt) are never posted. Each post is
//! noted in the transcript as `interim N: TEXT`, with its emulated time.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
use tokio::time::Instant;

use super::owned_task::OwnedTask;
use super::{LegContext, PendingPosts, Voice};
use crate::engine::bridge::{Sound, SoundKind};
use crate::engine::webhook::WebhookClient;
use crate::recogniser::{spoken_words, RecogniserModel};
use twilio_wire::twiml::HttpMethod;

/// The interim results of one `<Gather>`; dropping it posts what is due and stops them.
pub(super) struct Interim {
    progress: Arc<Mutex<Progress>>,
    heard: Arc<Notify>,
    poster: Poster,
    _task: OwnedTask,
}

/// What has been heard and posted so far.
struct Progress {
    /// Speech heard, the front one being posted word by word.
    sounds: VecDeque<Sound>,
    /// How many words of the front sound have been posted.
    posted: usize,
    /// Every word posted in this `<Gather>`.
    words: Vec<String>,
    /// The next `SequenceNumber`.
    sequence: u64,
}

/// Sends interim results and notes them.
#[derive(Clone)]
struct Poster {
    client: WebhookClient,
    url: String,
    token: String,
    params: Vec<(String, String)>,
    recogniser: Arc<std::sync::Mutex<RecogniserModel>>,
    voice: Voice,
    posts: PendingPosts,
}

impl Interim {
    /// Starts posting to `url` (already resolved) what the `<Gather>` of `leg` hears.
    pub(super) fn start(leg: &LegContext, url: String) -> Interim {
        let progress = Arc::new(Mutex::new(Progress {
            sounds: VecDeque::new(),
            posted: 0,
            words: Vec::new(),
            sequence: 0,
        }));
        let heard = Arc::new(Notify::new());
        let poster = Poster {
            client: leg.client.clone(),
            url,
            token: leg.auth_token.clone(),
            params: leg.request_params("in-progress", Vec::new()),
            recogniser: leg.recogniser.clone(),
            voice: leg.voice.clone(),
            posts: leg.posts.clone(),
        };
        let task = {
            let (progress, heard, poster) = (progress.clone(), heard.clone(), poster.clone());
            OwnedTask::spawn(async move {
                loop {
                    let next = lock(&progress).next_word_end();
                    match next {
                        Some(end) => tokio::select! {
                            () = tokio::time::sleep_until(end) => {}
                            () = heard.notified() => {}
                        },
                        None => heard.notified().await,
                    }
                    let due = poster.due(&mut lock(&progress), Instant::now());
                    for request in due {
                        // One at a time, so results arrive in order.
                        poster.send(request).await;
                    }
                }
            })
        };
        Interim {
            progress,
            heard,
            poster,
            _task: task,
        }
    }

    /// The `<Gather>` heard this speech; its words are posted as they end.
    pub(super) fn hear(&self, sound: &Sound) {
        if matches!(sound.kind, SoundKind::Speech(_)) {
            lock(&self.progress).sounds.push_back(sound.clone());
            self.heard.notify_one();
        }
    }
}

impl Drop for Interim {
    /// Posts the words said by now that the task has not posted yet (the `<Gather>` ends now).
    fn drop(&mut self) {
        let due = self.poster.due(&mut lock(&self.progress), Instant::now());
        // Outside a runtime (at shutdown) there is nobody left to post to.
        if tokio::runtime::Handle::try_current().is_ok() && !due.is_empty() {
            let poster = self.poster.clone();
            let flush = tokio::spawn(async move {
                for request in due {
                    poster.send(request).await;
                }
            });
            self.poster.posts.add(flush);
        }
    }
}

impl Progress {
    /// When the next word to post ends (or its sound was cut), if any speech is waiting.
    fn next_word_end(&self) -> Option<Instant> {
        let sound = self.sounds.front()?;
        let end = word_end(sound, self.posted + 1, word_count(sound));
        Some(sound.cut.at().map_or(end, |cut| cut.min(end)))
    }
}

impl Poster {
    /// The requests for every word said by `now` and not posted yet, in order, each noted.
    fn due(&self, progress: &mut Progress, now: Instant) -> Vec<Vec<(String, String)>> {
        let mut requests = Vec::new();
        while let Some(sound) = progress.sounds.front() {
            let SoundKind::Speech(text) = &sound.kind else {
                progress.sounds.pop_front();
                continue;
            };
            let spoken = spoken_words(text);
            let Some(word) = spoken.get(progress.posted) else {
                progress.sounds.pop_front();
                progress.posted = 0;
                continue;
            };
            let end = word_end(sound, progress.posted + 1, spoken.len());
            if sound.cut.at().is_some_and(|cut| cut < end) {
                // Cut short before this word was said: the rest of it is never heard.
                progress.sounds.pop_front();
                progress.posted = 0;
                continue;
            }
            if end > now {
                break;
            }
            progress.words.push(word.clone());
            progress.posted += 1;
            if progress.posted == spoken.len() {
                progress.sounds.pop_front();
                progress.posted = 0;
            }
            requests.push(self.request(&progress.words, progress.sequence));
            progress.sequence += 1;
        }
        requests
    }

    /// The request for the interim result of `words`, noted in the transcript.
    fn request(&self, words: &[String], sequence: u64) -> Vec<(String, String)> {
        let unstable = recognise(&self.recogniser, words);
        let stable = recognise(&self.recogniser, &words[..words.len().saturating_sub(1)]);
        // Noted with its emulated time, so a transcript shows when the application could first
        // know each word.
        self.voice.note(format!("interim {sequence}: {unstable}"));
        let mut request = self.params.clone();
        request.extend([
            ("UnstableSpeechResult".to_string(), unstable),
            ("StableSpeechResult".to_string(), stable),
            ("SequenceNumber".to_string(), sequence.to_string()),
            ("SpeechActivity".to_string(), "true".to_string()),
        ]);
        request
    }

    /// Sends one interim result and waits for the answer. It runs on a task of its own, kept
    /// in the leg's pending posts, so a request made before the `<Gather>` ended is not cut off
    /// when it ends, and the call reports its end only after it. A failure is ignored, as
    /// Twilio ignores the answer.
    async fn send(&self, request: Vec<(String, String)>) {
        let (client, url, token) = (self.client.clone(), self.url.clone(), self.token.clone());
        let done = Arc::new(Notify::new());
        let answered = done.clone();
        self.posts.add(tokio::spawn(async move {
            let _ = client.send(&url, HttpMethod::Post, &request, &token).await;
            answered.notify_one();
        }));
        done.notified().await;
    }
}

fn word_count(sound: &Sound) -> usize {
    match &sound.kind {
        SoundKind::Speech(text) => spoken_words(text).len(),
        _ => 0,
    }
}

/// When the `k`-th of `count` words of a sound ends (wall clock).
fn word_end(sound: &Sound, k: usize, count: usize) -> Instant {
    sound.start + sound.duration.mul_f64(k as f64 / count.max(1) as f64)
}

fn lock(progress: &Mutex<Progress>) -> std::sync::MutexGuard<'_, Progress> {
    progress
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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
