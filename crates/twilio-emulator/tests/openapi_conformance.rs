//! The emulator's Serverless, Sync, Voice and account answers against Twilio's OpenAPI
//! descriptions (`twilio_serverless_v1.json`, `twilio_sync_v1.json`, `twilio_voice_v1.json`,
//! `twilio_api_v2010.json` (the Account, IncomingPhoneNumbers, OutgoingCallerIds, Keys) in the
//! shared reference's `openapi/` folder, beside the workspace): every such operation the
//! emulator serves is called, and each
//! answer must have every property the operation's response schema declares, no other, each of
//! the declared JSON type (`null` only where nullable), enum values from the schema's enum,
//! `date-time` values as ISO 8601 and `uri` values absolute.
//!
//! Without the descriptions the test says so and passes, unless `IVR_TEST_REQUIRE_OPENAPI=1`,
//! when it fails naming where it looked.

use std::time::Duration;

mod openapi;

use openapi::{openapi_dir_or_skip, Caller, Run, Spec};
use serde_json::{json, Value};

use twilio_emulator::config::EmulatorConfig;
use twilio_emulator::server::{start, EmulatorOptions, RunningEmulator};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "conformance-token-91c4";
const CALLER: &str = "+15550100001";
const VERIFIED: &str = "+15550100002";

async fn emulator() -> RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let options = EmulatorOptions {
        time_scale: Some(1000.0),
        ..EmulatorOptions::default()
    };
    let mut config = EmulatorConfig::with_account(ACCOUNT, TOKEN);
    config.caller_ids.push(CALLER.into());
    let account = &mut config.accounts[0];
    account.trial = true;
    account.verified_caller_ids.push(VERIFIED.into());
    account.voice_countries_disabled.push("CU".into());
    start(listener, config, options).await.unwrap()
}

#[tokio::test]
async fn serverless_and_sync_answers_have_every_declared_property() {
    let Some(dir) = openapi_dir_or_skip() else {
        return;
    };
    let emulator = emulator().await;
    let caller = Caller {
        base: emulator.base_url.clone(),
        http: reqwest::Client::new(),
        user: ACCOUNT.into(),
        password: TOKEN.into(),
    };
    let serverless = Spec::load(&dir, "twilio_serverless_v1.json");
    let sync = Spec::load(&dir, "twilio_sync_v1.json");
    let mut problems = Vec::new();
    let mut checked = 0;

    let mut run = Run {
        spec: &serverless,
        caller: &caller,
        problems: Vec::new(),
        checked: 0,
    };
    serverless_calls(&mut run, &caller).await;
    problems.append(&mut run.problems);
    checked += run.checked;
    let mut run = Run {
        spec: &sync,
        caller: &caller,
        problems: Vec::new(),
        checked: 0,
    };
    sync_calls(&mut run).await;
    problems.append(&mut run.problems);
    checked += run.checked;

    assert!(checked >= 35, "only {checked} answers checked");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    emulator.stop().await;
}

