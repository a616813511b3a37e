//! Parser tests: every rule and every row of the reference's tables (botiumscript.md §2.5, §3.1,
//! §3.3, §3.6), each written as the input file and the step Botium produces for it.

use serde_json::json;

use super::ast::{Convo, ConvoStep, Sender};
use super::convo_file::{parse_convo, ParsedConvo};
use super::registry::Registry;
use super::source::SourceFile;
use crate::caps::{Extension, ExtensionKind};

fn parse(text: &str) -> ParsedConvo {
    parse_with(text, &Registry::default())
}

fn parse_with(text: &str, registry: &Registry) -> ParsedConvo {
    parse_convo(
        &SourceFile::from_text("t.convo.txt", text),
        "t.convo.txt",
        registry,
        None,
    )
}

fn convo(text: &str) -> Convo {
    let parsed = parse(text);
    parsed
        .convo
        .unwrap_or_else(|| panic!("parse failed: {:?}", parsed.diagnostics))
}

fn steps(text: &str) -> Vec<ConvoStep> {
    convo(text).steps
}

fn only_step(text: &str) -> ConvoStep {
    let mut s = steps(text);
    assert_eq!(s.len(), 1, "{s:?}");
    s.remove(0)
}

fn text(step: &ConvoStep) -> Option<&str> {
    step.text.as_deref()
}

fn error_of(text: &str) -> String {
    let parsed = parse(text);
    assert!(parsed.convo.is_none(), "expected a parse error");
    parsed
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .map(ToString::to_string)
        .unwrap_or_default()
}

// §2.5: tag lines.

#[test]
fn trailing_spaces_after_a_header_are_no_channel() {
    let s = only_step("x\n#me   \nhi");
    assert_eq!((s.sender, s.channel.as_deref()), (Sender::Me, None));
}

#[test]
fn near_headers_are_text_or_description() {
    let c = convo("name\n#BOT\n# bot\n#     me\n #me\n#meow\n#me\tx\n#me\nhi");
    assert_eq!(
        c.description.as_deref(),
        Some("#BOT\n# bot\n#     me\n #me\n#meow\n#me\tx")
    );
    assert_eq!(c.steps.len(), 1);
    let s = only_step("x\n#bot\n#BOT\n# bot");
    assert_eq!(text(&s), Some("#BOT\n# bot"));
}

#[test]
fn channels() {
    assert_eq!(
        only_step("x\n#bot default\nhi").channel.as_deref(),
        Some("default")
    );
    assert_eq!(
        only_step("x\n#me hello channel").channel.as_deref(),
        Some("hello channel")
    );
}

#[test]
fn hashes_in_text() {
    // convos_with_hashmark.convo.txt
    let s = steps("convos + #\n\n#me\n# one hash\n\n#bot\n## two hashes\n");
    assert_eq!(text(&s[0]), Some("# one hash"));
    assert_eq!(text(&s[1]), Some("## two hashes"));
    assert_eq!(
        text(&only_step("x\n#bot\n##API_SUCCESS##")),
        Some("##API_SUCCESS##")
    );
}

// §2.5: prefixes.

#[test]
fn optional_and_not_prefixes_on_text() {
    let cases = [
        ("?maybe", "maybe", true, false),
        ("??x", "?x", false, false),
        ("!x", "x", false, true),
        ("!!literal bang", "!literal bang", false, false),
        ("!!!!test", "!!!test", false, false),
        ("?!X", "X", true, true),
        ("??!test 2", "?!test 2", false, false),
        ("????test 2", "???test 2", false, false),
    ];
    for (line, expected, optional, not) in cases {
        let s = only_step(&format!("x\n#bot\n{line}"));
        assert_eq!(
            (text(&s), s.optional, s.not),
            (Some(expected), optional, not),
            "{line}"
        );
    }
}

