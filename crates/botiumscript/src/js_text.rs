//! JavaScript's text rules that Botium's parsing, matching and ordering rely on.
//!
//! JavaScript's `trim` and `\s` use WhiteSpace plus LineTerminator, which differs from Rust's
//! `char::is_whitespace`: it includes U+FEFF and excludes U+0085. Using the same set keeps
//! parses and matches identical to Botium's. JavaScript compares strings by UTF-16 code units
//! ([`cmp_utf16`]), which is how Botium orders test cases.

use std::cmp::Ordering;

/// The set as the inside of a regex character class (for the `regex` crate's syntax).
pub const WHITESPACE_CLASS_ITEMS: &str = r"\x{9}-\x{D}\x{20}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

/// Whether `c` is whitespace for JavaScript's `\s` and `String.prototype.trim`.
pub fn is_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{D}'
            | ' '
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
            | '\u{FEFF}'
    )
}

/// JavaScript's `String.prototype.trim`.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_whitespace)
}

/// JavaScript's string order (UTF-16 code units).
///
/// UTF-8 bytes compare like code points, which is UTF-16 order except where one string has
/// U+E000..=U+FFFF and the other a character above U+FFFF (a surrogate pair, which sorts
/// lower). So the bytes decide, unless the first differing characters are both from U+E000 up.
pub fn cmp_utf16(a: &str, b: &str) -> Ordering {
    let same = a
        .bytes()
        .zip(b.bytes())
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let mut start = same;
    while !a.is_char_boundary(start) {
        start -= 1;
    }
    let (a, b) = (&a[start..], &b[start..]);
    match (a.chars().next(), b.chars().next()) {
        (Some(x), Some(y)) if x >= '\u{E000}' && y >= '\u{E000}' => {
            a.encode_utf16().cmp(b.encode_utf16())
        }
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_order_puts_astral_characters_below_the_private_use_area() {
        assert_eq!(cmp_utf16("a", "b"), Ordering::Less);
        assert_eq!(cmp_utf16("ab", "a"), Ordering::Greater);
        assert_eq!(cmp_utf16("x", "x"), Ordering::Equal);
        // U+1F600 is the pair D83D DE00, below U+FF01; by code point it is above.
        assert_eq!(cmp_utf16("a\u{1F600}", "a\u{FF01}"), Ordering::Less);
        assert_eq!(cmp_utf16("a\u{FF01}", "a\u{1F600}"), Ordering::Greater);
        assert_eq!(cmp_utf16("\u{D7FF}", "\u{1F600}"), Ordering::Less);
        assert_eq!(cmp_utf16("é", "\u{E9}z"), Ordering::Less);
    }

    proptest::proptest! {
        #[test]
        fn utf16_order_is_javascripts(
            a in "[a\u{E9}\u{D7FF}\u{E000}\u{FFFD}\u{10000}\u{1F600}]{0,4}",
            b in "[a\u{E9}\u{D7FF}\u{E000}\u{FFFD}\u{10000}\u{1F600}]{0,4}",
        ) {
            proptest::prop_assert_eq!(cmp_utf16(&a, &b), a.encode_utf16().cmp(b.encode_utf16()));
        }
    }

    #[test]
    fn trim_follows_javascript() {
        assert_eq!(trim("\u{FEFF} a \u{A0}\u{2028}"), "a");
        // U+0085 is whitespace to Rust but not to JavaScript.
        assert_eq!(trim("\u{85}a"), "\u{85}a");
    }

    #[test]
    fn the_class_string_matches_the_function() {
        let class = regex::Regex::new(&format!("^[{WHITESPACE_CLASS_ITEMS}]$")).unwrap();
        for c in (0..=0x3100u32)
            .chain([0xFEFF, 0x10000])
            .filter_map(char::from_u32)
        {
            assert_eq!(
                class.is_match(&c.to_string()),
                is_whitespace(c),
                "U+{:04X}",
                c as u32
            );
        }
    }
}
