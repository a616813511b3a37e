//! Starting and stopping the emulator on a listener the caller provides (tests and `run` bind
//! `127.0.0.1:0`; the CLI binds the port it was given).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use twilio_wire::serve::Serving;

use super::clock::Clock;
use super::config::EmulatorConfig;
use super::engine::{CallEngine, Destination, EngineSettings};
use super::log::EventLog;
use super::rest::keys::KeyRing;
use super::rest::v1::V1State;
use super::rest::{router, RestState};
use super::serverless::node::Node;
use super::serverless::{self, ServerlessStore};
use super::store::Store;
use super::studio::{executor::Services, flow_warnings, load_flows, FlowError, StudioRuntime};
use super::sync::{self, SyncStore};
use super::voice;
use twilio_wire::twiml::HttpMethod;

/// Choices made by whoever starts the emulator, on top of its configuration file.
#[derive(Debug, Clone, Default)]
pub struct EmulatorOptions {
    /// Overrides the configuration's `time_scale`.
    pub time_scale: Option<f64>,
    /// Overrides Twilio's 15 s webhook budget (tests of slow webhooks use less).
    pub webhook_budget: Option<Duration>,
    /// Where the event log goes.
    pub log: EventLog,
    /// The `node` that runs deployed Functions (default: `node` on `PATH`).
    pub node: Option<PathBuf>,
}

/// A running emulator.
pub struct RunningEmulator {
    /// `http://127.0.0.1:<port>`: the API base URL to give Twilio clients.
    pub base_url: String,
    /// Every call, message and recording.
    pub store: Store,
    /// What a person should know before calls run: Studio widgets a call can reach that the
    /// emulator does not run (see [`flow_warnings`]).
    pub warnings: Vec<String>,
    engine: CallEngine,
    studio: Arc<StudioRuntime>,
    /// `None` once stopped.
    server: Option<Serving>,
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listener has no local address.
    #[error("cannot read the listening address: {0}")]
    Address(#[from] std::io::Error),
    /// The configuration asks for something the engine cannot do.
    #[error("{0}")]
    Unsupported(String),
    /// A Studio flow cannot be used.
    #[error("{0}")]
    StudioFlow(#[from] FlowError),
}

/// Serves the emulator on `listener` until [`RunningEmulator::stop`].
pub async fn start(
    listener: TcpListener,
    config: EmulatorConfig,
    options: EmulatorOptions,
) -> Result<RunningEmulator, StartError> {
    let address = listener.local_addr()?;
    let base_url = format!("http://{address}");
    let mut settings = EngineSettings::from_config(&config).map_err(StartError::Unsupported)?;
    if let Some(budget) = options.webhook_budget {
        settings.webhook_budget = budget;
    }
    settings.api_base_url = base_url.clone();
    let clock = Clock::new(options.time_scale.unwrap_or(config.time_scale));
    let store = Store::default();
    let flows = load_flows(&config)?;
    let warnings = flow_warnings(&flows);
    for warning in &warnings {
        options.log.event(&format!("warning: {warning}"));
    }
    let studio = Arc::new(StudioRuntime::new(
        flows,
        &base_url,
        config.accounts.first().map_or("", |a| a.sid.as_str()),
        Services {
            store: store.clone(),
            clock,
            log: options.log.clone(),
            http: reqwest::Client::builder()
                .user_agent("TwilioProxy/1.1")
                .build()
                .unwrap_or_default(),
        },
    ));
    for (number, path, url) in studio.webhooks() {
        if let Some(Destination::Answers { voice_url, .. }) = settings.destinations.get_mut(&number)
        {
            *voice_url = Some((url.clone(), HttpMethod::Post));
        }
        options.log.event(&format!(
            "studio flow {} answers {number} at {url}",
            path.display()
        ));
    }
    let engine = CallEngine::new(settings, store.clone(), clock, options.log.clone());
    let forget = studio.clone();
    engine.on_leg_end(Arc::new(move |call_sid| forget.forget(call_sid)));
    let keys = KeyRing::from_config(&config, clock.now());
    let config = Arc::new(config);
    let app = router(RestState {
        config: config.clone(),
        store: store.clone(),
        clock,
        control: Arc::new(engine.clone()),
        keys: keys.clone(),
    })
    .merge(sync::router(V1State {
        config: config.clone(),
        clock,
        keys: keys.clone(),
        store: SyncStore::default(),
    }))
    .merge(voice::router(V1State {
        config: config.clone(),
        clock,
        keys: keys.clone(),
        store: (),
    }))
    .merge(super::studio::api::router(V1State {
        config: config.clone(),
        clock,
        keys: keys.clone(),
        store: super::studio::api::StudioRecords {
            runtime: studio.clone(),
            store: store.clone(),
        },
    }))
    .merge(serverless::router(V1State {
        config,
        clock,
        keys,
        store: ServerlessStore::new(Node::new(options.node.clone(), options.log.clone())),
    }))
    .merge(studio.clone().router());
    let server = Serving::start(listener, app);
    Ok(RunningEmulator {
        base_url,
        store,
        warnings,
        engine,
        studio,
        server: Some(server),
    })
}

impl RunningEmulator {
    /// How many calls are still running.
    pub fn live_calls(&self) -> usize {
        self.engine.live_calls()
    }

    /// The Studio webhook URL of the flow answering `number` (where TwiML returns to the flow).
    pub fn studio_webhook_url(&self, number: &str) -> Option<String> {
        self.studio
            .webhooks()
            .into_iter()
            .find(|(n, _, _)| n == number)
            .map(|(_, _, url)| url)
    }

    /// How many Studio executions are under way (each ends with its call).
    pub fn studio_executions(&self) -> usize {
        self.studio.executions()
    }

    /// Stops serving and waits for the server to finish.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }
}
