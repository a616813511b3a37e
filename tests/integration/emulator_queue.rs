//! Call queues in the emulator end to end: an IVR that `<Enqueue>`s its callers, the wait
//! TwiML they hear, the ways they leave (an agent, `<Leave>`, a full queue, a hang-up), and the
//! `action` told how. IVRs, agents and callers are TwiML applications over real HTTP; times are
//! emulated, never the wall clock.

use crate::harness::emulator::{get, ledger, place, wait_until_ended, IVR, TOKEN};
use crate::harness::queue::{agent, heard, listener, queueing_ivr, staffed, start, world, AGENT};
use crate::harness::twiml_app::TwimlAppBuilder;

#[tokio::test]
async fn a_queued_caller_hears_its_place_then_the_agent_who_takes_it() {
    let ivr = queueing_ivr(
        r#"<Response><Say>Thank you for calling.</Say><Pause length="3"/></Response>"#,
    )
    .await;
    let alice = agent("Hello, this is Alice. How can I help?", 4).await;
    let caller = listener(4).await;
    let emulator = start(world(&ivr, Some(&alice), vec![("support", staffed(12))])).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    let ended = wait_until_ended(&emulator.base_url, &sid).await;
    assert_eq!(ended["status"], "completed");

    assert_eq!(
        heard(&caller),
        [
            "Please hold for the next agent.",
            "You are caller 1 in line.",
            "Hello, this is Alice. How can I help?",
            "Thank you for calling.",
        ]
    );
    let waits = ivr.received_at("/wait");
    let ivr_call = ivr.received_at("/voice")[0].param("CallSid").to_string();
    let first = &waits[0];
    assert_eq!(first.param("QueuePosition"), "1");
    assert_eq!(first.param("CurrentQueueSize"), "1");
    assert_eq!(first.param("MaxQueueSize"), "1000");
    assert_eq!(first.param("AvgQueueTime"), "0");
    assert_eq!(first.param("CallSid"), ivr_call);
    assert_eq!(first.method, "POST");
    assert!(first.signed);
    let queue_sid = first.param("QueueSid").to_string();
    assert!(
        queue_sid.starts_with("QU") && queue_sid.len() == 34,
        "{queue_sid}"
    );

    // Bridged with the agent, the action came when the agent hung up, and the caller went on.
    let left = ivr.received_at("/left");
    assert_eq!(left.len(), 1, "{:#?}", ivr.received());
    assert_eq!(left[0].param("QueueResult"), "bridged");
    assert_eq!(left[0].param("QueueSid"), queue_sid);
    assert_eq!(left[0].param("CallStatus"), "in-progress");
    let queue_time: u64 = left[0].param("QueueTime").parse().expect("seconds");
    assert!((12..=14).contains(&queue_time), "{queue_time}");

    // The agent's call: the emulator called the agent's number from the number dialled.
    let voice = alice.received_at("/voice");
    assert_eq!(voice.len(), 1);
    assert_eq!(voice[0].param("To"), AGENT);
    assert_eq!(voice[0].param("From"), IVR);
    assert_eq!(voice[0].param("Direction"), "outbound-api");
    let agent_call = get(
        &emulator.base_url,
        &format!("Calls/{}.json", voice[0].param("CallSid")),
    )
    .await;
    assert_eq!(agent_call["status"], "completed");
    let seconds: u64 = agent_call["duration"]
        .as_str()
        .expect("duration")
        .parse()
        .expect("n");
    // The greeting (about 3 s) and the pause.
    assert!((6..=8).contains(&seconds), "{seconds}");
    let queue = get(&emulator.base_url, &format!("Queues/{queue_sid}.json")).await;
    assert_eq!(queue["friendly_name"], "support");
    assert_eq!(queue["current_size"], 0);
}

