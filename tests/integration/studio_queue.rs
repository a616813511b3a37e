//! Studio's `enqueue-call`: the flow queues the caller, who hears the `wait_url` TwiML and then
//! the queue's agent, and the flow goes on with `callComplete` once the agent hangs up; a full
//! queue takes `failedToEnqueue`.

use serde_json::json;
use twilio_emulator::config::{NumberConfig, QueueConfig};

use crate::harness::emulator::IVR;
use crate::harness::queue::{agent, staffed, start, world};
use crate::harness::studio::{call, caller, flow, heard, said, say, write_flow};
use crate::harness::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};

/// A flow that greets, queues the caller in `support` with `hold` as its wait TwiML, and says
/// how the queue ended.
fn queueing_flow(hold: &TwimlApp) -> serde_json::Value {
    flow(json!([
        say("hello", "Thanks for calling support.", Some("queue")),
        {"name": "queue", "type": "enqueue-call",
         "properties": {"queue_name": "support", "wait_url": hold.url("/hold"),
                        "wait_url_method": "POST"},
         "transitions": [{"event": "callComplete", "next": "done"},
                         {"event": "failedToEnqueue", "next": "full"},
                         {"event": "callFailure"}]},
        say("done", "Your call was {{widgets.queue.QueueResult}}. Goodbye.", None),
        say("full", "Sorry, all our lines are full.", None)
    ]))
}

/// The hold TwiML: the caller's place, then a pause.
async fn hold() -> TwimlApp {
    TwimlAppBuilder::new(crate::harness::emulator::TOKEN)
        .route("/hold", |r: &Received| {
            Reply::Twiml(format!(
                r#"<Response><Say>You are caller {} in line.</Say><Pause length="8"/></Response>"#,
                r.param("QueuePosition")
            ))
        })
        .start()
        .await
}

/// The emulator's configuration: the flow at the IVR's number, the agent, and `queues`.
fn configured(
    dir: &tempfile::TempDir,
    flow: &serde_json::Value,
    agent: &TwimlApp,
    queues: Vec<(&str, QueueConfig)>,
) -> twilio_emulator::config::EmulatorConfig {
    let mut config = world(agent, Some(agent), queues);
    config.numbers.insert(
        IVR.into(),
        NumberConfig {
            studio_flow: Some(write_flow(dir, "flow.json", &flow.to_string())),
            ..NumberConfig::default()
        },
    );
    config
}

#[tokio::test]
async fn enqueue_call_takes_call_complete_once_the_agent_hangs_up() {
    let hold = hold().await;
    let alice = agent("Hello, this is Alice from support.", 3).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = configured(
        &dir,
        &queueing_flow(&hold),
        &alice,
        vec![("support", staffed(10))],
    );
    let emulator = start(config).await;
    let caller = caller(|_| String::new()).await;
    let ended = call(&emulator, &caller, &[]).await;
    assert_eq!(ended["status"], "completed");

    // In this order (the greeting and the wait message may be heard as one utterance).
    let heard = heard(&caller).join(" ");
    assert!(
        heard.starts_with(
            "Thanks for calling support. You are caller 1 in line. Hello, this is Alice from support."
        ),
        "{heard}"
    );
    assert_eq!(
        said(&emulator, &ended).await.last().map(String::as_str),
        Some("Your call was bridged. Goodbye.")
    );
    let waits = hold.received_at("/hold");
    assert_eq!(waits[0].param("QueuePosition"), "1");
    assert!(waits[0].param("QueueSid").starts_with("QU"));
}

#[tokio::test]
async fn enqueue_call_takes_failed_to_enqueue_when_the_queue_is_full() {
    let hold = hold().await;
    let nobody = agent("Not used.", 1).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let full = QueueConfig {
        max_size: Some(1),
        ..QueueConfig::default()
    };
    let config = configured(
        &dir,
        &queueing_flow(&hold),
        &nobody,
        vec![("support", full)],
    );
    let emulator = start(config).await;
    let first = caller(|_| String::new()).await;
    let waiting = {
        let form = [
            ("To", IVR),
            ("From", crate::harness::emulator::CALLER),
            ("Url", &first.url("/start")),
            ("TimeLimit", "40"),
        ];
        let (code, created) =
            crate::harness::emulator::create_call(&emulator.base_url, &form).await;
        assert_eq!(code, 201, "{created}");
        created["sid"].as_str().expect("sid").to_string()
    };
    hold.wait_for("the first caller waiting", |r| !r.is_empty())
        .await;
    let second = caller(|_| String::new()).await;
    let ended = call(&emulator, &second, &[]).await;
    assert_eq!(
        said(&emulator, &ended).await.last().map(String::as_str),
        Some("Sorry, all our lines are full.")
    );
    crate::harness::emulator::wait_until_ended(&emulator.base_url, &waiting).await;
}
