//! TwiML's vocabulary: every element name Twilio knows, and the error for one where it does not
//! belong (a known name misplaced, or an unknown one).

use super::ast::DialNoun;
use super::error::TwimlError;

/// Verbs this tool does not run but Twilio accepts at the top level (§7.2; `Queue` and `Prompt`
/// are what the official builder allows there).
pub(super) const UNSUPPORTED_VERBS: [&str; 9] = [
    "Connect", "Start", "Stop", "Pay", "Refer", "Sms", "Echo", "Queue", "Prompt",
];

/// SSML allowed in `<Say>` (§7.2), plus Amazon Polly's extensions that Twilio passes through.
pub(super) const SSML: [&str; 12] = [
    "break",
    "emphasis",
    "lang",
    "p",
    "phoneme",
    "prosody",
    "s",
    "say-as",
    "sub",
    "w",
    "amazon:domain",
    "amazon:effect",
];

/// Other element names that are TwiML somewhere, so misplacing one is a nesting error rather
/// than an unknown name.
const OTHER_TWIML: [&str; 18] = [
    "Response",
    "Parameter",
    "Identity",
    "Stream",
    "Siprec",
    "Transcription",
    "Recording",
    "ConversationRelay",
    "Room",
    "VirtualAgent",
    "Conversation",
    "Assistant",
    "AiSession",
    "Autopilot",
    "ConversationRelaySession",
    "Language",
    "Config",
    "Task",
];

/// The top-level verbs this tool runs.
const VERBS: [&str; 11] = [
    "Say", "Play", "Pause", "Gather", "Record", "Dial", "Redirect", "Hangup", "Reject", "Enqueue",
    "Leave",
];

/// Whether `name` is a TwiML element anywhere.
fn is_known(name: &str) -> bool {
    VERBS.contains(&name)
        || UNSUPPORTED_VERBS.contains(&name)
        || DialNoun::from_element(name).is_some()
        || SSML.contains(&name)
        || OTHER_TWIML.contains(&name)
}

/// The error for `child` where `parent` does not allow it.
pub(super) fn misplaced(parent: &str, child: &str) -> TwimlError {
    if is_known(child) {
        TwimlError::Nesting {
            parent: parent.to_string(),
            child: child.to_string(),
        }
    } else {
        TwimlError::UnknownElement {
            name: child.to_string(),
            parent: parent.to_string(),
        }
    }
}
