//! Call queues beyond one caller and one agent: a full queue and a hang-up from the queue, a
//! `<Dial><Queue url>` from another call, the REST API reading and dequeuing a waiting call,
//! and what the emulator refuses.

use std::time::Duration;

use twilio_emulator::config::QueueConfig;

use crate::harness::emulator::{get, ivr_at, ledger, place, post, wait_until_ended, CALLER, TOKEN};
use crate::harness::queue::{heard, listener, queueing_ivr, start, world};
use crate::harness::twiml_app::{Received, TwimlApp, TwimlAppBuilder};

/// A second IVR number: the line agents call to take the next caller.
const AGENT_LINE: &str = "+15551230002";

/// Waits (bounded) until `app` received `n` requests at `path`.
async fn requested(app: &TwimlApp, path: &str, n: usize) -> Vec<Received> {
    app.wait_for(path, |all| {
        all.iter().filter(|r| r.path == path).count() >= n
    })
    .await
    .into_iter()
    .filter(|r| r.path == path)
    .collect()
}

/// Whether a request carried the parameter `name` at all.
fn has(request: &Received, name: &str) -> bool {
    request.params.iter().any(|(k, _)| k == name)
}

#[tokio::test]
async fn a_full_queue_refuses_at_once_and_a_caller_who_hangs_up_leaves_it() {
    let ivr = queueing_ivr(
        r#"<Response><Say>Sorry, the line is busy.</Say><Pause length="3"/></Response>"#,
    )
    .await;
    let impatient = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/start",
            r#"<Response><Pause length="25"/><Hangup/></Response>"#,
        )
        .start()
        .await;
    let second = listener(2).await;
    let tiny = QueueConfig {
        max_size: Some(1),
        ..QueueConfig::default()
    };
    let emulator = start(world(&ivr, None, vec![("support", tiny)])).await;
    let first = place(&emulator, &impatient.url("/start"), &[]).await;
    requested(&ivr, "/wait", 1).await;
    let other = place(&emulator, &second.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &other).await;
    wait_until_ended(&emulator.base_url, &first).await;

    let left = requested(&ivr, "/left", 2).await;
    let full = left
        .iter()
        .find(|r| r.param("QueueResult") == "queue-full")
        .expect("the second caller found the queue full");
    assert!(
        !has(full, "QueueSid") && !has(full, "QueueTime"),
        "{full:#?}"
    );
    assert_eq!(full.param("CallStatus"), "in-progress");
    assert_eq!(
        heard(&second),
        [
            "Please hold for the next agent.",
            "Sorry, the line is busy."
        ]
    );
    let hung_up = left
        .iter()
        .find(|r| r.param("QueueResult") == "hangup")
        .expect("the first caller hung up in the queue");
    assert_eq!(hung_up.param("CallStatus"), "completed");
    assert!(hung_up.param("QueueSid").starts_with("QU"));
    let queue_time: u64 = hung_up.param("QueueTime").parse().expect("seconds");
    // Enqueued after the greeting (about 2.5 s) and a 2 s pause; gone at 25 s.
    assert!((19..=22).contains(&queue_time), "{queue_time}");
    let queues = get(&emulator.base_url, "Queues.json").await;
    assert_eq!(queues["queues"][0]["current_size"], 0, "{queues}");
    assert_eq!(queues["queues"][0]["max_size"], 1);
}

