//! The `date` filter: strftime formatting of the emulator's clock, Unix times and date texts.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde_json::Value;

use super::RenderEnv;

/// Whether `format` is a strftime format chrono can write (checked at load for literals).
pub fn valid_date_format(format: &str) -> bool {
    StrftimeItems::new(format).all(|item| !matches!(item, Item::Error))
}

/// `date`: `"now"`/`"today"` (the emulator's clock, Pacific time), a Unix time, or a date
/// text; what cannot be read is returned unchanged, as Liquid does.
pub(super) fn date(input: &Value, format: &str, env: &RenderEnv) -> Value {
    if !valid_date_format(format) {
        return input.clone();
    }
    let pacific = |utc: DateTime<chrono::Utc>| {
        utc.with_timezone(&chrono_tz::America::Los_Angeles)
            .fixed_offset()
    };
    let time: Option<DateTime<FixedOffset>> = match input {
        Value::Number(n) => n
            .as_i64()
            .and_then(|secs| chrono::Utc.timestamp_opt(secs, 0).single())
            .map(pacific),
        Value::String(s) => match s.trim() {
            "now" | "today" => Some(pacific(env.now)),
            text => parse_time(text, pacific),
        },
        _ => None,
    };
    match time {
        Some(time) => Value::String(time.format(format).to_string()),
        None => input.clone(),
    }
}

fn parse_time(
    text: &str,
    pacific: impl Fn(DateTime<chrono::Utc>) -> DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
    if let Ok(secs) = text.parse::<i64>() {
        return chrono::Utc.timestamp_opt(secs, 0).single().map(pacific);
    }
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc2822(text))
        .ok()
        .or_else(|| {
            let utc = FixedOffset::east_opt(0)?;
            ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
                .or_else(|| {
                    NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .ok()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                })
                .and_then(|naive| utc.from_local_datetime(&naive).single())
        })
}
