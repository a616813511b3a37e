//! Parsing one `.convo.txt` or `.pconvo.txt` file: the header (name and description), then one
//! step per section.

use super::ast::Convo;
use super::diagnostics::{Diagnostic, Severity};
use super::grammar::tag_line;
use super::registry::Registry;
use super::source::{js_trim, SourceFile};
use super::step::{build_step, Section};

/// What a convo file parse yields: the convo when every step parsed, and all findings.
#[derive(Debug)]
pub struct ParsedConvo {
    /// The convo; `None` when a step had an error (Botium rejects the whole file).
    pub convo: Option<Convo>,
    /// Whether the name came from the file name because the first line was empty or a header.
    pub name_from_file: bool,
    /// Errors and warnings, in line order.
    pub diagnostics: Vec<Diagnostic>,
    /// Lines whose first word looks like an unregistered hook. They are text in Botium; the
    /// warning holds only if the word is not an utterance list either, which the loader knows
    /// once every file is read.
    pub hook_like: Vec<HookLikeText>,
}

/// A text line whose first word is written like a hook name, with the warning to give.
#[derive(Debug)]
pub struct HookLikeText {
    /// The first word.
    pub name: String,
    /// The warning, without its advice yet.
    warning: Diagnostic,
}

impl HookLikeText {
    /// The warning with its advice, for a name that turned out not to be an utterance list.
    /// The advice (a "did you mean", which compares the name with every registered one) is
    /// worked out only here, since most such words in a suite name utterance lists.
    pub fn into_warning(self, registry: &Registry) -> Option<Diagnostic> {
        hook_name_advice(&self.name, registry).map(|help| self.warning.with_help(help))
    }
}

/// Parses a convo (or partial convo) file. `fallback_name` is used when the file has no name line.
pub fn parse_convo(
    source: &SourceFile,
    fallback_name: &str,
    registry: &Registry,
    eol: Option<&str>,
) -> ParsedConvo {
    let lines = source.lines(eol);
    let join_with = eol.filter(|e| !e.is_empty()).unwrap_or("\n");
    let first_header = lines
        .iter()
        .position(|l| tag_line(l.text).is_some())
        .unwrap_or(lines.len());
    let header_lines = &lines[..first_header];

    // Botium: name = first header line (untrimmed); description = the rest joined, if any.
    let header_name = header_lines.first().map(|l| l.text).unwrap_or("");
    let name_from_file = header_name.is_empty();
    let name = if name_from_file {
        fallback_name.to_string()
    } else {
        header_name.to_string()
    };
    let description = (header_lines.len() > 1).then(|| {
        header_lines[1..]
            .iter()
            .map(|l| l.text)
            .collect::<Vec<_>>()
            .join(join_with)
    });

    let mut diagnostics = Vec::new();
    let mut hook_like = Vec::new();
    let mut steps = Vec::new();
    let mut failed = false;
    let mut start = first_header;
    while start < lines.len() {
        let header = lines[start];
        let end = lines[start + 1..]
            .iter()
            .position(|l| tag_line(l.text).is_some())
            .map_or(lines.len(), |i| start + 1 + i);
        if let Some(tag) = tag_line(header.text) {
            let section = Section {
                sender: tag.sender,
                channel: tag.channel,
                header,
                body: &lines[start + 1..end],
            };
            match build_step(source, &section, registry, join_with) {
                Ok(step) => {
                    ignored_text_warnings(
                        source,
                        &section,
                        registry,
                        &mut diagnostics,
                        &mut hook_like,
                    );
                    steps.push(step);
                }
                Err(errors) => {
                    failed = true;
                    diagnostics.extend(errors);
                }
            }
        }
        start = end;
    }

    ParsedConvo {
        convo: (!failed).then(|| Convo {
            name,
            description,
            file: source.path.clone(),
            steps,
        }),
        name_from_file,
        diagnostics,
        hook_like,
    }
}

/// Lines Botium silently treats as text where a person probably meant something else: text in
/// `#begin`/`#end` (ignored there) and words that look like an unregistered hook name.
fn ignored_text_warnings(
    source: &SourceFile,
    section: &Section<'_, '_>,
    registry: &Registry,
    warnings: &mut Vec<Diagnostic>,
    hook_like: &mut Vec<HookLikeText>,
) {
    use super::ast::Sender;
    if section.sender == Sender::Include {
        return;
    }
    let begin_or_end = matches!(section.sender, Sender::Begin | Sender::End);
    for line in section.body {
        let prefixed = super::grammar::prefixes(line.text);
        let name = super::grammar::named_line(prefixed.rest).name;
        let me = section.sender == Sender::Me;
        let recognised_here = (!me && registry.is_asserter(name))
            || (me && registry.is_user_input(name))
            || registry.is_logic_hook(name);
        if recognised_here || js_trim(line.text).is_empty() {
            continue;
        }
        let warning = |message: String, help: String| {
            Diagnostic::at(
                Severity::Warning,
                source,
                line.offset,
                line.text.len(),
                message,
            )
            .with_help(help)
        };
        if me && registry.is_asserter(name) {
            warnings.push(warning(
                format!("'{name}' is an asserter, and asserters do nothing in #me: this line is text the caller says"),
                "to press keys use BUTTON (singular); to check the IVR, move the line to a #bot section".into(),
            ));
        } else if !me && registry.is_user_input(name) {
            warnings.push(warning(
                format!(
                    "'{name}' is a user input, which works only in #me: here this line is text"
                ),
                "move it to a #me section".into(),
            ));
        } else if looks_like_unregistered_hook(name, registry) {
            hook_like.push(HookLikeText {
                name: name.to_string(),
                warning: Diagnostic::at(
                    Severity::Warning,
                    source,
                    line.offset,
                    line.text.len(),
                    format!("'{name}' is not a registered asserter, logic hook, user input or utterance list, so this line is text"),
                ),
            });
        } else if begin_or_end {
            warnings.push(warning(
                format!("text in #{} is ignored", section.sender),
                "only logic hooks and asserters do something in #begin and #end".into(),
            ));
        }
    }
}

/// A first word written like a hook name (capitals, digits, `_`) that is either a likely typo
/// of a registered name or, with a `_`, an undeclared custom hook. Prose is never compared, which
/// keeps this cheap on large suites.
fn looks_like_unregistered_hook(name: &str, registry: &Registry) -> bool {
    hook_style(name) && (name.contains('_') || closest_registered(name, registry).is_some())
}

/// The advice for a hook-like word: the closest registered name when it is a likely typo, else
/// how to declare it when it looks like an undeclared custom hook.
fn hook_name_advice(name: &str, registry: &Registry) -> Option<String> {
    if !hook_style(name) {
        return None;
    }
    match closest_registered(name, registry) {
        Some(known) => Some(format!("did you mean {known}?")),
        None if name.contains('_') => Some(
            "declare it in botium.json (ASSERTERS, LOGIC_HOOKS or USER_INPUTS), or start the line with a space to make it text".into(),
        ),
        None => None,
    }
}

fn hook_style(name: &str) -> bool {
    name.len() >= 4
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The registered name within two edits of `name`, if any.
fn closest_registered<'r>(name: &str, registry: &'r Registry) -> Option<&'r str> {
    registry
        .all_names()
        .filter(|known| known.len() >= 4 && known.len().abs_diff(name.len()) <= 2)
        .map(|known| (strsim::levenshtein(name, known), known))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, known)| known)
}
