//! TwiML text to a [`Response`], with Twilio's nesting rules and defaults
//! (`shared/reference/twilio.md` §7). Anything Twilio would refuse with 12100 "Document parse
//! failure" is a [`TwimlError`].

use super::ast::*;
use super::attrs::Attrs;
use super::error::TwimlError;
use super::text::text_only;
use super::vocabulary::{misplaced, SSML, UNSUPPORTED_VERBS};
use super::xml::{self, trim_xml, Element, Node};

impl TwimlError {
    /// Twilio's error code for all of these: 12100, "Document parse failure".
    pub fn code(&self) -> u32 {
        12100
    }
}

/// Parses a TwiML document, applying every default (§7).
pub fn parse(xml: &str) -> Result<Response, TwimlError> {
    let root = xml::read(xml)?;
    if root.name != "Response" {
        return Err(TwimlError::NotResponse { found: root.name });
    }
    let mut verbs = Vec::new();
    for child in elements(&root)? {
        verbs.push(top_level_verb(child)?);
    }
    Ok(Response { verbs })
}

/// `relative` resolved against the URL of the document it appeared in (§7.1); absolute URLs
/// come back normalised. `None` when `base` is not an absolute URL or the result is invalid.
pub fn resolve_url(base: &str, relative: &str) -> Option<String> {
    let base = url::Url::parse(base).ok()?;
    base.join(relative).ok().map(String::from)
}

/// The child elements of `el`, which may hold only whitespace besides them.
fn elements(el: &Element) -> Result<Vec<&Element>, TwimlError> {
    let mut out = Vec::new();
    for node in &el.children {
        match node {
            Node::Element(child) => out.push(child),
            Node::Text(text) => no_text(el, text)?,
        }
    }
    Ok(out)
}

/// Fails on non-whitespace text.
fn no_text(el: &Element, text: &str) -> Result<(), TwimlError> {
    let trimmed = trim_xml(text);
    if trimmed.is_empty() {
        Ok(())
    } else {
        Err(TwimlError::UnexpectedText {
            element: el.name.clone(),
            text: trimmed.to_string(),
        })
    }
}

/// An element that takes neither text nor children, or only `<Parameter>`s (`allow_parameter`).
fn empty(el: &Element, allow_parameter: bool) -> Result<(), TwimlError> {
    for child in elements(el)? {
        if !(allow_parameter && child.name == "Parameter") {
            return Err(misplaced(&el.name, &child.name));
        }
    }
    Ok(())
}

/// A child of `<Response>`.
fn top_level_verb(el: &Element) -> Result<Verb, TwimlError> {
    let attrs = Attrs::new(el);
    Ok(match el.name.as_str() {
        "Say" => Verb::Say(say(el)?),
        "Play" => Verb::Play(play(el)?),
        "Pause" => Verb::Pause(pause(el)?),
        "Gather" => Verb::Gather(gather(el)?),
        "Record" => {
            empty(el, false)?;
            let transcribe = attrs.boolean("transcribe")?.unwrap_or(false);
            Verb::Record(Record {
                action: attrs.string("action"),
                method: attrs.method("method")?,
                timeout: attrs.uint("timeout", 0)?.unwrap_or(5),
                finish_on_key: attrs
                    .keys("finishOnKey", usize::MAX)?
                    .unwrap_or_else(|| "1234567890*#".to_string()),
                // Twilio shortens the default when transcribing (§7.5).
                max_length: attrs.uint("maxLength", 1)?.unwrap_or(if transcribe {
                    120
                } else {
                    3600
                }),
                play_beep: attrs.boolean("playBeep")?.unwrap_or(true),
                recording_status_callback: attrs.string("recordingStatusCallback"),
                transcribe,
                transcribe_callback: attrs.string("transcribeCallback"),
            })
        }
        "Dial" => Verb::Dial(super::parse_dial::dial(el)?),
        "Redirect" => {
            let url = text_only(el)?;
            if url.is_empty() {
                return Err(TwimlError::Missing {
                    element: el.name.clone(),
                    problem: "needs a URL",
                });
            }
            Verb::Redirect(Redirect {
                url,
                method: attrs.method("method")?,
            })
        }
        "Hangup" => {
            empty(el, true)?;
            Verb::Hangup
        }
        "Reject" => {
            empty(el, true)?;
            Verb::Reject(Reject {
                reason: attrs.reject_reason("reason")?,
            })
        }
        "Enqueue" => Verb::Enqueue(super::parse_queue::enqueue(el)?),
        "Leave" => {
            empty(el, false)?;
            Verb::Leave
        }
        name if UNSUPPORTED_VERBS.contains(&name) => Verb::Unsupported {
            name: name.to_string(),
        },
        other => return Err(misplaced("Response", other)),
    })
}