async fn serverless_calls(run: &mut Run<'_>, caller: &Caller) {
    const SERVICES: &str = "/v1/Services";
    const SERVICE: &str = "/v1/Services/{Sid}";
    let s = "/serverless/v1/Services";
    let service = run
        .call(
            SERVICES,
            "post",
            s,
            &[("UniqueName", "relay"), ("FriendlyName", "Relay")],
        )
        .await;
    let zs = service["sid"].as_str().unwrap().to_string();
    run.call(SERVICE, "get", &format!("{s}/{zs}"), &[]).await;
    run.call(SERVICES, "get", s, &[]).await;

    let t = "/v1/Services/{ServiceSid}/Environments";
    let environments = format!("{s}/{zs}/Environments");
    let environment = run
        .call(
            t,
            "post",
            &environments,
            &[("UniqueName", "prod"), ("DomainSuffix", "prod")],
        )
        .await;
    let ze = environment["sid"].as_str().unwrap().to_string();
    run.call(t, "get", &environments, &[]).await;
    run.call(
        &format!("{t}/{{Sid}}"),
        "get",
        &format!("{environments}/{ze}"),
        &[],
    )
    .await;

    let t = "/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables";
    let variables = format!("{environments}/{ze}/Variables");
    let variable = run
        .call(t, "post", &variables, &[("Key", "K"), ("Value", "V")])
        .await;
    let zv = variable["sid"].as_str().unwrap();
    run.call(t, "get", &variables, &[]).await;
    let one = format!("{variables}/{zv}");
    run.call(&format!("{t}/{{Sid}}"), "get", &one, &[]).await;
    run.call(&format!("{t}/{{Sid}}"), "post", &one, &[("Value", "W")])
        .await;

    let t = "/v1/Services/{ServiceSid}/Functions";
    let functions = format!("{s}/{zs}/Functions");
    let function = run
        .call(t, "post", &functions, &[("FriendlyName", "relay")])
        .await;
    let zh = function["sid"].as_str().unwrap().to_string();
    run.call(t, "get", &functions, &[]).await;
    let one = format!("{functions}/{zh}");
    run.call(&format!("{t}/{{Sid}}"), "get", &one, &[]).await;
    run.call(
        &format!("{t}/{{Sid}}"),
        "post",
        &one,
        &[("FriendlyName", "relay")],
    )
    .await;

    // The upload answers with a Function Version, as its fetch does.
    let t = "/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions";
    let code = reqwest::multipart::Part::text("exports.handler = () => {};")
        .file_name("relay.js")
        .mime_str("application/javascript")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("Path", "/relay")
        .text("Visibility", "protected")
        .part("Content", code);
    let response = caller
        .http
        .post(format!(
            "{}/serverless-upload/v1/Services/{zs}/Functions/{zh}/Versions",
            caller.base
        ))
        .basic_auth(ACCOUNT, Some(TOKEN))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let version: Value = response.json().await.unwrap();
    run.check(&format!("{t}/{{Sid}}"), "get", 200, &version, "upload");
    let zn = version["sid"].as_str().unwrap().to_string();
    let versions = format!("{functions}/{zh}/Versions");
    run.call(t, "get", &versions, &[]).await;
    run.call(
        &format!("{t}/{{Sid}}"),
        "get",
        &format!("{versions}/{zn}"),
        &[],
    )
    .await;
    let content = format!("{versions}/{zn}/Content");
    run.call(&format!("{t}/{{Sid}}/Content"), "get", &content, &[])
        .await;

    let t = "/v1/Services/{ServiceSid}/Builds";
    let builds = format!("{s}/{zs}/Builds");
    let dependencies = json!([{"name": "twilio", "version": "^5.0.0"}]).to_string();
    let build = run
        .call(
            t,
            "post",
            &builds,
            &[("FunctionVersions", &zn), ("Dependencies", &dependencies)],
        )
        .await;
    let zb = build["sid"].as_str().unwrap().to_string();
    run.call(t, "get", &builds, &[]).await;
    run.call(
        &format!("{t}/{{Sid}}"),
        "get",
        &format!("{builds}/{zb}"),
        &[],
    )
    .await;
    let status_path = format!("{builds}/{zb}/Status");
    let mut status = run
        .call(&format!("{t}/{{Sid}}/Status"), "get", &status_path, &[])
        .await;
    for _ in 0..400 {
        if status["status"] != "building" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        status = caller.call("get", &status_path, &[]).await.1;
    }
    run.call(&format!("{t}/{{Sid}}/Status"), "get", &status_path, &[])
        .await;

    let t = "/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Deployments";
    let deployments = format!("{environments}/{ze}/Deployments");
    let deployment = run
        .call(t, "post", &deployments, &[("BuildSid", &zb)])
        .await;
    let zd = deployment["sid"].as_str().unwrap();
    run.call(t, "get", &deployments, &[]).await;
    run.call(
        &format!("{t}/{{Sid}}"),
        "get",
        &format!("{deployments}/{zd}"),
        &[],
    )
    .await;
}

