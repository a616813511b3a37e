//! Botium's conditional-step hooks, parsed and evaluated for a phone call.
//!
//! An IVR often answers differently by time of day ("we are open" / "we are closed"), so a convo
//! lists one `#bot` step per answer, each with a `CONDITIONAL_STEP_*` hook; the step engine
//! asserts the first step of a group whose condition holds and skips the others (reference
//! §6.5). This module only answers "does this step's condition hold now?"; grouping is the step
//! engine's business. It reproduces botium-core's hooks:
//!
//! - `CONDITIONAL_STEP_TIME_BASED {"start":"8:00","end":"16:30","timeZone":"Europe/Vienna"}|group`
//!   holds when the wall clock in `timeZone` is within `start`..=`end`, compared to the minute
//!   (`16:30:59` is still inside). `start` after `end` wraps midnight (`16:31`..`7:59`); `start`
//!   equal to `end` holds all day, as Botium's arithmetic gives.
//! - `CONDITIONAL_STEP_BUSINESS_HOURS {"start","end","days":["Monday",…],"timeZone"}|group` adds
//!   the weekday of *now* (so at Tuesday 05:00 a Monday `16:01`..`7:59` window is closed unless
//!   Tuesday is listed). Days alone, or the window alone, are enough.
//! - `CONDITIONAL_STEP_CAPABILITY_VALUE_BASED {"capabilityName","value","jsonPath"?}|group`
//!   compares a capability (or the value at a simple `jsonPath` inside it) with JavaScript's
//!   `===`: `"1"` does not equal `1`; a capability string is parsed as JSON for `jsonPath`.
//!
//! Without `timeZone`, Botium uses the machine's local time. [`StepCondition::holds`] takes the
//! wall clock from the zone of the `now` it is given, so the caller decides: pass
//! `chrono::Local::now()` to match Botium, `Utc::now()` for the same answer on every machine.
//!
//! Stricter than Botium, on purpose: what Botium accepts but can never mean (an unknown key such
//! as `timezone`, a lower-case `"monday"` that never matches, `start` without `end`, an unknown
//! zone that Botium replaces by local time) is a parse error here, reported by `ivr-test check`.
//! The group id (after `|`) is optional, as in Botium's own samples.

mod error;
mod json_path;
mod params;

use chrono::{DateTime, Datelike, TimeZone, Timelike, Weekday};
use chrono_tz::Tz;
use serde_json::Value;

use error::kind_of;
pub use error::{ConditionError, EvalError};
use json_path::JsonPath;
use params::Params;

/// The time-window hook.
pub const TIME_BASED: &str = "CONDITIONAL_STEP_TIME_BASED";
/// The business-hours hook.
pub const BUSINESS_HOURS: &str = "CONDITIONAL_STEP_BUSINESS_HOURS";
/// The capability-value hook.
pub const CAPABILITY_VALUE_BASED: &str = "CONDITIONAL_STEP_CAPABILITY_VALUE_BASED";
/// The hooks this module evaluates.
pub const HOOKS: [&str; 3] = [TIME_BASED, BUSINESS_HOURS, CAPABILITY_VALUE_BASED];

/// A `CONDITIONAL_STEP_*` hook of a `#bot` step, parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct StepCondition {
    /// The condition group (the argument after `|`); `None` when absent, which Botium treats as
    /// one more group id (all id-less conditions form one group).
    pub group: Option<String>,
    kind: ConditionKind,
}

/// What a condition checks.
#[derive(Debug, Clone, PartialEq)]
enum ConditionKind {
    /// `CONDITIONAL_STEP_TIME_BASED`.
    Time { window: Window, zone: Option<Tz> },
    /// `CONDITIONAL_STEP_BUSINESS_HOURS`; at least one of `window` and `days`.
    BusinessHours {
        window: Option<Window>,
        days: Vec<Weekday>,
        zone: Option<Tz>,
    },
    /// `CONDITIONAL_STEP_CAPABILITY_VALUE_BASED`.
    CapabilityValue {
        name: String,
        path: Option<JsonPath>,
        value: Value,
    },
}

/// `start`..=`end` in minutes after midnight; wraps midnight when `start >= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    start: u32,
    end: u32,
}

impl Window {
    /// Whether `minute` (after midnight) is inside, both ends included.
    fn contains(self, minute: u32) -> bool {
        if self.start < self.end {
            self.start <= minute && minute <= self.end
        } else {
            minute >= self.start || minute <= self.end
        }
    }
}

