//! The REST API over real HTTP: a router served on `127.0.0.1:0`, a reqwest client, and a
//! recording fake of the call engine (the real engine is tested elsewhere).

mod accounts;
mod auth_and_ledger;
mod create_call;
mod lists;
mod messages;
mod queues;
mod recordings;
mod transcriptions;
mod update_call;

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::clock::Clock;
use crate::config::{AccountConfig, EmulatorConfig, NumberConfig};
use crate::control::CallControl;
use crate::model::{CallRequest, CallStatus, TwimlSource};
use crate::store::Store;

use super::{router, RestState};

/// The account most tests use.
pub const SID: &str = "AC00000000000000000000000000000001";
/// Its token.
pub const TOKEN: &str = "token-one";
/// A second account (the IVR owner in SMS tests).
pub const OTHER_SID: &str = "AC00000000000000000000000000000002";
/// Its token.
pub const OTHER_TOKEN: &str = "token-two";
/// The configured caller id.
pub const CALLER: &str = "+15551230100";
/// The configured IVR number.
pub const IVR: &str = "+15551230001";

/// What the fake engine was asked.
#[derive(Debug, Clone, PartialEq)]
pub enum Asked {
    Start(String, Box<CallRequest>),
    HangUp(String),
    Cancel(String),
    Redirect(String, TwimlSource),
    Dequeue(String, String, TwimlSource),
}

/// A `CallControl` that only records.
#[derive(Default)]
pub struct RecordingControl {
    asked: Mutex<Vec<Asked>>,
}

impl RecordingControl {
    fn push(&self, asked: Asked) {
        self.asked.lock().unwrap().push(asked);
    }
}

impl CallControl for RecordingControl {
    fn start(&self, call_sid: &str, request: CallRequest) {
        self.push(Asked::Start(call_sid.into(), Box::new(request)));
    }
    fn hang_up(&self, call_sid: &str) {
        self.push(Asked::HangUp(call_sid.into()));
    }
    fn cancel(&self, call_sid: &str) {
        self.push(Asked::Cancel(call_sid.into()));
    }
    fn redirect(&self, call_sid: &str, twiml: TwimlSource) {
        self.push(Asked::Redirect(call_sid.into(), twiml));
    }
    fn dequeue(&self, queue_sid: &str, call_sid: &str, twiml: TwimlSource) -> bool {
        self.push(Asked::Dequeue(queue_sid.into(), call_sid.into(), twiml));
        true
    }
}

/// Two accounts, one caller id, one IVR number.
pub fn test_config() -> EmulatorConfig {
    let mut config = EmulatorConfig::with_account(SID, TOKEN);
    config
        .accounts
        .push(AccountConfig::new(OTHER_SID, OTHER_TOKEN));
    config.caller_ids.push(CALLER.into());
    config.numbers.insert(
        IVR.into(),
        NumberConfig {
            voice_url: Some("http://127.0.0.1:9/ivr".into()),
            ..NumberConfig::default()
        },
    );
    config
}

/// A served router and a client for it.
pub struct Emulator {
    pub base: String,
    pub client: reqwest::Client,
    pub control: Arc<RecordingControl>,
    pub store: Store,
}

/// `/2010-04-01/Accounts/{SID}/{resource}`.
pub fn account_path(resource: &str) -> String {
    format!("/2010-04-01/Accounts/{SID}/{resource}")
}

impl Emulator {
    pub async fn start() -> Emulator {
        Emulator::with_config(test_config()).await
    }

    pub async fn with_config(config: EmulatorConfig) -> Emulator {
        let control = Arc::new(RecordingControl::default());
        let store = Store::default();
        let keys = super::keys::KeyRing::from_config(&config, chrono::Utc::now());
        let state = RestState {
            config: Arc::new(config),
            store: store.clone(),
            clock: Clock::new(1.0),
            control: control.clone(),
            keys,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router(state)).await });
        Emulator {
            base,
            client: reqwest::Client::new(),
            control,
            store,
        }
    }

    /// Sends with the main account's credentials; returns status and JSON (Null if none).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.basic_auth(SID, Some(TOKEN)).send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// GET a host-relative path.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.client.get(format!("{}{path}", self.base)))
            .await
    }

    /// POST a form to a host-relative path.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        self.send(self.client.post(format!("{}{path}", self.base)).form(form))
            .await
    }

    /// Creates a call from CALLER to IVR with `extra` parameters; returns its JSON.
    pub async fn create_call(&self, extra: &[(&str, &str)]) -> Value {
        let mut form = vec![
            ("To", IVR),
            ("From", CALLER),
            ("Url", "http://127.0.0.1:9/t"),
        ];
        form.extend_from_slice(extra);
        let (status, body) = self.post(&account_path("Calls.json"), &form).await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// What the fake engine was asked, in order.
    pub fn asked(&self) -> Vec<Asked> {
        self.control.asked.lock().unwrap().clone()
    }

    /// Plays the engine: moves a call to `status`.
    pub fn set_status(&self, sid: &str, status: CallStatus) {
        self.store
            .update_call(sid, |call| call.status = status)
            .unwrap();
    }
}

/// Asserts a Twilio error envelope exactly.
pub fn assert_error(response: &(u16, Value), status: u16, code: u64, message: &str) {
    let (got_status, body) = response;
    assert_eq!(*got_status, status, "{body}");
    let expected = serde_json::json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    });
    assert_eq!(body, &expected);
}

/// A request form, the error code it must give, and the exact message.
pub type ErrorCase<'a> = (Vec<(&'a str, &'a str)>, u64, String);

/// A call's `sid`.
pub fn sid_of(call: &Value) -> String {
    call["sid"].as_str().unwrap().to_string()
}
