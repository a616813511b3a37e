//! The v1 APIs' plumbing (Serverless, Sync): URLs on each product's base (see [`super::base`])
//! and lists read by following `meta.next_page_url`, which must stay within the product.

use std::collections::HashSet;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::transport::Body;
use super::{ClientError, Product, TwilioClient, DEFAULT_MAX_PAGES};

impl TwilioClient {
    /// `<product base>/v1/<segments...>`, or an error naming an empty SID or name.
    pub(super) fn v1_url(&self, product: Product, segments: &[&str]) -> Result<Url, ClientError> {
        self.versioned_url(product, "v1", segments)
    }

    /// `<product base>/<version>/<segments...>` (Studio's version is `v2`).
    pub(super) fn versioned_url(
        &self,
        product: Product,
        version: &str,
        segments: &[&str],
    ) -> Result<Url, ClientError> {
        if segments.iter().any(|segment| segment.trim().is_empty()) {
            return Err(ClientError::InvalidArgument(format!(
                "an empty SID or name in /{version}/{}",
                segments.join("/")
            )));
        }
        let mut path = vec![version];
        path.extend(segments.iter().map(|segment| segment.trim()));
        Ok(self.base.product_url(product, &path))
    }

    /// `GET` of one resource.
    pub(super) async fn v1_fetch<T: DeserializeOwned>(
        &self,
        product: Product,
        segments: &[&str],
    ) -> Result<T, ClientError> {
        let url = self.v1_url(product, segments)?;
        self.request(Method::GET, url, Body::Empty).await
    }

    /// `POST` of `form` (a create or an update); the resource Twilio answers with.
    pub(super) async fn v1_post<T: DeserializeOwned>(
        &self,
        product: Product,
        segments: &[&str],
        form: &[(&'static str, String)],
    ) -> Result<T, ClientError> {
        let url = self.v1_url(product, segments)?;
        self.request(Method::POST, url, Body::Form(form)).await
    }

    /// `DELETE` of one resource (Twilio answers 204 without a body).
    pub(super) async fn v1_delete(
        &self,
        product: Product,
        segments: &[&str],
    ) -> Result<(), ClientError> {
        let url = self.v1_url(product, segments)?;
        self.send(&Method::DELETE, &url, Body::Empty).await?;
        Ok(())
    }

    /// Every resource of a list, following `meta.next_page_url` until it is null, at most
    /// `max_pages` pages ([`DEFAULT_MAX_PAGES`] when `None`); more is an error rather than a
    /// silently shortened list.
    pub(super) async fn v1_list<T: DeserializeOwned>(
        &self,
        product: Product,
        segments: &[&str],
        query: &[(&str, String)],
        max_pages: Option<u32>,
    ) -> Result<Vec<T>, ClientError> {
        let url = self.v1_url(product, segments)?;
        self.list_from(product, url, query, max_pages).await
    }

    /// Every resource of the list at `url` (a v1 or v2 list: both page with `meta`).
    pub(super) async fn list_from<T: DeserializeOwned>(
        &self,
        product: Product,
        mut url: Url,
        query: &[(&str, String)],
        max_pages: Option<u32>,
    ) -> Result<Vec<T>, ClientError> {
        let max_pages = max_pages.unwrap_or(DEFAULT_MAX_PAGES).max(1);
        if !query.is_empty() {
            let encoded = serde_urlencoded::to_string(query).map_err(|e| {
                ClientError::InvalidArgument(format!("cannot encode the query: {e}"))
            })?;
            url.set_query(Some(&encoded));
        }
        let mut seen = HashSet::new();
        let mut resources = Vec::new();
        for _ in 0..max_pages {
            seen.insert(url.to_string());
            let page: Value = self.request(Method::GET, url.clone(), Body::Empty).await?;
            let (items, next) = page_parts::<T>(&page)
                .map_err(|why| ClientError::InvalidResponse(format!("GET {url}: {why}")))?;
            resources.extend(items);
            let Some(next) = next else {
                return Ok(resources);
            };
            url = self
                .base
                .within(product, &next)
                .map_err(|why| ClientError::InvalidResponse(format!("GET {url}: {why}")))?;
            if seen.contains(url.as_str()) {
                return Err(ClientError::InvalidResponse(format!(
                    "GET {url}: paging loops back to a page already read"
                )));
            }
        }
        Err(ClientError::InvalidResponse(format!(
            "GET {url}: more than {max_pages} pages; narrow the query or raise the page bound"
        )))
    }
}

/// A v1 page's resources (under the key `meta.key` names) and its `next_page_url`.
fn page_parts<T: DeserializeOwned>(page: &Value) -> Result<(Vec<T>, Option<String>), String> {
    let meta = page.get("meta").ok_or("the page has no meta")?;
    let key = meta
        .get("key")
        .and_then(Value::as_str)
        .ok_or("the page's meta has no key")?;
    let items = page
        .get(key)
        .cloned()
        .ok_or_else(|| format!("the page has no {key}"))?;
    let items: Vec<T> =
        serde_json::from_value(items).map_err(|e| format!("unexpected {key}: {e}"))?;
    let next = meta
        .get("next_page_url")
        .and_then(Value::as_str)
        .filter(|url| !url.is_empty())
        .map(str::to_string);
    Ok((items, next))
}
