//! HTTP Basic authentication as Twilio does it: `AccountSid:AuthToken` or `KeySid:KeySecret`
//! (the key's own account), and the account in the path must be the authenticated one. Every
//! failure is the same 401/20003 `Authenticate`, so a caller learns nothing about which part
//! was wrong.

use axum::http::{header, HeaderMap};
use base64::Engine;

use crate::config::{AccountConfig, EmulatorConfig};

use super::error::ApiError;
use super::keys::KeyRing;

/// The configured account the request's credentials and path name, or 401/20003.
pub fn authenticate<'a>(
    config: &'a EmulatorConfig,
    keys: &KeyRing,
    headers: &HeaderMap,
    path_account_sid: &str,
) -> Result<&'a AccountConfig, ApiError> {
    let account = credentials_account(config, keys, headers)?;
    if account.sid != path_account_sid {
        return Err(ApiError::authenticate());
    }
    Ok(account)
}

/// The configured account the request's credentials name, or 401/20003: the v1 APIs
/// (Serverless, Sync) have no account in their paths.
pub fn credentials_account<'a>(
    config: &'a EmulatorConfig,
    keys: &KeyRing,
    headers: &HeaderMap,
) -> Result<&'a AccountConfig, ApiError> {
    let (user, password) = basic_credentials(headers).ok_or_else(ApiError::authenticate)?;
    if let Some(account_sid) = keys.account_of(&user, &password, constant_time_eq) {
        return config
            .account(&account_sid)
            .ok_or_else(ApiError::authenticate);
    }
    config
        .account(&user)
        .filter(|account| constant_time_eq(account.auth_token.expose(), &password))
        .ok_or_else(ApiError::authenticate)
}

/// 401/20003 when the request authenticates with a Standard API key: such keys may not reach
/// the Account resource or the Keys (call after [`authenticate`]).
pub fn refuse_standard_key(keys: &KeyRing, headers: &HeaderMap) -> Result<(), ApiError> {
    match basic_credentials(headers) {
        Some((user, _)) if keys.is_standard(&user) => Err(ApiError::authenticate()),
        _ => Ok(()),
    }
}

/// `user:password` from an `Authorization: Basic ...` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// Compares secrets without stopping at the first difference (no timing oracle).
fn constant_time_eq(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    let mut difference = a.len() ^ b.len();
    for (i, byte) in a.iter().enumerate() {
        difference |= usize::from(byte ^ b.get(i).copied().unwrap_or(0));
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const SID: &str = "AC00000000000000000000000000000001";

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    fn basic(user: &str, password: &str) -> HeaderMap {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        headers(&format!("Basic {encoded}"))
    }

    #[test]
    fn only_the_right_pair_for_the_path_account_passes() {
        let config = EmulatorConfig::with_account(SID, "token");
        let keys = KeyRing::default();
        assert!(authenticate(&config, &keys, &basic(SID, "token"), SID).is_ok());
        let other = "AC00000000000000000000000000000002";
        let failures = [
            (basic(SID, "tokeN"), SID),
            (basic(SID, "token2"), SID),
            (basic(SID, ""), SID),
            (basic(other, "token"), other),
            (basic(SID, "token"), other),
            (headers("Bearer token"), SID),
            (headers("Basic !!!"), SID),
            (HeaderMap::new(), SID),
        ];
        for (headers, path_sid) in failures {
            let e = authenticate(&config, &keys, &headers, path_sid).unwrap_err();
            assert_eq!(e, ApiError::authenticate(), "{headers:?}");
        }
        assert_eq!(
            credentials_account(&config, &keys, &basic(SID, "token"))
                .unwrap()
                .sid,
            SID
        );
        let e = credentials_account(&config, &keys, &basic(SID, "tokeN")).unwrap_err();
        assert_eq!(e, ApiError::authenticate());
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abcd"));
    }

    #[test]
    fn a_key_authenticates_as_its_own_account_only() {
        let other = "AC00000000000000000000000000000002";
        let key = "SK00000000000000000000000000000001";
        let mut config = EmulatorConfig::with_account(SID, "token");
        config
            .accounts
            .push(AccountConfig::new(other, "other-token"));
        config.accounts[0]
            .api_keys
            .push(crate::config::ApiKeyConfig {
                sid: key.into(),
                secret: crate::config::AuthToken::new("key-secret"),
                kind: crate::config::KeyKind::Standard,
            });
        let keys = KeyRing::from_config(&config, chrono::Utc::now());
        let account = authenticate(&config, &keys, &basic(key, "key-secret"), SID).unwrap();
        assert_eq!(account.sid, SID);
        let refused = [
            (basic(key, "key-secret"), other),
            (basic(key, "token"), SID),
            (basic(SID, "key-secret"), SID),
        ];
        for (headers, path_sid) in refused {
            let e = authenticate(&config, &keys, &headers, path_sid).unwrap_err();
            assert_eq!(e, ApiError::authenticate(), "{headers:?}");
        }
    }
}
