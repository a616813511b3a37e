//! `ivr-test check` end to end.

use serde_json::json;

use crate::harness::Project;

const GREETING: &str = "greeting\nThe IVR greets and offers the menu\n\n#bot\nWelcome to Acme\n\n#me\nBUTTON 1\n\n#bot\n!Sorry\n";

#[test]
fn a_clean_suite_passes_with_a_summary() {
    let out = Project::new()
        .file("convos/greeting.convo.txt", GREETING)
        .run(&["check", "convos"])
        .expect_code(0);
    assert!(
        out.stdout.contains("1 files read: 1 test cases"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("3 #me/#bot steps"), "{}", out.stdout);
    assert!(
        out.stdout.contains("0 errors, 0 warnings"),
        "{}",
        out.stdout
    );
}

#[test]
fn three_mistakes_in_two_files_give_three_located_diagnostics() {
    let project = Project::new()
        .file(
            "convos/a.convo.txt",
            "a\n\n#me\nPAUSE 100\nHello!\n\n#bot\n?maybe\nTEXT hi\n",
        )
        .file("convos/b.convo.txt", "b\n\n#me\nBUTTON 12x\n")
        .file("convos/c.convo.txt", GREETING);
    let human = project.run(&["check", "convos"]).expect_code(2);
    for position in [
        "convos/a.convo.txt:5:1",
        "convos/a.convo.txt:7:1",
        "convos/b.convo.txt:4:1",
    ] {
        assert!(
            human.stderr.contains(position),
            "{position} missing in:\n{}",
            human.stderr
        );
    }
    assert!(
        human.stderr.contains("No text expected here: 'Hello!'"),
        "{}",
        human.stderr
    );
    assert!(
        human.stderr.contains("Hello!"),
        "the offending line is shown"
    );
    assert!(human.stdout.contains("3 errors"), "{}", human.stdout);

    let report = project
        .run(&["check", "convos", "--format", "json"])
        .expect_code(2)
        .json();
    let errors: Vec<(String, u64, u64)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("convos/a.convo.txt".to_string(), 5, 1),
            ("convos/a.convo.txt".to_string(), 7, 1),
            ("convos/b.convo.txt".to_string(), 4, 1)
        ]
    );
    // Every test case that parsed is still listed: b (it parsed; its BUTTON keys are wrong) and c.
    let names: Vec<&str> = report["convos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["b", "greeting"]);
}

#[test]
fn json_steps_are_as_botium_compiles_them() {
    let report = Project::new()
        .file(
            "x.convo.txt",
            "x\n\n#me\n\n#bot default\n?!maybe\n\n#me\nBUTTON 1|One\nPAUSE 10\n\n#bot\n!TEXT\n",
        )
        .run(&["check", "x.convo.txt", "--format=json"])
        .expect_code(0)
        .json();
    let convo = &report["convos"][0];
    assert_eq!(convo["name"], "x");
    assert_eq!(convo["description"], "");
    assert_eq!(convo["file"], "x.convo.txt");
    let step = |i: usize| {
        let s = &convo["steps"][i];
        json!({"sender": s["sender"], "channel": s["channel"], "line": s["line"], "text": s["text"],
               "not": s["not"], "optional": s["optional"], "asserters": s["asserters"],
               "logic_hooks": s["logic_hooks"], "user_inputs": s["user_inputs"]})
    };
    assert_eq!(
        step(0),
        json!({"sender": "me", "channel": null, "line": 3, "text": "", "not": false, "optional": false,
               "asserters": [], "logic_hooks": [], "user_inputs": []})
    );
    assert_eq!(
        step(1),
        json!({"sender": "bot", "channel": "default", "line": 5, "text": "maybe", "not": true, "optional": true,
               "asserters": [], "logic_hooks": [], "user_inputs": []})
    );
    assert_eq!(
        step(2),
        json!({"sender": "me", "channel": null, "line": 8, "text": null, "not": false, "optional": false,
               "asserters": [], "logic_hooks": [{"name": "PAUSE", "args": ["10"]}],
               "user_inputs": [{"name": "BUTTON", "args": ["1", "One"]}]})
    );
    assert_eq!(
        step(3),
        json!({"sender": "bot", "channel": null, "line": 12, "text": "", "not": false, "optional": false,
               "asserters": [{"name": "TEXT", "args": [], "not": true, "optional": false}],
               "logic_hooks": [], "user_inputs": []})
    );
    assert_eq!(report["errors"], json!([]));
}

#[test]
fn expand_applies_partials_and_utterances() {
    let project = Project::new()
        .file("main.convo.txt", "main\n\n#me\nUTT_HI\n\n#include menu\n")
        .file("menu.pconvo.txt", "menu\n\n#bot\nPress 1 for sales\n")
        .file("hi.utterances.txt", "UTT_HI\nhello\nhi there\n");
    let written = project
        .run(&["check", ".", "--format", "json"])
        .expect_code(0)
        .json();
    assert_eq!(written["convos"].as_array().unwrap().len(), 1);
    assert_eq!(written["partial_convos"][0]["name"], "menu");
    assert_eq!(
        written["utterances"],
        json!({"UTT_HI": ["hello", "hi there"]})
    );

    let expanded = project
        .run(&["check", ".", "--format", "json", "--expand"])
        .expect_code(0)
        .json();
    let cases = expanded["convos"].as_array().unwrap();
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["main/UTT_HI-L1", "main/UTT_HI-L2"]);
    assert_eq!(cases[1]["steps"][0]["text"], "hi there");
    assert_eq!(cases[1]["steps"][1]["text"], "Press 1 for sales");
    assert_eq!(cases[1]["steps"][1]["step_tag"], "menu/Line 3");
    assert_eq!(cases[1]["steps"][1]["file"], "./menu.pconvo.txt");
}

