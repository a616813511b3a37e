//! What the v1 APIs (Serverless, Sync) share: requests authenticated by their credentials alone
//! (no account in the path), parameters from the form body or the query string, absolute
//! resource URLs on the emulator's origin under the product's path prefix
//! (`twilio_wire::client::Product::path_prefix`: `http://127.0.0.1:PORT/sync/v1/Services/...`),
//! and the answers' status codes.
//!
//! ```text
//! /<product>/v1/<path> --authenticate--> V1Request { account, path, params } --> product handler
//! ```

use std::sync::Arc;

use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use twilio_wire::client::Product;

use crate::clock::Clock;
use crate::config::EmulatorConfig;

use super::auth::credentials_account;
use super::error::ApiError;
use super::keys::KeyRing;
use super::params::Params;
use super::recordings::origin;

/// What a v1 product's handlers share: the configuration, emulated time and its records.
#[derive(Clone)]
pub struct V1State<S> {
    /// Accounts and latencies.
    pub config: Arc<EmulatorConfig>,
    /// Emulated time: dates, TTLs, build durations.
    pub clock: Clock,
    /// API keys, which authenticate as their accounts.
    pub keys: KeyRing,
    /// The product's records.
    pub store: S,
}

/// One authenticated request to a v1 API.
#[derive(Debug, Clone)]
pub struct V1Request {
    /// The account the credentials name; it owns everything the request creates or sees.
    pub account_sid: String,
    /// `GET`, `POST`, `DELETE`, ...
    pub method: Method,
    /// The path after `/<product>/v1`, e.g. `/Services/IS.../Lists`: Twilio's 404s name it.
    pub path: String,
    /// `http://host:port` as the client addressed the emulator.
    origin: String,
    /// The product whose URLs the answer holds.
    product: Product,
    /// The API version in the path: `v1`, or `v2` for Studio.
    version: &'static str,
    /// The form body of a `POST`, the query string otherwise.
    pub params: Params,
    /// The request's headers (`If-Match`).
    pub headers: HeaderMap,
}

impl V1Request {
    /// Authenticates a request to `product` and reads its path; its parameters are empty until
    /// [`read_params`](Self::read_params).
    pub fn new(
        config: &EmulatorConfig,
        keys: &KeyRing,
        product: Product,
        method: Method,
        uri: &Uri,
        headers: HeaderMap,
    ) -> Result<V1Request, ApiError> {
        V1Request::versioned(config, keys, (product, "v1"), method, uri, headers)
    }

    /// As [`new`](Self::new), for a product whose paths carry another version (Studio's `v2`).
    pub fn versioned(
        config: &EmulatorConfig,
        keys: &KeyRing,
        (product, version): (Product, &'static str),
        method: Method,
        uri: &Uri,
        headers: HeaderMap,
    ) -> Result<V1Request, ApiError> {
        let prefix = format!("{}/{version}", product.path_prefix());
        let path = uri
            .path()
            .strip_prefix(prefix.as_str())
            .filter(|rest| rest.starts_with('/'))
            .ok_or_else(|| ApiError::not_found(uri.path()))?
            .trim_end_matches('/')
            .to_string();
        let account = credentials_account(config, keys, &headers)?;
        Ok(V1Request {
            account_sid: account.sid.clone(),
            method,
            origin: origin(&headers),
            product,
            version,
            path,
            params: Params::default(),
            headers,
        })
    }

    /// Decodes the parameters: the form `body` of a `POST`, the query string of `uri` otherwise.
    pub fn read_params(mut self, uri: &Uri, body: &[u8]) -> Result<V1Request, ApiError> {
        self.params = if self.method == Method::POST {
            Params::decode(body)?
        } else {
            Params::decode(uri.query().unwrap_or_default().as_bytes())?
        };
        Ok(self)
    }

    /// The path's segments, percent-decoded (a unique name may hold any character).
    pub fn segments(&self) -> Vec<String> {
        self.path
            .split('/')
            .skip(1)
            .map(|segment| {
                percent_encoding::percent_decode_str(segment)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect()
    }

    /// The same request, answering with `product`'s URLs: an upload to Serverless Upload
    /// creates a resource of Serverless.
    pub fn answering_as(mut self, product: Product) -> V1Request {
        self.product = product;
        self
    }

    /// The absolute URL of the resource at `path` (after `/v1` or the product's version).
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}{}/{}{path}",
            self.origin,
            self.product.path_prefix(),
            self.version
        )
    }

    /// 404/20404 naming this request's path, as Twilio's v1 APIs do.
    pub fn not_found(&self) -> ApiError {
        ApiError::not_found(&self.path)
    }

    /// The parameter `name`, or 400/20001 `Missing required parameter ...`.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.params
            .get(name)
            .ok_or_else(|| ApiError::missing_parameter(name))
    }

    /// The optional text parameter `name`, refused above `max` characters.
    pub fn text(&self, name: &str, max: usize) -> Result<Option<&str>, ApiError> {
        match self.params.get(name) {
            Some(value) if value.chars().count() > max => Err(ApiError::invalid_parameter(
                format!("{name} must be at most {max} characters"),
            )),
            other => Ok(other),
        }
    }

    /// The boolean parameter `name` (`true`/`false`, any case), or `default` when absent.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self
            .params
            .get(name)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None => Ok(default),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(ApiError::invalid_parameter(format!(
                "{name} must be true or false, not {other}"
            ))),
        }
    }
}

/// `201 Created` with a resource.
pub fn created(resource: Value) -> Response {
    (StatusCode::CREATED, Json(resource)).into_response()
}

/// `200 OK` with a resource or a page.
pub fn ok(body: Value) -> Response {
    Json(body).into_response()
}

/// `204 No Content`, the answer to a `DELETE`.
pub fn deleted() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
