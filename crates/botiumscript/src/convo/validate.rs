//! Checks that need the whole picture of a parsed script: names that cannot apply to a phone call,
//! extensions we cannot run, and arguments the runner would reject (so `check` fails exactly
//! where `run` would refuse, before any call is placed).

use super::ast::{Convo, Location, Sender};
use super::call_state::{CallCheck, CHECKTWILIOCALL};
use super::conditions::StepCondition;
use super::registry::{Applicability, Registry};
use super::variables::uses_memory;

/// A finding at a line of a convo.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Where it stands.
    pub location: Location,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// Every finding in a convo's steps, in step order.
pub fn validate_convo(convo: &Convo, registry: &Registry) -> Vec<Finding> {
    let mut findings = Vec::new();
    for step in &convo.steps {
        let at = |line: usize| Location {
            line,
            ..step.location.clone()
        };
        let mut applicability = |kind: &str, name: &str, line: usize, a: Applicability| {
            match a {
            Applicability::Supported => {}
            Applicability::NotOnACall(reason) => findings.push(Finding {
                location: at(line),
                message: format!("{kind} {name} cannot apply to a phone call: {reason}"),
                help: Some("remove it, or keep this test case for a chatbot runner".into()),
            }),
            Applicability::External => findings.push(Finding {
                location: at(line),
                message: format!(
                    "{kind} {name} is declared in botium.json with code ivr-test cannot load"
                ),
                help: Some("ivr-test runs its built-in hooks and asserters only; remove the line or the declaration".into()),
            }),
        }
        };
        for a in &step.asserters {
            applicability("asserter", &a.name, a.line, registry.asserter(&a.name));
        }
        for h in &step.logic_hooks {
            applicability("logic hook", &h.name, h.line, registry.logic_hook(&h.name));
        }
        for u in &step.user_inputs {
            applicability("user input", &u.name, u.line, registry.user_input(&u.name));
        }
        for a in &step.asserters {
            if let Some((message, help)) = asserter_problem(&a.name, &a.args, step.sender) {
                findings.push(Finding {
                    location: at(a.line),
                    message,
                    help: Some(help),
                });
            }
        }
        for h in step
            .logic_hooks
            .iter()
            .filter(|h| StepCondition::is_condition_hook(&h.name))
        {
            let problem = if step.sender != Sender::Bot {
                Some((
                    format!(
                        "{} works only in #bot steps; Botium skips it elsewhere",
                        h.name
                    ),
                    "put it into one of the #bot steps that answer alternatively".to_string(),
                ))
            } else {
                StepCondition::parse(&h.name, &h.args).err().map(|e| {
                    (
                        format!("{}: {e}", h.name),
                        "see the examples in Botium's documentation of conditional steps"
                            .to_string(),
                    )
                })
            };
            if let Some((message, help)) = problem {
                findings.push(Finding {
                    location: at(h.line),
                    message,
                    help: Some(help),
                });
            }
        }
        for h in step.logic_hooks.iter().chain(&step.user_inputs) {
            if let Some((message, help)) = argument_problem(&h.name, &h.args) {
                findings.push(Finding {
                    location: at(h.line),
                    message,
                    help: Some(help),
                });
            }
        }
    }
    findings
}

/// The keys `BUTTON` may press: `0-9 * #`, and `w`/`W` to wait.
pub fn invalid_key(keys: &str) -> Option<char> {
    keys.chars()
        .find(|c| !matches!(c, '0'..='9' | '*' | '#' | 'w' | 'W'))
}

/// Asserters in a section where Botium would silently skip them, or with arguments the runner
/// cannot use.
fn asserter_problem(name: &str, args: &[String], sender: Sender) -> Option<(String, String)> {
    let in_begin_or_end = matches!(sender, Sender::Begin | Sender::End);
    match name {
        "PAUSE_ASSERTER" if !in_begin_or_end => Some((
            "PAUSE_ASSERTER works only in #begin and #end; Botium skips it elsewhere".into(),
            "use PAUSE in a #me or #bot step".into(),
        )),
        "PAUSE_ASSERTER" => match args {
            [ms] if is_whole_number(ms) || uses_memory(ms) => None,
            _ => Some((
                format!("PAUSE_ASSERTER takes one whole number of milliseconds, got {args:?}"),
                "for example PAUSE_ASSERTER 2000".into(),
            )),
        },
        CHECKTWILIOCALL if sender != Sender::End => Some((
            format!("{CHECKTWILIOCALL} checks the call after it has ended, so it belongs in #end"),
            "move it into the #end section".into(),
        )),
        CHECKTWILIOCALL if args.iter().any(|a| uses_memory(a)) => None,
        CHECKTWILIOCALL => CallCheck::parse_all(args).err().map(|e| {
            (
                format!("{CHECKTWILIOCALL}: {e}"),
                "for example CHECKTWILIOCALL status=completed|endedBy=ivr|duration<=120".into(),
            )
        }),
        "RESPONSE_LENGTH" if sender != Sender::Bot => Some((
            "RESPONSE_LENGTH checks a #bot step's message; Botium skips it elsewhere".into(),
            "move it into the #bot step whose message it checks".into(),
        )),
        "RESPONSE_LENGTH" => match args.first() {
            Some(max) if !is_whole_number(max) && !uses_memory(max) => Some((
                format!("RESPONSE_LENGTH takes a whole number of characters, got \"{max}\""),
                "for example RESPONSE_LENGTH 200".into(),
            )),
            _ => None,
        },
        _ => None,
    }
}

fn is_whole_number(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit())
}

