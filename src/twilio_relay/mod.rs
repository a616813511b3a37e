//! The Function relay: with real Twilio and nothing but credentials, the public end of the
//! call's webhooks is a Twilio Function on the user's own account, and the runner reads what it
//! stored over REST (`docs/relay-protocol.md`).
//!
//! | module | job |
//! |---|---|
//! | [`link`] | the runner's end: tells the relay about each call, reads its events into `turn::Sessions`, answers through the live-call update |

pub mod link;

use std::io::Write;

use twilio_wire::client::TwilioClient;

use deploy::{RelayInfo, RelayState};

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
            "the relay on this account speaks protocol {found}, this ivr-test speaks {}: run `ivr-test relay deploy` to replace it",
            deploy::PROTOCOL
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
            let _ = writeln!(out, "relay deployed at https://{}", info.domain_name);
            Ok(info)
        }
    }
}
