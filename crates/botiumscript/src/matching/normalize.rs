//! Botium's `normalizeText` and the two remove options (reference §5.3).

use std::borrow::Cow;
use std::sync::OnceLock;

use super::error::MatchingError;
use super::js_regex::JsRegex;
use crate::js_text::is_whitespace as is_js_whitespace;

/// How texts are normalised before matching (`SCRIPTING_NORMALIZE_TEXT*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizeOptions {
    /// `SCRIPTING_NORMALIZE_TEXT` (default true): tags, control characters, entities, whitespace.
    pub enabled: bool,
    /// `SCRIPTING_NORMALIZE_TEXT_REMOVE_CHARACTERES`: substrings removed even when `enabled` is off.
    pub remove_characters: Vec<String>,
    /// `SCRIPTING_NORMALIZE_TEXT_REMOVE_REGEXP`: a JS regex (flags `ug`) whose matches are removed.
    pub remove_regexp: Option<String>,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions {
            enabled: true,
            remove_characters: Vec::new(),
            remove_regexp: None,
        }
    }
}

impl NormalizeOptions {
    /// Checks that `remove_regexp` compiles (call once at start-up; `normalize_text` skips a bad one).
    pub fn validate(&self) -> Result<(), MatchingError> {
        self.compile_remove_regexp().map(|_| ())
    }

    pub(crate) fn compile_remove_regexp(&self) -> Result<Option<JsRegex>, MatchingError> {
        self.remove_regexp
            .as_deref()
            .filter(|pattern| !pattern.is_empty())
            .map(|pattern| JsRegex::new(pattern, "ug"))
            .transpose()
    }
}