#[tokio::test]
async fn a_dial_of_the_queue_connects_another_call_with_the_caller_in_front() {
    let ivr = queueing_ivr(
        r#"<Response><Say>Thank you for calling.</Say><Pause length="3"/></Response>"#,
    )
    .await;
    let line = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Say>Connecting you to the next caller.</Say><Dial action="/dialed"><Queue url="/about">support</Queue></Dial></Response>"#,
        )
        .twiml(
            "/about",
            r#"<Response><Say>You are now connected to an agent.</Say></Response>"#,
        )
        .twiml("/dialed", "<Response><Hangup/></Response>")
        .start()
        .await;
    let bob = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/start",
            r#"<Response><Pause length="9"/><Say>Hi, this is Bob from support.</Say><Pause length="4"/><Hangup/></Response>"#,
        )
        .start()
        .await;
    let caller = listener(5).await;
    let mut config = world(&ivr, None, Vec::new());
    config
        .numbers
        .insert(AGENT_LINE.into(), ivr_at(line.url("/voice")));
    let emulator = start(config).await;
    let queued = place(&emulator, &caller.url("/start"), &[]).await;
    requested(&ivr, "/wait", 1).await;
    let (status, body) = post(
        &emulator.base_url,
        "Calls.json",
        &[
            ("To", AGENT_LINE),
            ("From", CALLER),
            ("Url", &bob.url("/start")),
        ],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let agent_call = body["sid"].as_str().expect("sid").to_string();
    wait_until_ended(&emulator.base_url, &agent_call).await;
    wait_until_ended(&emulator.base_url, &queued).await;

    assert_eq!(
        heard(&caller),
        [
            "Please hold for the next agent.",
            "You are caller 1 in line.",
            "You are now connected to an agent.",
            "Hi, this is Bob from support.",
            "Thank you for calling.",
        ]
    );
    let queued_call = ivr.received_at("/voice")[0].param("CallSid").to_string();
    let dequeuer = line.received_at("/voice")[0].param("CallSid").to_string();
    let about = line.received_at("/about");
    assert_eq!(about.len(), 1, "{:#?}", line.received());
    assert_eq!(
        about[0].param("CallSid"),
        queued_call,
        "it runs on the queued call"
    );
    assert_eq!(about[0].param("DequeingCallSid"), dequeuer);
    assert!(about[0].param("QueueSid").starts_with("QU"));
    assert!(about[0].signed);

    // Bob hung up: the dequeuing call's action (sent as its caller left) and the queued call's.
    let dialed = requested(&line, "/dialed", 1).await;
    assert_eq!(dialed[0].param("DialCallStatus"), "completed");
    assert_eq!(dialed[0].param("DialCallSid"), queued_call);
    assert_eq!(dialed[0].param("DialBridged"), "true");
    assert_eq!(dialed[0].param("CallStatus"), "completed");
    let connected: u64 = dialed[0]
        .param("DialCallDuration")
        .parse()
        .expect("seconds");
    // From the bridge (after the announcement) to Bob's hang-up.
    assert!((7..=11).contains(&connected), "{connected}");
    let left = ivr.received_at("/left");
    assert_eq!(left[0].param("QueueResult"), "bridged");
    assert_eq!(left[0].param("CallStatus"), "in-progress");
    assert_eq!(left[0].param("QueueSid"), about[0].param("QueueSid"));
}

#[tokio::test]
async fn a_dial_of_a_missing_or_empty_queue_ends_without_a_bridge() {
    let line = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Dial action="/missing"><Queue>nobody</Queue></Dial></Response>"#,
        )
        .twiml(
            "/missing",
            r#"<Response><Enqueue waitUrl="/quiet" action="/left">sales</Enqueue></Response>"#,
        )
        .twiml("/quiet", "<Response><Leave/></Response>")
        .twiml(
            "/left",
            r#"<Response><Dial action="/empty" timeout="5"><Queue>sales</Queue></Dial></Response>"#,
        )
        .twiml("/empty", "<Response><Hangup/></Response>")
        .start()
        .await;
    let caller = listener(1).await;
    let emulator = start(world(&line, None, Vec::new())).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;

    let missing = line.received_at("/missing");
    assert_eq!(missing[0].param("DialCallStatus"), "failed");
    assert_eq!(missing[0].param("DialBridged"), "false");
    // The queue `sales` exists once a call has been in it, and is empty again.
    assert_eq!(line.received_at("/left")[0].param("QueueResult"), "leave");
    let empty = line.received_at("/empty");
    assert_eq!(
        empty[0].param("DialCallStatus"),
        "no-answer",
        "{:#?}",
        line.received()
    );
}

