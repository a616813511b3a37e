//! The one way this tool serves HTTP (the run's webhook, the emulator, the proxy): on a given
//! listener until told to stop, then gracefully, so requests under way get their answers.

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A server running on its listener until [`Serving::stop`] (or until dropped).
#[derive(Debug)]
pub struct Serving {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Serving {
    /// Serves `app` on `listener` in a task of its own.
    pub fn start(listener: TcpListener, app: Router) -> Serving {
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Serving {
            stop: Some(stop),
            task,
        }
    }

    /// Stops accepting, lets the requests under way finish, and waits for the server to end.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for Serving {
    /// A server dropped without `stop` still shuts down (gracefully, in the background).
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use std::time::Duration;

    #[tokio::test]
    async fn stop_lets_a_request_under_way_finish_then_refuses_new_ones() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let (entered, inside) = oneshot::channel::<()>();
        let entered = std::sync::Arc::new(std::sync::Mutex::new(Some(entered)));
        let app = Router::new().route(
            "/slow",
            get(move || {
                if let Some(entered) = entered.lock().expect("lock").take() {
                    let _ = entered.send(());
                }
                async {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    "done"
                }
            }),
        );
        let serving = Serving::start(listener, app);
        let url = format!("http://{address}/slow");
        let request = tokio::spawn(reqwest::get(url.clone()));
        inside.await.expect("the request reached the server");
        serving.stop().await;
        let answered = request.await.expect("join").expect("answered");
        assert_eq!(answered.text().await.expect("body"), "done");
        assert!(reqwest::get(url).await.is_err(), "no longer listening");
    }
}
