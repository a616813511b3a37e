//! `ivr-test doctor`: the real binary against emulator accounts set up for each check (full,
//! trial, suspended, unverified caller ID, forbidden country, key or token, bad credentials),
//! and against transports that answer or not (public URL, proxy, Redis). Every check is shown
//! passing and failing; the exit code is 2 exactly when a check fails.

use serde_json::{json, Value};

use twilio_emulator::config::{
    ApiKeyConfig, AuthToken, EmulatorConfig, KeyKind, OwnedNumberConfig,
};
use twilio_emulator::server::{EmulatorOptions, RunningEmulator};

use crate::harness::emulator::{config, ivr_at, serve, ACCOUNT, CALLER, IVR, TOKEN};
use crate::harness::redis::{RedisOptions, RedisServer};
use crate::harness::twiml_app::TwimlAppBuilder;
use crate::harness::{free_port, run_in, Output, Project};

const KEY: &str = "SK0123456789abcdef0123456789abcdef";
const KEY_SECRET: &str = "doctor-key-secret-5be1";
const MAIN_KEY: &str = "SK0123456789abcdef0123456789abcde0";
const MAIN_SECRET: &str = "doctor-main-secret-77d0";
const OTHER_ACCOUNT: &str = "AC99999999999999999999999999999999";
const OTHER_KEY: &str = "SK99999999999999999999999999999999";
const VERIFIED: &str = "+15551239999";
const UK: &str = "+447700900123";

/// An emulator whose account `adjust` sets up, plus another account with a key of its own.
async fn emulator(adjust: impl FnOnce(&mut EmulatorConfig)) -> RunningEmulator {
    let mut config = config(vec![(IVR, ivr_at("http://127.0.0.1:9/ivr".into()))]);
    config.accounts[0].api_keys.push(ApiKeyConfig {
        sid: KEY.into(),
        secret: AuthToken::new(KEY_SECRET),
        kind: KeyKind::Standard,
    });
    config.accounts[0].api_keys.push(ApiKeyConfig {
        sid: MAIN_KEY.into(),
        secret: AuthToken::new(MAIN_SECRET),
        kind: KeyKind::Main,
    });
    let mut other = EmulatorConfig::with_account(OTHER_ACCOUNT, "other-token").accounts;
    other[0].api_keys.push(ApiKeyConfig {
        sid: OTHER_KEY.into(),
        secret: AuthToken::new("other-key-secret"),
        kind: KeyKind::Standard,
    });
    config.accounts.extend(other);
    adjust(&mut config);
    let options = EmulatorOptions {
        time_scale: Some(20.0),
        ..EmulatorOptions::default()
    };
    serve(config, options).await
}

/// The capabilities of a suite calling IVR from CALLER through `emulator` with the token, and
/// `extra` on top (a `null` removes a capability).
fn caps(emulator: &RunningEmulator, extra: Value) -> Value {
    let mut caps = json!({
        "TWILIO_IVR_ACCOUNT_SID": ACCOUNT,
        "TWILIO_IVR_AUTH_TOKEN": TOKEN,
        "TWILIO_IVR_FROM": CALLER,
        "TWILIO_IVR_TO": IVR,
        "TWILIO_IVR_API_URL": emulator.base_url,
    });
    if let (Some(caps), Value::Object(extra)) = (caps.as_object_mut(), extra) {
        for (name, value) in extra {
            if value.is_null() {
                caps.remove(&name);
            } else {
                caps.insert(name, value);
            }
        }
    }
    caps
}

/// `ivr-test doctor --json` and `args` with these capabilities, off the async runtime.
async fn doctor(caps: Value, args: &[&str]) -> (Output, Value) {
    let project = Project::new().file(
        "botium.json",
        &json!({"botium": {"Capabilities": caps}}).to_string(),
    );
    let mut all = vec!["doctor".to_string(), "--json".to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    let dir = project.path().to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        run_in(&dir, &refs, &[])
    })
    .await
    .expect("doctor ran");
    drop(project);
    let report = output.json();
    (output, report)
}

