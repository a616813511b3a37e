//! The TwiML a webhook answers with: the actions the step engine queued, in script order, then
//! a listening `<Gather>`, so the IVR's next words are always heard (no deaf window).

use crate::config::TwilioCaps;
use twilio_wire::twiml::write::gather_attributes;
use twilio_wire::twiml::{Gather, Play, Response, Say, SpeechTimeout, Verb};

use super::protocol::{Action, Turn};

/// How the runner listens and speaks, from the `TWILIO_IVR_*` capabilities.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CallerVoice {
    /// `TWILIO_IVR_LANGUAGE_CODE`: recognition and speech language.
    pub language: String,
    /// `TWILIO_IVR_VOICE`.
    pub voice: Option<String>,
    /// `TWILIO_IVR_SPEECH_MODEL`.
    pub speech_model: Option<String>,
    /// `TWILIO_IVR_SPEECH_MODEL_ENHANCED` (sent only with `phone_call`, as Twilio accepts it).
    pub enhanced: bool,
    /// `TWILIO_IVR_SPEECH_TIMEOUT` (default here: 1 s).
    pub speech_timeout: Option<SpeechTimeout>,
    /// Seconds the `<Gather>` waits for speech to begin.
    pub gather_timeout: u32,
    /// Words and phrases the recogniser should expect (filled from the expected texts).
    pub hints: Vec<String>,
}

impl CallerVoice {
    /// The voice of the given capabilities (no hints yet).
    pub fn from_caps(caps: &TwilioCaps) -> CallerVoice {
        CallerVoice {
            language: caps.language_code.clone(),
            voice: caps.voice.clone(),
            speech_model: caps.speech_model.clone(),
            enhanced: caps.speech_model_enhanced,
            // Twilio's default (the `timeout`, 5 s of silence) makes the caller answer so late that
            // an IVR's own `<Gather>` has often given up; one second answers like a person, and
            // prompts a pause splits are joined by the step engine.
            speech_timeout: Some(caps.speech_timeout.unwrap_or(SpeechTimeout::Seconds(1))),
            gather_timeout: 5,
            hints: Vec::new(),
        }
    }

    /// The listening `<Gather>` whose result goes to `action`, and its interim results to
    /// `partial` (if given).
    pub fn gather(&self, action: &str, partial: Option<&str>) -> Gather {
        self.gather_expecting(&self.hints, action, partial)
    }

