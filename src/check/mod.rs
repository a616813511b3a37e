//! `ivr-test check`: validates configuration and every script without dialing.
//!
//! Human output: diagnostics (with the offending line) on stderr, a summary on stdout.
//! JSON output: one document on stdout (see [`json_report`]). Exit code 2 when anything is wrong.

pub mod json_report;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{resolve_path, Config, ConfigError};
use crate::exit_code::Outcome;
use crate::runner::caller_ids::caller_id_summary;
use botiumscript::convo::{self, diagnostics::Rendered, Registry, Sender, Suite};
use botiumscript::matching::{matcher_from_caps, MatchingError};
use json_report::{Finding, Report};
use twilio_emulator::config::EmulatorConfig;
use twilio_emulator::studio::{flow_warnings, load_flows};

/// What `ivr-test check` is asked to check, and how to report.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    /// Convo files or folders (searched recursively).
    pub paths: Vec<PathBuf>,
    /// The botium.json to read (default: ./botium.json when present).
    pub config: Option<PathBuf>,
    /// The `--parallel` the suite will run with: the caller IDs are checked against it.
    pub parallel: usize,
    /// The report's form.
    pub format: Format,
    /// Apply includes and utterance expansion before reporting steps.
    pub expand: bool,
    /// The emulator configuration `run --emulate` would use (else the capability's).
    pub emulate: Option<PathBuf>,
}

/// The forms of `check`'s report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A summary for people, diagnostics on stderr.
    Human,
    /// One JSON document on stdout, stable for tooling.
    Json,
}

/// What the configuration step produced: the config to use (defaults when it failed to load),
/// its errors, the matcher's objection to its `SCRIPTING_*` settings, and its warnings.
struct LoadedConfig {
    config: Config,
    errors: Vec<ConfigError>,
    matcher_problem: Option<MatchingError>,
    warnings: Vec<String>,
}

impl LoadedConfig {
    fn load(args: &CheckRequest, env: &BTreeMap<String, String>, cwd: &Path) -> LoadedConfig {
        let (config, errors, warnings) = match Config::load(args.config.as_deref(), cwd, env) {
            Ok(config) => {
                let warnings = config.warnings.clone();
                (config, Vec::new(), warnings)
            }
            // Scripts are still checked (with the built-in names) so every mistake shows at once.
            Err(errs) => (Config::default(), errs.errors, errs.warnings),
        };
        let matcher_problem = matcher_from_caps(&config.capabilities.scripting).err();
        let (mut errors, mut warnings) = (errors, warnings);
        let emulate = args
            .emulate
            .as_ref()
            .map(|p| resolve_path(cwd, p))
            .or_else(|| {
                let capability = config.capabilities.twilio.emulate.as_ref()?;
                Some(resolve_path(cwd, Path::new(capability)))
            });
        if let Some(path) = emulate {
            match check_emulator(&path, env) {
                Ok(found) => warnings.extend(found),
                Err(message) => errors.push(ConfigError::Emulator { path, message }),
            }
        }
        LoadedConfig {
            config,
            errors,
            matcher_problem,
            warnings,
        }
    }

    /// How many configuration errors there are, the matcher's included.
    fn error_count(&self) -> usize {
        self.errors.len() + usize::from(self.matcher_problem.is_some())
    }

    fn place(&self) -> String {
        self.config
            .file
            .as_ref()
            .map_or("defaults (no botium.json)".to_string(), |f| {
                f.display().to_string()
            })
    }
}

/// What `run --emulate PATH` would refuse (an error) or warn about: the emulator
/// configuration and its Studio flows, loaded as the emulator loads them.
fn check_emulator(path: &Path, env: &BTreeMap<String, String>) -> Result<Vec<String>, String> {
    let config = EmulatorConfig::load(Some(path), env).map_err(|e| e.to_string())?;
    let flows = load_flows(&config).map_err(|e| e.to_string())?;
    Ok(flow_warnings(&flows))
}

/// Runs `check` in `cwd`, writing the report to `out` and diagnostics to `err`.
pub fn run(
    args: &CheckRequest,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let loaded = LoadedConfig::load(args, env, cwd);
    let registry = Registry::new(&loaded.config.extensions);
    let paths: Vec<PathBuf> = args.paths.iter().map(|p| resolve_path(cwd, p)).collect();
    let suite = convo::load(&paths, &registry, &loaded.config.capabilities.scripting);
    let mut loaded = loaded;
    let caller_ids = loaded.config.capabilities.twilio.caller_ids.len();
    if let Some(warning) = caller_id_warning(&suite, caller_ids, args.parallel.max(1)) {
        loaded.warnings.push(warning);
    }
    let failed = suite.has_errors() || loaded.error_count() > 0;

    let written = match args.format {
        Format::Json => write_json(&suite, &loaded, args.expand, out),
        Format::Human => write_human(&suite, &loaded, args.expand, args.parallel, color, out, err),
    };
    free_in_background(suite);
    match (written, failed) {
        // A closed pipe or full disk: the verdict cannot be delivered.
        (Err(_), _) => Outcome::Infrastructure,
        (Ok(()), true) => Outcome::InvalidInput,
        (Ok(()), false) => Outcome::Passed,
    }
}

