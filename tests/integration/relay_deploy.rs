//! The relay's lifecycle on the emulator over HTTP: `deploy` creates exactly the contract's
//! resources and is idempotent, `inspect` tells missing, outdated and ready apart, `remove`
//! leaves nothing; and the same through `ivr-test relay deploy|status|remove`.

use ivr_test::twilio_relay::deploy::{
    deploy, inspect, remove, Deployed, RelayError, RelayState, CODE, HOOK_PATHS, PROTOCOL_VARIABLE,
    SERVICE_NAME, SYNC_VARIABLE,
};
use ivr_test::twilio_relay::event_list_name;
use twilio_wire::client::TwilioClient;

use crate::harness::emulator::{ACCOUNT, TOKEN};
use crate::harness::relay::{client, deployed_relay, node_present, relay_emulator};
use crate::harness::Project;

/// Deploys the relay, expecting `want`; returns its info.
async fn deployed(client: &TwilioClient, want: Deployed) -> ivr_test::twilio_relay::RelayInfo {
    let mut steps = Vec::new();
    let (info, done) = deploy(client, |step| steps.push(step.to_string()))
        .await
        .expect("deploy");
    assert_eq!(done, want, "steps: {steps:?}");
    if want == Deployed::Unchanged {
        assert_eq!(
            steps,
            Vec::<String>::new(),
            "an up-to-date relay is left alone"
        );
    }
    info
}

#[tokio::test]
async fn relay_deploy_creates_the_contracts_resources_and_a_second_deploy_changes_nothing() {
    if !node_present() {
        return;
    }
    let emulator = relay_emulator(None).await;
    let client = client(&emulator);
    assert_eq!(
        inspect(&client).await.expect("inspect"),
        RelayState::Missing
    );

    let info = deployed(&client, Deployed::Created).await;
    let service = client
        .fetch_serverless_service(SERVICE_NAME)
        .await
        .expect("service");
    assert_eq!(info.service_sid, service.sid);
    assert!(service.include_credentials);
    let environments = client.list_environments(&service.sid).await.expect("envs");
    assert_eq!(environments.len(), 1);
    assert_eq!(environments[0].unique_name, "relay");
    assert_eq!(environments[0].domain_name, info.domain_name);
    assert_eq!(
        environments[0].build_sid.as_deref(),
        Some(info.build_sid.as_str())
    );
    assert_eq!(
        info.base_url,
        format!("{}/functions/{}/", emulator.base_url, info.domain_name)
    );
    let mut variables: Vec<(String, String)> = client
        .list_variables(&service.sid, &info.environment_sid)
        .await
        .expect("variables")
        .into_iter()
        .map(|v| (v.key, v.value))
        .collect();
    variables.sort();
    assert_eq!(
        variables,
        [
            (PROTOCOL_VARIABLE.to_string(), "1".to_string()),
            (SYNC_VARIABLE.to_string(), info.sync_service_sid.clone()),
        ]
    );
    let syncs = client.list_sync_services().await.expect("sync services");
    assert_eq!(syncs.len(), 1);
    assert_eq!(syncs[0].sid, info.sync_service_sid);
    assert_eq!(syncs[0].friendly_name.as_deref(), Some(SERVICE_NAME));
    assert_eq!(
        client
            .list_functions(&service.sid)
            .await
            .expect("fns")
            .len(),
        4
    );
    let build = client
        .fetch_build(&service.sid, &info.build_sid)
        .await
        .expect("build");
    assert_eq!(build.status, "completed");
    let mut paths: Vec<&str> = build
        .function_versions
        .iter()
        .map(|v| v.path.as_str())
        .collect();
    paths.sort_unstable();
    let mut want = HOOK_PATHS.to_vec();
    want.sort_unstable();
    assert_eq!(paths, want);
    for version in &build.function_versions {
        assert!(
            version.visibility.eq_ignore_ascii_case("protected"),
            "{version:?}"
        );
        let code = client
            .fetch_function_version_content(&service.sid, &version.function_sid, &version.sid)
            .await
            .expect("content");
        assert_eq!(code, CODE);
    }
    let deployments = client
        .list_deployments(&service.sid, &info.environment_sid)
        .await
        .expect("deployments");
    assert_eq!(deployments.len(), 1);
    assert_eq!(
        inspect(&client).await.expect("inspect"),
        RelayState::Ready(info.clone())
    );

    let again = deployed(&client, Deployed::Unchanged).await;
    assert_eq!(again, info);
    assert_eq!(
        client
            .list_builds(&service.sid)
            .await
            .expect("builds")
            .len(),
        1
    );
    assert_eq!(client.list_sync_services().await.expect("syncs").len(), 1);
}

