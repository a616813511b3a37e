//! `.scriptingmemory.txt` tables: one test case per row (or per column), one variable per column
//! (or per row). Parsed and validated here; expansion into test cases is the runner's.
//!
//! ```text
//!         |$productName    |$customer          or          |product1
//! product1|Wiener Schnitzel|Joe                 $productName|Wiener Schnitzel
//! ```
//! Without `SCRIPTING_MEMORY_COLUMN_MODE`, Botium guesses: variables are rows when the first cell
//! of line 2 starts with `$`.

use super::ast::{Location, MemoryCase};
use super::diagnostics::{Diagnostic, Severity};
use super::source::{js_trim, Line, SourceFile};

/// Parses a table into cases; every problem is located.
pub fn parse_memory_table(
    source: &SourceFile,
    eol: Option<&str>,
    column_mode: Option<&str>,
) -> (Vec<MemoryCase>, Vec<Diagnostic>) {
    let lines: Vec<Line> = source
        .lines(eol)
        .into_iter()
        .filter(|l| !js_trim(l.text).is_empty())
        .collect();
    if lines.len() < 2 {
        return (Vec::new(), Vec::new());
    }
    let cells =
        |l: &Line| -> Vec<String> { l.text.split('|').map(|c| js_trim(c).to_string()).collect() };
    let rows: Vec<Vec<String>> = lines.iter().map(cells).collect();
    let variables_are_rows = match column_mode {
        Some(mode) => mode.to_ascii_uppercase().contains("TESTCASE"),
        None => rows[1].first().is_some_and(|c| c.starts_with('$')),
    };

    let mut cases = Vec::new();
    if variables_are_rows {
        for (col, name) in rows[0].iter().enumerate().skip(1) {
            let values = rows[1..]
                .iter()
                .map(|r| (r[0].clone(), r.get(col).cloned().unwrap_or_default()))
                .collect();
            cases.push((name.clone(), values, lines[0]));
        }
    } else {
        for (row, line) in rows[1..].iter().zip(&lines[1..]) {
            let values = rows[0]
                .iter()
                .enumerate()
                .skip(1)
                .map(|(col, var)| (var.clone(), row.get(col).cloned().unwrap_or_default()))
                .collect();
            cases.push((row[0].clone(), values, *line));
        }
    }

    let mut diagnostics = Vec::new();
    let mut result = Vec::new();
    for (name, values, line) in cases {
        let values: Vec<(String, String)> = values;
        let error = |message: &str| {
            Diagnostic::at(
                Severity::Error,
                source,
                line.offset,
                line.text.len(),
                message,
            )
        };
        if name.is_empty() {
            diagnostics.push(error("Scripting Memory Definition has no name"));
        } else if values.is_empty() {
            diagnostics.push(error("Scripting Memory Definition has no variables"));
        } else if values.iter().any(|(var, _)| var.is_empty()) {
            diagnostics.push(error("Scripting Memory Definition variable has no name"));
        } else {
            result.push(MemoryCase {
                name,
                values,
                location: Location {
                    file: source.path.clone(),
                    line: line.number,
                    column: 1,
                },
            });
        }
    }
    (result, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<MemoryCase>, Vec<Diagnostic>) {
        parse_memory_table(
            &SourceFile::from_text("m.scriptingmemory.txt", text),
            None,
            None,
        )
    }

    #[test]
    fn cases_as_rows() {
        let (cases, errors) =
            parse("        |$productName    |$customer\nproduct1|Wiener Schnitzel|Joe\n\n");
        assert!(errors.is_empty());
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].name, "product1");
        assert_eq!(
            cases[0].values,
            [
                ("$productName".into(), "Wiener Schnitzel".into()),
                ("$customer".into(), "Joe".into())
            ]
        );
    }

    #[test]
    fn variables_as_rows_are_guessed_from_the_dollar() {
        let (cases, errors) =
            parse("              |product1\n$productName  |Wiener Schnitzel\n$customer     |Joe");
        assert!(errors.is_empty());
        assert_eq!(cases[0].name, "product1");
        assert_eq!(cases[0].values[1], ("$customer".into(), "Joe".into()));
    }

    #[test]
    fn empty_cells_are_empty_values_and_missing_names_are_errors() {
        let (cases, errors) = parse(" |$a\ncase1|\n|x");
        assert_eq!(cases[0].values, [("$a".into(), String::new())]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].message.contains("has no name"));
    }
}
