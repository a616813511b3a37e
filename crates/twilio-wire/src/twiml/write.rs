//! [`Response`] to TwiML text, as the official Node builder writes it: the XML declaration, no
//! indentation, attributes only where they differ from Twilio's defaults, empty elements
//! self-closed. For every document `parse` returns, `parse(&r.to_xml()) == Ok(r)`.

use super::ast::*;

/// Attributes of one element, in the order written.
type AttrList = Vec<(&'static str, String)>;

impl Response {
    /// The document as TwiML text.
    pub fn to_xml(&self) -> String {
        let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        if self.verbs.is_empty() {
            out.push_str("<Response/>");
            return out;
        }
        out.push_str("<Response>");
        for verb in &self.verbs {
            write_verb(&mut out, verb);
        }
        out.push_str("</Response>");
        out
    }
}

/// `<Dial>`: a lone number without attributes as text, otherwise each party as its noun.
fn write_dial(out: &mut String, dial: &Dial) {
    let mut attrs = AttrList::new();
    optional(&mut attrs, "action", &dial.action);
    method(&mut attrs, dial.method);
    unless(&mut attrs, "timeout", dial.timeout, 30);
    optional(&mut attrs, "callerId", &dial.caller_id);
    optional(&mut attrs, "timeLimit", &dial.time_limit);
    if dial.record.records() {
        attrs.push(("record", dial.record.as_str().to_string()));
    }
    if dial.trim {
        attrs.push(("trim", "trim-silence".to_string()));
    }
    if dial.recording_track != RecordingTrack::Both {
        attrs.push(("recordingTrack", dial.recording_track.as_str().to_string()));
    }
    optional(
        &mut attrs,
        "recordingStatusCallback",
        &dial.recording_status_callback,
    );
    if dial.recording_status_callback_method == HttpMethod::Get {
        attrs.push(("recordingStatusCallbackMethod", "GET".to_string()));
    }
    if dial.recording_status_callback_events != [RecordingEvent::Completed] {
        let events: Vec<&str> = dial
            .recording_status_callback_events
            .iter()
            .map(|e| e.as_str())
            .collect();
        attrs.push(("recordingStatusCallbackEvent", events.join(" ")));
    }
    unless(&mut attrs, "hangupOnStar", dial.hangup_on_star, false);
    unless(&mut attrs, "answerOnBridge", dial.answer_on_bridge, false);
    unless(&mut attrs, "sequential", dial.sequential, false);
    if let [party] = dial.parties.as_slice() {
        if *party == DialParty::new(DialNoun::Number, party.address.clone()) {
            leaf(out, "Dial", &attrs, &party.address);
            return;
        }
    }
    start_tag(out, "Dial", &attrs);
    out.push('>');
    for party in &dial.parties {
        let mut noun_attrs = AttrList::new();
        optional(&mut noun_attrs, "url", &party.url);
        if party.url.is_some() {
            method(&mut noun_attrs, party.url_method);
        }
        optional(&mut noun_attrs, "sendDigits", &party.send_digits);
        optional(&mut noun_attrs, "statusCallback", &party.status_callback);
        if party.status_callback_method == HttpMethod::Get {
            noun_attrs.push(("statusCallbackMethod", "GET".to_string()));
        }
        if party.status_callback_events != [CallProgressEvent::Completed] {
            let events: Vec<&str> = party
                .status_callback_events
                .iter()
                .map(|e| e.as_str())
                .collect();
            noun_attrs.push(("statusCallbackEvent", events.join(" ")));
        }
        optional(
            &mut noun_attrs,
            "machineDetection",
            &party.machine_detection,
        );
        optional(&mut noun_attrs, "reservationSid", &party.reservation_sid);
        optional(
            &mut noun_attrs,
            "postWorkActivitySid",
            &party.post_work_activity_sid,
        );
        leaf(out, party.noun.element(), &noun_attrs, &party.address);
    }
    out.push_str("</Dial>");
}

/// One verb (and, for `<Gather>`, its prompts).
fn write_verb(out: &mut String, verb: &Verb) {
    match verb {
        Verb::Say(say) => {
            let mut attrs = AttrList::new();
            optional(&mut attrs, "voice", &say.voice);
            optional(&mut attrs, "language", &say.language);
            unless(&mut attrs, "loop", say.repeat, 1);
            leaf(out, "Say", &attrs, &say.text);
        }
        Verb::Play(play) => {
            let mut attrs = AttrList::new();
            unless(&mut attrs, "loop", play.repeat, 1);
            optional(&mut attrs, "digits", &play.digits);
            leaf(out, "Play", &attrs, play.url.as_deref().unwrap_or(""));
        }
        Verb::Pause(pause) => {
            let mut attrs = AttrList::new();
            unless(&mut attrs, "length", pause.length, 1);
            leaf(out, "Pause", &attrs, "");
        }
        Verb::Gather(gather) => write_gather(out, gather),
        Verb::Record(record) => {
            let mut attrs = AttrList::new();
            optional(&mut attrs, "action", &record.action);
            method(&mut attrs, record.method);
            unless(&mut attrs, "timeout", record.timeout, 5);
            unless(
                &mut attrs,
                "finishOnKey",
                record.finish_on_key.as_str(),
                "1234567890*#",
            );
            // The default `maxLength` depends on `transcribe` (§7.5).
            let default_max = if record.transcribe { 120 } else { 3600 };
            unless(&mut attrs, "maxLength", record.max_length, default_max);
            unless(&mut attrs, "playBeep", record.play_beep, true);
            optional(
                &mut attrs,
                "recordingStatusCallback",
                &record.recording_status_callback,
            );
            unless(&mut attrs, "transcribe", record.transcribe, false);
            optional(
                &mut attrs,
                "transcribeCallback",
                &record.transcribe_callback,
            );
            leaf(out, "Record", &attrs, "");
        }
        Verb::Dial(dial) => write_dial(out, dial),
        Verb::Redirect(redirect) => {
            let mut attrs = AttrList::new();
            method(&mut attrs, redirect.method);
            leaf(out, "Redirect", &attrs, &redirect.url);
        }
        Verb::Hangup => leaf(out, "Hangup", &[], ""),
        Verb::Reject(reject) => {
            let mut attrs = AttrList::new();
            if reject.reason == RejectReason::Busy {
                attrs.push(("reason", "busy".to_string()));
            }
            leaf(out, "Reject", &attrs, "");
        }
        Verb::Enqueue(enqueue) => write_enqueue(out, enqueue),
        Verb::Leave => leaf(out, "Leave", &[], ""),
        Verb::Unsupported { name } => {
            // Only the name survives parsing; a name that is not an XML name cannot be written
            // without breaking the whole document, so it is left out.
            if is_xml_name(name) {
                leaf(out, name, &[], "");
            }
        }
    }
}

/// `<Enqueue>`: its attributes, the queue's name, then its `<Task>` if it has one.
fn write_enqueue(out: &mut String, enqueue: &Enqueue) {
    let mut attrs = AttrList::new();
    optional(&mut attrs, "action", &enqueue.action);
    method(&mut attrs, enqueue.method);
    optional(&mut attrs, "waitUrl", &enqueue.wait_url);
    if enqueue.wait_url_method == HttpMethod::Get {
        attrs.push(("waitUrlMethod", "GET".to_string()));
    }
    optional(&mut attrs, "workflowSid", &enqueue.workflow_sid);
    let Some(task) = &enqueue.task else {
        leaf(out, "Enqueue", &attrs, &enqueue.queue);
        return;
    };
    start_tag(out, "Enqueue", &attrs);
    out.push('>');
    escape_into(out, &enqueue.queue, false);
    let mut task_attrs = AttrList::new();
    optional(&mut task_attrs, "priority", &task.priority);
    optional(&mut task_attrs, "timeout", &task.timeout);
    leaf(out, "Task", &task_attrs, &task.attributes);
    out.push_str("</Enqueue>");
}

/// `<Gather>` with every non-default attribute, then its prompts.
fn write_gather(out: &mut String, gather: &Gather) {
    start_tag(out, "Gather", &gather_attributes(gather));
    if gather.prompts.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for prompt in &gather.prompts {
        write_verb(out, prompt);
    }
    out.push_str("</Gather>");
}

/// The attributes `<Gather>` is written with (every non-default one, in a fixed order), for
/// whoever must write the same `<Gather>` elsewhere, such as a relay that repeats it.
pub fn gather_attributes(gather: &Gather) -> Vec<(&'static str, String)> {
    let mut attrs = AttrList::new();
    optional(&mut attrs, "action", &gather.action);
    method(&mut attrs, gather.method);
    let input = match (gather.dtmf, gather.speech) {
        (true, false) => None,
        (true, true) => Some("dtmf speech"),
        (false, true) => Some("speech"),
        // Listening for nothing has no TwiML spelling; written as such, `parse` refuses it.
        (false, false) => Some(""),
    };
    optional(&mut attrs, "input", &input);
    unless(&mut attrs, "timeout", gather.timeout, 5);
    if let Some(speech_timeout) = gather.speech_timeout {
        let value = match speech_timeout {
            SpeechTimeout::Auto => "auto".to_string(),
            SpeechTimeout::Seconds(s) => s.to_string(),
        };
        attrs.push(("speechTimeout", value));
    }
    unless(
        &mut attrs,
        "finishOnKey",
        gather.finish_on_key.as_str(),
        "#",
    );
    optional(&mut attrs, "numDigits", &gather.num_digits);
    unless(
        &mut attrs,
        "actionOnEmptyResult",
        gather.action_on_empty_result,
        false,
    );
    optional(&mut attrs, "language", &gather.language);
    optional(&mut attrs, "hints", &gather.hints);
    optional(&mut attrs, "speechModel", &gather.speech_model);
    optional(
        &mut attrs,
        "partialResultCallback",
        &gather.partial_result_callback,
    );
    unless(&mut attrs, "enhanced", gather.enhanced, false);
    unless(&mut attrs, "bargeIn", gather.barge_in, true);
    attrs
}

/// Adds `name` when `value` is set.
fn optional<T: ToString>(attrs: &mut AttrList, name: &'static str, value: &Option<T>) {
    if let Some(value) = value {
        attrs.push((name, value.to_string()));
    }
}

/// Adds `name` when `value` differs from Twilio's default.
fn unless<T: PartialEq + ToString>(attrs: &mut AttrList, name: &'static str, value: T, default: T) {
    if value != default {
        attrs.push((name, value.to_string()));
    }
}

/// Adds `method="GET"`; POST is the default everywhere.
fn method(attrs: &mut AttrList, method: HttpMethod) {
    if method == HttpMethod::Get {
        attrs.push(("method", "GET".to_string()));
    }
}

/// `<name attrs>text</name>`, or `<name attrs/>` without text.
fn leaf(out: &mut String, name: &str, attrs: &[(&'static str, String)], text: &str) {
    start_tag(out, name, attrs);
    if text.is_empty() {
        out.push_str("/>");
    } else {
        out.push('>');
        escape_into(out, text, false);
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
}

/// `<name a="v" ...` without the closing `>`.
fn start_tag(out: &mut String, name: &str, attrs: &[(&'static str, String)]) {
    out.push('<');
    out.push_str(name);
    for (attr, value) in attrs {
        out.push(' ');
        out.push_str(attr);
        out.push_str("=\"");
        escape_into(out, value, true);
        out.push('"');
    }
}

/// Appends `s` escaped for XML content or (`attribute`) a double-quoted attribute value.
fn escape_into(out: &mut String, s: &str, attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // A reader turns a literal CR (and, in attributes, tab and LF) into something else;
            // references keep them.
            '\r' => out.push_str("&#xD;"),
            '\t' if attribute => out.push_str("&#x9;"),
            '\n' if attribute => out.push_str("&#xA;"),
            // Characters XML 1.0 forbids even as references would make Twilio refuse the
            // whole document; dropping them keeps the rest speakable.
            c if !is_xml_char(c) => {}
            c => out.push(c),
        }
    }
}

/// Whether XML 1.0 allows `c` in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `name` can be written as an element name (ASCII letters, digits, `_ - . :`, not
/// starting with a digit, `-` or `.`).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c))
}

#[cfg(test)]
#[path = "write_tests/mod.rs"]
mod tests;
