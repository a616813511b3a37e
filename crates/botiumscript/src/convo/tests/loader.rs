//! §3.6 / §3.7 and the checks of a whole suite: partials, utterances, expansion, memory
//! tables and diagnostics, through the loader.

use super::*;
use crate::caps::ScriptingCaps;
use crate::convo::diagnostics::Diagnostic;
use crate::convo::discovery::{ScriptFile, ScriptKind};
use crate::convo::{load_sources, Suite};

pub(super) fn suite(files: &[(&str, &str)]) -> Suite {
    suite_with(files, &ScriptingCaps::default())
}

fn suite_with(files: &[(&str, &str)], caps: &ScriptingCaps) -> Suite {
    let sources = files
        .iter()
        .map(|(name, text)| {
            let source = SourceFile::from_text(*name, text);
            let file = ScriptFile {
                path: source.path.clone(),
                kind: ScriptKind::of(name).expect("script suffix"),
                fallback_name: name.to_string(),
            };
            (file, source)
        })
        .collect();
    load_sources(sources, &Registry::default(), caps)
}

/// Every diagnostic of `s`, as `file:line:col: message`.
fn messages(s: &Suite) -> Vec<String> {
    s.diagnostics.iter().map(ToString::to_string).collect()
}

/// The errors of `s` (warnings left out), as `file:line:col: message`.
fn error_messages(s: &Suite) -> Vec<String> {
    let errors = s.diagnostics.iter().filter(|d| d.is_error());
    errors.map(ToString::to_string).collect()
}

/// Where the errors of `s` stand, as `file:line:col`.
fn error_positions(s: &Suite) -> Vec<String> {
    let errors = s.diagnostics.iter().filter(|d| d.is_error());
    errors.map(Diagnostic::position).collect()
}

fn step_texts(c: &Convo) -> Vec<String> {
    c.steps
        .iter()
        .filter(|s| matches!(s.sender, Sender::Me | Sender::Bot))
        .map(|s| format!("{} {}", s.sender, s.text.clone().unwrap_or_default()))
        .collect()
}

const LOGIN: &str = "Login\n\n#begin\n\n#bot\nPassword please!\n\n#me\n123456\n\n#end\n";
const LOGOUT: &str = "Logout\n\n#me\nLogout please!\n\n#bot\nAre you sure?\n\n#me\nYes\n";

#[test]
fn partial_convos_depth1() {
    let main = "Main\n\n#begin\n\n#me\nLogin please\n\nINCLUDE Login\n\n#bot\nYou are logged in!\n\n#me\nINCLUDE Logout\n\n#bot\nYou are logged out!\n\n#end\n";
    let s = suite(&[
        ("main.convo.txt", main),
        ("login.pconvo.txt", LOGIN),
        ("logout.pconvo.txt", LOGOUT),
    ]);
    assert!(!s.has_errors(), "{:?}", s.diagnostics);
    let t = &s.test_cases[0];
    assert_eq!(
        step_texts(t),
        [
            "me Login please",
            "bot Password please!",
            "me 123456",
            "bot You are logged in!",
            "me Logout please!",
            "bot Are you sure?",
            "me Yes",
            "bot You are logged out!"
        ]
    );
    let tags: Vec<&str> = t.steps.iter().map(|s| s.step_tag.as_str()).collect();
    assert!(tags.contains(&"Login/Line 5"), "{tags:?}");
    // The main convo keeps its own #begin/#end; the partial's are dropped.
    assert_eq!(t.steps.first().unwrap().sender, Sender::Begin);
    assert_eq!(t.steps.last().unwrap().sender, Sender::End);
    assert_eq!(
        t.steps.iter().filter(|s| s.sender == Sender::Begin).count(),
        1
    );
}

#[test]
fn include_sections_name_partials_on_header_and_lines() {
    let sub = "sub\n\n#bot\nin sub!\n";
    let main = "main\n\n#include sub\nsub\nsub\n\n#me\nbye\n";
    let s = suite(&[("main.convo.txt", main), ("sub.pconvo.txt", sub)]);
    let texts = step_texts(&s.test_cases[0]);
    assert_eq!(
        texts,
        ["bot in sub!", "bot in sub!", "bot in sub!", "me bye"]
    );
}

