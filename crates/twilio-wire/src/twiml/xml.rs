//! XML text to a small element tree (quick-xml events gathered into nodes), so the TwiML rules
//! in `parse` see whole elements instead of a stream. Only well-formedness is checked here.

use std::borrow::Cow;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use super::error::TwimlError;

/// An element with its attributes (decoded, in document order) and content.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Element {
    /// The name as written (prefix included, case kept).
    pub name: String,
    /// `(name, value)` with entities decoded and attribute whitespace normalised.
    pub attrs: Vec<(String, String)>,
    /// Text runs and child elements, in order; adjacent text is merged.
    pub children: Vec<Node>,
}

/// A piece of element content.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// A child element.
    Element(Element),
    /// Character data with entities and CDATA decoded.
    Text(String),
}

/// XML's whitespace (space, tab, CR, LF): unlike `char::is_whitespace`, a no-break space is text.
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// `s` without leading and trailing XML whitespace.
pub(crate) fn trim_xml(s: &str) -> &str {
    s.trim_matches(is_xml_space)
}

/// Parses a whole document into its root element.
pub(crate) fn read(xml: &str) -> Result<Element, TwimlError> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| xml_error(reader.error_position(), e))?;
        let position = reader.buffer_position();
        match event {
            Event::Start(start) => {
                if root.is_some() && stack.is_empty() {
                    return Err(xml_error(position, "content after the root element"));
                }
                stack.push(element(&start, position)?);
            }
            Event::Empty(start) => {
                let el = element(&start, position)?;
                attach(&mut stack, &mut root, el, position)?;
            }
            Event::End(_) => {
                // quick-xml has already checked that the end tag names the open element.
                let Some(el) = stack.pop() else {
                    return Err(xml_error(position, "end tag without a start tag"));
                };
                attach(&mut stack, &mut root, el, position)?;
            }
            Event::Text(text) => {
                let content = text.xml10_content().map_err(|e| xml_error(position, e))?;
                push_text(&mut stack, &content, position)?;
            }
            Event::CData(cdata) => {
                let content = cdata.xml10_content().map_err(|e| xml_error(position, e))?;
                push_text(&mut stack, &content, position)?;
            }
            Event::GeneralRef(reference) => {
                let ch = resolve_reference(&reference, position)?;
                push_text(&mut stack, ch.encode_utf8(&mut [0; 4]), position)?;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(xml_error(
                        position,
                        format!("<{}> is not closed", open.name),
                    ));
                }
                return root.ok_or_else(|| xml_error(position, "no root element"));
            }
        }
    }
}

/// A finished element goes into its parent, or becomes the root.
fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    el: Element,
    position: u64,
) -> Result<(), TwimlError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(el)),
        None if root.is_some() => {
            return Err(xml_error(position, "content after the root element"));
        }
        None => *root = Some(el),
    }
    Ok(())
}

/// Appends character data to the open element; outside the root only whitespace is allowed.
fn push_text(stack: &mut [Element], text: &str, position: u64) -> Result<(), TwimlError> {
    let Some(parent) = stack.last_mut() else {
        if trim_xml(text).is_empty() {
            return Ok(());
        }
        return Err(xml_error(position, "text outside the root element"));
    };
    match parent.children.last_mut() {
        Some(Node::Text(run)) => run.push_str(text),
        _ => parent.children.push(Node::Text(text.to_string())),
    }
    Ok(())
}

/// An element's name and decoded attributes.
fn element(start: &BytesStart<'_>, position: u64) -> Result<Element, TwimlError> {
    let name = utf8(start.name().as_ref(), position)?.to_string();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| xml_error(position, e))?;
        let key = utf8(attr.key.as_ref(), position)?.to_string();
        let raw = utf8(&attr.value, position)?;
        // XML attribute-value normalisation: literal tabs and line breaks read as spaces, while
        // character references (`&#10;`) keep them; quick-xml leaves this to the caller.
        let normalised: Cow<'_, str> = if raw.contains(['\t', '\n', '\r']) {
            Cow::Owned(raw.replace("\r\n", " ").replace(['\t', '\n', '\r'], " "))
        } else {
            Cow::Borrowed(raw)
        };
        let value = quick_xml::escape::unescape(&normalised)
            .map_err(|e| xml_error(position, format!("attribute {key}: {e}")))?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
    })
}

/// The character an entity or character reference stands for; XML predefines only five names.
fn resolve_reference(reference: &BytesRef<'_>, position: u64) -> Result<char, TwimlError> {
    if let Some(ch) = reference
        .resolve_char_ref()
        .map_err(|e| xml_error(position, e))?
    {
        return Ok(ch);
    }
    let name = utf8(reference, position)?;
    match name {
        "amp" => Ok('&'),
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        _ => Err(xml_error(position, format!("unknown entity &{name};"))),
    }
}

/// Bytes that must be UTF-8 (the input was a `&str`, so only a split character could fail).
fn utf8(bytes: &[u8], position: u64) -> Result<&str, TwimlError> {
    std::str::from_utf8(bytes).map_err(|e| xml_error(position, e))
}

/// A well-formedness error at a byte offset.
fn xml_error(position: u64, message: impl std::fmt::Display) -> TwimlError {
    TwimlError::Xml {
        position,
        message: message.to_string(),
    }
}

/// All text under `el`, in document order.
pub(super) fn descendant_text(el: &Element, out: &mut String) {
    for node in &el.children {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Element(child) => descendant_text(child, out),
        }
    }
}
