//! Parse and check a generated suite of 10,000 convo files (plus partials and utterances).
//!
//! `cargo bench --bench parse` prints time per suite; files/s and MB/s follow from the sizes it
//! prints first. Two measurements: the whole `check` pipeline from disk (discovery, reading,
//! parsing, includes, expansion, validation) and the in-memory part alone.

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ivr_test::config::ScriptingCaps;
use ivr_test::convo::source::SourceFile;
use ivr_test::convo::{self, Registry, ScriptFile, ScriptKind};

const CONVOS: usize = 10_000;

/// A realistic IVR test case: greeting, menu by speech and keypad, a partial, an SMS check.
fn convo_text(i: usize) -> String {
    format!(
        "IVR test {i:05}\nMenu path {i} of the company line\n\n#begin\nCONVO_STEP_PARAMETERS {{\"stepTimeout\": 8000}}\n\n\
#bot\nWelcome to Acme. For sales say sales or press 1, for support press 2.\n\n\
#me\nUTT_SALES\n\n#bot\n?Please hold\n?TEXT_CONTAINS_ANY_IC hold|moment\n\n#bot\nTEXT_CONTAINS_ANY_IC account|number\n\n\
#me\nBUTTON {}#\n\n#bot\nYour balance is *\n\n#include goodbye\n\n#end\nPAUSE 500\nCHECKTWILIOSMS balance*{i}\n",
        1000 + i % 9000
    )
}

fn write_suite(dir: &Path) -> u64 {
    let mut bytes = 0;
    for i in 0..CONVOS {
        let sub = dir.join(format!("group{:03}", i % 100));
        std::fs::create_dir_all(&sub).expect("mkdir");
        let text = convo_text(i);
        bytes += text.len() as u64;
        std::fs::write(sub.join(format!("case{i:05}.convo.txt")), text).expect("write");
    }
    let partial = "goodbye\n\n#me\nthat is all\n\n#bot\nGoodbye!\n";
    let utterances = "UTT_SALES\nsales\nI want to buy something\n";
    std::fs::write(dir.join("goodbye.pconvo.txt"), partial).expect("write");
    std::fs::write(dir.join("sales.utterances.txt"), utterances).expect("write");
    bytes + (partial.len() + utterances.len()) as u64
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = write_suite(dir.path());
    let registry = Registry::default();
    let caps = ScriptingCaps::default();
    let suite = convo::load(&[dir.path().to_path_buf()], &registry, &caps);
    assert!(!suite.has_errors(), "{:?}", suite.diagnostics.first());
    eprintln!(
        "suite: {} files, {:.2} MB, {} test cases after expansion",
        suite.files_read,
        bytes as f64 / 1e6,
        suite.test_cases.len()
    );

    let mut group = c.benchmark_group("check_10k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("from_disk", |b| {
        b.iter(|| convo::load(&[dir.path().to_path_buf()], &registry, &caps))
    });
    let in_memory: Vec<(ScriptFile, SourceFile)> = (0..CONVOS)
        .map(|i| {
            (
                format!("case{i:05}.convo.txt"),
                convo_text(i),
                ScriptKind::Convo,
            )
        })
        .chain([
            (
                "goodbye.pconvo.txt".into(),
                "goodbye\n\n#me\nthat is all\n".into(),
                ScriptKind::PartialConvo,
            ),
            (
                "sales.utterances.txt".into(),
                "UTT_SALES\nsales\nbuy\n".into(),
                ScriptKind::Utterances,
            ),
        ])
        .map(|(name, text, kind)| {
            let source = SourceFile::from_text(&name, &text);
            let file = ScriptFile {
                path: source.path.clone(),
                kind,
                fallback_name: name,
            };
            (file, source)
        })
        .collect();
    group.bench_function("in_memory", |b| {
        b.iter(|| convo::load_sources(in_memory.clone(), &registry, &caps))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
