//! `run --shard K/N` and `report merge`: four shards of a 20-convo suite against the emulator
//! run each test case exactly once, and merged they give a single run's report.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::Value;

use crate::harness::emulator::IVR;
use crate::harness::run::{acme_ivr, botium_json, emulated_at, json_report, run, run_emulated};
use crate::harness::Project;
use ivr_test::shard::Shard;

/// 20 convos: keypad and speech to sales, and one that expects the wrong greeting.
fn twenty_convos(mut project: Project) -> Project {
    for i in 0..20 {
        let name = format!("case {i:02}");
        let text = match i % 3 {
            _ if i == 7 => format!("{name}\n\n#bot\nWelcome to Globex\n"),
            0 => format!("{name}\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n"),
            1 => format!("{name}\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 2\n\n#bot\nYour balance is 42 dollars\n"),
            _ => format!("{name}\n\n#bot\npress one for sales\n\n#me\nsales please\n\n#bot\nConnecting you to sales\n"),
        };
        project = project.file(&format!("convos/case{i:02}.convo.txt"), &text);
    }
    project
}

/// Keys whose values differ between two runs of one suite: durations and times, call SIDs.
const TIMINGS: &[&str] = &["started_at", "call_sid"];

/// What the calls heard, which may differ between two runs of one suite on a loaded machine (a
/// prompt cut short, an answer timed differently); compared against the shards' own reports
/// instead.
const HEARD: &[&str] = &[
    "transcript",
    "heard",
    "heard_display",
    "closest_passage",
    "similarity",
    "confidence",
    "message",
];

/// `value` without the `*_ms` keys and those in `drop`, at any depth.
fn without(mut value: Value, drop: &[&str]) -> Value {
    match &mut value {
        Value::Object(map) => {
            map.retain(|key, _| !key.ends_with("_ms") && !drop.contains(&key.as_str()));
            for (_, v) in map.iter_mut() {
                *v = without(v.take(), drop);
            }
        }
        Value::Array(items) => {
            for v in items.iter_mut() {
                *v = without(v.take(), drop);
            }
        }
        _ => {}
    }
    value
}

fn indices(report: &Value) -> Vec<u64> {
    report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .filter_map(|t| t["index"].as_u64())
        .collect()
}

