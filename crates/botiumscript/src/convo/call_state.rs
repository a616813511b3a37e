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
//! | `transferred=yes` / `no` | whether the IVR transferred the call (a `<Dial>` placed a call) |
//! | `transferredTo=X` | it transferred the call to X (a number, `client:name` or a SIP address) |
//! | `transferAnswered=yes` / `no` | the transfer was (not) answered |
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
    /// `transferred=yes|no`.
    Transferred(bool),
    /// `transferredTo=X`.
    TransferredTo(String),
    /// `transferAnswered=yes|no`.
    TransferAnswered(bool),
}

/// A call the IVR placed to transfer the caller (a `<Dial>`'s leg).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Where it went (`+1555…`, `client:name`, `sip:…`).
    pub to: String,
    /// Whether the dialed party answered.
    pub answered: bool,
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
    /// The IVR's transfers, or why they cannot be observed.
    pub transfers: Result<Vec<Transfer>, String>,
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
            "transferred" => yes_or_no(arg, value).map(CallCheck::Transferred),
            "transferAnswered" => yes_or_no(arg, value).map(CallCheck::TransferAnswered),
            "transferredTo" if !value.is_empty() => Ok(CallCheck::TransferredTo(value.into())),
            "transferredTo" => Err(format!("\"{arg}\": transferredTo needs a number, client:name or SIP address")),
            other => Err(format!(
                "\"{arg}\": unknown check \"{other}\" (status, endedBy, duration, transferred, transferredTo and transferAnswered are known)"
            )),
        }
    }

    /// Whether the check asks about transfers (which take more look-ups to observe).
    pub fn needs_transfers(&self) -> bool {
        matches!(
            self,
            CallCheck::Transferred(_)
                | CallCheck::TransferredTo(_)
                | CallCheck::TransferAnswered(_)
        )
    }

    /// Whether the check holds for `call`; the error says what was observed.
    pub fn check(&self, call: &ObservedCall) -> Result<(), String> {
        if self.needs_transfers() {
            return match &call.transfers {
                Ok(transfers) => self.check_transfers(transfers),
                Err(why) => Err(format!("transfers cannot be observed: {why}")),
            };
        }
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
            _ => Ok(()),
        }
    }

    fn check_transfers(&self, transfers: &[Transfer]) -> Result<(), String> {
        let seen = || match transfers {
            [] => "it was not transferred".to_string(),
            _ => format!(
                "it was transferred to {}",
                transfers
                    .iter()
                    .map(|t| format!(
                        "{} ({})",
                        t.to,
                        if t.answered {
                            "answered"
                        } else {
                            "not answered"
                        }
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let holds = match self {
            CallCheck::Transferred(want) => transfers.is_empty() != *want,
            CallCheck::TransferredTo(to) => transfers.iter().any(|t| same_party(&t.to, to)),
            CallCheck::TransferAnswered(want) => {
                !transfers.is_empty() && transfers.iter().any(|t| t.answered) == *want
            }
            _ => true,
        };
        if holds {
            return Ok(());
        }
        let wanted = match self {
            CallCheck::Transferred(true) => "the call to be transferred".to_string(),
            CallCheck::Transferred(false) => "the call not to be transferred".to_string(),
            CallCheck::TransferredTo(to) => format!("the call to be transferred to {to}"),
            CallCheck::TransferAnswered(true) => "the transfer to be answered".to_string(),
            _ => "a transfer nobody answered".to_string(),
        };
        Err(format!("expected {wanted}, {}", seen()))
    }
}

/// `yes`/`no` (also `true`/`false`).
fn yes_or_no(arg: &str, value: &str) -> Result<bool, String> {
    match value {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(format!("\"{arg}\": yes or no")),
    }
}

/// Whether a dialed `to` is the party a convo names: the same number (spaces aside), or a client
/// named without its `client:` prefix.
fn same_party(to: &str, named: &str) -> bool {
    let plain = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let (to, named) = (plain(to), plain(named));
    to == named || to.strip_prefix("client:") == Some(named.as_str())
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
            transfers: Ok(vec![Transfer {
                to: "+15551230009".into(),
                answered: false,
            }]),
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
        assert!(error(&["transferred=maybe"]).contains("yes or no"));
        assert!(error(&["transferredTo="]).contains("needs a number"));
    }

    #[test]
    fn transfers_are_checked_or_said_to_be_unobservable() {
        let call = observed();
        let holds = parse(&[
            "transferred=yes",
            "transferredTo=+1 555 123 0009",
            "transferAnswered=no",
        ])
        .expect("valid");
        assert!(holds.iter().all(|c| c.check(&call).is_ok()));
        let fails = |arg: &str, call: &ObservedCall| {
            parse(&[arg]).expect("valid")[0]
                .check(call)
                .expect_err("fails")
        };
        assert_eq!(
            fails("transferredTo=client:alice", &call),
            "expected the call to be transferred to client:alice, it was transferred to +15551230009 (not answered)"
        );
        let direct = ObservedCall {
            transfers: Ok(vec![]),
            ..observed()
        };
        assert_eq!(
            fails("transferAnswered=no", &direct),
            "expected a transfer nobody answered, it was not transferred"
        );
        assert!(parse(&["transferred=no"]).expect("valid")[0]
            .check(&direct)
            .is_ok());
        let unknown = ObservedCall {
            transfers: Err("the IVR's call is on another account".into()),
            ..observed()
        };
        assert_eq!(
            fails("transferred=no", &unknown),
            "transfers cannot be observed: the IVR's call is on another account"
        );
        let client = ObservedCall {
            transfers: Ok(vec![Transfer {
                to: "client:alice".into(),
                answered: true,
            }]),
            ..observed()
        };
        assert!(parse(&["transferredTo=alice"]).expect("valid")[0]
            .check(&client)
            .is_ok());
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
