//! Call queues: an IVR that `<Enqueue>`s its callers, callers that listen, agents configured to
//! take them, and the emulator that runs them.

use twilio_emulator::config::{EmulatorConfig, NumberConfig, QueueConfig};
use twilio_emulator::server::RunningEmulator;

use crate::harness::emulator::{config, ivr_at, serve, IVR, TOKEN};
use crate::harness::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};

pub use crate::harness::emulator::agent;

/// The agent's number.
pub const AGENT: &str = "+15557770001";

/// A caller that listens for `utterances` prompts one after another (posted to `/heard1`,
/// `/heard2`, ...), then stays on the line for a minute.
pub async fn listener(utterances: usize) -> TwimlApp {
    let gather = |n: usize| {
        format!(
            r#"<Response><Gather input="speech" action="/heard{n}" timeout="60" speechTimeout="auto"/></Response>"#
        )
    };
    let mut app = TwimlAppBuilder::new(TOKEN).twiml("/start", &gather(1));
    for n in 1..utterances {
        app = app.twiml(&format!("/heard{n}"), &gather(n + 1));
    }
    app.twiml(
        &format!("/heard{utterances}"),
        r#"<Response><Pause length="60"/></Response>"#,
    )
    .start()
    .await
}

/// What a [`listener`] heard, in order.
pub fn heard(caller: &TwimlApp) -> Vec<String> {
    let mut heard: Vec<Received> = caller
        .received()
        .into_iter()
        .filter(|r| r.path.starts_with("/heard"))
        .collect();
    heard.sort_by_key(|r| r.path.clone());
    heard
        .iter()
        .map(|r| r.param("SpeechResult").to_string())
        .collect()
}

/// The wait TwiML: the caller's place, then some hold music.
pub fn wait_route(r: &Received) -> Reply {
    Reply::Twiml(format!(
        r#"<Response><Say>You are caller {} in line.</Say><Play>http://music.test/hold.mp3</Play><Pause length="10"/></Response>"#,
        r.param("QueuePosition")
    ))
}

/// An IVR that queues its callers in `support` with [`wait_route`], and an action at `/left`
/// that answers `after`.
pub async fn queueing_ivr(after: &str) -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Say>Please hold for the next agent.</Say><Pause length="2"/><Enqueue waitUrl="/wait" action="/left">support</Enqueue><Say>Not reached.</Say></Response>"#,
        )
        .route("/wait", wait_route)
        .twiml("/left", after)
        .start()
        .await
}

/// The configuration with `ivr` at the IVR's number, `agent` at the agent's, and `queues`.
pub fn world(
    ivr: &TwimlApp,
    agent: Option<&TwimlApp>,
    queues: Vec<(&str, QueueConfig)>,
) -> EmulatorConfig {
    let mut numbers: Vec<(&str, NumberConfig)> = vec![(IVR, ivr_at(ivr.url("/voice")))];
    if let Some(agent) = agent {
        numbers.push((AGENT, ivr_at(agent.url("/voice"))));
    }
    let mut config = config(numbers);
    config.calls_per_second = 100.0;
    config.queues = queues
        .into_iter()
        .map(|(name, q)| (name.to_string(), q))
        .collect();
    config
}

/// Starts an emulator on `config`, 20 times faster than real time.
pub async fn start(config: EmulatorConfig) -> RunningEmulator {
    let options = twilio_emulator::server::EmulatorOptions {
        time_scale: Some(20.0),
        webhook_budget: Some(std::time::Duration::from_secs(2)),
        log: twilio_emulator::log::EventLog::new(true, |l| eprintln!("[emulator] {l}")),
        ..Default::default()
    };
    serve(config, options).await
}

/// A queue whose agent answers after `secs` at the front.
pub fn staffed(secs: u32) -> QueueConfig {
    QueueConfig {
        agent: Some(AGENT.into()),
        answer_after_secs: secs,
        max_size: None,
    }
}
