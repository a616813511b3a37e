//! BotiumScript, the convo language: from files on disk to test cases.
//!
//! ```text
//! discovery --> source (decode, lines) --> grammar (one line) --> step (one section)
//!           --> convo_file / utterances / memory_table (one file)
//!           --> includes (partials) --> expansion (utterances) --> validate (phone-call rules)
//! ```
//!
//! [`load`] runs the whole pipeline and collects every diagnostic of every file, so a user sees
//! all mistakes in one run. Files are read and parsed, and convos validated and expanded, on
//! every core (rayon); results are gathered in file and convo order, so the suite and its
//! diagnostics are the same whatever the number of cores. Parsing matches botium-core's
//! compiler (see `shared/reference/botiumscript.md`); deliberate differences are documented
//! where they live.

pub mod ast;
pub mod call_state;
pub mod conditions;
pub mod convo_file;
pub mod diagnostics;
pub mod discovery;
pub mod expansion;
pub mod expectations;
pub mod grammar;
pub mod includes;
pub mod json_text;
pub mod memory_expansion;
pub mod memory_table;
pub mod registry;
pub mod source;
pub mod step;
pub mod utterances;
pub mod validate;
pub mod variables;

#[cfg(test)]
mod tests;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

pub use ast::{AsserterCall, Convo, ConvoStep, HookCall, Location, MemoryCase, Sender, Utterance};
pub use diagnostics::{Diagnostic, Severity};
pub use discovery::{ScriptFile, ScriptKind};
pub use includes::PartialBook;
pub use registry::Registry;
pub use utterances::UtteranceBook;

use crate::caps::ScriptingCaps;
use source::SourceFile;

/// Everything a set of paths holds, parsed and checked.
#[derive(Debug, Default)]
pub struct Suite {
    /// Test cases as written, sorted by name (Botium's order); only files that parsed.
    pub convos: Vec<Convo>,
    /// Partial convos, in read order.
    pub partials: PartialBook,
    /// Utterance lists, merged by name.
    pub utterances: UtteranceBook,
    /// Scripting memory table rows.
    pub memory_cases: Vec<MemoryCase>,
    /// Test cases with includes and utterances expanded, sorted by name: what `run` would call.
    pub test_cases: Vec<Convo>,
    /// Every error and warning, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// How many script files were read.
    pub files_read: usize,
    /// Files left out by the `skip` rule.
    pub skipped_files: Vec<PathBuf>,
    /// Convos left out because their name starts with `skip.`, `skip-` or `skip_`.
    pub skipped_convos: Vec<String>,
}

