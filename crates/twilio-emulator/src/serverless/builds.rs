//! Builds (`/v1/Services/{ServiceSid}/Builds`): create from `FunctionVersions` (repeated) and
//! `Dependencies`, fetch, fetch `Status`, list, delete.
//!
//! A Build is `building` for `latencies.build_ms` of emulated time, then `completed`, or
//! `failed` when a dependency cannot be installed: an entry without a `name` or `version`, or a
//! version that is neither `latest` nor an npm version or range (`github:...`, other tags), or
//! when it holds Function Versions and node cannot run (Deployments name the reason).
//!
//! `Dependencies` is a JSON array of `{"name", "version"}`; the same array inside one pair of
//! double quotes, as the Serverless Toolkit sends it, is accepted too.
//!
//! | check | error |
//! |---|---|
//! | a `FunctionVersions` SID that is no Version of the Service | 400/20001 |
//! | `AssetVersions` (Assets are not emulated) | 400/20001 |
//! | `Dependencies` not such an array | 400/20001 |
//! | `Runtime` not one of Twilio's (`node8` ... `node22`) | 400/20001 |
//! | deleting a Build an Environment has deployed | 409/20409 |
//! | no such Service or Build | 404/20404 |

use axum::response::Response;
use serde_json::{json, Value};

use twilio_wire::sid::new_sid;
use twilio_wire::time::iso8601;

use crate::rest::error::ApiError;
use crate::rest::v1::{created, deleted, ok, V1Request};

use super::services::owned;
use super::store::{child, children, Build, Dependency, ServerlessData};
use super::{page, ServerlessState};

/// The runtimes Twilio names; the newest is the default.
const RUNTIMES: [&str; 8] = [
    "node8", "node10", "node12", "node14", "node16", "node18", "node20", "node22",
];

/// `POST .../Builds`.
pub fn create(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
) -> Result<Response, ApiError> {
    if request.params.get("AssetVersions").is_some() {
        return Err(ApiError::invalid_parameter(
            "AssetVersions: Assets are not emulated; build Functions only",
        ));
    }
    let dependencies = match request.params.get("Dependencies") {
        None => Vec::new(),
        Some(text) => parse_dependencies(text)?,
    };
    let runtime = request.params.get("Runtime").unwrap_or(RUNTIMES[7]);
    if !RUNTIMES.contains(&runtime) {
        return Err(ApiError::invalid_parameter(format!(
            "Runtime must be one of {}, not {runtime}",
            RUNTIMES.join(", ")
        )));
    }
    let wanted: Vec<&str> = request.params.all("FunctionVersions").collect();
    let uninstallable = dependencies.iter().find(|d| !installable(d));
    let failure = match uninstallable {
        Some(d) => Some(format!(
            "npm cannot install the dependency {:?} version {:?}",
            d.name, d.version
        )),
        // Only Functions need node; checked here so deploying fails, not the first call.
        None if !wanted.is_empty() => state.store.node().check().err().map(str::to_string),
        None => None,
    };
    let now = state.clock.now();
    let build = state.store.with(|data| {
        let service = owned(data, request, service)?;
        let mut function_versions = Vec::new();
        for sid in &wanted {
            let version = data
                .versions
                .iter()
                .find(|v| v.service_sid == service.sid && v.sid == *sid)
                .ok_or_else(|| {
                    ApiError::invalid_parameter(format!(
                        "FunctionVersions: {sid} is not a Function Version of this Service"
                    ))
                })?;
            function_versions.push(version.clone());
        }
        let build = Build {
            sid: new_sid("ZB"),
            service_sid: service.sid,
            function_versions,
            failure,
            dependencies,
            runtime: runtime.to_string(),
            date_created: now,
        };
        data.builds.push(build.clone());
        Ok::<_, ApiError>(build)
    })?;
    Ok(created(build_json(&build, state, request)))
}

/// `GET .../Builds/{Sid}`.
pub fn fetch(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    let build = state
        .store
        .with(|data| owned_build(data, request, service, sid))?;
    Ok(ok(build_json(&build, state, request)))
}

/// `GET .../Builds/{Sid}/Status`.
pub fn status(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    let build = state
        .store
        .with(|data| owned_build(data, request, service, sid))?;
    let (status, _) = build.status(state.clock.now(), state.config.latencies.build());
    Ok(ok(json!({
        "sid": build.sid,
        "account_sid": request.account_sid,
        "service_sid": build.service_sid,
        "status": status.as_str(),
        "url": format!("{}/Status", build_url(&build, request)),
    })))
}

/// `GET .../Builds`: oldest first, paged.
pub fn list(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
) -> Result<Response, ApiError> {
    let (service, builds) = state.store.with(|data| {
        let service = owned(data, request, service)?;
        let builds = children(&data.builds, &service.sid);
        Ok::<_, ApiError>((service, builds))
    })?;
    let url = request.url(&format!("/Services/{}/Builds", service.sid));
    let to_json = |b: &Build| build_json(b, state, request);
    page(request, &builds, to_json, &url, "builds")
}

