//! What a preflight reads about the account (`ivr-test doctor`): the Account itself (trial or
//! full, active or suspended), the numbers it owns (IncomingPhoneNumbers, with their
//! capabilities), its verified caller IDs (OutgoingCallerIds), and the Voice API's dialing
//! permissions of one country. Read leniently: unknown keys ignored, absent values defaulted.

use reqwest::Method;
use serde::Deserialize;

use super::base::API_VERSION;
use super::transport::Body;
use super::{ClientError, Product, TwilioClient};

/// An Account resource: whether it is a trial and whether it may be used at all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct AccountResource {
    /// `AC...`.
    pub sid: String,
    /// The name shown in the Console.
    pub friendly_name: Option<String>,
    /// `active`, `suspended` or `closed`.
    pub status: String,
    /// `Trial` or `Full`.
    #[serde(rename = "type")]
    pub account_type: String,
}

impl AccountResource {
    /// Whether Twilio's trial restrictions apply (verified numbers only, a message first).
    pub fn is_trial(&self) -> bool {
        self.account_type.eq_ignore_ascii_case("trial")
    }
}

/// What a number can do (an IncomingPhoneNumber's `capabilities`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct Capabilities {
    /// Places and receives calls.
    pub voice: bool,
    /// Sends and receives SMS.
    #[serde(alias = "SMS")]
    pub sms: bool,
    /// Sends and receives MMS.
    #[serde(alias = "MMS")]
    pub mms: bool,
}

/// A phone number the account owns.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct IncomingNumber {
    /// `PN...`.
    pub sid: String,
    /// E.164.
    pub phone_number: String,
    /// Voice, SMS, MMS.
    pub capabilities: Capabilities,
    /// What Twilio requests when a call comes in: a Studio flow's is
    /// `https://webhooks.twilio.com/v1/Accounts/{AC}/Flows/{FW}`.
    pub voice_url: Option<String>,
}

/// A number verified for the account: it may be a call's `From`, and a trial's `To`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct OutgoingCallerId {
    /// `PN...`.
    pub sid: String,
    /// E.164.
    pub phone_number: String,
}

/// The account's voice dialing permissions (geo permissions) of one country.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct DialingCountry {
    /// ISO 3166-1 alpha-2, e.g. `GB`.
    pub iso_code: String,
    /// The country's English name.
    pub name: String,
    /// Calls to the country's ordinary numbers are allowed.
    pub low_risk_numbers_enabled: bool,
    /// Calls to its premium and special numbers are allowed.
    pub high_risk_special_numbers_enabled: bool,
    /// Calls to its toll-fraud-prone numbers are allowed.
    pub high_risk_tollfraud_numbers_enabled: bool,
}

#[derive(Deserialize)]
struct IncomingNumberPage {
    incoming_phone_numbers: Vec<IncomingNumber>,
}

#[derive(Deserialize)]
struct OutgoingCallerIdPage {
    outgoing_caller_ids: Vec<OutgoingCallerId>,
}

impl TwilioClient {
    /// The account the client acts for (`GET /2010-04-01/Accounts/{AccountSid}.json`).
    pub async fn fetch_account(&self) -> Result<AccountResource, ClientError> {
        let account = format!("{}.json", self.account_sid);
        let url = self
            .base
            .product_url(Product::Api, &[API_VERSION, "Accounts", &account]);
        self.request(Method::GET, url, Body::Empty).await
    }

    /// The account's own numbers equal to `phone_number` (none or one).
    pub async fn find_incoming_number(
        &self,
        phone_number: &str,
    ) -> Result<Vec<IncomingNumber>, ClientError> {
        let url = self.filtered("IncomingPhoneNumbers.json", phone_number)?;
        let page: IncomingNumberPage = self.request(Method::GET, url, Body::Empty).await?;
        Ok(page.incoming_phone_numbers)
    }

    /// The account's verified caller IDs equal to `phone_number` (none or one).
    pub async fn find_outgoing_caller_id(
        &self,
        phone_number: &str,
    ) -> Result<Vec<OutgoingCallerId>, ClientError> {
        let url = self.filtered("OutgoingCallerIds.json", phone_number)?;
        let page: OutgoingCallerIdPage = self.request(Method::GET, url, Body::Empty).await?;
        Ok(page.outgoing_caller_ids)
    }

    /// The voice dialing permissions of the country `iso_code`
    /// (`GET voice.twilio.com/v1/DialingPermissions/Countries/{IsoCode}`).
    pub async fn fetch_dialing_country(
        &self,
        iso_code: &str,
    ) -> Result<DialingCountry, ClientError> {
        self.v1_fetch(
            Product::Voice,
            &["DialingPermissions", "Countries", iso_code],
        )
        .await
    }

    /// `<account>/<list>?PhoneNumber=<number>`: Twilio filters these lists by exact number.
    fn filtered(&self, list: &str, phone_number: &str) -> Result<url::Url, ClientError> {
        let mut url = self.base.account_url(&self.account_sid, &[list]);
        let query = serde_urlencoded::to_string([("PhoneNumber", phone_number)])
            .map_err(|e| ClientError::InvalidArgument(format!("cannot encode the query: {e}")))?;
        url.set_query(Some(&query));
        Ok(url)
    }
}
