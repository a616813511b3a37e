//! Studio's `connect-call-to` as a real `<Dial>`: the caller talks with the dialled agent, and
//! the flow continues with `callCompleted` when the agent's side ends the call, or `hangup` when
//! the caller hangs up.

use serde_json::json;

use crate::harness::emulator::{get, ivr_at, ivr_side, TOKEN};
use crate::harness::studio::{call, caller, flow, heard, said, say, studio_with};
use crate::harness::twiml_app::{TwimlApp, TwimlAppBuilder};

/// The agent's number.
const AGENT: &str = "+15557770001";

/// A flow that connects the caller to the agent; `callCompleted` says the Dial's status, and
/// `hangup` sends a message (the caller is gone, so nobody would hear a prompt).
fn connecting_flow() -> serde_json::Value {
    flow(json!([
        say("hold", "Please hold.", Some("agent")),
        {"name": "agent", "type": "connect-call-to",
         "properties": {"noun": "number", "to": AGENT, "timeout": 20},
         "transitions": [{"event": "callCompleted", "next": "after"}, {"event": "hangup", "next": "gone"}]},
        say("after", "The agent call was {{widgets.agent.DialCallStatus}}.", None),
        {"name": "gone", "type": "send-message",
         "properties": {"body": "caller hung up on {{widgets.agent.DialCallSid}}", "to": "+15557770000"},
         "transitions": [{"event": "sent"}, {"event": "failed"}]}
    ]))
}

/// An agent that greets the caller and stays `secs` on the line before hanging up.
async fn agent(secs: u32) -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Say>Hello from the agent.</Say><Pause length="{secs}"/><Hangup/></Response>"#
            ),
        )
        .start()
        .await
}

#[tokio::test]
async fn connect_call_to_takes_call_completed_when_the_agent_hangs_up() {
    let agent = agent(2).await;
    let (emulator, _dir) = studio_with(
        &connecting_flow(),
        vec![(AGENT, ivr_at(agent.url("/voice")))],
    )
    .await;
    let caller = caller(|_| String::new()).await;
    let ended = call(&emulator, &caller, &[]).await;
    assert_eq!(ended["status"], "completed");
    assert!(
        heard(&caller).iter().any(|h| h == "Hello from the agent."),
        "{:?}",
        heard(&caller)
    );
    assert_eq!(
        said(&emulator, &ended).await.last().map(String::as_str),
        Some("The agent call was completed.")
    );
    let sent = get(&emulator.base_url, "Messages.json?To=%2B15557770000").await;
    assert_eq!(sent["messages"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn connect_call_to_takes_hangup_when_the_caller_hangs_up() {
    let agent = agent(60).await;
    let (emulator, _dir) = studio_with(
        &connecting_flow(),
        vec![(AGENT, ivr_at(agent.url("/voice")))],
    )
    .await;
    let caller = caller(|heard| {
        if heard == "Hello from the agent." {
            "<Hangup/>".to_string()
        } else {
            String::new()
        }
    })
    .await;
    let ended = call(&emulator, &caller, &[]).await;
    assert_eq!(ended["status"], "completed");
    let ivr_call = ivr_side(&emulator.base_url, ended["sid"].as_str().expect("sid")).await;
    let children = get(
        &emulator.base_url,
        &format!(
            "Calls.json?ParentCallSid={}",
            ivr_call["sid"].as_str().expect("sid")
        ),
    )
    .await;
    let child = children["calls"][0]["sid"]
        .as_str()
        .expect("the dialled call")
        .to_string();
    // The `hangup` path ran (its message is sent), not `callCompleted`.
    let mut bodies = Vec::new();
    for _ in 0..100 {
        let sent = get(&emulator.base_url, "Messages.json?To=%2B15557770000").await;
        bodies = sent["messages"]
            .as_array()
            .map(|m| m.iter().map(|m| m["body"].to_string()).collect())
            .unwrap_or_default();
        if !bodies.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(bodies, [format!("\"caller hung up on {child}\"")]);
    assert!(!said(&emulator, &ended)
        .await
        .iter()
        .any(|s| s.starts_with("The agent call")));
    assert_eq!(children["calls"][0]["status"], "completed");
}
