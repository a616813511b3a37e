//! `<Dial record>`: the recording of a dialled conversation, a Recording resource of the
//! dialling call (`source` `DialVerb`), as Twilio's `<Dial>` reference describes it.
//!
//! `record-from-answer` starts when the connected party answers, `record-from-ringing` when
//! dialling starts (so a `<Dial>` nobody answers still leaves the ringing recorded); both end
//! with the `<Dial>`. `-dual` makes two channels (the caller, then the party), unless
//! `recordingTrack` keeps one direction only, which Twilio always records in one channel. The
//! duration is the recorded time, or with `trim="trim-silence"` the time from the first sound to
//! the last on the recorded tracks (`inbound`: what the caller says; `outbound`: what the caller
//! hears, the party and the ringback); a recording with nothing left is `absent` and not kept.
//! `recordingStatusCallback` gets the events it subscribes to (`completed` by default), signed,
//! in order, with `AccountSid`, `CallSid` (the dialling call), `RecordingSid`, `RecordingUrl`,
//! `RecordingStatus`, `RecordingDuration` (when completed), `RecordingChannels`,
//! `RecordingStartTime`, `RecordingSource=DialVerb` and `RecordingTrack`.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::resolved;
use crate::clock::Clock;
use crate::engine::bridge::Sound;
use crate::engine::leg::{LegContext, PendingPosts};
use crate::engine::recordings::{recording_url, store_recording};
use crate::model::{RecordingRecord, RecordingSource};
use crate::store::Store;
use twilio_wire::sid::new_sid;
use twilio_wire::time::rfc2822;
use twilio_wire::twiml::{Dial, RecordingEvent, RecordingTrack};

/// The sounds that went one way over the bridge, for trimming silence.
#[derive(Debug, Clone, Default)]
pub(super) struct Tap(Arc<Mutex<Vec<Sound>>>);

impl Tap {
    /// Notes a sound that went this way.
    pub(super) fn hear(&self, sound: &Sound) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(sound.clone());
    }

    /// The first start and last end of what was heard within `from..to`.
    fn span(&self, from: Instant, to: Instant) -> Option<(Instant, Instant)> {
        let sounds = self.0.lock().unwrap_or_else(|p| p.into_inner());
        sounds
            .iter()
            .map(|s| (s.start.max(from), s.end().min(to)))
            .filter(|(start, end)| end > start)
            .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
    }
}

/// Both directions of a recorded bridge.
#[derive(Debug, Clone, Default)]
pub(super) struct Taps {
    /// What Twilio receives from the caller.
    pub(super) inbound: Tap,
    /// What Twilio plays to the caller: the party, and the ringback.
    pub(super) outbound: Tap,
}

/// A kept recording, as the `action` and the party's `completed` callback report it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// `RecordingSid`.
    pub sid: String,
    /// `RecordingUrl`.
    pub url: String,
    /// `RecordingDuration`, seconds.
    pub duration: i64,
}

impl Recorded {
    /// `RecordingUrl`, `RecordingSid` and `RecordingDuration`.
    pub fn params(&self) -> Vec<(String, String)> {
        vec![
            ("RecordingUrl".into(), self.url.clone()),
            ("RecordingSid".into(), self.sid.clone()),
            ("RecordingDuration".into(), self.duration.to_string()),
        ]
    }
}

/// Sends the recording status callbacks one after another, so they arrive in order.
struct Callbacks {
    tx: mpsc::UnboundedSender<Vec<(String, String)>>,
    sending: tokio::task::JoinHandle<()>,
    events: Vec<RecordingEvent>,
}

/// The recording of one `<Dial>`, from its start to its end.
pub(super) struct DialRecording {
    sid: String,
    url: String,
    account_sid: String,
    call_sid: String,
    channels: u8,
    track: RecordingTrack,
    trim: bool,
    started: Option<(DateTime<Utc>, Instant)>,
    /// The bridge's sounds, for `trim`.
    pub(super) taps: Taps,
    callbacks: Option<Callbacks>,
    store: Store,
    api_base_url: String,
    clock: Clock,
    posts: PendingPosts,
    finished: bool,
}

