//! `ivr-test emulator`: serves the emulator on a loopback port until Ctrl-C or SIGTERM.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::IpAddr;
use std::path::PathBuf;

use crate::exit_code::Outcome;
use crate::output::Output;
use crate::server_command::{announce, bind, started};
use twilio_emulator::config::EmulatorConfig;
use twilio_emulator::log::EventLog;
use twilio_emulator::server::{start, EmulatorOptions};

/// What the command line asked for.
#[derive(Debug, Clone)]
pub struct EmulatorCommand {
    /// Port on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// The emulator configuration file.
    pub config: Option<PathBuf>,
    /// Overrides the configuration's time scale.
    pub time_scale: Option<f64>,
    /// One log line per webhook request as well.
    pub verbose: bool,
}

/// Serves the emulator until `shutdown` resolves; prints its base URL on `output.out`, the
/// event log and errors on `output.err`.
pub async fn run(
    command: &EmulatorCommand,
    env: &BTreeMap<String, String>,
    output: &Output,
    shutdown: impl Future<Output = ()>,
) -> Outcome {
    let err = output.err.clone();
    let config = match EmulatorConfig::load(command.config.as_deref(), env) {
        Ok(config) => config,
        Err(error) => {
            err.line(&format!("error: {error}"));
            return Outcome::InvalidInput;
        }
    };
    let localhost = IpAddr::from([127, 0, 0, 1]);
    let listener = match bind(localhost, command.port, &err).await {
        Ok(listener) => listener,
        Err(outcome) => return outcome,
    };
    let log_to = err.clone();
    let options = EmulatorOptions {
        time_scale: command.time_scale,
        webhook_budget: None,
        log: EventLog::new(command.verbose, move |line| log_to.line(line)),
        ..EmulatorOptions::default()
    };
    let emulator = match started(start(listener, config, options).await, &err) {
        Ok(emulator) => emulator,
        Err(outcome) => return outcome,
    };
    let base = &emulator.base_url;
    let line = format!(
        "ivr-test emulator: Twilio API at {base}/2010-04-01 (ledger: {base}/_emulator/calls)"
    );
    if let Err(outcome) = announce(output, &line) {
        return outcome;
    }
    shutdown.await;
    err.line(&format!(
        "ivr-test emulator: stopping ({} calls still live)",
        emulator.live_calls()
    ));
    emulator.stop().await;
    Outcome::Passed
}