#[tokio::test]
async fn four_shards_run_each_case_once_and_merge_into_a_single_runs_report() {
    let ivr = acme_ivr().await;
    let project = twenty_convos(emulated_at(&ivr, &botium_json(IVR), 10.0));

    let single = run_emulated(&project, &["--parallel", "4", "--json", "single.json"]).await;
    single.expect_code(1);
    let single = json_report(&project, "single.json");
    assert_eq!(single["suite"]["shard"], Value::Null);
    assert_eq!(single["suite"]["test_cases"], 20);

    let shards = futures_util::future::join_all((1..=4).map(|k| {
        let project = &project;
        async move {
            let shard = format!("{k}/4");
            let json = format!("shard-{k}.json");
            let out = run_emulated(
                project,
                &["--parallel", "2", "--shard", &shard, "--json", &json],
            )
            .await;
            (k, out)
        }
    }))
    .await;
    let mut seen: Vec<u64> = Vec::new();
    for (k, out) in &shards {
        let report = json_report(&project, &format!("shard-{k}.json"));
        let ran = indices(&report);
        assert!(
            out.stderr
                .contains(&format!("shard {k}/4: {} of 20 test cases", ran.len())),
            "{}",
            out.stderr
        );
        assert_eq!(ran.len(), 5, "balanced by count: {ran:?}");
        assert_eq!(
            report["suite"]["shard"],
            serde_json::json!({"index": k, "count": 4})
        );
        assert_eq!(
            report["suite"]["fingerprint"],
            single["suite"]["fingerprint"]
        );
        assert_eq!(
            report["suite"]["configuration"],
            single["suite"]["configuration"]
        );
        // Each shard's test cases keep their index in the whole suite, by name.
        for test in report["tests"].as_array().expect("tests") {
            let index = test["index"].as_u64().expect("index") as usize;
            assert_eq!(test["name"], single["tests"][index]["name"]);
        }
        seen.extend(ran);
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (0..20).collect::<Vec<u64>>(),
        "each test case exactly once"
    );
    assert_eq!(indices(&single), seen);

    // Balanced by the single run's durations: the shard runs what the assignment says.
    let tests = single["tests"].as_array().expect("tests");
    let names: Vec<&str> = tests.iter().filter_map(|t| t["name"].as_str()).collect();
    let durations: BTreeMap<String, Duration> = tests
        .iter()
        .filter_map(|t| {
            Some((
                t["name"].as_str()?.to_string(),
                Duration::from_millis(t["duration_ms"].as_u64()?),
            ))
        })
        .collect();
    let expected: Vec<u64> = Shard { index: 1, count: 4 }
        .select(&names, Some(&durations))
        .into_iter()
        .map(|i| i as u64)
        .collect();
    run_emulated(
        &project,
        &[
            "--parallel",
            "2",
            "--shard",
            "1/4",
            "--shard-durations",
            "single.json",
            "--json",
            "by-duration.json",
        ],
    )
    .await;
    let by_duration = json_report(&project, "by-duration.json");
    assert_eq!(indices(&by_duration), expected);

    let merge = |args: &[&str]| {
        let args: Vec<&str> = [&["report", "merge"][..], args].concat();
        project.run(&args)
    };
    let out = merge(&[
        "shard-3.json",
        "shard-1.json",
        "shard-4.json",
        "shard-2.json",
        "--json",
        "merged.json",
        "--junit",
        "merged.xml",
    ])
    .expect_code(1);
    assert!(
        out.stderr.contains("case 07"),
        "the failure is shown: {}",
        out.stderr
    );
    let merged = json_report(&project, "merged.json");
    let both: Vec<&str> = [TIMINGS, HEARD].concat();
    assert_eq!(
        without(merged.clone(), &both),
        without(single.clone(), &both)
    );
    // Every test case of the merged report is the shard's, heard words and times included.
    for (k, _) in &shards {
        let shard = json_report(&project, &format!("shard-{k}.json"));
        for test in shard["tests"].as_array().expect("tests") {
            let index = test["index"].as_u64().expect("index") as usize;
            assert_eq!(&merged["tests"][index], test, "shard {k}");
        }
    }
    let junit = std::fs::read_to_string(project.path().join("merged.xml")).expect("junit");
    assert!(
        junit.contains(r#"tests="20""#) && junit.contains(r#"failures="1""#),
        "{junit}"
    );
    let names: BTreeSet<&str> = junit
        .match_indices("<testcase name=\"")
        .map(|(at, m)| {
            let rest = &junit[at + m.len()..];
            &rest[..rest.find('"').unwrap_or(0)]
        })
        .collect();
    assert_eq!(names.len(), 20, "{names:?}");

    // Refusals, each naming the files, before anything is written.
    let out = merge(&["shard-1.json", "shard-2.json", "shard-3.json"]).expect_code(2);
    assert!(
        out.stderr.contains("shard 4/4 is missing"),
        "{}",
        out.stderr
    );
    let out = merge(&[
        "shard-1.json",
        "shard-2.json",
        "shard-2.json",
        "shard-4.json",
    ])
    .expect_code(2);
    assert!(
        out.stderr
            .contains("shard-2.json and shard-2.json are both shard 2/4"),
        "{}",
        out.stderr
    );
    let out = merge(&["shard-1.json", "single.json"]).expect_code(2);
    assert!(
        out.stderr
            .contains("shard-1.json is a shard of 4 but single.json is a shard of 1"),
        "{}",
        out.stderr
    );
    let mut other_config = json_report(&project, "shard-4.json");
    other_config["suite"]["configuration"] = "sha256:00".into();
    std::fs::write(
        project.path().join("other-config.json"),
        other_config.to_string(),
    )
    .expect("write");
    let out = merge(&[
        "shard-1.json",
        "shard-2.json",
        "shard-3.json",
        "other-config.json",
    ])
    .expect_code(2);
    assert!(
        out.stderr
            .contains("shard-1.json and other-config.json were run with different configurations"),
        "{}",
        out.stderr
    );
    std::fs::write(
        project.path().join("not-a-report.json"),
        "{\n \"tests\": 3\n}\n",
    )
    .expect("write");
    let out = merge(&["shard-1.json", "not-a-report.json"]).expect_code(2);
    assert!(
        out.stderr
            .contains("not-a-report.json: not an ivr-test JSON report")
            && out.stderr.contains("line 2 column"),
        "{}",
        out.stderr
    );

    // A shard of another suite: another project's empty shard, which passes without dialing.
    let other = Project::new().file("botium.json", &botium_json(IVR)).file(
        "convos/one.convo.txt",
        "only one\n\n#bot\nWelcome to Acme*\n",
    );
    let empty = (1..=2)
        .find(|&k| {
            Shard { index: k, count: 2 }
                .select(&["only one"], None)
                .is_empty()
        })
        .expect("one of two shards is empty");
    let shard = format!("{empty}/2");
    let out = run(
        &other,
        &["run", "convos", "--shard", &shard, "--json", "other.json"],
    )
    .await
    .expect_code(0);
    assert!(
        out.stderr.contains(&format!(
            "shard {shard}: 0 of 1 test cases (nothing to run: this shard passes)"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(json_report(&other, "other.json")["summary"]["total"], 0);
    std::fs::copy(
        other.path().join("other.json"),
        project.path().join("other-suite.json"),
    )
    .expect("copy");
    let out = merge(&[
        "shard-1.json",
        "shard-2.json",
        "shard-3.json",
        "other-suite.json",
    ])
    .expect_code(2);
    assert!(
        out.stderr
            .contains("shard-1.json and other-suite.json are reports of different suites"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn bad_shard_arguments_exit_2_before_dialing() {
    let project = Project::new()
        .file("botium.json", &botium_json(IVR))
        .file("convos/a.convo.txt", "a\n\n#bot\nhello\n");
    for bad in ["5/4", "0/4", "two/4"] {
        let out = run(&project, &["run", "convos", "--shard", bad])
            .await
            .expect_code(2);
        assert!(out.stderr.contains("--shard"), "{}", out.stderr);
    }
    let out = run(
        &project,
        &[
            "run",
            "convos",
            "--shard",
            "1/2",
            "--shard-durations",
            "missing.json",
        ],
    )
    .await
    .expect_code(2);
    assert!(
        out.stderr.contains("--shard-durations") && out.stderr.contains("missing.json"),
        "{}",
        out.stderr
    );
}