/// `DELETE .../Builds/{Sid}`, unless an Environment has it deployed (409/20409).
pub fn delete(
    state: &ServerlessState,
    request: &V1Request,
    service: &str,
    sid: &str,
) -> Result<Response, ApiError> {
    state.store.with(|data| {
        let build = owned_build(data, request, service, sid)?;
        let deployed = data
            .environments
            .iter()
            .find(|e| e.build_sid.as_deref() == Some(build.sid.as_str()));
        if let Some(environment) = deployed {
            return Err(ApiError::conflict(
                20409,
                format!(
                    "Build {} is deployed in Environment {}; deploy another Build first",
                    build.sid, environment.sid
                ),
            ));
        }
        data.builds.retain(|b| b.sid != build.sid);
        Ok(deleted())
    })
}

/// The Build `sid` of the account's Service `service` (cloned), or 404/20404.
pub fn owned_build(
    data: &ServerlessData,
    request: &V1Request,
    service: &str,
    sid: &str,
) -> Result<Build, ApiError> {
    let service = owned(data, request, service)?;
    child(&data.builds, &service.sid, sid).ok_or_else(|| request.not_found())
}

/// `Dependencies`: a JSON array of `{"name", "version"}`, possibly inside one pair of quotes.
fn parse_dependencies(text: &str) -> Result<Vec<Dependency>, ApiError> {
    let invalid = |why: String| {
        ApiError::invalid_parameter(format!(
            "Dependencies must be a JSON array of {{\"name\", \"version\"}} objects: {why}"
        ))
    };
    let unquoted = text
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|inner| inner.starts_with('['))
        .unwrap_or(text);
    let entries: Vec<Value> = serde_json::from_str(unquoted).map_err(|e| invalid(e.to_string()))?;
    entries
        .iter()
        .map(|entry| {
            let field = |name: &str| match entry.get(name) {
                Some(Value::String(text)) => Ok(text.clone()),
                None | Some(Value::Null) => Ok(String::new()),
                Some(other) => Err(invalid(format!("{name} is not text: {other}"))),
            };
            Ok(Dependency {
                name: field("name")?,
                version: field("version")?,
            })
        })
        .collect()
}

/// Whether npm could install `dependency`: a name, and `latest` or a version or range made of
/// digits, dots, `x`/`*` wildcards and range operators.
fn installable(dependency: &Dependency) -> bool {
    let version = dependency.version.trim();
    let range = version
        .chars()
        .any(|c| c.is_ascii_digit() || c == '*' || c == 'x')
        && version
            .chars()
            .all(|c| c.is_ascii_digit() || ".xX*^~<>=|- ".contains(c));
    !dependency.name.trim().is_empty() && (version == "latest" || range)
}

fn build_url(build: &Build, request: &V1Request) -> String {
    request.url(&format!(
        "/Services/{}/Builds/{}",
        build.service_sid, build.sid
    ))
}

/// A Build as `serverless.v1.service.build`, its status as of now.
fn build_json(build: &Build, state: &ServerlessState, request: &V1Request) -> Value {
    let (status, updated) = build.status(state.clock.now(), state.config.latencies.build());
    let url = build_url(build, request);
    // Twilio shows a Build's Versions in brief, with the visibility in capitals.
    let versions: Vec<Value> = build
        .function_versions
        .iter()
        .map(|v| {
            json!({
                "sid": v.sid,
                "account_sid": request.account_sid,
                "service_sid": v.service_sid,
                "function_sid": v.function_sid,
                "date_created": iso8601(v.date_created),
                "path": v.path,
                "visibility": v.visibility.as_str().to_ascii_uppercase(),
            })
        })
        .collect();
    let dependencies: Vec<Value> = build
        .dependencies
        .iter()
        .map(|d| json!({"name": d.name, "version": d.version}))
        .collect();
    json!({
        "sid": build.sid,
        "account_sid": request.account_sid,
        "service_sid": build.service_sid,
        "status": status.as_str(),
        "asset_versions": [],
        "function_versions": versions,
        "dependencies": dependencies,
        "runtime": build.runtime,
        "date_created": iso8601(build.date_created),
        "date_updated": iso8601(updated),
        "url": url,
        "links": {"build_status": format!("{url}/Status")},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dependency(name: &str, version: &str) -> Dependency {
        Dependency {
            name: name.into(),
            version: version.into(),
        }
    }

    #[test]
    fn dependencies_parse_plain_or_quoted_and_only_versions_install() {
        let plain = r#"[{"name": "twilio", "version": "^5.0.0"}]"#;
        let quoted = format!("\"{plain}\"");
        for text in [plain, quoted.as_str()] {
            assert_eq!(
                parse_dependencies(text).unwrap(),
                [dependency("twilio", "^5.0.0")]
            );
        }
        for bad in [r#"{"name": "x"}"#, "[1,", r#"[{"name": 5}]"#] {
            assert_eq!(parse_dependencies(bad).unwrap_err().envelope.code, 20001);
        }
        for good in [
            "latest",
            "5.3.1",
            "^4.23.0",
            "~1.2",
            "1.x",
            "*",
            ">=1.0.0 <2.0.0",
            "1.2 || 2",
        ] {
            assert!(installable(&dependency("lodash", good)), "{good}");
        }
        for bad in ["", "latest-and-greatest", "github:user/repo", "nonexistent"] {
            assert!(!installable(&dependency("lodash", bad)), "{bad}");
        }
        assert!(!installable(&dependency("", "1.0.0")));
    }
}
