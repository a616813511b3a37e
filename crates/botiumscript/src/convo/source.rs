//! Source text: decoding and line splitting.
//!
//! Botium splits a file on `/\r\n|\r|\n/` (or on `SCRIPTING_TXT_EOL`) and trims with JavaScript's
//! `String.prototype.trim` (see [`crate::js_text`]).

use std::path::PathBuf;
use std::sync::Arc;

/// A decoded script file, kept whole so diagnostics can show the offending line.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user named it.
    pub path: Arc<PathBuf>,
    /// The text, without a leading byte-order mark.
    pub text: Arc<str>,
}

/// One physical line of a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based line number.
    pub number: usize,
    /// Byte offset of the line's start in the source text.
    pub offset: usize,
    /// The line without its terminator.
    pub text: &'a str,
}

/// A file that is not UTF-8: where the first bad byte is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUtf8 {
    /// 1-based line of the first invalid byte.
    pub line: usize,
    /// 1-based column (characters before it on its line, plus one).
    pub column: usize,
}

impl SourceFile {
    /// Decodes raw bytes as UTF-8, with or without a byte-order mark.
    pub fn decode(path: Arc<PathBuf>, bytes: &[u8]) -> Result<SourceFile, NotUtf8> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile {
                path,
                text: Arc::from(text),
            }),
            Err(err) => {
                let valid = &bytes[..err.valid_up_to()];
                // The prefix is valid by construction; fall back to lossy only to count.
                let prefix = String::from_utf8_lossy(valid);
                let line = 1 + prefix.matches('\n').count();
                let column = 1 + prefix.rsplit('\n').next().map_or(0, |l| l.chars().count());
                Err(NotUtf8 { line, column })
            }
        }
    }

    /// Wraps text that is already decoded (tests, generated suites).
    pub fn from_text(path: impl Into<PathBuf>, text: &str) -> SourceFile {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        SourceFile {
            path: Arc::new(path.into()),
            text: Arc::from(text),
        }
    }

    /// The file's lines, split as Botium splits them.
    pub fn lines(&self, eol: Option<&str>) -> Vec<Line<'_>> {
        split_lines(&self.text, eol)
    }
}

/// Splits on `\r\n`, `\r` or `\n` (mixed freely), or on a custom separator when one is given.
pub fn split_lines<'a>(text: &'a str, eol: Option<&str>) -> Vec<Line<'a>> {
    let bytes = text.as_bytes();
    // At most one line per line-break byte, plus the last: one allocation.
    let mut lines = Vec::with_capacity(memchr::memchr2_iter(b'\r', b'\n', bytes).count() + 1);
    let mut start = 0;
    let mut number = 1;
    let mut push = |start: usize, end: usize| {
        lines.push(Line {
            number,
            offset: start,
            text: &text[start..end],
        });
        number += 1;
    };
    match eol.filter(|e| !e.is_empty()) {
        Some(sep) => {
            for (end, _) in text.match_indices(sep) {
                push(start, end);
                start = end + sep.len();
            }
        }
        None => {
            for end in memchr::memchr2_iter(b'\r', b'\n', bytes) {
                // The `\n` of a `\r\n` ends no line of its own.
                if end < start {
                    continue;
                }
                push(start, end);
                start = match &bytes[end..] {
                    [b'\r', b'\n', ..] => end + 2,
                    _ => end + 1,
                };
            }
        }
    }
    push(start, text.len());
    lines
}

pub use crate::js_text::{is_whitespace as is_js_whitespace, trim as js_trim};

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(lines: &[Line<'a>]) -> Vec<&'a str> {
        lines.iter().map(|l| l.text).collect()
    }

    #[test]
    fn splits_lf_crlf_cr_and_mixed() {
        assert_eq!(texts(&split_lines("a\nb", None)), ["a", "b"]);
        assert_eq!(texts(&split_lines("a\r\nb\r\n", None)), ["a", "b", ""]);
        assert_eq!(texts(&split_lines("a\rb", None)), ["a", "b"]);
        assert_eq!(
            texts(&split_lines("n\n\n#bot\r\nrn\r\n\r#bot\rr", None)),
            ["n", "", "#bot", "rn", "", "#bot", "r"]
        );
        // "\n\r" is two line breaks, as with /\r\n|\r|\n/.
        assert_eq!(texts(&split_lines("a\n\rb", None)), ["a", "", "b"]);
    }

    #[test]
    fn line_numbers_and_offsets_point_into_the_text() {
        let text = "x\r\nyy\rz";
        let lines = split_lines(text, None);
        assert_eq!(lines[1].number, 2);
        assert_eq!(&text[lines[1].offset..lines[1].offset + 2], "yy");
        assert_eq!(lines[2].number, 3);
        assert_eq!(&text[lines[2].offset..], "z");
    }

    proptest::proptest! {
        /// The same lines as JavaScript's `split(/\r\n|\r|\n/)`.
        #[test]
        fn splits_like_the_javascript_regex(text in "[a\r\n]{0,12}") {
            let reference = regex::Regex::new("\r\n|\r|\n").unwrap();
            let expected: Vec<&str> = reference.split(&text).collect();
            proptest::prop_assert_eq!(texts(&split_lines(&text, None)), expected);
        }
    }

    #[test]
    fn custom_eol_splits_only_on_it() {
        assert_eq!(texts(&split_lines("a\nb;;c", Some(";;"))), ["a\nb", "c"]);
    }

    #[test]
    fn byte_order_mark_is_dropped() {
        let file = SourceFile::decode(Arc::new("x".into()), b"\xEF\xBB\xBFname\n#me").unwrap();
        assert_eq!(&*file.text, "name\n#me");
    }

    #[test]
    fn invalid_utf8_reports_line_and_column() {
        let err = SourceFile::decode(Arc::new("x".into()), b"ok\nab\xFFc").unwrap_err();
        assert_eq!(err, NotUtf8 { line: 2, column: 3 });
    }
}
