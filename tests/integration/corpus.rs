//! Compatibility with real BotiumScript files from `../shared/corpus` (read in place, never
//! copied). Expectations for botium-core's compiler test files are written down from
//! botium-core's own compiler tests and `shared/reference/botiumscript.md`.

use serde_json::{json, Value};

use crate::harness::{corpus, corpus_at, run_in};

/// The Botium-relevant fields of every step of one file's first convo.
fn compiled(file: &str) -> (Value, Vec<Value>) {
    let Some(dir) = corpus() else {
        return (Value::Null, Vec::new());
    };
    let path = dir.join(file);
    let out = run_in(
        &dir,
        &["check", path.to_str().unwrap(), "--format", "json"],
        &[],
    );
    assert_ne!(out.code, None, "killed: {}", out.stderr);
    let report = out.json();
    let Some(convo) = report["convos"].get(0).cloned() else {
        return (report["errors"].clone(), Vec::new());
    };
    let steps = convo["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let mut step = json!({"sender": s["sender"], "channel": s["channel"], "text": s["text"],
                "not": s["not"], "optional": s["optional"], "asserters": s["asserters"],
                "logic_hooks": s["logic_hooks"], "user_inputs": s["user_inputs"]});
            if !s["source_data"].is_null() {
                step["source_data"] = s["source_data"].clone();
            }
            step
        })
        .collect();
    (
        json!({"name": convo["name"], "description": convo["description"]}),
        steps,
    )
}

fn me(text: Value) -> Value {
    step("me", text, false, false)
}

fn bot(text: Value) -> Value {
    step("bot", text, false, false)
}

fn step(sender: &str, text: Value, not: bool, optional: bool) -> Value {
    json!({"sender": sender, "channel": null, "text": text, "not": not, "optional": optional,
           "asserters": [], "logic_hooks": [], "user_inputs": []})
}

const TXT: &str = "botium-core/test/compiler/convos/txt/";

#[test]
fn a_missing_corpus_is_skipped_unless_required() {
    let empty = tempfile::tempdir().expect("temp dir");
    let missing = empty.path().join("corpus");
    assert_eq!(corpus_at(&missing, false), None);
    let required = std::panic::catch_unwind(|| corpus_at(&missing, true));
    let message = required.expect_err("a failure when required");
    let message = message.downcast_ref::<String>().expect("a message");
    assert!(message.contains("IVR_TEST_REQUIRE_CORPUS"), "{message}");
    assert_eq!(
        corpus_at(empty.path(), true),
        Some(empty.path().to_path_buf())
    );
}

#[test]
fn compiler_test_files_compile_as_in_botium_core() {
    if corpus().is_none() {
        return;
    }
    let null = Value::Null;
    let mut buttons = bot(json!(""));
    buttons["asserters"] =
        json!([{"name": "BUTTONS", "args": ["Test|1", "Test|2"], "not": false, "optional": false}]);
    let mut not_buttons = bot(json!(""));
    not_buttons["asserters"] =
        json!([{"name": "BUTTONS", "args": ["Test1", "Test2"], "not": true, "optional": false}]);
    let mut pause = me(null.clone());
    pause["logic_hooks"] = json!([{"name": "PAUSE", "args": ["100"]}]);
    let mut json_me = me(null.clone());
    json_me["source_data"] =
        json!({"sessionId": "1234567890876543", "text": "Text message", "data": {"key": "value"}});

    let expectations: Vec<(&str, Vec<Value>)> = vec![
        ("convos_args_escape", vec![buttons]),
        (
            "convos_asserter_modificator",
            vec![not_buttons, me(json!("hugo"))],
        ),
        (
            "convos_emptyrow_empty",
            vec![me(json!("")), bot(json!("Hi"))],
        ),
        (
            "convos_emptyrow_just_asserter",
            vec![pause.clone(), bot(json!("Hi"))],
        ),
        (
            "convos_emptyrow_just_asserter_no_separator_row",
            vec![pause, bot(json!("Hi"))],
        ),
        // Trailing spaces are kept (reference §3.2); matching normalises them away.
        (
            "convos_emptyrow_just_emptyrow",
            vec![me(json!("")), bot(json!("Hi "))],
        ),
        (
            "convos_emptyrow_just_text",
            vec![me(json!("Hello")), bot(json!("Hi"))],
        ),
        (
            "convos_emptyrow_just_text_no_separator_row",
            vec![me(json!("Hello")), bot(json!("Hi"))],
        ),
        (
            "convos_emptyrow_no_separator_row",
            vec![me(null.clone()), bot(json!("Hi"))],
        ),
        ("convos_invalidsender", vec![]),
        ("convos_jsonmessage", vec![json_me]),
        (
            "convos_mixed_new_line_characters",
            vec![me(json!("n")), bot(json!("rn")), bot(json!("r"))],
        ),
        (
            "convos_with_exclamation",
            vec![
                me(json!("test 1")),
                step("bot", json!("test 2"), true, false),
            ],
        ),
        (
            "convos_with_exclamation_secline",
            vec![
                me(json!("test 1")),
                step("bot", json!("test 2\n!test 2"), true, false),
            ],
        ),
        (
            "convos_with_four_exclamation",
            vec![me(json!("test 1")), bot(json!("!!!test 2"))],
        ),
        (
            "convos_with_four_question",
            vec![me(json!("test 1")), bot(json!("???test 2"))],
        ),
        (
            "convos_with_hashmark",
            vec![me(json!("# one hash")), bot(json!("## two hashes"))],
        ),
        (
            "convos_with_newlines",
            vec![me(json!("Hallo\n\nHallo2")), bot(json!("Hallo\n\nHallo2"))],
        ),
        (
            "convos_with_question",
            vec![
                me(json!("test 1")),
                step("bot", json!("test 2"), false, true),
            ],
        ),
        (
            "convos_with_question_exclamation",
            vec![
                me(json!("test 1")),
                step("bot", json!("test 2"), true, true),
            ],
        ),
        (
            "convos_with_question_secline",
            vec![
                me(json!("test 1")),
                step("bot", json!("test 2\n?test 2"), false, true),
            ],
        ),
        (
            "convos_with_two_exclamation",
            vec![me(json!("test 1")), bot(json!("!test 2"))],
        ),
        (
            "convos_with_two_question",
            vec![me(json!("test 1")), bot(json!("?test 2"))],
        ),
        (
            "convos_with_two_question_exclamation",
            vec![me(json!("test 1")), bot(json!("?!test 2"))],
        ),
    ];
    for (name, expected) in expectations {
        let (_, steps) = compiled(&format!("{TXT}{name}.convo.txt"));
        assert_eq!(steps, expected, "{name}");
    }
}

