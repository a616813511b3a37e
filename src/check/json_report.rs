//! The JSON form of `check`: stable for tooling, steps exactly as Botium's compiler produces them.
//!
//! `text` is Botium's `messageText` (`null` when the section has no text lines), `channel` is
//! `null` when absent. Besides the documented keys, each step carries `step_tag`, `file` and
//! `source_data` (the parsed JSON when the text was JSON), and the report has `warnings`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::config::AnswerTiming;
use botiumscript::convo::{Convo, ConvoStep, Diagnostic, Suite};

/// The whole report.
#[derive(Serialize)]
pub struct Report<'a> {
    convos: Vec<ConvoJson<'a>>,
    partial_convos: Vec<ConvoJson<'a>>,
    utterances: BTreeMap<&'a str, &'a [String]>,
    errors: Vec<Finding>,
    warnings: Vec<Finding>,
    /// `TWILIO_IVR_ANSWER_TIMING` in effect: `offer`, `match` or `silence`.
    answer_timing: &'static str,
}

#[derive(Serialize)]
struct ConvoJson<'a> {
    name: &'a str,
    description: Option<&'a str>,
    file: String,
    steps: Vec<StepJson<'a>>,
}

#[derive(Serialize)]
struct StepJson<'a> {
    sender: &'static str,
    channel: Option<&'a str>,
    line: usize,
    step_tag: &'a str,
    file: String,
    text: Option<&'a str>,
    source_data: Option<&'a Value>,
    not: bool,
    optional: bool,
    asserters: Vec<AsserterJson<'a>>,
    logic_hooks: Vec<HookJson<'a>>,
    user_inputs: Vec<HookJson<'a>>,
}

#[derive(Serialize)]
struct AsserterJson<'a> {
    name: &'a str,
    args: &'a [String],
    not: bool,
    optional: bool,
}

#[derive(Serialize)]
struct HookJson<'a> {
    name: &'a str,
    args: &'a [String],
}

/// One error or warning.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Finding {
    /// The file, as the user named it (`null` for findings not tied to a file).
    pub file: Option<String>,
    /// 1-based line, or 0.
    pub line: usize,
    /// 1-based column, or 0.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl From<&Diagnostic> for Finding {
    fn from(d: &Diagnostic) -> Finding {
        Finding {
            file: Some(d.file.display().to_string()),
            line: d.line,
            column: d.column,
            message: d.message.clone(),
        }
    }
}

impl<'a> Report<'a> {
    /// Builds the report; `expand` lists test cases with includes and utterances applied.
    pub fn new(
        suite: &'a Suite,
        expand: bool,
        mut errors: Vec<Finding>,
        mut warnings: Vec<Finding>,
        answer_timing: AnswerTiming,
    ) -> Report<'a> {
        let convos = if expand {
            &suite.test_cases
        } else {
            &suite.convos
        };
        for d in &suite.diagnostics {
            if d.is_error() {
                errors.push(d.into());
            } else {
                warnings.push(d.into());
            }
        }
        Report {
            convos: convos.iter().map(convo_json).collect(),
            partial_convos: suite.partials.iter().map(convo_json).collect(),
            utterances: suite
                .utterances
                .iter()
                .map(|u| (u.name.as_str(), u.samples.as_slice()))
                .collect(),
            errors,
            warnings,
            answer_timing: answer_timing.name(),
        }
    }
}

fn convo_json(convo: &Convo) -> ConvoJson<'_> {
    ConvoJson {
        name: &convo.name,
        description: convo.description.as_deref(),
        file: convo.file.display().to_string(),
        steps: convo.steps.iter().map(step_json).collect(),
    }
}

fn step_json(step: &ConvoStep) -> StepJson<'_> {
    StepJson {
        sender: step.sender.keyword(),
        channel: step.channel.as_deref(),
        line: step.location.line,
        step_tag: &step.step_tag,
        file: step.location.file.display().to_string(),
        text: step.text.as_deref(),
        source_data: step.source_data.as_ref(),
        not: step.not,
        optional: step.optional,
        asserters: step
            .asserters
            .iter()
            .map(|a| AsserterJson {
                name: &a.name,
                args: &a.args,
                not: a.not,
                optional: a.optional,
            })
            .collect(),
        logic_hooks: step
            .logic_hooks
            .iter()
            .map(|h| HookJson {
                name: &h.name,
                args: &h.args,
            })
            .collect(),
        user_inputs: step
            .user_inputs
            .iter()
            .map(|h| HookJson {
                name: &h.name,
                args: &h.args,
            })
            .collect(),
    }
}
