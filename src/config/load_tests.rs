//! Tests of `Config::load` end to end: files, environment, errors, warnings, secrets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use serde_json::json;
use tempfile::TempDir;

use super::*;

const TOKEN: &str = "tok_9f8e7d6c5b4a";
const REDIS_PASSWORD: &str = "hunter2pass";

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

/// A botium.json with these capabilities (a JSON object body, pretty-printed on its own lines).
fn caps_file(capabilities: &str) -> String {
    format!("{{\n  \"botium\": {{\n    \"Capabilities\": {capabilities}\n  }}\n}}\n")
}

/// Loads `./botium.json` (if given) from a fresh directory.
fn load_implicit(file: Option<&str>, vars: &[(&str, &str)]) -> Result<Config, ConfigErrors> {
    let dir = TempDir::new().expect("tempdir");
    if let Some(text) = file {
        write(dir.path(), "botium.json", text);
    }
    Config::load(None, dir.path(), &env(vars))
}

fn load_ok(file: Option<&str>, vars: &[(&str, &str)]) -> Config {
    match load_implicit(file, vars) {
        Ok(config) => config,
        Err(errors) => panic!("expected success, got {errors}"),
    }
}

fn load_err(file: Option<&str>, vars: &[(&str, &str)]) -> ConfigErrors {
    match load_implicit(file, vars) {
        Ok(config) => panic!("expected errors, got {config:?}"),
        Err(errors) => errors,
    }
}

/// Every message of every error, one a line.
fn messages(errors: &ConfigErrors) -> Vec<String> {
    errors.errors.iter().map(ToString::to_string).collect()
}

/// The report miette would print, without colours.
fn render(diagnostic: &dyn Diagnostic) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .render_report(&mut out, diagnostic)
        .expect("render");
    out
}

#[test]
fn defaults_equal_the_prior_art_table() {
    let config = load_ok(None, &[]);
    assert_eq!(config.file, None);
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    let caps = &config.capabilities;
    assert_eq!(caps.project_name, "Botium Project");
    assert_eq!(caps.container_mode, None);
    assert_eq!(caps.wait_for_bot_timeout, Duration::from_millis(10_000));
    let t = &caps.twilio;
    assert_eq!(t.account_sid, None);
    assert_eq!(t.auth_token, None);
    assert_eq!(t.language_code, "en-US");
    assert_eq!(t.voice, None);
    assert_eq!(t.speech_model.as_deref(), Some("phone_call"));
    assert!(t.speech_model_enhanced);
    assert_eq!(t.speech_timeout, None);
    assert_eq!(t.public_url_params, None);
    assert_eq!(t.redis_url, None);
    assert_eq!(t.redis_topic_base, "BOTIUM_TWILIO_IVR");
    assert_eq!(t.inbound_port, None);
    assert_eq!(t.inbound_endpoint, "/");
    assert!(!t.record);
    assert_eq!(t.redial, 5);
    assert_eq!(t.wait_call_started, Duration::from_millis(20_000));
    assert_eq!(t.wait_call_completed, Duration::from_millis(10_000));
    assert_eq!(t.wait_botium_response, Duration::from_millis(5_000));
    let s = &caps.scripting;
    assert_eq!(s.matching_mode, "wildcardIgnoreCase");
    assert!(s.normalize_text);
    assert_eq!(s.utt_expansion_mode, UttExpansionMode::All);
    assert_eq!(s.utt_expansion_naming_mode, UttNamingMode::JustLineTag);
    assert_eq!(s.memory_matching_mode, "non_whitespace");
    assert_eq!(
        config.missing_for_calls(),
        vec![
            "TWILIO_IVR_ACCOUNT_SID",
            "TWILIO_IVR_AUTH_TOKEN (or TWILIO_IVR_API_KEY + TWILIO_IVR_API_SECRET)",
            "TWILIO_IVR_FROM",
            "TWILIO_IVR_TO",
            "TWILIO_IVR_PUBLICURL"
        ]
    );
}

