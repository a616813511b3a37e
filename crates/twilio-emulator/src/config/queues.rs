//! `queues`: call queues known before any call joins them, by name (in every account): their
//! `max_size`, and an emulated agent who answers the caller at the front. An agent is a number
//! under `numbers`; what its TwiML (or Studio flow) says is what the agent says to the caller.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::json_positions::child_path;
use super::{NumberBehaviour, NumberConfig};
use crate::queues::LARGEST_MAX_SIZE;
use twilio_wire::twiml::MAX_QUEUE_NAME;

/// One configured queue.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// The agent's number, listed under `numbers` and answering; absent, callers wait until
    /// they leave or hang up (or another call's `<Dial><Queue>` takes them).
    #[serde(default)]
    pub agent: Option<String>,
    /// Emulated seconds the caller at the front waits, with the agent free, before the agent's
    /// call takes it (default 0: at once).
    #[serde(default)]
    pub answer_after_secs: u32,
    /// The queue's `max_size` when it is created (default Twilio's 1000, at most 5000).
    #[serde(default)]
    pub max_size: Option<u32>,
}

/// The first problem of `queues`, as (JSON path, message).
pub(super) fn problem(
    queues: &BTreeMap<String, QueueConfig>,
    numbers: &BTreeMap<String, NumberConfig>,
) -> Option<(String, String)> {
    for (name, queue) in queues {
        let at = child_path("queues", name);
        let length = name.chars().count();
        if name.trim().is_empty() || length > MAX_QUEUE_NAME {
            let message =
                format!("a queue name has 1 to {MAX_QUEUE_NAME} characters, found {length}");
            return Some((at, message));
        }
        if let Some(max_size) = queue.max_size {
            if !(1..=LARGEST_MAX_SIZE).contains(&max_size) {
                let message = format!("must be 1 to {LARGEST_MAX_SIZE}, found {max_size}");
                return Some((format!("{at}.max_size"), message));
            }
        }
        let Some(agent) = &queue.agent else {
            continue;
        };
        let answers = numbers
            .get(agent)
            .is_some_and(|entry| entry.behaviour == NumberBehaviour::Answer);
        if !answers {
            let message = format!(
                "`{agent}` is not an answering number under `numbers`: the agent says what that \
                 number's voice_url or studio_flow says"
            );
            return Some((format!("{at}.agent"), message));
        }
    }
    None
}
