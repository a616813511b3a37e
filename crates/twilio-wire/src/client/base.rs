//! Where each of Twilio's REST APIs lives, from the one base URL a user configures.
//!
//! On Twilio every product has a domain of its own (`api.twilio.com`,
//! `serverless.twilio.com`, `sync.twilio.com`, ...), and `/v1/Services` exists in both
//! Serverless and Sync, so one host cannot tell them apart by path alone. The mapping:
//!
//! | base URL | [`Product::Api`] | any other product, e.g. [`Product::Sync`] |
//! |---|---|---|
//! | `https://api.twilio.com` (the default) | `https://api.twilio.com` | `https://sync.twilio.com` |
//! | `https://api.dublin.ie1.twilio.com` (an edge and region) | itself | `https://sync.dublin.ie1.twilio.com` |
//! | anything else, e.g. the emulator's `http://127.0.0.1:8080` | the base | `http://127.0.0.1:8080/sync` |
//!
//! So a single base reaches every product of an emulator (or a proxy) by a path prefix per
//! product ([`Product::path_prefix`]: `/serverless`, `/serverless-upload`, `/sync`, `/studio`,
//! `/voice`), while the 2010-04-01 API stays at the base itself, as before. The emulator serves
//! exactly these prefixes. A prefix was chosen over a header (`Host`, or one of our own) because
//! every HTTP client, `curl` and a Function's plain `https.request` can follow a URL, and the
//! absolute `url`s and `next_page_url`s a product answers with keep working when followed.
//!
//! Deployed Functions answer on their Environment's own domain on Twilio
//! (`https://relay-1234-prod.twil.io/relay`); elsewhere at
//! `<base>/functions/relay-1234-prod.twil.io/relay` ([`ApiBase::function_url`]).

use url::Url;

use super::ClientError;

/// The path prefix under which the emulator serves deployed Functions, one Environment's
/// domain per segment after it.
pub const FUNCTIONS_PREFIX: &str = "/functions";

/// The 2010-04-01 API's version segment.
pub(super) const API_VERSION: &str = "2010-04-01";

/// One of Twilio's REST APIs, each served from its own domain on Twilio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Product {
    /// `api.twilio.com`: the 2010-04-01 API (calls, messages, recordings).
    Api,
    /// `serverless.twilio.com`: Services, Environments, Functions, Builds, Deployments.
    Serverless,
    /// `serverless-upload.twilio.com`: where Function and Asset Version content is uploaded.
    ServerlessUpload,
    /// `sync.twilio.com`: Sync Services, Documents, Lists, Maps.
    Sync,
    /// `studio.twilio.com`: Flows and their Executions.
    Studio,
    /// `voice.twilio.com`: dialing permissions and other voice settings.
    Voice,
}

impl Product {
    /// Every product, for tables and tests.
    pub const ALL: [Product; 6] = [
        Product::Api,
        Product::Serverless,
        Product::ServerlessUpload,
        Product::Sync,
        Product::Studio,
        Product::Voice,
    ];

    /// The first label of its domain on Twilio (`sync` of `sync.twilio.com`).
    pub fn subdomain(self) -> &'static str {
        match self {
            Product::Api => "api",
            Product::Serverless => "serverless",
            Product::ServerlessUpload => "serverless-upload",
            Product::Sync => "sync",
            Product::Studio => "studio",
            Product::Voice => "voice",
        }
    }

    /// The path that stands for its domain under a single non-Twilio base: empty for
    /// [`Product::Api`] (its paths start with `/2010-04-01`), `/<subdomain>` for the others.
    pub fn path_prefix(self) -> &'static str {
        match self {
            Product::Api => "",
            Product::Serverless => "/serverless",
            Product::ServerlessUpload => "/serverless-upload",
            Product::Sync => "/sync",
            Product::Studio => "/studio",
            Product::Voice => "/voice",
        }
    }
}

/// The configured API location: scheme, host, port and an optional path prefix, from which
/// every product's base follows (see the module documentation).
#[derive(Debug, Clone)]
pub struct ApiBase {
    /// The base with its path prefix and no trailing slash, e.g.
    /// `https://x.signalwire.com/api/laml`.
    pub(super) url: Url,
    /// The path prefix without a trailing slash; empty for Twilio.
    pub(super) prefix: String,
}

