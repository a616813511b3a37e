//! Environments (`/v1/Services/{ServiceSid}/Environments`): create with `UniqueName` and
//! `DomainSuffix`, fetch, list, delete (with its Variables and Deployments).
//!
//! An Environment's `domain_name` is the Service's `domain_base`, then `-<DomainSuffix>` if
//! given, then `.twil.io`, as on Twilio (`relay-1234-prod.twil.io`).
//!
//! | check | error |
//! |---|---|
//! | `UniqueName` missing | 400/20001 |
//! | `UniqueName` over 100 characters, `DomainSuffix` over 16 or not letters, digits, dashes | 400/20001 |
//! | `UniqueName` or `DomainSuffix` taken in the Service | 409/20409 |
//! | no such Service or Environment | 404/20404 |

use axum::response::Response;
use serde_json::{json, Value};

use twilio_wire::sid::new_sid;
use twilio_wire::time::iso8601;

use crate::rest::error::ApiError;
use crate::rest::v1::{created, deleted, ok, V1Request};

use super::services::owned;
use super::store::{child, children, Environment, ServerlessData};
use super::{page, ServerlessState};

/// The Environment `sid` of the account's Service `service` (cloned), or 404/20404.
pub fn owned_environment(
    data: &ServerlessData,
    request: &V1Request,
    service: &str,
    sid: &str,
) -> Result<Environment, ApiError> {
    let service = owned(data, request, service)?;
    child(&data.environments, &service.sid, sid).ok_or_else(|| request.not_found())
}

/// `POST .../Environments`.
pub fn create(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
) -> Result<Response, ApiError> {
    let unique_name = request.required("UniqueName")?;
    request.text("UniqueName", 100)?;
    let suffix = request.text("DomainSuffix", 16)?;
    if let Some(suffix) = suffix {
        if !suffix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(ApiError::invalid_parameter(format!(
                "DomainSuffix must be letters, digits and dashes: {suffix}"
            )));
        }
    }
    let now = state.clock.now();
    let environment = state.store.with(|data| {
        let service = owned(data, request, service)?;
        let taken = data.environments.iter().any(|e| {
            e.service_sid == service.sid
                && (e.unique_name == unique_name
                    || (suffix.is_some() && e.domain_suffix.as_deref() == suffix))
        });
        if taken {
            return Err(ApiError::conflict(
                20409,
                "Environment with this UniqueName or DomainSuffix already exists.",
            ));
        }
        let domain = match suffix {
            Some(suffix) => format!("{}-{}", service.domain_base, suffix.to_ascii_lowercase()),
            None => service.domain_base.clone(),
        };
        let environment = Environment {
            sid: new_sid("ZE"),
            service_sid: service.sid.clone(),
            unique_name: unique_name.to_string(),
            domain_suffix: suffix.map(str::to_string),
            domain_name: format!("{domain}.twil.io"),
            build_sid: None,
            date_created: now,
            date_updated: now,
        };
        data.environments.push(environment.clone());
        Ok(environment)
    })?;
    Ok(created(environment_json(&environment, request)))
}

/// `GET .../Environments/{Sid}`.
pub fn fetch(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    let environment = state
        .store
        .with(|data| owned_environment(data, request, service, sid))?;
    Ok(ok(environment_json(&environment, request)))
}

/// `GET .../Environments`: oldest first, paged.
pub fn list(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
) -> Result<Response, ApiError> {
    let (service, environments) = state.store.with(|data| {
        let service = owned(data, request, service)?;
        let environments = children(&data.environments, &service.sid);
        Ok::<_, ApiError>((service, environments))
    })?;
    let url = request.url(&format!("/Services/{}/Environments", service.sid));
    let to_json = |e: &Environment| environment_json(e, request);
    page(request, &environments, to_json, &url, "environments")
}

/// `DELETE .../Environments/{Sid}`: with its Variables and Deployments (and its Functions'
/// worker).
pub fn delete(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    let environment_sid = state.store.with(|data| {
        let environment = owned_environment(data, request, service, sid)?;
        data.remove_environment(&environment.sid);
        Ok::<_, ApiError>(environment.sid)
    })?;
    state.store.node().stop_worker(&environment_sid);
    Ok(deleted())
}

/// The URL of an Environment.
pub fn environment_url(request: &V1Request, environment: &Environment) -> String {
    request.url(&format!(
        "/Services/{}/Environments/{}",
        environment.service_sid, environment.sid
    ))
}

/// An Environment as `serverless.v1.service.environment`.
fn environment_json(environment: &Environment, request: &V1Request) -> Value {
    let url = environment_url(request, environment);
    json!({
        "sid": environment.sid,
        "account_sid": request.account_sid,
        "service_sid": environment.service_sid,
        "build_sid": environment.build_sid,
        "unique_name": environment.unique_name,
        "domain_suffix": environment.domain_suffix,
        "domain_name": environment.domain_name,
        "date_created": iso8601(environment.date_created),
        "date_updated": iso8601(environment.date_updated),
        "url": url,
        "links": {
            "variables": format!("{url}/Variables"),
            "deployments": format!("{url}/Deployments"),
            "logs": format!("{url}/Logs"),
        },
    })
}