    /// The listening `<Gather>` expecting `hints`, for a relay to repeat it: its attributes
    /// other than the callback URLs, as a JSON object of strings, base64url without padding
    /// (`g=` in `docs/relay-protocol.md`).
    pub fn listening_spec(&self, hints: &[String]) -> String {
        use base64::Engine as _;
        let gather = self.gather_expecting(hints, "", None);
        let attributes: serde_json::Map<String, serde_json::Value> = gather_attributes(&gather)
            .into_iter()
            .filter(|(name, _)| *name != "action" && *name != "partialResultCallback")
            .map(|(name, value)| (name.to_string(), serde_json::Value::String(value)))
            .collect();
        let json = serde_json::Value::Object(attributes).to_string();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// [`CallerVoice::gather`] with `hints` in place of this voice's own.
    fn gather_expecting(&self, hints: &[String], action: &str, partial: Option<&str>) -> Gather {
        let enhanced = self.enhanced && self.speech_model.as_deref() == Some("phone_call");
        // Twilio's hints: comma-separated, at most 500 entries of at most 100 characters.
        let hints: Vec<&str> = hints
            .iter()
            .map(|h| h.trim())
            .filter(|h| !h.is_empty() && h.len() <= 100 && !h.contains(','))
            .take(500)
            .collect();
        Gather {
            action: Some(action.to_string()),
            dtmf: false,
            speech: true,
            timeout: self.gather_timeout.max(1),
            speech_timeout: self.speech_timeout,
            action_on_empty_result: true,
            language: Some(self.language.clone()),
            hints: (!hints.is_empty()).then(|| hints.join(", ")),
            speech_model: self.speech_model.clone(),
            enhanced,
            partial_result_callback: partial.map(str::to_string),
            ..Gather::default()
        }
    }

    /// The answer to one webhook: the actions in order, then listen (or hang up).
    pub fn answer(
        &self,
        actions: &[Action],
        next_url: &str,
        partial_url: Option<&str>,
    ) -> Response {
        self.answer_expecting(actions, &self.hints, next_url, partial_url)
    }

    /// The answer to a webhook's [`Turn`]: its actions, then a `<Gather>` expecting the turn's
    /// hints (this voice's own when the turn has none).
    pub fn answer_turn(&self, turn: &Turn, next_url: &str, partial_url: Option<&str>) -> Response {
        let hints = if turn.hints.is_empty() {
            &self.hints
        } else {
            &turn.hints
        };
        self.answer_expecting(&turn.actions, hints, next_url, partial_url)
    }

    fn answer_expecting(
        &self,
        actions: &[Action],
        hints: &[String],
        next_url: &str,
        partial_url: Option<&str>,
    ) -> Response {
        let mut verbs = Vec::new();
        for action in actions {
            match action {
                Action::Say(text) => verbs.push(Verb::Say(Say {
                    text: text.clone(),
                    voice: self.voice.clone(),
                    language: Some(self.language.clone()),
                    repeat: 1,
                })),
                Action::Press(digits) => verbs.push(Verb::Play(Play {
                    url: None,
                    digits: Some(digits.clone()),
                    repeat: 1,
                })),
                Action::Play(url) => verbs.push(Verb::Play(Play {
                    url: Some(url.clone()),
                    digits: None,
                    repeat: 1,
                })),
                Action::Listen => {}
                Action::HangUp => {
                    verbs.push(Verb::Hangup);
                    return Response { verbs };
                }
            }
        }
        verbs.push(Verb::Gather(self.gather_expecting(
            hints,
            next_url,
            partial_url,
        )));
        Response { verbs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TwilioCaps;

    #[test]
    fn every_answer_ends_listening_with_the_capabilities() {
        let mut voice = CallerVoice::from_caps(&TwilioCaps::default());
        voice.hints = vec!["sales".into(), "press one".into(), "a, b".into()];
        let xml = voice
            .answer(
                &[
                    Action::Press("1w2".into()),
                    Action::Say("John & Jane".into()),
                    Action::Play("https://media.example/yes.wav".into()),
                ],
                "https://t.example/next?cs=TS1",
                Some("https://t.example/partial?cs=TS1"),
            )
            .to_xml();
        assert!(xml.contains(r#"<Play digits="1w2"/>"#), "{xml}");
        assert!(xml.contains("John &amp; Jane</Say>"), "{xml}");
        assert!(
            xml.contains("<Play>https://media.example/yes.wav</Play>"),
            "{xml}"
        );
        assert!(
            xml.contains(r#"action="https://t.example/next?cs=TS1""#),
            "{xml}"
        );
        assert!(xml.contains(r#"actionOnEmptyResult="true""#), "{xml}");
        assert!(
            xml.contains(r#"partialResultCallback="https://t.example/partial?cs=TS1""#),
            "{xml}"
        );
        assert!(xml.contains(r#"speechModel="phone_call""#), "{xml}");
        assert!(xml.contains(r#"enhanced="true""#), "{xml}");
        assert!(xml.contains(r#"hints="sales, press one""#), "{xml}");
        // The actions keep script order, and the Gather comes last.
        let play = xml.find("<Play").unwrap();
        let say = xml.find("<Say").unwrap();
        let media = xml.find("<Play>").unwrap();
        let gather = xml.find("<Gather").unwrap();
        assert!(play < say && say < media && media < gather, "{xml}");
    }

    #[test]
    fn hang_up_ends_the_answer() {
        let voice = CallerVoice::from_caps(&TwilioCaps::default());
        let xml = voice
            .answer(&[Action::Say("bye".into()), Action::HangUp], "x", None)
            .to_xml();
        assert!(xml.ends_with("<Hangup/></Response>"), "{xml}");
        assert!(!xml.contains("<Gather"), "{xml}");
    }

    #[test]
    fn a_turn_s_hints_replace_the_voice_s_own_unless_it_has_none() {
        let mut voice = CallerVoice::from_caps(&TwilioCaps::default());
        voice.hints = vec!["configured".into()];
        let turn = |hints: &[&str]| Turn {
            actions: vec![Action::Say("hi".into())],
            hints: hints.iter().map(|h| h.to_string()).collect(),
        };
        let xml = voice.answer_turn(&turn(&["sales"]), "x", None).to_xml();
        assert!(xml.contains(r#"hints="sales""#), "{xml}");
        assert!(xml.contains("hi</Say>"), "{xml}");
        let xml = voice.answer_turn(&turn(&[]), "x", None).to_xml();
        assert!(xml.contains(r#"hints="configured""#), "{xml}");
    }

    #[test]
    fn enhanced_only_with_the_phone_call_model() {
        let caps = TwilioCaps {
            speech_model: Some("numbers_and_commands".into()),
            ..TwilioCaps::default()
        };
        let gather = CallerVoice::from_caps(&caps).gather("x", None);
        assert!(!gather.enhanced);
    }
}