fn write_json(
    suite: &Suite,
    loaded: &LoadedConfig,
    expand: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let config_file = loaded.config.file.as_ref().map(|f| f.display().to_string());
    let errors = loaded
        .errors
        .iter()
        .map(|error| {
            let (file, line, column) = error.location();
            Finding {
                file: file.map(|f| f.display().to_string()),
                line,
                column,
                message: error.to_string(),
            }
        })
        .chain(loaded.matcher_problem.as_ref().map(|problem| Finding {
            file: config_file.clone(),
            line: 0,
            column: 0,
            message: matching_config_message(problem),
        }))
        .collect();
    let warnings = loaded
        .warnings
        .iter()
        .map(|w| Finding {
            file: config_file.clone(),
            line: 0,
            column: 0,
            message: w.clone(),
        })
        .collect();
    let timing = loaded.config.capabilities.twilio.answer_timing;
    let report = Report::new(suite, expand, errors, warnings, timing);
    serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
    writeln!(out)
}

fn write_human(
    suite: &Suite,
    loaded: &LoadedConfig,
    expand: bool,
    parallel: usize,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme);
    let render = |report: &dyn miette::Diagnostic| {
        let mut text = String::new();
        match handler.render_report(&mut text, report) {
            Ok(()) => text,
            Err(_) => format!("{report}\n"),
        }
    };
    for error in &loaded.errors {
        write!(err, "{}", render(error))?;
    }
    if let Some(problem) = &loaded.matcher_problem {
        writeln!(
            err,
            "error: {}: {}",
            loaded.place(),
            matching_config_message(problem)
        )?;
    }
    for warning in &loaded.warnings {
        writeln!(err, "warning: {}: {warning}", loaded.place())?;
    }
    for d in &suite.diagnostics {
        write!(err, "{}", render(&Rendered::new(d)))?;
    }

    let script_errors = suite.diagnostics.iter().filter(|d| d.is_error()).count();
    let errors = loaded.error_count() + script_errors;
    let warnings = loaded.warnings.len() + suite.diagnostics.len() - script_errors;
    let cases = if expand {
        &suite.test_cases
    } else {
        &suite.convos
    };
    let steps: usize = cases
        .iter()
        .map(|c| {
            c.steps
                .iter()
                .filter(|s| matches!(s.sender, Sender::Me | Sender::Bot))
                .count()
        })
        .sum();
    if expand {
        for case in cases {
            writeln!(out, "  {}", case.name)?;
        }
    }
    writeln!(out, "configuration: {}", loaded.place())?;
    let caller_ids = loaded.config.capabilities.twilio.caller_ids.len();
    if caller_ids > 0 {
        writeln!(
            out,
            "caller IDs: {}",
            caller_id_summary(caller_ids, parallel.max(1))
        )?;
    }
    let timing = loaded.config.capabilities.twilio.answer_timing;
    writeln!(
        out,
        "answers: {} (TWILIO_IVR_ANSWER_TIMING={})",
        timing.summary(),
        timing.name()
    )?;
    writeln!(
        out,
        "{} files read: {} test cases ({} after expansion), {} partial convos, {} utterance lists, {} #me/#bot steps{}",
        suite.files_read,
        suite.convos.len(),
        suite.test_cases.len(),
        suite.partials.iter().count(),
        suite.utterances.len(),
        steps,
        skipped_note(suite),
    )?;
    writeln!(
        out,
        "{} {}, {} {}",
        errors,
        plural(errors, "error"),
        warnings,
        plural(warnings, "warning")
    )
}

/// Frees the suite on a thread of its own, which the process does not wait for: a large suite
/// holds hundreds of thousands of strings, and freeing them took a tenth of a `check` of 5,000
/// files. When the process exits first, the system takes the memory back at once.
fn free_in_background(suite: Suite) {
    std::thread::spawn(move || drop(suite));
}

/// The warning when test cases that check SMS would wait for caller IDs: each holds one alone
/// while it runs, so more parallel calls than caller IDs cannot all check SMS at once.
fn caller_id_warning(suite: &Suite, caller_ids: usize, parallel: usize) -> Option<String> {
    let checking = suite.test_cases.iter().filter(|c| c.checks_sms()).count();
    (checking > 0 && caller_ids > 0 && parallel > caller_ids).then(|| {
        format!(
            "{checking} {} CHECKTWILIOSMS, and --parallel {parallel} exceeds the {caller_ids} {} of TWILIO_IVR_FROM: \
             each such test case holds a caller ID alone while it runs, so they wait for a free one \
             (list more caller IDs in TWILIO_IVR_FROM to run them side by side)",
            if checking == 1 {
                "test case uses"
            } else {
                "test cases use"
            },
            if caller_ids == 1 { "caller ID" } else { "caller IDs" },
        )
    })
}

/// A matching setting the matcher rejects, said as a configuration problem.
fn matching_config_message(problem: &MatchingError) -> String {
    format!("the SCRIPTING_* matching settings cannot be used: {problem}")
}

fn skipped_note(suite: &Suite) -> String {
    let skipped = suite.skipped_files.len() + suite.skipped_convos.len();
    if skipped == 0 {
        String::new()
    } else {
        format!("; {skipped} skipped by name")
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
