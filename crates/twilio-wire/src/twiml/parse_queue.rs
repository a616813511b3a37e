//! `<Enqueue>` (Twilio's `<Enqueue>` reference): the queue's name, its attributes with Twilio's
//! defaults, and the TaskRouter form (`workflowSid`, `<Task>`), kept so that the emulator can
//! refuse it by name. `<Dial><Queue>`, the other end, is a party of `<Dial>` (`parse_dial`).

use super::ast::*;
use super::attrs::Attrs;
use super::error::TwimlError;
use super::vocabulary::misplaced;
use super::xml::{trim_xml, Element, Node};

/// The error for a queue name longer than Twilio takes.
pub(super) fn name_too_long(element: &str, name: &str) -> TwimlError {
    TwimlError::TooMany {
        element: element.to_string(),
        what: "characters of queue name",
        max: MAX_QUEUE_NAME,
        found: name.chars().count(),
    }
}

/// `<Enqueue>`: the queue's name as text, or a `workflowSid` with a `<Task>` (TaskRouter).
pub(super) fn enqueue(el: &Element) -> Result<Enqueue, TwimlError> {
    let attrs = Attrs::new(el);
    let mut text = String::new();
    let mut task = None;
    for node in &el.children {
        match node {
            Node::Text(t) => text.push_str(t),
            Node::Element(child) if child.name == "Task" && task.is_none() => {
                task = Some(enqueue_task(child)?);
            }
            Node::Element(child) if child.name == "Task" => {
                return Err(TwimlError::TooMany {
                    element: el.name.clone(),
                    what: "<Task> elements",
                    max: 1,
                    found: 2,
                });
            }
            Node::Element(child) => return Err(misplaced(&el.name, &child.name)),
        }
    }
    let queue = trim_xml(&text).to_string();
    let workflow_sid = attrs.string("workflowSid");
    if queue.is_empty() && workflow_sid.is_none() {
        return Err(TwimlError::Missing {
            element: el.name.clone(),
            problem: "needs a queue name (or a workflowSid)",
        });
    }
    if queue.chars().count() > MAX_QUEUE_NAME {
        return Err(name_too_long(&el.name, &queue));
    }
    Ok(Enqueue {
        queue,
        action: attrs.string("action"),
        method: attrs.method("method")?,
        wait_url: attrs.string("waitUrl"),
        wait_url_method: attrs.method("waitUrlMethod")?,
        workflow_sid,
        task,
    })
}

/// `<Task priority timeout>{JSON}</Task>`.
fn enqueue_task(el: &Element) -> Result<EnqueueTask, TwimlError> {
    let attrs = Attrs::new(el);
    Ok(EnqueueTask {
        attributes: super::text::text_only(el)?,
        priority: attrs.uint("priority", 0)?,
        timeout: attrs.uint("timeout", 1)?,
    })
}
