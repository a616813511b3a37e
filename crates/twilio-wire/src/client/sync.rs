//! The Sync API (`sync.twilio.com`): Services, Lists and List Items, as a relay leaves events
//! and a runner reads them.

use serde_json::Value;

use super::{ClientError, Product, SyncList, SyncListItem, SyncService, TwilioClient};

/// Which List Items [`list_sync_list_items`](TwilioClient::list_sync_list_items) returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemQuery {
    /// `Order=desc`: newest first (else oldest first).
    pub descending: bool,
    /// `From`: the first index to return.
    pub from: Option<u64>,
    /// `Bounds=exclusive`: start after `from` rather than at it.
    pub exclusive: bool,
    /// `PageSize` (Twilio: 50, at most 100).
    pub page_size: Option<u32>,
    /// The most pages to follow ([`DEFAULT_MAX_PAGES`](super::DEFAULT_MAX_PAGES) when unset).
    pub max_pages: Option<u32>,
}

impl ItemQuery {
    pub(super) fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        if let Some(from) = self.from {
            query.push(("From", from.to_string()));
            let bounds = if self.exclusive {
                "exclusive"
            } else {
                "inclusive"
            };
            query.push(("Bounds", bounds.to_string()));
        }
        let order = if self.descending { "desc" } else { "asc" };
        query.push(("Order", order.to_string()));
        if let Some(size) = self.page_size {
            query.push(("PageSize", size.to_string()));
        }
        query
    }
}

const SYNC: Product = Product::Sync;

impl TwilioClient {
    /// Creates a Sync Service.
    pub async fn create_sync_service(
        &self,
        friendly_name: Option<&str>,
    ) -> Result<SyncService, ClientError> {
        let form: Vec<_> = friendly_name
            .map(|name| ("FriendlyName", name.to_string()))
            .into_iter()
            .collect();
        self.v1_post(SYNC, &["Services"], &form).await
    }

    /// The Sync Service `sid`.
    pub async fn fetch_sync_service(&self, sid: &str) -> Result<SyncService, ClientError> {
        self.v1_fetch(SYNC, &["Services", sid]).await
    }

    /// Every Sync Service of the account.
    pub async fn list_sync_services(&self) -> Result<Vec<SyncService>, ClientError> {
        self.v1_list(SYNC, &["Services"], &[], None).await
    }

    /// Deletes a Sync Service with everything in it.
    pub async fn delete_sync_service(&self, sid: &str) -> Result<(), ClientError> {
        self.v1_delete(SYNC, &["Services", sid]).await
    }

    /// Creates a List, named if `unique_name` is given, deleted with its Items after
    /// `ttl_secs` (never when `None` or 0).
    pub async fn create_sync_list(
        &self,
        service: &str,
        unique_name: Option<&str>,
        ttl_secs: Option<u64>,
    ) -> Result<SyncList, ClientError> {
        let mut form = Vec::new();
        if let Some(name) = unique_name {
            form.push(("UniqueName", name.to_string()));
        }
        if let Some(ttl) = ttl_secs {
            form.push(("Ttl", ttl.to_string()));
        }
        self.v1_post(SYNC, &["Services", service, "Lists"], &form)
            .await
    }

    /// The List `sid_or_name` (SID or unique name).
    pub async fn fetch_sync_list(
        &self,
        service: &str,
        sid_or_name: &str,
    ) -> Result<SyncList, ClientError> {
        self.v1_fetch(SYNC, &["Services", service, "Lists", sid_or_name])
            .await
    }

    /// Deletes a List with its Items.
    pub async fn delete_sync_list(
        &self,
        service: &str,
        sid_or_name: &str,
    ) -> Result<(), ClientError> {
        self.v1_delete(SYNC, &["Services", service, "Lists", sid_or_name])
            .await
    }

    /// Appends an Item holding `data`, deleted after `item_ttl_secs` (never when `None`).
    pub async fn create_sync_list_item(
        &self,
        service: &str,
        list: &str,
        data: &Value,
        item_ttl_secs: Option<u64>,
    ) -> Result<SyncListItem, ClientError> {
        let mut form = vec![("Data", data.to_string())];
        if let Some(ttl) = item_ttl_secs {
            form.push(("ItemTtl", ttl.to_string()));
        }
        self.v1_post(SYNC, &["Services", service, "Lists", list, "Items"], &form)
            .await
    }

    /// The Items `query` selects, in index order, every page followed.
    pub async fn list_sync_list_items(
        &self,
        service: &str,
        list: &str,
        query: &ItemQuery,
    ) -> Result<Vec<SyncListItem>, ClientError> {
        let path = ["Services", service, "Lists", list, "Items"];
        self.v1_list(SYNC, &path, &query.query(), query.max_pages)
            .await
    }

    /// The Item at `index`.
    pub async fn fetch_sync_list_item(
        &self,
        service: &str,
        list: &str,
        index: u64,
    ) -> Result<SyncListItem, ClientError> {
        let index = index.to_string();
        self.v1_fetch(SYNC, &["Services", service, "Lists", list, "Items", &index])
            .await
    }

    /// Replaces the data of the Item at `index`.
    pub async fn update_sync_list_item(
        &self,
        service: &str,
        list: &str,
        index: u64,
        data: &Value,
    ) -> Result<SyncListItem, ClientError> {
        let index = index.to_string();
        let path = ["Services", service, "Lists", list, "Items", &index];
        self.v1_post(SYNC, &path, &[("Data", data.to_string())])
            .await
    }

    /// Deletes the Item at `index` (its index is never used again).
    pub async fn delete_sync_list_item(
        &self,
        service: &str,
        list: &str,
        index: u64,
    ) -> Result<(), ClientError> {
        let index = index.to_string();
        self.v1_delete(SYNC, &["Services", service, "Lists", list, "Items", &index])
            .await
    }
}
