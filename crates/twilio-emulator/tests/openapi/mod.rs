//! What the OpenAPI conformance tests share: Twilio's descriptions (found beside the
//! workspace, or skipped unless `IVR_TEST_REQUIRE_OPENAPI=1`), a schema check of an answer, and
//! a caller that runs operations against the emulator and checks each answer.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// `shared/reference/openapi` in the nearest ancestor of this crate that has one (the
/// workspace's parent holds `shared/` beside the repository).
pub fn openapi_dir() -> Option<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("shared/reference/openapi"))
        .find(|dir| dir.join("twilio_sync_v1.json").is_file())
}

/// One OpenAPI description: its schemas and operations.
pub struct Spec {
    name: &'static str,
    document: Value,
}

impl Spec {
    pub fn load(dir: &Path, name: &'static str) -> Spec {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let document = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        Spec { name, document }
    }

    /// The response schema of `method` on the OpenAPI path `template` for `status`.
    pub fn response_schema(&self, template: &str, method: &str, status: u16) -> &Value {
        let operation = &self.document["paths"][template][method];
        let schema =
            &operation["responses"][status.to_string()]["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "{}: no {status} JSON response for {method} {template}",
            self.name
        );
        schema
    }

    /// `schema`, its `$ref` followed.
    pub fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema["$ref"].as_str() {
            Some(reference) => {
                let name = reference.trim_start_matches("#/components/schemas/");
                &self.document["components"]["schemas"][name]
            }
            None => schema,
        }
    }

    /// Every way `value` (at `at`) differs from `schema`.
    pub fn check(&self, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
        let nullable = schema["nullable"] == true;
        let schema = self.resolve(schema);
        if value.is_null() {
            // A property without a type (List Item `data`) takes anything.
            if !(nullable || schema["nullable"] == true || schema.get("type").is_none()) {
                problems.push(format!("{at}: null, but not nullable"));
            }
            return;
        }
        let kind = schema["type"].as_str();
        let matches = match kind {
            Some("string") => value.is_string(),
            Some("integer") => value.is_i64() || value.is_u64(),
            Some("number") => value.is_number(),
            Some("boolean") => value.is_boolean(),
            Some("array") => value.is_array(),
            Some("object") => value.is_object(),
            _ => true,
        };
        if !matches {
            problems.push(format!("{at}: {value} is not {}", kind.unwrap_or("?")));
            return;
        }
        if let Some(allowed) = schema["enum"].as_array() {
            if !allowed.contains(value) {
                problems.push(format!("{at}: {value} is not one of {allowed:?}"));
            }
        }
        match (schema["format"].as_str(), value.as_str()) {
            (Some("date-time"), Some(text))
                if chrono::DateTime::parse_from_rfc3339(text).is_err() =>
            {
                problems.push(format!("{at}: {text} is not an ISO 8601 date-time"))
            }
            // The 2010-04-01 API's `*_uri` fields are host-relative on Twilio itself
            // (`/2010-04-01/Accounts/AC.../Calls.json?PageSize=50&Page=0`), though its
            // description declares them `uri`; the v1 APIs' `*_url` fields are absolute.
            (Some("uri"), Some(text))
                if url::Url::parse(text).is_err()
                    && !(self.name == "twilio_api_v2010.json" && text.starts_with('/')) =>
            {
                problems.push(format!("{at}: {text} is not an absolute URL"))
            }
            _ => {}
        }
        if let (Some(properties), Some(object)) =
            (schema["properties"].as_object(), value.as_object())
        {
            for (name, property) in properties {
                match object.get(name) {
                    Some(inner) => self.check(property, inner, &format!("{at}.{name}"), problems),
                    None => problems.push(format!("{at}: no `{name}`")),
                }
            }
            for name in object.keys().filter(|name| !properties.contains_key(*name)) {
                problems.push(format!("{at}: `{name}` is not declared"));
            }
        }
        if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
            for (i, item) in array.iter().enumerate() {
                self.check(items, item, &format!("{at}[{i}]"), problems);
            }
        }
    }
}

/// Calls the emulator as the test account.
pub struct Caller {
    pub base: String,
    pub http: reqwest::Client,
    pub user: String,
    pub password: String,
}

impl Caller {
    pub async fn call(&self, method: &str, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "post" => self.http.post(url).form(form),
            "delete" => self.http.delete(url),
            _ => self.http.get(url).query(form),
        };
        let response = request
            .basic_auth(&self.user, Some(&self.password))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// Calls every operation in `calls` (OpenAPI path, method, emulator path, form), checks each
/// answer against `spec`, and returns the answers for the next calls' paths.
pub struct Run<'a> {
    pub spec: &'a Spec,
    pub caller: &'a Caller,
    pub problems: Vec<String>,
    pub checked: usize,
}

impl Run<'_> {
    pub async fn call(
        &mut self,
        template: &str,
        method: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> Value {
        let (status, body) = self.caller.call(method, path, form).await;
        assert!(
            status == 200 || status == 201,
            "{method} {path}: {status} {body}"
        );
        self.check(template, method, status, &body, path);
        body
    }

    pub fn check(&mut self, template: &str, method: &str, status: u16, body: &Value, path: &str) {
        let schema = self.spec.response_schema(template, method, status);
        self.spec.check(
            schema,
            body,
            &format!("{} {method} {path}", self.spec.name),
            &mut self.problems,
        );
        self.checked += 1;
    }
}

/// The descriptions' folder, or `None` (and a note) when the test should pass without them.
pub fn openapi_dir_or_skip() -> Option<PathBuf> {
    let dir = openapi_dir();
    if dir.is_none() {
        let wanted = "shared/reference/openapi/ beside the workspace (../shared from its root)";
        if std::env::var("IVR_TEST_REQUIRE_OPENAPI").as_deref() == Ok("1") {
            panic!("Twilio's OpenAPI descriptions are required (IVR_TEST_REQUIRE_OPENAPI=1) but were not found in {wanted}");
        }
        eprintln!("skipped: Twilio's OpenAPI descriptions are not in {wanted}; set IVR_TEST_REQUIRE_OPENAPI=1 to fail instead");
    }
    dir
}
