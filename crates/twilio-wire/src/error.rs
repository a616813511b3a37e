//! Twilio's REST error envelope and the error codes the emulator returns and the runner explains.

use serde::{Deserialize, Serialize};

/// The JSON body of every Twilio 4xx/5xx response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    /// Twilio's error code, e.g. 21211.
    pub code: u32,
    /// Human text, e.g. `The 'To' number 123 is not a valid phone number.`.
    pub message: String,
    /// `https://www.twilio.com/docs/errors/<code>`.
    pub more_info: String,
    /// The HTTP status again.
    pub status: u16,
}

impl ErrorEnvelope {
    /// An envelope with Twilio's `more_info` link for `code`.
    pub fn new(status: u16, code: u32, message: impl Into<String>) -> ErrorEnvelope {
        ErrorEnvelope {
            code,
            message: message.into(),
            more_info: format!("https://www.twilio.com/docs/errors/{code}"),
            status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_twilio_does() {
        let e = ErrorEnvelope::new(401, 20003, "Authenticate");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}"#
        );
    }
}
