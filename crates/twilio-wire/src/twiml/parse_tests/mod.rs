//! One test per verb, default, nesting rule and error of §7; helpers here, tests by topic.

pub(super) use super::*;
pub(super) use crate::twiml::test_support::{dial_to, record, reference_gather, say};

mod control;
mod dial;
mod documents;
mod queue;

/// The verbs of `<Response>{body}</Response>`.
pub(super) fn verbs(body: &str) -> Vec<Verb> {
    match parse(&format!("<Response>{body}</Response>")) {
        Ok(r) => r.verbs,
        Err(e) => panic!("{body}: {e}"),
    }
}

/// The single verb of `<Response>{body}</Response>`.
pub(super) fn one(body: &str) -> Verb {
    let mut v = verbs(body);
    assert_eq!(v.len(), 1, "{body}: {v:?}");
    v.remove(0)
}

/// The error for `<Response>{body}</Response>`.
pub(super) fn err(body: &str) -> TwimlError {
    match parse(&format!("<Response>{body}</Response>")) {
        Ok(r) => panic!("{body} parsed: {r:?}"),
        Err(e) => e,
    }
}

pub(super) fn attr_err(body: &str) -> (String, String) {
    match err(body) {
        TwimlError::Attribute {
            attribute, value, ..
        } => (attribute, value),
        e => panic!("{body}: {e:?}"),
    }
}

pub(super) fn nesting(parent: &str, child: &str) -> TwimlError {
    TwimlError::Nesting {
        parent: parent.into(),
        child: child.into(),
    }
}

pub(super) fn gather(body: &str) -> Gather {
    match one(body) {
        Verb::Gather(g) => g,
        v => panic!("{v:?}"),
    }
}
