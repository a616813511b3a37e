//! `CHECKTWILIOCALL`: what a convo asserts about its call once the call has ended.
//!
//! ```text
//! #end
//! CHECKTWILIOCALL status=completed|endedBy=ivr|duration<=120
//! ```
//!
//! Each argument is one check, all must hold (`!CHECKTWILIOCALL` passes when one fails):
//!
//! | check | meaning |
//! |---|---|
//! | `status=S` | the call's final status (`completed`, `busy`, `no-answer`, `failed`, `canceled`) |
//! | `endedBy=ivr` / `endedBy=caller` | who hung up: the IVR, or the caller (the runner, because the script ended) |
//! | `duration<N`, `<=`, `=`, `>=`, `>` | the call's duration in whole seconds (Twilio's `duration`: answer to hang-up) |
//!
//! The checks run after the runner has hung up and the call's final status has come, so they
//! belong in `#end`.

use std::fmt;

/// The asserter's name.
pub const CHECKTWILIOCALL: &str = "CHECKTWILIOCALL";

/// Twilio's final call statuses.
const FINAL_STATUSES: &[&str] = &["completed", "busy", "no-answer", "failed", "canceled"];

/// Who ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndedBy {
    /// The IVR hung up (or the call ended otherwise) before the script was done.
    Ivr,
    /// The runner hung up because the script ended.
    Caller,
}

impl fmt::Display for EndedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EndedBy::Ivr => "ivr",
            EndedBy::Caller => "caller",
        })
    }
}

/// How a duration is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `<`
    Less,
    /// `<=`
    AtMost,
    /// `=`
    Equal,
    /// `>=`
    AtLeast,
    /// `>`
    More,
}

impl Comparison {
    fn holds(self, actual: u64, bound: u64) -> bool {
        match self {
            Comparison::Less => actual < bound,
            Comparison::AtMost => actual <= bound,
            Comparison::Equal => actual == bound,
            Comparison::AtLeast => actual >= bound,
            Comparison::More => actual > bound,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Comparison::Less => "<",
            Comparison::AtMost => "<=",
            Comparison::Equal => "=",
            Comparison::AtLeast => ">=",
            Comparison::More => ">",
        }
    }
}

/// One check of `CHECKTWILIOCALL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallCheck {
    /// `status=S`.
    Status(String),
    /// `endedBy=ivr|caller`.
    EndedBy(EndedBy),
    /// `duration<op>N` (seconds).
    Duration(Comparison, u64),
}

/// What the runner observed of a call that has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedCall {
    /// The final `CallStatus`.
    pub status: String,
    /// Who hung up.
    pub ended_by: EndedBy,
    /// Twilio's `duration`, in seconds.
    pub duration_secs: u64,
}

impl CallCheck {
    /// Parses the asserter's arguments; the error names the argument and what is expected.
    pub fn parse_all(args: &[String]) -> Result<Vec<CallCheck>, String> {
        if args.is_empty() {
            return Err(format!(
                "{CHECKTWILIOCALL} needs at least one check, such as status=completed, endedBy=ivr or duration<=120"
            ));
        }
        args.iter()
            .map(|arg| CallCheck::parse(arg.trim()))
            .collect()
    }

