//! twilio-wire's Serverless client against this emulator: a Function deployed the way a relay
//! deployment does it, through the single base URL, and removed again.

use std::time::Duration;

use twilio_emulator::config::EmulatorConfig;
use twilio_emulator::server::{start, EmulatorOptions, RunningEmulator};
use twilio_wire::client::*;
use twilio_wire::secret::Secret;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "serverless-client-token-5e2a";
const CODE: &str = "exports.handler = (context, event, callback) => callback(null, 'ok');";

async fn emulator() -> RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let options = EmulatorOptions {
        // The default 2 s build takes 20 ms.
        time_scale: Some(100.0),
        ..EmulatorOptions::default()
    };
    let config = EmulatorConfig::with_account(ACCOUNT, TOKEN);
    start(listener, config, options).await.expect("start")
}

fn client(emulator: &RunningEmulator) -> TwilioClient {
    TwilioClient::new(&emulator.base_url, ACCOUNT, &Secret::new(TOKEN)).expect("client")
}

/// Fetches the Build until it is settled (bounded); returns it.
async fn settled(client: &TwilioClient, service: &str, sid: &str) -> Build {
    for _ in 0..400 {
        let build = client.fetch_build(service, sid).await.expect("fetch build");
        if build.is_settled() {
            return build;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("build {sid} never settled");
}

#[tokio::test]
async fn deploys_a_function_and_removes_everything() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let service = client
        .create_serverless_service(&CreateServerlessService {
            unique_name: "ivr-relay".into(),
            friendly_name: "ivr-test relay".into(),
            include_credentials: Some(true),
            ..CreateServerlessService::default()
        })
        .await
        .expect("service");
    assert!(service.include_credentials);
    assert_eq!(
        client.fetch_serverless_service("ivr-relay").await.unwrap(),
        service
    );
    let environment = client
        .create_environment(&service.sid, "production", Some("prod"))
        .await
        .expect("environment");
    assert_eq!(
        environment.domain_name,
        format!("{}-prod.twil.io", service.domain_base)
    );
    let variable = client
        .create_variable(&service.sid, &environment.sid, "RELAY_PROTOCOL", "1")
        .await
        .expect("variable");
    let updated = client
        .update_variable(&service.sid, &environment.sid, &variable.sid, "2")
        .await
        .expect("update");
    assert_eq!(
        (updated.key.as_str(), updated.value.as_str()),
        ("RELAY_PROTOCOL", "2")
    );
    assert_eq!(
        client
            .list_variables(&service.sid, &environment.sid)
            .await
            .unwrap(),
        std::slice::from_ref(&updated)
    );

    let function = client
        .create_function(&service.sid, "relay")
        .await
        .expect("function");
    let upload = FunctionUpload {
        path: "/relay".into(),
        visibility: "protected".into(),
        content: CODE.into(),
        file_name: "relay.js".into(),
    };
    let version = client
        .upload_function_version(&service.sid, &function.sid, &upload)
        .await
        .expect("upload");
    assert_eq!(
        (version.path.as_str(), version.visibility.as_str()),
        ("/relay", "protected")
    );
    assert_eq!(
        client
            .fetch_function_version_content(&service.sid, &function.sid, &version.sid)
            .await
            .unwrap(),
        CODE
    );
    assert_eq!(
        client
            .list_function_versions(&service.sid, &function.sid)
            .await
            .unwrap(),
        std::slice::from_ref(&version)
    );

    let build = client
        .create_build(
            &service.sid,
            &CreateBuild {
                function_versions: vec![version.sid.clone()],
                dependencies: vec![Dependency {
                    name: "twilio".into(),
                    version: "^5.0.0".into(),
                }],
                runtime: None,
            },
        )
        .await
        .expect("build");
    assert_eq!(build.status, "building");
    assert_eq!(build.function_versions[0].sid, version.sid);
    let done = settled(&client, &service.sid, &build.sid).await;
    assert_eq!(done.status, "completed");
    assert_eq!(
        client
            .fetch_build_status(&service.sid, &build.sid)
            .await
            .unwrap(),
        "completed"
    );
    let deployment = client
        .create_deployment(&service.sid, &environment.sid, &build.sid)
        .await
        .expect("deployment");
    assert_eq!(deployment.build_sid.as_deref(), Some(build.sid.as_str()));
    let live = client
        .fetch_environment(&service.sid, &environment.sid)
        .await
        .unwrap();
    assert_eq!(live.build_sid.as_deref(), Some(build.sid.as_str()));
    assert_eq!(
        client
            .list_deployments(&service.sid, &environment.sid)
            .await
            .unwrap(),
        [deployment]
    );
    assert_eq!(client.list_builds(&service.sid).await.unwrap().len(), 1);
    assert_eq!(
        client.list_functions(&service.sid).await.unwrap(),
        std::slice::from_ref(&function)
    );
    assert_eq!(
        client.list_environments(&service.sid).await.unwrap(),
        [live]
    );

    // Deploying the same Build again is a conflict Twilio reports with 20409.
    let again = client
        .create_deployment(&service.sid, &environment.sid, &build.sid)
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some(20409), "{again}");

    client
        .delete_variable(&service.sid, &environment.sid, &variable.sid)
        .await
        .expect("delete variable");
    client
        .delete_function(&service.sid, &function.sid)
        .await
        .expect("delete function");
    client
        .delete_environment(&service.sid, &environment.sid)
        .await
        .expect("delete environment");
    client
        .delete_serverless_service(&service.sid)
        .await
        .expect("delete service");
    assert!(client.list_serverless_services().await.unwrap().is_empty());
    let gone = client
        .fetch_serverless_service("ivr-relay")
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Some(20404), "{gone}");
    emulator.stop().await;
}

#[tokio::test]
async fn lists_follow_every_page() {
    let emulator = emulator().await;
    let client = client(&emulator);
    for n in 0..55 {
        client
            .create_serverless_service(&CreateServerlessService {
                unique_name: format!("service-{n}"),
                friendly_name: "x".into(),
                ..CreateServerlessService::default()
            })
            .await
            .expect("service");
    }
    // Twilio's default page holds 50: the second page is followed.
    let listed = client.list_serverless_services().await.expect("list");
    let names: Vec<&str> = listed.iter().map(|s| s.unique_name.as_str()).collect();
    let expected: Vec<String> = (0..55).map(|n| format!("service-{n}")).collect();
    assert_eq!(names, expected);
    emulator.stop().await;
}
