//! The boundary between the REST API and the call engine: REST validates and records, the
//! engine makes calls happen. Each side can be built and tested on its own.

use super::model::{CallRequest, TwimlSource};

/// What the REST API asks of the call engine.
pub trait CallControl: Send + Sync + 'static {
    /// Starts a call already recorded as `queued` in the store.
    fn start(&self, call_sid: &str, request: CallRequest);
    /// `Status=completed`: hang up an answered call (or end a ringing one).
    fn hang_up(&self, call_sid: &str);
    /// `Status=canceled`: abort a queued or ringing call.
    fn cancel(&self, call_sid: &str);
    /// `Url`/`Twiml` on update: the caller leg continues with this TwiML.
    fn redirect(&self, call_sid: &str, twiml: TwimlSource);
    /// `POST Queues/{Sid}/Members/{CallSid}.json`: the call leaves the queue `queue_sid` and
    /// continues with this TwiML; `false` if it does not wait there (any more).
    fn dequeue(&self, queue_sid: &str, call_sid: &str, twiml: TwimlSource) -> bool;
}