#[test]
fn reads_values_from_the_implicit_file() {
    let config = load_ok(
        Some(&caps_file(
            r#"{
      "PROJECTNAME": "IVR",
      "CONTAINERMODE": "twilio-ivr",
      "TWILIO_IVR_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
      "TWILIO_IVR_FROM": "+4930123",
      "TWILIO_IVR_TO": "+4989456",
      "TWILIO_IVR_PUBLICURL": "https://ivr.example.com",
      "TWILIO_IVR_PUBLICURLPARAMS": {"APIKEY": "k y"},
      "TWILIO_IVR_SPEECH_MODEL": "",
      "TWILIO_IVR_SPEECH_TIMEOUT": "auto",
      "TWILIO_IVR_INBOUNDPORT": "5000",
      "TWILIO_IVR_REDIAL": "0001",
      "WAITFORBOTTIMEOUT": "500",
      "SCRIPTING_NORMALIZE_TEXT": "false",
      "SCRIPTING_SIMILARITY_THRESHOLD": 0,
      "SCRIPTING_UTTEXPANSION_MODE": "first",
      "SCRIPTING_UTTEXPANSION_NAMING_MODE": "utterance",
      "SCRIPTING_CONVO_STEP_PARAMETERS": {"matchingMode": "equals"}
    }"#,
        )),
        &[],
    );
    assert!(config.file.is_some());
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    let caps = &config.capabilities;
    assert_eq!(caps.project_name, "IVR");
    assert_eq!(caps.wait_for_bot_timeout, Duration::from_millis(500));
    let t = &caps.twilio;
    assert_eq!(t.to.as_deref(), Some("+4989456"));
    assert_eq!(t.public_url_params.as_deref(), Some("APIKEY=k%20y"));
    assert_eq!(t.speech_model, None, "empty string means unset");
    assert_eq!(t.speech_timeout, Some(SpeechTimeout::Auto));
    assert_eq!(t.inbound_port, Some(5000));
    assert_eq!(t.redial, 1);
    let s = &caps.scripting;
    assert!(!s.normalize_text, "\"false\" is false");
    assert_eq!(s.similarity_threshold, 0.0, "0 is a valid number");
    assert_eq!(s.utt_expansion_mode, UttExpansionMode::First);
    assert_eq!(s.utt_expansion_naming_mode, UttNamingMode::Utterance);
    assert_eq!(
        s.convo_step_parameters,
        Some(json!({"matchingMode": "equals"}))
    );
    assert_eq!(caps.raw.get("PROJECTNAME"), Some(&json!("IVR")));
}

#[test]
fn environment_overrides_the_file() {
    let config = load_ok(
        Some(&caps_file(
            r#"{"WAITFORBOTTIMEOUT": 30000, "TWILIO_IVR_RECORD": true, "TWILIO_IVR_FROM": "+1"}"#,
        )),
        &[
            ("BOTIUM_WAITFORBOTTIMEOUT", "500"),
            ("BOTIUM_TWILIO_IVR_RECORD", "off"),
            ("BOTIUM_TWILIO_IVR_FROM", "0049301234"),
            (
                "BOTIUM_SCRIPTING_NORMALIZE_TEXT_REMOVE_CHARACTERES",
                "?,!,/,",
            ),
            ("BOTIUM_ENV_IS_BOTIUM_CONTAINER", "true"),
            ("BOTIUM_GITBRANCH", "main"),
            ("BOTIUM_CONFIG_UNRELATED", "x"),
            ("BOTIUM_CONVOS_DIR", "./convos"),
            ("BOTIUM_TIMEOUT", "60"),
            ("PATH", "/usr/bin"),
        ],
    );
    let caps = &config.capabilities;
    assert_eq!(caps.wait_for_bot_timeout, Duration::from_millis(500));
    assert!(!caps.twilio.record);
    assert_eq!(caps.twilio.caller_ids, ["0049301234"]);
    assert_eq!(
        caps.scripting.normalize_remove_characters,
        vec!["?", "!", ","]
    );
    assert_eq!(config.envs.get("IS_BOTIUM_CONTAINER"), Some(&json!(true)));
    assert_eq!(config.sources.get("GITBRANCH"), Some(&json!("main")));
    assert_eq!(caps.raw.get("WAITFORBOTTIMEOUT"), Some(&json!(500)));
    assert!(
        !caps.raw.contains_key("TIMEOUT"),
        "CLI variables are skipped"
    );
    assert!(!caps.raw.contains_key("CONVOS_DIR"));
    assert!(caps.raw.contains_key("CONFIG_UNRELATED"));
    assert!(!caps.raw.contains_key("GITBRANCH"));
}

