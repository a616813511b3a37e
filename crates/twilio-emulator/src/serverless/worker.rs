//! One warm node worker: a long-lived `node` running the Functions runtime (`runtime.js`) for
//! one deployment, its invocations running concurrently in it, one newline-delimited JSON
//! request and answer each over stdin and stdout (the protocol is in `runtime.js`). A worker
//! that ends fails the invocations it was running; the next invocation starts another.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};
use tokio::sync::oneshot;

use crate::log::EventLog;

use super::node::{FunctionAnswer, InvokeError};

/// The Functions runtime the worker runs (see the file).
const RUNTIME: &str = include_str!("runtime.js");

/// How many of node's last stderr lines say why a worker ended.
const STDERR_TAIL: usize = 8;

/// How long an ended worker's stderr may take to close before its tail is reported without
/// the rest (a process the Function started can hold it open), and how long a worker that
/// closed its output may take to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(1);

/// How long a worker may take to answer a probe after an invocation's execution limit passed;
/// one that does not is blocked (a Function's endless loop) and is stopped, as Twilio stops
/// a Function at the limit.
const PROBE_LIMIT: Duration = Duration::from_secs(1);

/// Where an invocation's answer goes.
type Answering = oneshot::Sender<Result<FunctionAnswer, InvokeError>>;

/// A running `node` serving one deployment's invocations.
#[derive(Debug)]
pub(super) struct Worker {
    stdin: tokio::sync::Mutex<ChildStdin>,
    invocations: Arc<Mutex<Invocations>>,
    next_id: AtomicU64,
    /// Stops the process, with why, when used or dropped (with the worker).
    stop: Mutex<Option<oneshot::Sender<String>>>,
}

/// The invocations a worker is running, or why it ended.
#[derive(Debug, Default)]
struct Invocations {
    /// Set when the process ended; no invocation waits after that.
    ended: Option<String>,
    waiting: HashMap<u64, Answering>,
}

/// One line to the worker: an invocation's input and its id.
#[derive(Serialize)]
struct Request<'a> {
    id: u64,
    #[serde(flatten)]
    input: &'a Value,
}

/// One line from the worker.
#[derive(Deserialize)]
#[serde(untagged)]
enum Message {
    /// What a Function printed; `filename` is `None` outside every invocation.
    Printed {
        filename: Option<String>,
        log: String,
    },
    /// An invocation ended without an answer (it called `process.exit`).
    Ended { id: u64, error: String },
    /// An invocation's answer.
    Answered(Answered),
}

#[derive(Deserialize)]
struct Answered {
    id: u64,
    #[serde(flatten)]
    answer: FunctionAnswer,
}

