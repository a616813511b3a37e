//! The repository's own demo (`botium.json`, `fixtures/`, `convos/`), run where it is or copied
//! into a project so that a test may change one of its files.

use std::path::Path;

use super::Project;

/// The demo's five convos, by file stem.
pub const DEMO_CONVOS: [&str; 5] = [
    "address_by_sms",
    "agent",
    "balance_by_keypad",
    "balance_by_speech",
    "no_input",
];

/// The repository's root, where the demo runs as a new user runs it.
pub fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the repository.
pub fn read(path: &str) -> String {
    std::fs::read_to_string(repository().join(path)).expect(path)
}

/// A project with the demo's configuration, emulator and flow, and those of its convos named.
pub fn demo_project(convos: &[&str]) -> Project {
    let mut project = Project::new();
    for path in [
        "botium.json",
        "fixtures/demo-emulator.json",
        "fixtures/acme-energy.flow.json",
    ] {
        project = project.file(path, &read(path));
    }
    for name in convos {
        let path = format!("convos/{name}.convo.txt");
        project = project.file(&path, &read(&path));
    }
    project
}
