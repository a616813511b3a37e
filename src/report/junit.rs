//! JUnit XML, as CI servers read it (GitLab, Jenkins, GitHub test reporters).
//!
//! Shape:
//!
//! ```xml
//! <testsuites name="ivr-test" tests="3" failures="1" errors="1" timestamp="..." time="25.400">
//!   <testsuite name="ivr-test" tests="3" failures="1" errors="1" timestamp="..." time="25.400">
//!     <testcase name="billing/pay by card" classname="tests/billing.convo.txt" timestamp="..." time="12.300">
//!       <system-out>call: CA...  transcript lines</system-out>
//!     </testcase>
//!     <testcase name="refund" classname="tests/refund.convo.txt" ...>
//!       <failure message="Line 12: Bot response ..." type="text mismatch">message, step, expected, heard, closest passage, diff, similarity, confidence, at</failure>
//!     </testcase>
//!     <testcase name="outage" ...><error message="call failed: busy" type="call error">...</error></testcase>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! Unlike Botium's `xunit` reporter, a failed step is a `<failure>` (not an `<error>`), the
//! suite has its own name (not "Mocha Tests"), and test cases are in `index` order.
//! `<error>` means there is no verdict: Twilio, the network or the call failed.

use std::io;
use std::path::PathBuf;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::format::{aligned, failure_details, headline, secs, transcript_line};
use super::log::RunLog;
use super::{write_report_file, Reporter};
use crate::events::{Failure, RunEvent, TestResult, Verdict};

/// Writes a JUnit XML file when the run finishes.
#[derive(Debug)]
pub struct JunitReporter {
    path: PathBuf,
    suite_name: String,
    log: RunLog,
}

impl JunitReporter {
    /// A report to be written to `path`, with the suite named `ivr-test`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JunitReporter {
            path: path.into(),
            suite_name: "ivr-test".into(),
            log: RunLog::default(),
        }
    }

    /// Names the suite (and the report), for example after the project.
    pub fn with_suite_name(mut self, name: impl Into<String>) -> Self {
        self.suite_name = name.into();
        self
    }

    /// The XML document for what has been seen so far.
    fn render(&self) -> io::Result<String> {
        let summary = self.log.summary();
        let mut suite = TestSuite::new(self.suite_name.as_str());
        suite.set_time(summary.duration);
        if let Some((at, _)) = self.log.started {
            suite.set_timestamp(at.fixed_offset());
        }
        for result in self.log.results.values() {
            suite.add_test_case(self.test_case(result));
        }
        let mut report = Report::new(self.suite_name.as_str());
        report.set_time(summary.duration);
        if let Some((at, _)) = self.log.started {
            report.set_timestamp(at.fixed_offset());
        }
        report.add_test_suite(suite);
        report.to_string().map_err(io::Error::other)
    }

    fn test_case(&self, result: &TestResult) -> TestCase {
        let status = match &result.verdict {
            Verdict::Passed => TestCaseStatus::success(),
            Verdict::Failed(failure) => {
                let ty = if failure.expected.is_some() || failure.heard.is_some() {
                    "text mismatch"
                } else {
                    "step failed"
                };
                non_success(NonSuccessKind::Failure, ty, &result.name, failure)
            }
            Verdict::Error(failure) => {
                non_success(NonSuccessKind::Error, "call error", &result.name, failure)
            }
        };
        let mut case = TestCase::new(result.name.as_str(), status);
        case.set_classname(result.file.display().to_string())
            .set_time(result.duration);
        let out = system_out(result);
        if !out.is_empty() {
            case.set_system_out(out);
        }
        if let Some(at) = self.log.test_started.get(&result.index) {
            case.set_timestamp(at.fixed_offset());
        }
        case
    }
}

fn non_success(kind: NonSuccessKind, ty: &str, name: &str, failure: &Failure) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(kind);
    status
        .set_message(headline(name, failure))
        .set_type(ty)
        .set_description(aligned(&failure_details(failure), ""));
    status
}

/// The call's identity, then the whole transcript.
fn system_out(result: &TestResult) -> String {
    let mut out = String::new();
    if let Some(sid) = &result.call_sid {
        out.push_str(&format!("call: {sid} ({})\n", secs(result.call_duration)));
    }
    if let Some(url) = &result.recording_url {
        out.push_str(&format!("recording: {url}\n"));
    }
    for entry in &result.transcript {
        out.push_str(&transcript_line(entry));
        out.push('\n');
    }
    out
}