#[tokio::test]
async fn leave_in_the_wait_twiml_leads_to_the_action_and_the_voicemail() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Enqueue waitUrl="wait" action="/left" method="GET">support</Enqueue></Response>"#,
        )
        .twiml(
            "/wait",
            r#"<Response><Say>All our agents are busy.</Say><Pause length="2"/><Leave/><Say>Not heard.</Say></Response>"#,
        )
        .twiml(
            "/left",
            r#"<Response><Say>Please leave a message after the beep.</Say><Record action="/recorded" timeout="5" maxLength="10"/></Response>"#,
        )
        .twiml("/recorded", "<Response><Hangup/></Response>")
        .start()
        .await;
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/start",
            r#"<Response><Gather input="speech" action="/heard1" timeout="60" speechTimeout="auto"/></Response>"#,
        )
        .twiml(
            "/heard1",
            r#"<Response><Gather input="speech" action="/heard2" timeout="60" speechTimeout="auto"/></Response>"#,
        )
        .twiml(
            "/heard2",
            r#"<Response><Say>My order has not arrived.</Say><Pause length="30"/></Response>"#,
        )
        .start()
        .await;
    let emulator = start(world(&ivr, None, Vec::new())).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;

    assert_eq!(
        heard(&caller),
        [
            "All our agents are busy.",
            "Please leave a message after the beep."
        ]
    );
    let left = ivr.received_at("/left");
    assert_eq!(left.len(), 1, "{:#?}", ivr.received());
    assert_eq!(left[0].method, "GET");
    assert_eq!(left[0].param("QueueResult"), "leave");
    assert!(left[0].param("QueueSid").starts_with("QU"));
    let queue_time: u64 = left[0].param("QueueTime").parse().expect("seconds");
    assert!((3..=4).contains(&queue_time), "{queue_time}");
    let recorded = ivr.received_at("/recorded");
    assert_eq!(recorded.len(), 1, "the message was recorded");
    assert_ne!(recorded[0].param("RecordingDuration"), "0");
    let ledger = ledger(&emulator.base_url).await.to_string();
    assert!(!ledger.contains("Not heard."), "{ledger}");
}

#[tokio::test]
async fn ivr_test_run_hears_the_wait_message_then_the_agent() {
    // The runner's script hears the IVR, its wait TwiML and the agent who takes the call, as one
    // conversation: what the wait TwiML and the agent say reaches the runner like any prompt.
    let ivr = queueing_ivr(r#"<Response><Say>Thank you for calling.</Say></Response>"#).await;
    let alice = agent("Hello, this is Alice. How can I help?", 20).await;
    let config = serde_json::from_str(&crate::harness::run::emulator_config(&ivr)).expect("JSON");
    let config = crate::harness::run::merged(
        config,
        serde_json::json!({
            "queues": {"support": {"agent": AGENT, "answer_after_secs": 12}},
        }),
    );
    let mut config = config;
    config["numbers"][AGENT] = serde_json::json!({"voice_url": alice.url("/voice")});
    let project = crate::harness::Project::new()
        .file("emu.json", &config.to_string())
        .file("botium.json", &crate::harness::run::botium_json(IVR))
        .file(
            "convos/queue.convo.txt",
            "queue\n\n#bot\nPlease hold for the next agent.\n\n#bot\nYou are caller 1 in line.\n\n\
             #bot\nHello, this is Alice*\n",
        )
        .file(
            "convos/wrong.convo.txt",
            "wrong place\n\n#bot\nPlease hold for the next agent.\n\n#bot\nYou are caller 2 in line.\n",
        );
    let out = crate::harness::run::run_emulated(&project, &["--json", "report.json"]).await;
    let report = crate::harness::run::json_report(&project, "report.json");
    assert_eq!(
        crate::harness::run::verdicts(&report),
        [
            ("queue".to_string(), "passed".to_string()),
            ("wrong place".to_string(), "failed".to_string()),
        ],
        "{}",
        out.stderr
    );
    assert_eq!(
        alice.received_at("/voice").len(),
        1,
        "one caller reached the agent"
    );
}

#[test]
fn the_emulator_refuses_a_queue_whose_agent_is_no_answering_number() {
    let project = crate::harness::Project::new().file(
        "emu.json",
        &serde_json::json!({
            "accounts": [{"sid": crate::harness::emulator::ACCOUNT, "auth_token": TOKEN}],
            "numbers": {"+15557770002": {"behaviour": "busy"}},
            "queues": {"support": {"agent": "+15557770002", "answer_after_secs": 5}}
        })
        .to_string(),
    );
    let out = project
        .run(&["emulator", "--config", "emu.json"])
        .expect_code(2);
    assert!(
        out.stderr.contains(
            "emu.json: queues.support.agent: `+15557770002` is not an answering number under \
             `numbers`"
        ),
        "{}",
        out.stderr
    );
}
