//! The README's first command: the demo suite in `convos/` against the demo IVR (a Studio flow
//! in `fixtures/`), on the built-in emulator, as a new user runs it on a fresh clone.

use crate::harness::demo::{demo_project, read, repository};
use crate::harness::run_in;

#[test]
fn the_demo_suite_passes_on_the_built_in_emulator() {
    let out = run_in(repository(), &["run", "convos/", "--parallel", "5"], &[]).expect_code(0);
    assert!(
        out.stderr.contains("5 test cases in ")
            && out.stderr.contains(": 5 passed, 0 failed, 0 errors"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_wrong_expectation_in_a_demo_test_fails_with_a_readable_diff() {
    let wrong = read("convos/balance_by_keypad.convo.txt")
        .replace("42 dollars and 17 cents", "24 dollars and 71 cents");
    // Only the changed convo: the others' calls would add nothing to what is checked.
    let project = demo_project(&[]).file("convos/balance_by_keypad.convo.txt", &wrong);
    let out = project.run(&["run", "convos/"]).expect_code(1);
    for line in [
        "step:       convos/balance_by_keypad.convo.txt:15",
        "expected:   Account 1 2 3 4 5 6. Your balance is 24 dollars and 71 cents.",
        "heard:      Account 1 2 3 4 5 6. Your balance is 42 dollars and 17 cents.",
        "diff:       Account 1 2 3 4 5 6. Your balance is [-24-]{+42+} dollars and [-71-]{+17+} cents.",
    ] {
        assert!(out.stderr.contains(line), "{line}\n{}", out.stderr);
    }
}
