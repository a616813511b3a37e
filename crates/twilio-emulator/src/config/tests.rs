//! Loading, defaults, located errors and secret masking of the emulator configuration.

use super::*;

use std::time::Duration;

const SID: &str = "AC00000000000000000000000000000001";

fn parse(text: &str) -> Result<EmulatorConfig, EmulatorConfigError> {
    EmulatorConfig::parse(Path::new("emu.json"), text)
}

fn error(text: &str) -> String {
    match parse(text) {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(e) => e.to_string(),
    }
}

/// The emulator configuration `ivr-test` ships for its demo (the workspace's `fixtures/`).
const DEMO_CONFIG: &str = "../../fixtures/emulator.json";

#[test]
fn the_fixture_loads_with_every_behaviour() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEMO_CONFIG);
    let config = EmulatorConfig::load(Some(&path), &BTreeMap::new()).unwrap();
    assert_eq!(config.accounts[0].sid, SID);
    assert_eq!(
        config.accounts[0].auth_token.expose(),
        "emulator-example-token"
    );
    let ivr = config.number("+15551230001").unwrap();
    assert_eq!(ivr.behaviour, NumberBehaviour::Answer);
    assert_eq!(ivr.voice_method, HttpMethod::Post);
    assert_eq!(ivr.rings_before_answer(), 1);
    let behaviours: Vec<_> = config.numbers.values().map(|n| n.behaviour).collect();
    for wanted in [
        NumberBehaviour::Busy,
        NumberBehaviour::NoAnswer,
        NumberBehaviour::Failed,
    ] {
        assert!(behaviours.contains(&wanted), "{wanted:?}");
    }
    assert_eq!(
        config.number("+15551230005").unwrap().rings_before_answer(),
        3
    );
    assert_eq!(
        config.number("+15551230006").unwrap().hang_up_after_secs,
        Some(5)
    );
    assert!(config.permits_destination("+447700900000"));
    assert!(!config.permits_destination("+33123456789"));
    assert_eq!(config.recogniser.seed, 42);
    assert_eq!(config.latencies.sync(), Duration::from_millis(40));
    assert_eq!(config.latencies.function_ms, 120);
    assert_eq!(config.latencies.build(), Duration::from_millis(2_000));
    assert_eq!(config.clients["alice"].rings_before_answer(), 2);
    assert_eq!(
        config.unlisted_numbers.map(|u| u.behaviour),
        Some(NumberBehaviour::NoAnswer)
    );
    assert_eq!(
        config.queues["support"],
        QueueConfig {
            agent: Some("+15551230005".into()),
            answer_after_secs: 20,
            max_size: Some(100),
        }
    );
}

#[test]
fn defaults_fill_everything_but_accounts() {
    let config = parse(&format!(
        r#"{{"accounts":[{{"sid":"{SID}","auth_token":"t"}}]}}"#
    ))
    .unwrap();
    assert_eq!(config, EmulatorConfig::with_account(SID, "t"));
    assert_eq!(config.speech_rate_wpm, 150);
    assert_eq!(config.time_scale, 1.0);
    assert_eq!(config.calls_per_second, 1.0);
    assert!(config.permits_destination("+999999999"));
}

