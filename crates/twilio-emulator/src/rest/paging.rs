//! Twilio's list paging: `PageSize` (default 50, max 1000), `Page`, `PageToken`, and the page
//! envelopes: the 2010-04-01 API's (`first_page_uri`, `next_page_uri`, ... all relative to the
//! host root) and the v1 APIs' (`meta` with absolute `first_page_url`, `next_page_url`, ...).
//!
//! `PageToken` is `PA<sid>` (the page after that item) or `PB<sid>` (the page before it), as
//! Twilio's tokens are; anchoring on an item keeps a client that follows `next_page_uri` from
//! seeing an item twice when new ones arrive at the front of a newest-first list.

use serde_json::{json, Map, Value};

use super::error::ApiError;
use super::params::Params;

/// Items per page when `PageSize` is absent.
pub const DEFAULT_PAGE_SIZE: usize = 50;
/// The largest `PageSize`; larger values are clamped to it.
pub const MAX_PAGE_SIZE: usize = 1000;

/// The paging parameters of a list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// `PageSize`.
    pub size: usize,
    /// `Page` (from 0).
    pub page: usize,
    /// `PageToken`.
    pub token: Option<String>,
}

impl PageRequest {
    /// Reads `PageSize` (at most [`MAX_PAGE_SIZE`]), `Page` and `PageToken`.
    pub fn from_params(params: &Params) -> Result<PageRequest, ApiError> {
        PageRequest::with_max(params, MAX_PAGE_SIZE)
    }

    /// As [`from_params`](Self::from_params), for a list whose pages hold at most `max_size`
    /// (Sync's hold 100).
    pub fn with_max(params: &Params, max_size: usize) -> Result<PageRequest, ApiError> {
        let number = |name: &str, default: usize| -> Result<usize, ApiError> {
            match params.get(name) {
                None => Ok(default),
                Some(text) => text.parse::<usize>().map_err(|_| {
                    ApiError::invalid_parameter(format!("{name} must be a whole number: {text}"))
                }),
            }
        };
        Ok(PageRequest {
            size: number("PageSize", DEFAULT_PAGE_SIZE)?.clamp(1, max_size),
            page: number("Page", 0)?,
            token: params.get("PageToken").map(str::to_string),
        })
    }
}

/// One page of a list, with the links both envelopes show.
struct Page<'a, T> {
    shown: &'a [T],
    /// The index of the first shown item in the whole list, as `Page * PageSize`.
    start: usize,
    first: Value,
    this: Value,
    next: Value,
    previous: Value,
}

/// Cuts one page out of `items` (already filtered and ordered). `list_url` is the list's path
/// (2010-04-01) or absolute URL (v1) and `filters` the filter parameters every link repeats.
fn page<'a, T>(
    items: &'a [T],
    key_of: impl Fn(&T) -> String,
    request: &PageRequest,
    list_url: &str,
    filters: &[(String, String)],
) -> Page<'a, T> {
    let position = |key: &str| items.iter().position(|item| key_of(item) == key);
    let by_page = (request.page * request.size).min(items.len());
    let (from, to) = match request.token.as_deref() {
        Some(token) if token.starts_with("PA") => {
            let from = position(&token[2..]).map_or(by_page, |i| i + 1);
            (from, (from + request.size).min(items.len()))
        }
        Some(token) if token.starts_with("PB") => {
            let to = position(&token[2..]).unwrap_or(by_page);
            (to.saturating_sub(request.size), to)
        }
        _ => (by_page, (by_page + request.size).min(items.len())),
    };
    let shown = &items[from..to];
    let link = |page: usize, token: Option<String>| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(filters);
        query.append_pair("PageSize", &request.size.to_string());
        query.append_pair("Page", &page.to_string());
        if let Some(token) = token {
            query.append_pair("PageToken", &token);
        }
        Value::String(format!("{list_url}?{}", query.finish()))
    };
    let next = match shown.last() {
        Some(last) if to < items.len() => {
            link(request.page + 1, Some(format!("PA{}", key_of(last))))
        }
        _ => Value::Null,
    };
    let previous = match (request.page, shown.first()) {
        (0, _) => Value::Null,
        (page, Some(first)) => link(page - 1, Some(format!("PB{}", key_of(first)))),
        (page, None) => link(page - 1, None),
    };
    Page {
        shown,
        start: request.page * request.size,
        first: link(0, None),
        this: link(request.page, request.token.clone()),
        next,
        previous,
    }
}

/// Builds one page of `items` (already filtered and ordered) as the 2010-04-01 API's list
/// JSON: the page fields plus the items under `key`. `path` is the list's path and `filters`
/// the filter parameters to repeat in every URI.
pub fn page_json<T>(
    items: &[T],
    sid_of: impl Fn(&T) -> &str,
    to_json: impl Fn(&T) -> Value,
    request: &PageRequest,
    path: &str,
    filters: &[(String, String)],
    key: &str,
) -> Value {
    let page = page(
        items,
        |item| sid_of(item).to_string(),
        request,
        path,
        filters,
    );
    let mut body = Map::new();
    body.insert("first_page_uri".into(), page.first);
    let end = page.start + page.shown.len().saturating_sub(1);
    body.insert("end".into(), end.into());
    body.insert("previous_page_uri".into(), page.previous);
    body.insert("uri".into(), page.this);
    body.insert("page_size".into(), request.size.into());
    body.insert("start".into(), page.start.into());
    body.insert("next_page_uri".into(), page.next);
    body.insert("page".into(), request.page.into());
    body.insert(key.into(), page.shown.iter().map(to_json).collect());
    Value::Object(body)
}

