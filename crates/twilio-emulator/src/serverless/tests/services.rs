//! Serverless Services, Environments and Variables: shapes, domains, lookups, errors.

use axum::http::Method;

use super::*;
use crate::v1_test_api::{assert_error, OTHER_ACCOUNT, OTHER_TOKEN};

#[tokio::test]
async fn services_are_found_by_sid_or_unique_name() {
    let api = Api::start(1.0, |_| {}).await;
    let created = service(&api, "ivr-relay").await;
    let sid = created["sid"].as_str().unwrap();
    assert!(twilio_wire::sid::is_sid(sid, "ZS"), "{sid}");
    assert_eq!(created["unique_name"], "ivr-relay");
    assert_eq!(created["friendly_name"], "IVR relay");
    assert_eq!(created["include_credentials"], true);
    assert_eq!(created["ui_editable"], false);
    let base = created["domain_base"].as_str().unwrap();
    let digits = base.strip_prefix("ivr-relay-").unwrap();
    assert!(
        digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit()),
        "{base}"
    );
    let url = format!("{}/serverless/v1/Services/{sid}", api.base);
    assert_eq!(created["url"], url);
    assert_eq!(created["links"]["builds"], format!("{url}/Builds"));

    assert_eq!(
        api.get(&format!("/serverless/v1/Services/{sid}")).await,
        created
    );
    assert_eq!(api.get("/serverless/v1/Services/ivr-relay").await, created);
    let page = api.get("/serverless/v1/Services").await;
    assert_eq!(page["services"], serde_json::json!([created]));
    assert_eq!(page["meta"]["key"], "services");
    let foreign = api
        .send_as(
            (OTHER_ACCOUNT, OTHER_TOKEN),
            Method::GET,
            "/serverless/v1/Services/ivr-relay",
            &[],
        )
        .await;
    assert_error(&foreign, 404, 20404);
    assert_eq!(
        foreign.1["message"],
        "The requested resource /Services/ivr-relay was not found"
    );

    let options = api
        .create(
            "/serverless/v1/Services",
            &[
                ("UniqueName", "second"),
                ("FriendlyName", "x"),
                ("IncludeCredentials", "false"),
                ("UiEditable", "true"),
            ],
        )
        .await;
    assert_eq!(options["include_credentials"], false);
    assert_eq!(options["ui_editable"], true);
    api.stop().await;
}

/// A form, the status and code it must give, and the exact message (if not empty).
type Case<'a> = (&'a [(&'a str, &'a str)], u16, u64, &'a str);

#[tokio::test]
async fn service_parameters_are_checked() {
    let api = Api::start(1.0, |_| {}).await;
    service(&api, "taken").await;
    let cases: [Case; 5] = [
        (
            &[("FriendlyName", "x")],
            400,
            20001,
            "Missing required parameter UniqueName in the post body",
        ),
        (
            &[("UniqueName", "x")],
            400,
            20001,
            "Missing required parameter FriendlyName in the post body",
        ),
        (
            &[("UniqueName", "no spaces"), ("FriendlyName", "x")],
            400,
            20001,
            "",
        ),
        (
            &[
                ("UniqueName", "x"),
                ("FriendlyName", "x"),
                ("UiEditable", "1"),
            ],
            400,
            20001,
            "",
        ),
        (
            &[("UniqueName", "taken"), ("FriendlyName", "x")],
            409,
            20409,
            "",
        ),
    ];
    for (form, status, code, message) in cases {
        let answer = api
            .send(Method::POST, "/serverless/v1/Services", form)
            .await;
        assert_error(&answer, status, code);
        if !message.is_empty() {
            assert_eq!(answer.1["message"], message);
        }
    }
    let long = "x".repeat(51);
    let answer = api
        .send(
            Method::POST,
            "/serverless/v1/Services",
            &[("UniqueName", &long), ("FriendlyName", "x")],
        )
        .await;
    assert_error(&answer, 400, 20001);
    let assets = api
        .send(Method::GET, "/serverless/v1/Services/taken/Assets", &[])
        .await;
    assert_error(&assets, 404, 20404);
    let put = api
        .send(Method::PUT, "/serverless/v1/Services/taken/Builds", &[])
        .await;
    assert_error(&put, 405, 20004);
    api.stop().await;
}

