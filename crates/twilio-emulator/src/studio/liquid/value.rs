//! Liquid's value rules on JSON values: what is true, how a value prints, how values compare.
//!
//! A Studio execution context is JSON (trigger parameters, widget outputs, parsed HTTP bodies),
//! so Liquid values are [`serde_json::Value`]s. The rules follow Shopify's Liquid, which Studio
//! documents: only `nil` and `false` are false (an empty string is true), `nil` prints as
//! nothing, an array prints its items joined with nothing between them.

use std::cmp::Ordering;

use serde_json::{Number, Value};

/// Whether `value` counts as true in a condition.
pub fn truthy(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Bool(false))
}

/// The text `{{ value }}` prints.
pub fn to_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(to_text).collect(),
        // Liquid has no spelling for a hash; JSON is what a Studio author expects to see.
        Value::Object(_) => value.to_string(),
    }
}

/// A number from a value, as Liquid's arithmetic filters coerce: numbers as they are, numeric
/// text parsed (`"41"` + 1 is 42), anything else 0.
pub fn to_number(value: &Value) -> Number {
    match value {
        Value::Number(n) => n.clone(),
        Value::String(s) => parse_number(s.trim()).unwrap_or_else(|| Number::from(0)),
        Value::Bool(_) | Value::Null | Value::Array(_) | Value::Object(_) => Number::from(0),
    }
}

/// `text` as an integer when it is one, else as a float; `None` when it is no number.
pub fn parse_number(text: &str) -> Option<Number> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(Number::from(i));
    }
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .and_then(Number::from_f64)
}

/// A float from a JSON number.
pub fn as_f64(n: &Number) -> f64 {
    n.as_f64().unwrap_or(0.0)
}

/// Liquid's `==`: numbers by value (`1 == 1.0`), everything else structurally.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => as_f64(x) == as_f64(y),
        _ => a == b,
    }
}

/// Liquid's `<`, `>`, ...: numbers with numbers, text with text; other pairs do not compare.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => as_f64(x).partial_cmp(&as_f64(y)),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Liquid's `contains`: a substring of text, or an item of an array.
pub fn contains(haystack: &Value, needle: &Value) -> bool {
    match haystack {
        Value::String(s) => s.contains(to_text(needle).as_str()),
        Value::Array(items) => items.iter().any(|item| equal(item, needle)),
        Value::Object(map) => map.contains_key(to_text(needle).as_str()),
        _ => false,
    }
}

/// `== empty`: an empty string, array or object.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// `== blank`: `nil`, `false`, whitespace-only text, or an empty collection.
pub fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.trim().is_empty(),
        other => is_empty(other),
    }
}

/// A JSON number from a float, whole floats kept as floats (`2.0`), as Liquid prints them.
pub fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_nil_and_false_are_false() {
        assert!(!truthy(&Value::Null));
        assert!(!truthy(&json!(false)));
        assert!(truthy(&json!("")));
        assert!(truthy(&json!(0)));
    }

    #[test]
    fn values_print_as_liquid_prints_them() {
        assert_eq!(to_text(&Value::Null), "");
        assert_eq!(to_text(&json!(["a", 1, null])), "a1");
        assert_eq!(to_text(&json!(2.5)), "2.5");
        assert_eq!(to_text(&json!({"a": 1})), r#"{"a":1}"#);
    }

    #[test]
    fn numbers_compare_by_value_and_text_coerces_for_arithmetic() {
        assert!(equal(&json!(1), &json!(1.0)));
        assert!(!equal(&json!("1"), &json!(1)));
        assert_eq!(compare(&json!(2), &json!(10)), Some(Ordering::Less));
        assert_eq!(compare(&json!("2"), &json!(10)), None);
        assert_eq!(to_number(&json!(" 41 ")), Number::from(41));
        assert_eq!(to_number(&json!("x")), Number::from(0));
        assert!(is_blank(&json!("  ")) && !is_empty(&json!("  ")));
        assert!(contains(&json!(["a", "b"]), &json!("b")));
    }
}