#[tokio::test]
async fn the_rest_api_lists_a_waiting_call_and_dequeues_it_to_other_twiml() {
    let ivr = queueing_ivr("<Response><Hangup/></Response>").await;
    let out = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/out",
            r#"<Response><Say>A supervisor will call you back.</Say><Pause length="2"/></Response>"#,
        )
        .start()
        .await;
    let caller = listener(3).await;
    let emulator = start(world(&ivr, None, Vec::new())).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    let wait = requested(&ivr, "/wait", 1).await;
    let queue_sid = wait[0].param("QueueSid").to_string();
    let member_sid = wait[0].param("CallSid").to_string();
    // The caller has heard its place before it is taken out.
    requested(&caller, "/heard2", 1).await;

    let queue = get(&emulator.base_url, &format!("Queues/{queue_sid}.json")).await;
    assert_eq!(queue["current_size"], 1);
    let members = get(
        &emulator.base_url,
        &format!("Queues/{queue_sid}/Members.json"),
    )
    .await;
    assert_eq!(members["queue_members"][0]["call_sid"], member_sid.as_str());
    assert_eq!(members["queue_members"][0]["position"], 1);
    let front = get(
        &emulator.base_url,
        &format!("Queues/{queue_sid}/Members/Front.json"),
    )
    .await;
    assert_eq!(front["call_sid"], member_sid.as_str());
    let member_path = format!("Queues/{queue_sid}/Members/{member_sid}.json");
    let (status, dequeued) = post(
        &emulator.base_url,
        &member_path,
        &[("Url", &out.url("/out"))],
    )
    .await;
    assert_eq!(status, 200, "{dequeued}");
    wait_until_ended(&emulator.base_url, &sid).await;

    assert_eq!(
        heard(&caller),
        [
            "Please hold for the next agent.",
            "You are caller 1 in line.",
            "A supervisor will call you back.",
        ]
    );
    let sent_out = out.received_at("/out");
    assert_eq!(sent_out[0].param("CallSid"), member_sid);
    let left = ivr.received_at("/left");
    assert_eq!(left[0].param("QueueResult"), "redirected");
    assert_eq!(left[0].param("QueueSid"), queue_sid);
    let members = get(
        &emulator.base_url,
        &format!("Queues/{queue_sid}/Members.json"),
    )
    .await;
    assert_eq!(members["queue_members"], serde_json::json!([]));
}

#[tokio::test]
async fn task_router_is_refused_naming_what_is_not_emulated() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Enqueue workflowSid="WW0123456789abcdef0123456789abcdef" action="/left"><Task>{"lang":"en"}</Task></Enqueue></Response>"#,
        )
        .twiml("/left", "<Response><Say>Not reached.</Say></Response>")
        .start()
        .await;
    let agents = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Dial><Queue reservationSid="WR0123456789abcdef0123456789abcdef">support</Queue></Dial></Response>"#,
        )
        .start()
        .await;
    let caller = listener(1).await;
    let mut config = world(&ivr, None, Vec::new());
    config
        .numbers
        .insert(AGENT_LINE.into(), ivr_at(agents.url("/voice")));
    let emulator = start(config).await;
    let first = place(&emulator, &caller.url("/start"), &[]).await;
    let (_, second) = post(
        &emulator.base_url,
        "Calls.json",
        &[
            ("To", AGENT_LINE),
            ("From", CALLER),
            ("Url", &caller.url("/start")),
        ],
    )
    .await;
    for sid in [first, second["sid"].as_str().expect("sid").to_string()] {
        wait_until_ended(&emulator.base_url, &sid).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;

    assert!(ivr.received_at("/left").is_empty());
    let ledger = ledger(&emulator.base_url).await.to_string();
    for refused in [
        "error: <Enqueue workflowSid> (a TaskRouter <Task>) is not emulated",
        "error: <Queue reservationSid> is not emulated: TaskRouter is not emulated",
    ] {
        assert!(ledger.contains(refused), "{refused}: {ledger}");
    }
    assert!(
        ledger.contains("says: We're sorry, an application error has occurred. Goodbye."),
        "{ledger}"
    );
}

