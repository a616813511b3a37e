//! An account of the emulator: its credentials (the auth token and API keys), and what a
//! preflight reads about it: trial or full, active or suspended, the numbers it owns and has
//! verified, and the countries its voice geo permissions block.

use serde::Deserialize;

use twilio_wire::countries::by_iso_code;
use twilio_wire::sid::is_sid;

use super::{is_e164, not_e164, AuthToken};

/// An account the REST API authenticates (`AccountSid:AuthToken`, or `KeySid:KeySecret`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// `AC` + 32 hex digits.
    pub sid: String,
    /// The account's auth token: Basic-auth password and webhook signing key.
    pub auth_token: AuthToken,
    /// API keys that authenticate as this account (besides those created over REST).
    #[serde(default)]
    pub api_keys: Vec<ApiKeyConfig>,
    /// A trial account: calls only to verified numbers (21219), `type` `Trial`.
    #[serde(default)]
    pub trial: bool,
    /// `active` (the default), `suspended` or `closed`, as the Account resource reports it.
    #[serde(default)]
    pub status: AccountStatus,
    /// Numbers verified for this account (OutgoingCallerIds): allowed as `From`, and as a
    /// trial account's `To`.
    #[serde(default)]
    pub verified_caller_ids: Vec<String>,
    /// Numbers this account owns besides the shared `caller_ids`, with their capabilities
    /// (IncomingPhoneNumbers).
    #[serde(default)]
    pub phone_numbers: Vec<OwnedNumberConfig>,
    /// ISO codes of the countries voice geo permissions block (`["CU"]`): calls there fail
    /// with 21215 and the Voice API reports them disabled.
    #[serde(default)]
    pub voice_countries_disabled: Vec<String>,
}

/// An API key: `sid` is the Basic-auth user, `secret` the password.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// `SK` + 32 hex digits.
    pub sid: String,
    /// Never printed.
    pub secret: AuthToken,
    /// `standard` (the default) or `main`.
    #[serde(default, rename = "type")]
    pub kind: KeyKind,
}

/// What a key may reach, as Twilio's key types allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    /// Everything but the Account resource and the Keys (Twilio's default, and the only kind
    /// the REST API creates).
    #[default]
    Standard,
    /// Everything the auth token reaches.
    Main,
}

/// An account's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    /// In use.
    #[default]
    Active,
    /// Blocked by Twilio, e.g. for an unpaid balance.
    Suspended,
    /// Closed for good.
    Closed,
}

impl AccountStatus {
    /// The Account resource's `status`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Closed => "closed",
        }
    }
}

/// A number the account owns, and what it can do (each capability defaults to yes).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnedNumberConfig {
    /// E.164.
    pub number: String,
    /// Places and receives calls.
    #[serde(default = "yes")]
    pub voice: bool,
    /// Sends and receives SMS.
    #[serde(default = "yes")]
    pub sms: bool,
}

fn yes() -> bool {
    true
}

impl AccountConfig {
    /// A full, active account with only an auth token.
    pub fn new(sid: impl Into<String>, auth_token: impl Into<String>) -> AccountConfig {
        AccountConfig {
            sid: sid.into(),
            auth_token: AuthToken::new(auth_token),
            api_keys: Vec::new(),
            trial: false,
            status: AccountStatus::Active,
            verified_caller_ids: Vec::new(),
            phone_numbers: Vec::new(),
            voice_countries_disabled: Vec::new(),
        }
    }

    /// Whether the account verified `number`.
    pub fn has_verified(&self, number: &str) -> bool {
        self.verified_caller_ids.iter().any(|n| n == number)
    }

    /// Whether the account owns `number` itself (not counting the shared `caller_ids`).
    pub fn owned_number(&self, number: &str) -> Option<&OwnedNumberConfig> {
        self.phone_numbers.iter().find(|n| n.number == number)
    }

    /// Whether voice geo permissions block the country `iso_code`.
    pub fn blocks_country(&self, iso_code: &str) -> bool {
        self.voice_countries_disabled
            .iter()
            .any(|c| c.eq_ignore_ascii_case(iso_code))
    }

    /// The first problem of the account at `accounts[i]`, as (JSON path, message).
    pub(super) fn problem(&self, i: usize) -> Option<(String, String)> {
        let at = |field: &str| format!("accounts[{i}].{field}");
        if !is_sid(&self.sid, "AC") {
            let message = format!("`{}` is not an account SID (AC + 32 hex)", self.sid);
            return Some((at("sid"), message));
        }
        if self.auth_token.expose().is_empty() {
            return Some((at("auth_token"), "is empty".into()));
        }
        for (k, key) in self.api_keys.iter().enumerate() {
            if !is_sid(&key.sid, "SK") {
                let message = format!("`{}` is not an API key SID (SK + 32 hex)", key.sid);
                return Some((at(&format!("api_keys[{k}].sid")), message));
            }
            if key.secret.expose().is_empty() {
                return Some((at(&format!("api_keys[{k}].secret")), "is empty".into()));
            }
        }
        for (k, number) in self.verified_caller_ids.iter().enumerate() {
            if !is_e164(number) {
                return Some((at(&format!("verified_caller_ids[{k}]")), not_e164(number)));
            }
        }
        for (k, owned) in self.phone_numbers.iter().enumerate() {
            if !is_e164(&owned.number) {
                let message = not_e164(&owned.number);
                return Some((at(&format!("phone_numbers[{k}].number")), message));
            }
        }
        for (k, iso_code) in self.voice_countries_disabled.iter().enumerate() {
            if by_iso_code(iso_code).is_none() {
                let message = format!(
                    "`{iso_code}` is not a country the emulator knows (ISO 3166 alpha-2 \
                     codes of twilio_wire::countries, e.g. `CU`)"
                );
                return Some((at(&format!("voice_countries_disabled[{k}]")), message));
            }
        }
        None
    }
}
