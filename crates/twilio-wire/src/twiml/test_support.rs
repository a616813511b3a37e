//! Documents the parser and writer tests share: the same value is what a TwiML text parses to
//! and what the writer writes back.

use super::ast::*;

/// `<Say>text</Say>` with Twilio's defaults.
pub(crate) fn say(text: &str) -> Verb {
    Verb::Say(Say {
        text: text.into(),
        voice: None,
        language: None,
        repeat: 1,
    })
}

/// A bare `<Record/>`: Twilio's defaults (`twilio.md` §7).
pub(crate) fn record() -> Record {
    Record {
        action: None,
        method: HttpMethod::Post,
        timeout: 5,
        finish_on_key: "1234567890*#".into(),
        max_length: 3600,
        play_beep: true,
        recording_status_callback: None,
        transcribe: false,
        transcribe_callback: None,
    }
}

/// `<Dial>target</Dial>` with Twilio's defaults.
pub(crate) fn dial_to(target: &str) -> Dial {
    Dial::new(vec![DialParty::new(DialNoun::Number, target)])
}

/// The reference `<Gather>` of `twilio.md` §7.4 (speech and keys, a nested `<Say>`), as the
/// Node builder writes it.
pub(crate) fn reference_gather() -> Gather {
    Gather {
        action: Some("/gather".into()),
        dtmf: true,
        speech: true,
        timeout: 3,
        speech_timeout: Some(SpeechTimeout::Auto),
        num_digits: Some(1),
        language: Some("en-US".into()),
        hints: Some("sales, support".into()),
        prompts: vec![Verb::Say(Say {
            text: "Press 1 or say sales for sales.".into(),
            voice: Some("Polly.Joanna".into()),
            language: Some("en-US".into()),
            repeat: 1,
        })],
        ..Gather::default()
    }
}