#[tokio::test]
async fn a_key_gathered_while_waiting_leads_out_of_the_queue() {
    // "Press 1 to leave a message": the wait TwiML's <Gather> action is the next wait document,
    // which leaves the queue.
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Enqueue waitUrl="/wait" action="/left">support</Enqueue></Response>"#,
        )
        .twiml(
            "/wait",
            r#"<Response><Gather input="dtmf" numDigits="1" action="/pressed" timeout="10"><Say>Press 1 to leave a message.</Say></Gather></Response>"#,
        )
        .twiml("/pressed", "<Response><Leave/></Response>")
        .twiml("/left", r#"<Response><Say>Leave your message now.</Say><Pause length="2"/></Response>"#)
        .start()
        .await;
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/start",
            r#"<Response><Gather input="speech" action="/heard1" timeout="60" speechTimeout="auto"/></Response>"#,
        )
        .twiml(
            "/heard1",
            r#"<Response><Play digits="1"/><Gather input="speech" action="/heard2" timeout="60" speechTimeout="auto"/></Response>"#,
        )
        .twiml("/heard2", "<Response><Hangup/></Response>")
        .start()
        .await;
    let emulator = start(world(&ivr, None, Vec::new())).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;

    let pressed = ivr.received_at("/pressed");
    assert_eq!(pressed[0].param("Digits"), "1");
    assert!(
        pressed[0].param("QueueSid").starts_with("QU"),
        "{pressed:#?}"
    );
    assert_eq!(pressed[0].param("QueuePosition"), "1");
    assert_eq!(ivr.received_at("/left")[0].param("QueueResult"), "leave");
    assert_eq!(
        heard(&caller),
        ["Press 1 to leave a message.", "Leave your message now."]
    );
}

#[tokio::test]
async fn wait_twiml_that_hangs_up_or_holds_a_verb_twilio_refuses_ends_the_wait() {
    let hanging_up = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Enqueue waitUrl="/wait" action="/left">support</Enqueue></Response>"#,
        )
        .twiml(
            "/wait",
            "<Response><Say>We are closed.</Say><Hangup/></Response>",
        )
        .twiml("/left", "<Response><Say>Not heard.</Say></Response>")
        .start()
        .await;
    let recording = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Enqueue waitUrl="/wait" action="/left">support</Enqueue></Response>"#,
        )
        .twiml("/wait", "<Response><Record/></Response>")
        .twiml(
            "/left",
            r#"<Response><Say>Something went wrong.</Say><Pause length="2"/></Response>"#,
        )
        .start()
        .await;
    for (ivr, result, status) in [
        (&hanging_up, "hangup", "completed"),
        (&recording, "error", "in-progress"),
    ] {
        let caller = listener(1).await;
        let emulator = start(world(ivr, None, Vec::new())).await;
        let sid = place(&emulator, &caller.url("/start"), &[]).await;
        let ended = wait_until_ended(&emulator.base_url, &sid).await;
        assert_eq!(ended["status"], "completed");
        let left = requested(ivr, "/left", 1).await;
        assert_eq!(left[0].param("QueueResult"), result);
        assert_eq!(left[0].param("CallStatus"), status);
        let ledger = ledger(&emulator.base_url).await.to_string();
        assert!(!ledger.contains("Not heard."), "{ledger}");
        if result == "error" {
            assert!(
                ledger.contains(
                    "error: <Record> is not allowed in a waitUrl document (Twilio allows Say, \
                     Play, Pause, Gather, Redirect, Hangup, Leave)"
                ),
                "{ledger}"
            );
            assert_eq!(heard(&caller), ["Something went wrong."]);
        }
    }
}
