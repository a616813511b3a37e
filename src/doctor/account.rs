//! The checks Twilio answers: whether the credentials work and which kind they are, the
//! account's type and status (a trial's limits explained), whether each caller ID is owned or
//! verified and voice-capable, whether voice geo permissions (and a trial's verified numbers)
//! let calls reach `TWILIO_IVR_TO`, and whether SMS checks can work. All reads, no call.

use twilio_wire::client::{AccountResource, ClientError, TwilioClient};
use twilio_wire::countries::country_of;

use crate::config::TwilioCaps;

use super::Finding;

/// Where a trial account's caller IDs and destinations are verified.
const VERIFIED_NUMBERS: &str =
    "https://console.twilio.com/us1/develop/phone-numbers/manage/verified";
/// Where voice geo permissions are set.
const GEO_PERMISSIONS: &str = "https://www.twilio.com/console/voice/calls/geo-permissions/low-risk";

/// Pushes the account's findings; the client when the credentials work, for `--call`.
pub(super) async fn checks(
    twilio: &TwilioCaps,
    findings: &mut Vec<Finding>,
) -> Option<TwilioClient> {
    let (client, account) = credentials(twilio, findings).await?;
    let trial = account.as_ref().is_some_and(AccountResource::is_trial);
    findings.push(match &account {
        Some(account) => status(account),
        None => Finding::warn(
            "account",
            "trial or full, active or not: unknown, as a Standard API key may not read the \
             Account resource",
            "run doctor once with a Main key or the auth token to see the account's type",
        ),
    });
    if trial {
        findings.push(Finding::warn(
            "trial",
            "a trial account: calls reach verified numbers only, and Twilio plays its trial \
             message (\"press any key to execute your code\") before each call connects, which \
             the IVR hears first",
            "upgrade the account in the Console to lift both limits",
        ));
    }
    let mut sms_capable = Vec::new();
    if twilio.caller_ids.is_empty() {
        findings.push(Finding::fail(
            "caller-id",
            "TWILIO_IVR_FROM is not set",
            "set TWILIO_IVR_FROM to a number the account owns or verified",
        ));
    }
    for caller_id in &twilio.caller_ids {
        let (finding, sms) = caller_id_check(&client, caller_id).await;
        findings.push(finding);
        sms_capable.push((caller_id.as_str(), sms));
    }
    findings.push(destination(&client, twilio.to.as_deref(), trial).await);
    findings.extend(sms(&sms_capable));
    Some(client)
}

/// The client, and the account when the credential may read it, once Twilio accepts the
/// credential.
async fn credentials(
    twilio: &TwilioCaps,
    findings: &mut Vec<Finding>,
) -> Option<(TwilioClient, Option<AccountResource>)> {
    let fail = |detail: String, fix: &str| Finding::fail("credentials", detail, fix);
    let Some(account_sid) = &twilio.account_sid else {
        findings.push(fail(
            "TWILIO_IVR_ACCOUNT_SID is not set".into(),
            "set TWILIO_IVR_ACCOUNT_SID (AC...) from the Console's account dashboard",
        ));
        return None;
    };
    let Some(credentials) = twilio.rest_credentials() else {
        findings.push(fail(
            "no credential: neither TWILIO_IVR_API_KEY + TWILIO_IVR_API_SECRET nor \
             TWILIO_IVR_AUTH_TOKEN is set"
                .into(),
            "create an API key in the Console and set TWILIO_IVR_API_KEY and \
             TWILIO_IVR_API_SECRET (or set TWILIO_IVR_AUTH_TOKEN)",
        ));
        return None;
    };
    let kind = credentials.describe();
    let client = match credentials.client(&twilio.api_url, account_sid) {
        Ok(client) => client,
        Err(e) => {
            findings.push(fail(e.to_string(), "correct the value the message names"));
            return None;
        }
    };
    let accepted = Finding::ok(
        "credentials",
        format!("the {kind} is accepted for {account_sid}"),
    );
    let refused = match client.fetch_account().await {
        Ok(account) => {
            findings.push(accepted);
            return Some((client, Some(account)));
        }
        Err(e) => e,
    };
    // A Standard key may not read the Account resource: the call list tells whether it works.
    let refused = match refused {
        ClientError::Twilio {
            status: 401 | 403, ..
        } if client.uses_api_key() => match client.list_calls(&[]).await {
            Ok(_) => {
                findings.push(accepted);
                return Some((client, None));
            }
            Err(e) => e,
        },
        other => other,
    };
    match refused {
        ClientError::Twilio {
            status: 401 | 403,
            code,
            ..
        } => {
            findings.push(fail(
                format!("Twilio refused the {kind} for {account_sid} (error {code})"),
                "check TWILIO_IVR_ACCOUNT_SID and the credential: a key must belong to this \
                 account and not be deleted; a token must be the account's current one",
            ));
            None
        }
        e => {
            findings.push(fail(
                format!("cannot read the account: {e}"),
                "check the network and TWILIO_IVR_API_URL",
            ));
            None
        }
    }
}

