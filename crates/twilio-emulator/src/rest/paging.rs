//! Twilio's list paging: `PageSize` (default 50, max 1000), `Page`, `PageToken`, and the page
//! envelope (`first_page_uri`, `next_page_uri`, ... all relative to the host root).
//!
//! `PageToken` is `PA<sid>` (the page after that item) or `PB<sid>` (the page before it), as
//! Twilio's tokens are; anchoring on an item keeps a client that follows `next_page_uri` from
//! seeing an item twice when new ones arrive at the front of a newest-first list.

use serde_json::{Map, Value};

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
    /// Reads `PageSize`, `Page` and `PageToken`.
    pub fn from_params(params: &Params) -> Result<PageRequest, ApiError> {
        let number = |name: &str, default: usize| -> Result<usize, ApiError> {
            match params.get(name) {
                None => Ok(default),
                Some(text) => text.parse::<usize>().map_err(|_| {
                    ApiError::invalid_parameter(format!("{name} must be a whole number: {text}"))
                }),
            }
        };
        Ok(PageRequest {
            size: number("PageSize", DEFAULT_PAGE_SIZE)?.clamp(1, MAX_PAGE_SIZE),
            page: number("Page", 0)?,
            token: params.get("PageToken").map(str::to_string),
        })
    }
}

/// Builds one page of `items` (already filtered and ordered) as Twilio's list JSON: the page
/// fields plus the items under `key`. `path` is the list's path and `filters` the filter
/// parameters to repeat in every URI.
pub fn page_json<T>(
    items: &[T],
    sid_of: impl Fn(&T) -> &str,
    to_json: impl Fn(&T) -> Value,
    request: &PageRequest,
    path: &str,
    filters: &[(String, String)],
    key: &str,
) -> Value {
    let position = |sid: &str| items.iter().position(|item| sid_of(item) == sid);
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
    let uri = |page: usize, token: Option<String>| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(filters);
        query.append_pair("PageSize", &request.size.to_string());
        query.append_pair("Page", &page.to_string());
        if let Some(token) = token {
            query.append_pair("PageToken", &token);
        }
        Value::String(format!("{path}?{}", query.finish()))
    };
    let next = match shown.last() {
        Some(last) if to < items.len() => {
            uri(request.page + 1, Some(format!("PA{}", sid_of(last))))
        }
        _ => Value::Null,
    };
    let previous = match (request.page, shown.first()) {
        (0, _) => Value::Null,
        (page, Some(first)) => uri(page - 1, Some(format!("PB{}", sid_of(first)))),
        (page, None) => uri(page - 1, None),
    };
    let start = request.page * request.size;
    let mut page = Map::new();
    page.insert("first_page_uri".into(), uri(0, None));
    page.insert("end".into(), (start + shown.len().saturating_sub(1)).into());
    page.insert("previous_page_uri".into(), previous);
    page.insert("uri".into(), uri(request.page, request.token.clone()));
    page.insert("page_size".into(), request.size.into());
    page.insert("start".into(), start.into());
    page.insert("next_page_uri".into(), next);
    page.insert("page".into(), request.page.into());
    page.insert(key.into(), shown.iter().map(to_json).collect());
    Value::Object(page)
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
        let params = Params::decode(b"Page=x").unwrap();
        assert_eq!(
            PageRequest::from_params(&params).unwrap_err().envelope.code,
            20001
        );
    }
}
