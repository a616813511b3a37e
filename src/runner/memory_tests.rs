use super::*;

fn settings() -> MemorySettings {
    MemorySettings {
        enabled: true,
        capabilities: [("PROJECTNAME".to_string(), "Acme".to_string())].into(),
        ..MemorySettings::default()
    }
}

fn fixed_now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-07T15:04:05+01:00").expect("time")
}

fn memory(settings: &MemorySettings) -> ScriptingMemory {
    let mut memory = ScriptingMemory::new(Arc::new(settings.clone()), "order status");
    memory.now = fixed_now;
    memory
}

#[test]
fn captures_from_recognised_speech_and_speaks_it_back() {
    let settings = settings();
    let mut memory = memory(&settings);
    memory.capture(
        &["Your order number is $order. Anything else?".into()],
        "your order number is, 4711. anything else?",
    );
    assert_eq!(memory.get("$order"), Some("4711"));
    assert_eq!(
        memory.apply_to_text("status of order $order").as_deref(),
        Ok("status of order 4711")
    );
}

#[test]
fn capture_modes_take_a_token_a_word_or_everything() {
    let heard = "Your booking code is AB-12 for Vienna.";
    let expected = vec!["Your booking code is $code for *".to_string()];
    for (mode, value) in [
        (CaptureMode::NonWhitespace, "AB-12"),
        (CaptureMode::Word, "AB"),
        (CaptureMode::Joker, "AB-12"),
    ] {
        let settings = MemorySettings {
            capture: mode,
            ..settings()
        };
        let mut memory = memory(&settings);
        memory.capture(&expected, heard);
        // `word` stops at the dash, so the text after it no longer fits and nothing is taken.
        let expected_value = if mode == CaptureMode::Word {
            None
        } else {
            Some(value)
        };
        assert_eq!(memory.get("$code"), expected_value, "{mode:?}");
    }
    let settings = MemorySettings {
        capture: CaptureMode::Joker,
        ..settings()
    };
    let mut memory = memory(&settings);
    memory.capture(
        &["You are calling about $topic".into()],
        "You are calling about a new contract.",
    );
    assert_eq!(memory.get("$topic"), Some("a new contract"));
}

#[test]
fn several_variables_and_utterance_alternatives() {
    let settings = settings();
    let mut memory = memory(&settings);
    memory.capture(
        &[
            "I am $months months old".into(),
            "I am $years years old".into(),
        ],
        "I am 3 years old",
    );
    assert_eq!(memory.get("$years"), Some("3"));
    assert_eq!(memory.get("$months"), None);
    memory.capture(&["from $from to $to".into()], "From Vienna to Graz.");
    assert_eq!(
        (memory.get("$from"), memory.get("$to")),
        (Some("Vienna"), Some("Graz"))
    );
}

#[test]
fn function_names_are_never_captured() {
    let settings = settings();
    let mut memory = memory(&settings);
    memory.capture(&["today is $date".into()], "today is Monday");
    assert_eq!(memory.get("$date"), None);
    assert_eq!(memory.apply("$date").as_deref(), Ok("3/7/2026"));
}

#[test]
fn regexp_mode_keeps_the_pattern() {
    let settings = MemorySettings {
        expected_is_regexp: true,
        wildcards: false,
        ..settings()
    };
    let mut memory = memory(&settings);
    memory.capture(
        &[r"balance is \$?$amount dollars".into()],
        "Your balance is $42 dollars",
    );
    assert_eq!(memory.get("$amount"), Some("42"));
}

#[test]
fn text_uses_memory_only_when_enabled_but_arguments_always() {
    let settings = MemorySettings {
        enabled: false,
        ..settings()
    };
    let mut memory = memory(&settings);
    memory.set("pin", "1234");
    memory.capture(&["code $code".into()], "code 99");
    assert_eq!(memory.get("$code"), None, "no capture when disabled");
    assert_eq!(
        memory.apply_to_text("my pin is $pin").as_deref(),
        Ok("my pin is $pin")
    );
    assert_eq!(memory.apply("$pin#").as_deref(), Ok("1234#"));
    assert_eq!(memory.apply("$cap(PROJECTNAME)").as_deref(), Ok("Acme"));
}

#[test]
fn longest_names_first_and_unknown_names_stay() {
    let settings = settings();
    let mut memory = memory(&settings);
    memory.set("year", "short");
    memory.set("$years", "long");
    assert_eq!(
        memory
            .apply("$years and $year and $unknown and $5,750.00")
            .as_deref(),
        Ok("long and short and $unknown and $5,750.00")
    );
    memory.clear("years");
    assert_eq!(memory.apply("$years").as_deref(), Ok("shorts"));
}

#[test]
fn functions_take_arguments_with_variables_and_escaped_parentheses() {
    let settings = settings();
    let mut memory = memory(&settings);
    memory.set("pattern", "YYYY");
    assert_eq!(
        memory.apply("in $date($pattern) (this year)").as_deref(),
        Ok("in 2026 (this year)")
    );
    assert_eq!(memory.apply(r"$date([\)]HH)").as_deref(), Ok(")15"));
    assert_eq!(memory.apply("$testcasename").as_deref(), Ok("order status"));
    assert!(memory
        .apply("$random")
        .unwrap_err()
        .contains("without args"));
}

#[test]
fn secrets_are_never_substituted() {
    let mut caps = Capabilities::default();
    caps.raw.insert(
        "TWILIO_IVR_AUTH_TOKEN".into(),
        Value::String("s3cr3t-token".into()),
    );
    caps.raw
        .insert("PROJECTNAME".into(), Value::String("Acme".into()));
    let env: BTreeMap<String, String> = [
        ("TOKEN_COPY".to_string(), "s3cr3t-token".to_string()),
        ("REGION".to_string(), "eu".to_string()),
    ]
    .into();
    let settings = MemorySettings {
        enabled: true,
        ..MemorySettings::from_caps(&caps, &env)
    };
    let memory = memory(&settings);
    assert!(memory
        .apply("$cap(TWILIO_IVR_AUTH_TOKEN)")
        .unwrap_err()
        .contains("secret"));
    assert_eq!(memory.apply("$env(TOKEN_COPY)").as_deref(), Ok(""));
    assert_eq!(
        memory.apply("$env(REGION) $cap(PROJECTNAME)").as_deref(),
        Ok("eu Acme")
    );
}
