//! Building the relay's code: an upload per hook path, one Build, and the wait until Twilio
//! has built it.

use std::time::Duration;

use twilio_wire::client::{CreateBuild, FunctionUpload, TwilioClient};

use super::deploy::{step, RelayError, CODE, HOOK_PATHS};

/// How often a Build's status is read while it is `building`.
const BUILD_POLL: Duration = Duration::from_millis(500);

/// How long a Build may take before deploy gives up (Twilio's take seconds to a minute).
pub(super) const BUILD_LIMIT: Duration = Duration::from_secs(300);

/// Uploads the code at every hook path (creating the Functions the first time), builds it and
/// waits for the Build; returns the completed Build's SID.
pub(super) async fn build(
    client: &TwilioClient,
    service: &str,
    progress: &mut impl FnMut(&str),
) -> Result<String, RelayError> {
    let functions = client
        .list_functions(service)
        .await
        .map_err(step("list the Functions"))?;
    let mut versions = Vec::new();
    for path in HOOK_PATHS {
        let function = match functions.iter().find(|f| f.friendly_name == path) {
            Some(function) => function.clone(),
            None => client
                .create_function(service, path)
                .await
                .map_err(step("create a Function"))?,
        };
        progress(&format!("uploading the code of {path}"));
        let upload = FunctionUpload {
            path: path.into(),
            visibility: "protected".into(),
            content: CODE.into(),
            file_name: "relay.js".into(),
        };
        let version = client
            .upload_function_version(service, &function.sid, &upload)
            .await
            .map_err(step("upload the code"))?;
        versions.push(version.sid);
    }
    let create = CreateBuild {
        function_versions: versions,
        ..CreateBuild::default()
    };
    let build = client
        .create_build(service, &create)
        .await
        .map_err(step("create the Build"))?;
    progress(&format!(
        "building {} (Twilio takes up to a minute)",
        build.sid
    ));
    let polls = BUILD_LIMIT.as_millis() / BUILD_POLL.as_millis();
    let mut status = build.status;
    for _ in 0..polls {
        match status.as_str() {
            "completed" => return Ok(build.sid),
            "failed" => {
                return Err(RelayError::BuildFailed {
                    build_sid: build.sid,
                })
            }
            _ => {}
        }
        tokio::time::sleep(BUILD_POLL).await;
        status = client
            .fetch_build_status(service, &build.sid)
            .await
            .map_err(step("read the Build's status"))?;
    }
    Err(RelayError::BuildTimedOut {
        build_sid: build.sid,
    })
}
