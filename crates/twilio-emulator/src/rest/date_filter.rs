//! Date range filters with literal key names: `DateSent`, `DateSent<`, `DateSent>` (and the
//! same for `StartTime`/`EndTime`). A `YYYY-MM-DD` value compares whole days; a datetime
//! (RFC 3339, RFC 2822 or `YYYY-MM-DDTHH:MM:SS` as UTC) compares instants. `<` and `>` are
//! inclusive: Twilio's `DateSent<` means on or before (`twilio.md` §8).
//!
//! Twilio documents `DateSent` as a day (`YYYY-MM-DD`) and compares the day only, whatever time
//! of day a client sends: [`DateFilter::by_day`] gives the Messages list that behaviour, so a
//! client relying on an exact time here would fail against the emulator as against Twilio.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use twilio_wire::time::parse_rfc2822;

use super::error::ApiError;
use super::params::Params;

/// One bound of a date filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// A calendar day (UTC).
    Day(NaiveDate),
    /// An instant, to the second.
    Instant(DateTime<Utc>),
}

/// The `Name`, `Name<` and `Name>` filters of one date field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateFilter {
    on: Option<Bound>,
    on_or_before: Option<Bound>,
    on_or_after: Option<Bound>,
}

impl DateFilter {
    /// Reads `name`, `name<` and `name>` from `params`.
    pub fn from_params(params: &Params, name: &str) -> Result<DateFilter, ApiError> {
        let bound = |key: String| -> Result<Option<Bound>, ApiError> {
            match params.get(&key) {
                None => Ok(None),
                Some(text) => parse_bound(text).map(Some).ok_or_else(|| {
                    ApiError::invalid_parameter(format!(
                        "{key} must be a date (YYYY-MM-DD) or a datetime: {text}"
                    ))
                }),
            }
        };
        Ok(DateFilter {
            on: bound(name.to_string())?,
            on_or_before: bound(format!("{name}<"))?,
            on_or_after: bound(format!("{name}>"))?,
        })
    }

    /// The same filter comparing whole days: a datetime bound counts as its UTC day, as
    /// Twilio's Messages list treats `DateSent`.
    pub fn by_day(self) -> DateFilter {
        let day = |bound: Option<Bound>| {
            bound.map(|b| match b {
                Bound::Instant(i) => Bound::Day(i.date_naive()),
                day => day,
            })
        };
        DateFilter {
            on: day(self.on),
            on_or_before: day(self.on_or_before),
            on_or_after: day(self.on_or_after),
        }
    }

    /// Whether a record with this date passes; an absent date passes only an empty filter.
    pub fn matches(&self, date: Option<DateTime<Utc>>) -> bool {
        if *self == DateFilter::default() {
            return true;
        }
        let Some(date) = date else {
            return false;
        };
        let seconds = date.timestamp();
        let day = date.date_naive();
        let on = self.on.is_none_or(|b| match b {
            Bound::Day(d) => day == d,
            Bound::Instant(i) => seconds == i.timestamp(),
        });
        let before = self.on_or_before.is_none_or(|b| match b {
            Bound::Day(d) => day <= d,
            Bound::Instant(i) => seconds <= i.timestamp(),
        });
        let after = self.on_or_after.is_none_or(|b| match b {
            Bound::Day(d) => day >= d,
            Bound::Instant(i) => seconds >= i.timestamp(),
        });
        on && before && after
    }
}

fn parse_bound(text: &str) -> Option<Bound> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(Bound::Day(day));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| parse_rfc2822(text))
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|t| t.and_utc())
        })
        .map(Bound::Instant)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn filter(query: &str) -> DateFilter {
        DateFilter::from_params(&Params::decode(query.as_bytes()).unwrap(), "DateSent").unwrap()
    }

    #[test]
    fn day_bounds_are_inclusive() {
        let evening = Utc.with_ymd_and_hms(2026, 3, 2, 23, 59, 59).unwrap();
        assert!(filter("DateSent=2026-03-02").matches(Some(evening)));
        assert!(!filter("DateSent=2026-03-03").matches(Some(evening)));
        assert!(filter("DateSent%3C=2026-03-02").matches(Some(evening)));
        assert!(!filter("DateSent%3C=2026-03-01").matches(Some(evening)));
        assert!(filter("DateSent%3E=2026-03-02").matches(Some(evening)));
        assert!(!filter("DateSent%3E=2026-03-03").matches(Some(evening)));
        assert!(filter("").matches(None));
        assert!(!filter("DateSent%3E=2026-03-01").matches(None));
    }

    #[test]
    fn datetime_bounds_compare_instants() {
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
        assert!(filter("DateSent%3C=2026-03-02T12:00:00Z").matches(Some(t)));
        assert!(!filter("DateSent%3C=2026-03-02T11:59:59Z").matches(Some(t)));
        assert!(filter("DateSent%3E=2026-03-02T12:00:00").matches(Some(t)));
        assert!(filter("DateSent=Mon, 02 Mar 2026 12:00:00 %2B0000").matches(Some(t)));
        let bad = Params::decode(b"DateSent%3C=yesterday").unwrap();
        let e = DateFilter::from_params(&bad, "DateSent").unwrap_err();
        assert_eq!(e.envelope.code, 20001);
    }

    #[test]
    fn by_day_a_datetime_bound_is_its_whole_day() {
        let noon = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
        assert!(filter("DateSent%3E=2026-03-02T23:59:59Z")
            .by_day()
            .matches(Some(noon)));
        assert!(filter("DateSent%3C=2026-03-02T00:00:00Z")
            .by_day()
            .matches(Some(noon)));
        assert!(!filter("DateSent%3E=2026-03-03T00:00:00Z")
            .by_day()
            .matches(Some(noon)));
    }
}
