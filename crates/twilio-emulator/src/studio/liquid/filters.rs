//! Liquid filters, as Shopify's Liquid defines them (the ones Studio flows commonly use):
//!
//! | kind | filters |
//! |---|---|
//! | text | `upcase`, `downcase`, `capitalize`, `strip`, `lstrip`, `rstrip`, `append`, `prepend`, `replace`, `replace_first`, `remove`, `remove_first`, `truncate`, `url_encode` |
//! | text and arrays | `size`, `first`, `last`, `slice`, `split`, `join`, `default` |
//! | numbers | `plus`, `minus`, `times`, `divided_by`, `modulo`, `abs`, `ceil`, `floor`, `round` |
//! | time | `date` (strftime; `"now"` is the emulator's clock in Pacific time, as Studio documents) |
//!
//! Arithmetic keeps integers integral (`"41" | plus: 1` is `42`) and dividing by zero gives
//! `nil`, which prints as nothing.

use serde_json::{Number, Value};

use super::value::{as_f64, float, is_empty, to_number, to_text, truthy};
use super::{LiquidError, RenderEnv};

/// A filter the emulator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// `upcase`.
    Upcase,
    /// `downcase`.
    Downcase,
    /// `capitalize`: first letter up, the rest down.
    Capitalize,
    /// `strip`.
    Strip,
    /// `lstrip`.
    Lstrip,
    /// `rstrip`.
    Rstrip,
    /// `append: text`.
    Append,
    /// `prepend: text`.
    Prepend,
    /// `replace: old, new`.
    Replace,
    /// `replace_first: old, new`.
    ReplaceFirst,
    /// `remove: text`.
    Remove,
    /// `remove_first: text`.
    RemoveFirst,
    /// `truncate: length[, ellipsis]`.
    Truncate,
    /// `url_encode`.
    UrlEncode,
    /// `size`.
    Size,
    /// `first`.
    First,
    /// `last`.
    Last,
    /// `slice: start[, length]`.
    Slice,
    /// `split: separator`.
    Split,
    /// `join[: separator]`.
    Join,
    /// `default: value`.
    Default,
    /// `plus: n`.
    Plus,
    /// `minus: n`.
    Minus,
    /// `times: n`.
    Times,
    /// `divided_by: n`.
    DividedBy,
    /// `modulo: n`.
    Modulo,
    /// `abs`.
    Abs,
    /// `ceil`.
    Ceil,
    /// `floor`.
    Floor,
    /// `round[: digits]`.
    Round,
    /// `date: format`.
    Date,
}

const NAMES: [(&str, Filter, usize, usize); 31] = [
    ("upcase", Filter::Upcase, 0, 0),
    ("downcase", Filter::Downcase, 0, 0),
    ("capitalize", Filter::Capitalize, 0, 0),
    ("strip", Filter::Strip, 0, 0),
    ("lstrip", Filter::Lstrip, 0, 0),
    ("rstrip", Filter::Rstrip, 0, 0),
    ("append", Filter::Append, 1, 1),
    ("prepend", Filter::Prepend, 1, 1),
    ("replace", Filter::Replace, 2, 2),
    ("replace_first", Filter::ReplaceFirst, 2, 2),
    ("remove", Filter::Remove, 1, 1),
    ("remove_first", Filter::RemoveFirst, 1, 1),
    ("truncate", Filter::Truncate, 0, 2),
    ("url_encode", Filter::UrlEncode, 0, 0),
    ("size", Filter::Size, 0, 0),
    ("first", Filter::First, 0, 0),
    ("last", Filter::Last, 0, 0),
    ("slice", Filter::Slice, 1, 2),
    ("split", Filter::Split, 1, 1),
    ("join", Filter::Join, 0, 1),
    ("default", Filter::Default, 1, 1),
    ("plus", Filter::Plus, 1, 1),
    ("minus", Filter::Minus, 1, 1),
    ("times", Filter::Times, 1, 1),
    ("divided_by", Filter::DividedBy, 1, 1),
    ("modulo", Filter::Modulo, 1, 1),
    ("abs", Filter::Abs, 0, 0),
    ("ceil", Filter::Ceil, 0, 0),
    ("floor", Filter::Floor, 0, 0),
    ("round", Filter::Round, 0, 1),
    ("date", Filter::Date, 1, 1),
];