#[tokio::test]
async fn relay_of_another_protocol_is_outdated_until_deploy_updates_it() {
    let Some((_emulator, client, info)) = deployed_relay().await else {
        return;
    };
    crate::harness::relay::make_outdated(&client, &info).await;
    assert_eq!(
        inspect(&client).await.expect("inspect"),
        RelayState::Outdated {
            found: "protocol 0".into()
        }
    );
    let updated = deployed(&client, Deployed::Updated).await;
    assert_eq!(updated, info, "a Variable set again needs no new Build");
    assert_eq!(
        inspect(&client).await.expect("inspect"),
        RelayState::Ready(info)
    );
}

#[tokio::test]
async fn relay_with_other_code_is_outdated_until_deploy_builds_the_embedded_code() {
    let Some((_emulator, client, info)) = deployed_relay().await else {
        return;
    };
    let service = &info.service_sid;
    let functions = client.list_functions(service).await.expect("functions");
    let build = client
        .fetch_build(service, &info.build_sid)
        .await
        .expect("build");
    // The same Build but `next` runs code of an older relay.
    let mut versions = Vec::new();
    for version in &build.function_versions {
        if version.path != "/twilio-ivr/next" {
            versions.push(version.sid.clone());
            continue;
        }
        let function = functions
            .iter()
            .find(|f| f.sid == version.function_sid)
            .expect("function");
        let upload = twilio_wire::client::FunctionUpload {
            path: version.path.clone(),
            visibility: "protected".into(),
            content: CODE.replace("Hangup", "Reject"),
            file_name: "relay.js".into(),
        };
        let older = client
            .upload_function_version(service, &function.sid, &upload)
            .await
            .expect("upload");
        versions.push(older.sid);
    }
    let create = twilio_wire::client::CreateBuild {
        function_versions: versions,
        ..Default::default()
    };
    let older = client.create_build(service, &create).await.expect("build");
    client
        .create_deployment(service, &info.environment_sid, &older.sid)
        .await
        .expect("deploy");
    assert_eq!(
        inspect(&client).await.expect("inspect"),
        RelayState::Outdated {
            found: "protocol 1 with other code".into()
        }
    );
    let updated = deployed(&client, Deployed::Updated).await;
    assert_ne!(updated.build_sid, info.build_sid);
    assert_ne!(updated.build_sid, older.sid);
    assert_eq!(
        inspect(&client).await.expect("inspect"),
        RelayState::Ready(updated)
    );
}

#[tokio::test]
async fn relay_remove_leaves_nothing_behind() {
    let Some((_emulator, client, info)) = deployed_relay().await else {
        return;
    };
    // A call's List, as the runner leaves it while a call is live.
    client
        .create_sync_list(
            &info.sync_service_sid,
            Some(&event_list_name(&format!("TS{}", "a".repeat(32)))),
            None,
        )
        .await
        .expect("list");

    let removed = remove(&client).await.expect("remove");
    assert_eq!(
        removed.serverless_service.as_deref(),
        Some(info.service_sid.as_str())
    );
    assert_eq!(removed.sync_services, vec![info.sync_service_sid.clone()]);
    assert_eq!(client.list_serverless_services().await.expect("list"), []);
    assert_eq!(client.list_sync_services().await.expect("list"), []);
    assert_eq!(
        inspect(&client).await.expect("inspect"),
        RelayState::Missing
    );
    assert!(remove(&client).await.expect("remove again").is_empty());
}

