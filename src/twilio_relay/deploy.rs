//! The relay's lifecycle on an account: [`inspect`] (read-only), [`deploy`] (idempotent) and
//! [`remove`], through the Serverless and Sync APIs, exactly the resources the contract
//! (`docs/relay-protocol.md`) lists.

use twilio_wire::client::{
    ClientError, Environment, ServerlessService, SyncService, TwilioClient, Variable,
};

use super::build::{build, BUILD_LIMIT};
use super::provision::{self, RelayEnvironment};

/// The protocol the embedded Function and this binary's runner speak; a relay deployed with
/// another is outdated.
pub const PROTOCOL: u32 = 1;

/// The Function's code, deployed unchanged at every hook path.
pub const CODE: &str = include_str!("relay.js");

/// The Serverless Service's `UniqueName` and the Sync Service's `FriendlyName`: how the relay's
/// resources are found again.
pub const SERVICE_NAME: &str = "ivr-test-relay";

/// The Environment's `UniqueName`; its domain is the relay's.
pub const ENVIRONMENT_NAME: &str = "relay";

/// The Variable holding [`PROTOCOL`], which tells a relay's version without reading its code.
pub const PROTOCOL_VARIABLE: &str = "IVR_TEST_RELAY_PROTOCOL";

/// The Variable telling the Function where the calls' Sync Lists are.
pub const SYNC_VARIABLE: &str = "SYNC_SERVICE_SID";

/// Where the four Functions answer; the last segment is the hook.
pub const HOOK_PATHS: [&str; 4] = [
    "/twilio-ivr/start",
    "/twilio-ivr/next",
    "/twilio-ivr/partial",
    "/twilio-ivr/status",
];

/// What is on the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayState {
    /// No relay deployed (or a deploy that stopped before its Deployment).
    Missing,
    /// A relay is deployed, but not the one this binary embeds.
    Outdated {
        /// What was found instead, e.g. `protocol 0`.
        found: String,
    },
    /// The embedded relay is deployed and ready.
    Ready(RelayInfo),
}

/// Where a ready relay is and what it is made of: what the runner needs to use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayInfo {
    /// The Environment's domain, e.g. `relay-1234.twil.io`.
    pub domain_name: String,
    /// The base of the callback URLs, with a trailing slash
    /// (`TwilioClient::function_url(domain, "/")`).
    pub base_url: String,
    /// The Sync Service holding the calls' event Lists.
    pub sync_service_sid: String,
    /// The Serverless Service.
    pub service_sid: String,
    /// The Environment.
    pub environment_sid: String,
    /// The deployed Build.
    pub build_sid: String,
}

/// What [`deploy`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deployed {
    /// There was no deployed relay; now there is.
    Created,
    /// A deployed relay was brought up to date (Variables, code or both).
    Updated,
    /// The relay was up to date: nothing was changed.
    Unchanged,
}

/// What [`remove`] deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removed {
    /// The Serverless Service (with its Environment, Variables, Functions, Builds), if there was one.
    pub serverless_service: Option<String>,
    /// Every Sync Service named [`SERVICE_NAME`] (with the calls' Lists).
    pub sync_services: Vec<String>,
}

impl Removed {
    /// Whether there was nothing to delete.
    pub fn is_empty(&self) -> bool {
        self.serverless_service.is_none() && self.sync_services.is_empty()
    }
}

/// Why the relay could not be inspected, deployed or removed; names the step, never a secret.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// A Twilio request failed.
    #[error("cannot {step}: {source}")]
    Twilio {
        /// What was being done, e.g. `create the Build`.
        step: String,
        /// Twilio's code and message, or the network failure.
        source: ClientError,
    },
    /// The Build ended `failed`.
    #[error(
        "the relay's Build {build_sid} failed (on Twilio its log is in the Console under \
         Functions and Assets > Services > {SERVICE_NAME}; the emulator fails Builds when \
         node is not installed)"
    )]
    BuildFailed {
        /// `ZB...`.
        build_sid: String,
    },
    /// The Build was still `building` when deploy stopped waiting.
    #[error(
        "the relay's Build {build_sid} was still building after {} s; run `ivr-test relay \
         deploy` again later",
        BUILD_LIMIT.as_secs()
    )]
    BuildTimedOut {
        /// `ZB...`.
        build_sid: String,
    },
    /// A Service named [`SERVICE_NAME`] exists that the relay cannot use.
    #[error(
        "the Serverless Service {SERVICE_NAME} does not give its Functions the account's \
         credentials (IncludeCredentials is false); run `ivr-test relay remove`, then \
         `ivr-test relay deploy`"
    )]
    NoCredentials,
}

