//! `ivr-test proxy start`, the real binary: configuration errors, serving until SIGTERM, the log,
//! Redis with a password and over TLS, and no secret in any output.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ivr_test::turn::Action;

use crate::harness::free_port;
use crate::harness::proxy::{
    params, post, proxy as in_process_proxy, HoldClock, Runner, AC1, TOKEN1,
};
use crate::harness::redis::{RedisOptions, RedisServer};

const PASSWORD: &str = "redis-pass-word";

/// The binary serving a proxy; killed when dropped.
pub(crate) struct ProxyProcess {
    child: Child,
    pub(crate) public_url: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

fn collect(mut from: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let into = text.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = from.read(&mut buffer) {
            if n == 0 {
                break;
            }
            let chunk = String::from_utf8_lossy(&buffer[..n]).into_owned();
            into.lock().expect("output").push_str(&chunk);
        }
    });
    text
}

impl ProxyProcess {
    /// Starts `proxy start` on a free port for `redis_url`, hold 10 s, account one from the
    /// environment; waits until it announces itself. A port taken meanwhile by another test
    /// (the proxy exits 3) is replaced by another, a few times.
    fn start(redis_url: &str, extra_env: &[(&str, &Path)]) -> ProxyProcess {
        let account = (AC1, TOKEN1, crate::harness::proxy::BASE);
        ProxyProcess::start_for(redis_url, account, extra_env)
    }

    /// Starts it for one `(account, token, topic base)`.
    pub(crate) fn start_for(
        redis_url: &str,
        account: (&str, &str, &str),
        extra_env: &[(&str, &Path)],
    ) -> ProxyProcess {
        for _ in 0..5 {
            if let Some(proxy) = ProxyProcess::try_start(free_port(), redis_url, account, extra_env)
            {
                return proxy;
            }
        }
        panic!("proxy start did not start on any port");
    }

