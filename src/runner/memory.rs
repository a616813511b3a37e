//! Scripting memory (reference §3.8): `$variables` captured from what the IVR said, set by
//! `SET_SCRIPTING_MEMORY`, and substituted (with functions such as `$now`) in what the caller
//! says and in the expected texts.
//!
//! As in Botium, text in `#me`/`#bot` uses memory only with `SCRIPTING_ENABLE_MEMORY=true`,
//! while hook, asserter and user-input arguments are always substituted (`BUTTON $pin`,
//! `CHECKTWILIOSMS your code is $code`).
//!
//! Ours on purpose, because the text comes from a speech recogniser:
//! - capturing ignores case, and the punctuation and spacing between the words of the expected
//!   text (`Your order number is $order` captures `4711` from `your order number is, 4711.`);
//!   trailing sentence punctuation is not part of a captured value;
//! - in the wildcard modes a `*` of the expected text is a wildcard while capturing too (Botium
//!   looks for a literal `*`);
//! - a function's argument ends at the first `)` not escaped as `\)` (Botium's runs to the last).

mod functions;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Local};
use regex::Regex;
use serde_json::Value;

use crate::config::Capabilities;
use botiumscript::convo::variables::memory_variables;
use functions::FunctionContext;

/// How a `$variable` in an expected text captures (`SCRIPTING_MEMORY_MATCHING_MODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureMode {
    /// `non_whitespace` (Botium's default): one run of non-space characters.
    NonWhitespace,
    /// `word`: one run of word characters.
    Word,
    /// `joker`: anything, spaces included.
    Joker,
}

/// What a run's memory needs from the configuration; shared by every test case.
#[derive(Debug, Clone)]
pub struct MemorySettings {
    /// `SCRIPTING_ENABLE_MEMORY`: `#me`/`#bot` text uses memory.
    pub enabled: bool,
    /// `SCRIPTING_MEMORY_MATCHING_MODE`.
    pub capture: CaptureMode,
    /// The matching mode is `regexp*`: expected texts are patterns already.
    pub expected_is_regexp: bool,
    /// The matching mode is `wildcard*`: `*` is a wildcard.
    pub wildcards: bool,
    /// `SECURITY_ALLOW_UNSAFE` (default true): `$env` may be used.
    pub allow_unsafe: bool,
    /// Capabilities as text for `$cap`, secrets left out.
    pub capabilities: BTreeMap<String, String>,
    /// The environment for `$env`, variables holding a secret left out.
    pub env: BTreeMap<String, String>,
}

impl Default for MemorySettings {
    fn default() -> Self {
        MemorySettings {
            enabled: false,
            capture: CaptureMode::NonWhitespace,
            expected_is_regexp: false,
            wildcards: true,
            allow_unsafe: true,
            capabilities: BTreeMap::new(),
            env: BTreeMap::new(),
        }
    }
}

