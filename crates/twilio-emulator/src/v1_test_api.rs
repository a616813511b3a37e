//! A running emulator and an HTTP client for the v1 APIs' tests (Sync, Serverless): requests
//! with the test account's credentials, answers as status and JSON.

use axum::http::Method;
use serde_json::Value;

use crate::config::EmulatorConfig;
use crate::server::{start, EmulatorOptions, RunningEmulator};

/// The test account.
pub const ACCOUNT: &str = "AC00000000000000000000000000000001";
/// Its token.
pub const TOKEN: &str = "v1-test-token";
/// Another account, which must see none of the first one's resources.
pub const OTHER_ACCOUNT: &str = "AC00000000000000000000000000000002";
/// Its token.
pub const OTHER_TOKEN: &str = "v1-other-token";

/// An emulator on 127.0.0.1:0 and a client for it.
pub struct Api {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    client: reqwest::Client,
    emulator: RunningEmulator,
}

impl Api {
    /// Starts an emulator with both accounts, `time_scale` and whatever `adjust` sets.
    pub async fn start(time_scale: f64, adjust: impl FnOnce(&mut EmulatorConfig)) -> Api {
        let mut config = EmulatorConfig::with_account(ACCOUNT, TOKEN);
        config
            .accounts
            .extend(EmulatorConfig::with_account(OTHER_ACCOUNT, OTHER_TOKEN).accounts);
        adjust(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let options = EmulatorOptions {
            time_scale: Some(time_scale),
            ..EmulatorOptions::default()
        };
        let emulator = start(listener, config, options).await.unwrap();
        Api {
            base: emulator.base_url.clone(),
            client: reqwest::Client::new(),
            emulator,
        }
    }

    /// Sends `form` (as the body of a POST, else the query) to `path` as `account`.
    pub async fn send_as(
        &self,
        (account, token): (&str, &str),
        method: Method,
        path: &str,
        form: &[(&str, &str)],
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let request = if method == Method::POST {
            self.client.post(url).form(form)
        } else {
            self.client.request(method, url).query(form)
        };
        let response = request
            .basic_auth(account, Some(token))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// As [`send_as`](Self::send_as) with the test account.
    pub async fn send(&self, method: Method, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        self.send_as((ACCOUNT, TOKEN), method, path, form).await
    }

    /// POSTs `form`; asserts 201 and returns the resource.
    pub async fn create(&self, path: &str, form: &[(&str, &str)]) -> Value {
        let (status, body) = self.send(Method::POST, path, form).await;
        assert_eq!(status, 201, "POST {path}: {body}");
        body
    }

    /// GETs `path`; asserts 200 and returns the body.
    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.send(Method::GET, path, &[]).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// The path of an absolute `url` the emulator answered with (asserting it is the emulator's).
    pub fn path_of(&self, url: &Value) -> String {
        let url = url.as_str().unwrap_or_else(|| panic!("not a URL: {url}"));
        url.strip_prefix(&self.base)
            .unwrap_or_else(|| panic!("{url} is not under {}", self.base))
            .to_string()
    }

    /// Stops the emulator.
    pub async fn stop(self) {
        self.emulator.stop().await;
    }
}

/// Asserts a Twilio error answer: its status, code and envelope.
pub fn assert_error(answer: &(u16, Value), status: u16, code: u64) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(
        body["more_info"],
        format!("https://www.twilio.com/docs/errors/{code}")
    );
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
}