impl Worker {
    /// Starts `program` running the runtime; what Functions print goes to `log`.
    pub(super) fn start(program: &Path, log: EventLog) -> Result<Worker, InvokeError> {
        let mut command = Command::new(program);
        // A Function sees the Environment's Variables in process.env, not the emulator's
        // environment (which may hold the runner's own credentials).
        command.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        let mut child = command
            .arg("-e")
            .arg(RUNTIME)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| InvokeError::NoNode(format!("cannot start {}: {e}", program.display())))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(InvokeError::NoNode(format!(
                "{} started without its pipes",
                program.display()
            )));
        };
        let invocations = Arc::new(Mutex::new(Invocations::default()));
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(serve(
            child,
            stdout,
            stderr,
            invocations.clone(),
            log,
            stopped,
        ));
        Ok(Worker {
            stdin: tokio::sync::Mutex::new(stdin),
            invocations,
            next_id: AtomicU64::new(0),
            stop: Mutex::new(Some(stop)),
        })
    }

    /// Whether the process has ended (so the next invocation needs a new worker).
    pub(super) fn has_ended(&self) -> bool {
        lock(&self.invocations).ended.is_some()
    }

    /// Runs one invocation (`input` as `runtime.js` reads it), waiting at most `limit` for its
    /// answer; the worker keeps running a Function that outlives the limit, unless the
    /// Function blocks it.
    pub(super) async fn invoke(
        &self,
        input: &Value,
        limit: Duration,
    ) -> Result<FunctionAnswer, InvokeError> {
        let answered = self.exchange(input, limit).await;
        if matches!(answered, Err(InvokeError::TimedOut(_))) && !self.responds().await {
            self.stop(format!(
                "stopped: it did not answer within {PROBE_LIMIT:?} after a Function's execution \
                 limit (a Function blocks it, such as with an endless loop)"
            ));
        }
        answered
    }

    /// Stops the process because of `why`; from now on the worker counts as ended, so the
    /// next invocation gets a new one.
    fn stop(&self, why: String) {
        lock(&self.invocations).ended = Some(format!("node's worker was {why}"));
        let stop = self
            .stop
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(stop) = stop {
            let _ = stop.send(why);
        }
    }

    /// Whether the worker answers a probe at once (a Function does not block it).
    async fn responds(&self) -> bool {
        let probe = serde_json::json!({ "probe": true });
        self.exchange(&probe, PROBE_LIMIT).await.is_ok()
    }

    /// Sends `input` and waits at most `limit` for its answer.
    async fn exchange(
        &self,
        input: &Value,
        limit: Duration,
    ) -> Result<FunctionAnswer, InvokeError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (answering, answer) = oneshot::channel();
        {
            let mut invocations = lock(&self.invocations);
            if let Some(why) = &invocations.ended {
                return Err(InvokeError::NoAnswer(why.clone()));
            }
            invocations.waiting.insert(id, answering);
        }
        let _waiting = Waiting {
            invocations: &self.invocations,
            id,
        };
        let mut line = serde_json::to_string(&Request { id, input })
            .map_err(|e| InvokeError::NoAnswer(format!("the invocation does not encode: {e}")))?;
        line.push('\n');
        let sent_and_answered = async {
            // A failed write means the process ended; the task reading its output fails this
            // invocation with node's last words, so the failure needs no report of its own.
            let _ = self.stdin.lock().await.write_all(line.as_bytes()).await;
            answer.await
        };
        // The limit covers the write too: a worker stuck in a Function's endless loop stops
        // reading its input.
        match tokio::time::timeout(limit, sent_and_answered).await {
            Err(_) => Err(InvokeError::TimedOut(limit)),
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(InvokeError::NoAnswer("node's worker was stopped".into())),
        }
    }
}

/// Forgets an invocation that stops waiting (answered, timed out or abandoned).
struct Waiting<'a> {
    invocations: &'a Mutex<Invocations>,
    id: u64,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        lock(self.invocations).waiting.remove(&self.id);
    }
}

/// Hands each message of the worker to its invocation or the log until the process ends or
/// the worker is dropped, then fails the invocations still waiting.
async fn serve(
    mut child: Child,
    stdout: ChildStdout,
    stderr: ChildStderr,
    invocations: Arc<Mutex<Invocations>>,
    log: EventLog,
    mut stopped: oneshot::Receiver<String>,
) {
    let tail = tokio::spawn(read_stderr(stderr, log.clone()));
    let mut lines = BufReader::new(stdout).lines();
    let mut stopped_because = None;
    loop {
        tokio::select! {
            line = lines.next_line() => match line {
                Ok(Some(line)) => deliver(&line, &invocations, &log),
                _ => break,
            },
            stop = &mut stopped => {
                if let Ok(why) = stop {
                    log.event(&format!("node worker: {why}"));
                    stopped_because = Some(why);
                }
                let _ = child.start_kill();
                break;
            }
        }
    }
    // A process that closed its output may still run.
    let status = match tokio::time::timeout(EXIT_GRACE, child.wait()).await {
        Ok(status) => status,
        Err(_) => {
            let _ = child.start_kill();
            child.wait().await
        }
    };
    let last_words = match tokio::time::timeout(EXIT_GRACE, tail).await {
        Ok(Ok(lines)) => Vec::from(lines).join("\n"),
        _ => String::new(),
    };
    let mut why = ended(status, &last_words);
    if let Some(stopped_because) = stopped_because {
        why = format!("node's worker was {stopped_because} ({why})");
    }
    let mut invocations = lock(&invocations);
    invocations.ended = Some(why.clone());
    for (_, answering) in invocations.waiting.drain() {
        let _ = answering.send(Err(InvokeError::NoAnswer(why.clone())));
    }
}