impl DialRecording {
    /// The recording `dial` asks for, of the call `call_sid`; `None` for `do-not-record`.
    pub(super) fn new(
        leg: &LegContext,
        dial: &Dial,
        document_url: &str,
        call_sid: &str,
    ) -> Option<DialRecording> {
        if !dial.record.records() {
            return None;
        }
        let account_sid = leg
            .params
            .iter()
            .find(|(k, _)| k == "AccountSid")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let sid = new_sid("RE");
        let callbacks = dial.recording_status_callback.as_deref().map(|url| {
            let (tx, mut rx) = mpsc::unbounded_channel::<Vec<(String, String)>>();
            let (client, token) = (leg.client.clone(), leg.auth_token.clone());
            let (url, method) = (
                resolved(document_url, url),
                dial.recording_status_callback_method,
            );
            let sending = tokio::spawn(async move {
                while let Some(params) = rx.recv().await {
                    // A callback that fails is lost, as with Twilio.
                    let _ = client.send(&url, method, &params, &token).await;
                }
            });
            Callbacks {
                tx,
                sending,
                events: dial.recording_status_callback_events.clone(),
            }
        });
        Some(DialRecording {
            url: recording_url(&leg.api_base_url, &account_sid, &sid),
            sid,
            account_sid,
            call_sid: call_sid.to_string(),
            channels: if dial.record.dual() && dial.recording_track == RecordingTrack::Both {
                2
            } else {
                1
            },
            track: dial.recording_track,
            trim: dial.trim,
            started: None,
            taps: Taps::default(),
            callbacks,
            store: leg.voice.store.clone(),
            api_base_url: leg.api_base_url.clone(),
            clock: leg.voice.clock,
            posts: leg.posts.clone(),
            finished: false,
        })
    }

    /// Starts recording from `at` (emulated time, and the wall clock sounds are timed on);
    /// only the first start counts.
    pub(super) fn start(&mut self, at: (DateTime<Utc>, Instant)) {
        if self.started.is_none() {
            self.started = Some(at);
            self.notify(RecordingEvent::InProgress, None);
        }
    }

    /// Sends the callback for `event` if it was asked for.
    fn notify(&self, event: RecordingEvent, duration: Option<i64>) {
        let (Some(callbacks), Some((start, _))) = (&self.callbacks, self.started) else {
            return;
        };
        if !callbacks.events.contains(&event) {
            return;
        }
        let mut params: Vec<(String, String)> = vec![
            ("AccountSid".into(), self.account_sid.clone()),
            ("CallSid".into(), self.call_sid.clone()),
            ("RecordingSid".into(), self.sid.clone()),
            ("RecordingUrl".into(), self.url.clone()),
            ("RecordingStatus".into(), event.as_str().into()),
        ];
        if let Some(duration) = duration {
            params.push(("RecordingDuration".into(), duration.to_string()));
        }
        params.extend([
            ("RecordingChannels".into(), self.channels.to_string()),
            ("RecordingStartTime".into(), rfc2822(start)),
            (
                "RecordingSource".into(),
                RecordingSource::DialVerb.as_str().into(),
            ),
            ("RecordingTrack".into(), self.track.as_str().into()),
        ]);
        let _ = callbacks.tx.send(params);
    }

    /// Ends the recording now: keeps it (a Recording resource) unless nothing was recorded.
    /// `None` when it never started or is absent.
    pub(super) fn finish(&mut self) -> Option<Recorded> {
        if std::mem::replace(&mut self.finished, true) {
            return None;
        }
        let recorded = self.keep();
        // The callbacks still on their way are waited for with the call's other requests.
        if let Some(callbacks) = self.callbacks.take() {
            drop(callbacks.tx);
            self.posts.add(callbacks.sending);
        }
        recorded
    }

    /// The recorded seconds, the resource stored, the callback sent.
    fn keep(&self) -> Option<Recorded> {
        let (start, start_wall) = self.started?;
        let end_wall = Instant::now();
        let span = if self.trim {
            let taps = match self.track {
                RecordingTrack::Both => vec![&self.taps.inbound, &self.taps.outbound],
                RecordingTrack::Inbound => vec![&self.taps.inbound],
                RecordingTrack::Outbound => vec![&self.taps.outbound],
            };
            taps.iter()
                .filter_map(|tap| tap.span(start_wall, end_wall))
                .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
        } else {
            Some((start_wall, end_wall)).filter(|(a, b)| b > a)
        };
        let Some((first, last)) = span else {
            self.notify(RecordingEvent::Absent, None);
            return None;
        };
        let emulated = (last - first).as_secs_f64() * self.clock.scale();
        let duration = (emulated.round() as i64).max(1);
        let (sid, url) = store_recording(
            &self.store,
            &self.api_base_url,
            RecordingRecord {
                sid: self.sid.clone(),
                account_sid: self.account_sid.clone(),
                call_sid: self.call_sid.clone(),
                duration_secs: duration,
                date_created: start,
                source: RecordingSource::DialVerb,
                channels: self.channels,
            },
        );
        self.notify(RecordingEvent::Completed, Some(duration));
        Some(Recorded { sid, url, duration })
    }
}

impl Drop for DialRecording {
    /// A recording stopped early (the caller hung up) is kept all the same.
    fn drop(&mut self) {
        self.finish();
    }
}
