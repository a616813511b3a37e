//! Expanding `*.scriptingmemory.txt` tables into test cases (reference §3.8): every test case
//! that uses a variable of a table becomes one test case per row, `<convo>.<case>`, whose
//! `#begin` sets the row's variables (`SET_SCRIPTING_MEMORY`; an empty cell clears).
//!
//! Tables whose variable sets are disjoint multiply (`<convo>.<case1>.<case2>`); two tables
//! that share some variables but not all are an error ("variable name collision"), and so is a
//! case name used twice for the same variables. The original test case is dropped unless
//! `SCRIPTING_MEMORYEXPANSION_KEEP_ORIG` is set.
//!
//! Ours on purpose: Botium also needs the command-line flag `--expandscriptingmemory`; here
//! `SCRIPTING_ENABLE_MEMORY=true` is enough, since a table is written only to be expanded.

use std::collections::BTreeSet;

use super::ast::{Convo, ConvoStep, HookCall, Location, MemoryCase, Sender};
use super::expansion::MAX_TEST_CASES_PER_CONVO;
use super::variables::memory_variables;

/// The rows of the tables, grouped by their variable set.
#[derive(Debug, Default)]
pub struct MemoryTables {
    groups: Vec<(BTreeSet<String>, Vec<MemoryCase>)>,
}

/// A problem with the tables, at a row.
#[derive(Debug, Clone, PartialEq)]
pub struct TableError {
    /// The row.
    pub location: Location,
    /// Botium's wording where it has one.
    pub message: String,
}

impl MemoryTables {
    /// Groups the rows; rows that cannot be used are reported and left out.
    pub fn new(cases: &[MemoryCase]) -> (MemoryTables, Vec<TableError>) {
        let mut tables = MemoryTables::default();
        let mut errors = Vec::new();
        for case in cases {
            let variables: BTreeSet<String> = case.values.iter().map(|(v, _)| v.clone()).collect();
            let error = |message: String| TableError {
                location: case.location.clone(),
                message,
            };
            if let Some((other, _)) = tables
                .groups
                .iter()
                .find(|(set, _)| *set != variables && !set.is_disjoint(&variables))
            {
                errors.push(error(format!(
                    "Scripting Memory Definition variable name collision: {} and {} share some variables but not all",
                    join(&variables),
                    join(other)
                )));
                continue;
            }
            match tables.groups.iter_mut().find(|(set, _)| *set == variables) {
                Some((_, rows)) if rows.iter().any(|r| r.name == case.name) => {
                    errors.push(error(format!(
                        "Scripting Memory Definition name \"{}\" is not unique",
                        case.name
                    )))
                }
                Some((_, rows)) => rows.push(case.clone()),
                None => tables.groups.push((variables, vec![case.clone()])),
            }
        }
        (tables, errors)
    }

    /// The test cases `convo` becomes; `Err` with the count when there would be too many.
    pub fn expand(&self, convo: Convo, keep_original: bool) -> Result<Vec<Convo>, usize> {
        if self.groups.is_empty() {
            return Ok(vec![convo]);
        }
        let used = used_variables(&convo);
        let tables: Vec<&Vec<MemoryCase>> = self
            .groups
            .iter()
            .filter(|(set, _)| !set.is_disjoint(&used))
            .map(|(_, rows)| rows)
            .collect();
        if tables.is_empty() {
            return Ok(vec![convo]);
        }
        let count = tables
            .iter()
            .try_fold(1usize, |n, rows| n.checked_mul(rows.len()))
            .unwrap_or(usize::MAX);
        if count > MAX_TEST_CASES_PER_CONVO {
            return Err(count);
        }
        let mut combinations: Vec<Vec<&MemoryCase>> = vec![Vec::new()];
        for rows in tables {
            combinations = combinations
                .into_iter()
                .flat_map(|picked| {
                    rows.iter().map(move |row| {
                        let mut picked = picked.clone();
                        picked.push(row);
                        picked
                    })
                })
                .collect();
        }
        let mut cases = Vec::with_capacity(combinations.len() + 1);
        for rows in combinations {
            let name = rows
                .iter()
                .fold(convo.name.clone(), |n, r| format!("{n}.{}", r.name));
            let mut steps: Vec<ConvoStep> = rows.iter().map(|row| begin_step(row)).collect();
            steps.extend(convo.steps.iter().cloned());
            cases.push(convo.with_steps(name, steps));
        }
        if keep_original {
            cases.insert(0, convo);
        }
        Ok(cases)
    }
}