#[test]
fn include_errors_have_botiums_texts() {
    let circular = suite(&[
        ("main.convo.txt", "main\n\n#include first\n"),
        ("first.pconvo.txt", "first\n\n#include second\n"),
        ("second.pconvo.txt", "second\n\n#include first\n"),
    ]);
    let msgs: Vec<String> = circular
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert!(
        msgs.iter().any(|m| m.contains(r#"Partial convos are included circular. "first" is referenced by "/" and by "/first/second""#)),
        "{msgs:?}"
    );
    assert!(circular.test_cases.is_empty());

    let none = suite(&[("main.convo.txt", "main\n#begin\nINCLUDE notexists\n")]);
    assert!(none.diagnostics[0]
        .message
        .contains("Cant find partial convo with name notexists (There are no partial convos)"));
    assert_eq!(none.diagnostics[0].line, 3);

    let wrong = suite(&[
        ("main.convo.txt", "main\n#begin\nINCLUDE wrongref\n"),
        ("exists.pconvo.txt", "exists\n#me\nhi\n"),
    ]);
    assert!(wrong.diagnostics[0]
        .message
        .contains("Cant find partial convo with name wrongref (available partial convos: exists)"));

    let dup = suite(&[
        ("a.pconvo.txt", "pconvo\n#me\nhi\n"),
        ("b.pconvo.txt", "pconvo\n#me\nho\n"),
    ]);
    assert_eq!(
        dup.diagnostics[0].message,
        "Duplicate partial convo: pconvo"
    );

    let arg = suite(&[
        ("main.convo.txt", "main\n#me\nhi\nINCLUDE a|b\n"),
        ("a.pconvo.txt", "a\n#me\nx\n"),
    ]);
    assert!(arg.diagnostics[0]
        .message
        .contains("Wrong argument for include logic hook!"));

    let noname = suite(&[("noname.pconvo.txt", "\n#me\nhi\n")]);
    assert!(noname.diagnostics[0]
        .message
        .starts_with("Header name is mandatory"));
    let pipe = suite(&[("p.pconvo.txt", "a|b\n#me\nhi\n")]);
    assert_eq!(
        pipe.diagnostics[0].message,
        "Invalid partial convo name: a|b"
    );
}

#[test]
fn utterances_expand_me_steps_and_name_test_cases() {
    let s = suite(&[
        (
            "uttexp.convo.txt",
            "uttexp\n\n#me\nUTT_ME\n\n#bot\nUTT_BOT\n",
        ),
        ("me.utterances.txt", "UTT_ME\nhi\nhello\n"),
        ("bot.utterances.txt", "UTT_BOT\nbye\nsee you\n"),
    ]);
    let names: Vec<&str> = s.test_cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["uttexp/UTT_ME-L1", "uttexp/UTT_ME-L2"]);
    assert_eq!(text(&s.test_cases[1].steps[0]), Some("hello"));
    // #bot references stay for the runner to resolve as alternatives.
    assert_eq!(text(&s.test_cases[1].steps[1]), Some("UTT_BOT"));
}

#[test]
fn utterance_arguments_and_zero_padding() {
    let samples: String = (1..=10).map(|i| format!("s{i} %s\n")).collect();
    let s = suite(&[
        ("u.convo.txt", "u\n#me\nUTT_HELLO bot\n"),
        ("u.utterances.txt", &format!("UTT_HELLO\n{samples}")),
    ]);
    assert_eq!(s.test_cases.len(), 10);
    assert_eq!(s.test_cases[0].name, "u/UTT_HELLO-L01");
    assert_eq!(text(&s.test_cases[0].steps[0]), Some("s1 bot"));
}

#[test]
fn expansion_modes_first_random_and_single_samples() {
    let files = [
        ("u.convo.txt", "u\n#me\nA\n#me\nB\n"),
        ("a.utterances.txt", "A\na1\na2\n"),
        ("b.utterances.txt", "B\nb1\nb2\nb3\n"),
        ("c.convo.txt", "c\n#me\nC\n"),
        ("c.utterances.txt", "C\nonly\n"),
    ];
    let all = suite(&files);
    // 2 x 3 cartesian product, plus c unrenamed (single sample).
    assert_eq!(all.test_cases.len(), 7);
    assert!(all.test_cases.iter().any(|c| c.name == "u/A-L2/B-L3"));
    assert!(all.test_cases.iter().any(|c| c.name == "c"));

    let first = suite_with(
        &files,
        &ScriptingCaps {
            utt_expansion_mode: crate::caps::UttExpansionMode::First,
            ..ScriptingCaps::default()
        },
    );
    assert_eq!(first.test_cases.len(), 2);

    let random_caps = ScriptingCaps {
        utt_expansion_mode: crate::caps::UttExpansionMode::Random,
        utt_expansion_random_count: 2,
        ..ScriptingCaps::default()
    };
    let random = suite_with(&files, &random_caps);
    let again = suite_with(&files, &random_caps);
    assert_eq!(random.test_cases.len(), 5);
    let names = |s: &Suite| {
        s.test_cases
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&random),
        names(&again),
        "random picks are reproducible"
    );
}