fn status(account: &AccountResource) -> Finding {
    let kind = if account.is_trial() { "trial" } else { "full" };
    if account.status == "active" {
        Finding::ok("account", format!("a {kind} account, active"))
    } else {
        Finding::fail(
            "account",
            format!("the account is {}: it cannot place calls", account.status),
            "reactivate it in the Console (billing) or use another account",
        )
    }
}

/// Whether the account may call from `caller_id`, and whether the number can receive SMS.
async fn caller_id_check(client: &TwilioClient, caller_id: &str) -> (Finding, bool) {
    let failed = |e: ClientError| {
        let detail = format!("cannot look {caller_id} up: {e}");
        (
            Finding::fail(
                "caller-id",
                detail,
                "check the network and TWILIO_IVR_API_URL",
            ),
            false,
        )
    };
    let owned = match client.find_incoming_number(caller_id).await {
        Ok(numbers) => numbers.into_iter().find(|n| n.phone_number == caller_id),
        Err(e) => return failed(e),
    };
    if let Some(number) = owned {
        let sms = number.capabilities.sms;
        return if number.capabilities.voice {
            let detail = format!("{caller_id} is the account's own number, voice-capable");
            (Finding::ok("caller-id", detail), sms)
        } else {
            let detail = format!("{caller_id} is the account's own number but not voice-capable");
            let fix = "set TWILIO_IVR_FROM to a voice-capable number";
            (Finding::fail("caller-id", detail, fix), sms)
        };
    }
    match client.find_outgoing_caller_id(caller_id).await {
        Ok(ids) if ids.iter().any(|id| id.phone_number == caller_id) => {
            let detail = format!("{caller_id} is a verified caller ID");
            (Finding::ok("caller-id", detail), false)
        }
        Ok(_) => {
            let detail = format!(
                "{caller_id} is neither the account's number (IncomingPhoneNumbers) nor a \
                 verified caller ID (OutgoingCallerIds): Twilio refuses such calls (error 21210)"
            );
            let fix = format!("buy the number, verify it at {VERIFIED_NUMBERS}, or set TWILIO_IVR_FROM to one that is");
            (Finding::fail("caller-id", detail, fix), false)
        }
        Err(e) => failed(e),
    }
}

/// Whether calls may reach `to`: its country's voice geo permissions, and on a trial account
/// its verification.
async fn destination(client: &TwilioClient, to: Option<&str>, trial: bool) -> Finding {
    let Some(to) = to else {
        return Finding::fail(
            "destination",
            "TWILIO_IVR_TO is not set",
            "set TWILIO_IVR_TO to the IVR's number",
        );
    };
    if trial {
        match client.find_outgoing_caller_id(to).await {
            Ok(ids) if ids.iter().any(|id| id.phone_number == to) => {}
            Ok(_) => {
                return Finding::fail(
                    "destination",
                    format!("{to} is not verified, and a trial account calls verified numbers only (error 21219)"),
                    format!("verify {to} at {VERIFIED_NUMBERS}, or upgrade the account"),
                )
            }
            Err(e) => {
                let detail = format!("cannot look {to} up among the verified numbers: {e}");
                return Finding::fail("destination", detail, "check the network and TWILIO_IVR_API_URL");
            }
        }
    }
    let Some(country) = country_of(to) else {
        return Finding::warn(
            "destination",
            format!("cannot tell which country {to} is in, so its geo permission is not checked"),
            format!("make sure its country is enabled at {GEO_PERMISSIONS}"),
        );
    };
    let place = format!("{to} ({}, {})", country.iso_code, country.name);
    match client.fetch_dialing_country(country.iso_code).await {
        Ok(permissions) if permissions.low_risk_numbers_enabled => Finding::ok(
            "destination",
            format!("{place}: voice geo permissions allow calls there"),
        ),
        Ok(_) => Finding::fail(
            "destination",
            format!("{place}: voice geo permissions block calls there (error 21215)"),
            format!("enable {} at {GEO_PERMISSIONS}", country.name),
        ),
        Err(e) => Finding::warn(
            "destination",
            format!("{place}: cannot read the voice geo permissions: {e}"),
            format!("make sure {} is enabled at {GEO_PERMISSIONS}", country.name),
        ),
    }
}

/// Whether `CHECKTWILIOSMS` steps can see messages sent to the caller IDs.
fn sms(caller_ids: &[(&str, bool)]) -> Option<Finding> {
    if caller_ids.is_empty() {
        return None;
    }
    let without: Vec<&str> = caller_ids
        .iter()
        .filter(|(_, sms)| !sms)
        .map(|(number, _)| *number)
        .collect();
    Some(if without.is_empty() {
        Finding::ok("sms", "SMS checks possible: every caller ID receives SMS")
    } else {
        Finding::warn(
            "sms",
            format!(
                "{} cannot receive SMS (not an SMS-capable number of the account), so \
                 CHECKTWILIOSMS steps fail on calls from it",
                without.join(", ")
            ),
            "for SMS checks, call from an SMS-capable Twilio number of the account",
        )
    })
}
