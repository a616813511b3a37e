//! A real `redis-server` for the tests: on a free loopback port, in a temporary folder, stopped
//! and restarted on the same port at will, killed when dropped. Without `redis-server` the
//! tests that need it are skipped with a message, unless `IVR_TEST_REQUIRE_REDIS` is set (CI),
//! where they fail.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SERVER: &str = "redis-server";

/// A loopback port that was free a moment ago (the code under test binds it a moment later).
/// Here, not in the harness's root, because the benchmarks include this file on its own.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// How a test wants its Redis.
#[derive(Debug, Clone, Default)]
pub struct RedisOptions {
    /// `requirepass`.
    pub password: Option<String>,
    /// Keep data across a restart (append-only file, synced on every write).
    pub persistent: bool,
    /// Serve TLS only, with a certificate for `localhost`/`127.0.0.1` (see [`RedisServer::ca`]).
    pub tls: bool,
}

/// A running (or stopped) `redis-server`.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    options: RedisOptions,
}

/// Whether `redis-server` can run here; `None` skips the test (and says why), unless Redis is
/// required, which panics.
fn available(test: &str) -> bool {
    let found = Command::new(SERVER)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        if std::env::var_os("IVR_TEST_REQUIRE_REDIS").is_some() {
            panic!("{test}: redis-server is not installed, and IVR_TEST_REQUIRE_REDIS is set");
        }
        eprintln!(
            "skipped {test}: redis-server is not installed (apt-get install redis-server; \
             set IVR_TEST_REQUIRE_REDIS=1 to make this a failure)"
        );
    }
    found
}

impl RedisServer {
    /// Starts a server for `test` (its name, for the skip message); `None` when skipped.
    pub fn start(test: &str, options: RedisOptions) -> Option<RedisServer> {
        if !available(test) {
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        if options.tls {
            make_certificates(dir.path());
        }
        let mut server = RedisServer {
            child: None,
            port: 0,
            dir,
            options,
        };
        // The port was free when chosen; another process may take it first: try a few.
        for _ in 0..5 {
            server.port = free_port();
            if server.spawn() {
                return Some(server);
            }
        }
        panic!("redis-server did not start");
    }

    /// The URL to reach it (`rediss://localhost:N` with TLS, the password in it when set).
    pub fn url(&self) -> String {
        let auth = self
            .options
            .password
            .as_ref()
            .map_or(String::new(), |p| format!(":{p}@"));
        if self.options.tls {
            format!("rediss://{auth}localhost:{}/", self.port)
        } else {
            format!("redis://{auth}127.0.0.1:{}/", self.port)
        }
    }

    /// The CA certificate that signed the TLS certificate (for `SSL_CERT_FILE`).
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A client for the test's own commands (playing the runner); over TLS it trusts [`ca`].
    pub fn client(&self) -> redis::Client {
        if self.options.tls {
            let certificates = redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(std::fs::read(self.ca()).expect("ca.pem")),
            };
            redis::Client::build_with_tls(self.url(), certificates).expect("redis TLS client")
        } else {
            redis::Client::open(self.url()).expect("redis client")
        }
    }

    /// Stops the server (SIGKILL: an outage, not a shutdown).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes the server (SIGSTOP): connections stay open and nothing answers, as when Redis
    /// hangs or the network drops packets.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Thaws a paused server (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let child = self.child.as_ref().expect("running");
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal}");
    }

    /// Starts it again on the same port (with its data, when persistent).
    pub fn restart(&mut self) {
        self.stop();
        assert!(self.spawn(), "redis-server restarts on port {}", self.port);
    }

    /// Starts the process and waits until it accepts connections; false if it did not.
    fn spawn(&mut self) -> bool {
        let dir = self.dir.path();
        let mut command = Command::new(SERVER);
        command
            .current_dir(dir)
            .args(["--bind", "127.0.0.1", "--dir"])
            .arg(dir)
            .args(["--save", ""])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if self.options.persistent {
            command.args(["--appendonly", "yes", "--appendfsync", "always"]);
        } else {
            command.args(["--appendonly", "no"]);
        }
        if let Some(password) = &self.options.password {
            command.args(["--requirepass", password]);
        }
        if self.options.tls {
            command
                .args(["--port", "0", "--tls-port", &self.port.to_string()])
                .args([
                    "--tls-cert-file",
                    "server.pem",
                    "--tls-key-file",
                    "server.key",
                ])
                .args(["--tls-ca-cert-file", "ca.pem", "--tls-auth-clients", "no"]);
        } else {
            command.args(["--port", &self.port.to_string()]);
        }
        // Readiness is read from this process's own log: a port another test's server took in
        // the meantime also accepts connections, but this process then says it could not bind.
        let log = dir.join("redis.log");
        let _ = std::fs::remove_file(&log);
        command.arg("--logfile").arg(&log);
        let Ok(child) = command.spawn() else {
            return false;
        };
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.contains("Ready to accept connections") {
                return true;
            }
            if let Some(Ok(Some(_))) = self.child.as_mut().map(|c| c.try_wait()) {
                self.child = None;
                return false; // exited: the port was taken
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.stop();
        false
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A CA and a server certificate for `localhost` and `127.0.0.1`, made with `openssl`.
fn make_certificates(dir: &Path) {
    let openssl = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl runs (apt-get install openssl)");
        assert!(status.success(), "openssl {args:?}");
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=ivr-test CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .expect("write ext");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext",
    ]);
}
