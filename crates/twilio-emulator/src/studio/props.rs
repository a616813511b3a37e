//! Reading a widget's `properties` at load: every value becomes a Liquid [`Template`] (numbers
//! and booleans as their text, since the editor writes `"timeout": 5` and `"timeout": "5"`
//! alike), Liquid is parsed, and a value without Liquid is checked against what the property
//! allows. A value that depends on Liquid can only be checked when it is rendered; a bad one
//! then falls back to Studio's default.
//!
//! Errors are `property `timeout`: ...` texts; the loader adds the file and the widget name.

use serde_json::{Map, Value};

use super::liquid::Template;

/// A widget's properties.
pub(super) struct Props<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Props<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Props<'a> {
        Props { map }
    }

    /// Any text (or number, or boolean) property.
    pub fn template(&self, key: &str) -> Result<Option<Template>, String> {
        let text = match self.map.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(_) => return Err(format!("property `{key}`: expected text")),
        };
        Template::parse(&text)
            .map(Some)
            .map_err(|e| format!("property `{key}`: {e}"))
    }

    /// A property that must be there and not empty.
    pub fn required(&self, key: &str) -> Result<Template, String> {
        match self.template(key)? {
            Some(t) if t.constant().is_none_or(|c| !c.trim().is_empty()) => Ok(t),
            _ => Err(format!("property `{key}` is required")),
        }
    }

    /// A whole number of at least `min`.
    pub fn uint(&self, key: &str, min: u32) -> Result<Option<Template>, String> {
        self.checked(key, |text| match text.trim().parse::<u32>() {
            Ok(n) if n >= min => Ok(()),
            _ => Err(format!("`{text}` is not a whole number of at least {min}")),
        })
    }

    /// `true` or `false`.
    pub fn boolean(&self, key: &str) -> Result<Option<Template>, String> {
        self.checked(key, |text| match parse_bool(text) {
            Some(_) => Ok(()),
            None => Err(format!("`{text}` is not true or false")),
        })
    }

    /// One of `allowed` (ignoring case).
    pub fn one_of(&self, key: &str, allowed: &[&str]) -> Result<Option<Template>, String> {
        self.checked(key, |text| {
            if allowed.iter().any(|a| a.eq_ignore_ascii_case(text.trim())) {
                Ok(())
            } else {
                Err(format!("`{text}` is not one of {}", allowed.join(", ")))
            }
        })
    }

    /// Keys a keypad has (`0-9`, `*`, `#`), possibly none.
    pub fn keys(&self, key: &str) -> Result<Option<Template>, String> {
        self.checked(key, |text| {
            if text
                .chars()
                .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
            {
                Ok(())
            } else {
                Err(format!("`{text}` has keys a phone does not have"))
            }
        })
    }

    /// Keys to play: `0-9`, `A-D`, `*`, `#`, and `w`/`W` (half a second, a second).
    pub fn keys_or_waits(&self, key: &str) -> Result<Option<Template>, String> {
        self.checked(key, |text| {
            if text
                .chars()
                .all(|c| c.is_ascii_digit() || "ABCD*#wW".contains(c))
            {
                Ok(())
            } else {
                Err(format!("`{text}` has keys a phone does not have"))
            }
        })
    }

    /// Seconds of silence after speech, or `auto`.
    pub fn speech_timeout(&self, key: &str) -> Result<Option<Template>, String> {
        self.checked(key, |text| match text.trim() {
            t if t.eq_ignore_ascii_case("auto") => Ok(()),
            t if t.parse::<u32>().is_ok_and(|n| n >= 1) => Ok(()),
            t => Err(format!(
                "`{t}` is neither `auto` nor a whole number of seconds"
            )),
        })
    }

    /// An absolute http(s) URL.
    pub fn url(&self, key: &str) -> Result<Template, String> {
        let template = self.required(key)?;
        if let Some(text) = template.constant() {
            if !crate::config::is_http_url(text.trim()) {
                return Err(format!(
                    "property `{key}`: `{text}` is not an absolute http(s) URL"
                ));
            }
        }
        Ok(template)
    }

    /// An array of `{"key": ..., "value": ...}` objects (Set Variables, HTTP parameters).
    pub fn pairs(&self, key: &str) -> Result<Vec<(String, Template)>, String> {
        let items = match self.map.get(key) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(_) => {
                return Err(format!(
                    "property `{key}`: expected a list of key and value"
                ))
            }
        };
        let mut pairs = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("{key}[{i}]");
            let Some(object) = item.as_object() else {
                return Err(format!(
                    "property `{at}`: expected an object with key and value"
                ));
            };
            let name = match object.get("key") {
                Some(Value::String(k)) if !k.trim().is_empty() => k.trim().to_string(),
                _ => return Err(format!("property `{at}`: `key` is missing")),
            };
            let value = Props::new(object)
                .template("value")
                .map_err(|e| format!("{at}: {e}"))?;
            pairs.push((name, value.unwrap_or_else(|| Template::text(""))));
        }
        Ok(pairs)
    }

    fn checked(
        &self,
        key: &str,
        check: impl Fn(&str) -> Result<(), String>,
    ) -> Result<Option<Template>, String> {
        let template = self.template(key)?;
        if let Some(text) = template.as_ref().and_then(Template::constant) {
            check(&text).map_err(|e| format!("property `{key}`: {e}"))?;
        }
        Ok(template)
    }
}

/// `true`/`false` as Studio writes them (booleans or their text).
pub(super) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn numbers_and_booleans_are_text_and_liquid_is_checked() {
        let map = props(json!({"timeout": 5, "stop": true, "say": "Hi {{trigger.call.From"}));
        let p = Props::new(&map);
        assert_eq!(
            p.uint("timeout", 1)
                .unwrap()
                .and_then(|t| t.constant())
                .as_deref(),
            Some("5")
        );
        assert_eq!(
            p.boolean("stop")
                .unwrap()
                .and_then(|t| t.constant())
                .as_deref(),
            Some("true")
        );
        assert!(p
            .template("say")
            .unwrap_err()
            .starts_with("property `say`: Liquid syntax error"));
        assert!(p.template("missing").unwrap().is_none());
    }

    #[test]
    fn constants_are_checked_and_liquid_is_left_for_later() {
        let map = props(
            json!({"a": "0", "b": "{{flow.variables.t}}", "c": "maybe", "k": "1#x",
                               "u": "/relative", "m": "PUT", "list": [{"value": "x"}]}),
        );
        let p = Props::new(&map);
        assert!(p.uint("a", 1).unwrap_err().contains("at least 1"));
        assert!(p.uint("b", 1).is_ok());
        assert!(p.boolean("c").unwrap_err().contains("not true or false"));
        assert!(p
            .keys("k")
            .unwrap_err()
            .contains("keys a phone does not have"));
        assert!(p.url("u").unwrap_err().contains("absolute http(s) URL"));
        assert!(p.url("none").unwrap_err().contains("is required"));
        assert!(p
            .one_of("m", &["GET", "POST"])
            .unwrap_err()
            .contains("GET, POST"));
        assert!(p.pairs("list").unwrap_err().contains("`key` is missing"));
    }
}
