//! The relay: a Twilio Function on the user's own account as the public end of the webhooks,
//! so `ivr-test run` against real Twilio needs nothing but credentials. The contract between
//! the Function and the runner is `docs/relay-protocol.md` (protocol [`PROTOCOL`]).
//!
//! | module | job |
//! |---|---|
//! | `relay.js` | the Function itself, embedded in the binary ([`deploy::CODE`]); its own tests, `relay.test.mjs` (deployed on the emulator) and `relay.sync-faults.test.mjs` (Sync stubbed), run under node by the integration tests |
//! | [`deploy`] | the relay's lifecycle on an account: inspect, deploy (idempotent), remove |
//! | `provision` | deploy's steps that create what is missing, a deploy racing on the same account tolerated |
//! | `build` | deploy's step that uploads the code, builds it and waits for the Build |
//! | [`command`] | `ivr-test relay deploy|status|remove` |
//! | [`link`] | the runner's end: tells the relay about each call (its List), reads its events into `turn::Sessions`, answers through the live-call update |
//!
//! ```text
//! Twilio --signed webhook--> relay.js (protected) --append--> Sync List ivr-test-{session id}
//!                               | answers at once: a listening <Gather>
//! runner --poll (REST)--> Sync List items --> turn::Sessions --> step engine
//! runner <--decision-- POST Calls/{CA}.json Twiml=<actions, listening Gather>
//! ```

use std::io::Write;

use twilio_wire::client::TwilioClient;

mod build;
pub mod command;
pub mod deploy;
pub mod link;
mod provision;

pub use deploy::{RelayError, RelayInfo, RelayState, PROTOCOL};

/// What the unique name of a call's Sync List starts with: a bare session id (`TS` + 32 hex)
/// has the shape of a SID, which Sync refuses as a unique name (54302).
pub const EVENT_LIST_PREFIX: &str = "ivr-test-";

/// The unique name of the Sync List where the relay stores the events of `session`; creating
/// it is how the runner tells the relay about a call.
pub fn event_list_name(session: &str) -> String {
    format!("{EVENT_LIST_PREFIX}{session}")
}

/// The relay `ivr-test run` uses: the one deployed on the account, deployed now on first use
/// (saying so on `out`); one of another protocol version is refused with the command that
/// replaces it.
pub async fn ready_relay(client: &TwilioClient, out: &mut dyn Write) -> Result<RelayInfo, String> {
    let state = deploy::inspect(client)
        .await
        .map_err(|e| format!("the relay on this account: {e}"))?;
    match state {
        RelayState::Ready(info) => Ok(info),
        RelayState::Outdated { found } => Err(format!(
            "the relay on this account is outdated ({found}; this ivr-test speaks protocol {PROTOCOL}): run `ivr-test relay deploy` to replace it"
        )),
        RelayState::Missing => {
            let _ = writeln!(
                out,
                "the relay (a Twilio Function that receives the calls' webhooks) is not on this account yet: deploying it (once)"
            );
            let (info, _) = deploy::deploy(client, |step| {
                let _ = writeln!(out, "  {step}");
            })
            .await
            .map_err(|e| format!("deploying the relay: {e}"))?;
            let _ = writeln!(out, "relay deployed at {}", info.base_url);
            Ok(info)
        }
    }
}
