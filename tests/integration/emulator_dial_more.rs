//! `<Dial>` beyond one party: parallel and sequential parties, each a call resource with its
//! own status callbacks, `<Number sendDigits>`, `<Sip>` addresses with headers, and what the
//! emulator refuses. IVRs, agents and callers are TwiML applications over real HTTP; every
//! request is signed.

use std::collections::BTreeMap;
use std::time::Duration;

use twilio_emulator::config::{EmulatorConfig, NumberBehaviour, NumberConfig};
use twilio_emulator::server::{EmulatorOptions, RunningEmulator};

use crate::harness::emulator::{agent, children, listening_caller};
use crate::harness::emulator::{
    behaving, config, get, ivr_at, ivr_side, ledger, place, serve, wait_until_ended, IVR, TOKEN,
};
use crate::harness::twiml_app::{Reply, TwimlApp, TwimlAppBuilder};

const BOB: &str = "+15557770002";
const BUSY: &str = "+15557770004";
const BUSY_TOO: &str = "+15557770005";
const BROKEN: &str = "+15557770006";
/// Not configured: rings unanswered.
const NOBODY: &str = "+15557770099";

/// A number answered by `app`'s `/voice` after `rings` rings (6 emulated seconds each).
fn answering(app: &TwimlApp, rings: u32) -> NumberConfig {
    NumberConfig {
        answer_after_rings: Some(rings),
        ..ivr_at(app.url("/voice"))
    }
}

/// Starts an emulator (20 times faster than real time) on `config` with the test account.
async fn start(config: EmulatorConfig) -> RunningEmulator {
    let config = EmulatorConfig {
        calls_per_second: 100.0,
        ..config
    };
    let options = EmulatorOptions {
        time_scale: Some(20.0),
        webhook_budget: Some(Duration::from_secs(2)),
        log: twilio_emulator::log::EventLog::new(true, |l| eprintln!("[emulator] {l}")),
        ..Default::default()
    };
    serve(config, options).await
}

/// The configuration with `ivr` at the IVR's number, `numbers` and `clients`.
fn world(
    ivr: &TwimlApp,
    numbers: Vec<(&str, NumberConfig)>,
    clients: Vec<(&str, NumberConfig)>,
) -> EmulatorConfig {
    let mut all = vec![(IVR, ivr_at(ivr.url("/voice")))];
    all.extend(numbers);
    let mut config = config(all);
    config.clients = clients
        .into_iter()
        .map(|(name, c)| (name.to_string(), c))
        .collect::<BTreeMap<_, _>>();
    config
}

/// Places a call from a caller that listens for one utterance, then stays on the line; waits
/// until it has ended. Returns the call's SID and the caller.
async fn call(emulator: &RunningEmulator) -> (String, TwimlApp) {
    let caller = listening_caller(r#"<Response><Pause length="40"/></Response>"#)
        .start()
        .await;
    let sid = place(emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;
    (sid, caller)
}

/// The child call with this SID, from the parent's list.
fn child<'a>(children: &'a [serde_json::Value], sid: &str) -> &'a serde_json::Value {
    children
        .iter()
        .find(|c| c["sid"] == sid)
        .unwrap_or_else(|| panic!("no child {sid} in {children:#?}"))
}

/// The child call dialled to `to`.
fn child_to<'a>(children: &'a [serde_json::Value], to: &str) -> &'a serde_json::Value {
    children
        .iter()
        .find(|c| c["to"] == to)
        .unwrap_or_else(|| panic!("no child to {to} in {children:#?}"))
}