#[test]
fn compiler_headers() {
    if corpus().is_none() {
        return;
    }
    let (header, _) = compiled(&format!("{TXT}convos_emptyrow_empty.convo.txt"));
    assert_eq!(
        header["name"], "convos_emptyrow_empty.convo.txt",
        "no name line: the file name"
    );
    let (header, _) = compiled(&format!("{TXT}convos_invalidsender.convo.txt"));
    assert_eq!(
        header,
        json!({"name": "#     me something else", "description": "\n# bot\nHi\n"})
    );
    let (header, _) = compiled(&format!("{TXT}convos_with_exclamation.convo.txt"));
    assert_eq!(header, json!({"name": "!test 2", "description": ""}));
}

#[test]
fn text_after_a_logic_hook_is_botiums_error() {
    let Some(dir) = corpus() else { return };
    let file = format!("{TXT}convos_emptyrow_text_after_logichook.convo.txt");
    let report = run_in(&dir, &["check", &file, "--format", "json"], &[])
        .expect_code(2)
        .json();
    assert_eq!(report["errors"][0]["line"], 3);
    assert_eq!(
        report["errors"][0]["message"],
        "Failed to parse conversation. No text expected here: 'Hi!'"
    );
    assert_eq!(report["convos"], json!([]));
}

#[test]
fn every_corpus_file_is_read_without_a_panic() {
    let Some(dir) = corpus() else { return };
    for args in [
        vec!["check", "."],
        vec!["check", ".", "--format", "json", "--expand"],
    ] {
        let out = run_in(&dir, &args, &[]);
        assert!(
            matches!(out.code, Some(0 | 2)),
            "{:?}\n{}",
            out.code,
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
    let report = run_in(&dir, &["check", ".", "--format", "json"], &[]).json();
    let files = std::process::Command::new("find")
        .args([".", "-name", "*.convo.txt", "-o", "-name", "*.pconvo.txt"])
        .current_dir(&dir)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().count())
        .unwrap_or(0);
    let listed = report["convos"].as_array().unwrap().len()
        + report["partial_convos"].as_array().unwrap().len();
    let errors = report["errors"].as_array().unwrap();
    // Every convo file is either listed or named by an error (skip-named files aside).
    assert!(
        listed + errors.len() >= files - 1,
        "listed {listed}, errors {}, files {files}",
        errors.len()
    );
}

#[test]
fn twilio_connector_samples() {
    let Some(dir) = corpus() else { return };
    let report = run_in(
        &dir,
        &["check", "botium-connector-twilio-ivr", "--format", "json"],
        &[],
    )
    .json();
    let convo = report["convos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "conversation")
        .cloned()
        .unwrap();
    let end = convo["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(end["sender"], "end");
    assert_eq!(
        end["logic_hooks"],
        json!([{"name": "PAUSE", "args": ["10000"]}])
    );
    assert_eq!(
        end["asserters"],
        json!([{"name": "CHECKTWILIOSMS", "args": ["welcome"], "not": false, "optional": false}])
    );
    let dtmf = report["convos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "greetings")
        .count();
    assert_eq!(
        dtmf, 2,
        "human/dtmf.convo.txt and human/greetings.convo.txt share a name"
    );
}
