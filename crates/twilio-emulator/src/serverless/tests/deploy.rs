//! Functions, uploads, Builds and Deployments: a deployment as a tool makes it, the Build's
//! status on the emulated clock, errors, and the cascade of a Service's deletion.

use std::time::Duration;

use axum::http::Method;

use super::*;
use crate::v1_test_api::assert_error;

const CODE: &str = "exports.handler = (context, event, callback) => callback(null, 'ok');";

/// A Service `name` with a Function holding one uploaded Version; returns (service, function,
/// version).
async fn uploaded(api: &Api, name: &str) -> (Value, Value, Value) {
    let service = service(api, name).await;
    let function = api
        .create(
            &under(api, &service, "/Functions"),
            &[("FriendlyName", "relay")],
        )
        .await;
    let (status, version) = upload(api, &function, code_form("/relay", "protected", CODE)).await;
    assert_eq!(status, 201, "{version}");
    (service, function, version)
}

/// Fetches the Build Status until it is no longer `building` (bounded); returns it.
async fn settled(api: &Api, build: &Value) -> String {
    let path = under(api, build, "/Status");
    for _ in 0..400 {
        let status = api.get(&path).await["status"].as_str().unwrap().to_string();
        if status != "building" {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{path} stays building");
}

#[tokio::test]
async fn functions_take_uploaded_versions() {
    let api = Api::start(1.0, |_| {}).await;
    let (service, function, version) = uploaded(&api, "relay").await;
    assert!(twilio_wire::sid::is_sid(
        function["sid"].as_str().unwrap(),
        "ZH"
    ));
    assert_eq!(function["friendly_name"], "relay");
    let function_path = api.path_of(&function["url"]);
    let (_, renamed) = api
        .send(
            Method::POST,
            &function_path,
            &[("FriendlyName", "relay-v2")],
        )
        .await;
    assert_eq!(renamed["friendly_name"], "relay-v2");
    assert_eq!(
        api.get(&under(&api, &service, "/Functions")).await["functions"],
        serde_json::json!([renamed])
    );

    // The upload answers with Serverless URLs, not the upload host's.
    assert!(twilio_wire::sid::is_sid(
        version["sid"].as_str().unwrap(),
        "ZN"
    ));
    assert_eq!(version["path"], "/relay");
    assert_eq!(version["visibility"], "protected");
    assert_eq!(version["function_sid"], function["sid"]);
    let version_path = api.path_of(&version["url"]);
    assert!(
        version_path.starts_with(&format!("{function_path}/Versions/")),
        "{version_path}"
    );
    assert_eq!(api.get(&version_path).await, version);
    let listed = api.get(&format!("{function_path}/Versions")).await;
    assert_eq!(listed["function_versions"], serde_json::json!([version]));
    assert_eq!(listed["meta"]["key"], "function_versions");
    let content = api
        .get(&api.path_of(&version["links"]["function_version_content"]))
        .await;
    assert_eq!(content["content"], CODE);
    assert_eq!(content["sid"], version["sid"]);

    for (form, code) in [
        (code_form("", "public", CODE), 20001),
        (code_form("relay", "public", CODE), 20001),
        (code_form("/relay", "secret", CODE), 20001),
        (
            reqwest::multipart::Form::new()
                .text("Path", "/x")
                .text("Visibility", "public"),
            20001,
        ),
    ] {
        let answer = upload(&api, &function, form).await;
        assert_error(&answer, 400, code);
    }
    let upload_path = format!(
        "{}/Versions",
        function_path.replace("/serverless/", "/serverless-upload/")
    );
    let form_encoded = api
        .send(Method::POST, &upload_path, &[("Path", "/x")])
        .await;
    assert_error(&form_encoded, 400, 20001);
    assert_error(&api.send(Method::GET, &upload_path, &[]).await, 405, 20004);
    let mut unknown = function.clone();
    unknown["url"] = Value::from(function["url"].as_str().unwrap().replace(
        function["sid"].as_str().unwrap(),
        "ZH00000000000000000000000000000000",
    ));
    let missing = upload(&api, &unknown, code_form("/relay", "public", CODE)).await;
    assert_error(&missing, 404, 20404);

    // Deleting the Function deletes its Versions.
    assert_eq!(api.send(Method::DELETE, &function_path, &[]).await.0, 204);
    assert_error(&api.send(Method::GET, &version_path, &[]).await, 404, 20404);
    api.stop().await;
}

#[tokio::test]
async fn a_build_stays_building_until_its_time_has_passed() {
    // An hour of building at real time: it is still building during the test.
    let api = Api::start(1.0, |config| config.latencies.build_ms = 3_600_000).await;
    let (service, _, version) = uploaded(&api, "slow").await;
    let build = api
        .create(
            &under(&api, &service, "/Builds"),
            &[("FunctionVersions", version["sid"].as_str().unwrap())],
        )
        .await;
    assert_eq!(build["status"], "building");
    assert_eq!(
        api.get(&under(&api, &build, "/Status")).await["status"],
        "building"
    );
    let environment = api
        .create(
            &under(&api, &service, "/Environments"),
            &[("UniqueName", "production")],
        )
        .await;
    let deployments = under(&api, &environment, "/Deployments");
    let early = api
        .send(
            Method::POST,
            &deployments,
            &[("BuildSid", build["sid"].as_str().unwrap())],
        )
        .await;
    assert_error(&early, 409, 20409);
    assert_eq!(
        api.get(&api.path_of(&environment["url"])).await["build_sid"],
        Value::Null
    );
    api.stop().await;
}

#[tokio::test]
async fn a_completed_build_deploys_to_an_environment() {
    // 100 times faster: the default 2 s build takes 20 ms.
    let api = Api::start(100.0, |_| {}).await;
    let (service, function, version) = uploaded(&api, "relay").await;
    let builds = under(&api, &service, "/Builds");
    let dependencies = r#"[{"name": "twilio", "version": "^5.0.0"}]"#;
    let build = api
        .create(
            &builds,
            &[
                ("FunctionVersions", version["sid"].as_str().unwrap()),
                ("Dependencies", dependencies),
                ("Runtime", "node20"),
            ],
        )
        .await;
    assert!(twilio_wire::sid::is_sid(
        build["sid"].as_str().unwrap(),
        "ZB"
    ));
    assert_eq!(build["runtime"], "node20");
    assert_eq!(
        build["dependencies"],
        serde_json::json!([{"name": "twilio", "version": "^5.0.0"}])
    );
    let embedded = &build["function_versions"][0];
    assert_eq!(embedded["sid"], version["sid"]);
    assert_eq!(embedded["function_sid"], function["sid"]);
    assert_eq!(embedded["path"], "/relay");
    assert_eq!(embedded["visibility"], "PROTECTED");
    assert_eq!(settled(&api, &build).await, "completed");
    let done = api.get(&api.path_of(&build["url"])).await;
    assert_eq!(done["status"], "completed");
    let took = chrono::DateTime::parse_from_rfc3339(done["date_updated"].as_str().unwrap())
        .unwrap()
        - chrono::DateTime::parse_from_rfc3339(done["date_created"].as_str().unwrap()).unwrap();
    assert_eq!(took, chrono::Duration::seconds(2), "latencies.build_ms");

    let environment = api
        .create(
            &under(&api, &service, "/Environments"),
            &[("UniqueName", "production"), ("DomainSuffix", "prod")],
        )
        .await;
    let deployments = under(&api, &environment, "/Deployments");
    let build_sid = build["sid"].as_str().unwrap();
    let deployment = api.create(&deployments, &[("BuildSid", build_sid)]).await;
    assert!(twilio_wire::sid::is_sid(
        deployment["sid"].as_str().unwrap(),
        "ZD"
    ));
    assert_eq!(deployment["build_sid"], build_sid);
    assert_eq!(deployment["environment_sid"], environment["sid"]);
    let environment_path = api.path_of(&environment["url"]);
    assert_eq!(api.get(&environment_path).await["build_sid"], build_sid);
    assert_eq!(api.get(&api.path_of(&deployment["url"])).await, deployment);
    let again = api
        .send(Method::POST, &deployments, &[("BuildSid", build_sid)])
        .await;
    assert_error(&again, 409, 20409);
    let deployed_delete = api
        .send(Method::DELETE, &api.path_of(&build["url"]), &[])
        .await;
    assert_error(&deployed_delete, 409, 20409);

    // A second Build (dependencies as the Serverless Toolkit quotes them) replaces the first.
    let quoted = format!("\"{dependencies}\"");
    let second = api
        .create(
            &builds,
            &[
                ("FunctionVersions", version["sid"].as_str().unwrap()),
                ("Dependencies", &quoted),
            ],
        )
        .await;
    assert_eq!(second["runtime"], "node22");
    assert_eq!(settled(&api, &second).await, "completed");
    api.create(
        &deployments,
        &[("BuildSid", second["sid"].as_str().unwrap())],
    )
    .await;
    assert_eq!(api.get(&environment_path).await["build_sid"], second["sid"]);
    assert_eq!(
        api.get(&deployments).await["deployments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        api.get(&builds).await["builds"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        api.send(Method::DELETE, &api.path_of(&build["url"]), &[])
            .await
            .0,
        204
    );
    api.stop().await;
}

#[tokio::test]
async fn builds_fail_on_uninstallable_dependencies_and_bad_requests() {
    let api = Api::start(100.0, |_| {}).await;
    let (service, _, version) = uploaded(&api, "relay").await;
    let builds = under(&api, &service, "/Builds");
    let version_sid = version["sid"].as_str().unwrap();
    let failing = api
        .create(
            &builds,
            &[
                ("FunctionVersions", version_sid),
                (
                    "Dependencies",
                    r#"[{"name": "twilio", "version": "github:x/y"}]"#,
                ),
            ],
        )
        .await;
    assert_eq!(failing["status"], "building");
    assert_eq!(settled(&api, &failing).await, "failed");
    let environment = api
        .create(
            &under(&api, &service, "/Environments"),
            &[("UniqueName", "production")],
        )
        .await;
    let deploy = api
        .send(
            Method::POST,
            &under(&api, &environment, "/Deployments"),
            &[("BuildSid", failing["sid"].as_str().unwrap())],
        )
        .await;
    assert_error(&deploy, 409, 20409);
    let bad: [&[(&str, &str)]; 4] = [
        &[("FunctionVersions", "ZN00000000000000000000000000000000")],
        &[("AssetVersions", "ZN00000000000000000000000000000000")],
        &[
            ("FunctionVersions", version_sid),
            ("Dependencies", "twilio@5"),
        ],
        &[("FunctionVersions", version_sid), ("Runtime", "node6")],
    ];
    for form in bad {
        assert_error(&api.send(Method::POST, &builds, form).await, 400, 20001);
    }
    let unknown_build = api
        .send(
            Method::POST,
            &under(&api, &environment, "/Deployments"),
            &[("BuildSid", "ZB00000000000000000000000000000000")],
        )
        .await;
    assert_error(&unknown_build, 400, 20001);
    api.stop().await;
}

#[tokio::test]
async fn deleting_a_service_deletes_everything_under_it() {
    let api = Api::start(1.0, |config| config.latencies.build_ms = 0).await;
    let (service, function, version) = uploaded(&api, "relay").await;
    let (other, _, _) = uploaded(&api, "other").await;
    let environment = api
        .create(
            &under(&api, &service, "/Environments"),
            &[("UniqueName", "production")],
        )
        .await;
    let variable = api
        .create(
            &under(&api, &environment, "/Variables"),
            &[("Key", "K"), ("Value", "V")],
        )
        .await;
    let build = api
        .create(
            &under(&api, &service, "/Builds"),
            &[("FunctionVersions", version["sid"].as_str().unwrap())],
        )
        .await;
    assert_eq!(
        build["status"], "completed",
        "a build of no duration is done at once"
    );
    let deployment = api
        .create(
            &under(&api, &environment, "/Deployments"),
            &[("BuildSid", build["sid"].as_str().unwrap())],
        )
        .await;
    let by_name = "/serverless/v1/Services/relay";
    assert_eq!(api.send(Method::DELETE, by_name, &[]).await.0, 204);
    for resource in [
        &service,
        &environment,
        &variable,
        &function,
        &version,
        &build,
        &deployment,
    ] {
        let path = api.path_of(&resource["url"]);
        assert_error(&api.send(Method::GET, &path, &[]).await, 404, 20404);
    }
    let services = api.get("/serverless/v1/Services").await;
    assert_eq!(services["services"], serde_json::json!([other]));
    // The unique name is free again.
    super::service(&api, "relay").await;
    api.stop().await;
}
