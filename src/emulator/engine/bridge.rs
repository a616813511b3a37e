//! The bridge between a call's two legs: what one leg says or presses reaches the other as
//! [`Sound`]s with a start time and a duration, like audio on a line.
//!
//! A leg hears only while it gathers. Sound that ended before a `<Gather>` started is lost, as
//! on a real phone; speech still playing when a `<Gather>` starts is heard (a webhook round trip
//! must not cost the caller a whole prompt). Keys are different: Twilio receives a key press as
//! one event (RFC 2833/4733), not as audio, and a key that arrives while no `<Gather>` listens
//! is dropped; so a key tone never carries over into a `<Gather>` that starts while it sounds.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

/// What travels over the line.
#[derive(Debug, Clone, PartialEq)]
pub enum SoundKind {
    /// Speech: the text spoken (a `<Say>`).
    Speech(String),
    /// One keypad tone.
    Key(char),
    /// Audio that is not speech a recogniser understands (a `<Play>` of a URL).
    Audio,
}

/// A sound on the line, in wall-clock time.
#[derive(Debug, Clone, PartialEq)]
pub struct Sound {
    /// What it is.
    pub kind: SoundKind,
    /// When it starts.
    pub start: Instant,
    /// How long it lasts (wall clock).
    pub duration: Duration,
}

impl Sound {
    /// When it ends.
    pub fn end(&self) -> Instant {
        self.start + self.duration
    }
}

/// The sending end: what this leg puts on the line.
#[derive(Debug, Clone)]
pub struct Mouth(mpsc::UnboundedSender<Sound>);

/// The receiving end: what this leg can hear.
#[derive(Debug)]
pub struct Ear(mpsc::UnboundedReceiver<Sound>);

/// A one-way line: a mouth on one leg, an ear on the other.
pub fn line() -> (Mouth, Ear) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Mouth(tx), Ear(rx))
}

impl Mouth {
    /// Puts a sound on the line now. A line whose other end hung up drops it.
    pub fn emit(&self, kind: SoundKind, duration: Duration) {
        let _ = self.0.send(Sound {
            kind,
            start: Instant::now(),
            duration,
        });
    }
}

impl Ear {
    /// Discards what has finished playing and every key (keys pressed before a `<Gather>` are
    /// lost, as on Twilio), keeping speech and audio still on the line: called when a leg
    /// starts listening.
    pub fn start_listening(&mut self) -> Vec<Sound> {
        let now = Instant::now();
        let mut still_playing = Vec::new();
        while let Ok(sound) = self.0.try_recv() {
            if sound.end() > now && !matches!(sound.kind, SoundKind::Key(_)) {
                still_playing.push(sound);
            }
        }
        still_playing
    }

    /// The next sound, waiting at most until `deadline`; `None` at the deadline or when the
    /// other leg is gone.
    pub async fn next_until(&mut self, deadline: Instant) -> Option<Sound> {
        tokio::time::timeout_at(deadline, self.0.recv())
            .await
            .ok()
            .flatten()
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
    async fn next_until_waits_for_sound_or_deadline() {
        let (mouth, mut ear) = line();
        let deadline = Instant::now() + Duration::from_millis(20);
        assert_eq!(ear.next_until(deadline).await, None);
        mouth.emit(SoundKind::Key('#'), Duration::ZERO);
        let sound = ear
            .next_until(Instant::now() + Duration::from_secs(1))
            .await;
        assert_eq!(sound.map(|s| s.kind), Some(SoundKind::Key('#')));
    }
}