#[tokio::test]
async fn environments_get_domains_and_keep_variables() {
    let api = Api::start(1.0, |_| {}).await;
    let service = service(&api, "relay").await;
    let base = service["domain_base"].as_str().unwrap();
    let environments = under(&api, &service, "/Environments");
    let production = api
        .create(&environments, &[("UniqueName", "production")])
        .await;
    assert_eq!(production["domain_name"], format!("{base}.twil.io"));
    assert_eq!(production["domain_suffix"], serde_json::Value::Null);
    assert_eq!(production["build_sid"], serde_json::Value::Null);
    let staging = api
        .create(
            &environments,
            &[("UniqueName", "staging"), ("DomainSuffix", "stage")],
        )
        .await;
    assert!(twilio_wire::sid::is_sid(
        staging["sid"].as_str().unwrap(),
        "ZE"
    ));
    assert_eq!(staging["domain_name"], format!("{base}-stage.twil.io"));
    assert_eq!(staging["service_sid"], service["sid"]);
    for form in [
        vec![("UniqueName", "staging")],
        vec![("UniqueName", "other"), ("DomainSuffix", "stage")],
    ] {
        assert_error(
            &api.send(Method::POST, &environments, &form).await,
            409,
            20409,
        );
    }
    let bad_suffix = api
        .send(
            Method::POST,
            &environments,
            &[("UniqueName", "x"), ("DomainSuffix", "a.b")],
        )
        .await;
    assert_error(&bad_suffix, 400, 20001);
    let listed = api.get(&environments).await;
    assert_eq!(
        listed["environments"],
        serde_json::json!([production, staging])
    );

    let variables = under(&api, &staging, "/Variables");
    let created = api
        .create(&variables, &[("Key", "RELAY_PROTOCOL"), ("Value", "1")])
        .await;
    assert!(twilio_wire::sid::is_sid(
        created["sid"].as_str().unwrap(),
        "ZV"
    ));
    assert_eq!(created["environment_sid"], staging["sid"]);
    let variable = api.path_of(&created["url"]);
    let (status, updated) = api.send(Method::POST, &variable, &[("Value", "2")]).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (updated["key"].clone(), updated["value"].clone()),
        ("RELAY_PROTOCOL".into(), "2".into())
    );
    assert_eq!(api.get(&variable).await, updated);
    let duplicate = api
        .send(
            Method::POST,
            &variables,
            &[("Key", "RELAY_PROTOCOL"), ("Value", "3")],
        )
        .await;
    assert_error(&duplicate, 409, 20409);
    let too_long = "v".repeat(451);
    let large = api
        .send(
            Method::POST,
            &variables,
            &[("Key", "BIG"), ("Value", &too_long)],
        )
        .await;
    assert_error(&large, 400, 20001);
    assert_error(
        &api.send(Method::POST, &variables, &[("Key", "K")]).await,
        400,
        20001,
    );
    assert_eq!(
        api.get(&variables).await["variables"],
        serde_json::json!([updated])
    );
    assert_eq!(api.send(Method::DELETE, &variable, &[]).await.0, 204);
    assert_error(&api.send(Method::GET, &variable, &[]).await, 404, 20404);

    // Deleting an Environment deletes its Variables.
    api.create(&variables, &[("Key", "A"), ("Value", "1")])
        .await;
    let staging_path = api.path_of(&staging["url"]);
    assert_eq!(api.send(Method::DELETE, &staging_path, &[]).await.0, 204);
    assert_error(&api.send(Method::GET, &variables, &[]).await, 404, 20404);
    assert_eq!(
        api.get(&environments).await["environments"],
        serde_json::json!([production])
    );
    api.stop().await;
}
