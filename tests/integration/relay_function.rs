//! The relay Function's own tests under `node --test`: `src/twilio_relay/relay.test.mjs`
//! against the relay deployed on the emulator (signatures, unknown calls, what is stored, the
//! listening `<Gather>`), and `relay.sync-faults.test.mjs` on the code alone with Sync stubbed
//! (retries, failures, the URLs on Twilio).

use std::path::Path;
use std::process::Command;

use crate::harness::emulator::{ACCOUNT, TOKEN};
use crate::harness::relay::deployed_relay;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_function_tests_pass_under_node() {
    let Some((emulator, _, info)) = deployed_relay().await else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/twilio_relay");
    let output = tokio::task::block_in_place(|| {
        Command::new("node")
            .arg("--test")
            .arg(dir.join("relay.test.mjs"))
            .arg(dir.join("relay.sync-faults.test.mjs"))
            .env("RELAY_BASE_URL", &info.base_url)
            .env("RELAY_API_BASE", &emulator.base_url)
            .env("RELAY_SYNC_SERVICE", &info.sync_service_sid)
            .env("RELAY_ACCOUNT_SID", ACCOUNT)
            .env("RELAY_AUTH_TOKEN", TOKEN)
            .output()
            .expect("node --test")
    });
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Every test ran: none skipped or filtered away.
    assert!(report.contains("# pass 10"), "{report}");
}
