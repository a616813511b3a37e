//! Configuration errors: each names the capability, where the value came from and the expected form.

use std::fmt;
use std::path::PathBuf;

use miette::{Diagnostic, NamedSource, SourceSpan};

/// Where a capability value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A value in a configuration file; line and column are 1-based.
    File {
        /// The file.
        path: PathBuf,
        /// Where in the document, e.g. `botium.Capabilities.ASSERTERS[0]`.
        json_path: String,
        /// 1-based line of the value.
        line: usize,
        /// 1-based column (in characters) of the value.
        column: usize,
        /// Byte offset and length of the value in the file.
        span: (usize, usize),
    },
    /// A `BOTIUM_*` environment variable.
    Env {
        /// The variable's name.
        var: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File {
                path,
                json_path,
                line,
                column,
                ..
            } => write!(
                f,
                "{} at {json_path}, line {line}, column {column}",
                path.display()
            ),
            Origin::Env { var } => f.write_str(var),
        }
    }
}

/// The masked text of a configuration file, attached to errors so miette can show the line.
pub(crate) type FileSource = NamedSource<String>;

/// One problem found while loading the configuration.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ConfigError {
    /// The emulator configuration (`--emulate` or `TWILIO_IVR_EMULATE`) or one of its Studio
    /// flows would be refused by `run`.
    #[error("emulator: {message}")]
    #[diagnostic(code(config::emulator))]
    Emulator {
        /// The emulator configuration file.
        path: PathBuf,
        /// What the emulator says, naming the file (and the widget of a flow).
        message: String,
    },

    /// `--config` or `BOTIUM_CONFIG` names a file that does not exist.
    #[error("configuration file {} does not exist (named by {named_by})", .path.display())]
    #[diagnostic(
        code(config::file_not_found),
        help("check the path; without --config, ./botium.json is used when present")
    )]
    FileNotFound {
        /// The missing file.
        path: PathBuf,
        /// `--config` or `BOTIUM_CONFIG`.
        named_by: &'static str,
    },

    /// The file exists but cannot be read.
    #[error("cannot read configuration file {}: {reason}", .path.display())]
    #[diagnostic(code(config::file_unreadable))]
    FileUnreadable {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },

    /// The file is not valid JSON.
    #[error("{}: invalid JSON at line {line}, column {column}: {message}", .path.display())]
    #[diagnostic(
        code(config::json_syntax),
        help("botium.json is plain JSON: no comments, no trailing commas")
    )]
    JsonSyntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON parser expected.
        message: String,
        /// The file text (secrets masked).
        #[source_code]
        src: FileSource,
        /// Where parsing stopped.
        #[label("{message}")]
        span: SourceSpan,
    },

    /// The file has no top-level `botium` object, so Botium would ignore all of it.
    #[error("{}: no top-level \"botium\" key; expected {{\"botium\": {{\"Capabilities\": {{...}}}}}}", .path.display())]
    #[diagnostic(code(config::not_botium_file))]
    NotBotiumFile {
        /// The file.
        path: PathBuf,
    },

    /// `botium`, `botium.Capabilities`, `botium.Sources` or `botium.Envs` is not a JSON object.
    #[error("{}: \"{section}\" must be a JSON object, got {got}", .path.display())]
    #[diagnostic(code(config::section_not_object))]
    SectionNotObject {
        /// The file.
        path: PathBuf,
        /// e.g. `botium.Capabilities`.
        section: String,
        /// The JSON type found.
        got: &'static str,
        /// The file text (secrets masked).
        #[source_code]
        src: Option<FileSource>,
        /// The offending value.
        #[label("expected an object")]
        span: Option<SourceSpan>,
    },

    /// A capability value of the wrong form.
    #[error("{capability}: expected {expected}, got {shown} (from {origin})")]
    #[diagnostic(code(config::invalid_value))]
    InvalidValue {
        /// The capability's name.
        capability: String,
        /// The expected form.
        expected: String,
        /// The value as written, or `<redacted>` for a secret.
        shown: String,
        /// Where the value came from.
        origin: Origin,
        /// The file text (secrets masked), when the value came from a file.
        #[source_code]
        src: Option<FileSource>,
        /// The value in the file.
        #[label("expected {expected}")]
        span: Option<SourceSpan>,
    },

    /// A malformed `ASSERTERS`, `LOGIC_HOOKS` or `USER_INPUTS` entry.
    #[error("{list}[{index}]: {problem} (from {origin})")]
    #[diagnostic(
        code(config::invalid_extension),
        help("entries look like {{\"ref\": \"NAME\", \"src\": \"...\", \"global\": false, \"args\": {{}}}}")
    )]
    InvalidExtension {
        /// `ASSERTERS`, `LOGIC_HOOKS` or `USER_INPUTS`.
        list: String,
        /// 0-based position in the array.
        index: usize,
        /// What is wrong.
        problem: String,
        /// Where the entry came from.
        origin: Origin,
        /// The file text (secrets masked), when the entry came from a file.
        #[source_code]
        src: Option<FileSource>,
        /// The entry in the file.
        #[label("{problem}")]
        span: Option<SourceSpan>,
    },
}

/// Every error found while loading the configuration, plus the warnings gathered on the way.
///
/// `Display` is a one-line summary; miette renders each error as a related diagnostic, and plain
/// text output should print each of `errors`.
#[derive(Debug)]
pub struct ConfigErrors {
    /// The errors, in the order found (file problems first, then capabilities, then extensions).
    pub errors: Vec<ConfigError>,
    /// Warnings that were also found (secrets redacted).
    pub warnings: Vec<String>,
}

impl ConfigErrors {
    /// Wraps a single error.
    pub(crate) fn single(error: ConfigError) -> Self {
        ConfigErrors {
            errors: vec![error],
            warnings: Vec::new(),
        }
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors.len();
        write!(
            f,
            "invalid configuration: {count} error{}",
            if count == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for ConfigErrors {}

impl Diagnostic for ConfigErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("config::invalid"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.errors.iter().map(|e| e as &dyn Diagnostic)))
    }
}

impl ConfigError {
    /// The file, line and column an error points at (line and column 0 when unknown).
    pub fn location(&self) -> (Option<&std::path::Path>, usize, usize) {
        fn at_origin(origin: &Origin) -> (Option<&std::path::Path>, usize, usize) {
            match origin {
                Origin::File {
                    path, line, column, ..
                } => (Some(path.as_path()), *line, *column),
                Origin::Env { .. } => (None, 0, 0),
            }
        }
        match self {
            ConfigError::FileNotFound { path, .. }
            | ConfigError::FileUnreadable { path, .. }
            | ConfigError::NotBotiumFile { path }
            | ConfigError::SectionNotObject { path, .. }
            | ConfigError::Emulator { path, .. } => (Some(path.as_path()), 0, 0),
            ConfigError::JsonSyntax {
                path, line, column, ..
            } => (Some(path.as_path()), *line, *column),
            ConfigError::InvalidValue { origin, .. }
            | ConfigError::InvalidExtension { origin, .. } => at_origin(origin),
        }
    }
}
