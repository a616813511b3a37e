//! The client's tests without a Twilio: URL handling (`units`) and scripted servers (`mock`).
//! The client against the emulator is tested in the `twilio-emulator` crate (`tests/client.rs`).

use axum::Router;

use super::*;
use crate::twiml::HttpMethod;
use chrono::Utc;

mod mock;
mod units;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "client-test-token-8c1f";

/// Serves `router` on 127.0.0.1:0; returns `http://127.0.0.1:<port>`.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}
