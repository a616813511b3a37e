//! `<Gather>`: listening to the other leg while the nested prompts play.
//!
//! Everything a `<Gather>` starts (its prompts, its interim results) runs on [`OwnedTask`]s,
//! which end with the `<Gather>`: when a live-call update redirects the leg or the call ends,
//! the leg's task is aborted, the `<Gather>` future is dropped, and with it the prompts stop and
//! no further interim result is posted. Its `action` is then never requested.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use super::interim::Interim;
use super::owned_task::OwnedTask;
use super::{resolved, LegContext, AUTO_SPEECH_TIMEOUT};
use crate::engine::bridge::{Sound, SoundKind};
use twilio_wire::twiml::{Gather, SpeechTimeout, Verb};

/// What a `<Gather>` or `<Record>` produced.
pub(super) enum Heard {
    Nothing,
    Digits {
        digits: String,
        finished_on: Option<char>,
    },
    Speech(Vec<String>),
}

/// Waits for the prompts to finish; never, when there are none (for `select!`).
async fn prompts_finished(prompts: &mut Option<OwnedTask>) {
    match prompts {
        Some(task) => task.finished().await,
        None => std::future::pending().await,
    }
}

impl LegContext {
    /// Listens as `<Gather>` does: nested prompts play until the first input (barge-in), or to
    /// their end with `bargeIn="false"` (and only then does the `<Gather>` listen); then keys end
    /// at `numDigits`, `finishOnKey` or `timeout` between keys, and speech ends after
    /// `speechTimeout` of silence. Each key taken is noted as `hears key: K` at its arrival, so
    /// a transcript shows when a key reached the `<Gather>`.
    pub(super) async fn gather(&self, gather: &Gather, document_url: &str) -> Heard {
        let mut ear = self.ear.lock().await;
        // Prompts play on their own task so that input can interrupt them.
        let mut prompts = (!gather.prompts.is_empty()).then(|| {
            let (voice, verbs): (_, Vec<Verb>) = (self.voice.clone(), gather.prompts.clone());
            OwnedTask::spawn(async move {
                for verb in &verbs {
                    voice.play(verb).await;
                }
            })
        });
        if !gather.barge_in {
            if let Some(task) = &mut prompts {
                // Nothing interrupts the prompts; what arrives meanwhile is not taken.
                task.finished().await;
                prompts = None;
            }
        }
        // Oldest first: speech still playing is heard in the order it began.
        let mut pending: VecDeque<Sound> = ear.start_listening().into();
        let timeout = self
            .voice
            .clock
            .wall(Duration::from_secs(u64::from(gather.timeout)));
        let speech_timeout = self.voice.clock.wall(match gather.speech_timeout {
            Some(SpeechTimeout::Auto) => AUTO_SPEECH_TIMEOUT,
            Some(SpeechTimeout::Seconds(s)) => Duration::from_secs(u64::from(s)),
            None => Duration::from_secs(u64::from(gather.timeout)),
        });
        let interim = match &gather.partial_result_callback {
            Some(callback) if gather.speech => {
                Some(Interim::start(self, resolved(document_url, callback)))
            }
            _ => None,
        };
        let mut digits = String::new();
        let mut speech: Vec<Sound> = Vec::new();
        // Whether the cut of the last speech heard has moved the deadline already.
        let mut cut_seen = false;
        // While prompts play, no timer runs; afterwards `timeout` starts (Twilio's rule).
        let mut deadline: Option<Instant> = prompts.is_none().then(|| Instant::now() + timeout);
        loop {
            let sound = match pending.pop_front() {
                Some(sound) => sound,
                None => {
                    // Without a deadline the prompts still play: input or their end comes first.
                    let wait_until = deadline.unwrap_or_else(far_future);
                    let last_speech = speech.last().filter(|_| !cut_seen);
                    tokio::select! {
                        sound = ear.next_until(wait_until) => match sound {
                            Some(sound) => sound,
                            // The deadline, or the other leg is gone.
                            None => break,
                        },
                        () = prompts_finished(&mut prompts) => {
                            prompts = None;
                            deadline = Some(Instant::now() + timeout);
                            continue;
                        }
                        // Speech cut short ends there: the silence counts from the cut.
                        () = cut_of(last_speech) => {
                            cut_seen = true;
                            deadline = speech.last().map(|s| s.end() + speech_timeout);
                            continue;
                        }
                    }
                }
            };
            match &sound.kind {
                &SoundKind::Key(key) if gather.dtmf && speech.is_empty() => {
                    prompts = None; // barge-in: dropping the task stops the prompts
                    self.voice.note(format!("hears key: {key}"));
                    if gather.finish_on_key.contains(key) {
                        return Heard::Digits {
                            digits,
                            finished_on: Some(key),
                        };
                    }
                    digits.push(key);
                    if gather
                        .num_digits
                        .is_some_and(|n| digits.chars().count() >= n as usize)
                    {
                        return Heard::Digits {
                            digits,
                            finished_on: None,
                        };
                    }
                    deadline = Some(Instant::now() + timeout);
                }
                SoundKind::Speech(_) if gather.speech && digits.is_empty() => {
                    prompts = None;
                    if let Some(interim) = &interim {
                        interim.hear(&sound);
                    }
                    deadline = Some(sound.end() + speech_timeout);
                    cut_seen = false;
                    speech.push(sound);
                }
                _ => {}
            }
        }
        let said: Vec<String> = speech
            .iter()
            .map(|sound| sound.words_said().join(" "))
            .filter(|text| !text.is_empty())
            .collect();
        if !said.is_empty() {
            Heard::Speech(said)
        } else if !digits.is_empty() {
            Heard::Digits {
                digits,
                finished_on: None,
            }
        } else {
            Heard::Nothing
        }
    }
}

/// Waits until this sound is cut short; never, without one.
async fn cut_of(sound: Option<&Sound>) {
    match sound {
        Some(sound) => sound.cut.happened().await,
        None => std::future::pending().await,
    }
}

/// A deadline that does not come (about a year away), for waits that other events end.
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(365 * 24 * 3600)
}
