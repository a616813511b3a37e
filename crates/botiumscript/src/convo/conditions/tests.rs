use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{json, Value};

use super::*;

/// A fixed instant, e.g. `at("2023-08-21T10:00:00Z")` (a Monday).
fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("test instant")
        .with_timezone(&Utc)
}

fn parse(name: &str, json: &str) -> Result<StepCondition, ConditionError> {
    StepCondition::parse(name, &[json.to_string()])
}

fn cond(name: &str, json: &str) -> StepCondition {
    parse(name, json).expect("valid condition")
}

fn no_caps(_: &str) -> Option<Value> {
    None
}

/// Whether `condition` holds at each instant (UTC wall clock when it has no `timeZone`).
fn holds_at(condition: &StepCondition, instants: &[&str]) -> Vec<bool> {
    instants
        .iter()
        .map(|t| {
            condition
                .holds(&at(t), &no_caps)
                .expect("no capability involved")
        })
        .collect()
}

mod time_based {
    use super::*;

    #[test]
    fn inside_and_outside_the_window_to_the_minute() {
        let c = cond(TIME_BASED, r#"{"start":"8:00","end":"16:30"}"#);
        let instants = [
            "2023-08-21T10:00:00Z",
            "2023-08-21T08:00:00Z",
            "2023-08-21T16:30:00Z",
            "2023-08-21T16:30:59Z",
            "2023-08-21T16:31:00Z",
            "2023-08-21T07:59:59Z",
        ];
        assert_eq!(
            holds_at(&c, &instants),
            [true, true, true, true, false, false]
        );
    }

    #[test]
    fn a_window_with_start_after_end_wraps_midnight() {
        let c = cond(TIME_BASED, r#"{ "start":"16:31", "end": "7:59" }"#);
        let instants = [
            "2023-08-21T17:00:00Z",
            "2023-08-21T05:00:00Z",
            "2023-08-21T16:31:00Z",
            "2023-08-21T07:59:00Z",
            "2023-08-21T00:00:00Z",
            "2023-08-21T16:30:00Z",
            "2023-08-21T12:00:00Z",
            "2023-08-21T08:00:00Z",
        ];
        let expected = [true, true, true, true, true, false, false, false];
        assert_eq!(holds_at(&c, &instants), expected);
    }

    #[test]
    fn the_two_windows_of_botiums_sample_split_the_day() {
        let open = cond(TIME_BASED, r#"{ "start":"8:00", "end": "16:30" }"#);
        let closed = cond(TIME_BASED, r#"{ "start":"16:31", "end": "7:59" }"#);
        for minute in 0..24 * 60 {
            let t = at("2023-08-21T00:00:00Z") + chrono::Duration::minutes(minute);
            let (o, c) = (
                open.holds(&t, &no_caps).expect("time"),
                closed.holds(&t, &no_caps).expect("time"),
            );
            assert!(o != c, "exactly one holds at {t}");
        }
    }

    #[test]
    fn start_equal_to_end_holds_all_day() {
        let c = cond(TIME_BASED, r#"{"start":"8:00","end":"08:00"}"#);
        let instants = [
            "2023-08-21T08:00:00Z",
            "2023-08-21T07:59:00Z",
            "2023-08-21T20:00:00Z",
        ];
        assert_eq!(holds_at(&c, &instants), [true, true, true]);
    }

    #[test]
    fn the_time_zone_shifts_the_answer() {
        let vienna = cond(
            TIME_BASED,
            r#"{"start":"8:00","end":"16:30","timeZone":"Europe/Vienna"}"#,
        );
        let utc = cond(TIME_BASED, r#"{"start":"8:00","end":"16:30"}"#);
        // 07:30 UTC is 09:30 in Vienna in summer (UTC+2).
        assert_eq!(holds_at(&vienna, &["2023-08-21T07:30:00Z"]), [true]);
        assert_eq!(holds_at(&utc, &["2023-08-21T07:30:00Z"]), [false]);
        // 15:00 UTC is 17:00 in Vienna: closed there, open in UTC.
        assert_eq!(holds_at(&vienna, &["2023-08-21T15:00:00Z"]), [false]);
        assert_eq!(holds_at(&utc, &["2023-08-21T15:00:00Z"]), [true]);
        // Daylight saving: 06:30 UTC is 08:30 in August, 07:30 in January.
        let dst = ["2023-08-21T06:30:00Z", "2023-01-16T06:30:00Z"];
        assert_eq!(holds_at(&vienna, &dst), [true, false]);
    }

    #[test]
    fn without_a_time_zone_the_wall_clock_of_now_counts() {
        let c = cond(TIME_BASED, r#"{"start":"8:00","end":"16:30"}"#);
        let utc = at("2023-08-21T07:30:00Z");
        let plus_two = utc.with_timezone(&FixedOffset::east_opt(2 * 3600).expect("offset"));
        assert!(!c.holds(&utc, &no_caps).expect("time"));
        assert!(c.holds(&plus_two, &no_caps).expect("time"));
    }

    #[test]
    fn zone_names_are_matched_regardless_of_case() {
        let c = cond(
            TIME_BASED,
            r#"{"start":"8:00","end":"16:30","timeZone":"america/new_york"}"#,
        );
        // 13:00 UTC is 09:00 in New York in August.
        assert_eq!(
            holds_at(&c, &["2023-08-21T13:00:00Z", "2023-08-21T11:00:00Z"]),
            [true, false]
        );
    }

    #[test]
    fn the_group_id_is_the_second_argument_and_optional() {
        let json = r#"{"start":"8:00","end":"16:30"}"#.to_string();
        let grouped = StepCondition::parse(TIME_BASED, &[json.clone(), "G1".into()]);
        assert_eq!(grouped.expect("valid").group.as_deref(), Some("G1"));
        let alone = StepCondition::parse(TIME_BASED, &[json]);
        assert_eq!(alone.expect("valid").group, None);
    }
}

mod business_hours {
    use super::*;

    const WEEKDAYS: &str = r#"["Monday","Tuesday","Wednesday","Thursday","Friday"]"#;

    #[test]
    fn days_and_window_both_count() {
        let c = cond(
            BUSINESS_HOURS,
            &format!(r#"{{"days":{WEEKDAYS},"start":"8:00","end":"16:00"}}"#),
        );
        // 2023-08-21 is a Monday, 08-20 a Sunday, 08-25 a Friday.
        let instants = [
            "2023-08-21T10:00:00Z",
            "2023-08-21T08:00:00Z",
            "2023-08-21T16:00:00Z",
            "2023-08-21T16:01:00Z",
            "2023-08-20T10:00:00Z",
            "2023-08-25T16:01:00Z",
        ];
        assert_eq!(
            holds_at(&c, &instants),
            [true, true, true, false, false, false]
        );
    }

    #[test]
    fn a_wrapping_window_checks_the_weekday_of_now() {
        let c = cond(
            BUSINESS_HOURS,
            &format!(r#"{{"days":{WEEKDAYS},"start":"16:01","end":"7:59"}}"#),
        );
        let instants = [
            "2023-08-21T17:00:00Z", // Monday evening
            "2023-08-21T05:00:00Z", // Monday early morning: Monday is listed
            "2023-08-25T23:00:00Z", // Friday night
            "2023-08-21T16:00:00Z", // Monday, outside the window
            "2023-08-20T23:00:00Z", // Sunday night: Sunday is not listed
            "2023-08-26T05:00:00Z", // Saturday morning, after Friday night
        ];
        assert_eq!(
            holds_at(&c, &instants),
            [true, true, true, false, false, false]
        );
    }

    #[test]
    fn days_alone_hold_all_day() {
        let c = cond(BUSINESS_HOURS, r#"{ "days": ["Saturday", "Sunday"] }"#);
        let instants = [
            "2023-08-20T17:00:00Z",
            "2023-08-19T00:00:00Z",
            "2023-08-21T16:01:00Z",
            "2023-08-25T23:59:59Z",
        ];
        assert_eq!(holds_at(&c, &instants), [true, true, false, false]);
    }

    #[test]
    fn a_window_alone_holds_every_day() {
        for json in [
            r#"{"start":"8:00","end":"16:00"}"#,
            r#"{"start":"8:00","end":"16:00","days":[]}"#,
        ] {
            let c = cond(BUSINESS_HOURS, json);
            let instants = [
                "2023-08-20T10:00:00Z",
                "2023-08-21T10:00:00Z",
                "2023-08-21T17:00:00Z",
            ];
            assert_eq!(holds_at(&c, &instants), [true, true, false], "{json}");
        }
    }

    #[test]
    fn the_weekday_is_taken_in_the_time_zone() {
        let c = cond(
            BUSINESS_HOURS,
            r#"{"days":["Monday"],"timeZone":"Europe/Vienna"}"#,
        );
        // Sunday 23:30 UTC is Monday 01:30 in Vienna; Monday 23:30 UTC is already Tuesday there.
        let instants = ["2023-08-20T23:30:00Z", "2023-08-21T23:30:00Z"];
        assert_eq!(holds_at(&c, &instants), [true, false]);
        let utc = cond(BUSINESS_HOURS, r#"{"days":["Monday"]}"#);
        assert_eq!(holds_at(&utc, &instants), [false, true]);
    }
}

mod capability_value {
    use super::*;

    fn holds_with(json: &str, cap: Option<Value>) -> Result<bool, EvalError> {
        let c = cond(CAPABILITY_VALUE_BASED, json);
        let caps = move |name: &str| (name == "CAP").then(|| cap.clone()).flatten();
        c.holds(&at("2023-08-21T10:00:00Z"), &caps)
    }

    #[test]
    fn compares_the_value_like_javascripts_strict_equality() {
        let text = r#"{"capabilityName":"CAP","value":"echo1"}"#;
        assert_eq!(holds_with(text, Some(json!("echo1"))), Ok(true));
        assert_eq!(holds_with(text, Some(json!("echo2"))), Ok(false));
        assert_eq!(holds_with(text, Some(json!("Echo1"))), Ok(false));
        assert_eq!(holds_with(text, None), Ok(false));
        let one = r#"{"capabilityName":"CAP","value":1}"#;
        assert_eq!(holds_with(one, Some(json!(1))), Ok(true));
        assert_eq!(holds_with(one, Some(json!(1.0))), Ok(true));
        assert_eq!(holds_with(one, Some(json!("1"))), Ok(false));
        let yes = r#"{"capabilityName":"CAP","value":true}"#;
        assert_eq!(holds_with(yes, Some(json!(true))), Ok(true));
        assert_eq!(holds_with(yes, Some(json!("true"))), Ok(false));
        let null = r#"{"capabilityName":"CAP","value":null}"#;
        assert_eq!(holds_with(null, Some(Value::Null)), Ok(true));
        assert_eq!(holds_with(null, None), Ok(false));
    }

    #[test]
    fn a_json_path_looks_into_an_object_or_its_json_text() {
        let json = r#"{"capabilityName":"CAP","jsonPath":"$.env.name","value":"prod"}"#;
        let object = json!({"env": {"name": "prod"}});
        assert_eq!(holds_with(json, Some(object)), Ok(true));
        let text = json!(r#"{"env":{"name":"prod"}}"#);
        assert_eq!(holds_with(json, Some(text)), Ok(true));
        assert_eq!(
            holds_with(json, Some(json!({"env": {"name": "test"}}))),
            Ok(false)
        );
        assert_eq!(holds_with(json, Some(json!({"env": {}}))), Ok(false));
        assert_eq!(holds_with(json, Some(json!({"env": "prod"}))), Ok(false));
    }

    #[test]
    fn a_json_path_indexes_lists_and_quoted_keys() {
        let cap = Some(json!({"lines": [{"a key": "x"}, {"a key": "y"}], "0": "zero"}));
        let path = |p: &str| format!(r#"{{"capabilityName":"CAP","jsonPath":"{p}","value":"y"}}"#);
        assert_eq!(
            holds_with(&path("$.lines[1]['a key']"), cap.clone()),
            Ok(true)
        );
        assert_eq!(
            holds_with(&path(r#"$[\"lines\"].1[\"a key\"]"#), cap.clone()),
            Ok(true)
        );
        assert_eq!(
            holds_with(&path("$.lines[0]['a key']"), cap.clone()),
            Ok(false)
        );
        assert_eq!(
            holds_with(&path("$.lines[7]['a key']"), cap.clone()),
            Ok(false)
        );
        let zero = r#"{"capabilityName":"CAP","jsonPath":"$[0]","value":"zero"}"#;
        assert_eq!(holds_with(zero, cap.clone()), Ok(true));
        let root = r#"{"capabilityName":"CAP","jsonPath":"$","value":"y"}"#;
        assert_eq!(holds_with(root, cap), Ok(false));
    }

    #[test]
    fn a_json_path_into_a_missing_or_scalar_capability_is_an_error() {
        let json = r#"{"capabilityName":"CAP","jsonPath":"$.a","value":"x"}"#;
        let missing = holds_with(json, None);
        assert_eq!(
            missing,
            Err(EvalError::CapabilityMissing { name: "CAP".into() })
        );
        let not_json = holds_with(json, Some(json!("plain text")));
        assert!(
            matches!(not_json, Err(EvalError::CapabilityNotJson { .. })),
            "{not_json:?}"
        );
        for scalar in [json!(5), json!("5"), json!(true), Value::Null] {
            let err = holds_with(json, Some(scalar)).expect_err("scalar");
            assert!(
                matches!(err, EvalError::CapabilityNotContainer { .. }),
                "{err:?}"
            );
            assert!(err.to_string().contains("CAP"), "{err}");
        }
    }
}

mod errors;