#[tokio::test]
async fn parallel_parties_ring_at_once_and_the_first_to_answer_is_connected() {
    let alice = agent("This is Alice speaking.", 3).await;
    let bob = agent("This is Bob speaking.", 3).await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Dial action="/after"><Number>{BOB}</Number><Number>{BUSY}</Number><Client>alice</Client></Dial></Response>"#
            ),
        )
        .twiml("/after", "<Response><Hangup/></Response>")
        .start()
        .await;
    let emulator = start(world(
        &ivr,
        vec![
            (BOB, answering(&bob, 3)),
            (BUSY, behaving(NumberBehaviour::Busy)),
        ],
        vec![("alice", answering(&alice, 1))],
    ))
    .await;
    let (sid, caller) = call(&emulator).await;

    // Alice answers first (one ring against Bob's three): the caller hears her.
    assert_eq!(
        caller.received_at("/heard")[0].param("SpeechResult"),
        "This is Alice speaking."
    );
    assert!(bob.received().is_empty(), "Bob's phone stopped ringing");
    let alice_sid = alice.received_at("/voice")[0].param("CallSid").to_string();
    let after = ivr.received_at("/after");
    assert_eq!(after[0].param("DialCallStatus"), "completed");
    assert_eq!(after[0].param("DialBridged"), "true");
    assert_eq!(after[0].param("DialCallSid"), alice_sid);

    // Each party rang as a call of its own: the busy one ended busy, Bob's was cancelled.
    let listed = children(&emulator, &sid).await;
    assert_eq!(listed.len(), 3, "{listed:#?}");
    assert_eq!(child(&listed, &alice_sid)["status"], "completed");
    assert_eq!(child(&listed, &alice_sid)["to"], "client:alice");
    assert_eq!(child_to(&listed, BOB)["status"], "canceled");
    assert_eq!(child_to(&listed, BUSY)["status"], "busy");
    let dialling = ivr_side(&emulator.base_url, &sid).await;
    for c in &listed {
        assert_eq!(c["parent_call_sid"], dialling["sid"]);
        assert_eq!(c["direction"], "outbound-dial");
    }
}

#[tokio::test]
async fn when_nobody_answers_the_dial_reports_busy_only_if_every_party_was_busy() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Dial action="/first" timeout="5"><Number>{BUSY}</Number><Number>{BUSY_TOO}</Number></Dial></Response>"#
            ),
        )
        .twiml(
            "/first",
            &format!(
                r#"<Response><Dial action="/second" timeout="5"><Number>{BROKEN}</Number><Number>{BUSY}</Number><Number>{NOBODY}</Number></Dial></Response>"#
            ),
        )
        .twiml("/second", "<Response><Hangup/></Response>")
        .start()
        .await;
    let emulator = start(world(
        &ivr,
        vec![
            (BUSY, behaving(NumberBehaviour::Busy)),
            (BUSY_TOO, behaving(NumberBehaviour::Busy)),
            (BROKEN, behaving(NumberBehaviour::Failed)),
        ],
        Vec::new(),
    ))
    .await;
    let (sid, _caller) = call(&emulator).await;
    let listed = children(&emulator, &sid).await;
    assert_eq!(listed.len(), 5, "{listed:#?}");

    let first = &ivr.received_at("/first")[0];
    assert_eq!(first.param("DialCallStatus"), "busy");
    assert_eq!(first.param("DialBridged"), "false");
    // The first party, in document order, that ended so.
    assert_eq!(child(&listed, first.param("DialCallSid"))["to"], BUSY);

    // One party rang out: the <Dial> was not answered, whatever the others did.
    let second = &ivr.received_at("/second")[0];
    assert_eq!(second.param("DialCallStatus"), "no-answer");
    assert_eq!(child(&listed, second.param("DialCallSid"))["to"], NOBODY);
    assert_eq!(child_to(&listed, BROKEN)["status"], "failed");
}

