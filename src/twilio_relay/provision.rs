//! Creating each of the relay's resources that is missing, so that deploys racing on one account
//! (parallel CI jobs on first use) all end with the same relay: a unique name already taken
//! means another deploy created it a moment ago, and it is used.

use twilio_wire::client::{
    ClientError, CreateServerlessService, Environment, ServerlessService, SyncService,
    TwilioClient, Variable,
};

use super::deploy::{
    find_service, relay_sync_services, step, RelayError, ENVIRONMENT_NAME, SERVICE_NAME,
};

/// The relay's Sync Service: the one found, else a new one. Sync Services have no unique name,
/// so racing deploys may each create one; all of them settle on the first listed.
pub(super) async fn sync_service(
    client: &TwilioClient,
    found: Option<SyncService>,
    progress: &mut impl FnMut(&str),
) -> Result<SyncService, RelayError> {
    if let Some(sync) = found {
        return Ok(sync);
    }
    progress(&format!("creating the Sync Service {SERVICE_NAME}"));
    let created = client
        .create_sync_service(Some(SERVICE_NAME))
        .await
        .map_err(step("create the Sync Service"))?;
    let first = relay_sync_services(client).await?.into_iter().next();
    Ok(first.unwrap_or(created))
}

/// The Serverless Service: the one found, else a new one, which gives its Functions the
/// account's credentials (the relay signs its Sync requests with them).
pub(super) async fn serverless_service(
    client: &TwilioClient,
    found: Option<ServerlessService>,
    progress: &mut impl FnMut(&str),
) -> Result<ServerlessService, RelayError> {
    let service = match found {
        Some(service) => service,
        None => {
            progress(&format!("creating the Serverless Service {SERVICE_NAME}"));
            let create = CreateServerlessService {
                unique_name: SERVICE_NAME.into(),
                friendly_name: SERVICE_NAME.into(),
                include_credentials: Some(true),
                ui_editable: Some(false),
            };
            match client.create_serverless_service(&create).await {
                Ok(service) => service,
                Err(e) if taken(&e) => find_service(client)
                    .await?
                    .ok_or_else(|| step("create the Serverless Service")(e))?,
                Err(e) => return Err(step("create the Serverless Service")(e)),
            }
        }
    };
    if service.include_credentials {
        Ok(service)
    } else {
        Err(RelayError::NoCredentials)
    }
}

/// The Environment: the one found, else a new one.
pub(super) async fn environment(
    client: &TwilioClient,
    service: &str,
    found: Option<Environment>,
    progress: &mut impl FnMut(&str),
) -> Result<Environment, RelayError> {
    if let Some(environment) = found {
        return Ok(environment);
    }
    progress(&format!("creating the Environment {ENVIRONMENT_NAME}"));
    match client
        .create_environment(service, ENVIRONMENT_NAME, None)
        .await
    {
        Ok(environment) => Ok(environment),
        Err(e) if taken(&e) => client
            .list_environments(service)
            .await
            .map_err(step("list the Environments"))?
            .into_iter()
            .find(|e| e.unique_name == ENVIRONMENT_NAME)
            .ok_or_else(|| step("create the Environment")(e)),
        Err(e) => Err(step("create the Environment")(e)),
    }
}

/// The Environment whose Variables are set.
pub(super) struct RelayEnvironment<'a> {
    pub(super) client: &'a TwilioClient,
    pub(super) service: &'a str,
    pub(super) environment: &'a str,
}

impl RelayEnvironment<'_> {
    /// Gives the Variable `key` the value `value` (`variables`: those found before); whether
    /// anything changed.
    pub(super) async fn set_variable(
        &self,
        variables: &[Variable],
        key: &str,
        value: &str,
        progress: &mut impl FnMut(&str),
    ) -> Result<bool, RelayError> {
        let existing = match variables.iter().find(|v| v.key == key) {
            Some(variable) => variable.clone(),
            None => {
                progress(&format!("setting the Variable {key} to {value}"));
                match self
                    .client
                    .create_variable(self.service, self.environment, key, value)
                    .await
                {
                    Ok(_) => return Ok(true),
                    // Created by a racing deploy: its value is checked below.
                    Err(e) if taken(&e) => self
                        .client
                        .list_variables(self.service, self.environment)
                        .await
                        .map_err(step("list the Variables"))?
                        .into_iter()
                        .find(|v| v.key == key)
                        .ok_or_else(|| step("create a Variable")(e))?,
                    Err(e) => return Err(step("create a Variable")(e)),
                }
            }
        };
        if existing.value == value {
            return Ok(false);
        }
        progress(&format!("setting the Variable {key} to {value}"));
        self.client
            .update_variable(self.service, self.environment, &existing.sid, value)
            .await
            .map_err(step("update a Variable"))?;
        Ok(true)
    }
}

/// Whether Twilio refused because the unique name or key is taken (409).
fn taken(error: &ClientError) -> bool {
    matches!(error, ClientError::Twilio { status: 409, .. })
}
