//! Reading `botium.json`: JSON parsing with positions, value spans, and secret masking for display.
//!
//! serde_json gives no positions for values, so a small scanner walks the (already validated)
//! text and records the byte span of each value by its path; errors then point at the value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use miette::NamedSource;
use serde_json::Value;

use super::error::{ConfigError, FileSource, Origin};
use super::secrets::SECRET_CAPABILITIES;

/// Paths deeper than this are not recorded: `botium.Capabilities.ASSERTERS.<i>` is the deepest we use.
const MAX_RECORDED_DEPTH: usize = 4;

/// A parsed configuration file with the positions of its values.
#[derive(Debug)]
pub(crate) struct ParsedFile {
    /// The file as named.
    pub path: PathBuf,
    /// The text with secret values masked (same byte length), for miette snippets.
    pub masked_text: String,
    /// The parsed JSON.
    pub json: Value,
    /// Byte spans of values by path (object keys and array indexes as strings).
    spans: BTreeMap<Vec<String>, (usize, usize)>,
}

impl ParsedFile {
    /// Parses `text`; a syntax error carries line, column and the offending line.
    pub fn parse(path: &Path, text: &str) -> Result<ParsedFile, Box<ConfigError>> {
        let masked_text = mask_secret_keys(text);
        match serde_json::from_str::<Value>(text) {
            Ok(json) => {
                let mut scanner = Scanner {
                    bytes: text.as_bytes(),
                    pos: 0,
                    spans: BTreeMap::new(),
                };
                // The text is valid JSON, so the scanner cannot fail; missing spans only cost positions.
                let _ = scanner.value(&mut Vec::new());
                let masked_text = mask_secret_spans(masked_text, &scanner.spans);
                Ok(ParsedFile {
                    path: path.to_path_buf(),
                    masked_text,
                    json,
                    spans: scanner.spans,
                })
            }
            Err(error) => {
                let line = error.line().max(1);
                let offset = offset_of(text, line, error.column());
                let column = column_of(text, offset);
                let full = error.to_string();
                // serde_json appends " at line L column C"; we report the position separately.
                let message = match full.rfind(" at line ") {
                    Some(cut) => full[..cut].to_string(),
                    None => full,
                };
                Err(Box::new(ConfigError::JsonSyntax {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message,
                    src: named_source(path, masked_text),
                    span: (offset, 0).into(),
                }))
            }
        }
    }

    /// The origin of the value at `path` (e.g. `["botium", "Capabilities", "X"]`).
    pub fn origin(&self, path: &[&str]) -> Origin {
        let key: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        let span = self.spans.get(&key).copied().unwrap_or((0, 0));
        let (line, column) = line_column(&self.masked_text, span.0);
        Origin::File {
            path: self.path.clone(),
            json_path: json_path(path),
            line,
            column,
            span,
        }
    }

    /// The file text for a miette snippet, with `extra` secret values masked too.
    pub fn source_for_display(&self, extra_secrets: &[String]) -> FileSource {
        named_source(&self.path, mask_values(&self.masked_text, extra_secrets))
    }
}

/// A value's place as people write it: `botium.Capabilities.ASSERTERS[0].ref`.
fn json_path(path: &[&str]) -> String {
    let mut text = String::new();
    for key in path {
        if key.parse::<usize>().is_ok() {
            text.push_str(&format!("[{key}]"));
        } else {
            if !text.is_empty() {
                text.push('.');
            }
            text.push_str(key);
        }
    }
    text
}

/// A miette source named after the file.
fn named_source(path: &Path, text: String) -> FileSource {
    NamedSource::new(path.display().to_string(), text).with_language("json")
}

