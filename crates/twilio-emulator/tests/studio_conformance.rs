//! The emulator's Studio v2 answers against Twilio's OpenAPI description
//! (`twilio_studio_v2.json`), and what they record of a call through a flow: the flow's number
//! lists the flow's webhook as its voice URL, the call's execution names the caller, and its
//! steps are the transitions the call took, named as in the definition.
//!
//! Without the descriptions the test says so and passes, unless `IVR_TEST_REQUIRE_OPENAPI=1`.

mod openapi;

use std::time::Duration;

use openapi::{openapi_dir_or_skip, Caller, Run, Spec};
use serde_json::Value;

use twilio_emulator::config::{EmulatorConfig, NumberConfig};
use twilio_emulator::server::{start, EmulatorOptions, RunningEmulator};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "conformance-token-91c4";
const CALLER: &str = "+15550100001";
const IVR: &str = "+18005550100";

async fn emulator() -> RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let options = EmulatorOptions {
        time_scale: Some(200.0),
        ..EmulatorOptions::default()
    };
    let mut config = EmulatorConfig::with_account(ACCOUNT, TOKEN);
    config.caller_ids.push(CALLER.into());
    let flow = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/acme-energy.flow.json"
    );
    config.numbers.insert(
        IVR.into(),
        NumberConfig {
            studio_flow: Some(flow.into()),
            ..NumberConfig::default()
        },
    );
    start(listener, config, options).await.unwrap()
}

/// Calls the flow's number with a caller that stays silent for `secs` (emulated), then waits
/// until the call has ended.
async fn silent_call(caller: &Caller, secs: u32) -> String {
    let calls = format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json");
    let twiml = format!(r#"<Response><Pause length="{secs}"/><Hangup/></Response>"#);
    let form = [("To", IVR), ("From", CALLER), ("Twiml", twiml.as_str())];
    let (status, call) = caller.call("post", &calls, &form).await;
    assert_eq!(status, 201, "{call}");
    let sid = call["sid"].as_str().unwrap().to_string();
    let one = format!("/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json");
    for _ in 0..200 {
        let (_, call) = caller.call("get", &one, &[]).await;
        if call["status"] == "completed" {
            return sid;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the call {sid} did not end");
}

#[tokio::test]
async fn studio_answers_have_every_declared_property_and_record_the_calls_steps() {
    let emulator = emulator().await;
    let caller = Caller {
        base: emulator.base_url.clone(),
        http: reqwest::Client::new(),
        user: ACCOUNT.into(),
        password: TOKEN.into(),
    };
    // The number's configuration names the flow, as on Twilio.
    let numbers = format!("/2010-04-01/Accounts/{ACCOUNT}/IncomingPhoneNumbers.json");
    let (_, numbers) = caller.call("get", &numbers, &[("PhoneNumber", IVR)]).await;
    let voice_url = numbers["incoming_phone_numbers"][0]["voice_url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let flow_sid = voice_url.rsplit('/').next().unwrap().to_string();
    assert_eq!(
        voice_url,
        format!(
            "{}/v1/Accounts/{ACCOUNT}/Flows/{flow_sid}",
            emulator.base_url
        )
    );
    assert!(flow_sid.starts_with("FW"), "{voice_url}");
    // Silent for longer than the greeting and the menu's timeout: Trigger -> greeting ->
    // main_menu -> (timeout) no_input -> main_menu ...
    silent_call(&caller, 30).await;

    let Some(dir) = openapi_dir_or_skip() else {
        emulator.stop().await;
        return;
    };
    let spec = Spec::load(&dir, "twilio_studio_v2.json");
    let mut run = Run {
        spec: &spec,
        caller: &caller,
        problems: Vec::new(),
        checked: 0,
    };
    let flows = run.call("/v2/Flows", "get", "/studio/v2/Flows", &[]).await;
    assert_eq!(flows["flows"][0]["sid"], flow_sid.as_str());
    let flow_path = format!("/studio/v2/Flows/{flow_sid}");
    let flow = run.call("/v2/Flows/{Sid}", "get", &flow_path, &[]).await;
    assert_eq!(flow["friendly_name"], "acme-energy");
    assert_eq!(flow["definition"]["initial_state"], "Trigger");
    assert_eq!(flow["webhook_url"], voice_url.as_str());
    let t = "/v2/Flows/{FlowSid}/Executions";
    let listed = run
        .call(t, "get", &format!("{flow_path}/Executions"), &[])
        .await;
    let executions = listed["executions"].as_array().unwrap().clone();
    assert_eq!(executions.len(), 1, "{listed}");
    let execution = &executions[0];
    assert_eq!(execution["contact_channel_address"], CALLER);
    assert_eq!(execution["status"], "ended");
    let execution_path = format!(
        "{flow_path}/Executions/{}",
        execution["sid"].as_str().unwrap()
    );
    let t = "/v2/Flows/{FlowSid}/Executions/{Sid}";
    run.call(t, "get", &execution_path, &[]).await;
    let t = "/v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Context";
    let context = run
        .call(t, "get", &format!("{execution_path}/Context"), &[])
        .await;
    assert_eq!(context["context"]["trigger"]["call"]["From"], CALLER);
    let t = "/v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps";
    let steps = run
        .call(t, "get", &format!("{execution_path}/Steps"), &[])
        .await;
    let taken: Vec<String> = steps["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} -{}-> {}",
                s["transitioned_from"].as_str().unwrap_or("?"),
                s["name"].as_str().unwrap_or("?"),
                s["transitioned_to"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        taken[..4],
        [
            "Trigger -incomingCall-> greeting",
            "greeting -audioComplete-> main_menu",
            "main_menu -timeout-> no_input",
            "no_input -audioComplete-> main_menu",
        ],
        "{taken:?}"
    );
    let step_path = format!(
        "{execution_path}/Steps/{}",
        steps["steps"][0]["sid"].as_str().unwrap()
    );
    let t = "/v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps/{Sid}";
    run.call(t, "get", &step_path, &[]).await;
    let t = "/v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps/{StepSid}/Context";
    run.call(t, "get", &format!("{step_path}/Context"), &[])
        .await;
    // A window before the call lists nothing.
    let (_, none) = caller
        .call(
            "get",
            &format!("{flow_path}/Executions"),
            &[("DateCreatedTo", "2000-01-01T00:00:00Z")],
        )
        .await;
    assert_eq!(none["executions"], Value::Array(vec![]));
    let (status, missing) = caller
        .call("get", &format!("{flow_path}/Executions/FNnone"), &[])
        .await;
    assert_eq!((status, missing["code"].clone()), (404, 20404.into()));
    assert_eq!(run.checked, 8);
    assert!(
        run.problems.is_empty(),
        "{} problems:\n{}",
        run.problems.len(),
        run.problems.join("\n")
    );
    emulator.stop().await;
}