#[test]
fn tokens_never_show_in_debug_or_display() {
    let config = EmulatorConfig::with_account(SID, "s3cr3t-token");
    let shown = format!("{config:?} {}", config.accounts[0].auth_token);
    assert!(!shown.contains("s3cr3t"), "{shown}");
    let wrong_type = error(r#"{"accounts":[{"sid":"x","auth_token":123456789}]}"#);
    assert!(!wrong_type.contains("123456789"), "{wrong_type}");
    assert!(
        wrong_type.contains("accounts[0].auth_token"),
        "{wrong_type}"
    );
}

#[test]
fn syntax_errors_give_file_line_and_column() {
    let e = error("{\n  \"accounts\": [,]\n}");
    assert!(
        e.starts_with("emu.json: invalid JSON at line 2, column 16"),
        "{e}"
    );
}

#[test]
fn shape_errors_name_the_json_path_and_position() {
    let e = error("{\n \"numbers\": {\"+15551230001\": {\"voice_ur\": \"http://x\"}}}");
    assert!(
        e.starts_with("emu.json: numbers[\"+15551230001\"].voice_ur: unknown field `voice_ur`"),
        "{e}"
    );
    assert!(e.ends_with("(line 2, column 40)"), "{e}");
    let e = error(r#"{"numbers": {"+15551230001": {"behaviour": "bussy"}}}"#);
    assert!(
        e.contains("numbers[\"+15551230001\"].behaviour: unknown variant `bussy`"),
        "{e}"
    );
    let e = error(r#"{"speech_rate_wpm": "fast"}"#);
    assert!(
        e.contains("emu.json: speech_rate_wpm: invalid type: string"),
        "{e}"
    );
    let e = error(r#"{"accounts": [{"sid": "AC"}]}"#);
    assert!(e.contains("accounts[0]: missing field `auth_token`"), "{e}");
    let e = error(r#"{"recogniser": {"noise": 0.5, "sead": 1}}"#);
    assert!(e.contains("recogniser.sead: unknown field `sead`"), "{e}");
    let e = error(r#"{"latencies": {"sync": 40}}"#);
    assert!(e.contains("latencies.sync: unknown field `sync`"), "{e}");
    let e = error(r#"{"latencies": {"sync_ms": -1}}"#);
    assert!(e.contains("latencies.sync_ms: invalid value"), "{e}");
    let defaults = parse("{}").unwrap().latencies;
    assert_eq!((defaults.sync_ms, defaults.function_ms), (0, 0));
    let e = error(r#"{"colour": 1}"#);
    assert!(
        e.contains("emu.json: colour: unknown field `colour`"),
        "{e}"
    );
    let e = error(r#"{"numbers": {"+15551230001": {"voice_method": "PUT"}}}"#);
    assert!(e.contains("voice_method: unknown method `PUT`"), "{e}");
}

#[test]
fn semantic_errors_name_the_json_path() {
    let account = format!(r#""accounts":[{{"sid":"{SID}","auth_token":"t"}}]"#);
    let cases = [
        (
            r#""caller_ids":["5551234"]"#,
            "caller_ids[0]: `5551234` is not an E.164",
        ),
        (
            r#""numbers":{"555":{"hang_up_after_secs":1}}"#,
            "numbers[\"555\"]: `555` is not",
        ),
        (
            r#""numbers":{"+15551230001":{"voice_url":"ftp://x"}}"#,
            "numbers[\"+15551230001\"].voice_url: `ftp://x` is not an absolute http(s) URL",
        ),
        (
            r#""numbers":{"+15551230001":{}}"#,
            "numbers[\"+15551230001\"].voice_url: an answering number needs",
        ),
        (
            r#""numbers":{"+15551230001":{"behaviour":"busy","answer_after_rings":2}}"#,
            "numbers[\"+15551230001\"].answer_after_rings: this number never answers",
        ),
        (
            r#""clients":{"alice":{"studio_flow":"f.json"}}"#,
            "clients.alice.studio_flow: only `numbers` entries run Studio flows",
        ),
        (
            r#""unlisted_numbers":{"behaviour":"failed","voice_url":"http://x/"}"#,
            "unlisted_numbers.voice_url: this number never answers",
        ),
        (
            r#""permitted_prefixes":["44"]"#,
            "permitted_prefixes[0]: `44` is not",
        ),
        (r#""time_scale":0"#, "time_scale: must be above 0, found 0"),
        (
            r#""recogniser":{"noise":1.5}"#,
            "recogniser.noise: must be between 0.0 and 1.0",
        ),
    ];
    for (body, wanted) in cases {
        let e = error(&format!("{{{account},{body}}}"));
        assert!(e.contains(wanted), "{body}: {e}");
        assert!(e.contains("(line 1, column"), "{body}: {e}");
    }
    let e = error(r#"{"accounts":[{"sid":"AC1","auth_token":"t"}]}"#);
    assert!(
        e.contains("accounts[0].sid: `AC1` is not an account SID"),
        "{e}"
    );
}

#[test]
fn the_environment_adds_or_replaces_an_account() {
    let mut env = BTreeMap::new();
    let none = EmulatorConfig::load(None, &env).unwrap_err().to_string();
    assert!(none.contains("no account"), "{none}");
    env.insert("TWILIO_ACCOUNT_SID".to_string(), SID.to_string());
    env.insert("TWILIO_AUTH_TOKEN".to_string(), "from-env".to_string());
    let config = EmulatorConfig::load(None, &env).unwrap();
    assert_eq!(config.account(SID).unwrap().auth_token.expose(), "from-env");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEMO_CONFIG);
    let config = EmulatorConfig::load(Some(&path), &env).unwrap();
    assert_eq!(
        config.accounts.len(),
        1,
        "same SID: the environment's token wins"
    );
    assert_eq!(config.account(SID).unwrap().auth_token.expose(), "from-env");
    env.insert("TWILIO_ACCOUNT_SID".to_string(), "SK123".to_string());
    let bad = EmulatorConfig::load(None, &env).unwrap_err().to_string();
    assert!(
        bad.starts_with("environment: TWILIO_ACCOUNT_SID: `SK123`"),
        "{bad}"
    );
}

#[test]
fn missing_files_and_relative_studio_flows() {
    let missing = Path::new("/nonexistent/emulator.json");
    let e = EmulatorConfig::load(Some(missing), &BTreeMap::new()).unwrap_err();
    assert!(e
        .to_string()
        .contains("cannot read emulator configuration /nonexistent"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emu.json");
    let text = format!(
        r#"{{"accounts":[{{"sid":"{SID}","auth_token":"t"}}],
            "numbers":{{"+15551230001":{{"studio_flow":"flows/main.json"}}}}}}"#
    );
    std::fs::write(&path, text).unwrap();
    let config = EmulatorConfig::load(Some(&path), &BTreeMap::new()).unwrap();
    let flow = config.number("+15551230001").unwrap().studio_flow.clone();
    assert_eq!(flow, Some(dir.path().join("flows/main.json")));
}

#[test]
fn e164_is_plus_and_7_to_15_digits() {
    assert!(is_e164("+1234567"));
    assert!(is_e164("+123456789012345"));
    assert!(!is_e164("+123456"));
    assert!(!is_e164("+1234567890123456"));
    assert!(!is_e164("15551234567"));
    assert!(!is_e164("+1555123456a"));
}

#[test]
fn dialled_parties_are_configured_like_numbers() {
    let config = parse(&format!(
        r#"{{"accounts":[{{"sid":"{SID}","auth_token":"t"}}],
            "clients":{{"alice":{{"voice_url":"http://127.0.0.1:9/agent","answer_after_rings":2}},
                        "sip:bob@example.test":{{"behaviour":"busy"}}}},
            "unlisted_numbers":{{"behaviour":"failed"}}}}"#
    ))
    .expect("valid");
    assert_eq!(config.clients["alice"].rings_before_answer(), 2);
    assert_eq!(
        config.clients["sip:bob@example.test"].behaviour,
        NumberBehaviour::Busy
    );
    assert_eq!(
        config.unlisted_numbers.map(|u| u.behaviour),
        Some(NumberBehaviour::Failed)
    );
    // Absent, an unlisted number rings and is never answered (see the engine's settings).
    assert_eq!(parse("{}").expect("valid").unlisted_numbers, None);
}

#[test]
fn queues_name_an_answering_agent_and_a_size_twilio_allows() {
    let account = format!(r#""accounts":[{{"sid":"{SID}","auth_token":"t"}}]"#);
    let numbers = r#""numbers":{"+15551230001":{"voice_url":"http://127.0.0.1:9/agent"},
                                "+15551230002":{"behaviour":"busy"}}"#;
    let config = parse(&format!(
        r#"{{{account},{numbers},"queues":{{"support":{{"agent":"+15551230001"}},"sales":{{}}}}}}"#
    ))
    .expect("valid");
    assert_eq!(config.queues["support"].answer_after_secs, 0);
    assert_eq!(config.queues["sales"], QueueConfig::default());
    let long = "q".repeat(65);
    let cases = [
        (
            r#"{"support":{"agent":"+15551230009"}}"#.to_string(),
            "queues.support.agent: `+15551230009` is not an answering number under `numbers`",
        ),
        (
            r#"{"support":{"agent":"+15551230002"}}"#.to_string(),
            "queues.support.agent: `+15551230002` is not an answering number",
        ),
        (
            r#"{"support":{"max_size":5001}}"#.to_string(),
            "queues.support.max_size: must be 1 to 5000, found 5001",
        ),
        (
            r#"{"support":{"max_size":0}}"#.to_string(),
            "queues.support.max_size: must be 1 to 5000, found 0",
        ),
        (
            format!(r#"{{"{long}":{{}}}}"#),
            "a queue name has 1 to 64 characters, found 65",
        ),
    ];
    for (queues, wanted) in cases {
        let e = error(&format!(r#"{{{account},{numbers},"queues":{queues}}}"#));
        assert!(e.starts_with("emu.json: "), "{e}");
        assert!(e.contains(wanted), "{queues}: {e}");
        assert!(e.contains("(line "), "{queues}: {e}");
    }
    let e = error(&format!(
        r#"{{{account},"queues":{{"support":{{"agent":"+15551230001","answer_after":3}}}}}}"#
    ));
    assert!(
        e.contains("queues.support.answer_after: unknown field `answer_after`"),
        "{e}"
    );
}

#[test]
fn accounts_take_keys_trial_numbers_and_blocked_countries() {
    let text = format!(
        r#"{{"accounts":[{{"sid":"{SID}","auth_token":"t","trial":true,"status":"suspended",
            "api_keys":[{{"sid":"SK00000000000000000000000000000001","secret":"k"}},
                {{"sid":"SK00000000000000000000000000000002","secret":"m","type":"main"}}],
            "verified_caller_ids":["+15550001111"],
            "phone_numbers":[{{"number":"+15550002222","sms":false}}],
            "voice_countries_disabled":["CU"]}}]}}"#
    );
    let config = parse(&text).unwrap();
    let account = &config.accounts[0];
    assert!(account.trial && account.has_verified("+15550001111"));
    let kinds: Vec<KeyKind> = account.api_keys.iter().map(|k| k.kind).collect();
    assert_eq!(kinds, [KeyKind::Standard, KeyKind::Main]);
    assert_eq!(account.status, AccountStatus::Suspended);
    let owned = account.owned_number("+15550002222").unwrap();
    assert!(owned.voice && !owned.sms);
    assert!(account.blocks_country("cu") && !account.blocks_country("US"));
    assert!(config.account_may_call_from(account, "+15550001111"));
    assert!(!config.account_may_call_from(account, "+15550003333"));

    let secret = r#"{"accounts":[{"sid":"AC00000000000000000000000000000001","auth_token":"t",
        "api_keys":[{"sid":"SK00000000000000000000000000000001","secret":987654321}]}]}"#;
    let e = error(secret);
    assert!(
        e.contains("accounts[0].api_keys[0].secret") && !e.contains("987654321"),
        "{e}"
    );
    let bad = [
        (
            r#""api_keys":[{"sid":"AC1","secret":"k"}]"#,
            "api_keys[0].sid",
        ),
        (
            r#""verified_caller_ids":["5550001111"]"#,
            "verified_caller_ids[0]",
        ),
        (
            r#""phone_numbers":[{"number":"x"}]"#,
            "phone_numbers[0].number",
        ),
        (
            r#""voice_countries_disabled":["Cuba"]"#,
            "voice_countries_disabled[0]",
        ),
    ];
    for (field, at) in bad {
        let e = error(&format!(
            r#"{{"accounts":[{{"sid":"{SID}","auth_token":"t",{field}}}]}}"#
        ));
        assert!(e.contains(&format!("accounts[0].{at}")), "{e}");
    }
}
