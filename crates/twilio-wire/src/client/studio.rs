//! The Studio v2 API (`studio.twilio.com`), the part a coverage tool reads: a flow with its
//! definition, the executions created in a time window, and each execution's steps.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::transport::Body;
use super::{ClientError, Product, TwilioClient};

/// A Studio flow (`GET /v2/Flows/{Sid}`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct StudioFlow {
    /// `FW...`.
    pub sid: String,
    /// The flow's name in the Console.
    pub friendly_name: String,
    /// The flow definition (the editor's JSON export).
    pub definition: Value,
    /// `draft` or `published`.
    pub status: String,
    /// Its revision number.
    pub revision: u64,
}

/// One run of a flow (`/v2/Flows/{FW}/Executions/{FN}`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct StudioExecution {
    /// `FN...`.
    pub sid: String,
    /// `FW...`.
    pub flow_sid: String,
    /// The caller's number, for a call.
    pub contact_channel_address: String,
    /// The execution's context (`trigger.call.CallSid`, `From`, `To`...).
    pub context: Value,
    /// `active` or `ended`.
    pub status: String,
    /// ISO 8601.
    pub date_created: Option<String>,
}

impl StudioExecution {
    /// When the execution started, if its date reads as ISO 8601.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        let text = self.date_created.as_deref()?;
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}

/// One step of an execution: a widget's event and the widget it led to.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct StudioStep {
    /// `FT...`.
    pub sid: String,
    /// The event (`incomingCall`, `keypress`, `match`...).
    pub name: String,
    /// The widget whose event it was.
    pub transitioned_from: String,
    /// The widget it led to (`Ended` when none).
    pub transitioned_to: String,
    /// What the step knew.
    pub context: Value,
}

const STUDIO: Product = Product::Studio;

impl TwilioClient {
    /// A Studio flow with its definition.
    pub async fn fetch_studio_flow(&self, sid: &str) -> Result<StudioFlow, ClientError> {
        let url = self.versioned_url(STUDIO, "v2", &["Flows", sid])?;
        self.request(Method::GET, url, Body::Empty).await
    }

    /// The flow's executions created between `from` and `to` (inclusive), newest first.
    pub async fn list_studio_executions(
        &self,
        flow_sid: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StudioExecution>, ClientError> {
        let url = self.versioned_url(STUDIO, "v2", &["Flows", flow_sid, "Executions"])?;
        let format = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let query = [
            ("DateCreatedFrom", format(from)),
            ("DateCreatedTo", format(to)),
            ("PageSize", "100".to_string()),
        ];
        self.list_from(STUDIO, url, &query, None).await
    }

    /// Every step of an execution, oldest first.
    pub async fn list_studio_steps(
        &self,
        flow_sid: &str,
        execution_sid: &str,
    ) -> Result<Vec<StudioStep>, ClientError> {
        let url = self.versioned_url(
            STUDIO,
            "v2",
            &["Flows", flow_sid, "Executions", execution_sid, "Steps"],
        )?;
        let query = [("PageSize", "100".to_string())];
        self.list_from(STUDIO, url, &query, None).await
    }
}
