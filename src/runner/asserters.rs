//! The asserters a step engine runs without the network: Botium's text asserters and the queue
//! asserters (`BOT_CONSUMED`, `BOT_UNCONSUMED_COUNT`), with `!` negation.

use botiumscript::convo::{AsserterCall, UtteranceBook};
use botiumscript::matching::{
    check_text_asserter, check_wer_asserter, NormalizeOptions, TextAsserterSpec,
};

/// What the asserters look at.
pub struct AssertContext<'a> {
    /// The text of the message the step took (`None` in `#begin`/`#end`).
    pub heard: Option<&'a str>,
    /// Messages heard and not yet taken by a `#bot` step.
    pub unread: usize,
    /// Utterance lists (asserter arguments may name one).
    pub utterances: &'a UtteranceBook,
    /// Botium's normalisation.
    pub normalize: &'a NormalizeOptions,
}

/// Runs one asserter; `None` when it is not one of these (the caller handles it).
pub fn check(asserter: &AsserterCall, context: &AssertContext<'_>) -> Option<Result<(), String>> {
    // Arguments may name utterance lists: each then stands for its samples.
    let args: Vec<String> = asserter
        .args
        .iter()
        .flat_map(|arg| match context.utterances.resolve(arg) {
            Some((u, _)) => u.samples.clone(),
            None => vec![arg.clone()],
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if let Some(spec) = TextAsserterSpec::from_name(&asserter.name) {
        return Some(check_text_asserter(
            &spec.negated(asserter.not),
            context.heard,
            &args,
            context.normalize,
        ));
    }
    let plain = match asserter.name.as_str() {
        "TEXT_WER" => {
            return Some(check_wer_asserter(
                context.heard,
                &args,
                asserter.not,
                context.normalize,
            ))
        }
        "BOT_CONSUMED" => match context.unread {
            0 => Ok(()),
            1 => Err("There is an unread bot reply in queue".to_string()),
            n => Err(format!("There are still {n} unread bot replies in queue")),
        },
        "BOT_UNCONSUMED_COUNT" => {
            count(args.first().copied(), context.unread, "unread bot replies")
        }
        "RESPONSE_LENGTH" => response_length(args.first().copied(), context.heard),
        _ => return None,
    };
    Some(match (plain, asserter.not) {
        (result, false) => result,
        (Ok(()), true) => Err(format!(
            "Expected asserter {} with args \"{}\" to fail",
            asserter.name,
            asserter.args.join(",")
        )),
        (Err(_), true) => Ok(()),
    })
}

/// `RESPONSE_LENGTH maxLen[|maxCount]`: the message is at most `maxLen` characters (counted
/// as JavaScript does, in UTF-16 units). A call's message is one text, so `maxCount` always holds.
fn response_length(max: Option<&str>, heard: Option<&str>) -> Result<(), String> {
    let (Some(max), Some(text)) = (max.map(str::trim).filter(|m| !m.is_empty()), heard) else {
        return Ok(());
    };
    let Ok(max) = max.parse::<usize>() else {
        return Err(format!(
            "invalid maximum length \"{max}\": expected a whole number"
        ));
    };
    let length = text.encode_utf16().count();
    if length > max {
        return Err(format!(
            "Expected maximum response length {max} characters, found {length}"
        ));
    }
    Ok(())
}

/// Botium's count arguments: `2`, `=2`, `==2`, `>2`, `>=2`, `<3`, `<=3`; none means `>0`.
fn count(arg: Option<&str>, actual: usize, what: &str) -> Result<(), String> {
    let spec = arg.map(str::trim).filter(|a| !a.is_empty()).unwrap_or(">0");
    let (op, number) = ["==", ">=", "<=", "=", ">", "<"]
        .iter()
        .find_map(|op| spec.strip_prefix(op).map(|n| (*op, n)))
        .unwrap_or(("==", spec));
    let Ok(expected) = number.trim().parse::<usize>() else {
        return Err(format!(
            "invalid count \"{spec}\": expected a number, optionally after = > >= < <="
        ));
    };
    let holds = match op {
        ">" => actual > expected,
        ">=" => actual >= expected,
        "<" => actual < expected,
        "<=" => actual <= expected,
        _ => actual == expected,
    };
    if holds {
        Ok(())
    } else {
        Err(format!("Expected {what} count {spec}, got {actual}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asserter(name: &str, args: &[&str], not: bool) -> AsserterCall {
        AsserterCall {
            name: name.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            not,
            optional: false,
            line: 1,
        }
    }

    fn run(a: &AsserterCall, heard: Option<&str>, unread: usize) -> Option<Result<(), String>> {
        let book = UtteranceBook::default();
        let normalize = NormalizeOptions::default();
        check(
            a,
            &AssertContext {
                heard,
                unread,
                utterances: &book,
                normalize: &normalize,
            },
        )
    }

    #[test]
    fn text_asserters_with_negation() {
        let a = asserter("TEXT_CONTAINS_ANY_IC", &["hello", "press"], false);
        assert_eq!(run(&a, Some("Please PRESS 1"), 0), Some(Ok(())));
        assert!(run(&a, Some("Goodbye"), 0).unwrap().is_err());
        let not = asserter("TEXT_CONTAINS_ANY_IC", &["sorry"], true);
        assert_eq!(run(&not, Some("Welcome"), 0), Some(Ok(())));
        assert!(run(&not, Some("Sorry"), 0).unwrap().is_err());
    }

    #[test]
    fn queue_asserters() {
        assert_eq!(
            run(&asserter("BOT_CONSUMED", &[], false), None, 0),
            Some(Ok(()))
        );
        assert_eq!(
            run(&asserter("BOT_CONSUMED", &[], false), None, 1),
            Some(Err("There is an unread bot reply in queue".into()))
        );
        assert_eq!(
            run(&asserter("BOT_CONSUMED", &[], false), None, 3),
            Some(Err("There are still 3 unread bot replies in queue".into()))
        );
        for (arg, unread, ok) in [
            ("=2", 2, true),
            ("2", 3, false),
            (">=2", 3, true),
            ("<3", 3, false),
            ("", 1, true),
            ("", 0, false),
        ] {
            let result = run(
                &asserter("BOT_UNCONSUMED_COUNT", &[arg], false),
                None,
                unread,
            )
            .unwrap();
            assert_eq!(result.is_ok(), ok, "{arg} with {unread}: {result:?}");
        }
        let negated = run(&asserter("BOT_CONSUMED", &[], true), None, 0).unwrap();
        assert_eq!(
            negated,
            Err("Expected asserter BOT_CONSUMED with args \"\" to fail".into())
        );
    }

    #[test]
    fn other_names_are_left_to_the_caller() {
        assert_eq!(
            run(&asserter("CHECKTWILIOSMS", &["x"], false), None, 0),
            None
        );
    }

    #[test]
    fn response_length_counts_like_javascript() {
        let a = asserter("RESPONSE_LENGTH", &["12"], false);
        assert_eq!(run(&a, Some("Hello there."), 0), Some(Ok(())));
        assert_eq!(
            run(&a, Some("Hello there, caller."), 0),
            Some(Err(
                "Expected maximum response length 12 characters, found 20".into()
            ))
        );
        // One emoji is two UTF-16 units in JavaScript.
        let a = asserter("RESPONSE_LENGTH", &["1"], false);
        assert!(matches!(run(&a, Some("\u{1F600}"), 0), Some(Err(_))));
        assert_eq!(
            run(&asserter("RESPONSE_LENGTH", &[], false), Some("x"), 0),
            Some(Ok(()))
        );
        assert_eq!(
            run(
                &asserter("RESPONSE_LENGTH", &["5"], true),
                Some("Hello there."),
                0
            ),
            Some(Ok(())),
            "negated: too long is what was expected"
        );
    }
}