impl Reporter for JunitReporter {
    fn event(&mut self, event: &RunEvent) -> io::Result<()> {
        self.log.record(event);
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let xml = self.render()?;
        write_report_file(&self.path, xml.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    fn written(events: &[RunEvent], name: Option<&str>) -> String {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("junit.xml");
        let mut reporter = JunitReporter::new(&path);
        if let Some(name) = name {
            reporter = reporter.with_suite_name(name);
        }
        for event in events {
            reporter.event(event).expect("event");
        }
        reporter.finish().expect("finish");
        std::fs::read_to_string(&path).expect("read")
    }

    #[test]
    fn parses_back_with_counts_order_failure_and_error() {
        let xml = written(&fixtures::events(), None);
        let report = Report::deserialize_from_str(&xml).expect("valid JUnit");
        assert_eq!(report.name.as_ref().map(|n| n.as_str()), Some("ivr-test"));
        assert_eq!(
            (report.tests, report.failures, report.errors),
            (3, 1, 1),
            "{xml}"
        );
        assert_eq!(report.test_suites.len(), 1);
        let suite = &report.test_suites[0];
        assert_eq!(suite.name.as_str(), "ivr-test");
        assert_eq!((suite.tests, suite.failures, suite.errors), (3, 1, 1));
        assert!(suite.timestamp.is_some(), "suite timestamp");
        assert_eq!(suite.time, Some(fixtures::summary().duration));

        let names: Vec<_> = suite.test_cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["billing/pay by card", fixtures::FAILED_NAME, "outage"],
            "index order, not finishing order"
        );
        let [pass, fail, error] = &suite.test_cases[..] else {
            panic!("three test cases");
        };
        assert_eq!(
            pass.classname.as_ref().map(|c| c.as_str()),
            Some("tests/billing.convo.txt")
        );
        assert_eq!(pass.time, Some(fixtures::passed().duration));
        assert!(pass.timestamp.is_some(), "test case timestamp");
        assert!(matches!(pass.status, TestCaseStatus::Success { .. }));
        let out = pass.system_out.as_ref().expect("system-out").as_str();
        assert!(
            out.contains("+  3.21 s  CALLER  says: billing"),
            "transcript in system-out: {out}"
        );
        assert!(out.starts_with("call: CA0000000000000000000000000000000a (11.0 s)\nrecording: https://api.twilio.com/rec/RE1\n"), "{out}");

        let TestCaseStatus::NonSuccess {
            kind,
            message,
            ty,
            description,
            ..
        } = &fail.status
        else {
            panic!("failure expected: {:?}", fail.status);
        };
        assert_eq!(*kind, NonSuccessKind::Failure);
        assert_eq!(ty.as_ref().map(|t| t.as_str()), Some("text mismatch"));
        assert!(message
            .as_ref()
            .is_some_and(|m| m.as_str().starts_with("Line 12: Bot response")));
        let description = description.as_ref().expect("details").as_str();
        for detail in [
            "expected:   Your refund was issued",
            "heard:      Your refund is on its way",
            "diff:       Your refund [-was issued-]{+is on its way+}",
            "similarity: 71%",
            "step:       tests/refund.convo.txt:12 (Line 12, #bot)",
        ] {
            assert!(description.contains(detail), "{detail} in {description}");
        }

        let TestCaseStatus::NonSuccess { kind, ty, .. } = &error.status else {
            panic!("error expected: {:?}", error.status);
        };
        assert_eq!(*kind, NonSuccessKind::Error);
        assert_eq!(ty.as_ref().map(|t| t.as_str()), Some("call error"));
        assert!(error.system_out.is_none(), "no call, nothing to show");
    }

    #[test]
    fn a_long_repeated_prompt_shows_once_with_the_closest_passage() {
        let xml = written(&fixtures::long_prompt_events(), None);
        let report = Report::deserialize_from_str(&xml).expect("valid JUnit");
        let case = &report.test_suites[0].test_cases[0];
        let TestCaseStatus::NonSuccess {
            message,
            description,
            ..
        } = &case.status
        else {
            panic!("failure expected: {:?}", case.status);
        };
        let menu = "Thank you for calling Acme. For your balance, press 1. For billing \
                    questions, press to. (said 2 times)";
        assert!(
            message.as_ref().is_some_and(|m| m.as_str().contains(menu)),
            "{message:?}"
        );
        let description = description.as_ref().expect("details").as_str();
        for detail in [
            format!("heard:           {menu}\n"),
            "closest passage: For billing questions, press to. (similarity 93%)\n".into(),
            "diff:            For billing questions, press [-2-]{+to.+}\n".into(),
        ] {
            assert!(description.contains(&detail), "{detail} in {description}");
        }
        let out = case.system_out.as_ref().expect("system-out").as_str();
        assert!(
            out.contains(&format!("IVR     {menu} (confidence")),
            "{out}"
        );
    }

    #[test]
    fn escapes_quotes_angles_and_ampersands() {
        let xml = written(&fixtures::events(), Some("Acme & Co <IVR>"));
        assert!(
            xml.contains(r#"name="refund &quot;fast&quot; &lt;&amp;&gt;/card""#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<testsuite name="Acme &amp; Co &lt;IVR&gt;""#),
            "{xml}"
        );
        assert!(
            !xml.contains(r#""fast""#),
            "raw quotes would break the attribute"
        );
        let report = Report::deserialize_from_str(&xml).expect("valid XML");
        assert_eq!(report.test_suites[0].name.as_str(), "Acme & Co <IVR>");
        assert_eq!(
            report.test_suites[0].test_cases[1].name.as_str(),
            fixtures::FAILED_NAME
        );
    }

    #[test]
    fn an_empty_run_is_a_valid_empty_suite() {
        let xml = written(&[], None);
        let report = Report::deserialize_from_str(&xml).expect("valid XML");
        assert_eq!(report.tests, 0);
        assert_eq!(report.test_suites.len(), 1);
    }
}
