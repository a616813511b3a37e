//! The emulator's event log: one line per event (a call's status change, what a leg said,
//! pressed or heard, a webhook failure), so a person can follow every call as it happens.

use std::fmt;
use std::sync::Arc;

/// Receives each log line.
type Sink = Arc<dyn Fn(&str) + Send + Sync>;

/// Where log lines go; cloned into every part that logs. Silent by default.
#[derive(Clone, Default)]
pub struct EventLog {
    sink: Option<Sink>,
    verbose: bool,
}

impl fmt::Debug for EventLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventLog")
            .field("enabled", &self.sink.is_some())
            .field("verbose", &self.verbose)
            .finish()
    }
}

impl EventLog {
    /// A log that hands each line to `sink`; `verbose` adds one line per webhook request.
    pub fn new(verbose: bool, sink: impl Fn(&str) + Send + Sync + 'static) -> EventLog {
        EventLog {
            sink: Some(Arc::new(sink)),
            verbose,
        }
    }

    /// Logs an event.
    pub fn event(&self, line: &str) {
        if let Some(sink) = &self.sink {
            sink(line);
        }
    }

    /// Logs a detail shown only in verbose mode.
    pub fn detail(&self, line: &str) {
        if self.verbose {
            self.event(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn details_only_when_verbose() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let log = EventLog::new(false, move |l| sink.lock().unwrap().push(l.to_string()));
        log.event("a");
        log.detail("b");
        assert_eq!(*lines.lock().unwrap(), ["a"]);
        EventLog::default().event("nowhere");
    }
}