#[test]
fn only_the_first_text_line_prefix_counts() {
    // convos_with_exclamation_secline / convos_with_question_secline
    let s = only_step("x\n#bot\n!test 2\n!test 2");
    assert_eq!((text(&s), s.not), (Some("test 2\n!test 2"), true));
    let s = only_step("x\n#bot\n?test 2\n?test 2");
    assert_eq!((text(&s), s.optional), (Some("test 2\n?test 2"), true));
}

// §2.5: names, hooks, asserters, user inputs.

#[test]
fn a_tab_or_a_leading_space_makes_text() {
    assert_eq!(text(&only_step("x\n#me\nPAUSE\t100")), Some("PAUSE\t100"));
    let s = only_step("x\n#me\n PAUSE 100");
    assert_eq!(text(&s), Some(" PAUSE 100"));
    assert!(s.logic_hooks.is_empty());
}

#[test]
fn hook_in_bot_takes_the_rest_as_argument() {
    let s = only_step("x\n#bot\nPAUSE is not text here");
    assert_eq!(s.logic_hooks[0].name, "PAUSE");
    assert_eq!(s.logic_hooks[0].args, ["is not text here"]);
    assert_eq!(text(&s), None);
}

#[test]
fn asserters_only_outside_me() {
    let s = only_step("x\n#bot\nTEXT hello\nINTENT greeting");
    let names: Vec<&str> = s.asserters.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["TEXT", "INTENT"]);
    let s = only_step("x\n#me\nTEXT foo");
    assert_eq!(text(&s), Some("TEXT foo"));
    assert!(s.asserters.is_empty());
}

#[test]
fn user_inputs_only_in_me() {
    let s = only_step("x\n#bot\nBUTTON Option1");
    assert_eq!(text(&s), Some("BUTTON Option1"));
    assert!(s.user_inputs.is_empty());
    let s = only_step("x\n#me\nBUTTON payload|Title\nPAUSE 10");
    assert_eq!(text(&s), None);
    assert_eq!(s.user_inputs[0].name, "BUTTON");
    assert_eq!(s.user_inputs[0].args, ["payload", "Title"]);
    assert_eq!(s.logic_hooks[0].args, ["10"]);
}

#[test]
fn unregistered_name_is_text_and_registered_one_is_an_asserter() {
    let plain = Registry::new(&[]);
    let s = parse_with("x\n#bot\nDUMMY welcome", &plain)
        .convo
        .unwrap()
        .steps;
    assert_eq!(text(&s[0]), Some("DUMMY welcome"));
    let with = Registry::new(&[Extension {
        kind: ExtensionKind::Asserter,
        name: "DUMMY".into(),
        src: None,
        global: false,
        args: None,
    }]);
    let s = parse_with("x\n#bot\nDUMMY welcome", &with)
        .convo
        .unwrap()
        .steps;
    assert_eq!(s[0].asserters[0].name, "DUMMY");
    assert_eq!(s[0].asserters[0].args, ["welcome"]);
}

#[test]
fn checktwiliosms_is_built_in() {
    let s = steps("conversation\n\n#bot\n\n#me\nBUTTON 3\n\n#bot\n\n#end\nPAUSE 10000\nCHECKTWILIOSMS welcome\n");
    let end = s.last().unwrap();
    assert_eq!(end.sender, Sender::End);
    assert_eq!(end.logic_hooks[0].args, ["10000"]);
    assert_eq!(end.asserters[0].name, "CHECKTWILIOSMS");
    assert_eq!(end.asserters[0].args, ["welcome"]);
}

#[test]
fn text_after_a_hook_in_me_is_an_error() {
    // convos_emptyrow_text_after_logichook.convo.txt
    let msg = error_of("#me\nPAUSE 100\nHi!\n\n#bot\nHi\n\n\n");
    assert_eq!(
        msg,
        "t.convo.txt:3:1: Failed to parse conversation. No text expected here: 'Hi!'"
    );
    // #434: PAUSE before text.
    assert!(error_of("x\n#me\nPAUSE 100\nHi!").contains("No text expected here"));
}

