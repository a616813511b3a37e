//! Sync resources as a relay's reader uses them: the fields it acts on, `null` or missing for
//! anything optional, unknown keys ignored.

use serde::Deserialize;
use serde_json::Value;

/// A Sync Service (`IS...`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct SyncService {
    /// `IS...`.
    pub sid: String,
    /// `FriendlyName`, if given.
    pub friendly_name: Option<String>,
}

/// A Sync List (`ES...`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct SyncList {
    /// `ES...`.
    pub sid: String,
    /// `UniqueName`, if given; an alternative to the SID in paths.
    pub unique_name: Option<String>,
    /// Changes with every change to the List or its Items.
    pub revision: String,
    /// When it expires (ISO 8601), if it has a TTL.
    pub date_expires: Option<String>,
}

/// A Sync List Item.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct SyncListItem {
    /// Its position; indexes grow in the order of creation and are never reused.
    pub index: u64,
    /// The JSON it stores.
    pub data: Value,
    /// Changes with every change to the Item (the `If-Match` value).
    pub revision: String,
    /// When it expires (ISO 8601), if it has a TTL.
    pub date_expires: Option<String>,
}
