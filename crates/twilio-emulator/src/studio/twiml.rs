//! The TwiML a voice widget answers, as Studio's own webhook would: the widget's rendered
//! properties as verb attributes, and the flow's URL (with a `FlowEvent`) as the action that
//! brings the call back to the flow.
//!
//! A property whose rendered value is not what TwiML allows (a `timeout` of `soon`) falls back
//! to Studio's default, as a property the editor left empty does.

use super::context::Execution;
use super::liquid::{RenderEnv, Template};
use super::props::parse_bool;
use super::widgets::{Connect, Enqueue, Gather, Prompt, Record, Redirect};
use twilio_wire::twiml::{self, HttpMethod, SpeechTimeout, Verb};

/// Renders templates of one execution.
pub struct Renderer<'a> {
    /// The execution.
    pub execution: &'a Execution,
    /// Its clock.
    pub env: RenderEnv,
}

impl Renderer<'_> {
    fn text(&self, template: Option<&Template>) -> Option<String> {
        self.execution.render_opt(template, &self.env)
    }

    fn number(&self, template: Option<&Template>, default: u32) -> u32 {
        self.text(template)
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(default)
    }

    fn flag(&self, template: Option<&Template>, default: bool) -> bool {
        self.text(template)
            .and_then(|t| parse_bool(&t))
            .unwrap_or(default)
    }

    fn keys(&self, template: Option<&Template>, default: &str, allowed: &str) -> String {
        match template.map(|t| self.execution.render(t, &self.env)) {
            Some(keys)
                if keys
                    .chars()
                    .all(|c| c.is_ascii_digit() || allowed.contains(c)) =>
            {
                keys
            }
            _ => default.to_string(),
        }
    }

    /// What a `say-play` plays (`digits` first), or a gather's prompt (no digits).
    pub fn prompt(&self, prompt: &Prompt) -> Vec<Verb> {
        let repeat = self.number(prompt.repeat.as_ref(), 1);
        let mut verbs = Vec::new();
        if let Some(digits) = self.text(prompt.digits.as_ref()) {
            let digits: String = digits.chars().filter(|c| !c.is_whitespace()).collect();
            if digits
                .chars()
                .all(|c| c.is_ascii_digit() || "ABCD*#wW".contains(c))
            {
                verbs.push(Verb::Play(twiml::Play {
                    url: None,
                    digits: Some(digits),
                    repeat: 1,
                }));
            }
        }
        if let Some(url) = self.text(prompt.play.as_ref()) {
            verbs.push(Verb::Play(twiml::Play {
                url: Some(url.trim().to_string()),
                digits: None,
                repeat,
            }));
        }
        if let Some(text) = self.text(prompt.say.as_ref()) {
            verbs.push(Verb::Say(twiml::Say {
                text: without_ssml_tags(&text),
                voice: self.text(prompt.voice.as_ref()),
                language: self.text(prompt.language.as_ref()),
                repeat,
            }));
        }
        verbs
    }

    /// `<Gather>` with the prompt inside; a keypress, speech or nothing comes back to `action`.
    pub fn gather(&self, gather: &Gather, action: String) -> Verb {
        let stop_gather = self.flag(gather.stop_gather.as_ref(), true);
        let finish_on_key = if stop_gather {
            self.keys(gather.finish_on_key.as_ref(), "#", "*#")
        } else {
            String::new()
        };
        let speech_timeout =
            self.text(gather.speech_timeout.as_ref())
                .and_then(|t| match t.trim() {
                    t if t.eq_ignore_ascii_case("auto") => Some(SpeechTimeout::Auto),
                    t => t
                        .parse()
                        .ok()
                        .filter(|s| *s >= 1)
                        .map(SpeechTimeout::Seconds),
                });
        Verb::Gather(twiml::Gather {
            action: Some(action),
            method: HttpMethod::Post,
            // Keys always; speech only when the `speech` event leads somewhere (Studio's rule).
            dtmf: true,
            speech: gather.speech,
            timeout: self.number(gather.timeout.as_ref(), 5).max(1),
            speech_timeout,
            finish_on_key,
            num_digits: self
                .text(gather.number_of_digits.as_ref())
                .and_then(|n| n.trim().parse().ok())
                .filter(|n| *n >= 1),
            action_on_empty_result: true,
            language: self.text(gather.language.as_ref()),
            hints: self.text(gather.hints.as_ref()),
            speech_model: self.text(gather.speech_model.as_ref()),
            enhanced: false,
            partial_result_callback: None,
            // Studio's Gather widget has no barge-in setting: its prompts are interruptible.
            barge_in: true,
            prompts: self.prompt(&Prompt {
                digits: None,
                ..gather.prompt.clone()
            }),
        })
    }

    /// `<Record>` for a voicemail; the recording comes back to `action`.
    pub fn record(&self, record: &Record, action: String) -> Verb {
        Verb::Record(twiml::Record {
            action: Some(action),
            method: HttpMethod::Post,
            timeout: self.number(record.timeout.as_ref(), 5),
            finish_on_key: self.keys(record.finish_on_key.as_ref(), "1234567890*#", "*#"),
            max_length: self.number(record.max_length.as_ref(), 3600).max(1),
            play_beep: self.flag(record.play_beep.as_ref(), true),
            recording_status_callback: None,
            transcribe: self.flag(record.transcribe.as_ref(), false),
            transcribe_callback: self
                .text(record.transcription_callback_url.as_ref())
                .map(|url| url.trim().to_string())
                .filter(|url| !url.is_empty()),
        })
    }

    /// `<Dial>` of the widget's party; `action` brings the dialled leg's end back to the flow.
    pub fn dial(&self, connect: &Connect, action: Option<String>) -> Verb {
        let to = self.execution.render(&connect.to, &self.env);
        let to = to.trim();
        let (target, noun) = match connect.noun.as_str() {
            "sip" => (to.to_string(), twiml::DialNoun::Sip),
            "client" => (to.to_string(), twiml::DialNoun::Client),
            "number" | "number-multi" => (to.to_string(), twiml::DialNoun::Number),
            // `<Sim>` and `<Conference>` are not emulated: the executor notes it and the
            // execution ends.
            _ => {
                return Verb::Unsupported {
                    name: "Dial".into(),
                }
            }
        };
        Verb::Dial(twiml::Dial {
            action,
            timeout: self.number(connect.timeout.as_ref(), 30).max(1),
            caller_id: self.text(connect.caller_id.as_ref()),
            record: if self.flag(connect.record.as_ref(), false) {
                twiml::DialRecord::FromAnswer
            } else {
                twiml::DialRecord::DoNotRecord
            },
            ..twiml::Dial::new(vec![twiml::DialParty::new(noun, target)])
        })
    }

    /// `<Enqueue>` into the widget's queue; `action` brings the call back when it leaves.
    pub fn enqueue(&self, enqueue: &Enqueue, action: String) -> Verb {
        let queue = self.execution.render(&enqueue.queue_name, &self.env);
        let wait_url_method = match self.text(enqueue.wait_url_method.as_ref()) {
            Some(m) if m.trim().eq_ignore_ascii_case("GET") => HttpMethod::Get,
            _ => HttpMethod::Post,
        };
        Verb::Enqueue(twiml::Enqueue {
            action: Some(action),
            wait_url: self
                .text(enqueue.wait_url.as_ref())
                .map(|url| url.trim().to_string())
                .filter(|url| !url.is_empty()),
            wait_url_method,
            ..twiml::Enqueue::new(queue.trim())
        })
    }

    /// `<Redirect>` to the TwiML at the widget's URL; `None` when the URL is not one.
    pub fn redirect(&self, redirect: &Redirect) -> Option<Verb> {
        let url = self.execution.render(&redirect.url, &self.env);
        let url = url.trim();
        if !crate::config::is_http_url(url) {
            return None;
        }
        let method = match self.text(redirect.method.as_ref()) {
            Some(m) if m.trim().eq_ignore_ascii_case("GET") => HttpMethod::Get,
            _ => HttpMethod::Post,
        };
        Some(Verb::Redirect(twiml::Redirect {
            url: url.to_string(),
            method,
        }))
    }
}

/// Say text as heard: SSML tags (`<emphasis>`, `<break/>`) dropped, their text kept.
fn without_ssml_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let opens_tag = c == '<' && chars.peek().is_some_and(|n| n.is_alphabetic() || *n == '/');
        match c {
            _ if opens_tag && !in_tag => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssml_is_heard_as_its_text() {
        assert_eq!(
            without_ssml_tags("<speak>Thanks <emphasis level=\"strong\">for calling</emphasis>!<break time=\"1s\"/></speak>"),
            "Thanks for calling!"
        );
        assert_eq!(
            without_ssml_tags("No tags here, 2 < 3."),
            "No tags here, 2 < 3."
        );
    }
}
