//! Conditional `#bot` steps (reference §6.5): consecutive `#bot` steps whose `CONDITIONAL_STEP_*`
//! hooks share a group id are alternatives for the same IVR message ("we are open" / "we are
//! closed"). The first whose condition holds now is asserted and the others are skipped; when
//! none holds, the group fails unless all its steps are optional.

use super::Conversation;
use botiumscript::convo::conditions::StepCondition;
use botiumscript::convo::ConvoStep;
use botiumscript::convo::Sender;

/// Which of the steps from one index on to run.
pub(super) enum Selection {
    /// Not a conditional step: run it as it is.
    Plain,
    /// Run step `step` of the group; continue at `after`.
    Chosen { step: usize, after: usize },
    /// No condition holds and every step is optional: continue at `after`.
    Skipped { after: usize },
}

/// The step's condition, if it has one.
fn condition(step: &ConvoStep) -> Option<(&str, Result<StepCondition, String>)> {
    let hook = step
        .logic_hooks
        .iter()
        .find(|h| StepCondition::is_condition_hook(&h.name))?;
    Some((
        hook.name.as_str(),
        StepCondition::parse(&hook.name, &hook.args).map_err(|e| e.to_string()),
    ))
}

impl Conversation<'_> {
    /// Chooses among the conditional group that starts at `steps[i]`; an error names the
    /// index of the step it concerns.
    pub(super) fn select_conditional(
        &self,
        convo_name: &str,
        steps: &[&ConvoStep],
        i: usize,
    ) -> Result<Selection, (usize, String)> {
        let Some((_, first)) = condition(steps[i]) else {
            return Ok(Selection::Plain);
        };
        let invalid = |j: usize, name: &str, e: String| {
            (
                j,
                format!("{convo_name}/{}: {name}: {e}", steps[j].step_tag),
            )
        };
        let group = first.as_ref().map(|c| c.group.clone()).unwrap_or_default();
        let mut members = Vec::new();
        for (j, step) in steps.iter().enumerate().skip(i) {
            let Some((name, parsed)) = condition(step).filter(|_| step.sender == Sender::Bot)
            else {
                break;
            };
            let parsed = parsed.map_err(|e| invalid(j, name, e))?;
            if parsed.group != group {
                break;
            }
            members.push((j, name, parsed));
        }
        let after = i + members.len().max(1);
        let now = chrono::Local::now();
        let caps = |name: &str| self.options.capabilities.get(name).cloned();
        for (j, name, parsed) in &members {
            let holds = parsed
                .holds(&now, &caps)
                .map_err(|e| invalid(*j, name, e.to_string()))?;
            if holds {
                return Ok(Selection::Chosen { step: *j, after });
            }
        }
        if members.iter().all(|(j, _, _)| steps[*j].optional) {
            return Ok(Selection::Skipped { after });
        }
        Err((
            i,
            format!(
                "{convo_name}/{}: Non of the conditions are met in '{}' condition group",
                steps[i].step_tag,
                group.as_deref().unwrap_or("undefined")
            ),
        ))
    }
}
