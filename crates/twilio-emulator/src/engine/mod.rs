//! The call engine: one task per call, from the calls-per-second queue through ringing and the
//! two bridged legs to the end, with status callbacks on the way.
//!
//! ```text
//! start -> queue (CPS) -> initiated -> ringing -> in-progress ---------> completed
//!                                        |          caller leg <-bridge-> callee leg
//!                                        +-> busy | no-answer | failed | canceled
//! ```
//!
//! A call that `<Enqueue>`s waits in a call queue ([`queue_hub`]) until another call takes it
//! out: a `<Dial><Queue>`, or the queue's configured agent (`queue_agent`), a call the engine
//! places itself.

pub mod bridge;
mod call;
pub mod callbacks;
pub mod leg;
mod queue_agent;
pub mod queue_hub;
mod recordings;
mod transcribe;
pub mod webhook;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::clock::Clock;
use super::control::CallControl;
use super::model::{CallRequest, Leg, TwimlSource};
use super::recogniser::RecogniserModel;
use super::store::Store;
use twilio_wire::twiml::HttpMethod;

/// What answers at a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Destination {
    /// An IVR application (or, without TwiML, a silent line).
    Answers {
        /// The IVR's TwiML URL and method; `None` answers and stays silent.
        voice_url: Option<(String, HttpMethod)>,
        /// Where the IVR's TwiML goes when it fails.
        fallback: Option<(String, HttpMethod)>,
        /// Rings before answering (0 answers at once).
        rings: u32,
        /// Hangs up this long after answering, whatever the TwiML does.
        hang_up_after: Option<Duration>,
    },
    /// A busy signal.
    Busy,
    /// Rings until the caller's `Timeout`.
    NoAnswer,
    /// Cannot be reached.
    Failed,
}

/// A configured call queue (`queues.NAME`), as the engine uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSettings {
    /// The agent's number (answering under `numbers`), if the queue has one.
    pub agent: Option<String>,
    /// How long the caller at the front waits, with the agent free, before the agent takes it.
    pub answer_after: Duration,
    /// The queue's `max_size` when it is created.
    pub max_size: u32,
}

/// The engine's view of the emulator configuration.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// Auth token per account SID (the key webhooks are signed with).
    pub auth_tokens: HashMap<String, String>,
    /// What answers at each number.
    pub destinations: HashMap<String, Destination>,
    /// What answers a `<Dial><Client>` name or `<Dial><Sip>` URI.
    pub clients: HashMap<String, Destination>,
    /// What answers a number `<Dial>` reaches that `destinations` does not list.
    pub unlisted: Destination,
    /// Configured call queues by name.
    pub queues: HashMap<String, QueueSettings>,
    /// Speech rate of `<Say>`.
    pub words_per_minute: f64,
    /// Recogniser noise (0..=1) and its seed.
    pub recogniser_noise: f64,
    /// Seed of the recogniser noise.
    pub recogniser_seed: u64,
    /// Calls started per second per account (Twilio's default: 1).
    pub calls_per_second: f64,
    /// Time budget of each webhook request (Twilio: 15 s, wall clock).
    pub webhook_budget: Duration,
    /// How long one ring lasts (emulated).
    pub ring: Duration,
    /// The emulator's own base URL (`http://127.0.0.1:<port>`), for absolute resource URLs.
    pub api_base_url: String,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            auth_tokens: HashMap::new(),
            destinations: HashMap::new(),
            clients: HashMap::new(),
            unlisted: Destination::NoAnswer,
            queues: HashMap::new(),
            words_per_minute: 150.0,
            recogniser_noise: 0.0,
            recogniser_seed: 0,
            calls_per_second: 1.0,
            webhook_budget: Duration::from_secs(15),
            ring: Duration::from_secs(6),
            api_base_url: String::new(),
        }
    }
}

