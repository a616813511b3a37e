//! The caller IDs of a run (`TWILIO_IVR_FROM`), shared out among the parallel calls.
//!
//! Twilio cannot say which call made an IVR send a text message: the runner only sees messages
//! *to a caller ID*. So a test case that checks SMS holds its caller ID alone, from before it
//! dials until it ends: no other call of the run uses that number meanwhile, and every message
//! to it after the call was created is this call's. Test cases without SMS checks share the
//! caller IDs nobody holds (the least used first); they never take a held one, because their
//! IVR might text it and make a held test case pass on someone else's message.
//!
//! Waiters are served first come, first served, so an SMS test case waiting for a free caller ID
//! is not overtaken forever by test cases that could share one.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// How a test case uses its caller ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerIdUse {
    /// It checks SMS: the caller ID is its alone until it ends.
    Exclusive,
    /// No SMS check: any caller ID nobody holds will do, shared with other such calls.
    Shared,
}

/// One caller ID and who uses it now.
#[derive(Debug)]
struct Line {
    number: String,
    /// Calls sharing it now.
    sharing: usize,
    /// Held by a test case that checks SMS.
    held: bool,
}

#[derive(Debug, Default)]
struct PoolState {
    lines: Vec<Line>,
    /// Tickets of the waiting test cases, first come first.
    queue: VecDeque<u64>,
    next_ticket: u64,
}

impl PoolState {
    /// The line `want` may take now, if any.
    fn choose(&self, want: CallerIdUse) -> Option<usize> {
        match want {
            CallerIdUse::Exclusive => self
                .lines
                .iter()
                .position(|line| !line.held && line.sharing == 0),
            CallerIdUse::Shared => self
                .lines
                .iter()
                .enumerate()
                .filter(|(_, line)| !line.held)
                .min_by_key(|(_, line)| line.sharing)
                .map(|(index, _)| index),
        }
    }
}

/// The run's caller IDs; cheap to clone.
#[derive(Debug, Clone)]
pub struct CallerIds {
    state: Arc<Mutex<PoolState>>,
    changed: Arc<Notify>,
}

/// A caller ID in use by one test case; released when dropped.
#[derive(Debug)]
pub struct CallerIdLease {
    pool: CallerIds,
    index: usize,
    want: CallerIdUse,
    /// The caller ID.
    pub number: String,
}

