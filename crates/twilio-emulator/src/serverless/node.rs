//! The `node` program that runs deployed Functions: whether it can run (asked once, so a Build
//! fails with a message naming node when it cannot), and one invocation as one node process
//! running the embedded Functions runtime shim (`runtime.js`), killed at the execution limit.
//! What a Function prints (`console.log`) goes to the emulator's event log, as Twilio keeps it
//! in the Function's logs.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::log::EventLog;

/// The part of Twilio's Functions runtime the emulator gives a Function (see the file).
const RUNTIME_SHIM: &str = include_str!("runtime.js");

/// The `node` that runs Functions; cheap to clone.
#[derive(Debug, Clone)]
pub struct Node {
    program: PathBuf,
    /// `node --version`, or why node cannot run; asked on first need.
    version: Arc<OnceLock<Result<String, String>>>,
    /// Where the Functions' console output goes.
    log: EventLog,
}

impl Default for Node {
    fn default() -> Node {
        Node::new(None, EventLog::default())
    }
}

/// What a Function answered.
#[derive(Debug, Deserialize, PartialEq)]
pub struct FunctionAnswer {
    /// The HTTP status.
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    /// Headers the Function set (and the content type its result implies).
    pub headers: serde_json::Map<String, Value>,
    /// The body.
    pub body: String,
}

/// Why an invocation gave no answer.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InvokeError {
    /// node is not there or does not start.
    #[error("{0}")]
    NoNode(String),
    /// The Function did not call back within the execution limit.
    #[error("the Function did not call back within {0:?} (its execution limit); it was stopped")]
    TimedOut(Duration),
    /// node ended without an answer (a syntax error, `process.exit`, a crash).
    #[error("the Function ended without calling back: {0}")]
    NoAnswer(String),
}

impl Node {
    /// The node at `program`, or `node` on `PATH`; Functions' console output goes to `log`.
    pub fn new(program: Option<PathBuf>, log: EventLog) -> Node {
        Node {
            program: program.unwrap_or_else(|| PathBuf::from("node")),
            version: Arc::new(OnceLock::new()),
            log,
        }
    }

    /// node's version, or a message naming node and how to get it.
    pub fn check(&self) -> Result<&str, &str> {
        let answer = self.version.get_or_init(|| {
            let missing = |why: String| {
                format!(
                    "Functions need node to run and {} cannot run ({why}); install Node.js 18 or \
                     newer (apt-get install nodejs) or point the emulator at it",
                    self.program.display()
                )
            };
            let output = std::process::Command::new(&self.program)
                .arg("--version")
                .stdin(Stdio::null())
                .output()
                .map_err(|e| missing(e.to_string()))?;
            if !output.status.success() {
                return Err(missing(format!(
                    "`--version` exited with {}",
                    output.status
                )));
            }
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
        });
        answer.as_deref().map_err(String::as_str)
    }

    /// Runs one invocation described by `input` (`code`, `filename`, `context`, `variables`,
    /// `event`), stopping it after `limit`.
    pub async fn invoke(
        &self,
        input: &Value,
        limit: Duration,
    ) -> Result<FunctionAnswer, InvokeError> {
        self.check()
            .map_err(|why| InvokeError::NoNode(why.to_string()))?;
        let mut child = Command::new(&self.program)
            .arg("-e")
            .arg(RUNTIME_SHIM)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                InvokeError::NoNode(format!("cannot start {}: {e}", self.program.display()))
            })?;
        let run = async {
            if let Some(mut stdin) = child.stdin.take() {
                // A Function that exits before reading its input answers nothing; that is
                // reported below, so a failed write needs no report of its own.
                let _ = stdin.write_all(input.to_string().as_bytes()).await;
            }
            child.wait_with_output().await
        };
        let output = tokio::time::timeout(limit, run)
            .await
            .map_err(|_| InvokeError::TimedOut(limit))?
            .map_err(|e| InvokeError::NoAnswer(e.to_string()))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        let name = input["filename"].as_str().unwrap_or_default();
        for line in stderr.lines() {
            self.log.event(&format!("function {name}: {line}"));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        match stdout
            .lines()
            .last()
            .map(serde_json::from_str::<FunctionAnswer>)
        {
            Some(Ok(answer)) => Ok(answer),
            _ => {
                let last = stderr.lines().rev().take(8).collect::<Vec<_>>();
                let why = last.into_iter().rev().collect::<Vec<_>>().join("\n");
                Err(InvokeError::NoAnswer(format!(
                    "node exited with {}: {why}",
                    output.status
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_missing_node_is_named_when_building_and_invoking() {
        let node = Node::new(
            Some(PathBuf::from("/nonexistent/bin/node")),
            EventLog::default(),
        );
        let why = node.check().unwrap_err();
        assert!(
            why.contains("/nonexistent/bin/node") && why.contains("Node.js"),
            "{why}"
        );
        let input = serde_json::json!({"code": "", "filename": "f.js"});
        let error = node
            .invoke(&input, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert_eq!(error, InvokeError::NoNode(why.to_string()));
    }

    #[tokio::test]
    async fn what_a_function_prints_goes_to_the_event_log_not_the_answer() {
        let node_runs = std::process::Command::new("node")
            .arg("--version")
            .output()
            .is_ok();
        if !node_runs && std::env::var("IVR_TEST_REQUIRE_NODE").as_deref() != Ok("1") {
            eprintln!("skipped: node is not on PATH (set IVR_TEST_REQUIRE_NODE=1 to require it)");
            return;
        }
        let lines = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = lines.clone();
        let log = EventLog::new(false, move |line| {
            sink.lock().unwrap().push(line.to_string())
        });
        let node = Node::new(None, log);
        let code =
            "exports.handler = (c, e, cb) => { console.log('heard', e.a); cb(null, 'ok'); };";
        let input = serde_json::json!({
            "code": code, "filename": "relay.js", "context": {}, "variables": {}, "event": {"a": "yes"}
        });
        let answer = node.invoke(&input, Duration::from_secs(30)).await.unwrap();
        assert_eq!(answer.body, "ok");
        assert_eq!(*lines.lock().unwrap(), ["function relay.js: heard yes"]);
    }
}
