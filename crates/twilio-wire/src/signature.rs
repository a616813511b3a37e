//! `X-Twilio-Signature`: computing it (the emulator signs its webhooks) and validating it (the
//! runner checks that a webhook really came from Twilio). See `shared/reference/twilio.md` §6.
//!
//! Twilio signs inconsistently with respect to ports and escaping, so [`validate`] accepts the
//! signature of any of several spellings of the URL, as the official libraries do (§6.2).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

/// The signature Twilio sends for a request to `url` with the decoded form `params` (§6.1).
///
/// Names sort by byte order; a repeated name contributes each distinct value once, in byte order.
/// A GET, or a JSON webhook, passes no params.
pub fn compute(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    STANDARD.encode(mac_for(auth_token, url, params).finalize().into_bytes())
}

/// Whether `signature` is Twilio's signature for `url` and `params` under any of the URL
/// spellings of §6.2 (as given, WHATWG-normalised, legacy querystring; each without its port
/// and with the scheme's default port). Every comparison is constant-time.
pub fn validate(auth_token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    // Comparing raw MAC bytes lets `hmac` do the constant-time comparison; a header that is
    // not base64 can match nothing.
    let Ok(expected) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    candidate_urls(url)
        .iter()
        .map(|candidate| {
            mac_for(auth_token, candidate, params)
                .verify_slice(&expected)
                .is_ok()
        })
        // No short-circuit: every candidate is checked whichever matches.
        .fold(false, |any, ok| any | ok)
}

/// Whether a JSON webhook is genuine (§6.5): the signature of `url` with no params is valid,
/// and its `bodySHA256` query parameter is the SHA-256 of `body`.
pub fn validate_with_body(auth_token: &str, url: &str, body: &[u8], signature: &str) -> bool {
    let signed = validate(auth_token, url, &[], signature);
    let claimed = url::Url::parse(url).ok().and_then(|u| {
        u.query_pairs()
            .find(|(name, _)| name == "bodySHA256")
            .map(|(_, value)| value.into_owned())
    });
    let hash_ok = claimed.is_some_and(|claimed| claimed == body_sha256(body));
    signed & hash_ok
}

/// The lowercase hex SHA-256 of `body`: the `bodySHA256` value a sender appends (§6.5).
pub fn body_sha256(body: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The HMAC over `url` followed by each sorted, de-duplicated `name + value`.
fn mac_for(auth_token: &str, url: &str, params: &[(String, String)]) -> HmacSha1 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match HmacSha1::new_from_slice(auth_token.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(url.as_bytes());
    // Sorting (name, value) pairs orders names by bytes and, within a name, values by bytes;
    // dedup then drops repeated values of one name, as the official libraries' sets do.
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    for (name, value) in pairs {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// Every spelling of `url` Twilio may have signed, without duplicates.
fn candidate_urls(url: &str) -> Vec<String> {
    let mut bases = vec![url.to_string()];
    if let Ok(parsed) = url::Url::parse(url) {
        bases.push(parsed.to_string());
        if let Some(legacy) = with_legacy_query(&parsed) {
            bases.push(legacy);
        }
    }
    let mut out: Vec<String> = Vec::new();
    for base in bases {
        for candidate in port_variants(&base) {
            if !out.contains(&candidate) {
                out.push(candidate);
            }
        }
    }
    out
}

/// `url` as given, without its port, and with the default port added when it has none.
fn port_variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_string()];
    let Some(parts) = RawUrl::split(url) else {
        return out;
    };
    match parts.port {
        Some(_) => out.push(format!("{}{}{}", parts.before_host, parts.host, parts.rest)),
        None => {
            let default = match parts.scheme.to_ascii_lowercase().as_str() {
                "https" => Some(":443"),
                "http" => Some(":80"),
                _ => None,
            };
            if let Some(port) = default {
                out.push(format!(
                    "{}{}{}{}",
                    parts.before_host, parts.host, port, parts.rest
                ));
            }
        }
    }
    out
}

/// A URL string cut around its host and port without normalising anything else, because the
/// raw spelling is what some Twilio signers used.
struct RawUrl<'a> {
    /// The scheme, without `://`.
    scheme: &'a str,
    /// `scheme://` and any `userinfo@`.
    before_host: &'a str,
    /// The host (brackets kept for IPv6).
    host: &'a str,
    /// The port digits after `:` (possibly empty), when a `:` follows the host.
    port: Option<&'a str>,
    /// Path, query and fragment.
    rest: &'a str,
}

