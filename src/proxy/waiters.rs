//! The webhooks waiting in this proxy for a decision, by session: transient wake-up handles
//! only, never call state. A `<base>:decided` notification wakes the waiters of its session; the
//! decision list in Redis stays the truth, so a lost notification costs at most the hold limit.
//! A proxy that stops answers its waiting webhooks first (listening, after a last look); a
//! decision made later stays in Redis and goes out with the call's next webhook, whichever
//! proxy takes it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

#[derive(Default)]
struct Inner {
    /// Session -> its wake-up and how many webhooks wait on it.
    map: Mutex<HashMap<String, (Arc<Notify>, usize)>>,
    /// Set at shutdown: waits end at once (each takes a last look at its decisions).
    closed: AtomicBool,
    /// Wakes every waiter (shutdown, or the pub/sub connection came back after notifications
    /// may have been lost).
    everyone: Notify,
}

/// The waiting webhooks of one proxy.
#[derive(Clone, Default)]
pub struct Waiters {
    inner: Arc<Inner>,
}

/// One webhook's registration; dropping it unregisters.
pub struct Waiter {
    waiters: Waiters,
    session: String,
    notify: Arc<Notify>,
}

impl Waiters {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Arc<Notify>, usize)>> {
        self.inner.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a webhook of `session` (before it looks for decisions, so a notification
    /// between its look and its wait is not lost).
    pub fn register(&self, session: &str) -> Waiter {
        let mut map = self.lock();
        let entry = map
            .entry(session.to_string())
            .or_insert_with(|| (Arc::new(Notify::new()), 0));
        entry.1 += 1;
        Waiter {
            waiters: self.clone(),
            session: session.to_string(),
            notify: entry.0.clone(),
        }
    }

    /// Wakes the waiters of `session` (a `decided` notification).
    pub fn wake(&self, session: &str) {
        if let Some((notify, _)) = self.lock().get(session) {
            notify.notify_waiters();
        }
    }

    /// Wakes every waiter: they look at their decisions again.
    pub fn wake_all(&self) {
        self.inner.everyone.notify_waiters();
    }

    /// Ends every wait now and from now on (shutdown).
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        self.wake_all();
    }

    /// Whether [`Waiters::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    /// How many sessions have a waiting webhook.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no webhook waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Waiter {
    /// A wake-up armed now: it completes at the next notification of this session (or of
    /// everyone) sent after this call, even if it is awaited later.
    pub fn armed(&self) -> impl std::future::Future<Output = ()> + '_ {
        let mine = self.notify.notified();
        let everyone = self.waiters.inner.everyone.notified();
        let closed = self.waiters.is_closed();
        async move {
            if closed {
                return;
            }
            tokio::select! {
                _ = mine => {}
                _ = everyone => {}
            }
        }
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        let mut map = self.waiters.lock();
        if let Some(entry) = map.get_mut(&self.session) {
            entry.1 = entry.1.saturating_sub(1);
            if entry.1 == 0 {
                map.remove(&self.session);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_wake_after_arming_is_not_lost_and_others_are_not_woken() {
        let waiters = Waiters::default();
        let one = waiters.register("TS1");
        let two = waiters.register("TS2");
        let armed_one = one.armed();
        let armed_two = two.armed();
        waiters.wake("TS1");
        tokio::time::timeout(Duration::from_millis(100), armed_one)
            .await
            .expect("woken although the wake came before the await");
        assert!(
            tokio::time::timeout(Duration::from_millis(50), armed_two)
                .await
                .is_err(),
            "TS2 was not notified"
        );
        waiters.wake_all();
        drop(one);
        assert_eq!(waiters.len(), 1);
        drop(two);
        assert!(waiters.is_empty());
    }

    #[tokio::test]
    async fn closing_ends_current_and_later_waits() {
        let waiters = Waiters::default();
        let waiter = waiters.register("TS1");
        let armed = waiter.armed();
        waiters.close();
        tokio::time::timeout(Duration::from_millis(100), armed)
            .await
            .expect("current wait ends");
        tokio::time::timeout(Duration::from_millis(100), waiter.armed())
            .await
            .expect("later wait ends");
    }
}
