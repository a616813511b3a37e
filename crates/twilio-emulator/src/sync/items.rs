//! Sync List Items (`/v1/Services/{ServiceSid}/Lists/{ListSid}/Items`): append with `Data`
//! and a TTL, read in index order (`Order`, `From`, `Bounds`, paging), fetch, update and
//! delete by index (with `If-Match` on the revision).
//!
//! | check | error |
//! |---|---|
//! | `Data` missing | 400/54156 |
//! | `Data` not JSON | 400/54008 |
//! | `Data` over 16 KiB | 413/54006 |
//! | `ItemTtl`/`Ttl`/`CollectionTtl` not 0..=31,536,000 | 400/54011 |
//! | an index that is not a whole number | 400/54458 |
//! | `If-Match` not the item's revision | 412/54155 |
//! | `Order`, `Bounds` or `From` not Twilio's values | 400/20001 |
//! | no such Service, List or Item | 404/20404 |

use axum::http::header::IF_MATCH;
use axum::response::Response;
use serde_json::{json, Value};

use twilio_wire::time::iso8601;

use crate::rest::error::ApiError;
use crate::rest::paging::{v1_page_json, PageRequest};
use crate::rest::v1::{created, deleted, ok, V1Request};

use super::lists::{find, list_url, optional_date};
use super::store::{SyncList, SyncListItem};
use super::ttl::Expiry;
use super::{SyncState, MAX_PAGE_SIZE};

/// The largest `Data`, in bytes of its JSON text.
pub const MAX_DATA_BYTES: usize = 16 * 1024;

/// `POST .../Items`: appends an Item at the next index.
pub fn create(
    state: &SyncState,
    request: &V1Request,
    service: &str,
    list: &str,
) -> Result<Response, ApiError> {
    let text = request.params.get("Data").ok_or_else(|| {
        ApiError::bad_request(
            54156,
            "Invalid List Item data: the 'Data' parameter is required",
        )
    })?;
    let data = parse_data(text)?;
    let now = state.clock.now();
    let mut item_expires = None;
    Expiry::from_params(&request.params, "ItemTtl", Some("Ttl"), now)?.apply(&mut item_expires);
    let list_expiry = Expiry::from_params(&request.params, "CollectionTtl", None, now)?;
    let (list_sid, item) = state.store.at(now, |data_store| {
        let list = find(data_store, request, service, list)?;
        let item = SyncListItem {
            index: list.next_index,
            data,
            revision: 0,
            date_expires: item_expires,
            date_created: now,
            date_updated: now,
        };
        list.items.insert(item.index, item.clone());
        list.next_index += 1;
        changed(list, list_expiry, now);
        Ok((list.sid.clone(), item))
    })?;
    Ok(created(item_json(&item, &list_sid, service, request)))
}

/// `GET .../Items`: in index order (`Order=asc`, the default, or `desc`), starting at `From`
/// (`Bounds=inclusive`, the default, or `exclusive`), paged (at most 100 a page).
pub fn list(
    state: &SyncState,
    request: &V1Request,
    service: &str,
    list: &str,
) -> Result<Response, ApiError> {
    let paging = PageRequest::with_max(&request.params, MAX_PAGE_SIZE)?;
    let query = ItemQuery::from_request(request)?;
    let (list_sid, items) = state.store.at(state.clock.now(), |data| {
        let list = find(data, request, service, list)?;
        let mut items: Vec<SyncListItem> = list
            .items
            .values()
            .filter(|item| query.admits(item.index))
            .cloned()
            .collect();
        if query.descending {
            items.reverse();
        }
        Ok((list.sid.clone(), items))
    })?;
    Ok(ok(v1_page_json(
        &items,
        |item| item.index.to_string(),
        |item| item_json(item, &list_sid, service, request),
        &paging,
        &format!("{}/Items", list_url(request, service, &list_sid)),
        &query.filters,
        "items",
    )))
}

/// `GET .../Items/{Index}`.
pub fn fetch(
    state: &SyncState,
    request: &V1Request,
    service: &str,
    list: &str,
    index: &str,
) -> Result<Response, ApiError> {
    let index = parse_index(index)?;
    let (list_sid, item) = state.store.at(state.clock.now(), |data| {
        let list = find(data, request, service, list)?;
        let item = list.items.get(&index).cloned();
        Ok((list.sid.clone(), item.ok_or_else(|| request.not_found())?))
    })?;
    Ok(ok(item_json(&item, &list_sid, service, request)))
}

/// `POST .../Items/{Index}`: new `Data` and/or TTLs.
pub fn update(
    state: &SyncState,
    request: &V1Request,
    service: &str,
    list: &str,
    index: &str,
) -> Result<Response, ApiError> {
    let index = parse_index(index)?;
    let data = request.params.get("Data").map(parse_data).transpose()?;
    let now = state.clock.now();
    let item_expiry = Expiry::from_params(&request.params, "ItemTtl", Some("Ttl"), now)?;
    let list_expiry = Expiry::from_params(&request.params, "CollectionTtl", None, now)?;
    let (list_sid, item) = state.store.at(now, |store| {
        let list = find(store, request, service, list)?;
        let item = list
            .items
            .get_mut(&index)
            .ok_or_else(|| request.not_found())?;
        check_revision(request, item)?;
        if let Some(data) = data {
            item.data = data;
        }
        item_expiry.apply(&mut item.date_expires);
        item.revision += 1;
        item.date_updated = now;
        let item = item.clone();
        changed(list, list_expiry, now);
        Ok((list.sid.clone(), item))
    })?;
    Ok(ok(item_json(&item, &list_sid, service, request)))
}

