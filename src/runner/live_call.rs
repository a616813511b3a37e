//! The caller's own call leg, redirected through Twilio's live-call update when an answer goes
//! out while the IVR still speaks (see `conversation/answer.rs`).

use std::future::Future;
use std::pin::Pin;

use super::conversation::LiveCall;
use crate::turn::signed::{NEXT, PARTIAL};
use crate::turn::{Action, Turn};
use crate::webhook::routes::WebhookState;
use twilio_wire::client::TwilioClient;

/// Twilio's limit on inline `Twiml`.
const MAX_TWIML_CHARS: usize = 4000;

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

impl CallerLeg<'_> {
    /// The TwiML of an answer: the actions, then a listening `<Gather>` whose results reach
    /// this session, as a webhook's reply would be. Hints are dropped when they would push the
    /// document past Twilio's limit.
    fn twiml(&self, actions: &[Action], hints: Vec<String>) -> String {
        let next_url = self.webhook.callback_url(NEXT, self.session_id);
        let partial_url = self.webhook.callback_url(PARTIAL, self.session_id);
        let render = |hints: Vec<String>| {
            let turn = Turn {
                actions: actions.to_vec(),
                hints,
            };
            self.webhook
                .voice
                .answer_turn(&turn, &next_url, Some(&partial_url))
                .to_xml()
        };
        let twiml = render(hints);
        if twiml.chars().count() <= MAX_TWIML_CHARS {
            return twiml;
        }
        render(Vec::new())
    }
}

impl LiveCall for CallerLeg<'_> {
    fn redirect<'a>(
        &'a self,
        actions: &'a [Action],
        hints: Vec<String>,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        let twiml = self.twiml(actions, hints);
        Box::pin(async move {
            self.client
                .update_twiml(self.call_sid, &twiml)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }
}