impl<'a> RawUrl<'a> {
    /// Splits `scheme://[userinfo@]host[:port]rest`, or `None` for another shape.
    fn split(url: &'a str) -> Option<RawUrl<'a>> {
        let scheme_end = url.find("://")?;
        let authority_start = scheme_end + 3;
        let authority_len = url[authority_start..]
            .find(['/', '?', '#'])
            .unwrap_or(url.len() - authority_start);
        let authority = &url[authority_start..authority_start + authority_len];
        let host_start = authority.rfind('@').map_or(0, |at| at + 1);
        let host_port = &authority[host_start..];
        // An IPv6 literal holds colons of its own; the port separator follows its `]`.
        let colon = if host_port.starts_with('[') {
            let close = host_port.find(']')?;
            host_port[close..].find(':').map(|c| close + c)
        } else {
            host_port.rfind(':')
        };
        let (host, port) = match colon {
            Some(c) => (&host_port[..c], Some(&host_port[c + 1..])),
            None => (host_port, None),
        };
        Some(RawUrl {
            scheme: &url[..scheme_end],
            before_host: &url[..authority_start + host_start],
            host,
            port,
            rest: &url[authority_start + authority_len..],
        })
    }
}

/// The WHATWG serialisation with its query re-serialised as Node's legacy `querystring` module
/// would (`parse` then `stringify`), when that differs; `None` without a query.
fn with_legacy_query(parsed: &url::Url) -> Option<String> {
    let query = parsed.query().filter(|q| !q.is_empty())?;
    let legacy = legacy_querystring(query);
    if legacy == query {
        return None;
    }
    let serialised = parsed.as_str();
    let query_start = parsed.as_str().find('?').unwrap_or(serialised.len());
    let fragment = parsed
        .fragment()
        .map(|f| format!("#{f}"))
        .unwrap_or_default();
    Some(format!("{}?{legacy}{fragment}", &serialised[..query_start]))
}

/// Node's `querystring.stringify(querystring.parse(query))`.
fn legacy_querystring(query: &str) -> String {
    // `parse` builds a JavaScript object: one key per name, repeated names become arrays.
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match keys.iter_mut().find(|(k, _)| *k == name) {
            Some((_, values)) => values.push(value.into_owned()),
            None => keys.push((name.into_owned(), vec![value.into_owned()])),
        }
    }
    // JavaScript objects list array-index keys first, ascending, then the rest in insertion
    // order; `stringify` walks `Object.keys`, so the order matters to the signature.
    let index = |k: &str| -> Option<u32> {
        let canonical = k == "0" || (!k.starts_with('0') && k.bytes().all(|b| b.is_ascii_digit()));
        k.parse::<u32>()
            .ok()
            .filter(|n| canonical && *n != u32::MAX)
    };
    let (mut indexed, named): (Vec<_>, Vec<_>) =
        keys.into_iter().partition(|(k, _)| index(k).is_some());
    indexed.sort_by_key(|(k, _)| index(k));
    indexed
        .into_iter()
        .chain(named)
        .flat_map(|(k, values)| {
            values
                .into_iter()
                .map(move |v| format!("{}={}", node_escape(&k), node_escape(&v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Node's `querystring.escape`: UTF-8 percent-encoding except `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
fn node_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[path = "signature_tests.rs"]
mod tests;