fn join(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// A `#begin` step that sets (or, for an empty cell, clears) a row's variables.
fn begin_step(row: &MemoryCase) -> ConvoStep {
    let line = row.location.line;
    let logic_hooks = row
        .values
        .iter()
        .map(|(variable, value)| {
            let name = variable.trim_start_matches('$').to_string();
            if value.is_empty() {
                HookCall {
                    name: "CLEAR_SCRIPTING_MEMORY".into(),
                    args: vec![name],
                    line,
                }
            } else {
                HookCall {
                    name: "SET_SCRIPTING_MEMORY".into(),
                    args: vec![name, value.clone()],
                    line,
                }
            }
        })
        .collect();
    ConvoStep {
        sender: Sender::Begin,
        channel: None,
        step_tag: format!("Line {line}"),
        location: row.location.clone(),
        text: None,
        source_data: None,
        not: false,
        optional: false,
        asserters: Vec::new(),
        logic_hooks,
        user_inputs: Vec::new(),
    }
}

/// The `$variables` a test case mentions, in texts and arguments.
fn used_variables(convo: &Convo) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut scan = |text: &str| {
        used.extend(memory_variables(text).into_iter().map(str::to_string));
    };
    for step in &convo.steps {
        scan(step.text.as_deref().unwrap_or(""));
        let args = step
            .asserters
            .iter()
            .flat_map(|a| &a.args)
            .chain(step.logic_hooks.iter().flat_map(|h| &h.args))
            .chain(step.user_inputs.iter().flat_map(|u| &u.args));
        for arg in args {
            scan(arg);
        }
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convo::convo_file::parse_convo;
    use crate::convo::memory_table::parse_memory_table;
    use crate::convo::source::SourceFile;
    use crate::convo::Registry;

    fn convo(script: &str) -> Convo {
        parse_convo(
            &SourceFile::from_text("order.convo.txt", script),
            "order",
            &Registry::default(),
            None,
        )
        .convo
        .expect("parses")
    }

    fn tables(texts: &[&str]) -> (MemoryTables, Vec<TableError>) {
        let cases: Vec<MemoryCase> = texts
            .iter()
            .enumerate()
            .flat_map(|(i, text)| {
                let source = SourceFile::from_text(format!("t{i}.scriptingmemory.txt"), text);
                parse_memory_table(&source, None, None).0
            })
            .collect();
        MemoryTables::new(&cases)
    }

    #[test]
    fn one_test_case_per_row_with_its_values_set_first() {
        let (tables, errors) =
            tables(&["     |$product   |$customer\nfood |Schnitzel  |Joe\ndrink|Tea        |\n"]);
        assert!(errors.is_empty(), "{errors:?}");
        let cases = tables
            .expand(
                convo("order\n\n#me\nI am $customer and want $product\n\n#bot\nOK\n"),
                false,
            )
            .expect("expands");
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["order.food", "order.drink"]);
        let begin = &cases[1].steps[0];
        assert_eq!(begin.sender, Sender::Begin);
        let hooks: Vec<(&str, Vec<String>)> = begin
            .logic_hooks
            .iter()
            .map(|h| (h.name.as_str(), h.args.clone()))
            .collect();
        assert_eq!(
            hooks,
            [
                (
                    "SET_SCRIPTING_MEMORY",
                    vec!["product".to_string(), "Tea".to_string()]
                ),
                ("CLEAR_SCRIPTING_MEMORY", vec!["customer".to_string()]),
            ]
        );
        assert_eq!(cases[1].steps.len(), 3);
    }

    #[test]
    fn unrelated_test_cases_stay_and_originals_are_kept_on_request() {
        let (tables, _) = tables(&["  |$pin\na |1234\nb |9999\n"]);
        let plain = convo("plain\n\n#me\nhello\n");
        assert_eq!(
            tables.expand(plain.clone(), false).expect("ok"),
            vec![plain.clone()]
        );
        let uses = convo("pin\n\n#me\nBUTTON $pin#\n");
        let names: Vec<String> = tables
            .expand(uses, true)
            .expect("ok")
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["pin", "pin.a", "pin.b"]);
    }

    #[test]
    fn disjoint_tables_multiply() {
        let (tables, errors) = tables(&[
            "  |$pin\na |1\nb |2\n",
            "   |$lang\nen |English\nde |German\nfr |French\n",
        ]);
        assert!(errors.is_empty());
        let cases = tables
            .expand(convo("x\n\n#me\n$lang\nBUTTON $pin\n"), false)
            .expect("ok");
        assert_eq!(cases.len(), 6);
        assert_eq!(cases[0].name, "x.a.en");
        assert_eq!(
            cases[0]
                .steps
                .iter()
                .filter(|s| s.sender == Sender::Begin)
                .count(),
            2
        );
    }

    #[test]
    fn collisions_and_duplicate_names_are_errors_at_their_row() {
        let (_, errors) = tables(&[
            "  |$pin|$lang\na |1   |en\n",
            "  |$pin\nb |2\n",
            "  |$pin|$lang\na |3   |de\n",
        ]);
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("variable name collision"),
            "{messages:?}"
        );
        assert!(messages[1].contains("\"a\" is not unique"), "{messages:?}");
        assert_eq!(errors[0].location.line, 2);
    }
}
