//! Shards that measure coverage: `report merge` unites their coverage into a single run's, draws
//! it in the merged HTML report, and holds the union to `--coverage-min`.

use crate::harness::demo::{demo_project, DEMO_CONVOS};
use crate::harness::run::json_report;

#[test]
fn merged_shards_cover_what_a_single_run_covers_and_meet_the_minimum_together() {
    let project = demo_project(&DEMO_CONVOS);
    project
        .run(&[
            "run",
            "convos/",
            "--parallel",
            "5",
            "--coverage",
            "single.json",
        ])
        .expect_code(0);
    for k in 1..=2 {
        let (shard, json) = (format!("{k}/2"), format!("shard-{k}.json"));
        let coverage = format!("shard-{k}.coverage.json");
        // A shard's JSON report carries its coverage, which alone is less than the suite's.
        project
            .run(&[
                "run",
                "convos/",
                "--parallel",
                "3",
                "--shard",
                &shard,
                "--json",
                &json,
                "--coverage",
                &coverage,
            ])
            .expect_code(0);
        let report = json_report(&project, &json);
        let flow = &report["coverage"]["flows"][0];
        let taken = flow["transitions"]
            .as_array()
            .expect("transitions")
            .iter()
            .filter(|t| t["tests"].as_array().is_some_and(|a| !a.is_empty()))
            .count();
        assert!(taken > 0 && taken < 15, "shard {k} took {taken}");
    }
    let merge = |extra: &[&str]| {
        let mut args = vec!["report", "merge", "shard-1.json", "shard-2.json"];
        args.extend_from_slice(extra);
        project.run(&args)
    };
    let out = merge(&[
        "--coverage",
        "merged.json",
        "--html",
        "merged.html",
        "--coverage-min",
        "70",
    ])
    .expect_code(0);
    assert!(
        out.stderr
            .contains("coverage acme-energy: 13 of 13 widgets, 15 of 21 transitions"),
        "{}",
        out.stderr
    );
    assert_eq!(
        json_report(&project, "merged.json"),
        json_report(&project, "single.json"),
        "the union is the single run's coverage, test case by test case"
    );
    let html = std::fs::read_to_string(project.path().join("merged.html")).expect("html");
    assert!(html.contains("<svg") && html.contains("acme-energy"));

    let out = merge(&["--coverage-min", "80"]).expect_code(4);
    assert!(
        out.stderr
            .contains("coverage 71.4% is below --coverage-min 80%"),
        "{}",
        out.stderr
    );
}
