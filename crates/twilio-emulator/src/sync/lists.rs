//! Sync Lists (`/v1/Services/{ServiceSid}/Lists`): create with `UniqueName` and a TTL, fetch,
//! update (the TTL) and delete by SID or unique name, list.
//!
//! | check | error |
//! |---|---|
//! | `UniqueName` over 320 characters or shaped like a SID | 400/54302 |
//! | `UniqueName` taken in the Service | 409/54301 |
//! | `Ttl`/`CollectionTtl` not 0..=31,536,000 | 400/54011 |
//! | no such Service or List | 404/20404 |

use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use twilio_wire::sid::new_sid;
use twilio_wire::time::iso8601;

use crate::rest::error::ApiError;
use crate::rest::paging::{v1_page_json, PageRequest};
use crate::rest::v1::{created, deleted, ok, V1Request};

use super::store::{SyncData, SyncList};
use super::ttl::Expiry;
use super::{SyncState, MAX_PAGE_SIZE};

/// The longest `UniqueName` of a List.
const MAX_UNIQUE_NAME_CHARS: usize = 320;

/// The account's List `list` (SID or unique name) in its Service `service`, or 404/20404.
pub fn find<'a>(
    data: &'a mut SyncData,
    request: &V1Request,
    service: &str,
    list: &str,
) -> Result<&'a mut SyncList, ApiError> {
    if data.service(&request.account_sid, service).is_none() {
        return Err(request.not_found());
    }
    data.list_mut(service, list)
        .ok_or_else(|| request.not_found())
}

/// `POST /v1/Services/{ServiceSid}/Lists`.
pub fn create(state: &SyncState, request: &V1Request, service: &str) -> Result<Response, ApiError> {
    let unique_name = request.params.get("UniqueName").map(str::to_string);
    if let Some(name) = &unique_name {
        check_unique_name(name)?;
    }
    let now = state.clock.now();
    let mut date_expires = None;
    Expiry::from_params(&request.params, "CollectionTtl", Some("Ttl"), now)?
        .apply(&mut date_expires);
    let list = state.store.at(now, |data| {
        if data.service(&request.account_sid, service).is_none() {
            return Err(request.not_found());
        }
        if let Some(name) = &unique_name {
            if data.list_mut(service, name).is_some() {
                return Err(ApiError::conflict(54301, "Unique name already exists"));
            }
        }
        let list = SyncList {
            sid: new_sid("ES"),
            account_sid: request.account_sid.clone(),
            service_sid: service.to_string(),
            unique_name,
            revision: 0,
            date_expires,
            date_created: now,
            date_updated: now,
            items: Default::default(),
            next_index: 0,
        };
        data.lists.push(list.clone());
        Ok(list)
    })?;
    Ok(created(list_json(&list, request)))
}

/// `GET /v1/Services/{ServiceSid}/Lists/{Sid}`.
pub fn fetch(
    state: &SyncState,
    request: &V1Request,
    service: &str,
    list: &str,
) -> Result<Response, ApiError> {
    let list = state.store.at(state.clock.now(), |data| {
        find(data, request, service, list).map(|list| list.clone())
    })?;
    Ok(ok(list_json(&list, request)))
}

/// `POST /v1/Services/{ServiceSid}/Lists/{Sid}`: a new TTL, counted from now.
pub fn update(
    state: &SyncState,
    request: &V1Request,
    service: &str,
    list: &str,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let expiry = Expiry::from_params(&request.params, "CollectionTtl", Some("Ttl"), now)?;
    let list = state.store.at(now, |data| {
        find(data, request, service, list).map(|list| {
            expiry.apply(&mut list.date_expires);
            list.revision += 1;
            list.date_updated = now;
            list.clone()
        })
    })?;
    Ok(ok(list_json(&list, request)))
}

/// `DELETE /v1/Services/{ServiceSid}/Lists/{Sid}`: the List and its Items.
pub fn delete(
    state: &SyncState,
    request: &V1Request,
    service: &str,
    list: &str,
) -> Result<Response, ApiError> {
    state.store.at(state.clock.now(), |data| {
        let sid = find(data, request, service, list)?.sid.clone();
        data.lists.retain(|l| l.sid != sid);
        Ok(deleted())
    })
}

/// `GET /v1/Services/{ServiceSid}/Lists`: oldest first, paged.
pub fn list(state: &SyncState, request: &V1Request, service: &str) -> Result<Response, ApiError> {
    let paging = PageRequest::with_max(&request.params, MAX_PAGE_SIZE)?;
    let lists = state.store.at(state.clock.now(), |data| {
        if data.service(&request.account_sid, service).is_none() {
            return Err(request.not_found());
        }
        Ok(data
            .lists
            .iter()
            .filter(|l| l.service_sid == service)
            .cloned()
            .collect::<Vec<_>>())
    })?;
    Ok(ok(v1_page_json(
        &lists,
        |l| l.sid.clone(),
        |l| list_json(l, request),
        &paging,
        &request.url(&format!("/Services/{service}/Lists")),
        &[],
        "lists",
    )))
}

/// 400/54302 unless `name` can name a List: 1 to 320 characters, not shaped like a SID (which
/// would make a path ambiguous).
fn check_unique_name(name: &str) -> Result<(), ApiError> {
    let sid_like = name.len() == 34
        && name[..2].chars().all(|c| c.is_ascii_uppercase())
        && name[2..]
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
    if sid_like || name.chars().count() > MAX_UNIQUE_NAME_CHARS {
        return Err(ApiError::bad_request(
            54302,
            format!(
                "Invalid unique name: it must be 1 to {MAX_UNIQUE_NAME_CHARS} characters and not \
                 look like a SID: {name}"
            ),
        ));
    }
    Ok(())
}

/// The URL of the List `sid` in `service`.
pub fn list_url(request: &V1Request, service: &str, sid: &str) -> String {
    request.url(&format!("/Services/{service}/Lists/{sid}"))
}

/// An optional time as the v1 APIs show it.
pub fn optional_date(date: Option<DateTime<Utc>>) -> Value {
    date.map_or(Value::Null, |at| Value::from(iso8601(at)))
}

/// A List as `sync.v1.service.sync_list`.
fn list_json(list: &SyncList, request: &V1Request) -> Value {
    let url = list_url(request, &list.service_sid, &list.sid);
    json!({
        "sid": list.sid,
        "unique_name": list.unique_name,
        "account_sid": list.account_sid,
        "service_sid": list.service_sid,
        "url": url,
        "links": {
            "items": format!("{url}/Items"),
            "permissions": format!("{url}/Permissions"),
        },
        "revision": list.revision.to_string(),
        "date_expires": optional_date(list.date_expires),
        "date_created": iso8601(list.date_created),
        "date_updated": iso8601(list.date_updated),
        "created_by": "system",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_must_not_look_like_sids() {
        assert!(check_unique_name("call-CA0123").is_ok());
        assert!(check_unique_name(&"x".repeat(320)).is_ok());
        for bad in [
            "ES0123456789abcdef0123456789abcdef".to_string(),
            "x".repeat(321),
        ] {
            assert_eq!(check_unique_name(&bad).unwrap_err().envelope.code, 54302);
        }
        // Upper-case hex is not Twilio's SID shape, so it names a List.
        assert!(check_unique_name("ES0123456789ABCDEF0123456789ABCDEF").is_ok());
    }
}