    fn parse(arg: &str) -> Result<CallCheck, String> {
        if let Some(rest) = arg.strip_prefix("duration") {
            let (comparison, number) = [
                ("<=", Comparison::AtMost),
                (">=", Comparison::AtLeast),
                ("<", Comparison::Less),
                (">", Comparison::More),
                ("=", Comparison::Equal),
            ]
            .iter()
            .find_map(|(symbol, c)| rest.trim_start().strip_prefix(symbol).map(|n| (*c, n)))
            .ok_or_else(|| {
                format!("\"{arg}\": duration needs a comparison: <, <=, =, >= or >, then seconds")
            })?;
            let number = number.trim().trim_end_matches('s').trim();
            let seconds = number.parse::<u64>().map_err(|_| {
                format!("\"{arg}\": duration is compared with whole seconds, not \"{number}\"")
            })?;
            return Ok(CallCheck::Duration(comparison, seconds));
        }
        let (key, value) = arg.split_once('=').ok_or_else(|| {
            format!("\"{arg}\" is not a check: write status=S, endedBy=ivr|caller or duration<=N")
        })?;
        let value = value.trim();
        match key.trim() {
            "status" if FINAL_STATUSES.contains(&value) => Ok(CallCheck::Status(value.into())),
            "status" => Err(format!(
                "\"{arg}\": a final call status is one of {}",
                FINAL_STATUSES.join(", ")
            )),
            "endedBy" => match value {
                "ivr" => Ok(CallCheck::EndedBy(EndedBy::Ivr)),
                "caller" => Ok(CallCheck::EndedBy(EndedBy::Caller)),
                _ => Err(format!("\"{arg}\": endedBy is ivr or caller")),
            },
            other => Err(format!(
                "\"{arg}\": unknown check \"{other}\" (status, endedBy and duration are known)"
            )),
        }
    }

    /// Whether the check holds for `call`; the error says what was observed.
    pub fn check(&self, call: &ObservedCall) -> Result<(), String> {
        match self {
            CallCheck::Status(want) if *want == call.status => Ok(()),
            CallCheck::Status(want) => Err(format!(
                "expected the call to end {want}, it ended {}",
                call.status
            )),
            CallCheck::EndedBy(who) if *who == call.ended_by => Ok(()),
            CallCheck::EndedBy(who) => Err(format!(
                "expected the call to be ended by the {who}, it was ended by the {}",
                call.ended_by
            )),
            CallCheck::Duration(comparison, bound)
                if comparison.holds(call.duration_secs, *bound) =>
            {
                Ok(())
            }
            CallCheck::Duration(comparison, bound) => Err(format!(
                "expected a call duration {} {bound} s, it lasted {} s",
                comparison.symbol(),
                call.duration_secs
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Vec<CallCheck>, String> {
        CallCheck::parse_all(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    fn observed() -> ObservedCall {
        ObservedCall {
            status: "completed".into(),
            ended_by: EndedBy::Ivr,
            duration_secs: 42,
        }
    }

    #[test]
    fn checks_parse() {
        assert_eq!(
            parse(&[
                "status=completed",
                "endedBy=caller",
                "duration <= 120s",
                "duration>5"
            ]),
            Ok(vec![
                CallCheck::Status("completed".into()),
                CallCheck::EndedBy(EndedBy::Caller),
                CallCheck::Duration(Comparison::AtMost, 120),
                CallCheck::Duration(Comparison::More, 5),
            ])
        );
    }

    #[test]
    fn bad_checks_say_what_is_expected() {
        let error = |args: &[&str]| parse(args).expect_err("refused");
        assert!(error(&[]).contains("needs at least one check"));
        assert!(error(&["status=done"]).contains("one of completed, busy"));
        assert!(error(&["endedBy=agent"]).contains("ivr or caller"));
        assert!(error(&["duration~5"]).contains("needs a comparison"));
        assert!(error(&["duration<=two"]).contains("whole seconds"));
        assert!(error(&["transferred"]).contains("is not a check"));
        assert!(error(&["color=red"]).contains("unknown check \"color\""));
    }

    #[test]
    fn checks_hold_or_say_what_was_observed() {
        let call = observed();
        let checks = parse(&[
            "status=completed",
            "endedBy=ivr",
            "duration>=42",
            "duration<43",
        ])
        .expect("valid");
        assert!(checks.iter().all(|c| c.check(&call).is_ok()));
        let failing = parse(&["endedBy=caller", "duration<30", "status=busy"]).expect("valid");
        let messages: Vec<String> = failing
            .iter()
            .filter_map(|c| c.check(&call).err())
            .collect();
        assert_eq!(
            messages,
            [
                "expected the call to be ended by the caller, it was ended by the ivr",
                "expected a call duration < 30 s, it lasted 42 s",
                "expected the call to end busy, it ended completed",
            ]
        );
    }
}