impl Filter {
    /// The filter called `name`.
    pub fn named(name: &str) -> Option<Filter> {
        NAMES.iter().find(|(n, ..)| *n == name).map(|(_, f, ..)| *f)
    }

    fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, f, ..)| *f == self)
            .map_or("?", |(n, ..)| n)
    }

    /// Refuses a call with the wrong number of arguments.
    pub fn check_args(self, count: usize) -> Result<(), LiquidError> {
        let (min, max) = NAMES
            .iter()
            .find(|(_, f, ..)| *f == self)
            .map_or((0, 0), |(_, _, min, max)| (*min, *max));
        if (min..=max).contains(&count) {
            return Ok(());
        }
        let wanted = match (min, max) {
            (a, b) if a == b => format!("{a}"),
            (a, b) => format!("{a} to {b}"),
        };
        Err(LiquidError(format!(
            "filter `{}` takes {wanted} argument(s), found {count}",
            self.name()
        )))
    }

    /// Applies the filter to `input` with evaluated `args`.
    pub fn apply(self, input: &Value, args: &[Value], env: &RenderEnv) -> Value {
        let text = || to_text(input);
        let arg_text = |i: usize| args.get(i).map(to_text).unwrap_or_default();
        let string = |s: String| Value::String(s);
        match self {
            Filter::Upcase => string(text().to_uppercase()),
            Filter::Downcase => string(text().to_lowercase()),
            Filter::Capitalize => {
                let text = text();
                let mut chars = text.chars();
                string(match chars.next() {
                    Some(first) => first
                        .to_uppercase()
                        .chain(chars.as_str().to_lowercase().chars())
                        .collect(),
                    None => String::new(),
                })
            }
            Filter::Strip => string(text().trim().to_string()),
            Filter::Lstrip => string(text().trim_start().to_string()),
            Filter::Rstrip => string(text().trim_end().to_string()),
            Filter::Append => string(text() + &arg_text(0)),
            Filter::Prepend => string(arg_text(0) + &text()),
            Filter::Replace => string(text().replace(&arg_text(0), &arg_text(1))),
            Filter::ReplaceFirst => string(text().replacen(&arg_text(0), &arg_text(1), 1)),
            Filter::Remove => string(text().replace(&arg_text(0), "")),
            Filter::RemoveFirst => string(text().replacen(&arg_text(0), "", 1)),
            Filter::Truncate => truncate(&text(), args),
            Filter::UrlEncode => {
                string(url::form_urlencoded::byte_serialize(text().as_bytes()).collect())
            }
            Filter::Size => Value::from(match input {
                Value::Array(items) => items.len(),
                Value::Object(map) => map.len(),
                Value::String(s) => s.chars().count(),
                _ => 0,
            }),
            Filter::First | Filter::Last => match input {
                Value::Array(items) if self == Filter::First => {
                    items.first().cloned().unwrap_or(Value::Null)
                }
                Value::Array(items) => items.last().cloned().unwrap_or(Value::Null),
                Value::String(s) => {
                    let c = if self == Filter::First {
                        s.chars().next()
                    } else {
                        s.chars().last()
                    };
                    c.map_or(Value::Null, |c| string(c.to_string()))
                }
                _ => Value::Null,
            },
            Filter::Slice => slice(input, args),
            Filter::Split => {
                let separator = arg_text(0);
                let text = text();
                let mut parts: Vec<Value> = if separator.is_empty() {
                    text.chars().map(|c| string(c.to_string())).collect()
                } else {
                    text.split(separator.as_str())
                        .map(|p| string(p.to_string()))
                        .collect()
                };
                // Ruby's split drops trailing empty parts; Liquid inherits that.
                while parts.last().is_some_and(|p| p.as_str() == Some("")) {
                    parts.pop();
                }
                Value::Array(parts)
            }
            Filter::Join => {
                let separator = args.first().map_or(" ".to_string(), to_text);
                match input {
                    Value::Array(items) => string(
                        items
                            .iter()
                            .map(to_text)
                            .collect::<Vec<_>>()
                            .join(&separator),
                    ),
                    other => string(to_text(other)),
                }
            }
            Filter::Default => {
                let missing = !truthy(input) || is_empty(input);
                if missing {
                    args.first().cloned().unwrap_or(Value::Null)
                } else {
                    input.clone()
                }
            }
            Filter::Plus | Filter::Minus | Filter::Times | Filter::DividedBy | Filter::Modulo => {
                let other = args
                    .first()
                    .map(to_number)
                    .unwrap_or_else(|| Number::from(0));
                arithmetic(self, &to_number(input), &other)
            }
            Filter::Abs => match to_number(input).as_i64() {
                Some(i) => Value::from(i.saturating_abs()),
                None => float(as_f64(&to_number(input)).abs()),
            },
            Filter::Ceil => whole(as_f64(&to_number(input)).ceil()),
            Filter::Floor => whole(as_f64(&to_number(input)).floor()),
            Filter::Round => {
                let digits = args
                    .first()
                    .map(to_number)
                    .and_then(|n| n.as_i64())
                    .unwrap_or(0);
                let value = as_f64(&to_number(input));
                if digits <= 0 {
                    whole(value.round())
                } else {
                    let factor = 10f64.powi(digits.min(15) as i32);
                    float((value * factor).round() / factor)
                }
            }
            Filter::Date => super::date::date(input, &arg_text(0), env),
        }
    }
}

