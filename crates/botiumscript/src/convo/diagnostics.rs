//! Script diagnostics: every error or warning carries file, line and column, and renders (through
//! miette) with the offending line shown.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use miette::{LabeledSpan, MietteError, NamedSource, SourceCode, SourceSpan, SpanContents};

use super::source::SourceFile;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The suite cannot run as written (exit code 2).
    Error,
    /// Probably a mistake, but Botium would accept it.
    Warning,
}

/// A finding about a script, at a place in a file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file (as the user named it).
    pub file: Arc<PathBuf>,
    /// 1-based line (0 when the finding is about the whole file).
    pub line: usize,
    /// 1-based column in characters (0 when the finding is about the whole file).
    pub column: usize,
    /// What is wrong, in Botium's words where Botium has words for it.
    pub message: String,
    /// How to fix it, when we know.
    pub help: Option<String>,
    source: Option<SharedSource>,
    span: Option<SourceSpan>,
}

impl Diagnostic {
    /// A finding that points at a byte range of a source file.
    pub fn at(
        severity: Severity,
        source: &SourceFile,
        offset: usize,
        len: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        let text = &source.text;
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let line = 1 + count_line_breaks(before);
        let column = 1 + before[line_start..].chars().count();
        Diagnostic {
            severity,
            file: source.path.clone(),
            line,
            column,
            message: message.into(),
            help: None,
            source: Some(SharedSource(source.text.clone())),
            span: Some(SourceSpan::new(offset.into(), len)),
        }
    }

    /// A finding about a whole file (unreadable, not UTF-8...), or at a known line and column
    /// without source text.
    pub fn in_file(
        severity: Severity,
        file: Arc<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            file,
            line,
            column,
            message: message.into(),
            help: None,
            source: None,
            span: None,
        }
    }

    /// Adds a fix suggestion.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Is this an error (as opposed to a warning)?
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column`, or just the file when the finding has no position.
    pub fn position(&self) -> String {
        if self.line == 0 {
            self.file.display().to_string()
        } else {
            format!("{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }

    /// The source to show, named by the file, for miette's renderer.
    pub fn named_source(&self) -> Option<NamedSource<SharedSource>> {
        self.source
            .clone()
            .map(|s| NamedSource::new(self.file.display().to_string(), s))
    }
}

/// Line breaks as Botium counts them: `\r\n`, `\r` and `\n` each count once.
fn count_line_breaks(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                count += 1;
                i += 2;
                continue;
            }
            b'\r' | b'\n' => count += 1,
            _ => {}
        }
        i += 1;
    }
    count
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position(), self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// A diagnostic together with its named source, as miette renders it.
pub struct Rendered<'a>(pub &'a Diagnostic, Option<NamedSource<SharedSource>>);

impl<'a> Rendered<'a> {
    /// Prepares a diagnostic for rendering.
    pub fn new(diagnostic: &'a Diagnostic) -> Rendered<'a> {
        Rendered(diagnostic, diagnostic.named_source())
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Rendered<'_> {
    /// With a snippet, miette prints the position above it; without one, the title carries it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.1.is_some() {
            f.write_str(&self.0.message)
        } else {
            fmt::Display::fmt(self.0, f)
        }
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.0.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.0
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.1.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.0.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".into()),
            span,
        ))))
    }
}

/// Source text shared between the loader and its diagnostics.
#[derive(Clone)]
pub struct SharedSource(Arc<str>);

impl fmt::Debug for SharedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedSource(..)")
    }
}

impl SourceCode for SharedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        self.0
            .as_ref()
            .read_span(span, context_lines_before, context_lines_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_lines_and_characters() {
        let src = SourceFile::from_text("a.convo.txt", "x\r\n#me\r\nné PAUSE");
        let offset = src.text.find("PAUSE").unwrap();
        let d = Diagnostic::at(Severity::Error, &src, offset, 5, "boom");
        assert_eq!((d.line, d.column), (3, 4));
        assert_eq!(d.position(), "a.convo.txt:3:4");
        assert_eq!(d.to_string(), "a.convo.txt:3:4: boom");
    }

    #[test]
    fn renders_the_offending_line() {
        let src = SourceFile::from_text("t.convo.txt", "t\n\n#me\nPAUSE 100\nHi!\n");
        let offset = src.text.find("Hi!").unwrap();
        let d = Diagnostic::at(Severity::Error, &src, offset, 3, "No text expected here")
            .with_help("move it up");
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, &Rendered::new(&d))
            .unwrap();
        assert!(out.contains("t.convo.txt:5:1"), "{out}");
        assert!(out.contains("Hi!"), "{out}");
        assert!(out.contains("move it up"), "{out}");
    }
}
