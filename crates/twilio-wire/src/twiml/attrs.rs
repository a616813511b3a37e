//! Typed reading of TwiML attribute values, each with the error Twilio's 12100 would name.
//! Attributes this tool does not model are ignored, as Twilio ignores unknown ones.

use super::ast::{
    CallProgressEvent, DialRecord, HttpMethod, RecordingEvent, RecordingTrack, RejectReason,
    SpeechTimeout,
};
use super::error::TwimlError;
use super::xml::{trim_xml, Element};

/// The attributes of one element.
pub(crate) struct Attrs<'a> {
    el: &'a Element,
}

impl<'a> Attrs<'a> {
    /// The attributes of `el`.
    pub(crate) fn new(el: &'a Element) -> Attrs<'a> {
        Attrs { el }
    }

    /// The raw value of `name`, if present.
    fn get(&self, name: &str) -> Option<&'a str> {
        self.el
            .attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The error for `name="value"`.
    fn invalid(&self, name: &str, value: &str, expected: &'static str) -> TwimlError {
        TwimlError::Attribute {
            element: self.el.name.clone(),
            attribute: name.to_string(),
            value: value.to_string(),
            expected,
        }
    }

    /// A free-text value, kept exactly as written (URLs, voices, languages, hints).
    pub(crate) fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_string)
    }

    /// A whole number of at least `min` (0 or 1 in TwiML), surrounding whitespace allowed.
    pub(crate) fn uint(&self, name: &str, min: u32) -> Result<Option<u32>, TwimlError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let expected = if min == 0 {
            "a whole number, 0 or more"
        } else {
            "a whole number, 1 or more"
        };
        let value = trim_xml(raw);
        // `u32::from_str` would also take a leading `+`, which is not a TwiML number.
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.invalid(name, raw, expected));
        }
        match value.parse::<u32>() {
            Ok(n) if n >= min => Ok(Some(n)),
            _ => Err(self.invalid(name, raw, expected)),
        }
    }

    /// `true` or `false` (any case).
    pub(crate) fn boolean(&self, name: &str) -> Result<Option<bool>, TwimlError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        match trim_xml(raw).to_ascii_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(self.invalid(name, raw, "true or false")),
        }
    }

    /// `GET` or `POST` (any case); POST when absent.
    pub(crate) fn method(&self, name: &str) -> Result<HttpMethod, TwimlError> {
        let Some(raw) = self.get(name) else {
            return Ok(HttpMethod::Post);
        };
        match trim_xml(raw).to_ascii_uppercase().as_str() {
            "GET" => Ok(HttpMethod::Get),
            "POST" => Ok(HttpMethod::Post),
            _ => Err(self.invalid(name, raw, "GET or POST")),
        }
    }

    /// Keypad keys (`0-9`, `*`, `#`), at most `max` of them; empty means none.
    pub(crate) fn keys(&self, name: &str, max: usize) -> Result<Option<String>, TwimlError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let expected = if max == 1 {
            "one of 0-9, * or #, or empty"
        } else {
            "keys from 0-9, * and #"
        };
        let ok = raw.len() <= max
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'*' || b == b'#');
        if ok {
            Ok(Some(raw.to_string()))
        } else {
            Err(self.invalid(name, raw, expected))
        }
    }

    /// `<Play digits>`: keys, `A`-`D`, `w` and `W` (pauses); at least one.
    pub(crate) fn digits(&self, name: &str) -> Result<Option<String>, TwimlError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let ok = !raw.is_empty()
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || b"ABCD*#wW".contains(&b));
        if ok {
            Ok(Some(raw.to_string()))
        } else {
            Err(self.invalid(name, raw, "characters from 0-9, A-D, *, #, w and W"))
        }
    }

    /// `<Gather input>`: space-separated `dtmf` and/or `speech`, as (dtmf, speech).
    pub(crate) fn input(&self, name: &str) -> Result<Option<(bool, bool)>, TwimlError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let expected = "dtmf, speech or \"dtmf speech\"";
        let (mut dtmf, mut speech) = (false, false);
        for token in raw
            .split(super::xml::is_xml_space)
            .filter(|t| !t.is_empty())
        {
            match token {
                "dtmf" => dtmf = true,
                "speech" => speech = true,
                _ => return Err(self.invalid(name, raw, expected)),
            }
        }
        if !dtmf && !speech {
            return Err(self.invalid(name, raw, expected));
        }
        Ok(Some((dtmf, speech)))
    }

    /// `speechTimeout`: `auto` or whole seconds, 1 or more.
    pub(crate) fn speech_timeout(&self, name: &str) -> Result<Option<SpeechTimeout>, TwimlError> {
        match self.get(name) {
            None => Ok(None),
            Some(raw) if trim_xml(raw).eq_ignore_ascii_case("auto") => {
                Ok(Some(SpeechTimeout::Auto))
            }
            Some(raw) => match self.uint(name, 1) {
                Ok(Some(n)) => Ok(Some(SpeechTimeout::Seconds(n))),
                _ => Err(self.invalid(name, raw, "auto or a whole number, 1 or more")),
            },
        }
    }

    /// `<Reject reason>`: `rejected` (default) or `busy`.
    pub(crate) fn reject_reason(&self, name: &str) -> Result<RejectReason, TwimlError> {
        match self.get(name).map(|raw| (raw, trim_xml(raw))) {
            None | Some((_, "rejected")) => Ok(RejectReason::Rejected),
            Some((_, "busy")) => Ok(RejectReason::Busy),
            Some((raw, _)) => Err(self.invalid(name, raw, "rejected or busy")),
        }
    }

    /// `<Dial record>`: the current values and the older boolean form (`true` is
    /// `record-from-answer`, `false` is `do-not-record`).
    pub(crate) fn dial_record(&self, name: &str) -> Result<DialRecord, TwimlError> {
        let Some(raw) = self.get(name) else {
            return Ok(DialRecord::DoNotRecord);
        };
        let value = trim_xml(raw);
        let all = [
            DialRecord::DoNotRecord,
            DialRecord::FromAnswer,
            DialRecord::FromRinging,
            DialRecord::FromAnswerDual,
            DialRecord::FromRingingDual,
        ];
        match value {
            "true" => Ok(DialRecord::FromAnswer),
            "false" => Ok(DialRecord::DoNotRecord),
            _ => all
                .into_iter()
                .find(|r| r.as_str() == value)
                .ok_or_else(|| {
                    self.invalid(
                    name,
                    raw,
                    "do-not-record, record-from-answer, record-from-ringing or their -dual forms",
                )
                }),
        }
    }

    /// `<Dial trim>`: `trim-silence` (true) or `do-not-trim` (false, the default).
    pub(crate) fn trim(&self, name: &str) -> Result<bool, TwimlError> {
        match self.get(name).map(|raw| (raw, trim_xml(raw))) {
            None | Some((_, "do-not-trim")) => Ok(false),
            Some((_, "trim-silence")) => Ok(true),
            Some((raw, _)) => Err(self.invalid(name, raw, "trim-silence or do-not-trim")),
        }
    }

    /// `<Dial recordingTrack>`: `inbound`, `outbound` or `both` (the default).
    pub(crate) fn recording_track(&self, name: &str) -> Result<RecordingTrack, TwimlError> {
        let Some(raw) = self.get(name) else {
            return Ok(RecordingTrack::Both);
        };
        [
            RecordingTrack::Both,
            RecordingTrack::Inbound,
            RecordingTrack::Outbound,
        ]
        .into_iter()
        .find(|t| t.as_str() == trim_xml(raw))
        .ok_or_else(|| self.invalid(name, raw, "inbound, outbound or both"))
    }

    /// A space-separated list of event names, each one of `all` (by `spell`); at least one.
    fn events<T: Copy>(
        &self,
        name: &str,
        all: &[T],
        spell: fn(T) -> &'static str,
        expected: &'static str,
    ) -> Result<Option<Vec<T>>, TwimlError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let mut events = Vec::new();
        for token in raw
            .split(super::xml::is_xml_space)
            .filter(|t| !t.is_empty())
        {
            match all.iter().find(|e| spell(**e) == token) {
                Some(event) => events.push(*event),
                None => return Err(self.invalid(name, raw, expected)),
            }
        }
        if events.is_empty() {
            return Err(self.invalid(name, raw, expected));
        }
        Ok(Some(events))
    }

    /// `recordingStatusCallbackEvent`: `in-progress`, `completed`, `absent`, space-separated.
    pub(crate) fn recording_events(
        &self,
        name: &str,
    ) -> Result<Option<Vec<RecordingEvent>>, TwimlError> {
        self.events(
            name,
            &[
                RecordingEvent::InProgress,
                RecordingEvent::Completed,
                RecordingEvent::Absent,
            ],
            RecordingEvent::as_str,
            "in-progress, completed and/or absent, separated by spaces",
        )
    }

    /// A noun's `statusCallbackEvent`: `initiated`, `ringing`, `answered`, `completed`,
    /// space-separated.
    pub(crate) fn progress_events(
        &self,
        name: &str,
    ) -> Result<Option<Vec<CallProgressEvent>>, TwimlError> {
        self.events(
            name,
            &[
                CallProgressEvent::Initiated,
                CallProgressEvent::Ringing,
                CallProgressEvent::Answered,
                CallProgressEvent::Completed,
            ],
            CallProgressEvent::as_str,
            "initiated, ringing, answered and/or completed, separated by spaces",
        )
    }

    /// `<Dial ringTone>`: one of the country codes Twilio's `<Dial>` documentation lists. Only
    /// checked: the emulator's ringback has no cadence to choose.
    pub(crate) fn ring_tone(&self, name: &str) -> Result<(), TwimlError> {
        const TONES: [&str; 40] = [
            "at", "au", "bg", "br", "be", "ch", "cl", "cn", "cz", "de", "dk", "ee", "es", "fi",
            "fr", "gr", "hu", "il", "in", "it", "lt", "jp", "mx", "my", "nl", "no", "nz", "ph",
            "pl", "pt", "ru", "se", "sg", "th", "uk", "us", "us-old", "tw", "ve", "za",
        ];
        match self.get(name) {
            Some(raw) if !TONES.contains(&trim_xml(raw)) => Err(self.invalid(
                name,
                raw,
                "a country code from Twilio's list (us, uk, de, fr, ...)",
            )),
            _ => Ok(()),
        }
    }
}