/// Why the worker ended, in words.
fn ended(status: std::io::Result<ExitStatus>, last_words: &str) -> String {
    let status = match status {
        Ok(status) => format!("node exited with {status}"),
        Err(e) => format!("node's exit status is unknown ({e})"),
    };
    if last_words.is_empty() {
        status
    } else {
        format!("{status}: {last_words}")
    }
}

/// Logs node's own stderr (crashes, warnings) and returns its last lines.
async fn read_stderr(stderr: ChildStderr, log: EventLog) -> VecDeque<String> {
    let mut lines = BufReader::new(stderr).lines();
    let mut tail = VecDeque::with_capacity(STDERR_TAIL);
    while let Ok(Some(line)) = lines.next_line().await {
        log.event(&format!("node worker: {line}"));
        if tail.len() == STDERR_TAIL {
            tail.pop_front();
        }
        tail.push_back(line);
    }
    tail
}

/// Routes one line of the worker's output.
fn deliver(line: &str, invocations: &Mutex<Invocations>, log: &EventLog) {
    let (id, result) = match serde_json::from_str::<Message>(line) {
        Ok(Message::Printed {
            filename,
            log: text,
        }) => {
            let source =
                filename.map_or_else(|| "node worker".to_string(), |f| format!("function {f}"));
            for printed in text.lines() {
                log.event(&format!("{source}: {printed}"));
            }
            return;
        }
        Ok(Message::Ended { id, error }) => (id, Err(InvokeError::NoAnswer(error))),
        Ok(Message::Answered(Answered { id, answer })) => (id, Ok(answer)),
        Err(_) => {
            log.event(&format!("node worker: {line}"));
            return;
        }
    };
    // An invocation past its limit no longer waits; its late answer is dropped.
    if let Some(answering) = lock(invocations).waiting.remove(&id) {
        let _ = answering.send(result);
    }
}

fn lock(invocations: &Mutex<Invocations>) -> std::sync::MutexGuard<'_, Invocations> {
    invocations.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_goes_to_its_invocation_or_the_log_and_late_answers_are_dropped() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let log = EventLog::new(false, move |line| {
            sink.lock().unwrap().push(line.to_string())
        });
        let invocations = Mutex::new(Invocations::default());
        let (answering, mut answer) = oneshot::channel();
        lock(&invocations).waiting.insert(7, answering);

        deliver(
            r#"{"filename":"relay.js","log":"one\ntwo\n"}"#,
            &invocations,
            &log,
        );
        deliver(
            r#"{"filename":null,"log":"between invocations"}"#,
            &invocations,
            &log,
        );
        deliver("not a message", &invocations, &log);
        deliver(
            r#"{"id":3,"statusCode":200,"headers":{},"body":"late"}"#,
            &invocations,
            &log,
        );
        deliver(
            r#"{"id":7,"error":"it called process.exit(1)"}"#,
            &invocations,
            &log,
        );

        assert_eq!(
            *lines.lock().unwrap(),
            [
                "function relay.js: one",
                "function relay.js: two",
                "node worker: between invocations",
                "node worker: not a message",
            ]
        );
        assert_eq!(
            answer.try_recv().unwrap(),
            Err(InvokeError::NoAnswer("it called process.exit(1)".into()))
        );
        assert!(lock(&invocations).waiting.is_empty());
    }
}
