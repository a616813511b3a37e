//! An `action` request still owed when a leg is stopped before the verb that owes it ends: the
//! caller hung up, and the leg's task is aborted. Twilio requests a `<Dial>`'s or an
//! `<Enqueue>`'s `action` then too, with `CallStatus=completed`, so that an application (a Studio
//! flow taking its `hangup` path) learns how it ended. The emulator sends it from `Drop`, among
//! the leg's pending posts, which the call waits for before it reports its end.

use super::{resolved, LegContext, PendingPosts};
use crate::engine::webhook::WebhookClient;
use twilio_wire::twiml::HttpMethod;

/// The request: URL, method, standard parameters (without `CallStatus`), signing key, and
/// what gives the verb's own.
type Owed<F> = (String, HttpMethod, Vec<(String, String)>, String, F);

/// An `action` owed until [`OwedAction::settle`]; `F` gives the verb's own parameters when the
/// request goes out.
pub(super) struct OwedAction<F: FnOnce() -> Vec<(String, String)>> {
    owed: Option<Owed<F>>,
    client: WebhookClient,
    posts: PendingPosts,
}

impl<F: FnOnce() -> Vec<(String, String)>> OwedAction<F> {
    /// Owes `action` of the document at `document_url` (nothing when there is none).
    pub(super) fn new(
        leg: &LegContext,
        action: Option<&str>,
        method: HttpMethod,
        document_url: &str,
        outcome: F,
    ) -> OwedAction<F> {
        OwedAction {
            owed: action.map(|action| {
                (
                    resolved(document_url, action),
                    method,
                    leg.params.clone(),
                    leg.auth_token.clone(),
                    outcome,
                )
            }),
            client: leg.client.clone(),
            posts: leg.posts.clone(),
        }
    }

    /// The verb ended on its own: its `action` is requested as usual, not from here.
    pub(super) fn settle(&mut self) {
        self.owed = None;
    }

    /// Sends the `action` now, the call still in progress, with `extra` as the verb's own
    /// parameters; its answer is not used.
    pub(super) fn send_now(&mut self, extra: Vec<(String, String)>) {
        if let Some((url, method, params, token, _)) = self.owed.take() {
            self.send(url, method, params, "in-progress", extra, token);
        }
    }

    fn send(
        &self,
        url: String,
        method: HttpMethod,
        mut params: Vec<(String, String)>,
        status: &str,
        extra: Vec<(String, String)>,
        token: String,
    ) {
        params.push(("CallStatus".into(), status.into()));
        params.extend(extra);
        let client = self.client.clone();
        self.posts.add(tokio::spawn(async move {
            let _ = client.send(&url, method, &params, &token).await;
        }));
    }
}

impl<F: FnOnce() -> Vec<(String, String)>> Drop for OwedAction<F> {
    fn drop(&mut self) {
        let Some((url, method, params, token, outcome)) = self.owed.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            self.send(url, method, params, "completed", outcome(), token);
        }
    }
}
