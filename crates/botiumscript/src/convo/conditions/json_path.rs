//! The subset of JSONPath that `CONDITIONAL_STEP_CAPABILITY_VALUE_BASED` accepts here: a `$`
//! followed by `.key`, `['key']` / `["key"]` and `[index]` steps. Botium hands the path to the
//! `jsonpath` package, which knows far more (`..`, `*`, filters, slices, unions); those are
//! refused at parse time, so a file never means something else here than in Botium.

use serde_json::Value;

use super::ConditionError;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// `.key` or `['key']`.
    Key(String),
    /// `[3]`.
    Index(usize),
}

/// A parsed simple JSONPath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct JsonPath {
    segments: Vec<Segment>,
}

impl JsonPath {
    /// Parses `text`; the error names what is not supported.
    pub(super) fn parse(text: &str) -> Result<JsonPath, ConditionError> {
        let refuse = |reason: &str| ConditionError::BadJsonPath {
            path: text.to_string(),
            reason: reason.to_string(),
        };
        let mut rest = text
            .strip_prefix('$')
            .ok_or_else(|| refuse("it must start with `$`"))?;
        let mut segments = Vec::new();
        while let Some(c) = rest.chars().next() {
            if rest.starts_with("..") {
                return Err(refuse("recursive descent (`..`) is not supported"));
            }
            match c {
                '.' => {
                    let name_len = rest[1..]
                        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                        .unwrap_or(rest.len() - 1);
                    let name = &rest[1..1 + name_len];
                    if name.is_empty() {
                        return Err(match rest[1..].chars().next() {
                            Some('*') => refuse("wildcards (`*`) are not supported"),
                            Some(other) => refuse(&format!("unexpected `{other}` after `.`")),
                            None => refuse("it ends with `.`"),
                        });
                    }
                    segments.push(Segment::Key(name.to_string()));
                    rest = &rest[1 + name_len..];
                }
                '[' => {
                    let close = rest
                        .find(']')
                        .ok_or_else(|| refuse("a `[` is not closed"))?;
                    segments.push(bracket(&rest[1..close]).map_err(|r| refuse(&r))?);
                    rest = &rest[close + 1..];
                }
                other => return Err(refuse(&format!("unexpected `{other}`"))),
            }
        }
        Ok(JsonPath { segments })
    }

    /// The value at this path inside `root`, with JavaScript's indexing: a numeric key indexes a
    /// list, an index on an object reads the key of that name.
    pub(super) fn lookup<'a>(&self, root: &'a Value) -> Option<&'a Value> {
        self.segments
            .iter()
            .try_fold(root, |value, segment| match (segment, value) {
                (Segment::Key(k), Value::Object(map)) => map.get(k),
                (Segment::Key(k), Value::Array(list)) => {
                    k.parse::<usize>().ok().and_then(|i| list.get(i))
                }
                (Segment::Index(i), Value::Array(list)) => list.get(*i),
                (Segment::Index(i), Value::Object(map)) => map.get(&i.to_string()),
                _ => None,
            })
    }
}

/// The inside of `[...]`: a non-negative index or a quoted key; the error is a reason.
fn bracket(inside: &str) -> Result<Segment, String> {
    let inside = inside.trim();
    for quote in ['\'', '"'] {
        if let Some(key) = inside
            .strip_prefix(quote)
            .and_then(|s| s.strip_suffix(quote))
        {
            if key.contains(quote) || key.contains('\\') {
                return Err("quotes or backslashes inside a quoted key are not supported".into());
            }
            return Ok(Segment::Key(key.to_string()));
        }
    }
    if !inside.is_empty() && inside.bytes().all(|b| b.is_ascii_digit()) {
        return inside
            .parse()
            .map(Segment::Index)
            .map_err(|_| format!("index {inside} is too large"));
    }
    Err(match inside {
        "*" => "wildcards (`[*]`) are not supported".into(),
        "" => "`[]` is empty".into(),
        s if s.starts_with('?') || s.starts_with('(') => {
            "filter and script expressions are not supported".into()
        }
        s if s.contains(':') => "slices are not supported".into(),
        s if s.contains(',') => "unions are not supported".into(),
        s if s.starts_with('-') => "negative indexes are not supported".into(),
        s => format!("`[{s}]` is neither an index nor a quoted key"),
    })
}
