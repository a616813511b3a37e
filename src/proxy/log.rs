//! The proxy's log: one line per webhook on stderr (time, route, session, CallSid, outcome,
//! latency), plus a line when Redis goes away or comes back. Tokens, signatures and Redis URLs
//! are never written; session ids and SIDs come from the request, so only their safe characters
//! are kept (no forged line breaks).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

type Sink = Arc<dyn Fn(&str) + Send + Sync>;

/// Where log lines go; silent by default (tests), stderr in `proxy start`.
#[derive(Clone, Default)]
pub struct ProxyLog {
    sink: Option<Sink>,
}

impl fmt::Debug for ProxyLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyLog")
            .field("enabled", &self.sink.is_some())
            .finish()
    }
}

/// How a webhook ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// TwiML with the runner's decision(s).
    Decided,
    /// No decision within the hold limit: a listening `<Gather>`.
    Held,
    /// Redis failed after the event was delivered: a listening `<Gather>`.
    ListenAfterError,
    /// Redis failed before the event was delivered: a listening `<Gather>` carrying it.
    Carried,
    /// An event delivered (status, partial): 204.
    Delivered,
    /// No session: `<Hangup/>` (start, next) or 204 (status, partial).
    Unknown,
    /// Bad or missing signature, unknown account: 403.
    Forbidden,
    /// The session belongs to another account: 403.
    ForeignAccount,
    /// The body is over the size limit: 413.
    TooLarge,
    /// Redis failed on a status or partial webhook: 503.
    Unavailable,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Decided => "decided",
            Outcome::Held => "held-listen",
            Outcome::ListenAfterError => "redis-error-listen",
            Outcome::Carried => "redis-down-carry",
            Outcome::Delivered => "delivered",
            Outcome::Unknown => "unknown-session",
            Outcome::Forbidden => "forbidden-signature",
            Outcome::ForeignAccount => "forbidden-account",
            Outcome::TooLarge => "too-large",
            Outcome::Unavailable => "redis-down-503",
        })
    }
}

impl ProxyLog {
    /// A log that hands each line to `sink`.
    pub fn new(sink: impl Fn(&str) + Send + Sync + 'static) -> ProxyLog {
        ProxyLog {
            sink: Some(Arc::new(sink)),
        }
    }

    /// Logs a free-form note (Redis lost or back); `text` must hold no secret.
    pub fn note(&self, text: &str) {
        if let Some(sink) = &self.sink {
            sink(&format!("{} {text}", now()));
        }
    }

    /// Logs one webhook.
    pub fn webhook(
        &self,
        route: &str,
        session: &str,
        call_sid: &str,
        outcome: Outcome,
        latency: Duration,
    ) {
        if let Some(sink) = &self.sink {
            sink(&format!(
                "{} {route} cs={} call={} {outcome} {:.2}ms",
                now(),
                safe(session),
                safe(call_sid),
                latency.as_secs_f64() * 1000.0
            ));
        }
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// At most 64 characters of `[A-Za-z0-9_-]`; `-` when empty.
fn safe(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .take(64)
        .collect();
    if kept.is_empty() {
        "-".into()
    } else {
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn one_line_per_webhook_without_forged_text() {
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = lines.clone();
        let log = ProxyLog::new(move |l| sink.lock().unwrap().push(l.to_string()));
        log.webhook(
            "next",
            "TS1\nfake line",
            "",
            Outcome::Decided,
            Duration::from_micros(1500),
        );
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].ends_with(" next cs=TS1fakeline call=- decided 1.50ms"),
            "{}",
            lines[0]
        );
        assert!(!lines[0].contains('\n'));
    }
}
