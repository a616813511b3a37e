//! Sync's time-to-live parameters: whole seconds from now, 0 for never, at most a year
//! (400/54011 otherwise), the precise name winning over its `Ttl` alias.

use chrono::{DateTime, Utc};

use crate::rest::error::ApiError;
use crate::rest::params::Params;

/// The longest TTL Sync accepts: one year, in seconds.
pub const MAX_TTL_SECS: u64 = 31_536_000;

/// What a request asks of an object's expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// No TTL parameter: keep the current expiry (none, for a new object).
    Unchanged,
    /// Expire at this time; `None` (a TTL of 0) never.
    At(Option<DateTime<Utc>>),
}

impl Expiry {
    /// The expiry `precise` (e.g. `CollectionTtl`) asks for, else its alias `Ttl`, counted
    /// from `now`.
    pub fn from_params(
        params: &Params,
        precise: &str,
        alias: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Expiry, ApiError> {
        let given = params
            .get(precise)
            .map(|text| (precise, text))
            .or_else(|| alias.and_then(|name| params.get(name).map(|text| (name, text))));
        let Some((name, text)) = given else {
            return Ok(Expiry::Unchanged);
        };
        let secs = text
            .parse::<u64>()
            .ok()
            .filter(|secs| *secs <= MAX_TTL_SECS)
            .ok_or_else(|| {
                ApiError::bad_request(
                    54011,
                    format!(
                        "Invalid TTL: {name} must be empty or a whole number of seconds between \
                         0 and {MAX_TTL_SECS}, not {text}"
                    ),
                )
            })?;
        let seconds = i64::try_from(secs).unwrap_or(i64::MAX);
        Ok(Expiry::At(
            (secs > 0).then(|| now + chrono::Duration::seconds(seconds)),
        ))
    }

    /// Applies this to an object's `date_expires`.
    pub fn apply(self, date_expires: &mut Option<DateTime<Utc>>) {
        if let Expiry::At(at) = self {
            *date_expires = at;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expiry(query: &str) -> Result<Expiry, ApiError> {
        let params = Params::decode(query.as_bytes()).unwrap();
        Expiry::from_params(&params, "ItemTtl", Some("Ttl"), DateTime::UNIX_EPOCH)
    }

    #[test]
    fn the_precise_name_wins_and_zero_means_never() {
        let at = |secs| Expiry::At(Some(DateTime::UNIX_EPOCH + chrono::Duration::seconds(secs)));
        assert_eq!(expiry("").unwrap(), Expiry::Unchanged);
        assert_eq!(expiry("Ttl=60").unwrap(), at(60));
        assert_eq!(expiry("Ttl=60&ItemTtl=5").unwrap(), at(5));
        assert_eq!(expiry("ItemTtl=0").unwrap(), Expiry::At(None));
        assert_eq!(expiry("ItemTtl=31536000").unwrap(), at(31_536_000));
        for bad in ["ItemTtl=31536001", "Ttl=-1", "Ttl=soon"] {
            assert_eq!(expiry(bad).unwrap_err().envelope.code, 54011, "{bad}");
        }
        let mut expires = Some(DateTime::UNIX_EPOCH);
        Expiry::Unchanged.apply(&mut expires);
        assert_eq!(expires, Some(DateTime::UNIX_EPOCH));
        Expiry::At(None).apply(&mut expires);
        assert_eq!(expires, None);
    }
}