/// Byte offset of 1-based `line` and serde_json's 1-based byte `column` (0 means "before the line").
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let mut offset = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// 1-based character column of a byte offset.
fn column_of(text: &str, offset: usize) -> usize {
    line_column(text, offset).1
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Capabilities whose string value is a secret in the file text.
const SECRET_KEYS: [&str; 3] = [
    "\"TWILIO_IVR_AUTH_TOKEN\"",
    "\"TWILIO_IVR_API_SECRET\"",
    "\"TWILIO_IVR_REDISURL\"",
];

/// Masks the string value after each secret key, keeping byte offsets; works on invalid JSON too,
/// so a syntax error next to the token does not show it.
pub(crate) fn mask_secret_keys(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for key in SECRET_KEYS {
        let mut from = 0;
        while let Some(found) = text[from..].find(key) {
            let mut pos = from + found + key.len();
            from = pos;
            pos = skip_ws(&bytes, pos);
            if bytes.get(pos) != Some(&b':') {
                continue;
            }
            pos = skip_ws(&bytes, pos + 1);
            if bytes.get(pos) != Some(&b'"') {
                continue;
            }
            pos += 1;
            let mut escaped = false;
            while let Some(&b) = bytes.get(pos) {
                if !escaped && (b == b'"' || b == b'\n') {
                    break;
                }
                escaped = !escaped && b == b'\\';
                // Continuation bytes become '*' as well, so the text stays valid UTF-8.
                bytes[pos] = b'*';
                pos += 1;
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| "*".repeat(text.len()))
}

/// Masks the whole value of each secret capability, whatever its JSON type (keeps newlines).
fn mask_secret_spans(text: String, spans: &BTreeMap<Vec<String>, (usize, usize)>) -> String {
    let mut bytes = text.into_bytes();
    for key in SECRET_CAPABILITIES {
        let path = ["botium", "Capabilities", key].map(String::from).to_vec();
        if let Some(&(start, len)) = spans.get(&path) {
            for byte in bytes.iter_mut().skip(start).take(len) {
                if *byte != b'\n' {
                    *byte = b'*';
                }
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// Replaces every occurrence of each secret with '*'s of the same byte length.
pub(crate) fn mask_values(text: &str, secrets: &[String]) -> String {
    let mut masked = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        masked = masked.replace(secret.as_str(), &"*".repeat(secret.len()));
    }
    masked
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(|b| b.is_ascii_whitespace()) {
        pos += 1;
    }
    pos
}

/// Walks valid JSON text and records value spans by path.
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    spans: BTreeMap<Vec<String>, (usize, usize)>,
}

impl Scanner<'_> {
    fn value(&mut self, path: &mut Vec<String>) -> Option<()> {
        self.pos = skip_ws(self.bytes, self.pos);
        let start = self.pos;
        match *self.bytes.get(self.pos)? {
            b'{' => {
                self.pos += 1;
                loop {
                    self.pos = skip_ws(self.bytes, self.pos);
                    if self.bytes.get(self.pos)? == &b'}' {
                        self.pos += 1;
                        break;
                    }
                    let key = self.string()?;
                    self.pos = skip_ws(self.bytes, self.pos);
                    self.expect(b':')?;
                    path.push(key);
                    self.value(path)?;
                    path.pop();
                    if self.separator(b'}')? {
                        break;
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut index = 0usize;
                loop {
                    self.pos = skip_ws(self.bytes, self.pos);
                    if self.bytes.get(self.pos)? == &b']' {
                        self.pos += 1;
                        break;
                    }
                    path.push(index.to_string());
                    self.value(path)?;
                    path.pop();
                    index += 1;
                    if self.separator(b']')? {
                        break;
                    }
                }
            }
            b'"' => {
                self.string()?;
            }
            _ => {
                while self
                    .bytes
                    .get(self.pos)
                    .is_some_and(|b| !b",}] \t\r\n".contains(b))
                {
                    self.pos += 1;
                }
            }
        }
        if path.len() <= MAX_RECORDED_DEPTH {
            self.spans.insert(path.clone(), (start, self.pos - start));
        }
        Some(())
    }

    /// After a member: `,` continues (false), `close` ends (true).
    fn separator(&mut self, close: u8) -> Option<bool> {
        self.pos = skip_ws(self.bytes, self.pos);
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        match b {
            b',' => Some(false),
            b if b == close => Some(true),
            _ => None,
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.bytes.get(self.pos)? == &byte).then(|| self.pos += 1)
    }

    /// A string literal, decoded.
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        self.expect(b'"')?;
        let mut escaped = false;
        loop {
            let b = *self.bytes.get(self.pos)?;
            self.pos += 1;
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                break;
            }
        }
        let literal = std::str::from_utf8(&self.bytes[start..self.pos]).ok()?;
        serde_json::from_str(literal).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ParsedFile, Box<ConfigError>> {
        ParsedFile::parse(Path::new("botium.json"), text)
    }

    #[test]
    fn records_value_positions() {
        let text = "{\n  \"botium\": {\n    \"Capabilities\": {\n      \"A\": 12,\n      \"L\": [1, {\"ref\": \"X\"}]\n    }\n  }\n}\n";
        let file = parse(text).expect("valid");
        let Origin::File {
            line, column, span, ..
        } = file.origin(&["botium", "Capabilities", "A"])
        else {
            panic!("file origin expected")
        };
        assert_eq!((line, column), (4, 12));
        assert_eq!(&text[span.0..span.0 + span.1], "12");
        let Origin::File {
            line,
            span,
            json_path,
            ..
        } = file.origin(&["botium", "Capabilities", "L", "1"])
        else {
            panic!("file origin expected")
        };
        assert_eq!(line, 5);
        assert_eq!(&text[span.0..span.0 + span.1], "{\"ref\": \"X\"}");
        assert_eq!(json_path, "botium.Capabilities.L[1]");
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let text = "{\n  \"botium\": {\n    \"Capabilities\": { \"A\": 1, }\n  }\n}\n";
        let Err(error) = parse(text) else {
            panic!("syntax error expected")
        };
        let ConfigError::JsonSyntax {
            line, column, span, ..
        } = *error
        else {
            panic!("syntax error expected")
        };
        assert_eq!(line, 3);
        assert_eq!(column, 31);
        assert_eq!(&text[span.offset()..span.offset() + 1], "}");
    }

    #[test]
    fn masks_secret_values_even_in_broken_json() {
        let text = "{\"TWILIO_IVR_AUTH_TOKEN\" : \"s3cr\\\"et\", \"TWILIO_IVR_REDISURL\":\"redis://:pw@h\" oops";
        let masked = mask_secret_keys(text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("s3cr"));
        assert!(!masked.contains("pw@h"));
        assert!(masked.contains("oops"));
    }

    #[test]
    fn masks_listed_values_anywhere() {
        let masked = mask_values("a tok123 b tok123", &["tok123".to_string()]);
        assert_eq!(masked, "a ****** b ******");
    }
}