#[test]
fn blank_lines_after_a_hook_in_me_are_dropped() {
    // convos_emptyrow_just_asserter.convo.txt
    let s = steps("#me\nPAUSE 100\n\n#bot\nHi\n\n\n");
    assert_eq!(text(&s[0]), None);
    assert_eq!(s[0].logic_hooks.len(), 1);
    assert_eq!(text(&s[1]), Some("Hi"));
    // ... also without the separator row.
    let s = steps("#me\nPAUSE 100\n#bot\nHi\n\n\n");
    assert_eq!(text(&s[0]), None);
}

#[test]
fn mixed_optional_elements_are_an_error() {
    let msg = error_of("x\n#bot\n?maybe\nBUTTONS a");
    assert!(
        msg.contains("All element in convo step has to be optional or not optional"),
        "{msg}"
    );
    // All optional is fine (welcome_multiple_botsteps_opt).
    let s = only_step("x\n#bot\n?\n?BUTTONS First Button|Second Button\nCONVO_STEP_PARAMETERS {\"stepTimeout\": 300}");
    assert!(s.asserters[0].optional);
    assert_eq!(s.logic_hooks[0].name, "CONVO_STEP_PARAMETERS");
}

#[test]
fn include_hook_with_a_pipe_keeps_two_args() {
    let s = only_step("x\n#begin\nINCLUDE SUB\\|x|y");
    assert_eq!(s.logic_hooks[0].args, ["SUB|x", "y"]);
}

// §2.4: args.

#[test]
fn escaped_pipes_in_args() {
    // convos_args_escape.convo.txt
    let s = only_step("#bot\nBUTTONS Test\\|1|Test\\|2\n");
    assert_eq!(s.asserters[0].args, ["Test|1", "Test|2"]);
    assert!(!s.asserters[0].not);
}

#[test]
fn negated_asserter() {
    // convos_asserter_modificator.convo.txt
    let s = steps("#bot\n!BUTTONS Test1|Test2\n\n#me\nhugo");
    assert_eq!(s[0].asserters[0].args, ["Test1", "Test2"]);
    assert!(s[0].asserters[0].not && !s[0].asserters[0].optional);
    assert_eq!(text(&s[1]), Some("hugo"));
}

// §3.1: header.

#[test]
fn name_and_description() {
    let c = convo("Name\nDesc 1\nDesc 2\n\n#me");
    assert_eq!(c.name, "Name");
    assert_eq!(c.description.as_deref(), Some("Desc 1\nDesc 2\n"));
    let c = convo("Name\n#me");
    assert_eq!(c.description, None);
    let c = convo("  spaced name  \n#me");
    assert_eq!(c.name, "  spaced name  ");
}

#[test]
fn no_name_falls_back_to_the_file_name() {
    // convos_emptyrow_empty.convo.txt starts with a header.
    assert_eq!(convo("#me\n\n#bot\nHi\n").name, "t.convo.txt");
    // A leading blank line: the name is "", so the file name; the next line is description.
    let c = convo("\nreal first\n#me\nhi");
    assert_eq!(c.name, "t.convo.txt");
    assert_eq!(c.description.as_deref(), Some("real first"));
    // An empty file.
    assert_eq!(convo("").name, "t.convo.txt");
}

#[test]
fn invalid_senders_make_no_steps() {
    // convos_invalidsender.convo.txt: botium-core expects zero steps.
    let c = convo("#     me something else\n\n# bot\nHi\n");
    assert!(c.steps.is_empty());
    assert_eq!(c.name, "#     me something else");
}

// §3.2 / §3.3: building the step.

#[test]
fn parser_results_table() {
    let cases: [(&str, Option<&str>); 8] = [
        (
            "#me\nline one\n\nline three\n\n",
            Some("line one\n\nline three"),
        ),
        (
            "#bot\nexpected one\nexpected two\n",
            Some("expected one\nexpected two"),
        ),
        ("#bot\n", Some("")),
        ("#bot\nBUTTONS a|b\n", Some("")),
        ("#bot\n?maybe", Some("maybe")),
        ("#bot\n!!literal bang", Some("!literal bang")),
        (
            "#me\n// not a comment\n# also not a comment",
            Some("// not a comment\n# also not a comment"),
        ),
        ("#begin\nsome text\nPAUSE 5", Some("some text")),
    ];
    for (body, expected) in cases {
        let s = only_step(&format!("x\n{body}"));
        assert_eq!(text(&s), expected, "{body:?}");
    }
}