/// What of the relay is on the account, read without changing anything.
pub async fn inspect(client: &TwilioClient) -> Result<RelayState, RelayError> {
    let found = Found::read(client).await?;
    let (Some(service), Some(environment)) = (&found.service, &found.environment) else {
        return Ok(RelayState::Missing);
    };
    let Some(build_sid) = environment.build_sid.clone() else {
        return Ok(RelayState::Missing);
    };
    if let Some(found) = found.variables_outdated() {
        return Ok(RelayState::Outdated { found });
    }
    if !code_is_current(client, &service.sid, &build_sid).await? {
        return Ok(RelayState::Outdated {
            found: format!("protocol {PROTOCOL} with other code"),
        });
    }
    let sync_service_sid = found.sync.map(|s| s.sid).unwrap_or_default();
    Ok(RelayState::Ready(info(
        client,
        service,
        environment,
        sync_service_sid,
        build_sid,
    )))
}

/// Creates what is missing and updates what differs, so the embedded relay is deployed;
/// `progress` hears each change as it is made. A second deploy changes nothing.
pub async fn deploy(
    client: &TwilioClient,
    mut progress: impl FnMut(&str),
) -> Result<(RelayInfo, Deployed), RelayError> {
    let found = Found::read(client).await?;
    let sync = provision::sync_service(client, found.sync, &mut progress).await?;
    let service = provision::serverless_service(client, found.service, &mut progress).await?;
    let environment =
        provision::environment(client, &service.sid, found.environment, &mut progress).await?;
    let wanted = [
        (PROTOCOL_VARIABLE, PROTOCOL.to_string()),
        (SYNC_VARIABLE, sync.sid.clone()),
    ];
    let target = RelayEnvironment {
        client,
        service: &service.sid,
        environment: &environment.sid,
    };
    let mut changed = false;
    for (key, value) in &wanted {
        changed |= target
            .set_variable(&found.variables, key, value, &mut progress)
            .await?;
    }
    let current = match &environment.build_sid {
        Some(build_sid) => code_is_current(client, &service.sid, build_sid)
            .await?
            .then(|| build_sid.clone()),
        None => None,
    };
    let build_sid = match current {
        Some(build_sid) => build_sid,
        None => {
            let build_sid = build(client, &service.sid, &mut progress).await?;
            progress(&format!("deploying the Build {build_sid}"));
            client
                .create_deployment(&service.sid, &environment.sid, &build_sid)
                .await
                .map_err(step("deploy the Build"))?;
            changed = true;
            build_sid
        }
    };
    let deployed = match (&environment.build_sid, changed) {
        (None, _) => Deployed::Created,
        (Some(_), true) => Deployed::Updated,
        (Some(_), false) => Deployed::Unchanged,
    };
    let info = info(client, &service, &environment, sync.sid, build_sid);
    Ok((info, deployed))
}

/// Deletes the relay's Serverless Service (everything in it) and its Sync Services (every
/// call's List); returns what was deleted.
pub async fn remove(client: &TwilioClient) -> Result<Removed, RelayError> {
    let mut removed = Removed::default();
    if let Some(service) = find_service(client).await? {
        client
            .delete_serverless_service(&service.sid)
            .await
            .map_err(step("delete the Serverless Service"))?;
        removed.serverless_service = Some(service.sid);
    }
    for sync in relay_sync_services(client).await? {
        client
            .delete_sync_service(&sync.sid)
            .await
            .map_err(step("delete the Sync Service"))?;
        removed.sync_services.push(sync.sid);
    }
    Ok(removed)
}

/// The relay's resources as they are on the account.
struct Found {
    sync: Option<SyncService>,
    service: Option<ServerlessService>,
    environment: Option<Environment>,
    variables: Vec<Variable>,
}

impl Found {
    async fn read(client: &TwilioClient) -> Result<Found, RelayError> {
        let sync = relay_sync_services(client).await?.into_iter().next();
        let service = find_service(client).await?;
        let environment = match &service {
            Some(service) => client
                .list_environments(&service.sid)
                .await
                .map_err(step("list the Environments"))?
                .into_iter()
                .find(|e| e.unique_name == ENVIRONMENT_NAME),
            None => None,
        };
        let variables = match (&service, &environment) {
            (Some(service), Some(environment)) => client
                .list_variables(&service.sid, &environment.sid)
                .await
                .map_err(step("list the Variables"))?,
            _ => Vec::new(),
        };
        Ok(Found {
            sync,
            service,
            environment,
            variables,
        })
    }

