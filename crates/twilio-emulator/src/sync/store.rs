//! Sync's records: Services, their Lists and the Lists' Items, behind one lock. Whatever has
//! expired on the emulated clock is gone before any request sees the records, so a TTL ends an
//! object at exactly its `date_expires`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use serde_json::Value;

/// A Sync Service (`IS...`): the container of Lists.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncService {
    /// `IS...`.
    pub sid: String,
    /// The owning account.
    pub account_sid: String,
    /// `FriendlyName`.
    pub friendly_name: Option<String>,
    /// `WebhookUrl`: kept and shown; the emulator calls no Sync webhooks.
    pub webhook_url: Option<String>,
    /// `WebhooksFromRestEnabled`.
    pub webhooks_from_rest_enabled: bool,
    /// `ReachabilityWebhooksEnabled`.
    pub reachability_webhooks_enabled: bool,
    /// `AclEnabled`.
    pub acl_enabled: bool,
    /// `ReachabilityDebouncingEnabled`.
    pub reachability_debouncing_enabled: bool,
    /// `ReachabilityDebouncingWindow`, milliseconds.
    pub reachability_debouncing_window: u32,
    /// Created.
    pub date_created: DateTime<Utc>,
}

/// A Sync List (`ES...`): an ordered collection of JSON items.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncList {
    /// `ES...`.
    pub sid: String,
    /// The owning account.
    pub account_sid: String,
    /// The Service it belongs to.
    pub service_sid: String,
    /// `UniqueName`, an alternative to the SID in paths.
    pub unique_name: Option<String>,
    /// Counts every change to the List and its Items.
    pub revision: u64,
    /// When the List and its Items are deleted (`Ttl`/`CollectionTtl`); `None` never.
    pub date_expires: Option<DateTime<Utc>>,
    /// Created.
    pub date_created: DateTime<Utc>,
    /// Last change to the List or an Item.
    pub date_updated: DateTime<Utc>,
    /// The Items by index.
    pub items: BTreeMap<u64, SyncListItem>,
    /// The index the next Item gets: indexes are never reused, so gaps stay.
    pub next_index: u64,
}

/// One List Item.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncListItem {
    /// Its position, from 0, in the order of creation.
    pub index: u64,
    /// The JSON it stores.
    pub data: Value,
    /// Counts the Item's changes.
    pub revision: u64,
    /// When the Item is deleted (`ItemTtl`/`Ttl`); `None` never.
    pub date_expires: Option<DateTime<Utc>>,
    /// Created.
    pub date_created: DateTime<Utc>,
    /// Last change.
    pub date_updated: DateTime<Utc>,
}

/// Every Sync record.
#[derive(Debug, Default)]
pub struct SyncData {
    /// Services, oldest first.
    pub services: Vec<SyncService>,
    /// Lists of every Service, oldest first.
    pub lists: Vec<SyncList>,
}

impl SyncData {
    /// The account's Service `sid`.
    pub fn service(&self, account_sid: &str, sid: &str) -> Option<&SyncService> {
        self.services
            .iter()
            .find(|s| s.account_sid == account_sid && s.sid == sid)
    }

    /// The List `sid_or_name` of the Service `service_sid`.
    pub fn list_mut(&mut self, service_sid: &str, sid_or_name: &str) -> Option<&mut SyncList> {
        self.lists.iter_mut().find(|l| {
            l.service_sid == service_sid
                && (l.sid == sid_or_name || l.unique_name.as_deref() == Some(sid_or_name))
        })
    }

    /// Removes the Service `sid` and everything in it.
    pub fn remove_service(&mut self, sid: &str) {
        self.services.retain(|s| s.sid != sid);
        self.lists.retain(|l| l.service_sid != sid);
    }

    /// Deletes what expired at or before `now`.
    fn expire(&mut self, now: DateTime<Utc>) {
        let alive = |expires: &Option<DateTime<Utc>>| expires.is_none_or(|at| at > now);
        self.lists.retain(|list| alive(&list.date_expires));
        for list in &mut self.lists {
            list.items.retain(|_, item| alive(&item.date_expires));
        }
    }
}

/// Shared, cheaply cloned handle on the Sync records.
#[derive(Debug, Clone, Default)]
pub struct SyncStore {
    data: Arc<Mutex<SyncData>>,
}

impl SyncStore {
    /// Runs `change` on the records as they are at `now` (expired objects removed), holding
    /// the lock only for that.
    pub fn at<T>(&self, now: DateTime<Utc>, change: impl FnOnce(&mut SyncData) -> T) -> T {
        let mut data = self.lock();
        data.expire(now);
        change(&mut data)
    }

    fn lock(&self) -> MutexGuard<'_, SyncData> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(sid: &str, expires: Option<DateTime<Utc>>) -> SyncList {
        let now = Utc::now();
        SyncList {
            sid: sid.into(),
            account_sid: "AC1".into(),
            service_sid: "IS1".into(),
            unique_name: Some(format!("name-{sid}")),
            revision: 0,
            date_expires: expires,
            date_created: now,
            date_updated: now,
            items: BTreeMap::new(),
            next_index: 0,
        }
    }

    fn item(index: u64, expires: Option<DateTime<Utc>>) -> SyncListItem {
        let now = Utc::now();
        SyncListItem {
            index,
            data: Value::Null,
            revision: 0,
            date_expires: expires,
            date_created: now,
            date_updated: now,
        }
    }

    #[test]
    fn objects_expire_at_their_date_and_not_before() {
        let store = SyncStore::default();
        let now = Utc::now();
        let later = now + chrono::Duration::seconds(10);
        store.at(now, |data| {
            let mut kept = list("ES1", None);
            kept.items.insert(0, item(0, Some(later)));
            kept.items.insert(1, item(1, None));
            data.lists.push(kept);
            data.lists.push(list("ES2", Some(later)));
        });
        let before = store.at(later - chrono::Duration::milliseconds(1), |data| {
            data.lists.iter().map(|l| l.items.len()).collect::<Vec<_>>()
        });
        assert_eq!(before, [2, 0]);
        let at_expiry = store.at(later, |data| {
            let list = data.list_mut("IS1", "name-ES1").map(|l| l.items.len());
            (data.lists.len(), list)
        });
        assert_eq!(at_expiry, (1, Some(1)));
        store.at(later, |data| data.remove_service("IS1"));
        assert_eq!(store.at(later, |data| data.lists.len()), 0);
    }
}
