//! Expected texts the configured matcher cannot use: an invalid regular expression in
//! `regexp` mode, more than ten `*` in a wildcard mode, a bad `TEXT_REGEXP_*` argument. Botium
//! finds these only when the step runs; `check` reports them at their line before any call.

use super::ast::{Convo, Location, Sender};
use super::utterances::UtteranceBook;
use super::validate::Finding;
use crate::matching::{Matcher, TextAsserterSpec};

/// Every unusable expected text in the `#bot` steps and text asserters of a convo.
pub fn validate_expectations<'a>(
    convo: &'a Convo,
    utterances: &'a UtteranceBook,
    matcher: &Matcher,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    // An utterance reference stands for its samples; anything else for itself.
    let candidates = |text: &'a str| {
        let samples = utterances.resolve(text).map(|(u, _)| u.samples.as_slice());
        let itself = samples.is_none().then_some(text);
        samples
            .unwrap_or_default()
            .iter()
            .map(String::as_str)
            .chain(itself)
    };
    for step in &convo.steps {
        let at = |line: usize| Location {
            line,
            ..step.location.clone()
        };
        if step.sender == Sender::Bot {
            if let Some(text) = step.text.as_deref().filter(|t| !t.is_empty()) {
                for expected in candidates(text) {
                    if let Err(err) = matcher.validate_expected(expected) {
                        findings.push(Finding {
                            location: at(step.location.line),
                            message: format!(
                                "the expected text cannot be matched in {} mode: {err}",
                                matcher.mode().name()
                            ),
                            help: Some("fix the text, or set SCRIPTING_MATCHING_MODE (or the step's CONVO_STEP_PARAMETERS matchingMode) to another mode".into()),
                        });
                    }
                }
            }
        }
        for asserter in &step.asserters {
            let Some(spec) = TextAsserterSpec::from_name(&asserter.name) else {
                continue;
            };
            let Ok(asserter_matcher) = matcher.for_mode(spec.mode) else {
                continue;
            };
            for arg in asserter.args.iter().flat_map(|a| candidates(a)) {
                if let Err(err) = asserter_matcher.validate_expected(arg) {
                    findings.push(Finding {
                        location: at(asserter.line),
                        message: format!("{}: {err}", asserter.name),
                        help: None,
                    });
                }
            }
        }
    }
    findings
}