#[test]
fn convos_sort_by_name_and_skip_names_are_dropped() {
    let s = suite(&[
        ("1.convo.txt", "passing convo\n#me\nhi"),
        ("2.convo.txt", "failing convo\n#me\nhi"),
        ("3.convo.txt", "skip_this one\n#me\nhi"),
        ("4.convo.txt", "SKIP-that one\n#me\nhi"),
    ]);
    let names: Vec<&str> = s.convos.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["failing convo", "passing convo"]);
    assert_eq!(s.skipped_convos.len(), 2);
}

#[test]
fn all_errors_of_all_files_are_reported() {
    let s = suite(&[
        (
            "a.convo.txt",
            "a\n#me\nPAUSE 100\nHi!\n#bot\n?x\nBUTTONS y\n",
        ),
        ("b.convo.txt", "b\n#me\nBUTTON 12x\n"),
        ("c.convo.txt", "c\n#me\nhello\n"),
    ]);
    let errors = error_positions(&s);
    assert_eq!(
        errors,
        ["a.convo.txt:4:1", "a.convo.txt:5:1", "b.convo.txt:3:1"]
    );
    // Files and test cases that parsed are still listed.
    let names: Vec<&str> = s.convos.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["b", "c"]);
}

#[test]
fn features_that_cannot_apply_to_a_call_are_errors_at_their_line() {
    let s = suite(&[(
        "i.convo.txt",
        "i\n#me\nhi\n#bot\nINTENT greeting\nJSON_PATH $.x\n",
    )]);
    let msgs = messages(&s);
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].starts_with("i.convo.txt:5:1: asserter INTENT cannot apply to a phone call"));
    assert!(msgs[1].starts_with("i.convo.txt:6:1: asserter JSON_PATH"));
    assert_eq!(s.convos.len(), 1, "the convo still parsed");
}

#[test]
fn memory_tables_load_through_the_suite() {
    let s = suite(&[(
        "m.scriptingmemory.txt",
        "        |$productName\nproduct1|Wiener Schnitzel\n",
    )]);
    assert_eq!(s.memory_cases.len(), 1);
    assert!(ScriptKind::of("m.scriptingmemory.txt").is_some());
}

