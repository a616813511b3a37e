//! `ivr-test doctor`: a preflight that answers "will my suite run?" without dialing (unless
//! `--call` asks for one short test call). Each check is a line that passes, warns or fails
//! with the fix; any failure makes the exit code [`Outcome::NotReady`].
//!
//! ```text
//! botium.json + env --> configuration (errors fail, warnings warn, as `check` reports them)
//!                   --> account (credentials, type and status, caller IDs, geo permissions, SMS)
//!                   --> transport (public URL answering, or proxy + Redis reachable)
//!                   --> test call (`--call` only)
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Config;
use crate::exit_code::Outcome;

mod account;
mod test_call;
mod transport;

/// What `ivr-test doctor` is asked to do.
#[derive(Debug, Clone)]
pub struct DoctorRequest {
    /// The botium.json to read (default: ./botium.json when present).
    pub config: Option<PathBuf>,
    /// Place one short test call to `TWILIO_IVR_TO` (the only check that dials).
    pub call: bool,
    /// One JSON document on stdout instead of lines for people.
    pub json: bool,
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Ready.
    Ok,
    /// Works, with a limit or a risk worth knowing.
    Warn,
    /// The suite will not run until this is fixed.
    Fail,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Outcome.
    pub status: Status,
    /// Which check, a stable name (`credentials`, `caller-id`, `transport`, ...).
    pub check: &'static str,
    /// What was found.
    pub detail: String,
    /// What to do about it, for a warning or a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    /// A passed check.
    pub fn ok(check: &'static str, detail: impl Into<String>) -> Finding {
        Finding {
            status: Status::Ok,
            check,
            detail: detail.into(),
            fix: None,
        }
    }

    /// A warning and what to do about it.
    pub fn warn(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            status: Status::Warn,
            check,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    /// A failure and its fix.
    pub fn fail(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            status: Status::Fail,
            check,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Runs every check in `cwd` and writes the report to `out`.
pub async fn run(
    request: &DoctorRequest,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    out: &mut dyn Write,
) -> Outcome {
    let findings = match Config::load(request.config.as_deref(), cwd, env) {
        Ok(config) => checks(request, &config).await,
        Err(errors) => {
            let mut findings: Vec<Finding> = errors
                .errors
                .iter()
                .map(|e| {
                    Finding::fail(
                        "configuration",
                        e.to_string(),
                        "correct the capability named (`ivr-test check` shows every problem)",
                    )
                })
                .collect();
            findings.extend(errors.warnings.iter().map(|w| config_warning(w)));
            findings
        }
    };
    let written = if request.json {
        write_json(&findings, out)
    } else {
        write_human(&findings, out)
    };
    if written.is_err() {
        return Outcome::Infrastructure;
    }
    if findings.iter().any(|f| f.status == Status::Fail) {
        Outcome::NotReady
    } else {
        Outcome::Passed
    }
}

fn config_warning(warning: &str) -> Finding {
    Finding::warn(
        "configuration",
        warning,
        "see `ivr-test check`, which reports the same warning",
    )
}

/// Every check of a configuration that loaded, in report order.
async fn checks(request: &DoctorRequest, config: &Config) -> Vec<Finding> {
    let twilio = &config.capabilities.twilio;
    let mut findings: Vec<Finding> = config.warnings.iter().map(|w| config_warning(w)).collect();
    if let Some(emulate) = &twilio.emulate {
        findings.push(Finding::warn(
            "configuration",
            format!("TWILIO_IVR_EMULATE is {emulate}: `run` calls the in-process emulator, not Twilio; the checks below are of the Twilio account"),
            "unset TWILIO_IVR_EMULATE to run the suite against Twilio",
        ));
    }
    if findings.is_empty() {
        findings.push(Finding::ok("configuration", "no warnings"));
    }
    let client = account::checks(twilio, &mut findings).await;
    findings.extend(transport::checks(twilio, config, client.as_ref()).await);
    if request.call {
        match &client {
            Some(client) => findings.push(test_call::place(client, twilio).await),
            None => findings.push(Finding::fail(
                "test-call",
                "not placed: the credentials did not work",
                "fix the credentials first",
            )),
        }
    }
    // Secrets never reach the report, whatever a check quoted.
    for finding in &mut findings {
        finding.detail = config.redact(&finding.detail);
        finding.fix = finding.fix.as_deref().map(|fix| config.redact(fix));
    }
    findings
}

fn write_human(findings: &[Finding], out: &mut dyn Write) -> std::io::Result<()> {
    for finding in findings {
        writeln!(
            out,
            "{:<4}  {}: {}",
            finding.status.label(),
            finding.check,
            finding.detail
        )?;
        if let Some(fix) = &finding.fix {
            writeln!(out, "      fix: {fix}")?;
        }
    }
    let count = |status| findings.iter().filter(|f| f.status == status).count();
    let (failed, warned) = (count(Status::Fail), count(Status::Warn));
    if failed == 0 {
        writeln!(out, "ready: every check passed ({warned} warning(s))")
    } else {
        writeln!(
            out,
            "not ready: {failed} check(s) failed, {warned} warning(s)"
        )
    }
}

fn write_json(findings: &[Finding], out: &mut dyn Write) -> std::io::Result<()> {
    let ready = findings.iter().all(|f| f.status != Status::Fail);
    let report = serde_json::json!({ "ready": ready, "checks": findings });
    writeln!(out, "{report:#}")
}
