//! Turning the body lines of one section into a [`ConvoStep`], exactly as Botium's
//! `linesToConvoStep` does.
//!
//! The rules, in order, for every body line:
//! 1. strip one `?` (optional) and one `!` (not); doubled marks are escapes;
//! 2. the first word (up to an ASCII space) decides: an asserter outside `#me`, a user input in
//!    `#me`, a logic hook anywhere; anything else is text;
//! 3. in `#me`, text after a hook or user input is an error ("No text expected here"), blank
//!    lines there are dropped;
//! 4. blank lines are held back and kept only when a non-blank line follows; a section of only
//!    blank lines is the empty text `""`, a section with no lines has no text (`null`).
//!
//! The text's own `?`/`!` come from its first line only; text that `is-json` accepts becomes
//! `sourceData`; otherwise the lines are joined with the line separator and trailing `\n\t\r` go.

use std::borrow::Cow;

use super::ast::{AsserterCall, ConvoStep, HookCall, Location, Sender};
use super::diagnostics::{Diagnostic, Severity};
use super::grammar::{self, prefixes};
use super::json_text;
use super::registry::Registry;
use super::source::{js_trim, Line, SourceFile};

/// One section as the file parser found it.
pub struct Section<'s, 'a> {
    /// The section's sender.
    pub sender: Sender,
    /// Text after the sender keyword.
    pub channel: Option<String>,
    /// The header line.
    pub header: Line<'a>,
    /// The lines up to the next header or the end of the file.
    pub body: &'s [Line<'a>],
}

/// Builds the step of one section; every problem is returned as a located diagnostic.
pub fn build_step(
    source: &SourceFile,
    section: &Section<'_, '_>,
    registry: &Registry,
    eol: &str,
) -> Result<ConvoStep, Vec<Diagnostic>> {
    let sender = section.sender;
    let mut step = ConvoStep {
        sender,
        channel: section.channel.clone(),
        step_tag: line_tag(section.header.number),
        location: Location {
            file: source.path.clone(),
            line: section.header.number,
            column: 1,
        },
        text: None,
        source_data: None,
        not: false,
        optional: false,
        asserters: Vec::new(),
        logic_hooks: Vec::new(),
        user_inputs: Vec::new(),
    };
    let mut errors = Vec::new();
    // The text lines; blank ones count only when a non-blank line follows them.
    let mut text_lines: Vec<&Line> = Vec::new();
    let mut counted = 0;
    // In #me, the hook or user input after which no more text is accepted.
    let mut text_closed_by: Option<&Line> = None;

    for line in section.body {
        let prefixed = prefixes(line.text);
        let named = grammar::named_line(prefixed.rest);
        let args = || named.args.map(grammar::args).unwrap_or_default();
        let call = || HookCall {
            name: named.name.to_string(),
            args: args(),
            line: line.number,
        };
        let blank = js_trim(line.text).is_empty();
        if sender != Sender::Me && registry.is_asserter(named.name) {
            step.asserters.push(AsserterCall {
                name: named.name.to_string(),
                args: args(),
                not: prefixed.not,
                optional: prefixed.optional,
                line: line.number,
            });
        } else if sender == Sender::Me && registry.is_user_input(named.name) {
            step.user_inputs.push(call());
            text_closed_by.get_or_insert(line);
        } else if registry.is_logic_hook(named.name) {
            step.logic_hooks.push(call());
            text_closed_by.get_or_insert(line);
        } else if let (Sender::Me, Some(closer)) = (sender, text_closed_by) {
            if !blank && errors.is_empty() {
                errors.push(no_text_expected(source, line, closer));
            }
        } else {
            text_lines.push(line);
        }
        if !blank {
            counted = text_lines.len();
        }
    }
    // A section of nothing but blank lines is the empty text, not "no text".
    if counted > 0 {
        text_lines.truncate(counted);
    }

    if let Some((first, rest)) = text_lines.split_first() {
        let first_prefixed = prefixes(first.text);
        step.optional = first_prefixed.optional;
        step.not = first_prefixed.not;
        // Most texts are one line: borrowed as it stands, copied once.
        let joined_with = |separator: &str| -> Cow<'_, str> {
            if rest.is_empty() {
                return Cow::Borrowed(first_prefixed.rest);
            }
            let mut text = first_prefixed.rest.to_string();
            for line in rest {
                text.push_str(separator);
                text.push_str(line.text);
            }
            Cow::Owned(text)
        };
        let as_json = joined_with(" ");
        if json_text::looks_like_json(&as_json) {
            match json_text::parse(&as_json) {
                Ok(value) => step.source_data = Some(value),
                Err(err) => errors.push(
                    Diagnostic::at(
                        Severity::Error,
                        source,
                        first.offset,
                        first.text.len(),
                        format!("Failed to parse conversation. The text is JSON but does not parse: {err}"),
                    )
                    .with_help("Botium reads step text that looks like JSON as a JSON payload; fix the JSON, or write the text another way"),
                ),
            }
        } else {
            let end = |text: &str| text.trim_end_matches(['\n', '\t', '\r']).len();
            step.text = Some(match joined_with(eol) {
                Cow::Borrowed(text) => text[..end(text)].to_string(),
                Cow::Owned(mut text) => {
                    text.truncate(end(&text));
                    text
                }
            });
        }
    }

    if let Some(err) = mixed_optional(source, section, &step) {
        errors.push(err);
    }
    if errors.is_empty() {
        Ok(step)
    } else {
        Err(errors)
    }
}

