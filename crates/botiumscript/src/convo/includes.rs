//! Partial convos: registering `.pconvo.txt` files and expanding `#include` and `INCLUDE`.
//!
//! Expansion follows botium-core's `Convo.expandPartialConvos`:
//! - `#include NAME` includes NAME, and every non-empty body line names one more partial;
//! - a step with `INCLUDE NAME` stays when it does anything else, and the partial follows it;
//!   a step with only `INCLUDE` is replaced by the partial;
//! - a partial's own `#begin`/`#end` steps are dropped; nesting is allowed, cycles are errors;
//! - included steps are tagged `Partial/Line <n>` (`A/B/Line <n>` when nested).

use foldhash::HashMap;

use super::ast::{Convo, ConvoStep, Location, Sender};
use super::registry::INCLUDE;
use super::source::js_trim;

/// A problem found while including partials, at the include that caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct IncludeError {
    /// Where the include stands.
    pub location: Location,
    /// Botium's message.
    pub message: String,
}

/// The partial convos of a suite, by name, in the order they were read.
#[derive(Debug, Clone, Default)]
pub struct PartialBook {
    partials: Vec<Convo>,
    by_name: HashMap<String, usize>,
}

impl PartialBook {
    /// Adds a partial convo. It needs a name line of its own (a file name will not do), without
    /// `|`, and unique in the suite.
    pub fn add(&mut self, partial: Convo, name_from_file: bool) -> Result<(), String> {
        if name_from_file {
            return Err(r#"Header name is mandatory: {"name":""}"#.to_string());
        }
        if partial.name.contains('|') {
            return Err(format!("Invalid partial convo name: {}", partial.name));
        }
        if self.by_name.contains_key(&partial.name) {
            return Err(format!("Duplicate partial convo: {}", partial.name));
        }
        self.by_name
            .insert(partial.name.clone(), self.partials.len());
        self.partials.push(partial);
        Ok(())
    }

    /// A partial by name.
    pub fn get(&self, name: &str) -> Option<&Convo> {
        self.by_name.get(name).map(|&i| &self.partials[i])
    }

    /// Every partial, in read order.
    pub fn iter(&self) -> impl Iterator<Item = &Convo> {
        self.partials.iter()
    }

    /// The steps of a convo with every include expanded.
    pub fn expand(&self, convo: &Convo) -> Result<Vec<ConvoStep>, IncludeError> {
        let mut result = Vec::new();
        self.expand_into(&convo.steps, &mut Vec::new(), &mut result, false)?;
        Ok(result)
    }

    fn expand_into(
        &self,
        steps: &[ConvoStep],
        parents: &mut Vec<String>,
        result: &mut Vec<ConvoStep>,
        in_partial: bool,
    ) -> Result<(), IncludeError> {
        for step in steps {
            let includes = if step.sender == Sender::Include {
                include_section_names(step)
            } else {
                let names = include_hook_names(step)?;
                let keep = names.is_empty() || step.has_interaction();
                let dropped_by_partial =
                    in_partial && matches!(step.sender, Sender::Begin | Sender::End);
                if keep && !dropped_by_partial {
                    let mut kept = step.clone();
                    if !parents.is_empty() {
                        kept.step_tag = format!("{}/{}", parents.join("/"), step.step_tag);
                    }
                    result.push(kept);
                }
                names
            };
            for (name, location) in includes {
                if let Some(at) = parents.iter().position(|p| *p == name) {
                    return Err(IncludeError {
                        location,
                        message: format!(
                            r#"Partial convos are included circular. "{name}" is referenced by "/{}" and by "/{}""#,
                            parents[..at].join("/"),
                            parents.join("/")
                        ),
                    });
                }
                let Some(partial) = self.get(&name) else {
                    let available = if self.partials.is_empty() {
                        "There are no partial convos".to_string()
                    } else {
                        let names: Vec<&str> =
                            self.partials.iter().map(|p| p.name.as_str()).collect();
                        format!("available partial convos: {}", names.join(","))
                    };
                    return Err(IncludeError {
                        location,
                        message: format!("Cant find partial convo with name {name} ({available})"),
                    });
                };
                parents.push(name);
                self.expand_into(&partial.steps, parents, result, true)?;
                parents.pop();
            }
        }
        Ok(())
    }
}

/// `#include A` plus one name per non-empty body line.
fn include_section_names(step: &ConvoStep) -> Vec<(String, Location)> {
    let mut names = Vec::new();
    if let Some(channel) = &step.channel {
        names.push((channel.clone(), step.location.clone()));
    }
    if let Some(text) = &step.text {
        for (i, line) in text.split('\n').enumerate() {
            let name = js_trim(line);
            if !name.is_empty() {
                let location = Location {
                    line: step.location.line + 1 + i,
                    ..step.location.clone()
                };
                names.push((name.to_string(), location));
            }
        }
    }
    names
}

/// The partial names of a step's `INCLUDE` hooks; each takes exactly one argument.
fn include_hook_names(step: &ConvoStep) -> Result<Vec<(String, Location)>, IncludeError> {
    step.logic_hooks
        .iter()
        .filter(|h| h.name == INCLUDE)
        .map(|h| {
            let location = Location {
                line: h.line,
                ..step.location.clone()
            };
            match h.args.as_slice() {
                [name] => Ok((name.clone(), location)),
                _ => Err(IncludeError {
                    location,
                    message: "Wrong argument for include logic hook!".to_string(),
                }),
            }
        })
        .collect()
}