/// Parses the comma-separated string form of the remove-characters option.
///
/// `,` separates items, `/,` is a literal comma and `//` a literal slash; items are trimmed and
/// empty ones dropped. Botium's test: `,/,, +,-,//` gives `[",", "+", "-", "/"]`.
pub fn parse_remove_characters(list: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = list.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if matches!(chars.peek(), Some(',') | Some('/')) => {
                if let Some(escaped) = chars.next() {
                    current.push(escaped);
                }
            }
            ',' => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    items.push(current);
    items
        .into_iter()
        .map(|item| item.trim().to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

/// A constant pattern compiled once; `None` only if the constant were invalid (tests prove it is not).
fn static_regex(
    cell: &'static OnceLock<Option<regex::Regex>>,
    pattern: &str,
) -> Option<&'static regex::Regex> {
    cell.get_or_init(|| regex::Regex::new(pattern).ok())
        .as_ref()
}

fn replace_static(
    cell: &'static OnceLock<Option<regex::Regex>>,
    pattern: &str,
    text: String,
    with: &str,
) -> String {
    match static_regex(cell, pattern) {
        Some(regex) => regex.replace_all(&text, with).into_owned(),
        None => text,
    }
}

/// Botium's cleanup: tags, control characters, five entities, JS whitespace runs, trim.
fn cleanup(text: &str) -> String {
    // Every tag pattern starts with `<`: most texts have none.
    if !text.contains('<') {
        return controls_entities_and_spaces(text);
    }
    static P_OPEN: OnceLock<Option<regex::Regex>> = OnceLock::new();
    static P_CLOSE: OnceLock<Option<regex::Regex>> = OnceLock::new();
    static BR: OnceLock<Option<regex::Regex>> = OnceLock::new();
    static ANY_TAG: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let text = replace_static(&P_OPEN, "<p[^>]*>", text.to_string(), " ");
    let text = replace_static(&P_CLOSE, "</p>", text, " ");
    let text = replace_static(&BR, "<br[^>]*>", text, " ");
    let text = replace_static(&ANY_TAG, "<[^>]*>", text, "");
    controls_entities_and_spaces(&text)
}

/// Botium's normalisation after the tags: control characters become spaces, the five entities
/// are decoded, whitespace runs collapse and the ends are trimmed.
fn controls_entities_and_spaces(text: &str) -> String {
    let is_control = |c: char| c <= '\u{1F}' || c == '\u{7F}';
    // Each pass copies the text only when it has something to change.
    let text: Cow<'_, str> = if text.contains(is_control) {
        Cow::Owned(
            text.chars()
                .map(|c| if is_control(c) { ' ' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    };
    // One entity after the other, as Botium does: `&amp;lt;` ends up as `<`.
    let text = if text.contains('&') {
        Cow::Owned(
            text.replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&#39;", "'")
                .replace("&quot;", "\""),
        )
    } else {
        text
    };
    collapse_js_whitespace(&text)
}

/// Replaces each run of JS whitespace by one space and trims (JS `\s+` -> ` `, then `trim()`).
pub(crate) fn collapse_js_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if is_js_whitespace(c) {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Botium's `normalizeText` (when `enabled`), then the remove-characters and remove-regexp options.
///
/// A remove regexp that does not compile is skipped here; [`NormalizeOptions::validate`] reports it.
pub fn normalize_text(text: &str, opts: &NormalizeOptions) -> String {
    let regex = opts.compile_remove_regexp().ok().flatten();
    normalize_with(text, opts, regex.as_ref())
}

/// [`normalize_text`] with the remove regexp compiled in advance (the matcher compiles it once).
pub(crate) fn normalize_with(
    text: &str,
    opts: &NormalizeOptions,
    remove_regexp: Option<&JsRegex>,
) -> String {
    let mut text = if opts.enabled && !text.is_empty() {
        cleanup(text)
    } else {
        text.to_string()
    };
    for item in opts
        .remove_characters
        .iter()
        .filter(|item| !item.is_empty())
    {
        text = text.replace(item.as_str(), "");
    }
    if let Some(regex) = remove_regexp {
        text = regex.remove_all(&text);
    }
    text
}

/// Normalisation for a regexp-mode pattern: control characters, entities and whitespace only.
///
/// Botium normalises the pattern like any text, which deletes `<name>` in `(?<name>…)` and
/// `<=…>` spans in lookbehinds; we keep patterns intact (a deliberate difference).
pub(crate) fn normalize_pattern(pattern: &str, opts: &NormalizeOptions) -> String {
    if !opts.enabled || pattern.is_empty() {
        return pattern.to_string();
    }
    controls_entities_and_spaces(pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enabled() -> NormalizeOptions {
        NormalizeOptions::default()
    }

    #[test]
    fn verified_botium_example() {
        let input = "  <p>Hello</p><br/>  World &amp; \"x\"\n\n next\tline  ";
        assert_eq!(
            normalize_text(input, &enabled()),
            "Hello World & \"x\" next line"
        );
    }

    #[test]
    fn botium_basic_test() {
        assert_eq!(
            normalize_text("Hello!  <br>And this is the body!!!", &enabled()),
            "Hello! And this is the body!!!"
        );
    }

    #[test]
    fn tags_and_entities() {
        assert_eq!(normalize_text("a<b>c</b>d", &enabled()), "acd");
        assert_eq!(normalize_text("a<p class='x'>b", &enabled()), "a b");
        assert_eq!(normalize_text("&amp;lt; &#39;q&#39;", &enabled()), "< 'q'");
        assert_eq!(normalize_text("x\u{0}y\u{7F}z", &enabled()), "x y z");
    }

    #[test]
    fn js_whitespace_not_rust_whitespace() {
        assert_eq!(normalize_text("a\u{FEFF}\u{3000}b", &enabled()), "a b");
        // U+0085 is whitespace for Rust but not for JS `\s`; it is a C1 control, which Botium's
        // control-character range (\x00-\x1F) does not cover either.
        assert_eq!(normalize_text("a\u{85}b", &enabled()), "a\u{85}b");
    }

    #[test]
    fn disabled_keeps_text() {
        let opts = NormalizeOptions {
            enabled: false,
            ..NormalizeOptions::default()
        };
        assert_eq!(normalize_text("  <p>x</p> ", &opts), "  <p>x</p> ");
    }

    #[test]
    fn remove_characters_comma_form_botium_test() {
        let items = parse_remove_characters(",/,, +,-,//");
        assert_eq!(items, vec![",", "+", "-", "/"]);
        let opts = NormalizeOptions {
            enabled: false,
            remove_characters: items,
            remove_regexp: None,
        };
        assert_eq!(
            normalize_text("Hello,!+-/  <br>And this is the body!!!", &opts),
            "Hello!  <br>And this is the body!!!"
        );
    }

    #[test]
    fn remove_regexp_botium_test() {
        let opts = NormalizeOptions {
            enabled: false,
            remove_characters: Vec::new(),
            remove_regexp: Some(r"[\p{Emoji_Presentation}\p{Currency_Symbol}`]".to_string()),
        };
        assert!(opts.validate().is_ok());
        assert_eq!(
            normalize_text("A ticket` to 大阪 costs ¥2000👌.", &opts),
            "A ticket to 大阪 costs 2000."
        );
    }

    #[test]
    fn invalid_remove_regexp_is_reported_and_skipped() {
        let opts = NormalizeOptions {
            enabled: true,
            remove_characters: Vec::new(),
            remove_regexp: Some("(".to_string()),
        };
        assert!(matches!(
            opts.validate(),
            Err(MatchingError::InvalidRegexp { .. })
        ));
        assert_eq!(normalize_text(" a ", &opts), "a");
    }

    #[test]
    fn pattern_normalisation_keeps_named_groups() {
        assert_eq!(
            normalize_pattern("  (?<n>\\d+)\n x ", &enabled()),
            "(?<n>\\d+) x"
        );
    }
}