/// Why a `MEDIA` argument cannot be played on a call, if it cannot: Twilio fetches the audio
/// itself, so it must be an http(s) URL.
pub fn media_problem(arg: &str) -> Option<String> {
    let is_url = ["http://", "https://"]
        .iter()
        .any(|scheme| arg.len() > scheme.len() && arg[..scheme.len()].eq_ignore_ascii_case(scheme));
    (!is_url).then(|| {
        format!("\"{arg}\" is not an http(s) URL; Twilio plays audio only from a URL it can fetch")
    })
}

/// Arguments the runner cannot use, for the built-ins whose arguments have a fixed form.
fn argument_problem(name: &str, args: &[String]) -> Option<(String, String)> {
    let fixed_form = ["BUTTON", "MEDIA", "PAUSE", "WAITFORBOT"];
    if fixed_form.contains(&name) && args.iter().any(|a| uses_memory(a)) {
        return None;
    }
    match name {
        "BUTTON" => {
            let Some(digits) = args.first().filter(|d| !d.is_empty()) else {
                return Some((
                    "BUTTON needs the keys to press, for example BUTTON 1 or BUTTON 123#".into(),
                    "keys are 0-9, * and #; w waits half a second, W a whole second".into(),
                ));
            };
            invalid_key(digits).map(|bad| {
                (
                    format!("invalid character \"{bad}\" in the keys \"{digits}\" of BUTTON"),
                    "keys are 0-9, * and #; w waits half a second, W a whole second".into(),
                )
            })
        }
        "MEDIA" => match args {
            [url] => media_problem(url).map(|problem| {
                (
                    format!("MEDIA {problem}"),
                    "upload the recording where Twilio can fetch it, e.g. MEDIA https://example.com/yes.wav".into(),
                )
            }),
            _ => Some((
                format!("MEDIA takes one audio URL, got {args:?}"),
                "write one MEDIA line per recording; Botium's expansion of several files into several test cases is not supported".into(),
            )),
        },
        "PAUSE" => match args {
            [ms] if is_whole_number(ms) => None,
            _ => Some((
                format!("PAUSE takes one whole number of milliseconds, got {args:?}"),
                "for example PAUSE 2000".into(),
            )),
        },
        "WAITFORBOT" => match args {
            [] => None,
            [ms] if is_whole_number(ms) => None,
            _ => Some((
                format!("WAITFORBOT takes at most one whole number of milliseconds, got {args:?}"),
                "for example WAITFORBOT 5000".into(),
            )),
        },
        "SET_SCRIPTING_MEMORY" => match args {
            [name, _] if !name.trim().is_empty() => None,
            _ => Some((
                format!("SET_SCRIPTING_MEMORY takes a name and a value, got {args:?}"),
                "for example SET_SCRIPTING_MEMORY pin|1234 (the name without $)".into(),
            )),
        },
        "CLEAR_SCRIPTING_MEMORY" => match args {
            [name] if !name.trim().is_empty() => None,
            _ => Some((
                format!("CLEAR_SCRIPTING_MEMORY takes one name, got {args:?}"),
                "for example CLEAR_SCRIPTING_MEMORY pin (the name without $)".into(),
            )),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn button_keys_are_checked() {
        assert!(argument_problem("BUTTON", &["123w*#W".into()]).is_none());
        let (msg, _) = argument_problem("BUTTON", &["12a".into()]).unwrap();
        assert!(msg.contains("\"a\""), "{msg}");
        assert!(argument_problem("BUTTON", &[]).is_some());
        // Known only during the call: checked by the runner after substitution.
        assert!(argument_problem("BUTTON", &["$pin#".into()]).is_none());
        assert!(argument_problem("BUTTON", &["$5".into()]).is_some());
    }

    #[test]
    fn scripting_memory_hooks_need_their_names() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(argument_problem("SET_SCRIPTING_MEMORY", &args(&["pin", "1234"])).is_none());
        assert!(argument_problem("SET_SCRIPTING_MEMORY", &args(&["pin"])).is_some());
        assert!(argument_problem("CLEAR_SCRIPTING_MEMORY", &args(&["pin"])).is_none());
        assert!(argument_problem("CLEAR_SCRIPTING_MEMORY", &args(&[])).is_some());
    }

    #[test]
    fn pause_needs_one_number() {
        assert!(argument_problem("PAUSE", &["100".into()]).is_none());
        assert!(argument_problem("PAUSE", &["is not text here".into()]).is_some());
        assert!(argument_problem("PAUSE", &[]).is_some());
        assert!(argument_problem("WAITFORBOT", &[]).is_none());
    }

    #[test]
    fn asserters_that_botium_would_skip_are_errors() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(asserter_problem("PAUSE_ASSERTER", &args(&["500"]), Sender::End).is_none());
        assert!(asserter_problem("PAUSE_ASSERTER", &args(&["500"]), Sender::Bot).is_some());
        assert!(asserter_problem("PAUSE_ASSERTER", &args(&[]), Sender::Begin).is_some());
        assert!(asserter_problem("RESPONSE_LENGTH", &args(&["80"]), Sender::Bot).is_none());
        assert!(asserter_problem("RESPONSE_LENGTH", &args(&["80"]), Sender::End).is_some());
        assert!(asserter_problem("RESPONSE_LENGTH", &args(&["long"]), Sender::Bot).is_some());
    }

    #[test]
    fn media_needs_one_url_twilio_can_fetch() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(argument_problem("MEDIA", &args(&["https://x.example/a.wav"])).is_none());
        assert!(argument_problem("MEDIA", &args(&["HTTP://x.example/a.wav"])).is_none());
        let (message, _) = argument_problem("MEDIA", &args(&["audio/yes.wav"])).unwrap();
        assert!(message.contains("not an http(s) URL"), "{message}");
        assert!(argument_problem("MEDIA", &args(&["https://a", "https://b"])).is_some());
        assert!(argument_problem("MEDIA", &args(&["$recording"])).is_none());
    }
}
