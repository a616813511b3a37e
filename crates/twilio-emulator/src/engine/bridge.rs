//! The bridge between a call's two legs: what one leg says or presses reaches the other as
//! [`Sound`]s with a start time and a duration, like audio on a line.
//!
//! A leg hears only while it gathers. Sound that ended before a `<Gather>` started is lost, as
//! on a real phone; speech still playing when a `<Gather>` starts is heard (a webhook round trip
//! must not cost the caller a whole prompt). Keys are different: Twilio receives a key press as
//! one event (RFC 2833/4733), not as audio, and a key that arrives while no `<Gather>` listens
//! is dropped; so a key tone never carries over into a `<Gather>` that starts while it sounds.
//! (Twilio's "Troubleshooting issues with Gather", support.twilio.com article 223180068: callers
//! who "press keys before the `<Gather>` has actually begun" are why prompts belong inside it.)
//!
//! Sound that is neither speech nor a key (audio, a ringback) is heard by every listener while it
//! plays: a `<Gather>` that ignores a ringback does not take it off the line for the `<Record>`
//! that follows.
//!
//! A sound can be cut short (a prompt stopped by barge-in, a leg redirected or hung up): the
//! speaking leg marks its [`Cut`], and the listening leg hears only what was said before it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Mutex, Notify};
use tokio::time::Instant;

use crate::recogniser::spoken_words;

/// What travels over the line.
#[derive(Debug, Clone, PartialEq)]
pub enum SoundKind {
    /// Speech: the text spoken (a `<Say>`).
    Speech(String),
    /// One keypad tone.
    Key(char),
    /// Audio that is not speech a recogniser understands (a `<Play>` of a URL).
    Audio,
    /// The ringback tone a caller hears while a `<Dial>` rings: not speech, so a `<Gather>`
    /// ignores it, but a `<Record>` records it.
    Ringback,
}

/// A sound on the line, in wall-clock time.
#[derive(Debug, Clone)]
pub struct Sound {
    /// What it is.
    pub kind: SoundKind,
    /// When it starts.
    pub start: Instant,
    /// How long it lasts (wall clock) unless it is cut short.
    pub duration: Duration,
    /// Where it was cut short, if it was.
    pub cut: Cut,
}

impl Sound {
    /// When it ends: its full length, or where it was cut.
    pub fn end(&self) -> Instant {
        let full = self.start + self.duration;
        self.cut
            .at()
            .map_or(full, |cut| cut.clamp(self.start, full))
    }

    /// The words of a speech sound that had been said by its end (all unless it was cut short);
    /// empty for other sounds.
    pub fn words_said(&self) -> Vec<String> {
        let SoundKind::Speech(text) = &self.kind else {
            return Vec::new();
        };
        let words = spoken_words(text);
        if self.cut.at().is_none() || self.duration.is_zero() {
            return words;
        }
        let share = (self.end() - self.start).as_secs_f64() / self.duration.as_secs_f64();
        // Only words said to their end (a small tolerance for rounding).
        let said = (words.len() as f64 * share + 1e-6).floor() as usize;
        words.into_iter().take(said).collect()
    }
}

/// Where a sound was cut short, shared by the leg that makes it and the leg that hears it.
#[derive(Debug, Clone, Default)]
pub struct Cut(Arc<CutPoint>);

#[derive(Debug, Default)]
struct CutPoint {
    at: std::sync::Mutex<Option<Instant>>,
    cut: Notify,
}

impl Cut {
    /// Cuts the sound now (the first cut counts).
    pub fn now(&self) {
        let mut at = self.0.at.lock().unwrap_or_else(|p| p.into_inner());
        if at.is_none() {
            *at = Some(Instant::now());
            // A stored permit: a listener that starts waiting later still learns of the cut.
            self.0.cut.notify_one();
        }
    }

