//! Redis key and channel names. Every key has a hash tag (`{...}`) naming the call session or
//! the runner, so the keys one operation touches live in one Redis Cluster slot.

/// The names under one topic base (`TWILIO_IVR_REDIS_TOPICBASE` / `--topic-base`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    base: String,
}

/// The default topic base (the original connector's, as `TWILIO_IVR_REDIS_TOPICBASE` defaults).
pub const DEFAULT_TOPIC_BASE: &str = "BOTIUM_TWILIO_IVR";

impl Keys {
    /// Names under `base`; braces are removed from it (they would change the hash tag).
    pub fn new(base: &str) -> Keys {
        let base: String = base.chars().filter(|c| *c != '{' && *c != '}').collect();
        Keys {
            base: if base.is_empty() {
                DEFAULT_TOPIC_BASE.to_string()
            } else {
                base
            },
        }
    }

    /// The topic base.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// HASH: the session's registration ([`super::message::SessionRecord`] fields).
    pub fn session(&self, session: &str) -> String {
        format!("{}:{{{session}}}:session", self.base)
    }

    /// LIST: the runner's decisions not yet taken by a webhook (JSON [`crate::turn::Turn`]).
    pub fn decisions(&self, session: &str) -> String {
        format!("{}:{{{session}}}:decisions", self.base)
    }

    /// STREAM: events for one runner ([`super::message::InboxEntry`] fields).
    pub fn inbox(&self, runner: &str) -> String {
        format!("{}:{{runner-{runner}}}:events", self.base)
    }

    /// STRING: when (ms since the epoch) the registrations in this Redis began: set by the first
    /// runner to connect (`SET NX`), and again by the first to reconnect after Redis restarted
    /// empty. A proxy that finds no session shortly after it, or no epoch at all, cannot tell a
    /// finished call from a registration not yet restored, so it keeps the call alive.
    pub fn epoch(&self) -> String {
        format!("{}:{{registry}}:epoch", self.base)
    }

    /// Pub/sub channel: a session id, published after a decision was pushed (a wake-up only; the
    /// list stays the truth, so a lost notification costs at most the hold limit).
    pub fn decided_channel(&self) -> String {
        format!("{}:decided", self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_carry_one_hash_tag_each() {
        let keys = Keys::new("ci{x}");
        assert_eq!(keys.session("TS1"), "cix:{TS1}:session");
        assert_eq!(keys.decisions("TS1"), "cix:{TS1}:decisions");
        assert_eq!(keys.inbox("R1"), "cix:{runner-R1}:events");
        assert_eq!(Keys::new("").base(), DEFAULT_TOPIC_BASE);
    }
}