/// Builds one page of `items` as the v1 APIs' list JSON (Serverless, Sync): the items under
/// `key` and a `meta` object whose links are absolute URLs from `list_url`. `key_of` names an
/// item in a page token (its SID, or a List Item's index).
pub fn v1_page_json<T>(
    items: &[T],
    key_of: impl Fn(&T) -> String,
    to_json: impl Fn(&T) -> Value,
    request: &PageRequest,
    list_url: &str,
    filters: &[(String, String)],
    key: &str,
) -> Value {
    let page = page(items, key_of, request, list_url, filters);
    let meta = json!({
        "page": request.page,
        "page_size": request.size,
        "first_page_url": page.first,
        "previous_page_url": page.previous,
        "url": page.this,
        "next_page_url": page.next,
        "key": key,
    });
    let mut body = Map::new();
    body.insert(key.into(), page.shown.iter().map(to_json).collect());
    body.insert("meta".into(), meta);
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: &[&str], request: &PageRequest) -> Value {
        let filters = [("To".to_string(), "+1555".to_string())];
        page_json(
            items,
            |s| s,
            |s| Value::from(*s),
            request,
            "/L.json",
            &filters,
            "items",
        )
    }

    fn request(size: usize, page: usize, token: Option<&str>) -> PageRequest {
        PageRequest {
            size,
            page,
            token: token.map(str::to_string),
        }
    }

    #[test]
    fn pages_link_forward_and_back() {
        let items = ["a", "b", "c", "d", "e"];
        let first = page(&items, &request(2, 0, None));
        assert_eq!(first["items"], serde_json::json!(["a", "b"]));
        assert_eq!(
            first["first_page_uri"],
            "/L.json?To=%2B1555&PageSize=2&Page=0"
        );
        assert_eq!(
            first["next_page_uri"],
            "/L.json?To=%2B1555&PageSize=2&Page=1&PageToken=PAb"
        );
        assert_eq!(first["previous_page_uri"], Value::Null);
        assert_eq!(
            (first["start"].clone(), first["end"].clone()),
            (0.into(), 1.into())
        );
        let third = page(&items, &request(2, 2, Some("PAd")));
        assert_eq!(third["items"], serde_json::json!(["e"]));
        assert_eq!(third["next_page_uri"], Value::Null);
        assert_eq!(
            third["previous_page_uri"],
            "/L.json?To=%2B1555&PageSize=2&Page=1&PageToken=PBe"
        );
        assert_eq!(
            (third["start"].clone(), third["end"].clone()),
            (4.into(), 4.into())
        );
        let back = page(&items, &request(2, 1, Some("PBe")));
        assert_eq!(back["items"], serde_json::json!(["c", "d"]));
        let beyond = page(&items, &request(2, 9, None));
        assert_eq!(beyond["items"], serde_json::json!([]));
    }

    #[test]
    fn a_token_anchors_on_its_item_when_items_arrive_in_front() {
        let grown = ["new", "a", "b", "c"];
        let second = page(&grown, &request(2, 1, Some("PAb")));
        assert_eq!(second["items"], serde_json::json!(["c"]));
    }

    #[test]
    fn v1_pages_have_meta_with_absolute_links() {
        let items = [7u64, 8, 9];
        let filters = [("Order".to_string(), "asc".to_string())];
        let url = "http://h/sync/v1/Services/IS1/Lists/ES1/Items";
        let first = v1_page_json(
            &items,
            u64::to_string,
            |i| Value::from(*i),
            &request(2, 0, None),
            url,
            &filters,
            "items",
        );
        assert_eq!(first["items"], serde_json::json!([7, 8]));
        let meta = &first["meta"];
        assert_eq!(meta["key"], "items");
        assert_eq!(
            (meta["page"].clone(), meta["page_size"].clone()),
            (0.into(), 2.into())
        );
        assert_eq!(meta["url"], format!("{url}?Order=asc&PageSize=2&Page=0"));
        assert_eq!(meta["first_page_url"], meta["url"]);
        assert_eq!(meta["previous_page_url"], Value::Null);
        assert_eq!(
            meta["next_page_url"],
            format!("{url}?Order=asc&PageSize=2&Page=1&PageToken=PA8")
        );
        let second = v1_page_json(
            &items,
            u64::to_string,
            |i| Value::from(*i),
            &request(2, 1, Some("PA8")),
            url,
            &filters,
            "items",
        );
        assert_eq!(second["items"], serde_json::json!([9]));
        assert_eq!(second["meta"]["next_page_url"], Value::Null);
        assert_eq!(
            second["meta"]["previous_page_url"],
            format!("{url}?Order=asc&PageSize=2&Page=0&PageToken=PB9")
        );
    }

    #[test]
    fn page_size_defaults_and_clamps() {
        let params = Params::decode(b"PageSize=5000").unwrap();
        assert_eq!(
            PageRequest::from_params(&params).unwrap().size,
            MAX_PAGE_SIZE
        );
        let params = Params::decode(b"").unwrap();
        assert_eq!(
            PageRequest::from_params(&params).unwrap(),
            request(50, 0, None)
        );
        let params = Params::decode(b"PageSize=500").unwrap();
        assert_eq!(PageRequest::with_max(&params, 100).unwrap().size, 100);
        let params = Params::decode(b"Page=x").unwrap();
        assert_eq!(
            PageRequest::from_params(&params).unwrap_err().envelope.code,
            20001
        );
    }
}
