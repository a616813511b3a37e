//! Text into HTML: every string the report shows (test names, transcripts, URLs, file paths)
//! passes through [`escape`], because all of it comes from scripts, recognisers and IVRs, and
//! the report must show it, never run it.

use std::fmt::Write;

/// `text` safe inside an element or a quoted attribute: `& < > " '` as character references.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A `<dl>` of label/value pairs; values are escaped here.
pub fn facts(class: &str, pairs: &[(&str, String)]) -> String {
    let mut out = format!("<dl class=\"{class}\">");
    for (label, value) in pairs {
        let _ = write!(
            out,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            escape(label),
            escape(value)
        );
    }
    out.push_str("</dl>");
    out
}

/// Test case names as an escaped, comma-separated list, or `none` (marked for styling).
pub fn test_names<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    let names: Vec<String> = names.into_iter().map(|name| escape(name)).collect();
    if names.is_empty() {
        "<span class=\"never\">none</span>".into()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_become_references() {
        assert_eq!(
            escape("<script>alert('x & \"y\"')</script>"),
            "&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("plain text é"), "plain text é");
    }

    #[test]
    fn facts_escape_labels_and_values() {
        let html = facts("f", &[("<b>", "a&b".into())]);
        assert_eq!(
            html,
            "<dl class=\"f\"><div><dt>&lt;b&gt;</dt><dd>a&amp;b</dd></div></dl>"
        );
    }
}
