//! Shutdown signals: the long-running commands (`run`, `emulator`, `proxy start`) stop on
//! Ctrl-C or SIGTERM, and clean up (hang up calls, stop serving) before they exit.

/// Resolves at the first Ctrl-C or SIGTERM.
pub async fn requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
