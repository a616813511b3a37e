//! The account's own resources: the Account (type, status), its numbers, API keys (which
//! authenticate as the account, and only it), and a trial account's and geo permissions'
//! refusals on create-call.

use super::*;

const VERIFIED: &str = "+15551230200";
const KEY: &str = "SK00000000000000000000000000000001";
const MAIN_KEY: &str = "SK00000000000000000000000000000002";

fn trial_config() -> EmulatorConfig {
    let mut config = test_config();
    let account = &mut config.accounts[0];
    account.trial = true;
    account.verified_caller_ids.push(VERIFIED.into());
    account.voice_countries_disabled.push("GB".into());
    account
        .phone_numbers
        .push(crate::config::OwnedNumberConfig {
            number: "+15551230300".into(),
            voice: true,
            sms: false,
        });
    account.api_keys.push(crate::config::ApiKeyConfig {
        sid: KEY.into(),
        secret: crate::config::AuthToken::new("key-secret"),
        kind: crate::config::KeyKind::Standard,
    });
    account.api_keys.push(crate::config::ApiKeyConfig {
        sid: MAIN_KEY.into(),
        secret: crate::config::AuthToken::new("main-secret"),
        kind: crate::config::KeyKind::Main,
    });
    config
}

async fn trial() -> Emulator {
    Emulator::with_config(trial_config()).await
}

#[tokio::test]
async fn the_account_says_whether_it_is_a_trial() {
    let api = trial().await;
    let (status, body) = api.get(&format!("/2010-04-01/Accounts/{SID}.json")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["type"], "Trial");
    assert_eq!(body["status"], "active");
    assert_eq!(body["auth_token"], Value::Null);
    let full = Emulator::start().await;
    let (_, body) = full.get(&format!("/2010-04-01/Accounts/{SID}.json")).await;
    assert_eq!(body["type"], "Full");
    let other = format!("/2010-04-01/Accounts/{OTHER_SID}.json");
    assert_error(&api.get(&other).await, 401, 20003, "Authenticate");
}

#[tokio::test]
async fn numbers_list_owned_ones_with_capabilities_and_verified_ones() {
    let api = trial().await;
    let (_, owned) = api.get(&account_path("IncomingPhoneNumbers.json")).await;
    let numbers: Vec<(&str, bool)> = owned["incoming_phone_numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let sms = n["capabilities"]["sms"].as_bool().unwrap();
            (n["phone_number"].as_str().unwrap(), sms)
        })
        .collect();
    assert_eq!(numbers, [(CALLER, true), ("+15551230300", false)]);
    let (_, filtered) = api
        .get(&account_path(
            "IncomingPhoneNumbers.json?PhoneNumber=%2B15551230300",
        ))
        .await;
    assert_eq!(
        filtered["incoming_phone_numbers"].as_array().unwrap().len(),
        1
    );
    let (_, verified) = api.get(&account_path("OutgoingCallerIds.json")).await;
    assert_eq!(verified["outgoing_caller_ids"][0]["phone_number"], VERIFIED);
}

#[tokio::test]
async fn api_keys_authenticate_as_their_account_until_deleted() {
    let api = trial().await;
    let with_key = |path: &str, user: &str, secret: &str| {
        api.client
            .get(format!("{}{path}", api.base))
            .basic_auth(user, Some(secret))
            .send()
    };
    let calls = account_path("Calls.json");
    assert_eq!(
        with_key(&calls, KEY, "key-secret").await.unwrap().status(),
        200
    );
    let other_calls = format!("/2010-04-01/Accounts/{OTHER_SID}/Calls.json");
    let refused = with_key(&other_calls, KEY, "key-secret").await.unwrap();
    assert_eq!(refused.status(), 401);
    let (status, created) = api
        .post(&account_path("Keys.json"), &[("FriendlyName", "ci")])
        .await;
    assert_eq!(status, 201, "{created}");
    let (sid, secret) = (
        sid_of(&created),
        created["secret"].as_str().unwrap().to_string(),
    );
    assert_eq!(with_key(&calls, &sid, &secret).await.unwrap().status(), 200);
    let (_, listed) = api.get(&account_path("Keys.json")).await;
    assert_eq!(listed["keys"].as_array().unwrap().len(), 3);
    assert!(listed["keys"][1].get("secret").is_none());
    let deleted = api
        .client
        .delete(format!(
            "{}{}",
            api.base,
            account_path(&format!("Keys/{sid}.json"))
        ))
        .basic_auth(SID, Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(with_key(&calls, &sid, &secret).await.unwrap().status(), 401);
}

#[tokio::test]
async fn standard_keys_may_not_read_the_account_or_the_keys_main_keys_may() {
    let api = trial().await;
    let read = |path: String, user: &'static str, secret: &'static str| {
        api.client
            .get(format!("{}{path}", api.base))
            .basic_auth(user, Some(secret))
            .send()
    };
    let account = format!("/2010-04-01/Accounts/{SID}.json");
    for path in [account.clone(), account_path("Keys.json")] {
        let standard = read(path.clone(), KEY, "key-secret").await.unwrap();
        assert_eq!(standard.status(), 401, "{path}");
        let main = read(path.clone(), MAIN_KEY, "main-secret").await.unwrap();
        assert_eq!(main.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn a_trial_calls_verified_numbers_only_and_geo_permissions_apply() {
    let api = trial().await;
    let form = |to: &'static str| {
        vec![
            ("To", to),
            ("From", CALLER),
            ("Url", "http://127.0.0.1:9/t"),
        ]
    };
    let unverified = api.post(&account_path("Calls.json"), &form(IVR)).await;
    let message = format!(
        "The number {IVR} is unverified. Trial accounts cannot call unverified numbers; verify \
         {IVR} at twilio.com/user/account/phone-numbers/verified, or purchase a Twilio number \
         to call unverified numbers."
    );
    assert_error(&unverified, 400, 21219, &message);
    let (status, body) = api.post(&account_path("Calls.json"), &form(VERIFIED)).await;
    assert_eq!(status, 201, "{body}");
    let (_, blocked) = api
        .post(&account_path("Calls.json"), &form("+447700900123"))
        .await;
    assert_eq!(blocked["code"], 21215);
}
