//! One party a `<Dial>` rings: its call resource, its status callbacks, and who answers it.
//!
//! Each party is a call of its own (`direction` `outbound-dial`, `parent_call_sid` the dialling
//! call), placed at once ("outbound calls created using `<Dial>` are initiated right away and
//! never queued", Twilio's `<Number>` reference). Its noun's `statusCallback` gets the events it
//! subscribes to (`initiated`, `ringing`, `answered`, `completed`; `completed` alone by
//! default), signed, numbered from 0, with the party's own `CallSid`, `ParentCallSid`,
//! `Direction=outbound-dial`, `CallStatus`, `Timestamp`, `CallbackSource`, and `CallDuration`
//! on `completed`. A party dropped before it ended (another answered first, the caller hung up)
//! ends `canceled`, or `completed` if it had answered.

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::{resolved, Dialer};
use crate::engine::callbacks::StatusCallbacks;
use crate::engine::leg::{LegContext, PendingPosts};
use crate::engine::{Destination, EngineSettings};
use crate::model::{CallRecord, CallStatus, StatusEvent};
use twilio_wire::sid::new_sid;
use twilio_wire::time::rfc2822;
use twilio_wire::twiml::{CallProgressEvent, DialNoun, DialParty};

/// A dialled party's call, from its placing to its end.
pub(super) struct Party {
    /// Its `CallSid`.
    pub(super) sid: String,
    /// Its `To`: the number, `client:NAME`, or the SIP URI without its headers.
    pub(super) to: String,
    /// The standard parameters of its webhooks and callbacks (without `CallStatus`).
    pub(super) params: Vec<(String, String)>,
    dialer: Dialer,
    callbacks: Option<StatusCallbacks>,
    posts: PendingPosts,
    /// When it answered: emulated time, and the wall clock sounds are timed on.
    answered_at: Option<(DateTime<Utc>, Instant)>,
    finished: bool,
}

impl Party {
    /// Places the call to `spec` from `from`: its call resource, ringing, and its `initiated`
    /// callback. Returns it with what answers there.
    pub(super) fn place(
        leg: &LegContext,
        dialer: &Dialer,
        spec: &DialParty,
        document_url: &str,
        from: &str,
        timeout: u32,
    ) -> (Party, Destination) {
        let (to, destination) = destination(&dialer.shared.settings, spec.noun, &spec.address);
        let sid = new_sid("CA");
        let now = dialer.shared.clock.now();
        let mut request = dialer.request.clone();
        request.to = to.clone();
        request.from = from.to_string();
        request.status_callback = None;
        request.record = false;
        request.send_digits = None;
        request.timeout_secs = timeout;
        dialer.shared.store.insert_call(CallRecord::new(
            sid.clone(),
            request,
            CallStatus::Ringing,
            now,
            Some(dialer.parent_sid.clone()),
        ));
        leg.voice.note(format!("dials {to} ({sid})"));
        dialer
            .shared
            .log
            .event(&format!("{sid} ringing (dialled by {})", dialer.parent_sid));
        let events = spec.status_callback_events.iter().map(|e| status_event(*e));
        let callbacks = StatusCallbacks::start(
            leg.client.clone(),
            spec.status_callback
                .as_deref()
                .map(|url| resolved(document_url, url)),
            spec.status_callback_method,
            events.collect(),
            leg.auth_token.clone(),
        );
        let mut party = Party {
            params: party_params(&leg.params, &sid, from, &to, &dialer.parent_sid),
            sid,
            to,
            dialer: dialer.clone(),
            callbacks: Some(callbacks),
            posts: leg.posts.clone(),
            answered_at: None,
            finished: false,
        };
        party.notify(StatusEvent::Initiated, "initiated", Vec::new());
        (party, destination)
    }

    /// Sends the callback for `event` if the noun subscribed to it.
    fn notify(&mut self, event: StatusEvent, status: &str, extra: Vec<(String, String)>) {
        let Some(callbacks) = &mut self.callbacks else {
            return;
        };
        let mut params = self.params.clone();
        params.push(("CallStatus".into(), status.into()));
        params.push(("Timestamp".into(), rfc2822(self.dialer.shared.clock.now())));
        params.extend(extra);
        callbacks.notify(event, params);
    }

    /// Its phone rings.
    pub(super) fn ringing(&mut self) {
        self.notify(StatusEvent::Ringing, "ringing", Vec::new());
    }

    /// It answers: `in-progress` from now on.
    pub(super) fn answer(&mut self) {
        let now = self.dialer.shared.clock.now();
        self.answered_at = Some((now, Instant::now()));
        self.dialer.shared.store.update_call(&self.sid, |c| {
            c.status = CallStatus::InProgress;
            c.start_time = Some(now);
            c.date_updated = now;
        });
        self.dialer
            .shared
            .log
            .event(&format!("{} in-progress", self.sid));
        self.notify(StatusEvent::Answered, "in-progress", Vec::new());
    }

    /// When it answered, if it has: emulated time, and the wall clock sounds are timed on.
    pub(super) fn answered_at(&self) -> Option<(DateTime<Utc>, Instant)> {
        self.answered_at
    }

