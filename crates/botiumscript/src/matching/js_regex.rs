//! JavaScript regular expressions on a Rust engine.
//!
//! Botium builds `new RegExp(text, flags)`. We compile the same text with `fancy-regex` (for
//! lookaround and backreferences) after rewriting the few places where JavaScript and the Rust
//! syntax disagree, so that a pattern means what it meant under Node:
//!
//! | JavaScript | rewritten to | why |
//! |---|---|---|
//! | `.` | `[^\n\r\u2028\u2029]` | JS `.` stops at all four line terminators, Rust's only at `\n` |
//! | `\s`, `\S` | JS's exact whitespace set | Rust's Unicode `\s` includes U+0085 and lacks U+FEFF |
//! | `\d`, `\w` (and negations) | ASCII classes | JS classes are ASCII-only, Rust's are Unicode |
//! | `\b`, `\B` | lookarounds on `[A-Za-z0-9_]` | JS word boundaries are ASCII-only |
//! | `\/`, `\<`, `\a` … (identity escapes) | the literal character | `\<` is a word boundary and `\a` a bell in Rust |
//! | `{` that is no quantifier, lone `}` and `]` | escaped | JS (Annex B) takes them literally, Rust rejects them |
//! | `[^]`, `[]` | any character, nothing | Rust has no empty class syntax |
//! | `[` `&` `~` inside a class | escaped | nested classes and set operators in Rust |
//! | `\cX`, `\0`, `\v`, `\xHH`, `\uHHHH` | `\x{…}` | one spelling the engine reads everywhere |
//!
//! With the `u` flag (used for `SCRIPTING_NORMALIZE_TEXT_REMOVE_REGEXP`, flags `ug`), `\p{…}` and
//! `\u{…}` keep their meaning; without it they are the letters `p` and `u`, as in JS.
//! Everything else (groups, named groups, backreferences, lookaround, lazy quantifiers) passes
//! through; what the engine cannot do (e.g. a variable-length lookbehind) is reported as
//! [`MatchingError::InvalidRegexp`].

use super::error::MatchingError;

pub(crate) use crate::js_text::{
    is_whitespace as is_js_whitespace, WHITESPACE_CLASS_ITEMS as JS_WHITESPACE_CLASS_ITEMS,
};

const WORD_ITEMS: &str = "A-Za-z0-9_";
/// Limit on backtracking steps, so a pathological pattern fails instead of hanging a run.
const BACKTRACK_LIMIT: usize = 1_000_000;

/// Compiles a JavaScript pattern with JS semantics; `ignore_case` is the `i` flag, `unicode` the `u` flag.
pub fn compile_js_regex(
    pattern: &str,
    ignore_case: bool,
    unicode: bool,
) -> Result<fancy_regex::Regex, MatchingError> {
    let invalid = |message: String| MatchingError::InvalidRegexp {
        pattern: pattern.to_string(),
        message,
    };
    let translated = translate(pattern, unicode).map_err(invalid)?;
    let source = if ignore_case {
        format!("(?i){translated}")
    } else {
        translated
    };
    fancy_regex::RegexBuilder::new(&source)
        .backtrack_limit(BACKTRACK_LIMIT)
        .build()
        .map_err(|err| invalid(err.to_string()))
}

/// `regex.test(text)` with the error named after the user's pattern.
pub(crate) fn js_test(
    regex: &fancy_regex::Regex,
    pattern: &str,
    text: &str,
) -> Result<bool, MatchingError> {
    regex
        .is_match(text)
        .map_err(|err| MatchingError::RegexpRuntime {
            pattern: pattern.to_string(),
            message: err.to_string(),
        })
}

fn push_literal(out: &mut String, c: char) {
    out.push_str(&format!("\\x{{{:X}}}", c as u32));
}

/// Rewrites a JavaScript pattern into fancy-regex syntax (see the module doc).
pub(crate) fn translate(pattern: &str, unicode: bool) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                i = translate_escape(&chars, i, unicode, false, &mut out)?;
                continue;
            }
            '[' => {
                i = translate_class(&chars, i, unicode, &mut out)?;
                continue;
            }
            '.' => out.push_str(r"[^\n\r\x{2028}\x{2029}]"),
            '{' => match quantifier_len(&chars, i) {
                Some(len) => {
                    out.extend(&chars[i..i + len]);
                    i += len;
                    continue;
                }
                None => push_literal(&mut out, '{'),
            },
            '}' | ']' => push_literal(&mut out, c),
            // Rust-only group syntax JS rejects; keep it rejected rather than silently accepting it.
            '(' if chars.get(i + 1) == Some(&'?')
                && matches!(chars.get(i + 2), Some('P') | Some('>') | Some('(')) =>
            {
                return Err(format!("unsupported group syntax at position {i}"));
            }
            '#' | ' ' => push_literal(&mut out, c),
            _ => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

