//! How a run's sessions reach Twilio's webhooks when this process does not serve them: through
//! the Redis proxy, or through the Function relay on the user's Twilio account. Either is told
//! about a session before its call is placed, and let go of when the session is done.

use crate::relay::message::SessionRecord;
use crate::relay::runner::RelayLink;
use crate::twilio_relay::link::FunctionLink;
use crate::webhook::routes::WebhookState;

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
