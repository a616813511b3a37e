//! The Serverless API over HTTP, on a running emulator: Services, Environments and Variables
//! (`services`), Functions, uploads, Builds and Deployments (`deploy`).

mod deploy;
mod services;

use serde_json::Value;

use crate::v1_test_api::{Api, ACCOUNT, TOKEN};

/// A new Service named `name`; returns it.
async fn service(api: &Api, name: &str) -> Value {
    api.create(
        "/serverless/v1/Services",
        &[("UniqueName", name), ("FriendlyName", "IVR relay")],
    )
    .await
}

/// The path of `resource`'s `url` plus `tail`.
fn under(api: &Api, resource: &Value, tail: &str) -> String {
    format!("{}{tail}", api.path_of(&resource["url"]))
}

/// Uploads `content` as a Version of `function` (a Function resource) through the
/// Serverless Upload prefix, as multipart; returns status and JSON.
async fn upload(api: &Api, function: &Value, form: reqwest::multipart::Form) -> (u16, Value) {
    let path = api
        .path_of(&function["url"])
        .replace("/serverless/v1/", "/serverless-upload/v1/");
    let response = reqwest::Client::new()
        .post(format!("{}{path}/Versions", api.base))
        .basic_auth(ACCOUNT, Some(TOKEN))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The multipart form of an upload of `code` at `path`.
fn code_form(path: &str, visibility: &str, code: &str) -> reqwest::multipart::Form {
    let content = reqwest::multipart::Part::text(code.to_string())
        .file_name("relay.js")
        .mime_str("application/javascript")
        .unwrap();
    reqwest::multipart::Form::new()
        .text("Path", path.to_string())
        .text("Visibility", visibility.to_string())
        .part("Content", content)
}