/// Length of a valid JS quantifier `{n}`, `{n,}`, `{n,m}` starting at `start`, if any.
fn quantifier_len(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start + 1;
    let digits_from = i;
    while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
        i += 1;
    }
    if i == digits_from {
        return None;
    }
    if chars.get(i) == Some(&',') {
        i += 1;
        while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
    }
    (chars.get(i) == Some(&'}')).then_some(i + 1 - start)
}

/// What one escape stands for.
enum Escape {
    /// A single character (to be emitted literally).
    Char(char),
    /// A class such as `\d` (its items, and whether negated).
    Class(&'static str, bool),
    /// Something emitted verbatim (backreference, assertion, Unicode property).
    Verbatim(String),
}

fn parse_hex(chars: &[char], from: usize, len: usize) -> Option<char> {
    let digits: String = chars.get(from..from + len)?.iter().collect();
    if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(&digits, 16)
        .ok()
        .and_then(char::from_u32)
}

/// Parses the escape at `start` (a backslash); returns it and the index after it.
fn parse_escape(
    chars: &[char],
    start: usize,
    unicode: bool,
    in_class: bool,
) -> Result<(Escape, usize), String> {
    let Some(&c) = chars.get(start + 1) else {
        return Err("\\ at end of pattern".to_string());
    };
    let next = start + 2;
    let escape = match c {
        'd' => Escape::Class("0-9", false),
        'D' => Escape::Class("0-9", true),
        'w' => Escape::Class(WORD_ITEMS, false),
        'W' => Escape::Class(WORD_ITEMS, true),
        's' => Escape::Class(JS_WHITESPACE_CLASS_ITEMS, false),
        'S' => Escape::Class(JS_WHITESPACE_CLASS_ITEMS, true),
        'n' => Escape::Char('\n'),
        'r' => Escape::Char('\r'),
        't' => Escape::Char('\t'),
        'v' => Escape::Char('\u{B}'),
        'f' => Escape::Char('\u{C}'),
        'b' if in_class => Escape::Char('\u{8}'),
        'b' => Escape::Verbatim(format!(
            "(?:(?<=[{WORD_ITEMS}])(?![{WORD_ITEMS}])|(?<![{WORD_ITEMS}])(?=[{WORD_ITEMS}]))"
        )),
        'B' if !in_class => Escape::Verbatim(format!(
            "(?:(?<=[{WORD_ITEMS}])(?=[{WORD_ITEMS}])|(?<![{WORD_ITEMS}])(?![{WORD_ITEMS}]))"
        )),
        'c' => match chars.get(next) {
            Some(letter) if letter.is_ascii_alphabetic() => {
                let control = char::from_u32(*letter as u32 % 32).unwrap_or('\0');
                return Ok((Escape::Char(control), next + 1));
            }
            // Annex B: `\c` not followed by a letter is a literal backslash and `c`.
            _ => return Ok((Escape::Verbatim(r"\x{5C}c".to_string()), next)),
        },
        '0' if !chars.get(next).is_some_and(|d| d.is_ascii_digit()) => Escape::Char('\0'),
        '1'..='9' if !in_class => {
            let mut end = next;
            while chars.get(end).is_some_and(|d| d.is_ascii_digit()) {
                end += 1;
            }
            let digits: String = chars[start + 1..end].iter().collect();
            return Ok((Escape::Verbatim(format!("\\{digits}")), end));
        }
        'x' => match parse_hex(chars, next, 2) {
            Some(ch) => return Ok((Escape::Char(ch), next + 2)),
            None => Escape::Char('x'),
        },
        'u' => {
            if let Some(ch) = parse_hex(chars, next, 4) {
                return Ok((Escape::Char(ch), next + 4));
            }
            if unicode && chars.get(next) == Some(&'{') {
                let close = chars[next..]
                    .iter()
                    .position(|&ch| ch == '}')
                    .map(|offset| next + offset)
                    .ok_or("unterminated \\u{…}")?;
                let digits: String = chars[next + 1..close].iter().collect();
                let ch = u32::from_str_radix(&digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("invalid code point \\u{{{digits}}}"))?;
                return Ok((Escape::Char(ch), close + 1));
            }
            if unicode {
                return Err("invalid \\u escape".to_string());
            }
            Escape::Char('u')
        }
        'p' | 'P' if unicode => {
            if chars.get(next) != Some(&'{') {
                return Err(format!("\\{c} needs a {{property}}"));
            }
            let close = chars[next..]
                .iter()
                .position(|&ch| ch == '}')
                .map(|offset| next + offset)
                .ok_or("unterminated \\p{…}")?;
            let body: String = chars[start..=close].iter().collect();
            return Ok((Escape::Verbatim(body), close + 1));
        }
        'k' if !in_class && chars.get(next) == Some(&'<') => {
            let close = chars[next..]
                .iter()
                .position(|&ch| ch == '>')
                .map(|offset| next + offset)
                .ok_or("unterminated \\k<name>")?;
            let body: String = chars[start..=close].iter().collect();
            return Ok((Escape::Verbatim(body), close + 1));
        }
        other => {
            if unicode && other.is_ascii_alphanumeric() {
                return Err(format!("invalid escape \\{other}"));
            }
            Escape::Char(other)
        }
    };
    Ok((escape, next))
}

/// Translates the escape at `start` outside a class; returns the index after it.
fn translate_escape(
    chars: &[char],
    start: usize,
    unicode: bool,
    in_class: bool,
    out: &mut String,
) -> Result<usize, String> {
    let (escape, next) = parse_escape(chars, start, unicode, in_class)?;
    match escape {
        Escape::Char(ch) => push_literal(out, ch),
        Escape::Class(items, negated) => {
            out.push('[');
            if negated {
                out.push('^');
            }
            out.push_str(items);
            out.push(']');
        }
        Escape::Verbatim(text) => out.push_str(&text),
    }
    Ok(next)
}

/// One item of a character class.
enum ClassAtom {
    Char(char),
    Set(String),
}

fn class_atom(chars: &[char], i: usize, unicode: bool) -> Result<(ClassAtom, usize), String> {
    if chars[i] != '\\' {
        return Ok((ClassAtom::Char(chars[i]), i + 1));
    }
    let (escape, next) = parse_escape(chars, i, unicode, true)?;
    let atom = match escape {
        Escape::Char(ch) => ClassAtom::Char(ch),
        Escape::Class(items, false) => ClassAtom::Set(items.to_string()),
        Escape::Class(items, true) => ClassAtom::Set(format!("[^{items}]")),
        Escape::Verbatim(text) => ClassAtom::Set(text),
    };
    Ok((atom, next))
}

/// Translates the class starting at `start` (`[`); returns the index after its `]`.
fn translate_class(
    chars: &[char],
    start: usize,
    unicode: bool,
    out: &mut String,
) -> Result<usize, String> {
    let mut i = start + 1;
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    if chars.get(i) == Some(&']') {
        // `[]` never matches; `[^]` matches any character, newlines included.
        out.push_str(if negated { "(?s:.)" } else { "(?!)" });
        return Ok(i + 1);
    }
    let mut body = String::new();
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("missing ] to close a character class".to_string());
        };
        if c == ']' {
            break;
        }
        let (atom, next) = class_atom(chars, i, unicode)?;
        i = next;
        match atom {
            ClassAtom::Set(items) => body.push_str(&items),
            ClassAtom::Char(low) => {
                let is_range = chars.get(i) == Some(&'-')
                    && chars.get(i + 1).is_some_and(|&after| after != ']');
                if is_range {
                    let (high, after) = class_atom(chars, i + 1, unicode)?;
                    match high {
                        ClassAtom::Char(high) => {
                            if high < low {
                                return Err(format!(
                                    "range out of order in character class: {low}-{high}"
                                ));
                            }
                            push_literal(&mut body, low);
                            body.push('-');
                            push_literal(&mut body, high);
                        }
                        ClassAtom::Set(items) => {
                            // Annex B: `[a-\d]` is `a`, `-` and the digits.
                            push_literal(&mut body, low);
                            push_literal(&mut body, '-');
                            body.push_str(&items);
                        }
                    }
                    i = after;
                } else {
                    push_literal(&mut body, low);
                }
            }
        }
    }
    out.push('[');
    if negated {
        out.push('^');
    }
    out.push_str(&body);
    out.push(']');
    Ok(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(pattern: &str, ignore_case: bool, text: &str) -> bool {
        let regex = compile_js_regex(pattern, ignore_case, false).expect("compiles");
        js_test(&regex, pattern, text).expect("runs")
    }

    #[test]
    fn botium_regex_example_matches() {
        assert!(test(
            r"my account balance is \$\d+.",
            false,
            "my account balance is $15000."
        ));
        assert!(!test(
            r"my account balance is \$\d+.",
            false,
            "my account balance is 15000."
        ));
    }

    #[test]
    fn ignore_case_flag() {
        assert!(test("hello", true, "Oh, HELLO there!"));
        assert!(!test("hello", false, "Oh, HELLO there!"));
    }

    #[test]
    fn dot_stops_at_js_line_terminators() {
        assert!(!test("a.b", false, "a\rb"));
        assert!(!test("a.b", false, "a\u{2028}b"));
        assert!(test("a.b", false, "a-b"));
    }

    #[test]
    fn whitespace_is_the_js_set() {
        assert!(test(r"a\sb", false, "a\u{FEFF}b"));
        assert!(!test(r"a\sb", false, "a\u{85}b"));
        assert!(test(r"a[\s]b", false, "a\u{A0}b"));
        assert!(test(r"a[^\S]b", false, "a b"));
    }

    #[test]
    fn digit_and_word_classes_are_ascii() {
        assert!(!test(r"^\d$", false, "٣"));
        assert!(!test(r"^\w$", false, "é"));
        assert!(test(r"^\w$", false, "_"));
    }

    #[test]
    fn word_boundary_is_ascii() {
        // JS: `é` is no word character, so there is a boundary between `f` and `é`.
        assert!(test(r"\bcaf\b", false, "café"));
        assert!(!test(r"\bcat\b", false, "cats"));
        assert!(test(r"\Bat", false, "cat"));
    }

    #[test]
    fn identity_escapes_are_literals() {
        assert!(test(r"\<b\>", false, "<b>"));
        assert!(test(r"a\/b", false, "a/b"));
        assert!(test(r"\a", false, "a"));
    }

    #[test]
    fn braces_that_are_no_quantifier_are_literal() {
        assert!(test("{name}", false, "hello {name}"));
        assert!(test("a{2}", false, "aa"));
        assert!(!test("^a{2}$", false, "a{2}"));
        assert!(test("a{,2}", false, "a{,2}"));
        assert!(test("x]", false, "x]"));
    }

    #[test]
    fn empty_classes() {
        assert!(test("a[^]b", false, "a\nb"));
        assert!(!test("a[]b", false, "ab"));
    }

    #[test]
    fn class_specials_are_literal() {
        assert!(test("[[]", false, "["));
        assert!(test("^[a&&b]+$", false, "a&&b"));
        assert!(test("^[\\d-x]+$", false, "1-x"));
        assert!(test("^[a-c]+$", false, "abc"));
        assert!(!test("^[a-c]+$", false, "abd"));
    }

    #[test]
    fn lookaround_backrefs_and_named_groups() {
        assert!(test(r"(\w)\1", false, "hello"));
        assert!(test(r"(?<d>\d)\k<d>", false, "a11"));
        assert!(test(r"foo(?=bar)", false, "foobar"));
        assert!(!test(r"foo(?!bar)", false, "foobar"));
        assert!(test(r"(?<=\$)\d+", false, "$15"));
    }

    #[test]
    fn hex_unicode_and_control_escapes() {
        assert!(test(r"\x41\u0042", false, "AB"));
        assert!(test(r"\cJ", false, "\n"));
        assert!(test(r"\u{2}", false, "uu"));
    }

    #[test]
    fn unicode_flag_enables_properties() {
        let regex = compile_js_regex(r"[\p{Currency_Symbol}`]", false, true).expect("compiles");
        assert!(js_test(&regex, "", "¥").expect("runs"));
        let regex = compile_js_regex(r"\u{1F44C}", false, true).expect("compiles");
        assert!(js_test(&regex, "", "👌").expect("runs"));
    }

    #[test]
    fn invalid_patterns_name_the_pattern() {
        let err = compile_js_regex("(unclosed", false, false).expect_err("invalid");
        let text = err.to_string();
        assert!(text.contains("\"(unclosed\""), "{text}");
        assert!(compile_js_regex("[z-a]", false, false).is_err());
        assert!(compile_js_regex("abc\\", false, false).is_err());
        assert!(compile_js_regex("(?P<x>a)", false, false).is_err());
    }
}