#[test]
fn empty_versus_null() {
    // A section with no lines is null; one of only blank lines is "".
    let s = steps("x\n#me\n#bot\nHi\n\n");
    assert_eq!(text(&s[0]), None);
    let s = steps("#me\n\n#bot\nHi\n");
    assert_eq!(text(&s[0]), Some(""));
    let s = steps("#me\n\n\n#bot\nHi \n\n\n");
    assert_eq!(text(&s[0]), Some(""));
    assert_eq!(text(&s[1]), Some("Hi "), "trailing spaces are kept");
    // Asserters plus a trailing blank line give "".
    let s = only_step("x\n#bot\nBUTTONS a|b\n");
    assert_eq!(s.asserters[0].args, ["a", "b"]);
    assert_eq!(text(&s), Some(""));
    let s = only_step("x\n#bot\nBUTTONS a|b");
    assert_eq!(text(&s), None);
}

#[test]
fn negated_asserters_without_args() {
    let s = only_step("x\n#bot\n!TEXT\n!BUTTONS a|b");
    assert!(s.asserters.iter().all(|a| a.not));
    assert!(s.asserters[0].args.is_empty());
    assert_eq!(s.asserters[1].args, ["a", "b"]);
}

#[test]
fn inner_blank_lines_are_kept_and_text_is_joined_around_asserters() {
    // convos_with_newlines.convo.txt
    let s = steps("convos_with_newlines\n\n#me\nHallo\n\nHallo2\n\n#bot\nHallo\n\nHallo2\n");
    assert_eq!(text(&s[0]), Some("Hallo\n\nHallo2"));
    assert_eq!(text(&s[1]), Some("Hallo\n\nHallo2"));
    let s = only_step("x\n#bot\nhello\nBUTTONS a\nworld");
    assert_eq!(text(&s), Some("hello\nworld"));
}

#[test]
fn json_text_becomes_source_data() {
    // convos_jsonmessage.convo.txt
    let s = only_step("JSON\n\n#me\n{\n  \"sessionId\": \"1234567890876543\",\n  \"text\": \"Text message\",\n  \"data\": {\n    \"key\": \"value\"\n  }\n}\n");
    assert_eq!(text(&s), None);
    assert_eq!(
        s.source_data,
        Some(
            json!({"sessionId": "1234567890876543", "text": "Text message", "data": {"key": "value"}})
        )
    );
    // Numbers stay text.
    assert_eq!(text(&only_step("x\n#me\n123")), Some("123"));
    // JSON-like text that does not parse is an error, as Botium's JSON.parse throws.
    assert!(error_of("x\n#me\n,").contains("JSON"));
}

#[test]
fn line_endings_lf_crlf_cr_and_mixed() {
    let lf = steps("mixed\n\n#me\nn\n\n#bot\nrn\n\n#bot\nr\n");
    for variant in [
        "mixed\r\n\r\n#me\r\nn\r\n\r\n#bot\r\nrn\r\n\r\n#bot\r\nr\r\n",
        "mixed\r\r#me\rn\r\r#bot\rrn\r\r#bot\rr\r",
        "mixed\n\n#me\nn\n\n#bot\r\nrn\r\n\r#bot\rr\n",
    ] {
        let other = steps(variant);
        let texts: Vec<_> = other.iter().map(|s| s.text.clone()).collect();
        assert_eq!(texts, lf.iter().map(|s| s.text.clone()).collect::<Vec<_>>());
        assert_eq!(other[2].location.line, lf[2].location.line);
    }
}

#[test]
fn byte_order_mark() {
    let c = convo("\u{FEFF}named\n#me\nhi");
    assert_eq!(c.name, "named");
}