impl CallerIds {
    /// A pool of `numbers` (the caller IDs of `TWILIO_IVR_FROM`, distinct, at least one).
    pub fn new(numbers: &[String]) -> CallerIds {
        let lines = numbers
            .iter()
            .map(|number| Line {
                number: number.clone(),
                sharing: 0,
                held: false,
            })
            .collect();
        CallerIds {
            state: Arc::new(Mutex::new(PoolState {
                lines,
                ..PoolState::default()
            })),
            changed: Arc::new(Notify::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a caller ID for `want`, waiting in line until one is free enough.
    pub async fn take(&self, want: CallerIdUse) -> CallerIdLease {
        let ticket = {
            let mut state = self.lock();
            let ticket = state.next_ticket;
            state.next_ticket += 1;
            state.queue.push_back(ticket);
            Ticket {
                pool: self.clone(),
                id: ticket,
            }
        };
        loop {
            // Registered before looking, so a release between the look and the wait wakes us.
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let mut state = self.lock();
                if state.queue.front() == Some(&ticket.id) {
                    if let Some(index) = state.choose(want) {
                        let line = &mut state.lines[index];
                        match want {
                            CallerIdUse::Exclusive => line.held = true,
                            CallerIdUse::Shared => line.sharing += 1,
                        }
                        let number = line.number.clone();
                        // The ticket leaves the queue on drop; the next waiter may look now.
                        drop(state);
                        drop(ticket);
                        return CallerIdLease {
                            pool: self.clone(),
                            index,
                            want,
                            number,
                        };
                    }
                }
            }
            changed.await;
        }
    }
}

/// A place in the queue; leaving it (served, or the waiting test case dropped on Ctrl-C) lets
/// the next waiter look.
struct Ticket {
    pool: CallerIds,
    id: u64,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.pool.lock().queue.retain(|t| *t != self.id);
        self.pool.changed.notify_waiters();
    }
}

impl Drop for CallerIdLease {
    fn drop(&mut self) {
        {
            let mut state = self.pool.lock();
            if let Some(line) = state.lines.get_mut(self.index) {
                match self.want {
                    CallerIdUse::Exclusive => line.held = false,
                    CallerIdUse::Shared => line.sharing = line.sharing.saturating_sub(1),
                }
            }
        }
        self.pool.changed.notify_waiters();
    }
}

/// The run header's and `check`'s line about caller IDs, e.g. "2 caller IDs for 4 parallel
/// calls; test cases that check SMS wait for a free caller ID".
pub fn caller_id_summary(caller_ids: usize, parallel: usize) -> String {
    let ids = if caller_ids == 1 {
        "1 caller ID".to_string()
    } else {
        format!("{caller_ids} caller IDs")
    };
    let calls = if parallel == 1 {
        "1 call at a time".to_string()
    } else {
        format!("{parallel} parallel calls")
    };
    let rule = if parallel > caller_ids {
        "test cases that check SMS wait for a free caller ID"
    } else {
        "every test case that checks SMS gets a caller ID of its own"
    };
    format!("{ids} for {calls}; {rule}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn pool(numbers: &[&str]) -> CallerIds {
        let numbers: Vec<String> = numbers.iter().map(|n| n.to_string()).collect();
        CallerIds::new(&numbers)
    }

    /// Whether `future` is still pending after the runtime had a chance to run it.
    async fn pending<F: std::future::Future>(future: &mut std::pin::Pin<Box<F>>) -> bool {
        tokio::time::timeout(Duration::from_millis(20), future.as_mut())
            .await
            .is_err()
    }

    #[tokio::test]
    async fn an_sms_test_case_holds_its_caller_id_alone() {
        let ids = pool(&["+1", "+2"]);
        let a = ids.take(CallerIdUse::Exclusive).await;
        let b = ids.take(CallerIdUse::Exclusive).await;
        assert_ne!(a.number, b.number);
        let mut third = Box::pin(ids.take(CallerIdUse::Exclusive));
        assert!(pending(&mut third).await, "no free caller ID: it waits");
        let mut shared = Box::pin(ids.take(CallerIdUse::Shared));
        assert!(
            pending(&mut shared).await,
            "a held caller ID is never shared"
        );
        let released = a.number.clone();
        drop(a);
        assert_eq!(third.await.number, released);
        drop(b);
        shared.await;
    }

    #[tokio::test]
    async fn test_cases_without_sms_checks_share_the_least_used_caller_id() {
        let ids = pool(&["+1", "+2"]);
        let a = ids.take(CallerIdUse::Shared).await;
        let b = ids.take(CallerIdUse::Shared).await;
        let c = ids.take(CallerIdUse::Shared).await;
        assert_ne!(a.number, b.number, "the free one first");
        let mut exclusive = Box::pin(ids.take(CallerIdUse::Exclusive));
        assert!(pending(&mut exclusive).await, "shared lines are not free");
        drop((a, c));
        let held = exclusive.await;
        assert_ne!(held.number, b.number);
    }

    #[tokio::test]
    async fn waiters_are_served_in_order() {
        let ids = pool(&["+1"]);
        let first = ids.take(CallerIdUse::Shared).await;
        let mut exclusive = Box::pin(ids.take(CallerIdUse::Exclusive));
        assert!(pending(&mut exclusive).await);
        let mut later = Box::pin(ids.take(CallerIdUse::Shared));
        assert!(
            pending(&mut later).await,
            "a later sharer does not overtake the waiting SMS test case"
        );
        drop(first);
        let held = exclusive.await;
        assert!(pending(&mut later).await);
        drop(held);
        later.await;
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_leaves_the_line() {
        let ids = pool(&["+1"]);
        let held = ids.take(CallerIdUse::Exclusive).await;
        let mut gone = Box::pin(ids.take(CallerIdUse::Exclusive));
        assert!(pending(&mut gone).await);
        drop(gone);
        drop(held);
        ids.take(CallerIdUse::Shared).await;
    }

    #[test]
    fn the_summary_says_how_many_caller_ids_serve_how_many_calls() {
        assert_eq!(
            caller_id_summary(2, 4),
            "2 caller IDs for 4 parallel calls; test cases that check SMS wait for a free caller ID"
        );
        assert_eq!(
            caller_id_summary(1, 1),
            "1 caller ID for 1 call at a time; every test case that checks SMS gets a caller ID of its own"
        );
    }
}
