//! The binary on the command line: write files into a temporary project, run `ivr-test` there,
//! look at exit code, stdout, stderr and JSON; and the shared corpus of real scripts.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A temporary folder to run `ivr-test` in.
pub struct Project {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Project {
    /// An empty project.
    pub fn new() -> Project {
        Project {
            dir: tempfile::tempdir().expect("temp dir"),
            env: Vec::new(),
        }
    }

    /// Adds a file (parent folders are created).
    pub fn file(self, rel: &str, text: &str) -> Project {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
        self
    }

    /// Sets an environment variable for the run (the run starts from an empty environment).
    pub fn env(mut self, key: &str, value: &str) -> Project {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The project folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs the binary with these arguments in the project folder.
    pub fn run(&self, args: &[&str]) -> Output {
        run_in(self.dir.path(), args, &self.env)
    }
}

/// Runs the binary in a folder with an otherwise empty environment.
pub fn run_in(dir: &Path, args: &[&str], env: &[(String, String)]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_ivr-test"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("NO_COLOR", "1")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("run ivr-test");
    Output {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Output {
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// Standard output parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts the exit code, showing the output when it differs.
    pub fn expect_code(self, code: i32) -> Output {
        assert_eq!(
            self.code,
            Some(code),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// The shared corpus beside the project checkout, when present. When it is absent the
/// compatibility tests skip (and say so), unless `IVR_TEST_REQUIRE_CORPUS` is set (CI): then
/// they fail.
pub fn corpus() -> Option<PathBuf> {
    corpus_at(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        std::env::var_os("IVR_TEST_REQUIRE_CORPUS").is_some(),
    )
}

/// [`corpus`] at `dir`, `required` or not.
pub fn corpus_at(dir: &Path, required: bool) -> Option<PathBuf> {
    if dir.is_dir() {
        return Some(dir.to_path_buf());
    }
    if required {
        panic!(
            "{} is absent, and IVR_TEST_REQUIRE_CORPUS is set",
            dir.display()
        );
    }
    eprintln!(
        "skipped: {} is absent, so the compatibility tests cannot run \
         (set IVR_TEST_REQUIRE_CORPUS=1 to make this a failure)",
        dir.display()
    );
    None
}