impl Suite {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Finds, reads and checks every script under `paths`.
pub fn load(paths: &[PathBuf], registry: &Registry, caps: &ScriptingCaps) -> Suite {
    let found = discovery::discover(paths);
    let mut diagnostics = found.diagnostics;
    // Files are read on every core; the results keep discovery's order.
    let read: Vec<Result<(ScriptFile, SourceFile), Diagnostic>> =
        found.files.into_par_iter().map(read_script).collect();
    let mut sources = Vec::with_capacity(read.len());
    for result in read {
        match result {
            Ok(script) => sources.push(script),
            Err(problem) => diagnostics.push(problem),
        }
    }
    let mut suite = load_sources(sources, registry, caps);
    diagnostics.append(&mut suite.diagnostics);
    suite.diagnostics = diagnostics;
    suite.skipped_files = found.skipped;
    suite
}

fn read_script(file: ScriptFile) -> Result<(ScriptFile, SourceFile), Diagnostic> {
    let bytes = read_whole(file.path.as_path()).map_err(|err| {
        Diagnostic::in_file(
            Severity::Error,
            file.path.clone(),
            0,
            0,
            format!("cannot read the file: {err}"),
        )
    })?;
    match SourceFile::decode(file.path.clone(), &bytes) {
        Ok(source) => Ok((file, source)),
        Err(bad) => Err(Diagnostic::in_file(
            Severity::Error,
            file.path.clone(),
            bad.line,
            bad.column,
            "the file is not valid UTF-8",
        )),
    }
}

/// Reads a whole file without asking its size first, as `fs::read` does: script files are
/// small, and one system call less per file counts when `check` reads thousands.
fn read_whole(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match file.read(&mut chunk) {
            Ok(0) => return Ok(bytes),
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
}

/// One script file, parsed on its own (files are parsed in parallel).
enum ParsedFile {
    Convo(convo_file::ParsedConvo),
    Utterances(Result<Utterance, Diagnostic>),
    MemoryTable(Vec<MemoryCase>, Vec<Diagnostic>),
}

fn parse_file(
    file: &ScriptFile,
    source: &SourceFile,
    registry: &Registry,
    caps: &ScriptingCaps,
) -> ParsedFile {
    let eol = caps.txt_eol.as_deref();
    match file.kind {
        ScriptKind::Convo | ScriptKind::PartialConvo => ParsedFile::Convo(convo_file::parse_convo(
            source,
            &file.fallback_name,
            registry,
            eol,
        )),
        ScriptKind::Utterances => ParsedFile::Utterances(utterances::parse_utterances(source, eol)),
        ScriptKind::MemoryTable => {
            let (cases, diagnostics) =
                memory_table::parse_memory_table(source, eol, caps.memory_column_mode.as_deref());
            ParsedFile::MemoryTable(cases, diagnostics)
        }
    }
}

/// Parses and checks scripts that are already in memory (the disk-free half of [`load`]).
///
/// Files are parsed, convos validated and test cases expanded on every core; what each step
/// yields is gathered in file (or convo) order, so the suite and its diagnostics do not depend
/// on the number of cores.
pub fn load_sources(
    sources: Vec<(ScriptFile, SourceFile)>,
    registry: &Registry,
    caps: &ScriptingCaps,
) -> Suite {
    let mut suite = Suite {
        files_read: sources.len(),
        ..Suite::default()
    };
    let mut hook_like = Vec::new();
    let by_path: foldhash::HashMap<Arc<PathBuf>, &SourceFile> =
        sources.iter().map(|(f, s)| (f.path.clone(), s)).collect();
    let at_line = |location: &Location, message: String| -> Diagnostic {
        located(by_path.get(&location.file).copied(), location, message)
    };

    let parsed: Vec<ParsedFile> = sources
        .par_iter()
        .map(|(file, source)| parse_file(file, source, registry, caps))
        .collect();
    for ((file, _), parsed) in sources.iter().zip(parsed) {
        match parsed {
            ParsedFile::Convo(parsed) => {
                suite.diagnostics.extend(parsed.diagnostics);
                hook_like.extend(parsed.hook_like);
                let Some(convo) = parsed.convo else { continue };
                if file.kind == ScriptKind::PartialConvo {
                    let first_line = Location {
                        file: file.path.clone(),
                        line: 1,
                        column: 1,
                    };
                    if let Err(message) = suite.partials.add(convo, parsed.name_from_file) {
                        suite.diagnostics.push(at_line(&first_line, message));
                    }
                } else if discovery::is_skip_name(&convo.name) {
                    suite.skipped_convos.push(convo.name);
                } else {
                    suite.convos.push(convo);
                }
            }
            ParsedFile::Utterances(Ok(u)) => suite.utterances.add(u),
            ParsedFile::Utterances(Err(d)) => suite.diagnostics.push(d),
            ParsedFile::MemoryTable(cases, diagnostics) => {
                suite.memory_cases.extend(cases);
                suite.diagnostics.extend(diagnostics);
            }
        }
    }
    sort_by_name(&mut suite.convos);
    suite.diagnostics.extend(
        hook_like
            .into_iter()
            .filter(|h| suite.utterances.get(&h.name).is_none())
            .filter_map(|h| h.into_warning(registry)),
    );

    // Without a usable matcher (a configuration error `check` reports) expectations go unchecked.
    let matcher = crate::matching::matcher_from_caps(caps)
        .ok()
        .map(|(m, _)| m);
    let checked: Vec<&Convo> = suite.convos.iter().chain(suite.partials.iter()).collect();
    let findings: Vec<Vec<Diagnostic>> = checked
        .par_iter()
        .map(|convo| {
            let expectation_findings = matcher
                .as_ref()
                .map(|m| expectations::validate_expectations(convo, &suite.utterances, m))
                .unwrap_or_default();
            validate::validate_convo(convo, registry)
                .into_iter()
                .chain(expectation_findings)
                .map(|finding| {
                    let d = at_line(&finding.location, finding.message);
                    match finding.help {
                        Some(help) => d.with_help(help),
                        None => d,
                    }
                })
                .collect()
        })
        .collect();
    suite.diagnostics.extend(findings.into_iter().flatten());

    let tables = memory_tables(&suite.memory_cases, caps, &mut suite.diagnostics, &at_line);
    let expanded: Vec<(Vec<Convo>, Vec<Diagnostic>)> = suite
        .convos
        .par_iter()
        .map(|convo| test_cases(convo, &suite, &tables, caps, &at_line))
        .collect();
    for (cases, diagnostics) in expanded {
        suite.test_cases.extend(cases);
        suite.diagnostics.extend(diagnostics);
    }
    sort_by_name(&mut suite.test_cases);
    suite
}

/// The test cases one convo becomes (partials included, memory tables and utterances
/// expanded), or why it cannot be expanded.
fn test_cases(
    convo: &Convo,
    suite: &Suite,
    tables: &memory_expansion::MemoryTables,
    caps: &ScriptingCaps,
    at_line: &(dyn Fn(&Location, String) -> Diagnostic + Sync),
) -> (Vec<Convo>, Vec<Diagnostic>) {
    let mut cases = Vec::new();
    let mut diagnostics = Vec::new();
    let steps = match suite.partials.expand(convo) {
        Ok(steps) => steps,
        Err(err) => {
            diagnostics.push(at_line(
                &err.location,
                format!("{}: {}", convo.name, err.message),
            ));
            return (cases, diagnostics);
        }
    };
    let with_partials = convo.with_steps(convo.name.clone(), steps);
    let too_many = |location: &Location, what: &str, count: usize| {
        let count = match count {
            usize::MAX => "too many".to_string(),
            n => n.to_string(),
        };
        at_line(
            location,
            format!(
                "{}: {what} would make {count} test cases (phone calls); the limit is {}",
                convo.name,
                expansion::MAX_TEST_CASES_PER_CONVO
            ),
        )
    };
    let with_memory = match tables.expand(with_partials, caps.memory_expansion_keep_orig) {
        Ok(cases) => cases,
        Err(count) => {
            let first_line = Location {
                file: convo.file.clone(),
                line: 1,
                column: 1,
            };
            diagnostics.push(
                too_many(&first_line, "scripting memory tables", count)
                    .with_help("split the tables or the test case"),
            );
            return (cases, diagnostics);
        }
    };
    for case in with_memory {
        match expansion::expand_utterances(case, &suite.utterances, caps) {
            Ok(expanded) => cases.extend(expanded),
            Err(e) => diagnostics.push(
                too_many(&e.location, "utterance expansion", e.count)
                    .with_help("set SCRIPTING_UTTEXPANSION_MODE to first or random (with SCRIPTING_UTTEXPANSION_RANDOM_COUNT), or use shorter utterance lists"),
            ),
        }
    }
    (cases, diagnostics)
}

/// The scripting memory tables to expand test cases with: none unless `SCRIPTING_ENABLE_MEMORY`
/// (then tables are only warned about), and their problems reported at their rows.
fn memory_tables(
    cases: &[MemoryCase],
    caps: &ScriptingCaps,
    diagnostics: &mut Vec<Diagnostic>,
    at_line: &(dyn Fn(&Location, String) -> Diagnostic + Sync),
) -> memory_expansion::MemoryTables {
    if !caps.enable_memory {
        if let Some(first) = cases.first() {
            diagnostics.push(Diagnostic::in_file(
                Severity::Warning,
                first.location.file.clone(),
                first.location.line,
                1,
                "scripting memory tables are used only with SCRIPTING_ENABLE_MEMORY=true",
            ));
        }
        return memory_expansion::MemoryTables::default();
    }
    let (tables, errors) = memory_expansion::MemoryTables::new(cases);
    diagnostics.extend(errors.into_iter().map(|e| at_line(&e.location, e.message)));
    tables
}

/// A diagnostic at a line, showing the line when its source is at hand.
fn located(source: Option<&SourceFile>, location: &Location, message: String) -> Diagnostic {
    let Some(source) = source else {
        return Diagnostic::in_file(
            Severity::Error,
            location.file.clone(),
            location.line,
            location.column,
            message,
        );
    };
    let lines = source::split_lines(&source.text, None);
    match lines.get(location.line.saturating_sub(1)) {
        Some(line) => Diagnostic::at(
            Severity::Error,
            source,
            line.offset,
            line.text.len(),
            message,
        ),
        None => Diagnostic::in_file(
            Severity::Error,
            location.file.clone(),
            location.line,
            location.column,
            message,
        ),
    }
}

/// Botium sorts by name with JavaScript string order (UTF-16 code units), stably (on every core).
fn sort_by_name(convos: &mut [Convo]) {
    convos.par_sort_by(|a, b| crate::js_text::cmp_utf16(&a.name, &b.name));
}