/// `<Say>`: attributes and the spoken text.
fn say(el: &Element) -> Result<Say, TwimlError> {
    let attrs = Attrs::new(el);
    let mut spoken = Spoken::default();
    spoken.element(el)?;
    Ok(Say {
        text: trim_xml(&spoken.text).to_string(),
        voice: attrs.string("voice"),
        language: attrs.string("language"),
        repeat: attrs.uint("loop", 0)?.unwrap_or(1),
    })
}

/// What a `<Say>` says aloud: its text, with SSML reduced to text.
#[derive(Default)]
struct Spoken {
    /// The text so far.
    text: String,
    /// A word break is owed before the next text (after `<break>`, `<p>`, `<s>`).
    pending_break: bool,
}

impl Spoken {
    /// Appends the content of `el`.
    fn element(&mut self, el: &Element) -> Result<(), TwimlError> {
        for node in &el.children {
            match node {
                Node::Text(t) => self.push(t),
                Node::Element(child) if SSML.contains(&child.name.as_str()) => {
                    // Pauses and paragraph/sentence edges separate words when spoken, so they
                    // separate them in the transcript too.
                    let separates = matches!(child.name.as_str(), "break" | "p" | "s");
                    self.pending_break |= separates;
                    match Attrs::new(child).string("alias") {
                        // `<sub alias>` is spoken as its alias, not its text.
                        Some(alias) if child.name == "sub" => self.push(&alias),
                        _ => self.element(child)?,
                    }
                    self.pending_break |= separates;
                }
                Node::Element(child) => return Err(misplaced(&el.name, &child.name)),
            }
        }
        Ok(())
    }

    /// Appends text, first settling an owed word break unless whitespace already separates.
    fn push(&mut self, t: &str) {
        if t.is_empty() {
            return;
        }
        if std::mem::take(&mut self.pending_break) {
            let spaced = self.text.chars().next_back().is_none_or(xml::is_xml_space)
                || t.starts_with(xml::is_xml_space);
            if !spaced {
                self.text.push(' ');
            }
        }
        self.text.push_str(t);
    }
}

/// `<Play>`: a media URL and/or keypad digits.
fn play(el: &Element) -> Result<Play, TwimlError> {
    let attrs = Attrs::new(el);
    let url = text_only(el)?;
    let digits = attrs.digits("digits")?;
    if url.is_empty() && digits.is_none() {
        return Err(TwimlError::Missing {
            element: el.name.clone(),
            problem: "needs a media URL or a digits attribute",
        });
    }
    Ok(Play {
        url: (!url.is_empty()).then_some(url),
        digits,
        repeat: attrs.uint("loop", 0)?.unwrap_or(1),
    })
}

/// `<Pause>`.
fn pause(el: &Element) -> Result<Pause, TwimlError> {
    empty(el, false)?;
    Ok(Pause {
        length: Attrs::new(el).uint("length", 1)?.unwrap_or(1),
    })
}

/// `<Gather>` with its nested prompts.
fn gather(el: &Element) -> Result<Gather, TwimlError> {
    let attrs = Attrs::new(el);
    let mut prompts = Vec::new();
    for child in elements(el)? {
        prompts.push(match child.name.as_str() {
            "Say" => Verb::Say(say(child)?),
            "Play" => {
                let play = play(child)?;
                if play.digits.is_some() {
                    // "You can't play 'digits' within a <Gather>" (§7.2).
                    return Err(TwimlError::Nesting {
                        parent: el.name.clone(),
                        child: "Play digits".to_string(),
                    });
                }
                Verb::Play(play)
            }
            "Pause" => Verb::Pause(pause(child)?),
            other => return Err(misplaced(&el.name, other)),
        });
    }
    // Twilio's defaults live in one place: `Gather::default()`.
    let d = Gather::default();
    let (dtmf, speech) = attrs.input("input")?.unwrap_or((d.dtmf, d.speech));
    Ok(Gather {
        action: attrs.string("action"),
        method: attrs.method("method")?,
        dtmf,
        speech,
        timeout: attrs.uint("timeout", 1)?.unwrap_or(d.timeout),
        speech_timeout: attrs.speech_timeout("speechTimeout")?,
        finish_on_key: attrs.keys("finishOnKey", 1)?.unwrap_or(d.finish_on_key),
        num_digits: attrs.uint("numDigits", 1)?,
        action_on_empty_result: attrs
            .boolean("actionOnEmptyResult")?
            .unwrap_or(d.action_on_empty_result),
        language: attrs.string("language"),
        hints: attrs.string("hints"),
        speech_model: attrs.string("speechModel"),
        enhanced: attrs.boolean("enhanced")?.unwrap_or(d.enhanced),
        partial_result_callback: attrs.string("partialResultCallback"),
        // Twilio only warns (13332) about an invalid value; like every other invalid attribute
        // value here it is refused (12100), so a typo cannot silently change the behaviour.
        barge_in: attrs.boolean("bargeIn")?.unwrap_or(d.barge_in),
        prompts,
    })
}

#[cfg(test)]
#[path = "parse_tests/mod.rs"]
mod tests;
