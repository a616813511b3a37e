//! The relay on the emulator: whether node runs here, an emulator whose Builds complete at
//! once, and a REST client of its account.

use std::path::PathBuf;

use ivr_test::twilio_relay::deploy::{deploy, Deployed};
use ivr_test::twilio_relay::RelayInfo;
use twilio_emulator::server::{EmulatorOptions, RunningEmulator};
use twilio_wire::client::TwilioClient;
use twilio_wire::secret::Secret;

use super::emulator::{config, serve, ACCOUNT, TOKEN};

/// Whether node runs here; without it a relay test skips (saying so), unless
/// `IVR_TEST_REQUIRE_NODE=1` (CI) makes that a failure.
pub fn node_present() -> bool {
    let present = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !present {
        assert!(
            std::env::var("IVR_TEST_REQUIRE_NODE").as_deref() != Ok("1"),
            "IVR_TEST_REQUIRE_NODE=1 but node does not run"
        );
        eprintln!("skipped: node is not on PATH (set IVR_TEST_REQUIRE_NODE=1 to require it)");
    }
    present
}

/// An emulator of [`ACCOUNT`] whose Builds complete at once, running Functions with `node`
/// (the one on `PATH` when `None`).
pub async fn relay_emulator(node: Option<PathBuf>) -> RunningEmulator {
    let mut config = config(Vec::new());
    config.latencies.build_ms = 0;
    let options = EmulatorOptions {
        node,
        ..EmulatorOptions::default()
    };
    serve(config, options).await
}

/// A REST client of [`ACCOUNT`] on `emulator`.
pub fn client(emulator: &RunningEmulator) -> TwilioClient {
    TwilioClient::new(&emulator.base_url, ACCOUNT, &Secret::new(TOKEN)).expect("client")
}

/// A relay freshly deployed on its own emulator, or `None` (the test skips) without node.
pub async fn deployed_relay() -> Option<(RunningEmulator, TwilioClient, RelayInfo)> {
    if !node_present() {
        return None;
    }
    let emulator = relay_emulator(None).await;
    let client = client(&emulator);
    let (info, done) = deploy(&client, |_| {}).await.expect("deploy");
    assert_eq!(done, Deployed::Created);
    Some((emulator, client, info))
}

/// Makes the deployed relay `info` look as an older ivr-test left it: its protocol Variable
/// says 0.
pub async fn make_outdated(client: &TwilioClient, info: &RelayInfo) {
    let protocol = client
        .list_variables(&info.service_sid, &info.environment_sid)
        .await
        .expect("variables")
        .into_iter()
        .find(|v| v.key == ivr_test::twilio_relay::deploy::PROTOCOL_VARIABLE)
        .expect("the protocol variable");
    client
        .update_variable(&info.service_sid, &info.environment_sid, &protocol.sid, "0")
        .await
        .expect("update");
}
