//! API keys (`SK...` and a secret): the configured ones and those created over REST
//! (`Accounts/{AC}/Keys.json`: list, create, fetch, update, delete, OpenAPI
//! `api.v2010.account.key`). A key authenticates as its own account on every API the emulator
//! serves, except that a Standard key (the default, and every key created here) may not read
//! the Account resource or the Keys, as on Twilio; a key of another account is refused like a
//! wrong password (401/20003). The secret is shown once, in the create answer, as Twilio does.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use twilio_wire::secret::Secret;
use twilio_wire::sid::new_sid;
use twilio_wire::time::rfc2822;

use crate::config::{EmulatorConfig, KeyKind};

use super::error::ApiError;
use super::paging::{page_json, PageRequest};
use super::params::Params;
use super::resources::account_path;
use super::RestState;

/// The longest `FriendlyName` of a key.
const MAX_FRIENDLY_NAME: usize = 64;

/// One API key.
#[derive(Debug, Clone)]
struct ApiKey {
    account_sid: String,
    sid: String,
    secret: Secret,
    kind: KeyKind,
    friendly_name: Option<String>,
    date_created: DateTime<Utc>,
    date_updated: DateTime<Utc>,
}

/// Every API key the emulator accepts: the configuration's, then those created over REST.
/// Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    keys: Arc<Mutex<Vec<ApiKey>>>,
}

impl KeyRing {
    /// The configured keys of every account, created `now`.
    pub fn from_config(config: &EmulatorConfig, now: DateTime<Utc>) -> KeyRing {
        let keys = config
            .accounts
            .iter()
            .flat_map(|account| {
                account.api_keys.iter().map(|key| ApiKey {
                    account_sid: account.sid.clone(),
                    sid: key.sid.clone(),
                    secret: key.secret.clone(),
                    kind: key.kind,
                    friendly_name: None,
                    date_created: now,
                    date_updated: now,
                })
            })
            .collect();
        KeyRing {
            keys: Arc::new(Mutex::new(keys)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<ApiKey>> {
        // A panic elsewhere cannot leave a half-written key: each change is one push or retain.
        self.keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The account the key `sid` belongs to, if `password` is its secret; `check` compares
    /// secrets without a timing oracle.
    pub fn account_of(
        &self,
        sid: &str,
        password: &str,
        check: impl Fn(&str, &str) -> bool,
    ) -> Option<String> {
        self.lock()
            .iter()
            .find(|key| key.sid == sid && check(key.secret.expose(), password))
            .map(|key| key.account_sid.clone())
    }

    /// Whether `sid` is a Standard key, which may not reach the Account resource or the Keys.
    pub fn is_standard(&self, sid: &str) -> bool {
        self.lock()
            .iter()
            .any(|key| key.sid == sid && key.kind == KeyKind::Standard)
    }
}

fn key_json(key: &ApiKey) -> Value {
    json!({
        "sid": key.sid,
        "friendly_name": key.friendly_name,
        "date_created": rfc2822(key.date_created),
        "date_updated": rfc2822(key.date_updated),
    })
}

fn friendly_name(params: &Params) -> Result<Option<String>, ApiError> {
    match params.get("FriendlyName") {
        Some(name) if name.chars().count() > MAX_FRIENDLY_NAME => Err(ApiError::invalid_parameter(
            format!("FriendlyName must be at most {MAX_FRIENDLY_NAME} characters"),
        )),
        name => Ok(name.map(str::to_string)),
    }
}

/// `GET Keys.json`: the account's keys, oldest first, without secrets.
pub fn list(state: &RestState, account_sid: &str, params: &Params) -> Result<Response, ApiError> {
    let paging = PageRequest::from_params(params)?;
    let keys: Vec<ApiKey> = state
        .keys
        .lock()
        .iter()
        .filter(|key| key.account_sid == account_sid)
        .cloned()
        .collect();
    let body = page_json(
        &keys,
        |key| key.sid.as_str(),
        key_json,
        &paging,
        &format!("{}/Keys.json", account_path(account_sid)),
        &[],
        "keys",
    );
    Ok(Json(body).into_response())
}

/// `POST Keys.json`: a new key; its secret is in this answer only.
pub fn create(state: &RestState, account_sid: &str, params: &Params) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let key = ApiKey {
        account_sid: account_sid.to_string(),
        sid: new_sid("SK"),
        secret: Secret::new(new_sid("")),
        kind: KeyKind::Standard,
        friendly_name: friendly_name(params)?,
        date_created: now,
        date_updated: now,
    };
    let mut body = key_json(&key);
    body["secret"] = Value::from(key.secret.expose());
    state.keys.lock().push(key);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET Keys/{Sid}.json`.
pub fn fetch(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
) -> Result<Response, ApiError> {
    state
        .keys
        .lock()
        .iter()
        .find(|key| key.sid == sid && key.account_sid == account_sid)
        .map(|key| Json(key_json(key)).into_response())
        .ok_or_else(|| ApiError::not_found(path))
}

/// `POST Keys/{Sid}.json`: a new `FriendlyName`.
pub fn update(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let name = friendly_name(params)?;
    let now = state.clock.now();
    let mut keys = state.keys.lock();
    let key = keys
        .iter_mut()
        .find(|key| key.sid == sid && key.account_sid == account_sid)
        .ok_or_else(|| ApiError::not_found(path))?;
    if name.is_some() {
        key.friendly_name = name;
        key.date_updated = now;
    }
    Ok(Json(key_json(key)).into_response())
}

/// `DELETE Keys/{Sid}.json`: the key stops authenticating at once.
pub fn delete(
    state: &RestState,
    account_sid: &str,
    sid: &str,
    path: &str,
) -> Result<Response, ApiError> {
    let mut keys = state.keys.lock();
    let before = keys.len();
    keys.retain(|key| !(key.sid == sid && key.account_sid == account_sid));
    if keys.len() == before {
        return Err(ApiError::not_found(path));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
