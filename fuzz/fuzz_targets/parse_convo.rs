//! Fuzzes the whole script pipeline: decoding, the line grammar, steps, partial includes and
//! utterance expansion. Run: `cargo +nightly fuzz run parse_convo fuzz/seeds/parse_convo`.
#![no_main]

use std::path::PathBuf;
use std::sync::Arc;

use botiumscript::caps::ScriptingCaps;
use botiumscript::convo::source::SourceFile;
use botiumscript::convo::{load_sources, Registry, ScriptFile, ScriptKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = SourceFile::decode(Arc::new(PathBuf::from("f.convo.txt")), data) else {
        return;
    };
    // The same text as a convo, a partial named P and an utterance list.
    let as_kind = |kind: ScriptKind, name: &str, prefix: &str| {
        let text = format!("{prefix}{}", source.text);
        let file = SourceFile::from_text(name, &text);
        (
            ScriptFile {
                path: file.path.clone(),
                kind,
                fallback_name: name.to_string(),
            },
            file,
        )
    };
    let sources = vec![
        as_kind(ScriptKind::Convo, "f.convo.txt", ""),
        as_kind(ScriptKind::PartialConvo, "p.pconvo.txt", "P\n"),
        as_kind(ScriptKind::Utterances, "u.utterances.txt", "UTT\n"),
        as_kind(ScriptKind::MemoryTable, "m.scriptingmemory.txt", ""),
    ];
    let _ = load_sources(sources, &Registry::default(), &ScriptingCaps::default());
});