#[tokio::test]
async fn sequential_parties_ring_one_after_another() {
    let bob = agent("This is Bob speaking.", 3).await;
    let alice = agent("This is Alice speaking.", 3).await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Dial action="/after" sequential="true" timeout="8"><Number>{BOB}</Number><Client>alice</Client></Dial></Response>"#
            ),
        )
        .twiml("/after", "<Response><Hangup/></Response>")
        .start()
        .await;
    let emulator = start(world(
        &ivr,
        // Bob would answer after three rings (18 s), beyond the 8 s timeout.
        vec![(BOB, answering(&bob, 3))],
        vec![("alice", answering(&alice, 1))],
    ))
    .await;
    let (sid, caller) = call(&emulator).await;

    assert_eq!(
        caller.received_at("/heard")[0].param("SpeechResult"),
        "This is Alice speaking."
    );
    let alice_sid = alice.received_at("/voice")[0].param("CallSid").to_string();
    assert_eq!(ivr.received_at("/after")[0].param("DialCallSid"), alice_sid);
    // Bob rang out on his own (not cancelled by Alice), and Alice was dialled only then.
    let calls = ledger(&emulator.base_url).await;
    let calls = calls.as_array().expect("array");
    let entry = |sid: &str| {
        calls
            .iter()
            .find(|c| c["sid"] == sid)
            .cloned()
            .unwrap_or_default()
    };
    let listed = children(&emulator, &sid).await;
    let bob_entry = entry(child_to(&listed, BOB)["sid"].as_str().unwrap_or(""));
    let alice_entry = entry(&alice_sid);
    assert_eq!(bob_entry["status"], "no-answer");
    let (bob_end, alice_start) = (
        bob_entry["end_time"].as_str().unwrap_or("~"),
        alice_entry["date_created"].as_str().unwrap_or(""),
    );
    assert!(bob_end <= alice_start, "{bob_end} vs {alice_start}");
}

#[tokio::test]
async fn a_partys_status_callback_follows_its_own_call_in_order() {
    let alice = agent("This is Alice speaking.", 2).await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Dial action="/after"><Client statusCallback="/alice" statusCallbackEvent="initiated ringing answered completed">alice</Client><Number statusCallback="/bob" statusCallbackMethod="GET">{BOB}</Number></Dial></Response>"#
            ),
        )
        .twiml("/after", "<Response><Hangup/></Response>")
        .route("/alice", |_| Reply::Status(204))
        .route("/bob", |_| Reply::Status(204))
        .start()
        .await;
    let bob = agent("Not heard.", 2).await;
    let emulator = start(world(
        &ivr,
        vec![(BOB, answering(&bob, 4))],
        vec![("alice", answering(&alice, 1))],
    ))
    .await;
    let (sid, _caller) = call(&emulator).await;
    let dialling = ivr.received_at("/voice")[0].param("CallSid").to_string();
    let received = ivr
        .wait_for("every party's callbacks", |r| {
            r.iter().filter(|x| x.path == "/alice").count() == 4
                && r.iter().any(|x| x.path == "/bob")
        })
        .await;

    let alice_sid = alice.received_at("/voice")[0].param("CallSid").to_string();
    let callbacks: Vec<_> = received.iter().filter(|r| r.path == "/alice").collect();
    let seen: Vec<(&str, &str)> = callbacks
        .iter()
        .map(|r| (r.param("CallStatus"), r.param("SequenceNumber")))
        .collect();
    assert_eq!(
        seen,
        [
            ("initiated", "0"),
            ("ringing", "1"),
            ("in-progress", "2"),
            ("completed", "3")
        ]
    );
    for r in &callbacks {
        assert!(r.signed, "{r:?}");
        assert_eq!(r.method, "POST");
        assert_eq!(r.param("CallSid"), alice_sid);
        assert_eq!(r.param("ParentCallSid"), dialling.as_str());
        assert_eq!(r.param("Direction"), "outbound-dial");
        assert_eq!(r.param("To"), "client:alice");
        assert_eq!(r.param("CallbackSource"), "call-progress-events");
        assert!(!r.param("Timestamp").is_empty(), "{r:?}");
    }
    let listed = children(&emulator, &sid).await;
    let duration = child(&listed, &alice_sid)["duration"]
        .as_str()
        .unwrap_or("");
    assert_eq!(callbacks[3].param("CallDuration"), duration);
    assert!(callbacks[..3]
        .iter()
        .all(|r| r.param("CallDuration").is_empty()));

    // Bob's noun asked for the default (`completed` only), by GET: his cancelled call.
    let bob_callbacks = ivr.received_at("/bob");
    assert_eq!(bob_callbacks.len(), 1, "{bob_callbacks:#?}");
    assert_eq!(bob_callbacks[0].method, "GET");
    assert!(bob_callbacks[0].signed);
    assert_eq!(bob_callbacks[0].param("CallStatus"), "canceled");
    assert_eq!(
        bob_callbacks[0].param("CallSid"),
        child_to(&listed, BOB)["sid"].as_str().unwrap_or("?")
    );
}

