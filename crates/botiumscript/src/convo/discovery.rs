//! Finding script files under the paths the user gave, as Botium does.
//!
//! - Folders are searched recursively; `.gitignore` rules apply and dot-files are not read
//!   (Botium's `globby` with `gitignore: true`).
//! - A file whose base name starts with `skip` plus `.`, `-` or `_` (any case) is skipped; a file
//!   named on the command line is always read.
//! - Botium's other script formats (Excel, CSV, YAML, JSON, Markdown) are not read; a file in such
//!   a format that holds scripts is reported, so nothing is silently dropped.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::diagnostics::{Diagnostic, Severity};

/// What a script file holds, by its suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptKind {
    /// `.convo.txt`: a test case.
    Convo,
    /// `.pconvo.txt`: a partial convo.
    PartialConvo,
    /// `.utterances.txt`: an utterance list.
    Utterances,
    /// `.scriptingmemory.txt`: a scripting memory table.
    MemoryTable,
}

impl ScriptKind {
    /// The kind for a file name, if it is a BotiumScript text file.
    pub fn of(file_name: &str) -> Option<ScriptKind> {
        if file_name.ends_with(".convo.txt") {
            Some(ScriptKind::Convo)
        } else if file_name.ends_with(".pconvo.txt") {
            Some(ScriptKind::PartialConvo)
        } else if file_name.ends_with(".utterances.txt") {
            Some(ScriptKind::Utterances)
        } else if file_name.ends_with(".scriptingmemory.txt") {
            Some(ScriptKind::MemoryTable)
        } else {
            None
        }
    }
}

/// A script file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptFile {
    /// The path to open and to show.
    pub path: Arc<PathBuf>,
    /// What it holds.
    pub kind: ScriptKind,
    /// The name Botium gives a convo without a name line: the path below the searched folder.
    pub fallback_name: String,
}

/// The outcome of a search.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to read, in path order.
    pub files: Vec<ScriptFile>,
    /// Files left out by the `skip` prefix rule.
    pub skipped: Vec<PathBuf>,
    /// Missing paths (errors) and scripts in formats this tool does not read (warnings).
    pub diagnostics: Vec<Diagnostic>,
}

/// Botium's skip rule on a base name: `skip` then `.`, `-` or `_`, any case.
pub fn is_skip_name(name: &str) -> bool {
    if name.is_ascii() {
        let bytes = name.as_bytes();
        return bytes.len() > 4
            && bytes[..4].eq_ignore_ascii_case(b"skip")
            && matches!(bytes[4], b'.' | b'-' | b'_');
    }
    // Lower-casing can turn other characters into ASCII ones (KELVIN SIGN becomes `k`).
    let lower = name.to_lowercase();
    lower.len() > 4
        && lower.starts_with("skip")
        && matches!(lower.as_bytes()[4], b'.' | b'-' | b'_')
}

/// Searches every path; a path that is a file is read whatever its name.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut found = Discovery::default();
    for root in paths {
        match std::fs::metadata(root) {
            Err(err) => found.diagnostics.push(Diagnostic::in_file(
                Severity::Error,
                Arc::new(root.clone()),
                0,
                0,
                format!("cannot read this path: {err}"),
            )),
            Ok(meta) if meta.is_file() => {
                let base = file_name(root);
                match ScriptKind::of(&base) {
                    Some(kind) => found.files.push(ScriptFile {
                        path: Arc::new(root.clone()),
                        kind,
                        fallback_name: base,
                    }),
                    None => found.diagnostics.push(
                        other_format(root)
                            .unwrap_or_else(|| {
                                Diagnostic::in_file(
                                    Severity::Warning,
                                    Arc::new(root.clone()),
                                    0,
                                    0,
                                    "not a BotiumScript text file; nothing read from it",
                                )
                            })
                            .with_help("script files end in .convo.txt, .pconvo.txt, .utterances.txt or .scriptingmemory.txt"),
                    ),
                }
            }
            Ok(_) => walk(root, &mut found),
        }
    }
    // One path's walk is in path order already, without duplicates.
    if paths.len() > 1 {
        found.files.sort_by(|a, b| a.path.cmp(&b.path));
        found.files.dedup_by(|a, b| a.path == b.path);
    }
    found
}

