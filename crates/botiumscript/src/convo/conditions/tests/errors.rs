//! Every parse error, with a message a user can act on.

use super::*;

fn err(name: &str, json: &str) -> ConditionError {
    parse(name, json).expect_err("invalid condition")
}

#[test]
fn unknown_hook_names_the_known_ones() {
    let e = err("CONDITIONAL_STEP_JSON_PATH_BASED", "{}");
    assert!(matches!(e, ConditionError::UnknownHook { .. }));
    assert!(e.to_string().contains(TIME_BASED), "{e}");
    assert!(!StepCondition::is_condition_hook("PAUSE"));
    assert!(HOOKS.iter().all(|h| StepCondition::is_condition_hook(h)));
}

#[test]
fn the_arguments_must_be_json_then_an_optional_group() {
    let e = StepCondition::parse(TIME_BASED, &[]).expect_err("no args");
    assert!(matches!(e, ConditionError::MissingParams { .. }));
    assert!(e.to_string().contains(r#""start":"8:00""#), "{e}");
    assert!(matches!(
        err(TIME_BASED, "  "),
        ConditionError::MissingParams { .. }
    ));
    let json = r#"{"start":"8:00","end":"9:00"}"#.to_string();
    let e = StepCondition::parse(TIME_BASED, &[json.clone(), String::new()]).expect_err("empty");
    assert_eq!(e, ConditionError::EmptyGroup);
    let three = [json, "G1".into(), "x".into()];
    let e = StepCondition::parse(TIME_BASED, &three).expect_err("three");
    assert_eq!(e, ConditionError::TooManyArgs { count: 3 });
    assert!(e.to_string().contains(r"\|"), "{e}");
}

#[test]
fn bad_json_says_where_in_the_json() {
    let e = err(TIME_BASED, r#"{"start":"8:00" "end":"9:00"}"#);
    let ConditionError::BadJson { column, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*column, 17);
    assert!(e.to_string().contains("character 17"), "{e}");
    assert!(!e.to_string().contains("line 1"), "{e}");
    let e = err(BUSINESS_HOURS, r#"["Monday"]"#);
    assert!(
        matches!(
            e,
            ConditionError::NotAnObject {
                found: "a list",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn unknown_keys_are_refused_with_a_suggestion() {
    let e = err(
        TIME_BASED,
        r#"{"start":"8:00","end":"9:00","timezone":"UTC"}"#,
    );
    assert!(matches!(&e, ConditionError::UnknownKey { key, .. } if key == "timezone"));
    assert!(e.to_string().contains(r#"did you mean "timeZone"?"#), "{e}");
    let e = err(
        TIME_BASED,
        r#"{"start":"8:00","end":"9:00","days":["Monday"]}"#,
    );
    assert!(
        matches!(&e, ConditionError::UnknownKey { key, .. } if key == "days"),
        "{e:?}"
    );
    let e = err(CAPABILITY_VALUE_BASED, r#"{"capability":"X","value":"y"}"#);
    assert!(e.to_string().contains("capabilityName"), "{e}");
}

#[test]
fn start_and_end_are_required_strings_of_the_form_h_mm() {
    let e = err(TIME_BASED, r#"{"end":"9:00"}"#);
    assert!(
        matches!(e, ConditionError::MissingKey { key: "start", .. }),
        "{e:?}"
    );
    let e = err(TIME_BASED, r#"{"start":"8:00"}"#);
    assert!(
        matches!(e, ConditionError::MissingKey { key: "end", .. }),
        "{e:?}"
    );
    let e = err(TIME_BASED, r#"{"start":8,"end":"9:00"}"#);
    assert_eq!(
        e,
        ConditionError::NotAString {
            key: "start",
            found: "a number"
        }
    );
    for bad in [
        "8", "8:5", "8:60", "24:00", "-1:00", "8am", "8:00:00", "08h00", "", "123:00",
    ] {
        let e = err(TIME_BASED, &format!(r#"{{"start":"{bad}","end":"9:00"}}"#));
        assert!(matches!(&e, ConditionError::BadTime { key: "start", value } if value == bad));
        assert!(e.to_string().contains("H:MM"), "{e}");
    }
    for good in ["0:00", "08:00", "23:59", " 7:30 "] {
        assert!(parse(TIME_BASED, &format!(r#"{{"start":"{good}","end":"9:00"}}"#)).is_ok());
    }
}

#[test]
fn business_hours_need_a_whole_window_or_days() {
    let e = err(BUSINESS_HOURS, r#"{"start":"8:00","days":["Monday"]}"#);
    assert_eq!(
        e,
        ConditionError::HalfWindow {
            given: "start",
            missing: "end"
        }
    );
    let e = err(BUSINESS_HOURS, r#"{"end":"8:00"}"#);
    assert!(matches!(e, ConditionError::HalfWindow { given: "end", .. }));
    assert_eq!(
        err(BUSINESS_HOURS, r#"{"days":[]}"#),
        ConditionError::NothingToCheck
    );
    assert_eq!(err(BUSINESS_HOURS, "{}"), ConditionError::NothingToCheck);
}

#[test]
fn days_must_be_a_list_of_exact_english_names() {
    let e = err(BUSINESS_HOURS, r#"{"days":"Monday"}"#);
    assert_eq!(e, ConditionError::DaysNotAList { found: "a string" });
    let e = err(BUSINESS_HOURS, r#"{"days":["Monday",1]}"#);
    assert!(matches!(e, ConditionError::DaysNotAList { .. }));
    for (day, hint) in [
        ("monday", "Monday"),
        ("Tues", "Tuesday"),
        ("SUNDAY", "Sunday"),
    ] {
        let e = err(BUSINESS_HOURS, &format!(r#"{{"days":["{day}"]}}"#));
        assert!(matches!(&e, ConditionError::UnknownDay { day: d, .. } if d == day));
        assert!(
            e.to_string()
                .contains(&format!(r#"did you mean "{hint}"?"#)),
            "{e}"
        );
    }
    let e = err(BUSINESS_HOURS, r#"{"days":["Montag"]}"#);
    assert!(e.to_string().contains("\"Montag\""), "{e}");
}

#[test]
fn an_unknown_time_zone_is_named() {
    for hook in [TIME_BASED, BUSINESS_HOURS] {
        let e = err(
            hook,
            r#"{"start":"8:00","end":"9:00","timeZone":"Europe/Viena"}"#,
        );
        assert!(matches!(&e, ConditionError::UnknownZone { zone, .. } if zone == "Europe/Viena"));
        let message = e.to_string();
        assert!(message.contains("\"Europe/Viena\""), "{message}");
        assert!(
            message.contains(r#"did you mean "Europe/Vienna"?"#),
            "{message}"
        );
    }
    let e = err(TIME_BASED, r#"{"start":"8:00","end":"9:00","timeZone":""}"#);
    assert!(
        matches!(&e, ConditionError::UnknownZone { hint, .. } if hint.is_empty()),
        "{e}"
    );
    let e = err(
        TIME_BASED,
        r#"{"start":"8:00","end":"9:00","timeZone":"CEST"}"#,
    );
    assert!(matches!(e, ConditionError::UnknownZone { .. }), "{e}");
    let e = err(TIME_BASED, r#"{"start":"8:00","end":"9:00","timeZone":1}"#);
    assert!(matches!(
        e,
        ConditionError::NotAString {
            key: "timeZone",
            ..
        }
    ));
}

#[test]
fn capability_conditions_need_a_name_and_a_comparable_value() {
    let e = err(CAPABILITY_VALUE_BASED, r#"{"value":"x"}"#);
    assert!(matches!(
        e,
        ConditionError::MissingKey {
            key: "capabilityName",
            ..
        }
    ));
    let e = err(CAPABILITY_VALUE_BASED, r#"{"capabilityName":"X"}"#);
    assert!(matches!(e, ConditionError::MissingKey { key: "value", .. }));
    let e = err(
        CAPABILITY_VALUE_BASED,
        r#"{"capabilityName":" ","value":"x"}"#,
    );
    assert_eq!(e, ConditionError::EmptyCapabilityName);
    let e = err(
        CAPABILITY_VALUE_BASED,
        r#"{"capabilityName":["X"],"value":"x"}"#,
    );
    assert!(matches!(
        e,
        ConditionError::NotAString {
            key: "capabilityName",
            ..
        }
    ));
    for (value, found) in [(r#"{"a":1}"#, "an object"), ("[1]", "a list")] {
        let json = format!(r#"{{"capabilityName":"X","value":{value}}}"#);
        let e = err(CAPABILITY_VALUE_BASED, &json);
        assert_eq!(e, ConditionError::UnmatchableValue { found });
        assert!(e.to_string().contains("==="), "{e}");
    }
}

#[test]
fn json_paths_beyond_simple_steps_are_refused() {
    let cases = [
        ("a.b", "start with `$`"),
        ("$..a", "recursive descent"),
        ("$.*", "wildcards"),
        ("$[*]", "wildcards"),
        ("$.a[?(@.b)]", "filter"),
        ("$.a[0:2]", "slices"),
        ("$.a[0,1]", "unions"),
        ("$.a[-1]", "negative"),
        ("$.a.", "ends with"),
        ("$.a[0", "not closed"),
        ("$.a[]", "empty"),
        ("$a", "unexpected `a`"),
        ("$['it\\'s']", "quotes or backslashes"),
    ];
    for (path, reason) in cases {
        let json = serde_json::json!({"capabilityName": "X", "value": "y", "jsonPath": path});
        let e = err(CAPABILITY_VALUE_BASED, &json.to_string());
        assert!(
            matches!(&e, ConditionError::BadJsonPath { path: p, .. } if p == path),
            "{e:?}"
        );
        let message = e.to_string();
        assert!(message.contains(reason), "{path}: {message}");
        assert!(message.contains("$.a.b"), "{message}");
    }
}
