//! Scripting-memory variable names in a text, by Botium's rule (`\$[A-Za-z]\w+` in JavaScript,
//! where `\w` is ASCII): `$`, a letter, then at least one more letter, digit or `_`. `$5,750` and
//! `$a` are not variables. Used by `check` (arguments known only during a call), by table
//! expansion (which test cases use a table) and by the runner (capture and substitution).

/// The variable names (with `$`) in `text`, in order.
pub fn memory_variables(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    text.match_indices('$')
        .filter_map(|(i, _)| {
            let end = bytes[i + 1..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(bytes.len(), |p| i + 1 + p);
            (end > i + 2 && bytes[i + 1].is_ascii_alphabetic()).then(|| &text[i..end])
        })
        .collect()
}

/// Whether `text` names a scripting-memory variable.
pub fn uses_memory(text: &str) -> bool {
    !memory_variables(text).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn botiums_rule_for_variable_names() {
        assert_eq!(
            memory_variables("order $order_id for $customer2, $5,750 and $a$bc."),
            ["$order_id", "$customer2", "$bc"]
        );
        assert_eq!(
            memory_variables("$état"),
            Vec::<&str>::new(),
            "ASCII letters only"
        );
        assert!(uses_memory("BUTTON $pin#"));
        assert!(!uses_memory("$a"));
    }
}
