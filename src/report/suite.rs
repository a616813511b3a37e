//! The suite identity of a JSON report: which test cases, under which configuration, and
//! which shard. `report merge` refuses to merge reports whose fingerprints differ, so shards of
//! different suites or configurations are never mixed into one report.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::is_secret_capability;
use crate::shard::Shard;

/// The `suite` object of the JSON report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteIdentity {
    /// `sha256:` over the selected test cases' names, files (relative to the working
    /// directory) and those files' contents, and the `--filter`.
    pub fingerprint: String,
    /// `sha256:` over the capabilities that change what a test does (secrets left out) and,
    /// with `--emulate`, the emulator configuration file's contents.
    pub configuration: String,
    /// How many test cases the whole (filtered) suite has, every shard together.
    pub test_cases: usize,
    /// Which shard this report is of; `null` for a whole suite.
    pub shard: Option<ShardJson>,
}

/// `{"index": K, "count": N}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardJson {
    /// K, from 1.
    pub index: usize,
    /// N.
    pub count: usize,
}

impl From<Shard> for ShardJson {
    fn from(shard: Shard) -> Self {
        ShardJson {
            index: shard.index,
            count: shard.count,
        }
    }
}

/// One selected test case, as the suite fingerprint sees it.
pub struct CaseSource<'a> {
    /// The test case's name.
    pub name: &'a str,
    /// Its file, as loaded.
    pub file: &'a Path,
}

/// A hash that frames each part with its length, so no two inputs collide by concatenation.
struct Fingerprint(Sha256);

impl Fingerprint {
    fn new(kind: &str) -> Self {
        let mut fingerprint = Fingerprint(Sha256::new());
        fingerprint.part(kind.as_bytes());
        fingerprint
    }

    fn part(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    fn finish(self) -> String {
        let digest = self.0.finalize();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }
}

/// The suite fingerprint: the selected cases (in suite order), their files' paths relative to
/// `cwd` and contents, and the filter. An unreadable file counts as empty (it was read when the
/// suite loaded, so this does not happen in practice).
pub fn suite_fingerprint(cases: &[CaseSource<'_>], cwd: &Path, filter: Option<&str>) -> String {
    let mut fingerprint = Fingerprint::new("suite");
    fingerprint.part(filter.unwrap_or("").as_bytes());
    let mut contents: BTreeMap<&Path, Vec<u8>> = BTreeMap::new();
    for case in cases {
        let relative = case.file.strip_prefix(cwd).unwrap_or(case.file);
        fingerprint.part(case.name.as_bytes());
        fingerprint.part(relative.to_string_lossy().as_bytes());
        let text = contents
            .entry(case.file)
            .or_insert_with(|| std::fs::read(case.file).unwrap_or_default());
        fingerprint.part(text);
    }
    fingerprint.finish()
}

/// The configuration fingerprint: every capability but the secrets (auth token, API secret,
/// Redis URL), and the emulator configuration's contents when one is used.
pub fn configuration_fingerprint(
    capabilities: &BTreeMap<String, serde_json::Value>,
    emulator_config: Option<&[u8]>,
) -> String {
    let mut fingerprint = Fingerprint::new("configuration");
    for (name, value) in capabilities {
        if is_secret_capability(name) {
            continue;
        }
        fingerprint.part(name.as_bytes());
        fingerprint.part(value.to_string().as_bytes());
    }
    if let Some(contents) = emulator_config {
        fingerprint.part(b"emulator");
        fingerprint.part(contents);
    }
    fingerprint.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_suite_fingerprint_changes_with_names_files_contents_and_filter() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.convo.txt");
        std::fs::write(&file, "a\n\n#bot\nhi\n").expect("write");
        let cases = [CaseSource {
            name: "a",
            file: &file,
        }];
        let base = suite_fingerprint(&cases, dir.path(), None);
        assert!(
            base.starts_with("sha256:") && base.len() == 7 + 64,
            "{base}"
        );
        assert_eq!(base, suite_fingerprint(&cases, dir.path(), None));
        assert_ne!(base, suite_fingerprint(&cases, dir.path(), Some("a*")));
        let renamed = [CaseSource {
            name: "b",
            file: &file,
        }];
        assert_ne!(base, suite_fingerprint(&renamed, dir.path(), None));
        std::fs::write(&file, "a\n\n#bot\nhello\n").expect("write");
        assert_ne!(base, suite_fingerprint(&cases, dir.path(), None));
    }

    #[test]
    fn the_configuration_fingerprint_ignores_secrets() {
        let caps = |token: &str, to: &str| -> BTreeMap<String, serde_json::Value> {
            [
                ("TWILIO_IVR_AUTH_TOKEN".to_string(), json!(token)),
                (
                    "TWILIO_IVR_REDISURL".to_string(),
                    json!(format!("redis://:{token}@h")),
                ),
                ("TWILIO_IVR_TO".to_string(), json!(to)),
            ]
            .into()
        };
        let base = configuration_fingerprint(&caps("secret1", "+1555"), None);
        assert_eq!(
            base,
            configuration_fingerprint(&caps("secret2", "+1555"), None)
        );
        assert_ne!(
            base,
            configuration_fingerprint(&caps("secret1", "+1666"), None)
        );
        assert_ne!(
            base,
            configuration_fingerprint(&caps("secret1", "+1555"), Some(b"{}"))
        );
    }
}
