//! Reading a hook's JSON object into a `ConditionKind`, checking every key and value.

use chrono::Weekday;
use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::error::{did_you_mean, kind_of};
use super::json_path::JsonPath;
use super::{ConditionError, ConditionKind, Window};

/// The JSON object of a hook, with the keys checked against the ones it reads.
pub(super) struct Params {
    map: Map<String, Value>,
    example: &'static str,
}

impl Params {
    /// Parses `json` and refuses keys outside `allowed`.
    pub(super) fn parse(
        json: &str,
        allowed: &'static [&'static str],
        example: &'static str,
    ) -> Result<Params, ConditionError> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            let text = e.to_string();
            let message = match text.rsplit_once(" at line ") {
                Some((message, _)) => message.to_string(),
                None => text,
            };
            ConditionError::BadJson {
                message,
                column: e.column(),
            }
        })?;
        let Value::Object(map) = value else {
            return Err(ConditionError::NotAnObject {
                found: kind_of(&value),
                example,
            });
        };
        if let Some(key) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(ConditionError::UnknownKey {
                key: key.clone(),
                hint: did_you_mean(key, allowed),
                allowed,
            });
        }
        Ok(Params { map, example })
    }

    /// The string at `key`, if present.
    fn string(&self, key: &'static str) -> Result<Option<&str>, ConditionError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ConditionError::NotAString {
                key,
                found: kind_of(other),
            }),
        }
    }

    /// The required time of day at `key`, in minutes after midnight.
    pub(super) fn time(&self, key: &'static str) -> Result<u32, ConditionError> {
        match self.string(key)? {
            Some(text) => parse_time(key, text),
            None => Err(ConditionError::MissingKey {
                key,
                example: self.example,
            }),
        }
    }

    /// `timeZone`, if present.
    pub(super) fn zone(&self) -> Result<Option<Tz>, ConditionError> {
        self.string("timeZone")?.map(parse_zone).transpose()
    }

    /// The business-hours condition.
    pub(super) fn business_hours(&self) -> Result<ConditionKind, ConditionError> {
        let window = match (self.map.contains_key("start"), self.map.contains_key("end")) {
            (true, true) => Some(Window {
                start: self.time("start")?,
                end: self.time("end")?,
            }),
            (false, false) => None,
            (true, false) => return Err(half_window("start", "end")),
            (false, true) => return Err(half_window("end", "start")),
        };
        let days = match self.map.get("days") {
            None => Vec::new(),
            Some(Value::Array(list)) => list.iter().map(parse_day).collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(ConditionError::DaysNotAList {
                    found: kind_of(other),
                })
            }
        };
        if window.is_none() && days.is_empty() {
            return Err(ConditionError::NothingToCheck);
        }
        Ok(ConditionKind::BusinessHours {
            window,
            days,
            zone: self.zone()?,
        })
    }

    /// The capability-value condition.
    pub(super) fn capability_value(&self) -> Result<ConditionKind, ConditionError> {
        let missing = |key| ConditionError::MissingKey {
            key,
            example: self.example,
        };
        let name = self
            .string("capabilityName")?
            .ok_or_else(|| missing("capabilityName"))?;
        if name.trim().is_empty() {
            return Err(ConditionError::EmptyCapabilityName);
        }
        let value = self.map.get("value").ok_or_else(|| missing("value"))?;
        if let Value::Object(_) | Value::Array(_) = value {
            return Err(ConditionError::UnmatchableValue {
                found: kind_of(value),
            });
        }
        let path = self.string("jsonPath")?.map(JsonPath::parse).transpose()?;
        Ok(ConditionKind::CapabilityValue {
            name: name.to_string(),
            path,
            value: value.clone(),
        })
    }
}

/// The error for a window with one end.
fn half_window(given: &'static str, missing: &'static str) -> ConditionError {
    ConditionError::HalfWindow { given, missing }
}

/// `H:MM` or `HH:MM` on the 24-hour clock, in minutes after midnight.
fn parse_time(key: &'static str, text: &str) -> Result<u32, ConditionError> {
    let bad = || ConditionError::BadTime {
        key,
        value: text.to_string(),
    };
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let digits = |s: &str, lengths: &[usize]| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, &[1, 2]) || !digits(m, &[2]) {
        return Err(bad());
    }
    let (hour, minute): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if hour > 23 || minute > 59 {
        return Err(bad());
    }
    Ok(hour * 60 + minute)
}

/// An IANA zone name; case does not matter, as in moment-timezone.
fn parse_zone(name: &str) -> Result<Tz, ConditionError> {
    name.parse::<Tz>()
        .ok()
        .or_else(|| {
            chrono_tz::TZ_VARIANTS
                .iter()
                .copied()
                .find(|tz| tz.name().eq_ignore_ascii_case(name))
        })
        .ok_or_else(|| {
            let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
            ConditionError::UnknownZone {
                zone: name.to_string(),
                hint: did_you_mean(name, &names),
            }
        })
}

/// An English weekday name exactly as moment's `dddd` writes it (Botium compares with `includes`).
fn parse_day(value: &Value) -> Result<Weekday, ConditionError> {
    const DAYS: [(&str, Weekday); 7] = [
        ("Monday", Weekday::Mon),
        ("Tuesday", Weekday::Tue),
        ("Wednesday", Weekday::Wed),
        ("Thursday", Weekday::Thu),
        ("Friday", Weekday::Fri),
        ("Saturday", Weekday::Sat),
        ("Sunday", Weekday::Sun),
    ];
    let Value::String(day) = value else {
        return Err(ConditionError::DaysNotAList {
            found: "a list with a non-string in it",
        });
    };
    DAYS.iter()
        .find(|(name, _)| name == day)
        .map(|(_, weekday)| *weekday)
        .ok_or_else(|| ConditionError::UnknownDay {
            day: day.clone(),
            hint: did_you_mean(day, &DAYS.map(|(name, _)| name)),
        })
}