#[test]
fn utterance_explosion_is_bounded_with_a_located_error() {
    // Found by the fuzzer: 12 samples in 5 #me steps would be 248,832 test cases.
    let samples: String = (0..12).map(|i| format!("s{i}\n")).collect();
    let main = "main\n#me\nUTT\n#me\nUTT\n#me\nUTT\n#me\nUTT\n#me\nUTT\n";
    let files = [
        ("main.convo.txt", main),
        ("u.utterances.txt", &format!("UTT\n{samples}")),
    ];
    let s = suite(&files);
    assert!(s.test_cases.is_empty());
    let d = &s.diagnostics[0];
    assert_eq!((d.line, d.is_error()), (2, true));
    assert!(d.message.contains("248832 test cases"), "{}", d.message);
    let first = suite_with(
        &files,
        &ScriptingCaps {
            utt_expansion_mode: crate::caps::UttExpansionMode::First,
            ..ScriptingCaps::default()
        },
    );
    assert_eq!(first.test_cases.len(), 1);
}

#[test]
fn unusable_expected_texts_are_errors_at_their_line() {
    let regexp = ScriptingCaps {
        matching_mode: "regexp".into(),
        ..ScriptingCaps::default()
    };
    let files = [
        ("r.convo.txt", "r\n#me\nhi\n#bot\nbalance is \\$\\d+\n#bot\nbalance is (\n#bot\nTEXT_REGEXP_ANY ok|[\n"),
        ("w.convo.txt", "w\n#bot\nUTT_WILD\n"),
        ("w.utterances.txt", &format!("UTT_WILD\nfine\n{}\n", "*".repeat(11))),
    ];
    let s = suite_with(&files, &regexp);
    let errors = error_positions(&s);
    // In regexp mode eleven `*` are an invalid pattern too.
    assert_eq!(
        errors,
        ["r.convo.txt:6:1", "r.convo.txt:9:1", "w.convo.txt:2:1"],
        "{:?}",
        s.diagnostics
    );
    // The same files in the default wildcard mode: the regexp texts are fine, 11 wildcards are not.
    let s = suite(&files);
    let errors = error_messages(&s);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("r.convo.txt:9:1: TEXT_REGEXP_ANY"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("w.convo.txt:2:1")
            && errors[1].contains("Maximum number of 10 wildcards"),
        "{errors:?}"
    );
}

#[test]
fn conditional_steps_are_checked_where_they_stand() {
    let s = suite(&[(
        "m.convo.txt",
        "m\n#me\nhello\nCONDITIONAL_STEP_TIME_BASED {\"start\":\"8:00\",\"end\":\"16:30\"}\n#bot\nopen\nCONDITIONAL_STEP_TIME_BASED {\"start\":\"8:00\",\"end\":\"16:30\"}|G1\n#bot\nclosed\nCONDITIONAL_STEP_BUSINESS_HOURS {\"days\":[\"monday\"]}|G1\n",
    )]);
    let msgs = messages(&s);
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(
        msgs[0].starts_with("m.convo.txt:4:1: CONDITIONAL_STEP_TIME_BASED works only in #bot"),
        "{msgs:?}"
    );
    assert!(
        msgs[1].starts_with("m.convo.txt:10:1: CONDITIONAL_STEP_BUSINESS_HOURS: "),
        "{msgs:?}"
    );
    assert!(msgs[1].contains("monday"), "{msgs:?}");
}

#[test]
fn memory_tables_expand_test_cases_only_with_memory_enabled() {
    let files = [
        (
            "order.convo.txt",
            "order\n\n#me\nI want $product\n\n#bot\nOK\n",
        ),
        ("other.convo.txt", "other\n\n#me\nhello\n"),
        (
            "p.scriptingmemory.txt",
            "     |$product\nfood |Schnitzel\ndrink|Tea\n",
        ),
    ];
    let names = |s: &Suite| {
        s.test_cases
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    };
    let off = suite(&files);
    assert_eq!(names(&off), ["order", "other"]);
    assert!(off
        .diagnostics
        .iter()
        .any(|d| !d.is_error() && d.message.contains("SCRIPTING_ENABLE_MEMORY")));
    let caps = ScriptingCaps {
        enable_memory: true,
        ..ScriptingCaps::default()
    };
    let on = suite_with(&files, &caps);
    assert!(!on.has_errors());
    assert_eq!(names(&on), ["order.drink", "order.food", "other"]);
}