/// `DELETE .../Items/{Index}`: its index is never used again.
pub fn delete(
    state: &SyncState,
    request: &V1Request,
    service: &str,
    list: &str,
    index: &str,
) -> Result<Response, ApiError> {
    let index = parse_index(index)?;
    let now = state.clock.now();
    state.store.at(now, |store| {
        let list = find(store, request, service, list)?;
        let item = list.items.get(&index).ok_or_else(|| request.not_found())?;
        check_revision(request, item)?;
        list.items.remove(&index);
        changed(list, Expiry::Unchanged, now);
        Ok(deleted())
    })
}

/// Which Items a read returns, and the filter parameters its page links repeat.
struct ItemQuery {
    descending: bool,
    from: Option<u64>,
    inclusive: bool,
    filters: Vec<(String, String)>,
}

impl ItemQuery {
    fn from_request(request: &V1Request) -> Result<ItemQuery, ApiError> {
        let params = &request.params;
        let one_of = |name: &str, values: [&str; 2]| match params.get(name) {
            None => Ok(None),
            Some(value) if values.contains(&value) => Ok(Some(value.to_string())),
            Some(value) => Err(ApiError::invalid_parameter(format!(
                "{name} must be {} or {}, not {value}",
                values[0], values[1]
            ))),
        };
        let order = one_of("Order", ["asc", "desc"])?;
        let bounds = one_of("Bounds", ["inclusive", "exclusive"])?;
        let from = match params.get("From") {
            None => None,
            Some(text) => Some(text.parse::<u64>().map_err(|_| {
                ApiError::invalid_parameter(format!("From must be an item index, not {text}"))
            })?),
        };
        let filters = [
            ("From", from.map(|i| i.to_string())),
            ("Bounds", bounds.clone()),
            ("Order", order.clone()),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name.to_string(), v)))
        .collect();
        Ok(ItemQuery {
            descending: order.as_deref() == Some("desc"),
            from,
            inclusive: bounds.as_deref() != Some("exclusive"),
            filters,
        })
    }

    /// Whether the item at `index` is at or past `From` in the read's order.
    fn admits(&self, index: u64) -> bool {
        let Some(from) = self.from else {
            return true;
        };
        match (self.descending, self.inclusive) {
            (false, true) => index >= from,
            (false, false) => index > from,
            (true, true) => index <= from,
            (true, false) => index < from,
        }
    }
}

/// Records a change of the List (a new revision, a new TTL if asked).
fn changed(list: &mut SyncList, expiry: Expiry, now: chrono::DateTime<chrono::Utc>) {
    expiry.apply(&mut list.date_expires);
    list.revision += 1;
    list.date_updated = now;
}

/// `Data` as JSON: 400/54008 if it is not, 413/54006 above 16 KiB.
fn parse_data(text: &str) -> Result<Value, ApiError> {
    if text.len() > MAX_DATA_BYTES {
        return Err(ApiError::new(
            413,
            54006,
            format!(
                "Request entity too large: Data is {} bytes, at most {MAX_DATA_BYTES} are stored",
                text.len()
            ),
        ));
    }
    serde_json::from_str(text)
        .map_err(|e| ApiError::bad_request(54008, format!("Invalid JSON in Data: {e}")))
}

/// An index from the path, or 400/54458.
fn parse_index(text: &str) -> Result<u64, ApiError> {
    text.parse().map_err(|_| {
        ApiError::bad_request(
            54458,
            format!("Invalid List Item index: it must be a non-negative integer, not {text}"),
        )
    })
}

/// 412/54155 when `If-Match` names another revision than the item's.
fn check_revision(request: &V1Request, item: &SyncListItem) -> Result<(), ApiError> {
    let expected = request
        .headers
        .get(IF_MATCH)
        .and_then(|value| value.to_str().ok());
    match expected {
        Some(revision) if revision.trim_matches('"') != item.revision.to_string() => {
            Err(ApiError::new(
                412,
                54155,
                format!(
                    "List Item revision mismatch: If-Match is {revision}, the item is at {}",
                    item.revision
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// An Item as `sync.v1.service.sync_list.sync_list_item`.
fn item_json(item: &SyncListItem, list_sid: &str, service: &str, request: &V1Request) -> Value {
    json!({
        "index": item.index,
        "account_sid": request.account_sid,
        "service_sid": service,
        "list_sid": list_sid,
        "url": format!("{}/Items/{}", list_url(request, service, list_sid), item.index),
        "revision": item.revision.to_string(),
        "data": item.data,
        "date_expires": optional_date(item.date_expires),
        "date_created": iso8601(item.date_created),
        "date_updated": iso8601(item.date_updated),
        "created_by": "system",
    })
}
