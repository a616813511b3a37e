//! REST errors as Twilio returns them: an HTTP status and an [`ErrorEnvelope`] body.
//!
//! Where `twilio.md` §3.2 gives an exact message it is used verbatim. For the rest the code is
//! Twilio's documented code for the condition and the message is the emulator's own wording;
//! `INVALID_PARAMETER` (20001) stands in where Twilio documents no code at all (`Twiml` too
//! long, a bad `Record`/`Status`/`PageSize`/date value).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use twilio_wire::error::ErrorEnvelope;

/// The emulator's code for a malformed parameter Twilio documents no code for.
pub const INVALID_PARAMETER: u32 = 20001;

/// A REST error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The JSON body; its `status` is the HTTP status.
    pub envelope: ErrorEnvelope,
}

impl ApiError {
    /// An error with Twilio's envelope.
    pub fn new(status: u16, code: u32, message: impl Into<String>) -> ApiError {
        ApiError {
            envelope: ErrorEnvelope::new(status, code, message),
        }
    }

    /// 400 with `code`.
    pub fn bad_request(code: u32, message: impl Into<String>) -> ApiError {
        ApiError::new(400, code, message)
    }

    /// 400/20001 for a parameter Twilio documents no error code for.
    pub fn invalid_parameter(message: impl Into<String>) -> ApiError {
        ApiError::bad_request(INVALID_PARAMETER, message)
    }

    /// 401/20003 `Authenticate`.
    pub fn authenticate() -> ApiError {
        ApiError::new(401, 20003, "Authenticate")
    }

    /// 404/20404 for the request path `path`.
    pub fn not_found(path: &str) -> ApiError {
        ApiError::new(
            404,
            20404,
            format!("The requested resource {path} was not found"),
        )
    }

    /// 400/20001 `Missing required parameter <name> in the post body`, as the v1 APIs say it.
    pub fn missing_parameter(name: &str) -> ApiError {
        ApiError::invalid_parameter(format!(
            "Missing required parameter {name} in the post body"
        ))
    }

    /// 409 with `code`: the request conflicts with a resource's state (a unique name taken,
    /// a build not yet completed).
    pub fn conflict(code: u32, message: impl Into<String>) -> ApiError {
        ApiError::new(409, code, message)
    }

    /// 405/20004 for a method the resource does not support.
    pub fn method_not_allowed() -> ApiError {
        ApiError::new(405, 20004, "Method not allowed")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.envelope.status).unwrap_or(StatusCode::BAD_REQUEST);
        let challenge = status == StatusCode::UNAUTHORIZED;
        let mut response = (status, Json(self.envelope)).into_response();
        if challenge {
            // Twilio's challenge; lets curl and browsers retry with credentials.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Twilio API\""),
            );
        }
        response
    }
}