    /// Where the sound was cut, if it was.
    pub fn at(&self) -> Option<Instant> {
        *self.0.at.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until the sound is cut (at once if it already was).
    pub async fn happened(&self) {
        if self.at().is_none() {
            self.0.cut.notified().await;
        }
    }
}

/// The sending end: what this leg puts on the line.
#[derive(Debug, Clone)]
pub struct Mouth(mpsc::UnboundedSender<Sound>);

/// The receiving end: what this leg can hear.
#[derive(Debug)]
pub struct Ear {
    rx: mpsc::UnboundedReceiver<Sound>,
    /// Sounds received that are neither speech nor keys, kept while they may still play.
    lingering: Vec<Sound>,
}

/// A one-way line: a mouth on one leg, an ear on the other.
pub fn line() -> (Mouth, Ear) {
    let (tx, rx) = mpsc::unbounded_channel();
    (
        Mouth(tx),
        Ear {
            rx,
            lingering: Vec::new(),
        },
    )
}

/// Whether every listener hears this sound while it plays, not only the one that received it.
fn lingers(sound: &Sound) -> bool {
    matches!(sound.kind, SoundKind::Audio | SoundKind::Ringback)
}

impl Mouth {
    /// Puts a sound on the line now; the speaker cuts it short through the [`Cut`] returned. A
    /// line whose other end hung up drops it.
    pub fn emit(&self, kind: SoundKind, duration: Duration) -> Cut {
        let cut = Cut::default();
        let _ = self.0.send(Sound {
            kind,
            start: Instant::now(),
            duration,
            cut: cut.clone(),
        });
        cut
    }
}

impl Mouth {
    /// Passes on a sound heard elsewhere as it is (same start, length and cut): a leg in the
    /// middle relays the line without delaying it.
    pub fn relay(&self, sound: Sound) {
        let _ = self.0.send(sound);
    }
}

impl Ear {
    /// Discards what has finished playing and every key (keys pressed before a `<Gather>` are
    /// lost, as on Twilio), keeping speech and audio still on the line: called when a leg
    /// starts listening. Audio and ringback an earlier listener received are heard again while
    /// they play.
    pub fn start_listening(&mut self) -> Vec<Sound> {
        let now = Instant::now();
        self.lingering.retain(|s| s.end() > now);
        let mut still_playing = self.lingering.clone();
        while let Ok(sound) = self.rx.try_recv() {
            if sound.end() > now && !matches!(sound.kind, SoundKind::Key(_)) {
                if lingers(&sound) {
                    self.lingering.push(sound.clone());
                }
                still_playing.push(sound);
            }
        }
        still_playing
    }

