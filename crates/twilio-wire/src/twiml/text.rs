//! The text of an element that takes no child elements (a `<Say>`, a `<Number>`, a queue's
//! name): shared by the parsers of every verb, so none of them imports another for it.

use super::error::TwimlError;
use super::vocabulary::misplaced;
use super::xml::{trim_xml, Element, Node};

/// The text of an element that takes no child elements, trimmed.
pub(super) fn text_only(el: &Element) -> Result<String, TwimlError> {
    let mut text = String::new();
    for node in &el.children {
        match node {
            Node::Text(t) => text.push_str(t),
            Node::Element(child) => return Err(misplaced(&el.name, &child.name)),
        }
    }
    Ok(trim_xml(&text).to_string())
}