    /// Ends its call with `status` (`note` says why, in the log); `extra` goes with the
    /// `completed` callback. Returns its duration in seconds. Only the first end counts.
    pub(super) fn finish(
        &mut self,
        status: CallStatus,
        note: &str,
        extra: Vec<(String, String)>,
    ) -> i64 {
        let shared = &self.dialer.shared;
        if self.finished {
            return shared
                .store
                .call(&self.sid)
                .and_then(|c| c.duration_secs())
                .unwrap_or(0);
        }
        self.finished = true;
        let now = shared.clock.now();
        shared
            .log
            .event(&format!("{} {} ({note})", self.sid, status.as_str()));
        let duration = shared
            .store
            .update_call(&self.sid, |c| {
                c.status = status;
                c.end_time = Some(now);
                c.date_updated = now;
                c.duration_secs().unwrap_or(0)
            })
            .unwrap_or(0);
        let mut params = vec![("CallDuration".to_string(), duration.to_string())];
        params.extend(extra);
        self.notify(StatusEvent::Completed, status.as_str(), params);
        // The callbacks still on their way are waited for with the call's other requests.
        if let Some(sending) = self
            .callbacks
            .take()
            .and_then(StatusCallbacks::into_sending)
        {
            self.posts.add(sending);
        }
        duration
    }
}

impl Drop for Party {
    /// A party dropped before its end: another party answered first, or the caller hung up.
    fn drop(&mut self) {
        if !self.finished {
            let status = if self.answered_at.is_some() {
                CallStatus::Completed
            } else {
                CallStatus::Canceled
            };
            self.finish(status, "the dial ended without it", Vec::new());
        }
    }
}

/// The emulator's spelling of a noun's `statusCallbackEvent`.
fn status_event(event: CallProgressEvent) -> StatusEvent {
    match event {
        CallProgressEvent::Initiated => StatusEvent::Initiated,
        CallProgressEvent::Ringing => StatusEvent::Ringing,
        CallProgressEvent::Answered => StatusEvent::Answered,
        CallProgressEvent::Completed => StatusEvent::Completed,
    }
}

/// The party's `To` and what answers it: a number as `numbers` (else `unlisted_numbers`)
/// configures it, a `<Client>` name or `<Sip>` URI as `clients` does (else it rings unanswered).
/// A SIP URI is looked up as written, then without its headers (`?x-name=value`) and
/// parameters (`;transport=tcp`), which only shape the SIP INVITE.
fn destination(settings: &EngineSettings, noun: DialNoun, address: &str) -> (String, Destination) {
    match noun {
        DialNoun::Number => (
            address.to_string(),
            settings
                .destinations
                .get(address)
                .cloned()
                .unwrap_or_else(|| settings.unlisted.clone()),
        ),
        DialNoun::Client => (
            format!("client:{address}"),
            settings
                .clients
                .get(address)
                .cloned()
                .unwrap_or(Destination::NoAnswer),
        ),
        _ => {
            let without_headers = address.split('?').next().unwrap_or(address);
            let found = settings
                .clients
                .get(address)
                .or_else(|| settings.clients.get(sip_uri_base(address)));
            (
                without_headers.to_string(),
                found.cloned().unwrap_or(Destination::NoAnswer),
            )
        }
    }
}

/// A SIP URI without its headers and parameters: `sip:user@host[:port]`.
pub(super) fn sip_uri_base(uri: &str) -> &str {
    let without_headers = uri.split('?').next().unwrap_or(uri);
    // Parameters follow the host part; a `;` before the `@` belongs to the user part.
    let host_from = without_headers.find('@').unwrap_or(0);
    match without_headers[host_from..].find(';') {
        Some(at) => &without_headers[..host_from + at],
        None => without_headers,
    }
}

/// The standard parameters of the dialled leg's requests: its own `CallSid`, `From` and `To`,
/// `Direction` `outbound-dial`, and the `ParentCallSid`.
fn party_params(
    base: &[(String, String)],
    sid: &str,
    from: &str,
    to: &str,
    parent: &str,
) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = base
        .iter()
        .map(|(k, v)| {
            let v = match k.as_str() {
                "CallSid" => sid.to_string(),
                "Direction" => "outbound-dial".to_string(),
                "From" | "Caller" => from.to_string(),
                "To" | "Called" => to.to_string(),
                _ => v.clone(),
            };
            (k.clone(), v)
        })
        .collect();
    params.push(("ParentCallSid".into(), parent.to_string()));
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sip_uri_is_matched_without_its_headers_and_parameters() {
        assert_eq!(
            sip_uri_base("sip:jack@example.com?x-team=blue&x-b=2"),
            "sip:jack@example.com"
        );
        assert_eq!(
            sip_uri_base("sip:jack@example.com:5061;transport=tls?x-a=1"),
            "sip:jack@example.com:5061"
        );
        assert_eq!(
            sip_uri_base("sip:alice;tag@example.com"),
            "sip:alice;tag@example.com"
        );
        assert_eq!(sip_uri_base("sip:kate@example.com"), "sip:kate@example.com");
    }

    #[test]
    fn a_sip_party_is_found_under_clients_by_its_uri_without_headers() {
        let mut settings = EngineSettings::default();
        settings
            .clients
            .insert("sip:kate@example.com".into(), Destination::Busy);
        let (to, found) = destination(
            &settings,
            DialNoun::Sip,
            "sip:kate@example.com;transport=tcp?x-team=blue",
        );
        assert_eq!(found, Destination::Busy);
        assert_eq!(to, "sip:kate@example.com;transport=tcp");
        let (_, unknown) = destination(&settings, DialNoun::Sip, "sip:bob@example.com");
        assert_eq!(unknown, Destination::NoAnswer);
        let (to, _) = destination(&settings, DialNoun::Client, "kate");
        assert_eq!(to, "client:kate");
    }
}
