//! Deployments (`.../Environments/{EnvironmentSid}/Deployments`): create with `BuildSid`
//! (which becomes the Environment's `build_sid`; without one, the Environment's Build is taken
//! down), fetch, list.
//!
//! | check | error |
//! |---|---|
//! | `BuildSid` no Build of the Service | 400/20001 |
//! | the Build still `building`, or `failed` | 409/20409 |
//! | the Build already deployed in the Environment | 409/20409 |
//! | no such Service, Environment or Deployment | 404/20404 |

use axum::response::Response;
use serde_json::{json, Value};

use twilio_wire::sid::new_sid;
use twilio_wire::time::iso8601;

use crate::rest::error::ApiError;
use crate::rest::v1::{created, ok, V1Request};

use super::environments::{environment_url, owned_environment};
use super::store::{child, children, BuildStatus, Deployment, Environment};
use super::{page, ServerlessState};

/// `POST .../Deployments`.
pub fn create(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    environment: &str,
) -> Result<Response, ApiError> {
    let build_sid = request.params.get("BuildSid");
    let now = state.clock.now();
    let (environment, deployment) = state.store.with(|data| {
        let environment = owned_environment(data, request, service, environment)?;
        if let Some(sid) = build_sid {
            let build = child(&data.builds, &environment.service_sid, sid).ok_or_else(|| {
                ApiError::invalid_parameter(format!(
                    "BuildSid: {sid} is not a Build of this Service"
                ))
            })?;
            let (status, _) = build.status(now, state.config.latencies.build());
            if status != BuildStatus::Completed {
                return Err(ApiError::conflict(
                    20409,
                    format!(
                        "Build {sid} is {}; only a completed Build can be deployed{}",
                        status.as_str(),
                        build
                            .failure
                            .as_deref()
                            .map(|why| format!(" (it failed: {why})"))
                            .unwrap_or_default()
                    ),
                ));
            }
            if environment.build_sid.as_deref() == Some(sid) {
                return Err(ApiError::conflict(
                    20409,
                    format!("Build {sid} is already deployed in this Environment"),
                ));
            }
        }
        let deployment = Deployment {
            sid: new_sid("ZD"),
            service_sid: environment.service_sid.clone(),
            environment_sid: environment.sid.clone(),
            build_sid: build_sid.map(str::to_string),
            date_created: now,
        };
        data.deployments.push(deployment.clone());
        if let Some(live) = data
            .environments
            .iter_mut()
            .find(|e| e.sid == environment.sid)
        {
            live.build_sid = deployment.build_sid.clone();
            live.date_updated = now;
        }
        Ok::<_, ApiError>((environment, deployment))
    })?;
    Ok(created(deployment_json(&deployment, &environment, request)))
}

/// `GET .../Deployments/{Sid}`.
pub fn fetch(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    environment: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    let (environment, deployment) = state.store.with(|data| {
        let environment = owned_environment(data, request, service, environment)?;
        let deployment =
            child(&data.deployments, &environment.sid, sid).ok_or_else(|| request.not_found())?;
        Ok::<_, ApiError>((environment, deployment))
    })?;
    Ok(ok(deployment_json(&deployment, &environment, request)))
}

/// `GET .../Deployments`: oldest first, paged.
pub fn list(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    environment: &str,
) -> Result<Response, ApiError> {
    let (environment, deployments) = state.store.with(|data| {
        let environment = owned_environment(data, request, service, environment)?;
        let deployments = children(&data.deployments, &environment.sid);
        Ok::<_, ApiError>((environment, deployments))
    })?;
    let url = format!("{}/Deployments", environment_url(request, &environment));
    let to_json = |d: &Deployment| deployment_json(d, &environment, request);
    page(request, &deployments, to_json, &url, "deployments")
}

/// A Deployment as `serverless.v1.service.environment.deployment`.
fn deployment_json(
    deployment: &Deployment,
    environment: &Environment,
    request: &V1Request,
) -> Value {
    let date = iso8601(deployment.date_created);
    json!({
        "sid": deployment.sid,
        "account_sid": request.account_sid,
        "service_sid": deployment.service_sid,
        "environment_sid": deployment.environment_sid,
        "build_sid": deployment.build_sid,
        "date_created": date,
        "date_updated": date,
        "url": format!(
            "{}/Deployments/{}",
            environment_url(request, environment),
            deployment.sid
        ),
    })
}