/// What the REST API asks of a running call.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `Status=completed`.
    HangUp,
    /// `Status=canceled`.
    Cancel,
    /// `Url`/`Twiml` on the caller's call: the caller leg continues with this TwiML.
    Redirect(TwimlSource),
    /// `Url`/`Twiml` on the IVR's inbound call: the IVR leg continues with this TwiML.
    RedirectIvr(TwimlSource),
}

/// Told the `CallSid` of each leg of a call once the call has ended, so state kept elsewhere
/// for a leg (a Studio execution) can be dropped.
pub type LegEndListener = Arc<dyn Fn(&str) + Send + Sync>;

pub(crate) struct Shared {
    pub settings: EngineSettings,
    pub log: crate::log::EventLog,
    pub store: Store,
    pub clock: Clock,
    pub client: webhook::WebhookClient,
    /// The running calls' command channels by `CallSid`: the caller's call, and once answered
    /// the IVR's inbound call too, which reaches the same call task.
    live: Mutex<HashMap<String, (mpsc::UnboundedSender<Command>, Leg)>>,
    /// The next free start slot per account, for the calls-per-second limit.
    next_slot: tokio::sync::Mutex<HashMap<String, tokio::time::Instant>>,
    leg_end_listeners: Mutex<Vec<LegEndListener>>,
    /// The calls waiting in queues, and the configured agents on duty.
    pub(crate) queues: queue_hub::QueueHub,
}

impl Shared {
    /// A speech recogniser for one leg, as configured (exact, or noisy with the seed).
    pub fn recogniser(&self) -> Arc<Mutex<RecogniserModel>> {
        Arc::new(Mutex::new(if self.settings.recogniser_noise > 0.0 {
            RecogniserModel::noisy(
                self.settings.recogniser_noise,
                self.settings.recogniser_seed,
            )
        } else {
            RecogniserModel::exact()
        }))
    }

    /// Waits for this account's next calls-per-second slot; returns the wait (wall clock).
    pub async fn wait_for_slot(&self, account_sid: &str) -> Duration {
        let now = tokio::time::Instant::now();
        let interval = self.clock.wall(Duration::from_secs_f64(
            1.0 / self.settings.calls_per_second.max(0.001),
        ));
        let slot = {
            let mut slots = self.next_slot.lock().await;
            let slot = slots.get(account_sid).copied().unwrap_or(now).max(now);
            slots.insert(account_sid.to_string(), slot + interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
        slot - now
    }

    /// Tells the listeners that these legs have ended.
    pub fn legs_ended(&self, call_sids: &[&str]) {
        let listeners = self
            .leg_end_listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for listener in listeners {
            for sid in call_sids {
                listener(sid);
            }
        }
    }

    /// Lets the REST API reach the running call `call_sid` through its IVR side `inbound_sid`.
    pub fn add_inbound(&self, call_sid: &str, inbound_sid: &str) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((tx, _)) = live.get(call_sid).cloned() {
            live.insert(inbound_sid.to_string(), (tx, Leg::Callee));
        }
    }

    pub fn forget(&self, call_sid: &str) {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(call_sid);
    }
}

/// Runs calls; implements the REST API's [`CallControl`].
#[derive(Clone)]
pub struct CallEngine {
    shared: Arc<Shared>,
}

impl CallEngine {
    /// An engine over `store`, on `clock`, logging to `log`.
    pub fn new(
        settings: EngineSettings,
        store: Store,
        clock: Clock,
        log: crate::log::EventLog,
    ) -> CallEngine {
        let client = webhook::WebhookClient::new(settings.webhook_budget, log.clone());
        CallEngine {
            shared: Arc::new(Shared {
                settings,
                log,
                store,
                clock,
                client,
                live: Mutex::new(HashMap::new()),
                next_slot: tokio::sync::Mutex::new(HashMap::new()),
                leg_end_listeners: Mutex::new(Vec::new()),
                queues: queue_hub::QueueHub::default(),
            }),
        }
    }

    /// Adds a listener told each leg's `CallSid` when its call has ended.
    pub fn on_leg_end(&self, listener: LegEndListener) {
        self.shared
            .leg_end_listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(listener);
    }

