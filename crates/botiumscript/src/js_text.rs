//! JavaScript's notion of whitespace, which Botium's parsing and matching rely on.
//!
//! JavaScript's `trim` and `\s` use WhiteSpace plus LineTerminator, which differs from Rust's
//! `char::is_whitespace`: it includes U+FEFF and excludes U+0085. Using the same set keeps
//! parses and matches identical to Botium's.

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

#[cfg(test)]
mod tests {
    use super::*;

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