#[test]
fn step_tags_and_lines() {
    let s = steps("x\n\n#me\nhi\n\n#bot\nho");
    assert_eq!(s[0].step_tag, "Line 3");
    assert_eq!(s[1].step_tag, "Line 6");
    assert_eq!(s[1].location.line, 6);
}

// Warnings for lines Botium silently treats as text.

#[test]
fn warnings_for_probable_mistakes() {
    let p = parse("x\n#me\nBUTTONS 1\n\n#bot\nBUTTON 2\n\n#bot\nPAUS 100\n\n#end\nstray text\n");
    let warnings: Vec<&str> = p.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings[0].contains("asserter"));
    assert!(warnings[1].contains("user input"));
    assert!(warnings[2].contains("ignored"));
    assert!(p.convo.is_some(), "warnings do not stop the parse");
    assert_eq!(p.hook_like.len(), 1);
    assert_eq!(p.hook_like[0].name, "PAUS");
    let hook_like = p.hook_like.into_iter().next().unwrap();
    let warning = hook_like.into_warning(&Registry::default()).unwrap();
    assert!(warning.help.as_deref().unwrap().contains("PAUSE"));
}

#[test]
fn hook_like_words_are_fine_when_they_name_utterance_lists() {
    let files = [("a.convo.txt", "a\n#me\nUTT_SALES\n#bot\nMY_HOOK x\n")];
    let without = suite(&files);
    assert_eq!(without.diagnostics.len(), 2, "{:?}", without.diagnostics);
    let with = suite(&[files[0], ("s.utterances.txt", "UTT_SALES\nsales\n")]);
    let names: Vec<&str> = with
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].contains("MY_HOOK"));
}

mod loader;

use loader::suite;

// No input panics the parser (property test; the cargo-fuzz target in fuzz/ goes further).

mod no_panic {
    use proptest::prelude::*;

    use super::*;

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("#me".to_string()),
            Just("#bot".to_string()),
            Just("#begin".to_string()),
            Just("#end".to_string()),
            Just("#include P".to_string()),
            Just("#me chan".to_string()),
            Just("PAUSE 100".to_string()),
            Just("INCLUDE P".to_string()),
            Just("INCLUDE P|Q".to_string()),
            Just("BUTTON 1|x".to_string()),
            Just("?BUTTONS a\\|b|c".to_string()),
            Just("!TEXT".to_string()),
            Just("UTT".to_string()),
            Just("{\"a\": 1}".to_string()),
            Just(",".to_string()),
            Just(String::new()),
            "[ -~]{0,12}",
            "\\PC{0,8}",
        ]
    }

    fn script() -> impl Strategy<Value = String> {
        let eol = prop_oneof![Just("\n"), Just("\r\n"), Just("\r")];
        proptest::collection::vec((fragment(), eol), 0..24).prop_map(|lines| {
            lines
                .into_iter()
                .map(|(l, e)| format!("{l}{e}"))
                .collect::<String>()
        })
    }

    proptest! {
        #[test]
        fn any_convo_text_parses_or_reports(text in script()) {
            let parsed = parse(&text);
            let line_count = super::super::source::split_lines(&text, None).len();
            for d in &parsed.diagnostics {
                prop_assert!(d.line <= line_count, "{d}");
            }
            if let Some(c) = parsed.convo {
                for s in &c.steps {
                    prop_assert!(s.location.line >= 1 && s.location.line <= line_count);
                }
            }
        }

        #[test]
        fn any_suite_loads(main in script(), partial in script(), utt in script()) {
            let s = suite(&[
                ("main.convo.txt", &main),
                ("p.pconvo.txt", &format!("P\n{partial}")),
                ("u.utterances.txt", &format!("UTT\n{utt}")),
            ]);
            prop_assert!(s.files_read == 3);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let path = std::sync::Arc::new(std::path::PathBuf::from("x.convo.txt"));
            if let Ok(source) = SourceFile::decode(path, &bytes) {
                let _ = parse_convo(&source, "x", &Registry::default(), None);
            }
        }
    }
}