impl StepCondition {
    /// Whether `name` is one of the conditional-step hooks this module evaluates.
    pub fn is_condition_hook(name: &str) -> bool {
        HOOKS.contains(&name)
    }

    /// Parses the hook `name` with its `args` (JSON text, then `|groupId`); errors say what is wrong.
    pub fn parse(name: &str, args: &[String]) -> Result<StepCondition, ConditionError> {
        let (allowed, example): (&'static [&'static str], &'static str) = match name {
            TIME_BASED => (
                &["start", "end", "timeZone"],
                r#"{"start":"8:00","end":"16:30","timeZone":"Europe/Vienna"}"#,
            ),
            BUSINESS_HOURS => (
                &["start", "end", "days", "timeZone"],
                r#"{"start":"8:00","end":"16:30","days":["Monday","Friday"]}"#,
            ),
            CAPABILITY_VALUE_BASED => (
                &["capabilityName", "value", "jsonPath"],
                r#"{"capabilityName":"MY_CAPABILITY","value":"expected"}"#,
            ),
            _ => {
                return Err(ConditionError::UnknownHook {
                    name: name.to_string(),
                })
            }
        };
        let (json, group) = match args {
            [] => return Err(ConditionError::MissingParams { example }),
            [json] => (json, None),
            [_, group] if group.is_empty() => return Err(ConditionError::EmptyGroup),
            [json, group] => (json, Some(group.clone())),
            _ => return Err(ConditionError::TooManyArgs { count: args.len() }),
        };
        if json.trim().is_empty() {
            return Err(ConditionError::MissingParams { example });
        }
        let params = Params::parse(json, allowed, example)?;
        let kind = match name {
            TIME_BASED => ConditionKind::Time {
                window: Window {
                    start: params.time("start")?,
                    end: params.time("end")?,
                },
                zone: params.zone()?,
            },
            BUSINESS_HOURS => params.business_hours()?,
            _ => params.capability_value()?,
        };
        Ok(StepCondition { group, kind })
    }

    /// Whether the condition holds at `now` with these capabilities. A condition without
    /// `timeZone` reads the wall clock in `now`'s own zone (Botium: the machine's local time).
    pub fn holds<Z: TimeZone>(
        &self,
        now: &DateTime<Z>,
        caps: &dyn Fn(&str) -> Option<Value>,
    ) -> Result<bool, EvalError> {
        let wall_clock = |zone: &Option<Tz>| match zone {
            Some(tz) => now.with_timezone(tz).naive_local(),
            None => now.naive_local(),
        };
        Ok(match &self.kind {
            ConditionKind::Time { window, zone } => {
                window.contains(minute_of_day(wall_clock(zone)))
            }
            ConditionKind::BusinessHours { window, days, zone } => {
                let local = wall_clock(zone);
                (days.is_empty() || days.contains(&local.weekday()))
                    && window.is_none_or(|w| w.contains(minute_of_day(local)))
            }
            ConditionKind::CapabilityValue { name, path, value } => match path {
                None => caps(name).is_some_and(|cap| strict_equals(&cap, value)),
                Some(path) => {
                    let root = capability_as_json(name, caps(name))?;
                    path.lookup(&root)
                        .is_some_and(|found| strict_equals(found, value))
                }
            },
        })
    }
}

/// Minutes after midnight of a wall-clock time.
fn minute_of_day(t: impl Timelike) -> u32 {
    t.hour() * 60 + t.minute()
}

/// JavaScript's `===` on JSON values: numbers by value, strings by content, objects and lists
/// never (they would have to be the same object).
fn strict_equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => false,
    }
}

/// The capability as an object or list for `jsonPath`, as Botium reads it: used as is when it is
/// one, else its text parsed as JSON.
fn capability_as_json(name: &str, cap: Option<Value>) -> Result<Value, EvalError> {
    let value = match cap {
        None => {
            return Err(EvalError::CapabilityMissing {
                name: name.to_string(),
            })
        }
        Some(Value::String(text)) => {
            serde_json::from_str(&text).map_err(|e| EvalError::CapabilityNotJson {
                name: name.to_string(),
                message: e.to_string(),
            })?
        }
        Some(other) => other,
    };
    match value {
        Value::Object(_) | Value::Array(_) => Ok(value),
        other => Err(EvalError::CapabilityNotContainer {
            name: name.to_string(),
            found: kind_of(&other),
        }),
    }
}

#[cfg(test)]
mod tests;
