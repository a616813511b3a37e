//! Request parameters as Twilio sends them: form bodies and query strings with PascalCase
//! names, repeated keys for arrays and literal range keys (`DateSent<`), plus the value
//! checks several resources share.

use crate::config::{is_e164, is_http_url};
use twilio_wire::twiml::HttpMethod;

use super::error::ApiError;

/// Decoded `name=value` pairs in request order; repeated names are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// Decodes a form body or query string.
    pub fn decode(encoded: &[u8]) -> Result<Params, ApiError> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded)
            .map(Params)
            .map_err(|e| ApiError::invalid_parameter(format!("Malformed parameters: {e}")))
    }

    /// The first value of `name`, if given (an empty value counts as not given, as in Twilio).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    /// Every value of a repeated `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The pairs whose names are in `names`, in request order (for echoing filters in URIs).
    pub fn only(&self, names: &[&str]) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(key, _)| names.contains(&key.as_str()))
            .cloned()
            .collect()
    }
}

/// Parses `GET`/`POST` (any case).
pub fn parse_method(text: &str) -> Option<HttpMethod> {
    match text.to_ascii_uppercase().as_str() {
        "GET" => Some(HttpMethod::Get),
        "POST" => Some(HttpMethod::Post),
        _ => None,
    }
}

/// The method parameter `name` (default POST), or 400/21209.
pub fn method_param(params: &Params, name: &str) -> Result<HttpMethod, ApiError> {
    match params.get(name) {
        None => Ok(HttpMethod::Post),
        Some(text) => parse_method(text).ok_or_else(|| {
            ApiError::bad_request(21209, format!("{name} must be GET or POST, not {text}"))
        }),
    }
}

/// The URL parameter `name`, or 400/21205 `<name> is not a valid URL: <value>`.
pub fn url_param(params: &Params, name: &str) -> Result<Option<String>, ApiError> {
    match params.get(name) {
        None => Ok(None),
        Some(url) if is_http_url(url) => Ok(Some(url.to_string())),
        Some(url) => Err(ApiError::bad_request(
            21205,
            format!("{name} is not a valid URL: {url}"),
        )),
    }
}

/// Twilio booleans: `true`/`false` (any case).
pub fn bool_param(params: &Params, name: &str) -> Result<bool, ApiError> {
    match params.get(name).map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ApiError::invalid_parameter(format!(
            "{name} must be true or false, not {other}"
        ))),
    }
}

/// Whether `endpoint` is something a call can be placed to: E.164, `client:name` or `sip:...`.
pub fn is_call_endpoint(endpoint: &str) -> bool {
    is_e164(endpoint) || is_client_or_sip(endpoint)
}

/// Whether `endpoint` is a `client:` or `sip:` address (not the phone network).
pub fn is_client_or_sip(endpoint: &str) -> bool {
    ["client:", "sip:"].iter().any(|scheme| {
        endpoint
            .strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty())
    })
}

/// Twilio's national format for +1 numbers, `(415) 555-1212`; others as given.
pub fn formatted_number(number: &str) -> String {
    match number.strip_prefix("+1") {
        Some(n) if n.len() == 10 && n.chars().all(|c| c.is_ascii_digit()) => {
            format!("({}) {}-{}", &n[..3], &n[3..6], &n[6..])
        }
        _ => number.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_literal_range_keys_survive_decoding() {
        let params = Params::decode(
            b"StatusCallbackEvent=initiated&StatusCallbackEvent=ringing&DateSent%3C=2026-01-02&To=%2B1555&Empty=",
        )
        .unwrap();
        let events: Vec<_> = params.all("StatusCallbackEvent").collect();
        assert_eq!(events, ["initiated", "ringing"]);
        assert_eq!(params.get("DateSent<"), Some("2026-01-02"));
        assert_eq!(params.get("To"), Some("+1555"));
        assert_eq!(params.get("Empty"), None);
        assert_eq!(params.only(&["To"]), vec![("To".into(), "+1555".into())]);
    }

    #[test]
    fn endpoints_and_formatting() {
        assert!(is_call_endpoint("client:alice"));
        assert!(is_call_endpoint("sip:bob@example.com"));
        assert!(!is_call_endpoint("client:"));
        assert!(!is_call_endpoint("5551234567"));
        assert_eq!(formatted_number("+18668675310"), "(866) 867-5310");
        assert_eq!(formatted_number("+447700900123"), "+447700900123");
        assert_eq!(parse_method("get"), Some(HttpMethod::Get));
        assert_eq!(parse_method("PUT"), None);
    }
}
