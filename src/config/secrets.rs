//! Keeping secrets (the auth token, the API key's secret, the Redis password) out of every message, print and listing.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use super::types::{Capabilities, Config};

pub(crate) use twilio_wire::secret::{Redactor, REDACTED};

/// Capabilities whose whole value is secret.
pub(crate) const SECRET_CAPABILITIES: [&str; 3] = [
    "TWILIO_IVR_AUTH_TOKEN",
    "TWILIO_IVR_API_SECRET",
    "TWILIO_IVR_REDISURL",
];

/// Whether the capability `name` holds a secret (its value must never be shown or spoken).
pub fn is_secret_capability(name: &str) -> bool {
    SECRET_CAPABILITIES.contains(&name)
}

/// The secret values inside a Redis URL: the password (raw and percent-decoded) of the user
/// info, or the whole user info when it has no `:`, and any `password=` query parameter.
pub(crate) fn redis_url_secrets(url: &str) -> Vec<String> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (before_query, query) = match after_scheme.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (after_scheme, None),
    };
    let mut secrets = Vec::new();
    if let Some(at) = before_query.rfind('@') {
        let user_info = &before_query[..at];
        let password = user_info.split_once(':').map_or(user_info, |(_, pw)| pw);
        secrets.push(password.to_string());
    }
    for pair in query.unwrap_or("").split(['&', '#']) {
        if let Some(("password", value)) = pair.split_once('=') {
            secrets.push(value.to_string());
        }
    }
    let decoded: Vec<String> = secrets.iter().map(|s| percent_decode(s)).collect();
    secrets.extend(decoded);
    secrets.retain(|s| !s.is_empty());
    secrets
}

/// Decodes `%XX` escapes; invalid escapes and invalid UTF-8 are kept as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(decoded).unwrap_or_else(|_| text.to_string())
}

impl Capabilities {
    /// Every secret value these capabilities hold.
    pub(crate) fn secret_values(&self) -> Vec<String> {
        let mut values = Vec::new();
        let twilio = &self.twilio;
        for secret in [&twilio.auth_token, &twilio.api_secret]
            .into_iter()
            .flatten()
        {
            values.push(secret.expose().to_string());
        }
        if let Some(url) = &self.twilio.redis_url {
            values.extend(redis_url_secrets(url.expose()));
        }
        // Raw entries cover values that were set but not typed (e.g. by code building a Config).
        for key in SECRET_CAPABILITIES {
            match self.raw.get(key) {
                Some(Value::String(s)) if key == "TWILIO_IVR_REDISURL" => {
                    values.extend(redis_url_secrets(s))
                }
                Some(Value::String(s)) => values.push(s.clone()),
                Some(Value::Number(n)) => values.push(n.to_string()),
                _ => {}
            }
        }
        values
    }

    /// A redactor for these capabilities' secrets.
    pub(crate) fn redactor(&self) -> Redactor {
        Redactor::new(self.secret_values())
    }
}

impl Config {
    /// `text` with every secret value (auth token, Redis password) replaced by `<redacted>`.
    pub fn redact(&self, text: &str) -> String {
        self.capabilities.redactor().redact(text)
    }
}

/// `raw` for `Debug`: secret capabilities hidden, secret values elsewhere redacted.
struct RedactedRaw<'a> {
    raw: &'a BTreeMap<String, Value>,
    redactor: Redactor,
}

impl fmt::Debug for RedactedRaw<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in self.raw {
            if SECRET_CAPABILITIES.contains(&key.as_str()) {
                map.entry(key, &format_args!("{REDACTED}"));
            } else {
                let shown = self.redactor.redact(&value.to_string());
                map.entry(key, &format_args!("{shown}"));
            }
        }
        map.finish()
    }
}

// Written by hand (not derived) because `raw` holds the secrets as plain JSON.
impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redactor = self.redactor();
        let twilio = redactor.redact(&format!("{:?}", self.twilio));
        let scripting = redactor.redact(&format!("{:?}", self.scripting));
        f.debug_struct("Capabilities")
            .field("project_name", &self.project_name)
            .field("container_mode", &self.container_mode)
            .field("wait_for_bot_timeout", &self.wait_for_bot_timeout)
            .field("twilio", &format_args!("{twilio}"))
            .field("scripting", &format_args!("{scripting}"))
            .field(
                "raw",
                &RedactedRaw {
                    raw: &self.raw,
                    redactor,
                },
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    #[test]
    fn finds_redis_passwords() {
        assert_eq!(redis_url_secrets("redis://:pw@h:6379"), vec!["pw", "pw"]);
        assert_eq!(
            redis_url_secrets("rediss://user:p%40ss@h/0"),
            vec!["p%40ss", "p@ss"]
        );
        assert_eq!(
            redis_url_secrets("redis://h:6379?password=q"),
            vec!["q", "q"]
        );
        assert!(redis_url_secrets("redis://localhost:6379").is_empty());
    }

    #[test]
    fn redacts_longest_secret_first() {
        let redactor = Redactor::new(["abc".to_string(), "abcdef".to_string(), String::new()]);
        assert_eq!(redactor.redact("x abcdef abc"), "x <redacted> <redacted>");
    }

    #[test]
    fn debug_of_capabilities_hides_secrets() {
        let mut caps = Capabilities::default();
        caps.twilio.auth_token = Some(Secret::new("tok-123456"));
        caps.twilio.redis_url = Some(Secret::new("redis://:hunter2@h:6379"));
        caps.raw
            .insert("TWILIO_IVR_AUTH_TOKEN".into(), Value::from("tok-123456"));
        caps.raw.insert(
            "TWILIO_IVR_REDISURL".into(),
            Value::from("redis://:hunter2@h:6379"),
        );
        caps.raw
            .insert("OTHER".into(), Value::from("pasted tok-123456 here"));
        let printed = format!("{caps:?}");
        assert!(!printed.contains("tok-123456"), "{printed}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("OTHER"), "{printed}");
    }
}