/// `(status, detail)` of the report's lines for `check`.
fn lines(report: &Value, check: &str) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["check"] == check)
        .map(|c| {
            let text = |key: &str| c[key].as_str().unwrap_or("").to_string();
            (
                text("status"),
                format!("{} | fix: {}", text("detail"), text("fix")),
            )
        })
        .collect()
}

/// The one line of `check`, asserted to have `status`; its detail and fix.
fn line(report: &Value, check: &str, status: &str) -> String {
    let found = lines(report, check);
    assert_eq!(found.len(), 1, "{check}: {report:#}");
    assert_eq!(found[0].0, status, "{check}: {report:#}");
    found[0].1.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_account_with_its_own_number_is_ready_and_nothing_is_dialed() {
    let emulator = emulator(|_| {}).await;
    let (output, report) = doctor(caps(&emulator, json!({})), &[]).await;
    assert_eq!(output.code, Some(0), "{report:#}");
    assert_eq!(report["ready"], true);
    assert!(line(&report, "credentials", "ok").contains("auth token"));
    assert!(line(&report, "account", "ok").contains("full account, active"));
    assert!(line(&report, "caller-id", "ok").contains("own number, voice-capable"));
    assert!(line(&report, "destination", "ok").contains("(US, "));
    line(&report, "sms", "ok");
    // Neither public URL nor Redis: the relay, not deployed yet, which `run` would do.
    assert!(lines(&report, "transport").is_empty());
    assert!(line(&report, "relay", "warn").contains("not deployed on this account"));
    assert!(lines(&report, "trial").is_empty());
    assert!(emulator.store.calls(|_| true).is_empty(), "doctor dialed");
    assert!(!output.stdout.contains(TOKEN) && !output.stderr.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_key_is_used_and_named_but_its_secret_never_shown() {
    let emulator = emulator(|config| config.accounts[0].trial = true).await;
    let key = |sid: &str, secret: &str| {
        json!({
            "TWILIO_IVR_AUTH_TOKEN": null,
            "TWILIO_IVR_API_KEY": sid,
            "TWILIO_IVR_API_SECRET": secret,
        })
    };
    // A Main key reads the account like the token.
    let (output, report) = doctor(caps(&emulator, key(MAIN_KEY, MAIN_SECRET)), &[]).await;
    assert!(line(&report, "credentials", "ok").contains(&format!("API key {MAIN_KEY}")));
    assert!(line(&report, "account", "ok").contains("trial account"));
    assert!(!output.stdout.contains(MAIN_SECRET) && !output.stderr.contains(MAIN_SECRET));

    // A Standard key (Twilio's usual kind) may not read the account: its type is unknown, not
    // a failure, and the other checks still run.
    let (output, report) = doctor(caps(&emulator, key(KEY, KEY_SECRET)), &[]).await;
    assert_eq!(output.code, Some(0), "{report:#}");
    assert!(line(&report, "credentials", "ok").contains(&format!("API key {KEY}")));
    assert!(line(&report, "account", "warn").contains("Standard API key"));
    line(&report, "caller-id", "ok");
    assert!(!output.stdout.contains(KEY_SECRET) && !output.stderr.contains(KEY_SECRET));

    let (output, report) = doctor(caps(&emulator, key(OTHER_KEY, "other-key-secret")), &[]).await;
    assert_eq!(output.code, Some(2), "{report:#}");
    let refused = line(&report, "credentials", "fail");
    assert!(
        refused.contains(&format!(
            "refused the API key {OTHER_KEY} for {ACCOUNT} (error 20003)"
        )),
        "{refused}"
    );
    assert!(!output.stdout.contains("other-key-secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_fail_without_showing_them_and_stop_the_account_checks() {
    let emulator = emulator(|_| {}).await;
    let (output, report) = doctor(
        caps(
            &emulator,
            json!({"TWILIO_IVR_AUTH_TOKEN": "wrong-token-31"}),
        ),
        &[],
    )
    .await;
    assert_eq!(output.code, Some(2), "{report:#}");
    assert_eq!(report["ready"], false);
    let refused = line(&report, "credentials", "fail");
    assert!(
        refused.contains("auth token") && refused.contains("20003"),
        "{refused}"
    );
    assert!(!output.stdout.contains("wrong-token-31"));
    assert!(lines(&report, "caller-id").is_empty(), "{report:#}");

    let (output, report) =
        doctor(caps(&emulator, json!({"TWILIO_IVR_AUTH_TOKEN": null})), &[]).await;
    assert_eq!(output.code, Some(2));
    assert!(line(&report, "credentials", "fail").contains("TWILIO_IVR_API_KEY"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trial_is_explained_and_calls_only_verified_numbers() {
    let emulator = emulator(|config| {
        config.accounts[0].trial = true;
        config.accounts[0].verified_caller_ids.push(VERIFIED.into());
    })
    .await;
    let (output, report) = doctor(caps(&emulator, json!({})), &[]).await;
    assert_eq!(output.code, Some(2), "{report:#}");
    assert!(line(&report, "account", "ok").contains("trial account"));
    assert!(line(&report, "trial", "warn").contains("trial message"));
    let unverified = line(&report, "destination", "fail");
    assert!(
        unverified.contains("21219") && unverified.contains("verify"),
        "{unverified}"
    );

    let (output, report) = doctor(caps(&emulator, json!({"TWILIO_IVR_TO": VERIFIED})), &[]).await;
    assert_eq!(output.code, Some(0), "{report:#}");
    line(&report, "destination", "ok");
    line(&report, "trial", "warn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_account_fails() {
    let emulator = emulator(|config| {
        config.accounts[0].status = twilio_emulator::config::AccountStatus::Suspended;
    })
    .await;
    let (output, report) = doctor(caps(&emulator, json!({})), &[]).await;
    assert_eq!(output.code, Some(2), "{report:#}");
    assert!(line(&report, "account", "fail").contains("suspended"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_ids_must_be_owned_or_verified_and_voice_capable() {
    let emulator = emulator(|config| {
        config.accounts[0].verified_caller_ids.push(VERIFIED.into());
        config.accounts[0].phone_numbers.push(OwnedNumberConfig {
            number: "+15551238888".into(),
            voice: false,
            sms: true,
        });
    })
    .await;
    let unknown = json!({"TWILIO_IVR_FROM": "+15551237777"});
    let (output, report) = doctor(caps(&emulator, unknown), &[]).await;
    assert_eq!(output.code, Some(2), "{report:#}");
    let refused = line(&report, "caller-id", "fail");
    assert!(
        refused.contains("neither") && refused.contains("21210"),
        "{refused}"
    );

    let (output, report) = doctor(caps(&emulator, json!({"TWILIO_IVR_FROM": VERIFIED})), &[]).await;
    assert_eq!(output.code, Some(0), "{report:#}");
    assert!(line(&report, "caller-id", "ok").contains("verified caller ID"));
    // A verified number is not a Twilio number: it receives no SMS for CHECKTWILIOSMS.
    assert!(line(&report, "sms", "warn").contains(VERIFIED));

    let (output, report) = doctor(
        caps(&emulator, json!({"TWILIO_IVR_FROM": "+15551238888"})),
        &[],
    )
    .await;
    assert_eq!(output.code, Some(2), "{report:#}");
    assert!(line(&report, "caller-id", "fail").contains("not voice-capable"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_in_a_blocked_country_fails_with_the_setting_to_change() {
    let emulator = emulator(|config| {
        config.accounts[0]
            .voice_countries_disabled
            .push("GB".into());
    })
    .await;
    let (output, report) = doctor(caps(&emulator, json!({"TWILIO_IVR_TO": UK})), &[]).await;
    assert_eq!(output.code, Some(2), "{report:#}");
    let blocked = line(&report, "destination", "fail");
    assert!(
        blocked.contains("(GB, United Kingdom)") && blocked.contains("geo-permissions"),
        "{blocked}"
    );

    let (output, report) = doctor(
        caps(&emulator, json!({"TWILIO_IVR_TO": "+4930123456"})),
        &[],
    )
    .await;
    assert_eq!(output.code, Some(0), "{report:#}");
    assert!(line(&report, "destination", "ok").contains("(DE, Germany)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_url_must_reach_the_inbound_port() {
    let emulator = emulator(|_| {}).await;
    let port = free_port();
    let direct = json!({
        "TWILIO_IVR_PUBLICURL": format!("http://127.0.0.1:{port}/hooks/"),
        "TWILIO_IVR_INBOUNDPORT": port,
    });
    let (output, report) = doctor(caps(&emulator, direct), &[]).await;
    assert_eq!(output.code, Some(0), "{report:#}");
    assert!(line(&report, "transport", "ok").contains(&format!("TWILIO_IVR_INBOUNDPORT {port}")));

    let down = json!({
        "TWILIO_IVR_PUBLICURL": format!("http://127.0.0.1:{}/", free_port()),
        "TWILIO_IVR_INBOUNDPORT": port,
    });
    let (output, report) = doctor(caps(&emulator, down), &[]).await;
    assert_eq!(output.code, Some(2), "{report:#}");
    let fix = line(&report, "transport", "fail");
    assert!(
        fix.contains("does not answer") && fix.contains(&format!("ngrok http {port}")),
        "{fix}"
    );

    // Something else answers the public URL: the tunnel points elsewhere.
    let elsewhere = TwimlAppBuilder::new(TOKEN)
        .twiml("/", "<Response/>")
        .start()
        .await;
    let wrong = json!({"TWILIO_IVR_PUBLICURL": elsewhere.url("/"), "TWILIO_IVR_INBOUNDPORT": port});
    let (output, report) = doctor(caps(&emulator, wrong), &[]).await;
    assert_eq!(output.code, Some(2), "{report:#}");
    assert!(line(&report, "transport", "fail").contains("forwards elsewhere"));

    let key_only = json!({
        "TWILIO_IVR_PUBLICURL": format!("http://127.0.0.1:{port}/"),
        "TWILIO_IVR_INBOUNDPORT": port,
        "TWILIO_IVR_AUTH_TOKEN": null,
        "TWILIO_IVR_API_KEY": KEY,
        "TWILIO_IVR_API_SECRET": KEY_SECRET,
    });
    let (output, report) = doctor(caps(&emulator, key_only), &[]).await;
    assert_eq!(output.code, Some(2), "{report:#}");
    let signing = lines(&report, "transport");
    assert_eq!(signing[0].0, "ok", "{report:#}");
    assert!(
        signing[1]
            .1
            .contains("signs its webhooks with the account's auth token"),
        "{report:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_and_the_proxy_must_answer() {
    let emulator = emulator(|_| {}).await;
    let unreachable = json!({
        "TWILIO_IVR_REDISURL": format!("redis://:pw-9c1@127.0.0.1:{}/", free_port()),
        "TWILIO_IVR_PUBLICURL": format!("http://127.0.0.1:{}/", free_port()),
    });
    let (output, report) = doctor(caps(&emulator, unreachable), &[]).await;
    assert_eq!(output.code, Some(2), "{report:#}");
    let redis = line(&report, "redis", "fail");
    assert!(
        redis.contains("does not answer") && !redis.contains("pw-9c1"),
        "{redis}"
    );
    assert!(line(&report, "proxy", "fail").contains("proxy start"));
    assert!(!output.stdout.contains("pw-9c1"));

    let Some(server) =
        RedisServer::start("redis_and_the_proxy_must_answer", RedisOptions::default())
    else {
        return;
    };
    let (proxy, public_url) =
        crate::harness::proxy::proxy(&server.url(), std::time::Duration::from_secs(5)).await;
    let up = json!({"TWILIO_IVR_REDISURL": server.url(), "TWILIO_IVR_PUBLICURL": public_url});
    let (output, report) = doctor(caps(&emulator, up), &[]).await;
    assert_eq!(output.code, Some(0), "{report:#}");
    line(&report, "redis", "ok");
    assert!(line(&report, "proxy", "ok").contains("its Redis is up"));
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_places_one_short_call_and_reports_how_it_ended() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            "<Response><Say>Hello.</Say><Pause length=\"5\"/></Response>",
        )
        .start()
        .await;
    let emulator = emulator(|config| {
        config.numbers.insert(IVR.into(), ivr_at(ivr.url("/voice")));
        config.accounts[0].verified_caller_ids.push(VERIFIED.into());
    })
    .await;
    let (output, report) = doctor(caps(&emulator, json!({})), &["--call"]).await;
    assert_eq!(output.code, Some(0), "{report:#}");
    assert!(line(&report, "test-call", "ok").contains("answered and hung up"));
    // The IVR's leg of the call is recorded too; the test call is the one without a parent.
    let calls = emulator
        .store
        .calls(|c| c.parent_call_sid.is_none() && c.arrived_from.is_none());
    assert_eq!(calls.len(), 1, "one test call: {calls:?}");
    assert_eq!(calls[0].request.to, IVR);

    let busy = "+15551230002";
    let unreachable = json!({"TWILIO_IVR_TO": "+15005550002"});
    let (output, report) = doctor(caps(&emulator, unreachable), &["--call"]).await;
    assert_eq!(output.code, Some(2), "{report:#}");
    assert!(
        line(&report, "test-call", "fail").contains("21214"),
        "{busy}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_errors_and_warnings_are_checks_too() {
    let emulator = emulator(|_| {}).await;
    let (output, report) = doctor(caps(&emulator, json!({"TWILIO_IVR_RECORD": "nope"})), &[]).await;
    assert_eq!(output.code, Some(2), "{report:#}");
    assert!(line(&report, "configuration", "fail").contains("TWILIO_IVR_RECORD"));

    let warned = json!({"TWILIO_IVR_WAIT_BOTIUM_RESPONSE": 20000});
    let (output, report) = doctor(caps(&emulator, warned), &[]).await;
    assert_eq!(output.code, Some(0), "{report:#}");
    assert!(line(&report, "configuration", "warn").contains("11205"));

    let (output, report) = doctor(
        caps(&emulator, json!({"TWILIO_IVR_EMULATE": "emu.json"})),
        &[],
    )
    .await;
    assert_eq!(output.code, Some(0), "{report:#}");
    assert!(line(&report, "configuration", "warn").contains("in-process emulator"));
}

#[test]
fn human_output_has_a_line_per_check_with_its_fix() {
    let project = Project::new().file(
        "botium.json",
        &json!({"botium": {"Capabilities": {"TWILIO_IVR_FROM": CALLER}}}).to_string(),
    );
    let output = project.run(&["doctor"]);
    assert_eq!(output.code, Some(2), "{output:?}");
    assert!(output.stdout.contains("FAIL  credentials: TWILIO_IVR_ACCOUNT_SID is not set\n      fix: set TWILIO_IVR_ACCOUNT_SID"), "{}", output.stdout);
    assert!(
        output.stdout.contains("not ready: 1 check(s) failed"),
        "{}",
        output.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_must_be_deployed_in_this_protocol() {
    use ivr_test::twilio_relay::deploy::deploy;
    if !crate::harness::relay::node_present() {
        return;
    }
    let emulator = emulator(|config| config.latencies.build_ms = 0).await;
    let client = twilio_wire::client::TwilioClient::new(
        &emulator.base_url,
        ACCOUNT,
        &ivr_test::config::Secret::new(TOKEN),
    )
    .expect("a client");
    let (info, _) = deploy(&client, |_| {}).await.expect("deployed");
    let (output, report) = doctor(caps(&emulator, json!({})), &[]).await;
    assert_eq!(output.code, Some(0), "{report:#}");
    let ready = line(&report, "relay", "ok");
    assert!(
        ready.contains(&info.base_url) && ready.contains("protocol 1"),
        "{ready}"
    );
    // An older ivr-test's relay: `run` would refuse it.
    crate::harness::relay::make_outdated(&client, &info).await;
    let (output, report) = doctor(caps(&emulator, json!({})), &[]).await;
    assert_eq!(output.code, Some(2), "{report:#}");
    let outdated = line(&report, "relay", "fail");
    assert!(
        outdated.contains("protocol 0") && outdated.contains("ivr-test relay deploy"),
        "{outdated}"
    );
}