async fn sync_calls(run: &mut Run<'_>) {
    let s = "/sync/v1/Services";
    let service = run
        .call("/v1/Services", "post", s, &[("FriendlyName", "relay")])
        .await;
    let is = service["sid"].as_str().unwrap().to_string();
    run.call("/v1/Services", "get", s, &[]).await;
    run.call("/v1/Services/{Sid}", "get", &format!("{s}/{is}"), &[])
        .await;

    let t = "/v1/Services/{ServiceSid}/Lists";
    let lists = format!("{s}/{is}/Lists");
    run.call(
        t,
        "post",
        &lists,
        &[("UniqueName", "events"), ("Ttl", "3600")],
    )
    .await;
    run.call(t, "post", &lists, &[]).await;
    run.call(t, "get", &lists, &[]).await;
    let one = format!("{lists}/events");
    run.call(&format!("{t}/{{Sid}}"), "get", &one, &[]).await;
    run.call(&format!("{t}/{{Sid}}"), "post", &one, &[("Ttl", "0")])
        .await;

    let t = "/v1/Services/{ServiceSid}/Lists/{ListSid}/Items";
    let items = format!("{one}/Items");
    let data = json!({"event": "gather", "speech": "yes"}).to_string();
    run.call(t, "post", &items, &[("Data", &data), ("ItemTtl", "60")])
        .await;
    run.call(t, "post", &items, &[("Data", "[1, 2]")]).await;
    run.call(t, "get", &items, &[("PageSize", "1")]).await;
    run.call(
        t,
        "get",
        &items,
        &[("Order", "desc"), ("From", "1"), ("Bounds", "exclusive")],
    )
    .await;
    let first = format!("{items}/0");
    run.call(&format!("{t}/{{Index}}"), "get", &first, &[])
        .await;
    run.call(&format!("{t}/{{Index}}"), "post", &first, &[("Data", "{}")])
        .await;
}

#[tokio::test]
async fn account_and_voice_answers_have_every_declared_property() {
    let Some(dir) = openapi_dir_or_skip() else {
        return;
    };
    let emulator = emulator().await;
    let mut caller = Caller {
        base: emulator.base_url.clone(),
        http: reqwest::Client::new(),
        user: ACCOUNT.into(),
        password: TOKEN.into(),
    };
    let api = Spec::load(&dir, "twilio_api_v2010.json");
    let voice = Spec::load(&dir, "twilio_voice_v1.json");
    let mut problems = Vec::new();
    let mut checked = 0;

    let mut run = Run {
        spec: &api,
        caller: &caller,
        problems: Vec::new(),
        checked: 0,
    };
    let account = format!("/2010-04-01/Accounts/{ACCOUNT}");
    let fetched = run
        .call(
            "/2010-04-01/Accounts/{Sid}.json",
            "get",
            &format!("{account}.json"),
            &[],
        )
        .await;
    assert_eq!(fetched["type"], "Trial");
    let t = "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json";
    let numbers = run
        .call(
            t,
            "get",
            &format!("{account}/IncomingPhoneNumbers.json"),
            &[],
        )
        .await;
    assert_eq!(numbers["incoming_phone_numbers"][0]["phone_number"], CALLER);
    let t = "/2010-04-01/Accounts/{AccountSid}/OutgoingCallerIds.json";
    let verified = run
        .call(
            t,
            "get",
            &format!("{account}/OutgoingCallerIds.json"),
            &[("PhoneNumber", VERIFIED)],
        )
        .await;
    assert_eq!(verified["outgoing_caller_ids"][0]["phone_number"], VERIFIED);
    let t = "/2010-04-01/Accounts/{AccountSid}/Keys.json";
    let keys = format!("{account}/Keys.json");
    let key = run.call(t, "post", &keys, &[("FriendlyName", "ci")]).await;
    run.call(t, "get", &keys, &[]).await;
    let sid = key["sid"].as_str().unwrap().to_string();
    let one = format!("{account}/Keys/{sid}.json");
    let t = "/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json";
    run.call(t, "get", &one, &[]).await;
    run.call(t, "post", &one, &[("FriendlyName", "ci 2")]).await;
    problems.append(&mut run.problems);
    checked += run.checked;

    // The new key authenticates the Voice API as the account.
    caller.user = sid.clone();
    caller.password = key["secret"].as_str().unwrap().to_string();
    let mut run = Run {
        spec: &voice,
        caller: &caller,
        problems: Vec::new(),
        checked: 0,
    };
    let countries = "/voice/v1/DialingPermissions/Countries";
    let cuba = run
        .call(
            "/v1/DialingPermissions/Countries/{IsoCode}",
            "get",
            &format!("{countries}/CU"),
            &[],
        )
        .await;
    assert_eq!(cuba["low_risk_numbers_enabled"], false);
    run.call(
        "/v1/DialingPermissions/Countries",
        "get",
        countries,
        &[("CountryCode", "+44")],
    )
    .await;
    problems.append(&mut run.problems);
    checked += run.checked;

    caller.user = ACCOUNT.into();
    caller.password = TOKEN.into();
    let (status, _) = caller.call("delete", &one, &[]).await;
    assert_eq!(status, 204);
    assert_eq!(checked, 9);
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    emulator.stop().await;
}
