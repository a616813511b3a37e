//! The caller's own call leg, redirected through Twilio's live-call update when an answer goes
//! out while the IVR still speaks (see `conversation/answer.rs`).

use std::future::Future;
use std::pin::Pin;

use super::conversation::LiveCall;
use crate::turn::Action;
use crate::webhook::routes::WebhookState;
use twilio_wire::client::TwilioClient;

/// One answered call of a session: its SID and where its webhooks go.
pub struct CallerLeg<'a> {
    /// The REST client.
    pub client: &'a TwilioClient,
    /// Callback URLs and the caller's voice.
    pub webhook: &'a WebhookState,
    /// The session the callbacks are correlated with.
    pub session_id: &'a str,
    /// The call to redirect.
    pub call_sid: &'a str,
}

impl LiveCall for CallerLeg<'_> {
    fn redirect<'a>(
        &'a self,
        actions: &'a [Action],
        hints: Vec<String>,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        let twiml = self.webhook.live_twiml(self.session_id, actions, hints);
        Box::pin(async move {
            self.client
                .update_twiml(self.call_sid, &twiml)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }
}
