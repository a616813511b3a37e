//! The `node` program that runs deployed Functions: whether it can run (asked once, so a Build
//! fails with a message naming node when it cannot), and a warm worker per deployment (an
//! Environment and the Build it has deployed, see `worker.rs`) that runs its invocations, as
//! Twilio keeps a deployment's container warm. A worker per deployment rather than one for all
//! keeps what Twilio keeps apart apart: module state, `process.env` (each Environment's
//! Variables), and a crash (it fails only that deployment's invocations); a new deployment
//! starts a fresh worker as Twilio starts fresh containers. What a Function prints
//! (`console.log`) goes to the emulator's event log, as Twilio keeps it in the Function's logs.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::log::EventLog;

use super::worker::Worker;

/// The `node` that runs Functions; cheap to clone.
#[derive(Debug, Clone)]
pub struct Node {
    program: PathBuf,
    /// `node --version`, or why node cannot run; asked on first need.
    version: Arc<OnceLock<Result<String, String>>>,
    /// Where the Functions' console output goes.
    log: EventLog,
    /// Each Environment's warm worker, by Environment SID.
    workers: Arc<Mutex<HashMap<String, Warm>>>,
}

/// A deployment's worker and the Build it runs.
#[derive(Debug)]
struct Warm {
    build_sid: String,
    worker: Arc<Worker>,
}

/// Which deployment an invocation belongs to: each has its own worker.
#[derive(Debug, Clone, Copy)]
pub struct Deployment<'a> {
    /// The Environment the Function answers on.
    pub environment_sid: &'a str,
    /// The Build the Environment has deployed.
    pub build_sid: &'a str,
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
    #[error("the Function did not call back within {0:?} (its execution limit)")]
    TimedOut(Duration),
    /// The Function ended without an answer (`process.exit`, a crash of its worker).
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
            workers: Arc::default(),
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

    /// Runs one invocation of `deployment` described by `input` (`code`, `filename`,
    /// `context`, `variables`, `event`) in the deployment's warm worker, waiting at most `limit`
    /// for its answer.
    pub async fn invoke(
        &self,
        deployment: &Deployment<'_>,
        input: &Value,
        limit: Duration,
    ) -> Result<FunctionAnswer, InvokeError> {
        self.check()
            .map_err(|why| InvokeError::NoNode(why.to_string()))?;
        self.worker(deployment)?.invoke(input, limit).await
    }

    /// Stops the worker of the Environment `environment_sid` (deleted), once the invocations
    /// it is running have ended.
    pub fn stop_worker(&self, environment_sid: &str) {
        self.workers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(environment_sid);
    }

    /// The deployment's running worker, or a new one (replacing the one of a Build the
    /// Environment no longer has deployed, or one that ended).
    fn worker(&self, deployment: &Deployment<'_>) -> Result<Arc<Worker>, InvokeError> {
        let mut workers = self.workers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(warm) = workers.get(deployment.environment_sid) {
            if warm.build_sid == deployment.build_sid && !warm.worker.has_ended() {
                return Ok(warm.worker.clone());
            }
        }
        let worker = Arc::new(Worker::start(&self.program, self.log.clone())?);
        let warm = Warm {
            build_sid: deployment.build_sid.to_string(),
            worker: worker.clone(),
        };
        workers.insert(deployment.environment_sid.to_string(), warm);
        Ok(worker)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: Deployment<'static> = Deployment {
        environment_sid: "ZE1",
        build_sid: "ZB1",
    };

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
            .invoke(&DEPLOYMENT, &input, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert_eq!(error, InvokeError::NoNode(why.to_string()));
    }

    /// Whether node runs here; without it a test skips, unless CI requires node.
    fn node_runs() -> bool {
        let runs = std::process::Command::new("node")
            .arg("--version")
            .output()
            .is_ok();
        if !runs && std::env::var("IVR_TEST_REQUIRE_NODE").as_deref() != Ok("1") {
            eprintln!("skipped: node is not on PATH (set IVR_TEST_REQUIRE_NODE=1 to require it)");
            return false;
        }
        true
    }

    #[tokio::test]
    async fn what_a_function_prints_goes_to_the_event_log_not_the_answer() {
        if !node_runs() {
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
        let answer = node
            .invoke(&DEPLOYMENT, &input, Duration::from_secs(30))
            .await
            .unwrap();
        assert_eq!(answer.body, "ok");
        assert_eq!(*lines.lock().unwrap(), ["function relay.js: heard yes"]);
    }

    /// Invokes a Function counting its invocations in `deployment` and returns the count.
    async fn count(node: &Node, deployment: &Deployment<'_>) -> Value {
        let code = "let n = 0; exports.handler = (c, e, cb) => cb(null, { n: ++n });";
        let input = serde_json::json!({
            "code": code, "filename": "count.js", "context": {}, "variables": {}, "event": {}
        });
        let answer = node
            .invoke(deployment, &input, Duration::from_secs(30))
            .await
            .unwrap();
        serde_json::from_str::<Value>(&answer.body).unwrap()["n"].clone()
    }

    #[tokio::test]
    async fn each_deployment_has_its_own_worker_until_it_is_stopped() {
        if !node_runs() {
            return;
        }
        let node = Node::default();
        let other = Deployment {
            environment_sid: "ZE2",
            build_sid: "ZB1",
        };
        assert_eq!(count(&node, &DEPLOYMENT).await, 1);
        assert_eq!(count(&node, &DEPLOYMENT).await, 2);
        assert_eq!(count(&node, &other).await, 1);
        node.stop_worker(DEPLOYMENT.environment_sid);
        assert_eq!(count(&node, &DEPLOYMENT).await, 1);
        assert_eq!(count(&node, &other).await, 2);
    }
}
