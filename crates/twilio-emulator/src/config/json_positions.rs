//! Where things are in a JSON text: the byte span and JSON path of every key and value, so a
//! serde_json error position becomes `numbers["+15551230001"].voice_url`, and a semantic
//! problem found on the typed value gets a line and column.

/// `parent.key` for identifier-like keys, `parent["key"]` for the rest (phone numbers).
pub(super) fn child_path(parent: &str, key: &str) -> String {
    let identifier = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if identifier {
        format!("{parent}.{key}")
    } else {
        let quoted = serde_json::to_string(key).unwrap_or_else(|_| format!("\"{key}\""));
        format!("{parent}[{quoted}]")
    }
}

/// Byte offset where 1-based `line` starts.
pub(super) fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

/// Where each key and value of a JSON text is: byte ranges with their JSON paths.
pub(super) struct JsonPositions {
    /// (start, end, path) of every key and value, in text order.
    spans: Vec<(usize, usize, String)>,
}

impl JsonPositions {
    /// The path of the innermost key or value that `offset` falls in or just after: serde_json
    /// reports the position right after the token it was reading when it stopped.
    pub(super) fn path_at(&self, offset: usize) -> String {
        self.spans
            .iter()
            .filter(|(start, end, _)| *start < offset && offset <= *end)
            .max_by_key(|(start, _, _)| *start)
            .map_or_else(|| "(top level)".into(), |(_, _, path)| display_path(path))
    }

    /// 1-based line and column of the value at `path`, or of its nearest ancestor in the text
    /// (a missing field is reported at its object).
    pub(super) fn line_column_of(&self, text: &str, path: &str) -> Option<(usize, usize)> {
        let mut wanted = path;
        let start = loop {
            if let Some((start, _, _)) = self
                .spans
                .iter()
                .find(|(_, _, p)| display_path(p) == wanted)
            {
                break *start;
            }
            wanted = &wanted[..wanted.rfind(['.', '['])?];
        };
        let before = text.get(..start)?;
        let line = before.matches('\n').count() + 1;
        let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count()
            + 1;
        Some((line, column))
    }
}

fn display_path(path: &str) -> String {
    if path.is_empty() {
        "(top level)".into()
    } else {
        path.trim_start_matches('.').to_string()
    }
}

/// Checks the syntax of `text` and records the span of every key and value.
pub(super) fn json_positions(text: &str) -> Result<JsonPositions, serde_json::Error> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    let mut spans = Vec::new();
    let mut cursor = Cursor { text, at: 0 };
    cursor.value(&value, String::new(), &mut spans);
    Ok(JsonPositions { spans })
}

/// Walks valid JSON text alongside its parsed value (the text is known to be valid).
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl Cursor<'_> {
    /// The unread text; empty past the end, so a walk that lost step (duplicate keys) cannot
    /// panic, it only reports a less precise path.
    fn rest(&self) -> &str {
        self.text.get(self.at..).unwrap_or("")
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn string_end(&self) -> usize {
        let bytes = self.text.as_bytes();
        let mut i = self.at + 1;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        (i + 1).min(bytes.len())
    }

    fn value(
        &mut self,
        value: &serde_json::Value,
        path: String,
        spans: &mut Vec<(usize, usize, String)>,
    ) {
        self.skip_space();
        let start = self.at;
        let index = spans.len();
        spans.push((start, start, path.clone()));
        match value {
            serde_json::Value::Object(map) => {
                self.at += 1; // '{'
                for (key, item) in map {
                    self.skip_space();
                    let key_start = self.at;
                    self.at = self.string_end();
                    let item_path = child_path(&path, key);
                    spans.push((key_start, self.at, item_path.clone()));
                    self.skip_space();
                    self.at += 1; // ':'
                    self.value(item, item_path, spans);
                    self.skip_space();
                    if self.rest().starts_with(',') {
                        self.at += 1;
                    }
                }
                self.skip_space();
                self.at += 1; // '}'
            }
            serde_json::Value::Array(items) => {
                self.at += 1; // '['
                for (i, item) in items.iter().enumerate() {
                    self.value(item, format!("{path}[{i}]"), spans);
                    self.skip_space();
                    if self.rest().starts_with(',') {
                        self.at += 1;
                    }
                }
                self.skip_space();
                self.at += 1; // ']'
            }
            serde_json::Value::String(_) => self.at = self.string_end(),
            _ => {
                let rest = self.rest();
                let len = rest
                    .find(|c: char| c == ',' || c == '}' || c == ']' || c.is_whitespace())
                    .unwrap_or(rest.len());
                self.at += len;
            }
        }
        spans[index].1 = self.at;
    }
}