impl MemorySettings {
    /// The settings of these capabilities, with `env` for `$env`.
    pub fn from_caps(caps: &Capabilities, env: &BTreeMap<String, String>) -> MemorySettings {
        let secrets = caps.secret_values();
        let holds_secret = |value: &str| secrets.iter().any(|s| value.contains(s.as_str()));
        let mode = caps.scripting.matching_mode.to_ascii_lowercase();
        MemorySettings {
            enabled: caps.scripting.enable_memory,
            capture: match caps.scripting.memory_matching_mode.as_str() {
                "word" => CaptureMode::Word,
                "joker" => CaptureMode::Joker,
                _ => CaptureMode::NonWhitespace,
            },
            expected_is_regexp: mode.starts_with("regexp"),
            wildcards: mode.starts_with("wildcard"),
            allow_unsafe: !matches!(
                caps.raw.get("SECURITY_ALLOW_UNSAFE"),
                Some(Value::Bool(false))
            ) && caps
                .raw
                .get("SECURITY_ALLOW_UNSAFE")
                .and_then(Value::as_str)
                != Some("false"),
            capabilities: caps
                .raw
                .iter()
                .filter_map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        Value::Null => return None,
                        other => other.to_string(),
                    };
                    (!holds_secret(&text)).then(|| (k.clone(), text))
                })
                .collect(),
            env: env
                .iter()
                .filter(|(_, v)| !holds_secret(v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// One test case's variables.
pub struct ScriptingMemory {
    settings: Arc<MemorySettings>,
    test_case: String,
    /// Keyed with the `$`.
    variables: BTreeMap<String, String>,
    now: fn() -> DateTime<FixedOffset>,
}

fn local_now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

impl ScriptingMemory {
    /// Empty memory for test case `test_case`.
    pub fn new(settings: Arc<MemorySettings>, test_case: &str) -> ScriptingMemory {
        ScriptingMemory {
            settings,
            test_case: test_case.to_string(),
            variables: BTreeMap::new(),
            now: local_now,
        }
    }

    /// `SET_SCRIPTING_MEMORY name|value`: the name is written without `$`.
    pub fn set(&mut self, name: &str, value: &str) {
        let name = name.trim().trim_start_matches('$');
        self.variables.insert(format!("${name}"), value.to_string());
    }

    /// `CLEAR_SCRIPTING_MEMORY name` (which clears, unlike Botium's; reference §4.3).
    pub fn clear(&mut self, name: &str) {
        let name = name.trim().trim_start_matches('$');
        self.variables.remove(&format!("${name}"));
    }

    /// A variable's value (`name` with `$`).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.variables.get(name).map(String::as_str)
    }

    /// Text of a `#me` or `#bot` step: substituted only when memory is enabled.
    pub fn apply_to_text(&self, text: &str) -> Result<String, String> {
        if self.settings.enabled {
            self.apply(text)
        } else {
            Ok(text.to_string())
        }
    }

    /// Substitutes variables and functions, longest names first (`$years` before `$year`); a
    /// set variable wins over a function of the same name; unknown `$names` stay as written.
    pub fn apply(&self, text: &str) -> Result<String, String> {
        if !text.contains('$') {
            return Ok(text.to_string());
        }
        let mut keys: Vec<&str> = self
            .variables
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, _)| k.as_str())
            .chain(functions::names().iter().copied())
            .collect();
        keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
        let mut text = text.to_string();
        for key in keys {
            if !text.contains(key) {
                continue;
            }
            match self.variables.get(key).filter(|v| !v.is_empty()) {
                Some(value) => text = text.replace(key, value),
                None => text = self.call_function(&text, key)?,
            }
        }
        Ok(text)
    }

    /// Replaces each `$name` or `$name(args)` call of function `name` in `text`.
    fn call_function(&self, text: &str, name: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find(name) {
            out.push_str(&rest[..at]);
            let after = &rest[at + name.len()..];
            let (arg, after) = match after.strip_prefix('(').and_then(argument_end) {
                Some((arg, consumed)) => (Some(arg), &after[consumed..]),
                None => (None, after),
            };
            let arg = arg.map(|a| self.apply_variables(&a.replace("\\)", ")")));
            let capability = |key: &str| -> Result<Option<String>, String> {
                if crate::config::is_secret_capability(key) {
                    return Err(format!("$cap({key}) would reveal a secret"));
                }
                Ok(self.settings.capabilities.get(key).cloned())
            };
            let env = |key: &str| -> Result<Option<String>, String> {
                Ok(self.settings.env.get(key).cloned())
            };
            let ctx = FunctionContext {
                now: (self.now)(),
                test_case: &self.test_case,
                capability: &capability,
                env: &env,
                allow_unsafe: self.settings.allow_unsafe,
            };
            out.push_str(&functions::evaluate(name, arg.as_deref(), &ctx)?);
            rest = after;
        }
        out.push_str(rest);
        Ok(out)
    }

    fn apply_variables(&self, text: &str) -> String {
        let mut keys: Vec<(&String, &String)> = self
            .variables
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        keys.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        keys.into_iter()
            .fold(text.to_string(), |t, (k, v)| t.replace(k.as_str(), v))
    }

    /// Captures the `$variables` of the expected texts from what the IVR said (memory enabled
    /// only); function names are never overwritten.
    pub fn capture(&mut self, expected: &[String], heard: &str) {
        if !self.settings.enabled {
            return;
        }
        for text in expected {
            let names = memory_variables(text);
            if names.is_empty() {
                continue;
            }
            let Some(pattern) = self.capture_pattern(text, &names) else {
                continue;
            };
            let Some(found) = pattern.captures(heard) else {
                continue;
            };
            for (name, group) in names.iter().zip(found.iter().skip(1)) {
                let Some(group) = group else { continue };
                if functions::names().contains(name) {
                    continue;
                }
                let value = group
                    .as_str()
                    .trim()
                    .trim_end_matches(['.', ',', ';', ':', '!', '?']);
                self.variables.insert(name.to_string(), value.to_string());
            }
        }
    }

    /// The pattern that finds `names` in a heard text shaped like `expected`.
    fn capture_pattern(&self, expected: &str, names: &[&str]) -> Option<Regex> {
        let group = match self.settings.capture {
            CaptureMode::NonWhitespace => r"(\S+)",
            CaptureMode::Word => r"(\w+)",
            CaptureMode::Joker => r"([\w\W]+)",
        };
        let mut pattern = String::from("(?i)");
        let mut rest = expected;
        for name in names {
            let Some(at) = rest.find(name) else { break };
            pattern.push_str(&self.literal(&rest[..at]));
            pattern.push_str(group);
            rest = &rest[at + name.len()..];
        }
        pattern.push_str(&self.literal(rest));
        Regex::new(&pattern).ok()
    }

    /// A piece of expected text between variables, as a pattern.
    fn literal(&self, text: &str) -> String {
        if self.settings.expected_is_regexp {
            return text.to_string();
        }
        // Letters and digits must match (any case); what lies between them is free.
        let mut pattern = String::new();
        let mut in_gap = false;
        for c in text.chars() {
            if c.is_alphanumeric() {
                pattern.push_str(&regex::escape(&c.to_string()));
                in_gap = false;
            } else if c == '*' && self.settings.wildcards {
                pattern.push_str(r".*?");
                in_gap = false;
            } else if !in_gap {
                pattern.push_str(r"[^\p{L}\p{N}]*");
                in_gap = true;
            }
        }
        pattern
    }
}

/// The text of `(...)` after a function name: up to the first `)` not escaped as `\)`; returns
/// the argument and the bytes consumed after the name (both parentheses included).
fn argument_end(inside: &str) -> Option<(&str, usize)> {
    let mut previous = None;
    for (i, c) in inside.char_indices() {
        if c == ')' && previous != Some('\\') {
            return (i > 0).then(|| (&inside[..i], i + 2));
        }
        previous = Some(c);
    }
    None
}

#[cfg(test)]
#[path = "memory_tests.rs"]
mod tests;