#[test]
fn explicit_file_must_exist_and_is_the_only_file_read() {
    let dir = TempDir::new().expect("tempdir");
    write(
        dir.path(),
        "botium.json",
        &caps_file(r#"{"PROJECTNAME": "from cwd"}"#),
    );
    let missing = Config::load(Some(Path::new("nope.json")), dir.path(), &env(&[]))
        .expect_err("missing file");
    let message = messages(&missing).join("\n");
    assert!(message.contains("nope.json"), "{message}");
    assert!(message.contains("--config"), "{message}");

    let other = write(
        dir.path(),
        "other.json",
        &caps_file(r#"{"TWILIO_IVR_REDIAL": 2}"#),
    );
    let config = Config::load(Some(&other), dir.path(), &env(&[])).expect("loads");
    assert_eq!(config.file.as_deref(), Some(other.as_path()));
    assert_eq!(config.capabilities.project_name, "Botium Project");
    assert_eq!(config.capabilities.twilio.redial, 2);
}

#[test]
fn botium_config_variable_names_the_file_unless_explicit() {
    let dir = TempDir::new().expect("tempdir");
    write(dir.path(), "a.json", &caps_file(r#"{"PROJECTNAME": "A"}"#));
    write(dir.path(), "b.json", &caps_file(r#"{"PROJECTNAME": "B"}"#));
    let vars = env(&[("BOTIUM_CONFIG", "a.json")]);
    let config = Config::load(None, dir.path(), &vars).expect("loads");
    assert_eq!(config.capabilities.project_name, "A");
    let config = Config::load(Some(Path::new("b.json")), dir.path(), &vars).expect("loads");
    assert_eq!(config.capabilities.project_name, "B");
    let missing =
        Config::load(None, dir.path(), &env(&[("BOTIUM_CONFIG", "c.json")])).expect_err("missing");
    assert!(
        messages(&missing)[0].contains("BOTIUM_CONFIG"),
        "{missing:?}"
    );
}

#[test]
fn file_without_botium_key_is_an_error_only_when_asked_for() {
    let dir = TempDir::new().expect("tempdir");
    let path = write(
        dir.path(),
        "botium.json",
        r#"{"Capabilities": {"PROJECTNAME": "x"}}"#,
    );
    let errors = Config::load(Some(&path), dir.path(), &env(&[])).expect_err("explicit");
    assert!(matches!(
        errors.errors.as_slice(),
        [ConfigError::NotBotiumFile { .. }]
    ));
    let config = Config::load(None, dir.path(), &env(&[])).expect("implicit");
    assert_eq!(config.file, None);
    assert_eq!(config.capabilities.project_name, "Botium Project");
    assert!(
        config.warnings.iter().any(|w| w.contains("\"botium\"")),
        "{:?}",
        config.warnings
    );
}

#[test]
fn json_syntax_error_shows_line_and_column() {
    let text = "{\n  \"botium\": {\n    \"Capabilities\": {\n      \"A\": 1,\n    }\n  }\n}\n";
    let errors = load_err(Some(text), &[]);
    let [ConfigError::JsonSyntax { line, column, .. }] = errors.errors.as_slice() else {
        panic!("one syntax error expected: {errors}");
    };
    assert_eq!((*line, *column), (5, 5));
    let report = render(&errors.errors[0]);
    assert!(report.contains("botium.json"), "{report}");
    assert!(report.contains("5 │     }"), "{report}");
}

#[test]
fn env_error_names_capability_expected_form_and_variable() {
    let errors = load_err(None, &[("BOTIUM_TWILIO_IVR_WAIT_CALL_STARTED", "20s")]);
    assert_eq!(
        messages(&errors),
        vec![
            "TWILIO_IVR_WAIT_CALL_STARTED: expected a number of milliseconds, got \"20s\" (from BOTIUM_TWILIO_IVR_WAIT_CALL_STARTED)"
        ]
    );
}

#[test]
fn file_error_points_at_the_value() {
    let text = caps_file("{\n      \"TWILIO_IVR_INBOUNDPORT\": 70000\n    }");
    let errors = load_err(Some(&text), &[]);
    let message = errors.errors[0].to_string();
    assert!(
        message.starts_with(
            "TWILIO_IVR_INBOUNDPORT: expected a port number from 1 to 65535, got 70000 (from "
        ),
        "{message}"
    );
    assert!(
        message.ends_with(
            "botium.json at botium.Capabilities.TWILIO_IVR_INBOUNDPORT, line 4, column 33)"
        ),
        "{message}"
    );
    let report = render(&errors.errors[0]);
    assert!(
        report.contains("\"TWILIO_IVR_INBOUNDPORT\": 70000"),
        "{report}"
    );
}

#[test]
fn each_invalid_value_names_capability_and_expected_form() {
    let cases: &[(&str, &str, &str)] = &[
        ("TWILIO_IVR_RECORD", "maybe", "true or false"),
        ("TWILIO_IVR_REDIAL", "0", "a whole number >= 1"),
        ("TWILIO_IVR_INBOUNDPORT", "0", "a port number"),
        (
            "TWILIO_IVR_SPEECH_TIMEOUT",
            "soon",
            "\"auto\" or a whole number of seconds",
        ),
        (
            "TWILIO_IVR_PUBLICURL",
            "ivr.example.com",
            "an http:// or https:// URL",
        ),
        (
            "TWILIO_IVR_PUBLICURLPARAMS",
            "{\"a\":[1]}",
            "a query string",
        ),
        ("WAITFORBOTTIMEOUT", "-5", "a number of milliseconds"),
        (
            "SCRIPTING_SIMILARITY_THRESHOLD",
            "1.5",
            "a number from 0 to 1",
        ),
        (
            "SCRIPTING_UTTEXPANSION_MODE",
            "some",
            "one of all, first, random, index",
        ),
        (
            "SCRIPTING_UTTEXPANSION_NAMING_MODE",
            "full",
            "one of justLineTag, utterance",
        ),
        ("SCRIPTING_UTTEXPANSION_RANDOM_COUNT", "x", "a whole number"),
        (
            "SCRIPTING_NORMALIZE_TEXT_REMOVE_CHARACTERES",
            "[{}]",
            "a JSON array of strings",
        ),
        ("SCRIPTING_CONVO_STEP_PARAMETERS", "[]", "a JSON object"),
        ("ASSERTERS", "{}", "a JSON array of"),
    ];
    for (capability, value, expected) in cases {
        let var = format!("BOTIUM_{capability}");
        let errors = load_err(None, &[(var.as_str(), value)]);
        let message = messages(&errors).join("\n");
        assert!(
            message.starts_with(&format!("{capability}: expected {expected}")),
            "{message}"
        );
        assert!(message.contains(&var), "{message}");
        assert!(
            message.contains(&format!("got \"{}\"", value.replace('"', "\\\""))),
            "{message}"
        );
    }
}

#[test]
fn a_number_where_a_string_is_expected_is_refused_with_file_and_json_path() {
    let text = caps_file(
        r#"{
      "TWILIO_IVR_TO": 5,
      "TWILIO_IVR_FROM": ["+4930123", 4930124]
    }"#,
    );
    let errors = load_err(Some(&text), &[]);
    let all = messages(&errors);
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(
        all[0].starts_with("TWILIO_IVR_FROM: expected a caller ID")
            && all[0].ends_with(
                "botium.json at botium.Capabilities.TWILIO_IVR_FROM, line 5, column 26)"
            ),
        "{all:?}"
    );
    assert!(
        all[1].starts_with("TWILIO_IVR_TO: expected a string, got 5 (from ")
            && all[1]
                .ends_with("botium.json at botium.Capabilities.TWILIO_IVR_TO, line 4, column 24)"),
        "{all:?}"
    );
    // From the environment every value is text: a number there is the string it was.
    let config = load_ok(None, &[("BOTIUM_TWILIO_IVR_TO", "5")]);
    assert_eq!(config.capabilities.twilio.to.as_deref(), Some("5"));
}

#[test]
fn all_errors_are_reported() {
    let text = caps_file(
        r#"{
      "TWILIO_IVR_REDIAL": 0,
      "TWILIO_IVR_RECORD": "sometimes",
      "ASSERTERS": [{"src": "x"}]
    }"#,
    );
    let errors = load_err(Some(&text), &[("BOTIUM_WAITFORBOTTIMEOUT", "soon")]);
    let all = messages(&errors).join("\n");
    assert_eq!(errors.errors.len(), 4, "{all}");
    for capability in [
        "TWILIO_IVR_REDIAL",
        "TWILIO_IVR_RECORD",
        "WAITFORBOTTIMEOUT",
        "ASSERTERS[0]",
    ] {
        assert!(all.contains(capability), "{capability} missing in {all}");
    }
    assert_eq!(errors.to_string(), "invalid configuration: 4 errors");
    assert_eq!(errors.related().map(Iterator::count), Some(4));
}

#[test]
fn extensions_load_with_positions_for_bad_entries() {
    let text = caps_file(
        r#"{
      "ASSERTERS": [{"ref": "CHECKTWILIOSMS", "src": "botium-connector-twilio-ivr/CHECKTWILIOSMS"}],
      "LOGIC_HOOKS": [{"ref": "MY_HOOK", "global": true, "args": {"a": 1}}],
      "USER_INPUTS": [{"ref": "MY_INPUT"}]
    }"#,
    );
    let config = load_ok(Some(&text), &[]);
    let names: Vec<(ExtensionKind, &str)> = config
        .extensions
        .iter()
        .map(|e| (e.kind, e.name.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            (ExtensionKind::Asserter, "CHECKTWILIOSMS"),
            (ExtensionKind::LogicHook, "MY_HOOK"),
            (ExtensionKind::UserInput, "MY_INPUT"),
        ]
    );
    assert!(config.extensions[1].global);

    let text = caps_file("{\n      \"USER_INPUTS\": [\n        {\"ref\": \"\"}\n      ]\n    }");
    let errors = load_err(Some(&text), &[]);
    let message = messages(&errors).join("\n");
    assert!(
        message.starts_with("USER_INPUTS[0]: \"ref\" must be a non-empty string"),
        "{message}"
    );
    assert!(message.contains("line 5, column 9"), "{message}");
}

#[test]
fn warns_about_unknown_matching_modes_and_mistyped_names() {
    let config = load_ok(
        Some(&caps_file(
            r#"{"SCRIPTING_MATCHING_MODE": "wildcardIgnorecase", "TWILIO_IVR_REDAIL": 3, "SIMPLEREST_URL": "x"}"#,
        )),
        &[("BOTIUM_SCRIPTING_NORMALIZE_TXT", "true")],
    );
    let warnings = config.warnings.join("\n");
    assert!(warnings.contains("case-sensitive equals"), "{warnings}");
    assert!(
        warnings.contains("did you mean wildcardIgnoreCase?"),
        "{warnings}"
    );
    assert!(
        warnings.contains("did you mean TWILIO_IVR_REDIAL?"),
        "{warnings}"
    );
    assert!(
        warnings.contains("did you mean SCRIPTING_NORMALIZE_TEXT?"),
        "{warnings}"
    );
    assert!(
        warnings.contains("BOTIUM_SCRIPTING_NORMALIZE_TXT"),
        "{warnings}"
    );
    assert!(!warnings.contains("SIMPLEREST_URL"), "{warnings}");
    assert_eq!(
        config.capabilities.scripting.matching_mode,
        "wildcardIgnorecase"
    );
    assert_eq!(config.capabilities.twilio.redial, 5);
}

#[test]
fn secrets_never_appear_in_errors_warnings_or_prints() {
    let redis = format!("redis://user:{REDIS_PASSWORD}@redis.example:6379");
    let text = caps_file(&format!(
        r#"{{
      "TWILIO_IVR_AUTH_TOKEN": "{TOKEN}",
      "TWILIO_IVR_REDIAL": "{TOKEN}",
      "TWILIO_IVR_REDISURL": "{redis}",
      "TWILIO_IVR_RECORD": "nope",
      "SCRIPTING_MATCHING_MODE": "{REDIS_PASSWORD}"
    }}"#
    ));
    let errors = load_err(Some(&text), &[]);
    let mut shown = messages(&errors).join("\n");
    for error in &errors.errors {
        shown.push_str(&render(error));
    }
    shown.push_str(&render(&errors));
    shown.push_str(&format!("{errors:?}"));
    shown.push_str(&errors.warnings.join("\n"));
    assert!(shown.contains("TWILIO_IVR_REDIAL"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(!shown.contains(REDIS_PASSWORD), "{shown}");

    let config = load_ok(
        Some(&caps_file(&format!(
            r#"{{"TWILIO_IVR_AUTH_TOKEN": "{TOKEN}", "TWILIO_IVR_REDISURL": "{redis}"}}"#
        ))),
        &[],
    );
    let printed = format!("{config:?}\n{:?}", config.describe());
    assert!(!printed.contains(TOKEN), "{printed}");
    assert!(!printed.contains(REDIS_PASSWORD), "{printed}");
    assert_eq!(
        config.redact(&format!("GET /x?t={TOKEN} from {redis}")),
        "GET /x?t=<redacted> from redis://user:<redacted>@redis.example:6379"
    );
    let described: BTreeMap<String, String> = config.describe().into_iter().collect();
    assert_eq!(described["TWILIO_IVR_AUTH_TOKEN"], "<redacted>");
    assert_eq!(
        described["TWILIO_IVR_REDISURL"],
        "redis://user:<redacted>@redis.example:6379"
    );
    assert_eq!(
        config
            .capabilities
            .twilio
            .auth_token
            .as_ref()
            .map(Secret::expose),
        Some(TOKEN)
    );
}

#[test]
fn secret_of_the_wrong_type_is_not_shown() {
    let errors = load_err(
        Some(&caps_file(r#"{"TWILIO_IVR_AUTH_TOKEN": ["tok_in_array"]}"#)),
        &[("BOTIUM_TWILIO_IVR_REDISURL", "http://:pw_env_secret@h")],
    );
    let all = messages(&errors).join("\n");
    assert!(
        all.contains("TWILIO_IVR_AUTH_TOKEN: expected a string, got <redacted>"),
        "{all}"
    );
    assert!(
        all.contains("TWILIO_IVR_REDISURL: expected a redis:// or rediss:// URL"),
        "{all}"
    );
    assert!(!all.contains("pw_env_secret"), "{all}");
    let report: String = errors.errors.iter().map(|e| render(e)).collect();
    assert!(!report.contains("tok_in_array"), "{report}");
}

#[test]
fn json_syntax_error_next_to_the_token_does_not_show_it() {
    let text = format!("{{\"botium\": {{\"Capabilities\": {{\n\"TWILIO_IVR_AUTH_TOKEN\": \"{TOKEN}\"\n\"X\": 1}}}}}}");
    let errors = load_err(Some(&text), &[]);
    assert!(matches!(
        errors.errors[0],
        ConfigError::JsonSyntax { line: 3, .. }
    ));
    let report = render(&errors.errors[0]);
    assert!(report.contains("\"X\": 1"), "{report}");
    assert!(!report.contains(TOKEN), "{report}");
}

#[test]
fn describe_lists_effective_values() {
    let config = load_ok(None, &[("BOTIUM_TWILIO_IVR_WAIT_CALL_STARTED", "1500")]);
    let described: BTreeMap<String, String> = config.describe().into_iter().collect();
    assert_eq!(described["TWILIO_IVR_WAIT_CALL_STARTED"], "1500 ms");
    assert_eq!(described["TWILIO_IVR_AUTH_TOKEN"], "(unset)");
    assert_eq!(described["TWILIO_IVR_SPEECH_MODEL"], "phone_call");
    assert_eq!(described["SCRIPTING_MATCHING_MODE"], "wildcardIgnoreCase");
}

#[test]
fn warns_about_twilio_pitfalls() {
    let config = load_ok(
        None,
        &[
            ("BOTIUM_TWILIO_IVR_SPEECH_TIMEOUT", "auto"),
            ("BOTIUM_TWILIO_IVR_WAIT_BOTIUM_RESPONSE", "15000"),
            ("BOTIUM_TWILIO_IVR_ACCOUNT_SID", "ACxxxx"),
            ("BOTIUM_CONTAINERMODE", "echo"),
        ],
    );
    let warnings = config.warnings.join("\n");
    for fragment in ["13335", "11205", "Account SID", "CONTAINERMODE"] {
        assert!(
            warnings.contains(fragment),
            "{fragment} missing in {warnings}"
        );
    }
}

#[test]
fn caller_ids_come_as_a_list_in_the_file_or_comma_separated_in_the_environment() {
    let file = caps_file(r#"{"TWILIO_IVR_FROM": ["+4930123", "+4930124"]}"#);
    let listed = load_ok(Some(&file), &[]);
    assert_eq!(
        listed.capabilities.twilio.caller_ids,
        ["+4930123", "+4930124"]
    );
    let env = load_ok(Some(&file), &[("BOTIUM_TWILIO_IVR_FROM", "+1555, +1666")]);
    assert_eq!(env.capabilities.twilio.caller_ids, ["+1555", "+1666"]);
    let twice = load_err(None, &[("BOTIUM_TWILIO_IVR_FROM", "+1555,+1555")]);
    let shown = messages(&twice).join("\n");
    assert!(
        shown.contains("TWILIO_IVR_FROM: expected a caller ID"),
        "{shown}"
    );
}
