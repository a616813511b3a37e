//! `ivr-test check`: validates configuration and every script without dialing.
//!
//! Human output: diagnostics (with the offending line) on stderr, a summary on stdout.
//! JSON output: one document on stdout (see [`json_report`]). Exit code 2 when anything is wrong.

pub mod json_report;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use crate::cli::{CheckArgs, Format};
use crate::config::Config;
use crate::convo::{self, diagnostics::Rendered, Registry, Sender, Suite};
use crate::exit_code::Outcome;
use json_report::{Finding, Report};

/// Runs `check`, writing the report to `out` and diagnostics to `err`.
pub fn run(
    args: &CheckArgs,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let (config, config_errors) = match load_config(args, env, cwd) {
        Ok(config) => (config, Vec::new()),
        Err(problems) => (Config::default(), problems),
    };
    let registry = Registry::new(&config.extensions);
    let paths: Vec<_> = args.paths.iter().map(|p| resolve(cwd, p)).collect();
    let suite = convo::load(&paths, &registry, &config.capabilities.scripting);
    let config_warnings: Vec<Finding> = config
        .warnings
        .iter()
        .map(|w| config_finding(&config, w))
        .collect();
    let failed = suite.has_errors() || !config_errors.is_empty();

    let written = match args.format {
        Format::Json => {
            let report = Report::new(&suite, args.expand, config_errors, config_warnings);
            serde_json::to_writer_pretty(&mut *out, &report)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
        }
        Format::Human => write_human(
            &suite,
            &config_errors,
            &config_warnings,
            args.expand,
            color,
            out,
            err,
        ),
    };
    match (written, failed) {
        // A closed pipe or full disk: the verdict cannot be delivered.
        (Err(_), _) => Outcome::Infrastructure,
        (Ok(()), true) => Outcome::InvalidInput,
        (Ok(()), false) => Outcome::Passed,
    }
}

/// Relative paths are taken from the working directory the command runs in.
fn resolve(cwd: &Path, path: &Path) -> std::path::PathBuf {
    if path.is_absolute() || cwd == Path::new(".") {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}

fn load_config(
    _args: &CheckArgs,
    _env: &BTreeMap<String, String>,
    _cwd: &Path,
) -> Result<Config, Vec<Finding>> {
    Ok(Config::default())
}

fn config_finding(config: &Config, message: &str) -> Finding {
    Finding {
        file: config.file.as_ref().map(|f| f.display().to_string()),
        line: 0,
        column: 0,
        message: message.to_string(),
    }
}

fn write_human(
    suite: &Suite,
    config_errors: &[Finding],
    config_warnings: &[Finding],
    expand: bool,
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
    for finding in config_errors.iter().chain(config_warnings) {
        let place = finding.file.as_deref().unwrap_or("configuration");
        writeln!(err, "{place}: {}", finding.message)?;
    }
    for d in &suite.diagnostics {
        let mut text = String::new();
        if handler.render_report(&mut text, &Rendered::new(d)).is_err() {
            text = format!("{d}\n");
        }
        write!(err, "{text}")?;
    }

    let errors = config_errors.len() + suite.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = config_warnings.len() + suite.diagnostics.len()
        - suite.diagnostics.iter().filter(|d| d.is_error()).count();
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