#[test]
fn crlf_bom_and_cr_files_read_like_lf() {
    let project = Project::new()
        .file(
            "a.convo.txt",
            "\u{FEFF}a\r\n\r\n#me\r\nhi\r\n\r\n#bot\r\nho\r\n",
        )
        .file("b.convo.txt", "b\r\r#me\rhi\r\r#bot\rho\r");
    let report = project
        .run(&["check", ".", "--format", "json"])
        .expect_code(0)
        .json();
    for convo in report["convos"].as_array().unwrap() {
        assert_eq!(convo["steps"][0]["text"], "hi");
        assert_eq!(convo["steps"][1]["text"], "ho");
        assert_eq!(convo["steps"][1]["line"], 6);
    }
    assert_eq!(report["convos"][0]["name"], "a");
}

#[test]
fn features_a_call_cannot_run_are_reported_with_the_reason() {
    let out = Project::new()
        .file(
            "nlu.convo.txt",
            "nlu\n\n#me\nhi\n\n#bot\nINTENT greeting\nCARDS a\n",
        )
        .run(&["check", "nlu.convo.txt"])
        .expect_code(2);
    assert!(out.stderr.contains("nlu.convo.txt:7:1"), "{}", out.stderr);
    assert!(
        out.stderr.contains("INTENT cannot apply to a phone call"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("nlu.convo.txt:8:1"), "{}", out.stderr);
}

#[test]
fn skip_names_and_other_formats() {
    let out = Project::new()
        .file("c/skip_old.convo.txt", "old\n#me\nx\n")
        .file("c/new.convo.txt", "new\n#me\nx\n")
        .file("c/legacy.convo.xlsx", "binary")
        .run(&["check", "c"])
        .expect_code(0);
    assert!(out.stdout.contains("1 test cases"), "{}", out.stdout);
    assert!(out.stdout.contains("1 skipped by name"), "{}", out.stdout);
    assert!(
        out.stderr.contains("Excel scripts are not read"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("1 warning"), "{}", out.stdout);
}

#[test]
fn missing_paths_and_bad_usage_exit_2() {
    let project = Project::new();
    let out = project.run(&["check", "nowhere"]).expect_code(2);
    assert!(out.stderr.contains("nowhere"), "{}", out.stderr);
    project.run(&["check", "--no-such-flag"]).expect_code(2);
    project.run(&["frobnicate"]).expect_code(2);
}

#[test]
fn invalid_utf8_names_the_place() {
    let project = Project::new().file("ok.convo.txt", "ok\n#me\nhi\n");
    std::fs::write(project.path().join("bad.convo.txt"), b"bad\n#me\nh\xFFi\n").unwrap();
    let out = project.run(&["check", "."]).expect_code(2);
    assert!(out.stderr.contains("bad.convo.txt:3:2"), "{}", out.stderr);
    assert!(out.stderr.contains("not valid UTF-8"), "{}", out.stderr);
}

#[test]
fn the_readme_quickstart_suite_passes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = crate::harness::run_in(
        root,
        &[
            "check",
            "examples/convos",
            "--config",
            "examples/botium.json",
            "--expand",
        ],
        &[],
    )
    .expect_code(0);
    assert!(
        out.stdout.contains("2 test cases (4 after expansion)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("0 errors, 0 warnings"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

#[test]
fn matching_settings_the_matcher_refuses_are_one_configuration_error() {
    // The JSON form: config.rs, matching_settings_the_matcher_cannot_use_are_configuration_errors.
    let human = Project::new()
        .file(
            "botium.json",
            r#"{"botium":{"Capabilities":{"SCRIPTING_MATCHING_MODE":"wer","SCRIPTING_MATCHING_MODE_ARGS":[1.5]}}}"#,
        )
        .file("convos/greeting.convo.txt", GREETING)
        .run(&["check", "convos"])
        .expect_code(2);
    assert!(
        human
            .stderr
            .contains("error: botium.json: the SCRIPTING_* matching settings cannot be used: invalid word error rate threshold 1.5"),
        "{}",
        human.stderr
    );
    assert!(
        human.stdout.contains("1 error, 0 warnings"),
        "{}",
        human.stdout
    );
}

#[test]
fn the_answer_timing_in_effect_is_reported() {
    let project = Project::new().file("convos/c.convo.txt", GREETING).file(
        "botium.json",
        r#"{"botium": {"Capabilities": {"TWILIO_IVR_ANSWER_TIMING": "silence"}}}"#,
    );
    let human = project.run(&["check", "convos"]).expect_code(0);
    assert!(
        human
            .stdout
            .contains("answers: when the IVR falls silent (TWILIO_IVR_ANSWER_TIMING=silence)"),
        "{}",
        human.stdout
    );
    let json = project
        .run(&["check", "convos", "--format", "json"])
        .expect_code(0)
        .json();
    assert_eq!(json["answer_timing"], "silence");
    let bad = project.file(
        "botium.json",
        r#"{"botium": {"Capabilities": {"TWILIO_IVR_ANSWER_TIMING": "early"}}}"#,
    );
    let out = bad.run(&["check", "convos"]).expect_code(2);
    assert!(
        out.stderr.contains("one of offer, match, silence"),
        "{}",
        out.stderr
    );
}