    /// The next sound, waiting at most until `deadline`; `None` at the deadline or when the
    /// other leg is gone.
    pub async fn next_until(&mut self, deadline: Instant) -> Option<Sound> {
        let sound = tokio::time::timeout_at(deadline, self.rx.recv())
            .await
            .ok()
            .flatten()?;
        if lingers(&sound) {
            let now = Instant::now();
            self.lingering.retain(|s| s.end() > now);
            self.lingering.push(sound.clone());
        }
        Some(sound)
    }
}

/// How long [`forward`] and [`relay`] wait for the next sound before they look again.
const QUIET: Duration = Duration::from_secs(86_400);

/// Passes what `from` hears on to `to` as it is said (same start, length and cut), showing each
/// sound to `seen` (a recording's tap), until the other end of `from` is gone: one direction of
/// two bridged calls.
pub async fn forward(mut from: Ear, to: Mouth, seen: impl Fn(&Sound)) {
    loop {
        let far = Instant::now() + QUIET;
        match from.next_until(far).await {
            Some(sound) => {
                seen(&sound);
                to.relay(sound);
            }
            None if Instant::now() < far => return,
            None => {}
        }
    }
}

/// As [`forward`], from a leg's own ear, which a parked leg does not use meanwhile (sounds
/// relayed here are not heard by that leg later, as on a real bridge). With `stop_on_star` it
/// returns when `*` is pressed (`hangupOnStar`); otherwise, and once the line is gone, it never
/// returns.
pub async fn relay(ear: Arc<Mutex<Ear>>, to: Mouth, stop_on_star: bool, seen: impl Fn(&Sound)) {
    let mut ear = ear.lock().await;
    ear.start_listening();
    loop {
        let far = Instant::now() + QUIET;
        let Some(sound) = ear.next_until(far).await else {
            if Instant::now() < far {
                // The caller's side of the line is gone: nothing more to relay.
                return std::future::pending().await;
            }
            continue;
        };
        if stop_on_star && sound.kind == SoundKind::Key('*') {
            return;
        }
        seen(&sound);
        to.relay(sound);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn finished_sounds_are_lost_and_playing_ones_are_heard() {
        let (mouth, mut ear) = line();
        mouth.emit(SoundKind::Key('1'), Duration::ZERO);
        mouth.emit(SoundKind::Speech("hello".into()), Duration::from_secs(60));
        tokio::time::sleep(Duration::from_millis(5)).await;
        let heard = ear.start_listening();
        assert_eq!(heard.len(), 1);
        assert_eq!(heard[0].kind, SoundKind::Speech("hello".into()));
    }

    #[tokio::test]
    async fn a_sound_cut_short_ends_there_with_the_words_said_by_then() {
        let (mouth, mut ear) = line();
        let cut = mouth.emit(
            SoundKind::Speech("one two three four".into()),
            Duration::from_millis(800),
        );
        let sound = ear.start_listening().pop().expect("still playing");
        assert_eq!(sound.words_said().len(), 4, "not cut: every word");
        tokio::time::sleep(Duration::from_millis(210)).await;
        cut.now();
        assert!(sound.end() < sound.start + sound.duration);
        // Cut a quarter to a half through (however late the sleep wakes): one word said.
        assert_eq!(sound.words_said(), vec!["one"]);
        // A listener learns of the cut even after it happened; a cut sound is not heard later.
        sound.cut.happened().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        mouth
            .emit(SoundKind::Speech("gone".into()), Duration::from_secs(1))
            .now();
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(ear.start_listening().is_empty());
    }

    #[tokio::test]
    async fn a_key_still_sounding_when_listening_starts_is_lost() {
        let (mouth, mut ear) = line();
        mouth.emit(SoundKind::Speech("welcome".into()), Duration::from_secs(60));
        mouth.emit(SoundKind::Key('1'), Duration::from_secs(60));
        let heard: Vec<SoundKind> = ear.start_listening().into_iter().map(|s| s.kind).collect();
        assert_eq!(heard, vec![SoundKind::Speech("welcome".into())]);
        // A key pressed once the leg listens arrives.
        mouth.emit(SoundKind::Key('2'), Duration::from_secs(60));
        let next = ear
            .next_until(Instant::now() + Duration::from_secs(1))
            .await;
        assert_eq!(next.map(|s| s.kind), Some(SoundKind::Key('2')));
    }

    #[tokio::test]
    async fn audio_a_listener_ignored_is_heard_by_the_next_while_it_plays() {
        let (mouth, mut ear) = line();
        let ringback = mouth.emit(SoundKind::Ringback, Duration::from_secs(60));
        mouth.emit(SoundKind::Speech("hello".into()), Duration::from_millis(10));
        // A first listener takes both off the line.
        for _ in 0..2 {
            let taken = ear
                .next_until(Instant::now() + Duration::from_secs(1))
                .await;
            assert!(taken.is_some());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        // The next hears the ringback still playing, not the speech it was not given.
        let heard: Vec<SoundKind> = ear.start_listening().into_iter().map(|s| s.kind).collect();
        assert_eq!(heard, vec![SoundKind::Ringback]);
        // Once cut, it is over for everyone.
        ringback.now();
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(ear.start_listening().is_empty());
    }

    #[tokio::test]
    async fn next_until_waits_for_sound_or_deadline() {
        let (mouth, mut ear) = line();
        let deadline = Instant::now() + Duration::from_millis(20);
        assert!(ear.next_until(deadline).await.is_none());
        mouth.emit(SoundKind::Key('#'), Duration::ZERO);
        let sound = ear
            .next_until(Instant::now() + Duration::from_secs(1))
            .await;
        assert_eq!(sound.map(|s| s.kind), Some(SoundKind::Key('#')));
    }
}