impl ApiBase {
    /// Parses a base URL: http(s), a host, no credentials, query or fragment; a trailing
    /// `/2010-04-01` (how providers document their base) is dropped.
    pub fn parse(base_url: &str) -> Result<ApiBase, ClientError> {
        let invalid = |why: &str| {
            ClientError::InvalidArgument(format!("invalid API base URL {base_url:?}: {why}"))
        };
        let mut url = Url::parse(base_url.trim()).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("use an http:// or https:// URL"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            // Credentials go in the Authorization header only, never in a URL that errors show.
            return Err(ClientError::InvalidArgument(
                "invalid API base URL: it must not contain a user name or password; give the \
                 account SID and auth token separately"
                    .to_string(),
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("no query or fragment allowed"));
        }
        let path = url.path().trim_end_matches('/');
        let prefix = path
            .strip_suffix(&format!("/{API_VERSION}"))
            .unwrap_or(path)
            .to_string();
        url.set_path(&prefix);
        Ok(ApiBase { url, prefix })
    }

    /// The base URL of `product`, without a trailing slash: its own domain on Twilio, the base
    /// plus [`Product::path_prefix`] elsewhere.
    pub fn product_base(&self, product: Product) -> Url {
        let mut url = self.url.clone();
        if product == Product::Api {
            return url;
        }
        if let Some(rest) = self.twilio_rest() {
            // A DNS label and a valid host make a valid host; scheme and port stay as given.
            if url
                .set_host(Some(&format!("{}.{rest}", product.subdomain())))
                .is_ok()
            {
                return url;
            }
        }
        url.set_path(&format!("{}{}", self.prefix, product.path_prefix()));
        url
    }

    /// The host after `api.` when the base is Twilio's own (`twilio.com`, or an edge and region
    /// of it), where every product has a domain of its own.
    fn twilio_rest(&self) -> Option<String> {
        self.url
            .host_str()
            .filter(|_| self.prefix.is_empty())
            .and_then(|host| host.strip_prefix("api."))
            .filter(|rest| *rest == "twilio.com" || rest.ends_with(".twilio.com"))
            .map(str::to_string)
    }

    /// Where a deployed Function answers: `https://<domain_name><path>` on Twilio,
    /// `<base>/functions/<domain_name><path>` elsewhere (the emulator serves each
    /// Environment's domain under that prefix). `path` starts with `/`, as a Version's does.
    pub fn function_url(&self, domain_name: &str, path: &str) -> String {
        match self.twilio_rest() {
            Some(_) => format!("https://{domain_name}{path}"),
            None => format!(
                "{}{FUNCTIONS_PREFIX}/{domain_name}{path}",
                self.url.as_str().trim_end_matches('/')
            ),
        }
    }

    /// `<product base>/<segments...>`, each segment percent-encoded so a SID or unique name
    /// cannot change the path (e.g. `["v1", "Services", sid]`).
    pub fn product_url(&self, product: Product, segments: &[&str]) -> Url {
        let mut url = self.product_base(product);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// `<base>/2010-04-01/Accounts/<account>/<segments...>`, segments percent-encoded.
    pub(super) fn account_url(&self, account_sid: &str, segments: &[&str]) -> Url {
        let mut url = self.url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty()
                .extend([API_VERSION, "Accounts", account_sid])
                .extend(segments);
        }
        url
    }

    /// Resolves a 2010-04-01 `next_page_uri`. Twilio's are relative to the host root and
    /// SignalWire's already carry the `/api/laml` prefix, so the URI is joined with the base's
    /// origin; one without the prefix (a proxy in front of Twilio forwards Twilio's own URIs)
    /// gets it prepended. An absolute URI must stay on the base's origin: following another
    /// host would send it the credentials.
    pub(super) fn join(&self, uri: &str) -> Result<Url, String> {
        if let Ok(absolute) = Url::parse(uri) {
            if absolute.origin() != self.url.origin() {
                return Err(format!("next_page_uri {uri} leaves the API host"));
            }
            return Ok(absolute);
        }
        if !uri.starts_with('/') || uri.starts_with("//") {
            return Err(format!("next_page_uri {uri} is not host-relative"));
        }
        let has_prefix = self.prefix.is_empty()
            || uri
                .strip_prefix(self.prefix.as_str())
                .is_some_and(|rest| rest.starts_with('/'));
        let path = if has_prefix {
            uri.to_string()
        } else {
            format!("{}{uri}", self.prefix)
        };
        self.url
            .join(&path)
            .map_err(|e| format!("next_page_uri {uri}: {e}"))
    }

    /// Checks a v1 API's absolute `next_page_url`: it must be under `product`'s base (same
    /// origin and path prefix), so following it never sends the credentials elsewhere.
    pub(super) fn within(&self, product: Product, url: &str) -> Result<Url, String> {
        let base = self.product_base(product);
        let absolute =
            Url::parse(url).map_err(|e| format!("next_page_url {url} is not absolute: {e}"))?;
        let under = absolute.origin() == base.origin()
            && absolute
                .path()
                .strip_prefix(base.path().trim_end_matches('/'))
                .is_some_and(|rest| rest.starts_with('/'));
        if !under {
            return Err(format!(
                "next_page_url {url} leaves {} ({base})",
                product.subdomain()
            ));
        }
        Ok(absolute)
    }
}