fn walk(root: &Path, found: &mut Discovery) {
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(true)
        .git_ignore(true)
        .require_git(false)
        .parents(false)
        // Entries of one folder share its path, so their bytes compare like their names (and
        // cost less to compare than path components).
        .sort_by_file_path(|a, b| a.as_os_str().cmp(b.as_os_str()))
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                found.diagnostics.push(Diagnostic::in_file(
                    Severity::Error,
                    Arc::new(root.to_path_buf()),
                    0,
                    0,
                    format!("cannot search this folder: {err}"),
                ));
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let base = file_name(path);
        if is_skip_name(&base) {
            if ScriptKind::of(&base).is_some() {
                found.skipped.push(path.to_path_buf());
            }
            continue;
        }
        match ScriptKind::of(&base) {
            Some(kind) => found.files.push(ScriptFile {
                path: Arc::new(path.to_path_buf()),
                kind,
                fallback_name: relative_name(root, path),
            }),
            None => found.diagnostics.extend(other_format(path)),
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The path below the searched folder, with `/` separators (Botium's glob result).
fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A warning for a script in one of Botium's other formats, which this tool does not read.
fn other_format(path: &Path) -> Option<Diagnostic> {
    let name = file_name(path);
    let format = if name.ends_with(".xlsx") || name.ends_with(".xlsm") {
        "Excel"
    } else if name.ends_with(".convo.csv")
        || name.ends_with(".pconvo.csv")
        || name.ends_with(".utterances.csv")
    {
        "CSV"
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        "YAML"
    } else if name.ends_with(".json") && json_holds_scripts(path) {
        "JSON"
    } else if (name.ends_with(".md") || name.ends_with(".markdown")) && markdown_holds_scripts(path)
    {
        "Markdown"
    } else {
        return None;
    };
    Some(
        Diagnostic::in_file(
            Severity::Warning,
            Arc::new(path.to_path_buf()),
            0,
            0,
            format!("Botium {format} scripts are not read by ivr-test; this file is ignored"),
        )
        .with_help("write the test cases as .convo.txt files (Botium's text format)"),
    )
}

fn json_holds_scripts(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&text)
    else {
        return false;
    };
    ["convos", "partialConvos", "utterances", "scriptingMemory"]
        .iter()
        .any(|k| map.contains_key(*k))
}

fn markdown_holds_scripts(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| {
        text.lines().any(|l| {
            matches!(
                l.trim_end(),
                "# Convos" | "# Utterances" | "# PartialConvos"
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_rule_needs_a_separator() {
        for name in ["skip_me.convo.txt", "SKIP.x.convo.txt", "Skip-x.convo.txt"] {
            assert!(is_skip_name(name), "{name}");
        }
        for name in ["skipme.convo.txt", "skip", "myskip_x.convo.txt"] {
            assert!(!is_skip_name(name), "{name}");
        }
        // As JavaScript's toLowerCase: KELVIN SIGN lower-cases to `k`, and `İ` to `i̇`.
        assert!(is_skip_name("S\u{212A}IP-x.convo.txt"));
        assert!(!is_skip_name("SK\u{130}P_x.convo.txt"));
    }

    #[test]
    fn kinds_by_suffix() {
        assert_eq!(ScriptKind::of("a.convo.txt"), Some(ScriptKind::Convo));
        assert_eq!(
            ScriptKind::of("a.pconvo.txt"),
            Some(ScriptKind::PartialConvo)
        );
        assert_eq!(
            ScriptKind::of("a.utterances.txt"),
            Some(ScriptKind::Utterances)
        );
        assert_eq!(
            ScriptKind::of("a.scriptingmemory.txt"),
            Some(ScriptKind::MemoryTable)
        );
        assert_eq!(ScriptKind::of("a.txt"), None);
        assert_eq!(ScriptKind::of("a.CONVO.TXT"), None);
    }

    #[test]
    fn walks_recursively_with_skips_gitignore_and_other_formats() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write("a.convo.txt", "a");
        write("sub/b.pconvo.txt", "b");
        write("sub/skip_c.convo.txt", "c");
        write("ignored/d.convo.txt", "d");
        write(".gitignore", "ignored/\n");
        write(".hidden/e.convo.txt", "e");
        write("f.convo.yml", "convos: []");
        write("botium.json", "{\"botium\":{}}");
        let found = discover(&[root.to_path_buf()]);
        let names: Vec<&str> = found
            .files
            .iter()
            .map(|f| f.fallback_name.as_str())
            .collect();
        assert_eq!(names, ["a.convo.txt", "sub/b.pconvo.txt"]);
        assert_eq!(found.skipped.len(), 1);
        assert_eq!(found.diagnostics.len(), 1, "{:?}", found.diagnostics);
        assert!(found.diagnostics[0].message.contains("YAML"));
    }

    #[test]
    fn a_named_file_is_read_even_with_a_skip_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("skip_x.convo.txt");
        std::fs::write(&path, "x").unwrap();
        let found = discover(std::slice::from_ref(&path));
        assert_eq!(found.files.len(), 1);
        assert_eq!(found.files[0].fallback_name, "skip_x.convo.txt");
    }

    #[test]
    fn a_missing_path_is_an_error() {
        let found = discover(&[PathBuf::from("/nonexistent/convos")]);
        assert!(found.diagnostics[0].is_error());
    }
}
