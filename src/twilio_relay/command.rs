//! `ivr-test relay deploy|status|remove`: the relay's lifecycle from the command line, on the
//! account of `TWILIO_IVR_ACCOUNT_SID` + `TWILIO_IVR_AUTH_TOKEN` at `TWILIO_IVR_API_URL`, or on
//! the emulator of `--emulate` / `TWILIO_IVR_EMULATE`, started for the command and stopped after
//! it (which shows the relay deploys and builds, nothing more).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use twilio_wire::client::TwilioClient;

use super::deploy::{self, Deployed, RelayState, PROTOCOL};
use crate::config::{resolve_path, Config};
use crate::exit_code::Outcome;
use crate::output::Output;
use crate::runner::command::{load_config, refuse, start_emulated};

/// Which lifecycle step the command line asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayAction {
    /// Create or update the relay.
    Deploy,
    /// Say whether the relay is missing, outdated or ready.
    Status,
    /// Delete everything the relay is made of.
    Remove,
}

/// What the command line asked for.
#[derive(Debug, Clone)]
pub struct RelayRequest {
    /// The step.
    pub action: RelayAction,
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `--emulate FILE`: act on an emulator started in-process.
    pub emulate: Option<PathBuf>,
}

/// Runs `ivr-test relay ACTION`: results on `output.out`, progress and errors on `output.err`.
/// Exit 0 when done (`status`: ready), 2 for missing credentials or a relay missing or
/// outdated, 3 when Twilio failed.
pub async fn run(
    request: &RelayRequest,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    output: &Output,
) -> Outcome {
    let err = &mut output.err.clone();
    let config = match load_config(request.config.as_deref(), cwd, env, err) {
        Ok(config) => config,
        Err(outcome) => return outcome,
    };
    let twilio = &config.capabilities.twilio;
    let emulate = request.emulate.clone().or_else(|| {
        twilio
            .emulate
            .as_ref()
            .map(|p| resolve_path(cwd, Path::new(p)))
    });
    let emulator = match &emulate {
        Some(path) => match start_emulated(path, env).await {
            Ok(started) => Some(started),
            Err(message) => return refuse(err, message),
        },
        None => None,
    };
    let account = match &emulator {
        Some((running, emulator_config)) => match emulator_config.accounts.first() {
            Some(account) => Ok((
                running.base_url.clone(),
                account.sid.clone(),
                account.auth_token.clone(),
            )),
            None => Err("the emulator configuration has no account".to_string()),
        },
        None => match (&twilio.account_sid, &twilio.auth_token) {
            (Some(sid), Some(token)) => Ok((twilio.api_url.clone(), sid.clone(), token.clone())),
            _ => Err(
                "TWILIO_IVR_ACCOUNT_SID and TWILIO_IVR_AUTH_TOKEN are required to reach \
                      the account (or use --emulate)"
                    .to_string(),
            ),
        },
    };
    let outcome = match account.and_then(|(api_url, sid, token)| {
        TwilioClient::new(&api_url, &sid, &token).map_err(|e| format!("TWILIO_IVR_API_URL: {e}"))
    }) {
        Ok(client) => act(request.action, &client, &config, output).await,
        Err(message) => refuse(err, message),
    };
    if let Some((running, _)) = emulator {
        running.stop().await;
    }
    outcome
}

/// Does `action` on the account `client` reaches.
async fn act(
    action: RelayAction,
    client: &TwilioClient,
    config: &Config,
    output: &Output,
) -> Outcome {
    let (out, err) = (&output.out, &output.err);
    let failed = |e: deploy::RelayError| {
        err.line(&format!("error: {}", config.redact(&e.to_string())));
        Outcome::Infrastructure
    };
    match action {
        RelayAction::Deploy => {
            match deploy::deploy(client, |step| err.line(&format!("relay: {step}"))).await {
                Ok((info, deployed)) => {
                    let done = match deployed {
                        Deployed::Created => "deployed",
                        Deployed::Updated => "updated",
                        Deployed::Unchanged => "already up to date",
                    };
                    out.line(&format!(
                        "relay {done}: protocol {PROTOCOL} at {} (build {})",
                        info.base_url, info.build_sid
                    ));
                    Outcome::Passed
                }
                Err(e) => failed(e),
            }
        }
        RelayAction::Status => match deploy::inspect(client).await {
            Ok(RelayState::Ready(info)) => {
                out.line("relay: ready");
                out.line(&format!("  domain: {}", info.domain_name));
                out.line(&format!("  protocol: {PROTOCOL}"));
                out.line(&format!("  build: {}", info.build_sid));
                out.line(&format!("  callbacks: {}", info.base_url));
                out.line(&format!("  sync service: {}", info.sync_service_sid));
                Outcome::Passed
            }
            Ok(RelayState::Outdated { found }) => {
                out.line(&format!(
                    "relay: outdated (found {found}; this ivr-test speaks protocol {PROTOCOL}): \
                     run `ivr-test relay deploy`"
                ));
                Outcome::InvalidInput
            }
            Ok(RelayState::Missing) => {
                out.line("relay: missing: run `ivr-test relay deploy`");
                Outcome::InvalidInput
            }
            Err(e) => failed(e),
        },
        RelayAction::Remove => match deploy::remove(client).await {
            Ok(removed) if removed.is_empty() => {
                out.line("relay: nothing to remove");
                Outcome::Passed
            }
            Ok(removed) => {
                let deleted: Vec<&str> = removed
                    .serverless_service
                    .iter()
                    .chain(&removed.sync_services)
                    .map(String::as_str)
                    .collect();
                out.line(&format!("relay removed: deleted {}", deleted.join(", ")));
                Outcome::Passed
            }
            Err(e) => failed(e),
        },
    }
}