pub use super::date::valid_date_format;

fn whole(f: f64) -> Value {
    if f.is_finite() && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        float(f)
    }
}

fn arithmetic(filter: Filter, a: &Number, b: &Number) -> Value {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        let result = match filter {
            Filter::Plus => x.checked_add(y),
            Filter::Minus => x.checked_sub(y),
            Filter::Times => x.checked_mul(y),
            // Integer division floors, and modulo takes the divisor's sign, as in Ruby.
            Filter::DividedBy if y == 0 => return Value::Null,
            Filter::DividedBy => Some(x.div_euclid(y) - i64::from(y < 0 && x.rem_euclid(y) != 0)),
            Filter::Modulo if y == 0 => return Value::Null,
            _ => (x % y).checked_add(y).map(|v| v % y),
        };
        if let Some(result) = result {
            return Value::from(result);
        }
    }
    let (x, y) = (as_f64(a), as_f64(b));
    match filter {
        Filter::Plus => float(x + y),
        Filter::Minus => float(x - y),
        Filter::Times => float(x * y),
        _ if y == 0.0 => Value::Null,
        Filter::DividedBy => float(x / y),
        _ => float(x - y * (x / y).floor()),
    }
}

fn truncate(text: &str, args: &[Value]) -> Value {
    let length = args
        .first()
        .map(to_number)
        .and_then(|n| n.as_i64())
        .unwrap_or(50)
        .max(0) as usize;
    let ellipsis = args.get(1).map_or("...".to_string(), to_text);
    if text.chars().count() <= length {
        return Value::String(text.to_string());
    }
    let keep = length.saturating_sub(ellipsis.chars().count());
    Value::String(text.chars().take(keep).collect::<String>() + &ellipsis)
}

fn slice(input: &Value, args: &[Value]) -> Value {
    let start = args
        .first()
        .map(to_number)
        .and_then(|n| n.as_i64())
        .unwrap_or(0);
    let length = args
        .get(1)
        .map(to_number)
        .and_then(|n| n.as_i64())
        .unwrap_or(1)
        .max(0);
    let range = |len: usize| {
        let len = len as i64;
        let from = if start < 0 { len + start } else { start };
        if from < 0 || from >= len {
            return None;
        }
        Some((from as usize, (from + length).min(len) as usize))
    };
    match input {
        Value::Array(items) => match range(items.len()) {
            Some((a, b)) => Value::Array(items[a..b].to_vec()),
            None => Value::Array(Vec::new()),
        },
        other => {
            let chars: Vec<char> = to_text(other).chars().collect();
            match range(chars.len()) {
                Some((a, b)) => Value::String(chars[a..b].iter().collect()),
                None => Value::String(String::new()),
            }
        }
    }
}
