//! Variables (`.../Environments/{EnvironmentSid}/Variables`): create, fetch, update, list,
//! delete; what an Environment's Functions find in their context.
//!
//! | check | error |
//! |---|---|
//! | `Key` or `Value` missing on create | 400/20001 |
//! | `Key` over 128 characters, `Value` over 450 bytes | 400/20001 |
//! | `Key` taken in the Environment | 409/20409 |
//! | no such Service, Environment or Variable | 404/20404 |

use axum::response::Response;
use serde_json::{json, Value};

use twilio_wire::sid::new_sid;
use twilio_wire::time::iso8601;

use crate::rest::error::ApiError;
use crate::rest::v1::{created, deleted, ok, V1Request};

use super::environments::{environment_url, owned_environment};
use super::store::{child, children, Environment, ServerlessData, Variable};
use super::{page, ServerlessState};

/// The largest `Value`, in bytes.
const MAX_VALUE_BYTES: usize = 450;

/// `POST .../Variables`.
pub fn create(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    environment: &str,
) -> Result<Response, ApiError> {
    let key = request.required("Key")?.to_string();
    let value = request.required("Value")?.to_string();
    check(request)?;
    let now = state.clock.now();
    let (environment, variable) = state.store.with(|data| {
        let environment = owned_environment(data, request, service, environment)?;
        check_key_free(data, &environment, &key, None)?;
        let variable = Variable {
            sid: new_sid("ZV"),
            service_sid: environment.service_sid.clone(),
            environment_sid: environment.sid.clone(),
            key,
            value,
            date_created: now,
            date_updated: now,
        };
        data.variables.push(variable.clone());
        Ok::<_, ApiError>((environment, variable))
    })?;
    Ok(created(variable_json(&variable, &environment, request)))
}

/// `GET .../Variables/{Sid}`.
pub fn fetch(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    environment: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    let (environment, variable) = state.store.with(|data| {
        let environment = owned_environment(data, request, service, environment)?;
        let variable = find(data, request, &environment, sid)?;
        Ok::<_, ApiError>((environment, variable))
    })?;
    Ok(ok(variable_json(&variable, &environment, request)))
}

/// `POST .../Variables/{Sid}`: a new `Key` and/or `Value`.
pub fn update(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    environment: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    check(request)?;
    let now = state.clock.now();
    let (environment, variable) = state.store.with(|data| {
        let environment = owned_environment(data, request, service, environment)?;
        let sid = find(data, request, &environment, sid)?.sid.clone();
        if let Some(key) = request.params.get("Key") {
            check_key_free(data, &environment, key, Some(&sid))?;
        }
        let variable = data
            .variables
            .iter_mut()
            .find(|v| v.sid == sid)
            .ok_or_else(|| request.not_found())?;
        if let Some(key) = request.params.get("Key") {
            variable.key = key.to_string();
        }
        if let Some(value) = request.params.get("Value") {
            variable.value = value.to_string();
        }
        variable.date_updated = now;
        Ok::<_, ApiError>((environment, variable.clone()))
    })?;
    Ok(ok(variable_json(&variable, &environment, request)))
}

/// `GET .../Variables`: oldest first, paged.
pub fn list(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    environment: &str,
) -> Result<Response, ApiError> {
    let (environment, variables) = state.store.with(|data| {
        let environment = owned_environment(data, request, service, environment)?;
        let variables = children(&data.variables, &environment.sid);
        Ok::<_, ApiError>((environment, variables))
    })?;
    let url = format!("{}/Variables", environment_url(request, &environment));
    let to_json = |v: &Variable| variable_json(v, &environment, request);
    page(request, &variables, to_json, &url, "variables")
}

/// `DELETE .../Variables/{Sid}`.
pub fn delete(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    environment: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    state.store.with(|data| {
        let environment = owned_environment(data, request, service, environment)?;
        let sid = find(data, request, &environment, sid)?.sid.clone();
        data.variables.retain(|v| v.sid != sid);
        Ok(deleted())
    })
}

fn find(
    data: &ServerlessData,
    request: &V1Request,
    environment: &Environment,
    sid: &str,
) -> Result<Variable, ApiError> {
    child(&data.variables, &environment.sid, sid).ok_or_else(|| request.not_found())
}

/// 400/20001 for a `Key` over 128 characters or a `Value` over 450 bytes.
fn check(request: &V1Request) -> Result<(), ApiError> {
    request.text("Key", 128)?;
    match request.params.get("Value") {
        Some(value) if value.len() > MAX_VALUE_BYTES => Err(ApiError::invalid_parameter(format!(
            "Value must be at most {MAX_VALUE_BYTES} bytes"
        ))),
        _ => Ok(()),
    }
}

/// 409/20409 if another Variable than `except` of the Environment has `key`.
fn check_key_free(
    data: &ServerlessData,
    environment: &Environment,
    key: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    let taken = data.variables.iter().any(|v| {
        v.environment_sid == environment.sid && v.key == key && Some(v.sid.as_str()) != except
    });
    if taken {
        return Err(ApiError::conflict(
            20409,
            format!("Variable with Key {key} already exists in this Environment"),
        ));
    }
    Ok(())
}

/// A Variable as `serverless.v1.service.environment.variable`.
fn variable_json(variable: &Variable, environment: &Environment, request: &V1Request) -> Value {
    json!({
        "sid": variable.sid,
        "account_sid": request.account_sid,
        "service_sid": variable.service_sid,
        "environment_sid": variable.environment_sid,
        "key": variable.key,
        "value": variable.value,
        "date_created": iso8601(variable.date_created),
        "date_updated": iso8601(variable.date_updated),
        "url": format!(
            "{}/Variables/{}",
            environment_url(request, environment),
            variable.sid
        ),
    })
}
