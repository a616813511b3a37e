//! Status callbacks of one call: sent one after another (so they arrive in order, which Twilio
//! does not promise but tests can rely on here), signed, numbered from 0.

use tokio::sync::mpsc;

use super::webhook::WebhookClient;
use crate::model::StatusEvent;
use twilio_wire::twiml::HttpMethod;

/// The callback sender of one call.
#[derive(Debug)]
pub struct StatusCallbacks {
    events: Vec<StatusEvent>,
    tx: Option<mpsc::UnboundedSender<Vec<(String, String)>>>,
    sequence: u32,
    done: Option<tokio::task::JoinHandle<()>>,
}

impl StatusCallbacks {
    /// Starts a sender for `url` (none when the call asked for no callbacks).
    pub fn start(
        client: WebhookClient,
        url: Option<String>,
        method: HttpMethod,
        events: Vec<StatusEvent>,
        auth_token: String,
    ) -> StatusCallbacks {
        let Some(url) = url else {
            return StatusCallbacks {
                events,
                tx: None,
                sequence: 0,
                done: None,
            };
        };
        let (tx, mut rx) = mpsc::unbounded_channel::<Vec<(String, String)>>();
        let done = tokio::spawn(async move {
            while let Some(params) = rx.recv().await {
                // A callback that fails is lost, as with Twilio (it only logs a debugger event).
                let _ = client.send(&url, method, &params, &auth_token).await;
            }
        });
        StatusCallbacks {
            events,
            tx: Some(tx),
            sequence: 0,
            done: Some(done),
        }
    }

    /// Sends the callback for `event` when the call subscribed to it; `params` are the
    /// standard and event-specific parameters, to which `SequenceNumber` is added.
    pub fn notify(&mut self, event: StatusEvent, mut params: Vec<(String, String)>) {
        if !self.events.contains(&event) {
            return;
        }
        let Some(tx) = &self.tx else { return };
        params.push(("SequenceNumber".into(), self.sequence.to_string()));
        params.push(("CallbackSource".into(), "call-progress-events".into()));
        self.sequence += 1;
        let _ = tx.send(params);
    }

    /// Waits until every callback queued so far has been sent.
    pub async fn finish(mut self) {
        self.tx = None;
        if let Some(done) = self.done.take() {
            let _ = done.await;
        }
    }

    /// Stops taking callbacks; returns the task still sending those queued, for a caller that
    /// cannot wait here (a dialled leg ending in a `Drop`) but wants them waited for later.
    pub fn into_sending(mut self) -> Option<tokio::task::JoinHandle<()>> {
        self.tx = None;
        self.done.take()
    }
}
