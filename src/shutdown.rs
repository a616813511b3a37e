//! Shutdown signals: the long-running commands (`run`, `emulator`, `proxy start`) stop on
//! Ctrl-C or SIGTERM, and clean up (hang up calls, stop serving) before they exit.

use std::future::Future;
use std::pin::Pin;

/// Starts listening for Ctrl-C and SIGTERM at once, so a signal that comes before the returned
/// future is first polled (while a command starts up) still counts; the future resolves at
/// the first of them. Call it inside the runtime.
pub fn listen() -> Pin<Box<dyn Future<Output = ()> + Send>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut interrupt), Ok(mut terminate)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            return Box::pin(async move {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            });
        }
    }
    Box::pin(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
