//! The turn protocol's messages: what a call reports to its step engine ([`CallEvent`]), what the
//! engine answers ([`Action`]), and one webhook's answer ([`Turn`]). Every transport carries
//! these unchanged (the Redis relay as JSON), so they are serde types.

/// What the step engine wants the caller to do next.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Action {
    /// Speak text (`<Say>`).
    Say(String),
    /// Press keys (`<Play digits>`; `w`/`W` pause).
    Press(String),
    /// Play an audio file from a URL (`<Play>`), e.g. a recorded caller.
    Play(String),
    /// Nothing to say now: just listen (answers a waiting webhook at once).
    Listen,
    /// End the call (`<Hangup/>`).
    HangUp,
}

/// What a webhook tells the session.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum CallEvent {
    /// The call was answered and Twilio asks for the first TwiML.
    Answered {
        /// Twilio's call SID.
        call_sid: String,
    },
    /// A `<Gather>` heard speech.
    Heard {
        /// `SpeechResult`.
        text: String,
        /// `Confidence`, when given.
        confidence: Option<f64>,
    },
    /// A `<Gather>` ended without speech (`actionOnEmptyResult`).
    Silence,
    /// An interim result while the IVR still speaks (`partialResultCallback`): all the
    /// recogniser has heard so far of the current utterance. It is what remains of the IVR's
    /// last words when the IVR hangs up before the `<Gather>` completes.
    Partial {
        /// `UnstableSpeechResult`.
        text: String,
    },
    /// The transport to Twilio's webhooks is gone (Redis unreachable past its limit): the call
    /// can no longer be heard or answered.
    Lost {
        /// Why.
        reason: String,
    },
    /// The answer the engine decided went out to Twilio (in a webhook's reply, or through a
    /// live-call update): what the IVR says from here on follows it. Made by the runner itself,
    /// after the event the answering webhook delivered, never by Twilio.
    AnswerDelivered,
    /// A status callback.
    Status {
        /// `CallStatus`.
        status: String,
        /// Every parameter Twilio sent.
        params: Vec<(String, String)>,
    },
}

/// Whether a `CallStatus` ends the call (Twilio's rule, kept with the REST client).
pub use twilio_wire::client::is_final_status;

/// A session's id: the correlation id in every callback URL, so a webhook that arrives before
/// `calls.create` has returned still finds its session.
pub type SessionId = String;

/// A webhook's answer: what to do, and what to listen for.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Turn {
    /// The actions, in the order the engine decided them (empty: just listen).
    pub actions: Vec<Action>,
    /// Recogniser hints for the `<Gather>`.
    pub hints: Vec<String>,
}

impl Turn {
    /// Several decisions in one answer: their actions in order (`Listen` only means "answer
    /// now"), with the newest hints.
    pub fn merge(decisions: Vec<Turn>) -> Turn {
        let mut merged = Turn::default();
        for decision in decisions {
            merged.actions.extend(
                decision
                    .actions
                    .into_iter()
                    .filter(|a| *a != Action::Listen),
            );
            merged.hints = decision.hints;
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_merge_in_order_with_the_newest_hints() {
        let merged = Turn::merge(vec![
            Turn {
                actions: vec![Action::Listen, Action::Press("1".into())],
                hints: vec!["old".into()],
            },
            Turn {
                actions: vec![Action::Say("sales".into())],
                hints: vec!["new".into()],
            },
        ]);
        assert_eq!(
            merged.actions,
            vec![Action::Press("1".into()), Action::Say("sales".into())]
        );
        assert_eq!(merged.hints, ["new"]);
    }
}
