//! Which credential the REST client sends: an API key and its secret (Twilio's
//! recommendation: revocable, and not the key that signs webhooks) when both are set, else the
//! auth token. Webhook signatures are always made with the auth token, so a transport that
//! checks them (the in-process webhook, the proxy) still needs it.

use twilio_wire::client::{ClientError, TwilioClient};

use super::types::{Secret, TwilioCaps};

/// A REST credential of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestCredentials {
    /// `TWILIO_IVR_API_KEY` + `TWILIO_IVR_API_SECRET`.
    ApiKey {
        /// `SK...`: the Basic-auth user.
        sid: String,
        /// Never printed.
        secret: Secret,
    },
    /// `TWILIO_IVR_AUTH_TOKEN`, the account's master credential.
    AuthToken(Secret),
}

impl RestCredentials {
    /// A client for `account_sid` at `api_url` authenticated by this credential.
    pub fn client(&self, api_url: &str, account_sid: &str) -> Result<TwilioClient, ClientError> {
        match self {
            RestCredentials::ApiKey { sid, secret } => {
                TwilioClient::with_api_key(api_url, account_sid, sid, secret)
            }
            RestCredentials::AuthToken(token) => TwilioClient::new(api_url, account_sid, token),
        }
    }

    /// What it is, for people: `API key SK...` or `auth token` (never the secret).
    pub fn describe(&self) -> String {
        match self {
            RestCredentials::ApiKey { sid, .. } => format!("API key {sid}"),
            RestCredentials::AuthToken(_) => "auth token".to_string(),
        }
    }
}

impl TwilioCaps {
    /// The REST credential: the API key when both of its capabilities are set, else the
    /// auth token; `None` without either.
    pub fn rest_credentials(&self) -> Option<RestCredentials> {
        match (&self.api_key, &self.api_secret, &self.auth_token) {
            (Some(sid), Some(secret), _) => Some(RestCredentials::ApiKey {
                sid: sid.clone(),
                secret: secret.clone(),
            }),
            (_, _, Some(token)) => Some(RestCredentials::AuthToken(token.clone())),
            _ => None,
        }
    }
}

/// Why a transport that checks Twilio's signatures cannot run on an API key alone.
pub const SIGNING_NEEDS_AUTH_TOKEN: &str = "TWILIO_IVR_AUTH_TOKEN is required as well: Twilio signs its webhooks with the account's auth token, and the in-process webhook (TWILIO_IVR_PUBLICURL) and the proxy check those signatures; an API key authenticates REST requests only";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::collections::BTreeMap;

    const KEY: &str = "SK0123456789abcdef0123456789abcdef";
    const SECRET: &str = "key-secret-7f3a";

    fn load(vars: &[(&str, &str)]) -> Result<Config, crate::config::ConfigErrors> {
        let dir = tempfile::tempdir().unwrap();
        let env: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (format!("BOTIUM_{k}"), v.to_string()))
            .collect();
        Config::load(None, dir.path(), &env)
    }

    #[test]
    fn key_capabilities_load_typed_known_and_secret() {
        let config = load(&[
            ("TWILIO_IVR_API_KEY", KEY),
            ("TWILIO_IVR_API_SECRET", SECRET),
        ])
        .unwrap();
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        assert_eq!(
            config.capabilities.twilio.rest_credentials(),
            Some(RestCredentials::ApiKey {
                sid: KEY.into(),
                secret: Secret::new(SECRET)
            })
        );
        let described: BTreeMap<String, String> = config.describe().into_iter().collect();
        assert_eq!(described["TWILIO_IVR_API_KEY"], KEY);
        assert_eq!(described["TWILIO_IVR_API_SECRET"], "<redacted>");
        let printed = format!("{config:?} {:?}", config.describe());
        assert!(!printed.contains(SECRET), "{printed}");
        assert_eq!(config.redact(&format!("x {SECRET} y")), "x <redacted> y");

        let half = load(&[("TWILIO_IVR_API_KEY", KEY)]).unwrap();
        assert!(
            half.warnings[0].contains("TWILIO_IVR_API_SECRET"),
            "{:?}",
            half.warnings
        );
        let errors = load(&[
            ("TWILIO_IVR_API_KEY", "AC123"),
            ("TWILIO_IVR_API_SECRET", SECRET),
        ])
        .unwrap_err();
        let shown: Vec<String> = errors.errors.iter().map(ToString::to_string).collect();
        assert!(shown[0].contains("TWILIO_IVR_API_KEY"), "{shown:?}");
        assert!(
            shown[0].contains("SK followed by 32 hex digits"),
            "{shown:?}"
        );
    }

    #[test]
    fn a_complete_key_wins_over_the_token() {
        let mut caps = TwilioCaps {
            auth_token: Some(Secret::new("token")),
            ..TwilioCaps::default()
        };
        assert_eq!(
            caps.rest_credentials(),
            Some(RestCredentials::AuthToken(Secret::new("token")))
        );
        caps.api_key = Some("SK00000000000000000000000000000001".into());
        assert!(matches!(
            caps.rest_credentials(),
            Some(RestCredentials::AuthToken(_))
        ));
        caps.api_secret = Some(Secret::new("key-secret"));
        let key = caps.rest_credentials().unwrap();
        assert_eq!(key.describe(), "API key SK00000000000000000000000000000001");
        assert!(!format!("{key:?}").contains("key-secret"));
        caps.auth_token = None;
        assert!(caps.rest_credentials().is_some());
        caps.api_secret = None;
        assert_eq!(caps.rest_credentials(), None);
    }
}