#[tokio::test]
async fn relay_deploy_names_a_failed_build_and_node() {
    // node exists or not: the emulator is told to use a program that does not run.
    let emulator = relay_emulator(Some("/nonexistent/node".into())).await;
    let client = client(&emulator);
    let error = deploy(&client, |_| {}).await.expect_err("deploy fails");
    assert!(matches!(error, RelayError::BuildFailed { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("failed") && message.contains("node"),
        "{message}"
    );
    assert_eq!(
        inspect(&client).await.expect("inspect"),
        RelayState::Missing
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_commands_deploy_report_status_and_remove_without_printing_the_token() {
    if !node_present() {
        return;
    }
    let emulator = relay_emulator(None).await;
    let project = Project::new()
        .env("BOTIUM_TWILIO_IVR_ACCOUNT_SID", ACCOUNT)
        .env("BOTIUM_TWILIO_IVR_AUTH_TOKEN", TOKEN)
        .env("BOTIUM_TWILIO_IVR_API_URL", &emulator.base_url);
    let run = |args: &[&str]| tokio::task::block_in_place(|| project.run(args));

    let missing = run(&["relay", "status"]).expect_code(2);
    assert!(
        missing
            .stdout
            .contains("missing: run `ivr-test relay deploy`"),
        "{}",
        missing.stdout
    );
    let created = run(&["relay", "deploy"]).expect_code(0);
    assert!(
        created.stdout.starts_with("relay deployed: protocol 1 at "),
        "{}",
        created.stdout
    );
    assert!(
        created.stderr.contains("relay: building ZB"),
        "{}",
        created.stderr
    );
    let again = run(&["relay", "deploy"]).expect_code(0);
    assert!(
        again.stdout.starts_with("relay already up to date"),
        "{}",
        again.stdout
    );

    let ready = run(&["relay", "status"]).expect_code(0);
    let RelayState::Ready(info) = inspect(&client(&emulator)).await.expect("inspect") else {
        panic!("not ready: {}", ready.stdout);
    };
    for line in [
        "relay: ready".to_string(),
        format!("  domain: {}", info.domain_name),
        "  protocol: 1".to_string(),
        format!("  build: {}", info.build_sid),
    ] {
        assert!(ready.stdout.contains(&line), "{line} in {}", ready.stdout);
    }
    let removed = run(&["relay", "remove"]).expect_code(0);
    assert!(
        removed.stdout.contains(&info.service_sid),
        "{}",
        removed.stdout
    );
    assert!(
        removed.stdout.contains(&info.sync_service_sid),
        "{}",
        removed.stdout
    );
    let nothing = run(&["relay", "remove"]).expect_code(0);
    assert_eq!(nothing.stdout, "relay: nothing to remove\n");
    for out in [&missing, &created, &again, &ready, &removed, &nothing] {
        assert!(!out.stdout.contains(TOKEN) && !out.stderr.contains(TOKEN));
    }
}

#[test]
fn relay_commands_need_the_accounts_credentials() {
    let out = Project::new().run(&["relay", "status"]).expect_code(2);
    assert!(
        out.stderr
            .contains("TWILIO_IVR_ACCOUNT_SID and TWILIO_IVR_AUTH_TOKEN are required"),
        "{}",
        out.stderr
    );
}

#[test]
fn relay_commands_on_an_emulator_started_for_the_command_deploy_and_keep_nothing() {
    if !node_present() {
        return;
    }
    let config = format!(
        r#"{{"accounts": [{{"sid": "{ACCOUNT}", "auth_token": "{TOKEN}"}}], "latencies": {{"build_ms": 0}}}}"#
    );
    let project = Project::new()
        .file("emulator.json", &config)
        .env("PATH", &std::env::var("PATH").unwrap_or_default());
    let deployed = project
        .run(&["relay", "deploy", "--emulate", "emulator.json"])
        .expect_code(0);
    assert!(
        deployed
            .stdout
            .starts_with("relay deployed: protocol 1 at http://127.0.0.1:"),
        "{}",
        deployed.stdout
    );
    // Each command has an emulator of its own: the relay deployed above is gone with it.
    let project = project.env("BOTIUM_TWILIO_IVR_EMULATE", "emulator.json");
    let status = project.run(&["relay", "status"]).expect_code(2);
    assert!(
        status.stdout.contains("relay: missing"),
        "{}",
        status.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_deploys_racing_on_a_fresh_account_both_end_with_one_ready_relay() {
    if !node_present() {
        return;
    }
    let emulator = relay_emulator(None).await;
    let (first, second) = (client(&emulator), client(&emulator));
    let (a, b) = tokio::join!(deploy(&first, |_| {}), deploy(&second, |_| {}));
    let (a, b) = (a.expect("first deploy").0, b.expect("second deploy").0);
    assert_eq!(a.service_sid, b.service_sid);
    assert_eq!(a.sync_service_sid, b.sync_service_sid);
    let RelayState::Ready(info) = inspect(&first).await.expect("inspect") else {
        panic!("not ready");
    };
    assert_eq!(info.sync_service_sid, a.sync_service_sid);
    assert_eq!(
        first.list_serverless_services().await.expect("list").len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_commands_refused_by_twilio_exit_3_naming_the_step_and_twilios_code() {
    let emulator = relay_emulator(None).await;
    let wrong = "not-the-account-token-5c1e";
    let project = Project::new()
        .env("BOTIUM_TWILIO_IVR_ACCOUNT_SID", ACCOUNT)
        .env("BOTIUM_TWILIO_IVR_AUTH_TOKEN", wrong)
        .env("BOTIUM_TWILIO_IVR_API_URL", &emulator.base_url);
    let first_steps = [
        ("deploy", "list the Sync Services"),
        ("status", "list the Sync Services"),
        ("remove", "read the Serverless Service"),
    ];
    for (command, step) in first_steps {
        let out = tokio::task::block_in_place(|| project.run(&["relay", command])).expect_code(3);
        assert!(
            out.stderr
                .starts_with(&format!("error: cannot {step}: Twilio error 20003")),
            "{command}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains(wrong) && !out.stdout.contains(wrong));
    }
}
