//! Dates as Twilio writes them: RFC 2822 in UTC, `Tue, 31 Aug 2010 20:36:28 +0000`, in the
//! 2010-04-01 API; ISO 8601 in UTC to the second, `2010-08-31T20:36:28Z`, in the v1 APIs
//! (Serverless, Sync, Studio).

use chrono::{DateTime, Utc};

/// Formats a UTC time the way Twilio's REST resources and callbacks do.
pub fn rfc2822(time: DateTime<Utc>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// Formats a UTC time the way the v1 APIs' resources do.
pub fn iso8601(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses an RFC 2822 date (any offset) into UTC.
pub fn parse_rfc2822(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_like_twilio() {
        let t = Utc.with_ymd_and_hms(2010, 8, 31, 20, 36, 28).unwrap();
        assert_eq!(rfc2822(t), "Tue, 31 Aug 2010 20:36:28 +0000");
        let early = Utc.with_ymd_and_hms(2026, 9, 2, 10, 0, 0).unwrap();
        assert_eq!(rfc2822(early), "Wed, 02 Sep 2026 10:00:00 +0000");
        assert_eq!(parse_rfc2822(&rfc2822(early)), Some(early));
        let with_millis = t + chrono::Duration::milliseconds(750);
        assert_eq!(iso8601(with_millis), "2010-08-31T20:36:28Z");
    }
}
