//! Check a generated suite of 5,000 convo files (plus partials and utterance lists).
//!
//! `cargo bench --bench parse` first times `ivr-test check` (the release binary, whole process)
//! side by side with botium-core 1.15 reading the same folder, 5 runs each, and prints both and
//! the ratio; then criterion times the `check` pipeline in-process: from disk (discovery,
//! reading, parsing, includes, expansion, validation) and the in-memory part alone.
//!
//! `PARSE_BENCH_DIR=DIR` writes the suite to DIR and keeps it (for hyperfine or a profiler);
//! otherwise it goes to a temporary folder. A filter argument other than `side_by_side` skips
//! the side-by-side timing.

mod side_by_side;
mod suite;

use std::path::{Path, PathBuf};
use std::time::Duration;

use botiumscript::caps::ScriptingCaps;
use botiumscript::convo::discovery::discover;
use botiumscript::convo::source::SourceFile;
use botiumscript::convo::{self, Registry, ScriptFile};
use criterion::{Criterion, Throughput};

/// The binary's allocator, so the in-process timings match what `ivr-test check` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Whole-process runs per side in the side-by-side timing.
const RUNS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; `cargo test --benches` runs each benchmark once, as a test.
    let benchmarking = args.iter().any(|a| a == "--bench");
    let filter = args.iter().find(|a| !a.starts_with('-'));

    let (kept, temporary) = match std::env::var_os("PARSE_BENCH_DIR") {
        Some(dir) => (Some(PathBuf::from(dir)), None),
        None => (None, Some(tempfile::tempdir().expect("temporary folder"))),
    };
    let dir = kept
        .as_deref()
        .or(temporary.as_ref().map(|t| t.path()))
        .expect("a folder for the suite");
    let bytes = suite::write_suite(dir).expect("write the suite");

    let registry = Registry::default();
    let caps = ScriptingCaps::default();
    let loaded = convo::load(&[dir.to_path_buf()], &registry, &caps);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics.first());
    assert_eq!(loaded.convos.len(), suite::CONVOS);
    println!(
        "suite: {} files, {:.2} MB, {} test cases after expansion, in {}",
        loaded.files_read,
        bytes as f64 / 1e6,
        loaded.test_cases.len(),
        dir.display()
    );

    if benchmarking && filter.is_none_or(|f| "side_by_side".contains(f.as_str())) {
        side_by_side::compare(dir, RUNS);
    }

    let mut criterion = Criterion::default().configure_from_args();
    in_process(&mut criterion, dir, bytes, &registry, &caps);
    criterion.final_summary();
}

fn in_process(
    c: &mut Criterion,
    dir: &Path,
    bytes: u64,
    registry: &Registry,
    caps: &ScriptingCaps,
) {
    let mut group = c.benchmark_group("check_5k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("from_disk", |b| {
        b.iter(|| convo::load(&[dir.to_path_buf()], registry, caps))
    });
    let in_memory: Vec<(ScriptFile, SourceFile)> = discover(&[dir.to_path_buf()])
        .files
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(file.path.as_path()).expect("read");
            let source = SourceFile::decode(file.path.clone(), &bytes).expect("UTF-8");
            (file, source)
        })
        .collect();
    group.bench_function("in_memory", |b| {
        b.iter(|| convo::load_sources(in_memory.clone(), registry, caps))
    });
    group.finish();
}