    /// How many calls are still running (each counted once, not once per side).
    pub fn live_calls(&self) -> usize {
        self.shared
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .filter(|(_, leg)| *leg == Leg::Caller)
            .count()
    }

    /// Sends `command` to the call `call_sid` belongs to; a redirect of the IVR's inbound call
    /// redirects the IVR's leg.
    fn send(&self, call_sid: &str, command: Command) {
        let live = self.shared.live.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((tx, leg)) = live.get(call_sid) {
            let command = match (command, leg) {
                (Command::Redirect(source), Leg::Callee) => Command::RedirectIvr(source),
                (command, _) => command,
            };
            let _ = tx.send(command);
        }
    }
}

impl CallControl for CallEngine {
    fn start(&self, call_sid: &str, request: CallRequest) {
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(call_sid.to_string(), (tx, Leg::Caller));
        tokio::spawn(call::run(
            self.shared.clone(),
            call_sid.to_string(),
            request,
            rx,
        ));
    }

    fn hang_up(&self, call_sid: &str) {
        self.send(call_sid, Command::HangUp);
    }

    fn cancel(&self, call_sid: &str) {
        self.send(call_sid, Command::Cancel);
    }

    fn redirect(&self, call_sid: &str, twiml: TwimlSource) {
        self.send(call_sid, Command::Redirect(twiml));
    }

    fn dequeue(&self, queue_sid: &str, call_sid: &str, twiml: TwimlSource) -> bool {
        let summons = queue_hub::Summons::Redirect(twiml);
        self.shared
            .dequeue(queue_sid, Some(call_sid), summons)
            .is_ok()
    }
}

impl EngineSettings {
    /// The engine's settings from the emulator configuration.
    pub fn from_config(config: &crate::config::EmulatorConfig) -> Result<EngineSettings, String> {
        use crate::config::NumberBehaviour;
        let destination = |entry: &crate::config::NumberConfig| match entry.behaviour {
            NumberBehaviour::Busy => Destination::Busy,
            NumberBehaviour::NoAnswer => Destination::NoAnswer,
            NumberBehaviour::Failed => Destination::Failed,
            NumberBehaviour::Answer => Destination::Answers {
                voice_url: entry.voice_url.clone().map(|u| (u, entry.voice_method)),
                fallback: entry
                    .voice_fallback_url
                    .clone()
                    .map(|u| (u, entry.voice_fallback_method)),
                rings: entry.rings_before_answer(),
                hang_up_after: entry
                    .hang_up_after_secs
                    .map(|s| Duration::from_secs(u64::from(s))),
            },
        };
        // A Studio flow's number gets its voice URL (the flow's webhook on the emulator's own
        // server) once the server's address is known; see `server::start`.
        let destinations = config
            .numbers
            .iter()
            .map(|(number, entry)| (number.clone(), destination(entry)))
            .collect();
        Ok(EngineSettings {
            auth_tokens: config
                .accounts
                .iter()
                .map(|a| (a.sid.clone(), a.auth_token.expose().to_string()))
                .collect(),
            destinations,
            clients: config
                .clients
                .iter()
                .map(|(name, entry)| (name.clone(), destination(entry)))
                .collect(),
            unlisted: config
                .unlisted_numbers
                .as_ref()
                .map_or(Destination::NoAnswer, destination),
            queues: config
                .queues
                .iter()
                .map(|(name, queue)| {
                    let settings = QueueSettings {
                        agent: queue.agent.clone(),
                        answer_after: Duration::from_secs(u64::from(queue.answer_after_secs)),
                        max_size: queue.max_size.unwrap_or(crate::queues::DEFAULT_MAX_SIZE),
                    };
                    (name.clone(), settings)
                })
                .collect(),
            words_per_minute: f64::from(config.speech_rate_wpm),
            recogniser_noise: config.recogniser.noise,
            recogniser_seed: config.recogniser.seed,
            calls_per_second: config.calls_per_second,
            ..EngineSettings::default()
        })
    }
}
