//! What a queued call hears: the `waitUrl` TwiML while it waits, requested again each time it
//! runs out (Twilio's hold music without one), and a `<Queue url>` announcement when it is
//! taken out. Both hold fewer verbs than a call's own TwiML: `<Say>`, `<Play>`, `<Pause>`,
//! `<Gather>`, `<Redirect>`, `<Hangup>` and `<Leave>` in a wait document (Twilio's `<Enqueue>`
//! reference), `<Say>`, `<Play>`, `<Pause>` and `<Redirect>` in an announcement (its `<Queue>`
//! reference); another verb ends the document with an error naming it. A `<Gather>`'s `action`
//! and a `<Redirect>` fetch the next document of the same kind.

use std::time::Duration;

use super::Ticket;
use crate::engine::bridge::SoundKind;
use crate::engine::leg::{resolved, LegContext, MAX_DOCUMENTS};
use crate::model::TwimlSource;
use twilio_wire::twiml::{Enqueue, Verb};

/// How long one stretch of the default hold music lasts before it is played again.
const HOLD_MUSIC: Duration = Duration::from_secs(3600);
/// A wait document that takes less emulated time than this is requested again only after it,
/// so an empty one does not make the emulator request it without pause.
const SHORTEST_WAIT: Duration = Duration::from_secs(1);

/// Which kind of document runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Holding {
    /// `waitUrl` TwiML.
    Waiting,
    /// `<Queue url>` TwiML.
    Announcing,
}

impl Holding {
    /// The verbs Twilio allows in it, by name.
    fn allowed(self) -> &'static [&'static str] {
        match self {
            Holding::Waiting => &[
                "Say", "Play", "Pause", "Gather", "Redirect", "Hangup", "Leave",
            ],
            Holding::Announcing => &["Say", "Play", "Pause", "Redirect"],
        }
    }

    fn what(self) -> &'static str {
        match self {
            Holding::Waiting => "a waitUrl document",
            Holding::Announcing => "a <Queue url> document",
        }
    }
}

/// How held documents ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum HoldEnd {
    /// The verbs ran out.
    Finished,
    /// `<Leave>`.
    Leave,
    /// `<Hangup>`.
    HungUp,
    /// A document could not be fetched, or held a verb not allowed there.
    Failed(String),
}

/// How waiting in a queue ended, when the call itself ended it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::engine::leg) enum WaitEnd {
    /// `<Leave>`.
    Leave,
    /// `<Hangup>`.
    HungUp,
    /// The wait TwiML failed.
    Failed(String),
}

/// The element name of a verb.
fn name(verb: &Verb) -> &str {
    match verb {
        Verb::Say(_) => "Say",
        Verb::Play(_) => "Play",
        Verb::Pause(_) => "Pause",
        Verb::Gather(_) => "Gather",
        Verb::Record(_) => "Record",
        Verb::Dial(_) => "Dial",
        Verb::Redirect(_) => "Redirect",
        Verb::Hangup => "Hangup",
        Verb::Reject(_) => "Reject",
        Verb::Enqueue(_) => "Enqueue",
        Verb::Leave => "Leave",
        Verb::Unsupported { name } => name,
    }
}

impl LegContext {
    /// Plays what the caller hears while queued until the call leaves by its own doing; a
    /// dequeue stops it from outside.
    pub(super) async fn wait_in_queue(
        &self,
        enqueue: &Enqueue,
        document_url: &str,
        ticket: &Ticket<'_>,
    ) -> WaitEnd {
        let Some(wait_url) = &enqueue.wait_url else {
            self.voice.note("plays hold music");
            loop {
                self.voice.sound(SoundKind::Audio, HOLD_MUSIC).await;
            }
        };
        let source = TwimlSource::Url {
            url: resolved(document_url, wait_url),
            method: enqueue.wait_url_method,
        };
        let params = || ticket.wait_params();
        loop {
            let started = self.voice.clock.now();
            match self.hold(source.clone(), &params, Holding::Waiting).await {
                HoldEnd::Finished => {
                    let took = (self.voice.clock.now() - started)
                        .to_std()
                        .unwrap_or_default();
                    if took < SHORTEST_WAIT {
                        self.voice.clock.sleep(SHORTEST_WAIT - took).await;
                    }
                }
                HoldEnd::Leave => return WaitEnd::Leave,
                HoldEnd::HungUp => return WaitEnd::HungUp,
                HoldEnd::Failed(why) => return WaitEnd::Failed(why),
            }
        }
    }

    /// Runs held documents from `first`, each requested with the leg's parameters and
    /// `extra`'s, until their verbs run out or one ends them.
    pub(super) async fn hold(
        &self,
        first: TwimlSource,
        extra: &(dyn Fn() -> Vec<(String, String)> + Sync),
        holding: Holding,
    ) -> HoldEnd {
        let mut next = Some((first, Vec::new()));
        for _ in 0..MAX_DOCUMENTS {
            let Some((source, mut gathered)) = next.take() else {
                return HoldEnd::Finished;
            };
            let mut params = extra();
            params.append(&mut gathered);
            let params = self.request_params("in-progress", params);
            let Some((document, url)) = self.load(&source, &params).await else {
                return HoldEnd::Failed(format!("{} could not be fetched", holding.what()));
            };
            for verb in &document.verbs {
                if !holding.allowed().contains(&name(verb)) {
                    return HoldEnd::Failed(format!(
                        "<{}> is not allowed in {} (Twilio allows {})",
                        name(verb),
                        holding.what(),
                        holding.allowed().join(", ")
                    ));
                }
                match verb {
                    Verb::Gather(gather) => {
                        let heard = self.gather(gather, &url).await;
                        let Some(extra) = self.gathered(heard, gather) else {
                            continue;
                        };
                        let target = gather
                            .action
                            .as_deref()
                            .map_or(url.clone(), |action| resolved(&url, action));
                        next = Some((
                            TwimlSource::Url {
                                url: target,
                                method: gather.method,
                            },
                            extra,
                        ));
                        break;
                    }
                    Verb::Redirect(redirect) => {
                        let target = TwimlSource::Url {
                            url: resolved(&url, &redirect.url),
                            method: redirect.method,
                        };
                        next = Some((target, Vec::new()));
                        break;
                    }
                    Verb::Hangup => return HoldEnd::HungUp,
                    Verb::Leave => return HoldEnd::Leave,
                    sound => self.voice.play(sound).await,
                }
            }
        }
        HoldEnd::Failed(format!("too many documents in {}", holding.what()))
    }
}