    fn try_start(
        port: u16,
        redis_url: &str,
        (account, token, topic): (&str, &str, &str),
        extra_env: &[(&str, &Path)],
    ) -> Option<ProxyProcess> {
        let public_url = format!("http://127.0.0.1:{port}/");
        let mut child = Command::new(env!("CARGO_BIN_EXE_ivr-test"))
            .args(["proxy", "start", "--port", &port.to_string()])
            .args(["--public-url", &public_url, "--redis-url", redis_url])
            .args(["--topic-base", topic])
            .env_clear()
            .env("TWILIO_IVR_ACCOUNT_SID", account)
            .env("TWILIO_IVR_AUTH_TOKEN", token)
            .envs(extra_env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ivr-test runs");
        let stdout = collect(child.stdout.take().expect("stdout"));
        let stderr = collect(child.stderr.take().expect("stderr"));
        let mut proxy = ProxyProcess {
            child,
            public_url,
            stdout,
            stderr,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !proxy.stdout().contains("listening on") {
            if let Ok(Some(status)) = proxy.child.try_wait() {
                assert_eq!(status.code(), Some(3), "stderr: {}", proxy.stderr());
                return None;
            }
            assert!(
                Instant::now() < deadline,
                "no announcement; stderr: {}",
                proxy.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(proxy)
    }

    fn stdout(&self) -> String {
        self.stdout.lock().expect("stdout").clone()
    }

    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr").clone()
    }

    /// Sends SIGTERM; the exit code, within 10 s.
    pub(crate) fn terminate(&mut self) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                // Let the readers drain what was written last.
                std::thread::sleep(Duration::from_millis(100));
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "still running 10 s after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn proxy_start_refuses_a_bad_configuration_with_exit_2_and_no_secret() {
    let output = Command::new(env!("CARGO_BIN_EXE_ivr-test"))
        .args(["proxy", "start", "--hold", "30"])
        .args(["--redis-url", &format!("http://:{PASSWORD}@127.0.0.1:1")])
        .env_clear()
        .env("TWILIO_IVR_AUTH_TOKEN", TOKEN1)
        .output()
        .expect("ivr-test runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--public-url"), "{stderr}");
    assert!(stderr.contains("--hold"), "{stderr}");
    assert!(stderr.contains("--redis-url"), "{stderr}");
    assert!(stderr.contains("TWILIO_IVR_ACCOUNT_SID"), "{stderr}");
    assert!(
        !stderr.contains(TOKEN1) && !stderr.contains(PASSWORD),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_start_serves_until_sigterm_logs_each_webhook_and_never_prints_a_secret() {
    let options = RedisOptions {
        password: Some(PASSWORD.into()),
        ..RedisOptions::default()
    };
    let Some(redis) = RedisServer::start("proxy start binary", options) else {
        return;
    };
    let mut proxy = ProxyProcess::start(&redis.url(), &[]);
    let public = proxy.public_url.clone();
    let health: serde_json::Value = reqwest::get(format!("{public}health"))
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["redis"], "up");

    let mut runner = Runner::new(&redis, "R5").await;
    runner.register("TS10", AC1).await;
    runner
        .decide("TS10", vec![Action::Say("over the wire".into())], &[])
        .await;
    let start_url = format!("{public}twilio-ivr/start?cs=TS10");
    let webhook_params = params(AC1, &[]);
    let (status, twiml) = post(&start_url, Some(TOKEN1), &webhook_params).await;
    assert_eq!(status, 200);
    assert!(twiml.contains(">over the wire</Say>"), "{twiml}");
    let (status, _) = post(&start_url, Some("forged"), &webhook_params).await;
    assert_eq!(status, 403);

    // A webhook held when SIGTERM comes is answered (listening) before the proxy exits, not
    // held to the 10 s limit: before an in-process proxy with the same hold ends a webhook
    // that came earlier.
    let (_clock_proxy, clock_public) =
        in_process_proxy(&redis.url(), Duration::from_secs(10)).await;
    let clock = HoldClock::start(&redis, &clock_public).await;
    let next = format!("{public}twilio-ivr/next?cs=TS10");
    let held = tokio::spawn(async move { post(&next, Some(TOKEN1), &params(AC1, &[])).await });
    assert_eq!(runner.wait_events(2).await.len(), 2);
    let code = tokio::task::block_in_place(|| proxy.terminate());
    let (status, twiml) = clock.before_it_runs_out(held).await.expect("held webhook");
    assert_eq!(code, Some(0), "stderr: {}", proxy.stderr());
    assert_eq!(status, 200);
    assert!(twiml.contains("<Gather"), "{twiml}");

    let (stdout, stderr) = (proxy.stdout(), proxy.stderr());
    let all = format!("{stdout}{stderr}");
    assert!(stderr.contains(" start cs=TS10 call=CA"), "{stderr}");
    assert!(stderr.contains(" decided "), "{stderr}");
    assert!(stderr.contains(" forbidden-signature "), "{stderr}");
    assert_eq!(
        stderr.matches(" cs=TS10 ").count(),
        3,
        "one line per webhook: {stderr}"
    );
    let signature = twilio_wire::signature::compute(TOKEN1, &start_url, &webhook_params);
    for secret in [TOKEN1, PASSWORD, signature.as_str()] {
        assert!(!all.contains(secret), "{secret} printed:\n{all}");
    }
    assert!(stdout.contains("<redacted>"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_start_reaches_a_tls_redis_with_a_password() {
    let options = RedisOptions {
        password: Some(PASSWORD.into()),
        tls: true,
        ..RedisOptions::default()
    };
    let Some(redis) = RedisServer::start("proxy over TLS", options) else {
        return;
    };
    assert!(redis.url().starts_with("rediss://"));
    // The proxy trusts the test's CA the way an operator would: SSL_CERT_FILE.
    let ca = redis.ca();
    let mut proxy = ProxyProcess::start(&redis.url(), &[("SSL_CERT_FILE", &ca)]);
    let public = proxy.public_url.clone();
    let mut runner = Runner::new(&redis, "R6").await;
    runner.register("TS11", AC1).await;
    runner
        .decide("TS11", vec![Action::Say("encrypted".into())], &[])
        .await;
    let (status, twiml) = post(
        &format!("{public}twilio-ivr/start?cs=TS11"),
        Some(TOKEN1),
        &params(AC1, &[]),
    )
    .await;
    assert_eq!(status, 200, "stderr: {}", proxy.stderr());
    assert!(
        twiml.contains(">encrypted</Say>"),
        "{twiml}\n{}",
        proxy.stderr()
    );
    assert_eq!(runner.events().await.len(), 1);
    assert_eq!(tokio::task::block_in_place(|| proxy.terminate()), Some(0));
}
