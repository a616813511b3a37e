//! Configuration through `ivr-test check`: botium.json, --config, environment overrides, secrets.

use serde_json::json;

use crate::harness::Project;

const TOKEN: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";

fn botium_json(caps: serde_json::Value) -> String {
    serde_json::to_string_pretty(
        &json!({"botium": {"Capabilities": caps, "Sources": {}, "Envs": {}}}),
    )
    .unwrap()
}

#[test]
fn declared_asserters_are_parsed_as_asserters() {
    let project = Project::new()
        .file(
            "botium.json",
            &botium_json(json!({
                "CONTAINERMODE": "twilio-ivr",
                "ASSERTERS": [{"ref": "CHECKTWILIOSMS", "src": "botium-connector-twilio-ivr/CHECKTWILIOSMS"},
                              {"ref": "MY_CHECK", "src": "./my-check.js"}]
            })),
        )
        .file("sms.convo.txt", "sms\n\n#bot\nMY_CHECK a|b\n\n#end\nCHECKTWILIOSMS welcome\n");
    let out = project
        .run(&["check", "sms.convo.txt", "--format", "json"])
        .expect_code(2);
    let report = out.json();
    let steps = &report["convos"][0]["steps"];
    assert_eq!(steps[0]["asserters"][0]["name"], "MY_CHECK");
    assert_eq!(steps[0]["asserters"][0]["args"], json!(["a", "b"]));
    assert_eq!(steps[1]["asserters"][0]["name"], "CHECKTWILIOSMS");
    // The custom asserter is JavaScript: check says run cannot execute it, at its line.
    assert_eq!(report["errors"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["errors"][0]["line"], 4);
    assert!(report["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("MY_CHECK"));
}

#[test]
fn a_bad_capability_names_itself_its_place_and_the_form_expected() {
    let project = Project::new()
        .file(
            "botium.json",
            &botium_json(
                json!({"TWILIO_IVR_AUTH_TOKEN": TOKEN, "TWILIO_IVR_WAIT_CALL_STARTED": "20s"}),
            ),
        )
        .file("a.convo.txt", "a\n#me\nhi\n");
    let report = project
        .run(&["check", ".", "--format", "json"])
        .expect_code(2)
        .json();
    let error = &report["errors"][0];
    assert_eq!(error["file"], "botium.json");
    assert_eq!(error["line"], 5);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("TWILIO_IVR_WAIT_CALL_STARTED: expected"),
        "{message}"
    );
    assert!(message.contains("\"20s\""), "{message}");
    // The scripts are still checked and listed.
    assert_eq!(report["convos"][0]["name"], "a");

    let human = project.run(&["check", "."]).expect_code(2);
    assert!(
        human.stderr.contains("TWILIO_IVR_WAIT_CALL_STARTED"),
        "{}",
        human.stderr
    );
    assert!(
        human.stderr.contains("\"20s\""),
        "the offending line is shown: {}",
        human.stderr
    );
    for text in [&human.stdout, &human.stderr] {
        assert!(!text.contains(TOKEN), "the auth token leaked:\n{text}");
    }
}

#[test]
fn environment_overrides_the_file_and_its_errors_name_the_variable() {
    let project = Project::new()
        .file(
            "botium.json",
            &botium_json(json!({"WAITFORBOTTIMEOUT": 30000})),
        )
        .file("a.convo.txt", "a\n#me\nhi\n");
    project.run(&["check", "."]).expect_code(0);
    let out = Project::new()
        .file(
            "botium.json",
            &botium_json(json!({"WAITFORBOTTIMEOUT": 30000})),
        )
        .file("a.convo.txt", "a\n#me\nhi\n")
        .env("BOTIUM_WAITFORBOTTIMEOUT", "soon")
        .run(&["check", "."])
        .expect_code(2);
    assert!(
        out.stderr.contains("BOTIUM_WAITFORBOTTIMEOUT"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_custom_line_separator_from_the_environment_changes_parsing() {
    let report = Project::new()
        .file("a.convo.txt", "a;;#me;;hi;;#bot;;ho")
        .env("BOTIUM_SCRIPTING_TXT_EOL", ";;")
        .run(&["check", ".", "--format", "json"])
        .expect_code(0)
        .json();
    assert_eq!(report["convos"][0]["steps"][1]["text"], "ho");
}

#[test]
fn config_flag_must_name_an_existing_file() {
    let out = Project::new()
        .run(&["check", ".", "--config", "missing.json"])
        .expect_code(2);
    assert!(out.stderr.contains("missing.json"), "{}", out.stderr);
}

#[test]
fn config_flag_reads_only_the_named_file() {
    // ./botium.json is broken, but --config names another file: only that one is read.
    let project = Project::new()
        .file("botium.json", "{ not json")
        .file("ci/botium.json", &botium_json(json!({"PROJECTNAME": "ci"})))
        .file("a.convo.txt", "a\n#me\nhi\n");
    let out = project
        .run(&["check", "a.convo.txt", "--config", "ci/botium.json"])
        .expect_code(0);
    assert!(
        out.stdout.contains("configuration: ci/botium.json"),
        "{}",
        out.stdout
    );
    let broken = project
        .run(&["check", "a.convo.txt", "--format", "json"])
        .expect_code(2)
        .json();
    assert_eq!(broken["errors"][0]["line"], 1);
    assert!(broken["errors"][0]["column"].as_u64().unwrap() > 1);
}

#[test]
fn unknown_matching_mode_is_a_warning_with_a_suggestion() {
    let out = Project::new()
        .file(
            "botium.json",
            &botium_json(json!({"SCRIPTING_MATCHING_MODE": "wildcardIgnorecase"})),
        )
        .file("a.convo.txt", "a\n#me\nhi\n")
        .run(&["check", "."])
        .expect_code(0);
    assert!(out.stderr.contains("wildcardIgnoreCase"), "{}", out.stderr);
    assert!(out.stdout.contains("1 warning"), "{}", out.stdout);
}

#[test]
fn matching_settings_the_matcher_cannot_use_are_configuration_errors() {
    let out = Project::new()
        .file(
            "botium.json",
            &botium_json(json!({"SCRIPTING_NORMALIZE_TEXT_REMOVE_REGEXP": "([a-z]"})),
        )
        .file("a.convo.txt", "a\n#me\nhi\n")
        .run(&["check", ".", "--format", "json"])
        .expect_code(2);
    let report = out.json();
    assert_eq!(report["errors"].as_array().unwrap().len(), 1, "{report}");
    let message = report["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("matching settings"), "{message}");
    assert_eq!(report["errors"][0]["file"], "botium.json");
}

#[test]
fn every_bad_capability_is_reported_and_a_number_is_no_phone_number() {
    let project = Project::new()
        .file(
            "botium.json",
            &botium_json(json!({
                "TWILIO_IVR_FROM": "+15005550006",
                "TWILIO_IVR_TO": 5,
                "TWILIO_IVR_WAIT_CALL_STARTED": "20s"
            })),
        )
        .file("convos/a.convo.txt", "a\n#me\nhi\n");
    let report = project
        .run(&["check", ".", "--format", "json"])
        .expect_code(2)
        .json();
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{report}");
    let to = errors
        .iter()
        .find(|e| e["message"].as_str().unwrap().starts_with("TWILIO_IVR_TO"))
        .expect("TWILIO_IVR_TO refused");
    assert_eq!(to["file"], "botium.json");
    assert_eq!(to["line"], 5);
    let message = to["message"].as_str().unwrap();
    assert!(
        message.contains("expected a string, got 5")
            && message.contains("botium.json at botium.Capabilities.TWILIO_IVR_TO"),
        "{message}"
    );
    // `run` refuses with both too, before any call.
    let out = project.run(&["run", "convos"]).expect_code(2);
    assert!(
        out.stderr.contains("TWILIO_IVR_TO: expected a string"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("TWILIO_IVR_WAIT_CALL_STARTED"),
        "{}",
        out.stderr
    );
}

#[test]
fn run_names_every_missing_capability_at_once() {
    let project = Project::new()
        .file(
            "botium.json",
            &botium_json(json!({"TWILIO_IVR_FROM": "+15005550006"})),
        )
        .file("convos/a.convo.txt", "a\n#me\nhi\n");
    let out = project.run(&["run", "convos"]).expect_code(2);
    assert!(
        out.stderr.contains(
            "TWILIO_IVR_ACCOUNT_SID, TWILIO_IVR_AUTH_TOKEN (or TWILIO_IVR_API_KEY + TWILIO_IVR_API_SECRET), TWILIO_IVR_TO, TWILIO_IVR_PUBLICURL are required"
        ),
        "{}",
        out.stderr
    );
}