#[tokio::test]
async fn send_digits_reach_the_partys_gather_once_it_answers() {
    // The party is an IVR of its own that asks for an extension. Six seconds of `W` give its
    // `<Gather>` time to start listening even on a loaded machine: keys that arrive before it
    // listens are lost, as on Twilio.
    let extension = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Gather input="dtmf" timeout="8" action="/got"/></Response>"#,
        )
        .route("/got", |r| {
            Reply::Twiml(format!(
                r#"<Response><Say>Extension {} please hold.</Say><Pause length="3"/></Response>"#,
                r.param("Digits")
            ))
        })
        .start()
        .await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Dial><Number sendDigits="WWWWWW4711#">{BOB}</Number></Dial></Response>"#
            ),
        )
        .start()
        .await;
    let emulator = start(world(
        &ivr,
        vec![(BOB, answering(&extension, 1))],
        Vec::new(),
    ))
    .await;
    let (sid, caller) = call(&emulator).await;

    let got = extension.received_at("/got");
    assert_eq!(got.len(), 1, "{:#?}", extension.received());
    assert_eq!(got[0].param("Digits"), "4711");
    assert_eq!(got[0].param("FinishedOnKey"), "#");
    assert_eq!(
        caller.received_at("/heard")[0].param("SpeechResult"),
        "Extension 4711 please hold."
    );
    // The keys were played on the dialled leg, not to the caller.
    let listed = children(&emulator, &sid).await;
    let calls = ledger(&emulator.base_url).await;
    let party = calls
        .as_array()
        .and_then(|c| c.iter().find(|c| c["sid"] == listed[0]["sid"]).cloned())
        .unwrap_or_default();
    assert!(
        party["transcript"]
            .to_string()
            .contains("presses: WWWWWW4711#"),
        "{party}"
    );
}

#[tokio::test]
async fn a_sip_party_is_found_by_its_uri_without_headers_and_credentials_are_accepted() {
    let kate = agent("Kate on SIP.", 2).await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Dial action="/after"><Sip username="admin" password="1234">sip:kate@example.test;transport=tcp?x-team=blue&amp;x-ticket=42</Sip></Dial></Response>"#,
        )
        .twiml("/after", "<Response><Hangup/></Response>")
        .start()
        .await;
    let emulator = start(world(
        &ivr,
        Vec::new(),
        vec![("sip:kate@example.test", answering(&kate, 1))],
    ))
    .await;
    let (_sid, caller) = call(&emulator).await;

    assert_eq!(
        caller.received_at("/heard")[0].param("SpeechResult"),
        "Kate on SIP."
    );
    assert_eq!(
        ivr.received_at("/after")[0].param("DialCallStatus"),
        "completed"
    );
    assert_eq!(
        kate.received_at("/voice")[0].param("To"),
        "sip:kate@example.test;transport=tcp"
    );
}

#[tokio::test]
async fn answering_machine_detection_on_a_number_is_refused_naming_it() {
    let bob = agent("Not reached.", 2).await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Dial><Number machineDetection="Enable">{BOB}</Number></Dial><Say>After the dial.</Say></Response>"#
            ),
        )
        .start()
        .await;
    let emulator = start(world(&ivr, vec![(BOB, answering(&bob, 1))], Vec::new())).await;
    let (sid, _caller) = call(&emulator).await;

    let ledger = ledger(&emulator.base_url).await.to_string();
    assert!(
        ledger.contains("error: <Number machineDetection> is not emulated"),
        "{ledger}"
    );
    assert!(!ledger.contains("After the dial."), "{ledger}");
    assert!(bob.received().is_empty());
    assert!(children(&emulator, &sid).await.is_empty());
    let call = get(&emulator.base_url, &format!("Calls/{sid}.json")).await;
    assert_eq!(call["status"], "completed");
}
