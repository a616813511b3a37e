//! Wall time of a deployed Function's invocation, end to end over HTTP, so a change to how the
//! emulator runs node can be measured.
//!
//! `cargo bench -p twilio-emulator --bench functions [-- INVOCATIONS]` (default 50). It deploys a
//! Function that answers at once, invokes it INVOCATIONS times one after another, then
//! INVOCATIONS times with 10 in flight, and prints the milliseconds per invocation. Needs node
//! on `PATH`.

use std::time::{Duration, Instant};

use twilio_emulator::config::EmulatorConfig;
use twilio_emulator::server::{start, EmulatorOptions};
use twilio_wire::client::{CreateBuild, CreateServerlessService, FunctionUpload, TwilioClient};
use twilio_wire::secret::Secret;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "bench-token";
const ECHO: &str = "exports.handler = (context, event, callback) => callback(null, event.n);";

/// Deploys [`ECHO`] at `/echo` and returns its URL.
async fn deploy(client: &TwilioClient) -> String {
    let service = client
        .create_serverless_service(&CreateServerlessService {
            unique_name: "bench".into(),
            friendly_name: "bench".into(),
            ..CreateServerlessService::default()
        })
        .await
        .expect("service");
    let environment = client
        .create_environment(&service.sid, "production", Some("prod"))
        .await
        .expect("environment");
    let function = client
        .create_function(&service.sid, "echo")
        .await
        .expect("function");
    let upload = FunctionUpload {
        path: "/echo".into(),
        visibility: "public".into(),
        content: ECHO.into(),
        file_name: "echo.js".into(),
    };
    let version = client
        .upload_function_version(&service.sid, &function.sid, &upload)
        .await
        .expect("upload");
    let build = client
        .create_build(
            &service.sid,
            &CreateBuild {
                function_versions: vec![version.sid],
                dependencies: Vec::new(),
                runtime: None,
            },
        )
        .await
        .expect("build");
    client
        .create_deployment(&service.sid, &environment.sid, &build.sid)
        .await
        .expect("deployment");
    client.function_url(&environment.domain_name, "/echo")
}

/// Invokes `url` once and checks the answer.
async fn invoke(http: &reqwest::Client, url: &str, n: usize) {
    let answer = http
        .get(format!("{url}?n={n}"))
        .send()
        .await
        .expect("invoke")
        .text()
        .await
        .expect("answer");
    assert_eq!(answer, n.to_string(), "the Function's answer");
}

fn per_invocation(elapsed: Duration, invocations: usize) -> f64 {
    elapsed.as_secs_f64() * 1000.0 / invocations as f64
}

#[tokio::main]
async fn main() {
    let invocations: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(50);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let mut config = EmulatorConfig::with_account(ACCOUNT, TOKEN);
    config.latencies.build_ms = 0;
    let emulator = start(listener, config, EmulatorOptions::default())
        .await
        .expect("start");
    let client =
        TwilioClient::new(&emulator.base_url, ACCOUNT, &Secret::new(TOKEN)).expect("client");
    let url = deploy(&client).await;
    let http = reqwest::Client::new();

    let first = Instant::now();
    invoke(&http, &url, 0).await;
    println!(
        "first invocation: {:.1} ms",
        per_invocation(first.elapsed(), 1)
    );

    let sequential = Instant::now();
    for n in 0..invocations {
        invoke(&http, &url, n).await;
    }
    println!(
        "{invocations} invocations one after another: {:.1} ms each",
        per_invocation(sequential.elapsed(), invocations)
    );

    let concurrent = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let in_flight = std::sync::Arc::new(tokio::sync::Semaphore::new(10));
    for n in 0..invocations {
        let (http, url, in_flight) = (http.clone(), url.clone(), in_flight.clone());
        tasks.spawn(async move {
            let _permit = in_flight.acquire().await.expect("semaphore");
            invoke(&http, &url, n).await;
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("invocation task");
    }
    println!(
        "{invocations} invocations, 10 in flight: {:.1} ms of wall time each",
        per_invocation(concurrent.elapsed(), invocations)
    );
}
