//! `<Dial>` and its nouns (Twilio's `<Dial>`, `<Number>`, `<Client>` and `<Sip>` reference
//! pages): every party with its attributes, every `<Dial>` attribute with Twilio's default.
//! Every noun Twilio accepts is parsed; which ones can be dialled is the emulator's business.

use super::ast::*;
use super::attrs::Attrs;
use super::error::TwimlError;
use super::vocabulary::misplaced;
use super::xml::descendant_text;
use super::xml::{trim_xml, Element, Node};

/// Twilio rings at most this many parties at once ("up to ten `<Sip>`, `<Number>`, or
/// `<Client>` nouns within a Dial verb", `<Sip>` reference, parallel calling).
pub const MAX_PARTIES: usize = 10;

/// `<Dial>`: a number as text, or up to ten nouns.
pub(super) fn dial(el: &Element) -> Result<Dial, TwimlError> {
    let attrs = Attrs::new(el);
    let mut text = String::new();
    let mut parties = Vec::new();
    for node in &el.children {
        match node {
            Node::Text(t) => text.push_str(t),
            Node::Element(child) => match DialNoun::from_element(&child.name) {
                Some(noun) => parties.push(party(child, noun)?),
                None => return Err(misplaced(&el.name, &child.name)),
            },
        }
    }
    let text = trim_xml(&text);
    if !text.is_empty() {
        // A number as text is the party; Twilio documents no mix of text and nouns.
        parties = vec![DialParty::new(DialNoun::Number, text)];
    }
    if parties.is_empty() {
        return Err(TwimlError::Missing {
            element: el.name.clone(),
            problem: "needs a number to dial",
        });
    }
    if parties.len() > MAX_PARTIES {
        return Err(TwimlError::TooMany {
            element: el.name.clone(),
            what: "parties (nouns)",
            max: MAX_PARTIES,
            found: parties.len(),
        });
    }
    // Accepted, checked, and without an effect the emulator could show: the ringback has no
    // country cadence, no SIP REFER ever arrives, a call reason is only displayed.
    attrs.ring_tone("ringTone")?;
    attrs.method("referMethod")?;
    let defaults = Dial::new(Vec::new());
    Ok(Dial {
        parties,
        hangup_on_star: attrs.boolean("hangupOnStar")?.unwrap_or(false),
        action: attrs.string("action"),
        method: attrs.method("method")?,
        timeout: attrs.uint("timeout", 1)?.unwrap_or(defaults.timeout),
        caller_id: attrs.string("callerId"),
        time_limit: attrs.uint("timeLimit", 1)?,
        record: attrs.dial_record("record")?,
        trim: attrs.trim("trim")?,
        recording_track: attrs.recording_track("recordingTrack")?,
        recording_status_callback: attrs.string("recordingStatusCallback"),
        recording_status_callback_method: attrs.method("recordingStatusCallbackMethod")?,
        recording_status_callback_events: attrs
            .recording_events("recordingStatusCallbackEvent")?
            .unwrap_or(defaults.recording_status_callback_events),
        answer_on_bridge: attrs.boolean("answerOnBridge")?.unwrap_or(false),
        sequential: attrs.boolean("sequential")?.unwrap_or(false),
    })
}

/// One noun: its address (`<Client>` may wrap the name in `<Identity>`: the text of every
/// descendant counts) and attributes.
fn party(el: &Element, noun: DialNoun) -> Result<DialParty, TwimlError> {
    let mut address = String::new();
    descendant_text(el, &mut address);
    let address = trim_xml(&address);
    if address.is_empty() {
        return Err(TwimlError::Missing {
            element: el.name.clone(),
            problem: "needs an address",
        });
    }
    let attrs = Attrs::new(el);
    let mut party = DialParty::new(noun, address);
    party.url = attrs.string("url");
    party.url_method = attrs.method("method")?;
    party.status_callback = attrs.string("statusCallback");
    party.status_callback_method = attrs.method("statusCallbackMethod")?;
    if let Some(events) = attrs.progress_events("statusCallbackEvent")? {
        party.status_callback_events = events;
    }
    // The attributes only some nouns have (`<Number>`, `<Sip>` reference pages); on another
    // noun they mean nothing to Twilio, so nothing here either. `<Sip username password>`
    // authenticate to a SIP server, which the emulator does not have.
    if noun == DialNoun::Number {
        party.send_digits = attrs.digits("sendDigits")?;
    }
    if matches!(noun, DialNoun::Number | DialNoun::Sip) {
        party.machine_detection = attrs.string("machineDetection");
    }
    if noun == DialNoun::Queue {
        if party.address.chars().count() > MAX_QUEUE_NAME {
            return Err(super::parse_queue::name_too_long(&el.name, &party.address));
        }
        party.reservation_sid = attrs.string("reservationSid");
        party.post_work_activity_sid = attrs.string("postWorkActivitySid");
    }
    Ok(party)
}
