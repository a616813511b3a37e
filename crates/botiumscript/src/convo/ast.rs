//! The parsed form of BotiumScript files: convos, steps, hooks, utterances, memory tables.
//!
//! Field names follow Botium's compiler output (`messageText`, `sourceData`, `not`, `optional`),
//! so a step here compares one to one with what botium-core produces for the same file.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

/// Who a section belongs to: the `#sender` of its header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sender {
    /// `#me`: what the caller says or presses.
    Me,
    /// `#bot`: what the IVR is expected to say.
    Bot,
    /// `#begin`: hooks and asserters run before the conversation.
    Begin,
    /// `#end`: hooks and asserters run after the conversation.
    End,
    /// `#include`: partial convos inserted here.
    Include,
}

impl Sender {
    /// The keyword after `#` (exact, lower case).
    pub fn keyword(self) -> &'static str {
        match self {
            Sender::Me => "me",
            Sender::Bot => "bot",
            Sender::Begin => "begin",
            Sender::End => "end",
            Sender::Include => "include",
        }
    }

    /// Parses a sender keyword exactly as Botium accepts it.
    pub fn from_keyword(word: &str) -> Option<Sender> {
        Some(match word {
            "me" => Sender::Me,
            "bot" => Sender::Bot,
            "begin" => Sender::Begin,
            "end" => Sender::End,
            "include" => Sender::Include,
            _ => return None,
        })
    }
}

impl fmt::Display for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// Where something stands in a source file (1-based line and column, columns in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as the user named it (relative paths stay relative).
    pub file: Arc<PathBuf>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

/// An asserter line: `[?][!]NAME args|...` in a `#bot`, `#begin` or `#end` section.
#[derive(Debug, Clone, PartialEq)]
pub struct AsserterCall {
    /// The registered name.
    pub name: String,
    /// Arguments, split on `|` and trimmed.
    pub args: Vec<String>,
    /// `!`: the assertion must fail.
    pub not: bool,
    /// `?`: the assertion is optional.
    pub optional: bool,
    /// The line it was written on.
    pub line: usize,
}

/// A logic hook or user input line: `NAME args|...`.
#[derive(Debug, Clone, PartialEq)]
pub struct HookCall {
    /// The registered name.
    pub name: String,
    /// Arguments, split on `|` and trimmed.
    pub args: Vec<String>,
    /// The line it was written on.
    pub line: usize,
}

/// One section of a convo: a `#me`, `#bot`, `#begin`, `#end` or `#include` with its body.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvoStep {
    /// The section's sender.
    pub sender: Sender,
    /// The text after the sender keyword on the header line (`#include NAME` keeps the name here).
    pub channel: Option<String>,
    /// Botium's step tag: `Line <n>`, or `Partial/Line <n>` once included.
    pub step_tag: String,
    /// Where the section header stands.
    pub location: Location,
    /// Botium's `messageText`: `None` when the section has no text lines, `Some("")` when only blank ones.
    pub text: Option<String>,
    /// Botium's `sourceData`: set instead of `text` when the text lines form JSON.
    pub source_data: Option<Value>,
    /// `!` on the first text line: the text must not match.
    pub not: bool,
    /// `?` on the first text line: the step is optional.
    pub optional: bool,
    /// Asserters, in file order.
    pub asserters: Vec<AsserterCall>,
    /// Logic hooks, in file order.
    pub logic_hooks: Vec<HookCall>,
    /// User inputs (`#me` only), in file order.
    pub user_inputs: Vec<HookCall>,
}

impl ConvoStep {
    /// Botium's `hasInteraction`: whether the step does anything besides including partials.
    pub fn has_interaction(&self) -> bool {
        self.text.as_deref().is_some_and(|t| !t.is_empty())
            || self.source_data.as_ref().is_some_and(json_truthy)
            || !self.asserters.is_empty()
            || self
                .logic_hooks
                .iter()
                .any(|h| h.name != super::registry::INCLUDE)
            || !self.user_inputs.is_empty()
    }
}

/// JavaScript truthiness of a parsed JSON value (Botium tests `sourceData` that way).
pub fn json_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// A test case or partial convo: a name, a description and its steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Convo {
    /// The first line of the file, or the file name when there is none.
    pub name: String,
    /// The header lines after the name, joined with newlines.
    pub description: Option<String>,
    /// The file the convo came from.
    pub file: Arc<PathBuf>,
    /// The steps, in file order.
    pub steps: Vec<ConvoStep>,
}

impl Convo {
    /// Whether any step checks the caller's SMS (`CHECKTWILIOSMS`, negated or optional too):
    /// such a test case needs a caller ID of its own while it runs, so that no other call's
    /// text message can land in its inbox.
    pub fn checks_sms(&self) -> bool {
        self.steps.iter().any(|step| {
            step.asserters
                .iter()
                .any(|a| a.name == crate::convo::registry::CHECKTWILIOSMS)
        })
    }

    /// The same test case with other steps (and name), without copying the old steps.
    pub fn with_steps(&self, name: String, steps: Vec<ConvoStep>) -> Convo {
        Convo {
            name,
            description: self.description.clone(),
            file: self.file.clone(),
            steps,
        }
    }
}

/// A named list of samples from an `.utterances.txt` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Utterance {
    /// The first line, trimmed.
    pub name: String,
    /// One sample per further non-empty line.
    pub samples: Vec<String>,
    /// The file it came from.
    pub file: Arc<PathBuf>,
}

/// One row (test case) of a `.scriptingmemory.txt` table.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryCase {
    /// The case name (`<convo>.<case>` after expansion).
    pub name: String,
    /// Variable name (with `$`) to value; an empty value clears the variable.
    pub values: Vec<(String, String)>,
    /// Where the row stands.
    pub location: Location,
}
