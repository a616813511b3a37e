//! A task owned by what spawned it: the prompts and interim results of a `<Gather>` stop with it.

use std::future::Future;

use tokio::task::JoinHandle;

/// A spawned task that is aborted when dropped, so that it cannot outlive what started it.
pub(super) struct OwnedTask(Option<JoinHandle<()>>);

impl OwnedTask {
    /// Spawns `future` on the runtime; it is aborted when this is dropped.
    pub(super) fn spawn(future: impl Future<Output = ()> + Send + 'static) -> OwnedTask {
        OwnedTask(Some(tokio::spawn(future)))
    }

    /// Waits until the task has finished; at once if it has already been waited for.
    pub(super) async fn finished(&mut self) {
        if let Some(handle) = &mut self.0 {
            let _ = handle.await;
            // A finished JoinHandle must not be polled again.
            self.0 = None;
        }
    }
}

impl Drop for OwnedTask {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            handle.abort();
        }
    }
}
