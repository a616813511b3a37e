//! `ivr-test check` and botium-core's compiler timed side by side on the same folder, each as
//! a whole process (start-up included). Each side's runs follow one another: a run right after
//! Node.js exits pays for the system reclaiming Node's memory (`check` measured 40% slower).
//!
//! The botium side needs Node.js: botium-core 1.15 is installed once with npm into
//! `target/botium-core/` (gitignored); without node or npm that side is skipped, saying why.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The botium-core release line the comparison is against.
const BOTIUM_CORE: &str = "botium-core@1.15";

/// A command to time, with what it read as the suite's test case count.
struct Side {
    label: String,
    command: Command,
    test_cases: fn(&str) -> Option<usize>,
}

impl Side {
    fn run(&mut self) -> Result<(Duration, usize), String> {
        let started = Instant::now();
        let output = self
            .command
            .output()
            .map_err(|err| format!("{}: cannot start: {err}", self.label))?;
        let elapsed = started.elapsed();
        let stdout = succeeded(&self.label, &output)?;
        let cases = (self.test_cases)(&stdout).ok_or_else(|| {
            format!(
                "{}: no test case count in its output:\n{stdout}",
                self.label
            )
        })?;
        Ok((elapsed, cases))
    }
}

fn succeeded(label: &str, output: &Output) -> Result<String, String> {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "{label}: {}\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Times `runs` runs of each side after one warm-up, and prints both and their ratio.
/// Panics when a side fails or the two read different numbers of test cases.
pub fn compare(suite: &Path, runs: usize) {
    let mut sides = vec![ivr_test_side(suite)];
    match botium_side(suite) {
        Ok(side) => sides.push(side),
        Err(reason) => println!("side by side: botium-core skipped: {reason}"),
    }
    let load_before = load_average();
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); sides.len()];
    let mut cases = vec![0; sides.len()];
    for (i, side) in sides.iter_mut().enumerate() {
        for round in 0..=runs {
            let (elapsed, count) = side.run().unwrap_or_else(|err| panic!("{err}"));
            cases[i] = count;
            // Round 0 warms the page cache and Node's compile cache; it is not counted.
            if round > 0 {
                times[i].push(elapsed);
            }
        }
    }
    assert!(
        cases.iter().all(|&c| c == cases[0]),
        "the two sides read different suites: {cases:?} test cases"
    );
    println!(
        "side by side: {} test cases after expansion, {runs} runs each after a warm-up, load average {load_before} before, {} after",
        cases[0],
        load_average()
    );
    for (side, runs) in sides.iter().zip(&times) {
        println!("  {:<28} {}", side.label, summary(runs));
    }
    if let [ours, botium] = &times[..] {
        // On a shared machine the fastest run is the one least slowed by others.
        println!(
            "  ratio botium-core / ivr-test: {:.1}x by mean, {:.1}x by fastest run",
            mean(botium) / mean(ours),
            fastest(botium) / fastest(ours)
        );
    }
}

fn ivr_test_side(suite: &Path) -> Side {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ivr-test"));
    // Run in the suite's folder, which has no botium.json, so both sides use defaults.
    command.arg("check").arg(".").current_dir(suite);
    clear_botium_env(&mut command);
    Side {
        label: "ivr-test check".into(),
        command,
        test_cases: |stdout| {
            // "N files read: C test cases (T after expansion), ..."
            let (_, after) = stdout.split_once(" test cases (")?;
            after.split_once(' ')?.0.parse().ok()
        },
    }
}

fn botium_side(suite: &Path) -> Result<Side, String> {
    let node = which("node").ok_or("node is not installed (install Node.js and npm)")?;
    let core = botium_core()?;
    let version = std::fs::read_to_string(core.join("package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|json| json["version"].as_str().map(str::to_string))
        .unwrap_or_else(|| "1.15".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/parse/botium_check.js");
    let mut command = Command::new(node);
    command.arg(script).arg(&core).arg(".").current_dir(suite);
    clear_botium_env(&mut command);
    Ok(Side {
        label: format!("botium-core {version} (node)"),
        command,
        test_cases: |stdout| {
            let json: serde_json::Value = serde_json::from_str(stdout.trim()).ok()?;
            json["testCases"].as_u64().map(|n| n as usize)
        },
    })
}

/// botium-core's folder, installed with npm on first use.
fn botium_core() -> Result<PathBuf, String> {
    let prefix = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/botium-core");
    let core = prefix.join("node_modules/botium-core");
    if core.join("package.json").is_file() {
        return Ok(core);
    }
    let npm = which("npm").ok_or("npm is not installed, so botium-core cannot be installed")?;
    println!(
        "side by side: installing {BOTIUM_CORE} into {}",
        prefix.display()
    );
    std::fs::create_dir_all(&prefix).map_err(|err| format!("{}: {err}", prefix.display()))?;
    let output = Command::new(npm)
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&prefix)
        .arg(BOTIUM_CORE)
        .output()
        .map_err(|err| format!("npm: {err}"))?;
    succeeded("npm install", &output)?;
    Ok(core)
}

/// `BOTIUM_*` settings in the environment would change what either side reads.
fn clear_botium_env(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("BOTIUM_") {
            command.env_remove(name);
        }
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// The 1, 5 and 15 minute load averages (the machine may be shared), when the OS tells.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unknown".into())
}

fn mean(runs: &[Duration]) -> f64 {
    runs.iter().map(Duration::as_secs_f64).sum::<f64>() / runs.len().max(1) as f64
}

fn fastest(runs: &[Duration]) -> f64 {
    runs.iter()
        .map(Duration::as_secs_f64)
        .fold(f64::INFINITY, f64::min)
}

fn summary(runs: &[Duration]) -> String {
    let secs: Vec<f64> = runs.iter().map(Duration::as_secs_f64).collect();
    let mean = mean(runs);
    let variance = secs.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / secs.len().max(1) as f64;
    let max = secs.iter().copied().fold(0.0, f64::max);
    format!(
        "mean {:.3} s ± {:.3} (min {:.3}, max {max:.3})",
        mean,
        variance.sqrt(),
        fastest(runs)
    )
}
