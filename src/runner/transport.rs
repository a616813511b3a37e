//! How a run's sessions reach Twilio's webhooks when this process does not serve them: through
//! the Redis proxy, or through the Function relay on the user's Twilio account. Either is told
//! about a session before its call is placed, and let go of when the session is done.

use crate::config::{TransportChoice, TwilioCaps};
use crate::relay::message::SessionRecord;
use crate::relay::runner::RelayLink;
use crate::twilio_relay::link::FunctionLink;
use crate::webhook::routes::WebhookState;

/// How a run's webhooks reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// This process serves them, at `TWILIO_IVR_PUBLICURL` or for the in-process emulator.
    Webhook,
    /// Through `ivr-test proxy start` and Redis.
    Proxy,
    /// Through the Function relay on the account.
    Relay,
}

impl Transport {
    /// The transport `TWILIO_IVR_TRANSPORT` asks for; for `auto`: the proxy when
    /// `TWILIO_IVR_REDISURL` is set, else this process's webhook when Twilio can reach it (a
    /// public URL) or the calls are emulated in-process, else the relay, which needs nothing
    /// but credentials.
    pub fn choose(twilio: &TwilioCaps, emulated_in_process: bool) -> Result<Transport, String> {
        let (redis, public) = (twilio.redis_url.is_some(), twilio.public_url.is_some());
        match twilio.transport {
            TransportChoice::Auto if redis => Ok(Transport::Proxy),
            TransportChoice::Auto if public || emulated_in_process => Ok(Transport::Webhook),
            TransportChoice::Auto | TransportChoice::Relay => Ok(Transport::Relay),
            TransportChoice::Webhook if redis => Err(
                "TWILIO_IVR_TRANSPORT is webhook, but TWILIO_IVR_REDISURL is set (the proxy's): remove one".into(),
            ),
            TransportChoice::Webhook => Ok(Transport::Webhook),
            TransportChoice::Proxy if !redis => Err(
                "TWILIO_IVR_TRANSPORT is proxy: TWILIO_IVR_REDISURL is required (the Redis of `ivr-test proxy start`)".into(),
            ),
            TransportChoice::Proxy => Ok(Transport::Proxy),
        }
    }
}

/// The link of a run whose webhooks are not served in-process.
pub enum SessionLink {
    /// `TWILIO_IVR_REDISURL`: webhooks reach `ivr-test proxy start`, which relays them through
    /// Redis.
    Proxy(RelayLink),
    /// The Function relay: webhooks reach a Twilio Function, read back over Sync.
    Relay(FunctionLink),
}

impl SessionLink {
    /// Tells the link about session `id` (of account `account`) before its call is placed; an
    /// error means the call must not be placed.
    pub async fn register(
        &self,
        id: &str,
        webhook: &WebhookState,
        account: &str,
    ) -> Result<(), String> {
        match self {
            SessionLink::Proxy(link) => {
                let record = SessionRecord {
                    runner: link.runner().to_string(),
                    account: account.to_string(),
                    voice: webhook.voice.clone(),
                    url_params: webhook.public_url_params.clone(),
                };
                link.register(id, record).await.map_err(|e| e.to_string())
            }
            SessionLink::Relay(link) => link
                .register(id)
                .await
                .map_err(|e| format!("the relay's Sync List for the call: {e}")),
        }
    }

    /// Lets go of session `id`.
    pub async fn unregister(&self, id: &str) {
        match self {
            SessionLink::Proxy(link) => link.unregister(id).await,
            SessionLink::Relay(link) => link.unregister(id).await,
        }
    }

    /// Why calls can no longer be heard, once the link is lost.
    pub fn lost(&self) -> Option<String> {
        match self {
            SessionLink::Proxy(link) => link.lost(),
            SessionLink::Relay(link) => link.lost(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn caps(transport: TransportChoice, redis: bool, public: bool) -> TwilioCaps {
        TwilioCaps {
            transport,
            redis_url: redis.then(|| Secret::new("redis://127.0.0.1:1")),
            public_url: public.then(|| "https://example.test/".to_string()),
            ..TwilioCaps::default()
        }
    }

    #[test]
    fn auto_takes_the_proxy_then_a_reachable_webhook_then_the_relay() {
        use TransportChoice::Auto;
        let choose =
            |redis, public, emulated| Transport::choose(&caps(Auto, redis, public), emulated);
        assert_eq!(choose(true, true, false), Ok(Transport::Proxy));
        assert_eq!(choose(false, true, false), Ok(Transport::Webhook));
        assert_eq!(choose(false, false, true), Ok(Transport::Webhook));
        assert_eq!(choose(false, false, false), Ok(Transport::Relay));
    }

    #[test]
    fn an_explicit_transport_wins_or_names_what_it_lacks() {
        let relay = Transport::choose(&caps(TransportChoice::Relay, false, true), true);
        assert_eq!(relay, Ok(Transport::Relay));
        let proxy = Transport::choose(&caps(TransportChoice::Proxy, false, true), false);
        assert!(proxy
            .unwrap_err()
            .contains("TWILIO_IVR_REDISURL is required"));
        let webhook = Transport::choose(&caps(TransportChoice::Webhook, true, true), false);
        assert!(webhook.unwrap_err().contains("remove one"));
    }
}