/// Botium's step tag, `Line <n>`, built digit by digit: `format!` costs several times more,
/// on every step of every file.
fn line_tag(line: usize) -> String {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = line;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut tag = String::with_capacity(5 + digits.len() - start);
    tag.push_str("Line ");
    tag.extend(digits[start..].iter().map(|&d| char::from(d)));
    tag
}

fn no_text_expected(source: &SourceFile, line: &Line, closer: &Line) -> Diagnostic {
    let trimmed = js_trim(line.text);
    let start = line.offset + (trimmed.as_ptr() as usize - line.text.as_ptr() as usize);
    Diagnostic::at(
        Severity::Error,
        source,
        start,
        trimmed.len(),
        format!("Failed to parse conversation. No text expected here: '{trimmed}'"),
    )
    .with_help(format!(
        "in a #me section, text must come before logic hooks and user inputs; move it above '{}' (line {})",
        js_trim(closer.text),
        closer.number
    ))
}

/// Botium's rule: the text and every asserter of a step are all optional, or none is.
fn mixed_optional(
    source: &SourceFile,
    section: &Section<'_, '_>,
    step: &ConvoStep,
) -> Option<Diagnostic> {
    let mut flags = step
        .asserters
        .iter()
        .map(|a| (a.optional, a.line))
        .collect::<Vec<_>>();
    if step.text.as_deref().is_some_and(|t| !t.is_empty()) {
        let text_line = section
            .body
            .iter()
            .find(|l| !js_trim(l.text).is_empty())
            .map_or(section.header.number, |l| l.number);
        flags.push((step.optional, text_line));
    }
    let optional: Vec<usize> = flags.iter().filter(|f| f.0).map(|f| f.1).collect();
    if optional.is_empty() || optional.len() == flags.len() {
        return None;
    }
    Some(
        Diagnostic::at(
            Severity::Error,
            source,
            section.header.offset,
            section.header.text.len(),
            "Failed to parse conversation. All element in convo step has to be optional or not optional",
        )
        .with_help(format!(
            "optional ('?') on line(s) {}, but not on the others: mark all of them or none",
            optional
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::line_tag;

    #[test]
    fn line_tags_are_botiums() {
        for line in [1, 9, 10, 123, 1_000_007] {
            assert_eq!(line_tag(line), format!("Line {line}"));
        }
    }
}