    /// What differs in the Variables from what the relay needs, said for people.
    fn variables_outdated(&self) -> Option<String> {
        let value = |key: &str| {
            self.variables
                .iter()
                .find(|v| v.key == key)
                .map(|v| v.value.as_str())
        };
        match value(PROTOCOL_VARIABLE) {
            None => return Some(format!("no {PROTOCOL_VARIABLE} Variable")),
            Some(found) if found != PROTOCOL.to_string() => {
                return Some(format!("protocol {found}"))
            }
            Some(_) => {}
        }
        match (&self.sync, value(SYNC_VARIABLE)) {
            (Some(sync), Some(sid)) if sync.sid == sid => None,
            (None, _) => Some(format!("no Sync Service {SERVICE_NAME}")),
            (Some(_), _) => Some(format!("{SYNC_VARIABLE} not naming {SERVICE_NAME}")),
        }
    }
}

/// The Serverless Service named [`SERVICE_NAME`], if there is one.
pub(super) async fn find_service(
    client: &TwilioClient,
) -> Result<Option<ServerlessService>, RelayError> {
    match client.fetch_serverless_service(SERVICE_NAME).await {
        Ok(service) => Ok(Some(service)),
        Err(ClientError::Twilio { status: 404, .. }) => Ok(None),
        Err(e) => Err(step("read the Serverless Service")(e)),
    }
}

/// Every Sync Service named [`SERVICE_NAME`].
pub(super) async fn relay_sync_services(
    client: &TwilioClient,
) -> Result<Vec<SyncService>, RelayError> {
    let all = client
        .list_sync_services()
        .await
        .map_err(step("list the Sync Services"))?;
    Ok(all
        .into_iter()
        .filter(|s| s.friendly_name.as_deref() == Some(SERVICE_NAME))
        .collect())
}

/// Whether the Build holds the embedded code, `protected`, at every hook path.
async fn code_is_current(
    client: &TwilioClient,
    service: &str,
    build_sid: &str,
) -> Result<bool, RelayError> {
    let build = client
        .fetch_build(service, build_sid)
        .await
        .map_err(step("read the deployed Build"))?;
    for path in HOOK_PATHS {
        let Some(version) = build.function_versions.iter().find(|v| v.path == path) else {
            return Ok(false);
        };
        if !version.visibility.eq_ignore_ascii_case("protected") {
            return Ok(false);
        }
        let content = client
            .fetch_function_version_content(service, &version.function_sid, &version.sid)
            .await
            .map_err(step("read the deployed code"))?;
        if !same_code(&content, CODE) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether deployed code is `code`, line endings and trailing whitespace aside (a store that
/// normalises them must not make the relay look outdated forever).
fn same_code(deployed: &str, code: &str) -> bool {
    deployed
        .trim_end()
        .lines()
        .map(str::trim_end)
        .eq(code.trim_end().lines().map(str::trim_end))
}

fn info(
    client: &TwilioClient,
    service: &ServerlessService,
    environment: &Environment,
    sync_service_sid: String,
    build_sid: String,
) -> RelayInfo {
    RelayInfo {
        domain_name: environment.domain_name.clone(),
        base_url: client.function_url(&environment.domain_name, "/"),
        sync_service_sid,
        service_sid: service.sid.clone(),
        environment_sid: environment.sid.clone(),
        build_sid,
    }
}

/// Names the step a Twilio request failed in.
pub(super) fn step(step: &'static str) -> impl Fn(ClientError) -> RelayError {
    move |source| RelayError::Twilio {
        step: step.to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_code_speaks_this_binarys_protocol() {
        assert!(CODE.contains(&format!("const PROTOCOL = {PROTOCOL};")));
        let prefix = super::super::EVENT_LIST_PREFIX;
        assert!(CODE.contains(&format!("const EVENT_LIST_PREFIX = '{prefix}';")));
    }

    #[test]
    fn code_is_the_same_whatever_its_line_endings_and_trailing_whitespace() {
        let crlf = format!("{}\r\n", CODE.replace('\n', "\r\n"));
        assert!(same_code(&crlf, CODE));
        assert!(same_code(CODE.trim_end(), CODE));
        assert!(!same_code(&CODE.replace("Hangup", "Reject"), CODE));
        assert!(!same_code(&CODE.replace("\n", "\n  "), CODE));
    }
}
