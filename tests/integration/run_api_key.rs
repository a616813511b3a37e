//! `ivr-test run` with an API key: the key authenticates every REST request (a wrong secret is
//! refused even with the right auth token), and the auth token is still needed to check the
//! webhooks' signatures on the in-process transport.

use std::time::Duration;

use serde_json::json;

use twilio_emulator::config::{ApiKeyConfig, AuthToken, KeyKind};
use twilio_emulator::server::EmulatorOptions;

use crate::harness::emulator::{config, ivr_at, serve, IVR};
use crate::harness::run::{acme_ivr, run, through_twilio_api};
use crate::harness::Project;

const KEY: &str = "SK0123456789abcdef0123456789abcdef";
const SECRET: &str = "run-key-secret-e20c";
const KEYPAD: &str =
    "keypad\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n";

#[tokio::test]
async fn an_api_key_authenticates_the_calls_and_the_token_still_checks_signatures() {
    let ivr = acme_ivr().await;
    let mut config = config(vec![(IVR, ivr_at(ivr.url("/voice")))]);
    config.calls_per_second = 100.0;
    config.accounts[0].api_keys.push(ApiKeyConfig {
        sid: KEY.into(),
        secret: AuthToken::new(SECRET),
        kind: KeyKind::Standard,
    });
    let options = EmulatorOptions {
        time_scale: Some(20.0),
        webhook_budget: Some(Duration::from_secs(2)),
        ..EmulatorOptions::default()
    };
    let emulator = serve(config, options).await;
    let suite = |caps: serde_json::Value| {
        Project::new()
            .file("botium.json", &through_twilio_api(&emulator.base_url, caps))
            .file("convos/keypad.convo.txt", KEYPAD)
    };

    let key = json!({"TWILIO_IVR_API_KEY": KEY, "TWILIO_IVR_API_SECRET": SECRET});
    let out = run(&suite(key), &["run", "convos"]).await.expect_code(0);
    assert!(!out.stderr.contains(SECRET), "{}", out.stderr);

    let wrong = json!({"TWILIO_IVR_API_KEY": KEY, "TWILIO_IVR_API_SECRET": "not-the-secret"});
    let out = run(&suite(wrong), &["run", "convos"]).await;
    assert_ne!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("20003"), "{}", out.stderr);
    assert!(!out.stderr.contains("not-the-secret"), "{}", out.stderr);

    let key_only = json!({
        "TWILIO_IVR_AUTH_TOKEN": null,
        "TWILIO_IVR_API_KEY": KEY,
        "TWILIO_IVR_API_SECRET": SECRET,
    });
    let out = run(&suite(key_only), &["run", "convos"])
        .await
        .expect_code(2);
    assert!(
        out.stderr
            .contains("TWILIO_IVR_AUTH_TOKEN is required as well"),
        "{}",
        out.stderr
    );
    let placed = emulator
        .store
        .calls(|c| c.parent_call_sid.is_none() && c.arrived_from.is_none());
    assert_eq!(placed.len(), 1, "only the first suite placed a call");
}
