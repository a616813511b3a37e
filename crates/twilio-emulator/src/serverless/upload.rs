//! The Function code upload: `POST /serverless-upload/v1/Services/{ServiceSid}/Functions/
//! {FunctionSid}/Versions` (on Twilio, `serverless-upload.twilio.com`), a `multipart/form-data`
//! body with `Path`, `Visibility` and the code as the file part `Content`. It answers 201 with
//! the new Function Version, whose URLs are Serverless's.
//!
//! | check | error |
//! |---|---|
//! | not `multipart/form-data`, or a malformed body | 400/20001 |
//! | `Path`, `Visibility` or `Content` missing | 400/20001 |
//! | `Path` not starting with `/` or over 255 characters | 400/20001 |
//! | `Visibility` not `public`, `protected` or `private` | 400/20001 |
//! | `Content` not UTF-8 text | 400/20001 |
//! | no such Service or Function | 404/20404 |

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};

use twilio_wire::client::Product;
use twilio_wire::sid::new_sid;

use crate::rest::error::ApiError;
use crate::rest::v1::{created, V1Request};

use super::functions::owned_function;
use super::store::{FunctionVersion, Visibility};
use super::versions::version_json;
use super::ServerlessState;

/// The route, under the Serverless Upload prefix.
pub const ROUTE: &str = "/v1/Services/{service}/Functions/{function}/Versions";

/// The longest `Path`.
const MAX_PATH_CHARS: usize = 255;

/// What the form holds.
#[derive(Default)]
struct Upload {
    path: Option<String>,
    visibility: Option<String>,
    content: Option<Vec<u8>>,
}

/// Handles an upload.
pub async fn handle(
    State(state): State<ServerlessState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let request = match V1Request::new(
        &state.config,
        &state.keys,
        Product::ServerlessUpload,
        method,
        &uri,
        headers,
    ) {
        Ok(request) => request.answering_as(Product::Serverless),
        Err(e) => return e.into_response(),
    };
    if request.method != Method::POST {
        return ApiError::method_not_allowed().into_response();
    }
    let form = match multipart {
        Ok(multipart) => read(multipart).await,
        Err(rejection) => Err(ApiError::invalid_parameter(format!(
            "The upload must be multipart/form-data: {rejection}"
        ))),
    };
    form.and_then(|form| store(&state, &request, form))
        .unwrap_or_else(IntoResponse::into_response)
}

/// Reads the form's parts; unknown parts are ignored.
async fn read(mut multipart: Multipart) -> Result<Upload, ApiError> {
    let malformed = |e: axum::extract::multipart::MultipartError| {
        ApiError::invalid_parameter(format!("Malformed multipart body: {e}"))
    };
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        match field.name().unwrap_or_default() {
            "Path" => upload.path = Some(field.text().await.map_err(malformed)?),
            "Visibility" => upload.visibility = Some(field.text().await.map_err(malformed)?),
            "Content" => upload.content = Some(field.bytes().await.map_err(malformed)?.to_vec()),
            _ => {}
        }
    }
    Ok(upload)
}

/// Validates the upload and stores the Version.
fn store(state: &ServerlessState, request: &V1Request, form: Upload) -> Result<Response, ApiError> {
    let path = form
        .path
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::missing_parameter("Path"))?;
    if !path.starts_with('/') || path.chars().count() > MAX_PATH_CHARS {
        return Err(ApiError::invalid_parameter(format!(
            "Path must start with / and be at most {MAX_PATH_CHARS} characters: {path}"
        )));
    }
    let visibility = form
        .visibility
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::missing_parameter("Visibility"))?;
    let visibility = Visibility::parse(&visibility).ok_or_else(|| {
        ApiError::invalid_parameter(format!(
            "Visibility must be public, protected or private, not {visibility}"
        ))
    })?;
    let content = form
        .content
        .ok_or_else(|| ApiError::missing_parameter("Content"))?;
    let content = String::from_utf8(content).map_err(|_| {
        ApiError::invalid_parameter("Content must be the Function's code as UTF-8 text")
    })?;
    let segments = request.segments();
    let (service, function) = match segments.as_slice() {
        [_, service, _, function, _] => (service.as_str(), function.as_str()),
        _ => return Err(request.not_found()),
    };
    let now = state.clock.now();
    let version = state.store.with(|data| {
        let function = owned_function(data, request, service, function)?;
        let version = FunctionVersion {
            sid: new_sid("ZN"),
            service_sid: function.service_sid,
            function_sid: function.sid,
            path,
            visibility,
            content,
            date_created: now,
        };
        data.versions.push(version.clone());
        Ok::<_, ApiError>(version)
    })?;
    Ok(created(version_json(&version, request)))
}
