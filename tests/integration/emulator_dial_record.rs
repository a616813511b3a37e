//! `<Dial record>` and what the caller hears while a `<Dial>` rings (`answerOnBridge`): the
//! recording of the dialled conversation on the dialling call, its status callbacks and the
//! `action`'s recording parameters; the ringback, and when the call counts as answered. IVRs,
//! agents and callers are TwiML applications over real HTTP; every request is signed.

use std::time::Duration;

use twilio_emulator::config::EmulatorConfig;
use twilio_emulator::server::{EmulatorOptions, RunningEmulator};

use crate::harness::emulator::{agent, listening_caller};
use crate::harness::emulator::{
    config, get, ivr_at, ivr_side, ledger, place, serve, wait_until_ended, ACCOUNT, IVR,
};
use crate::harness::twiml_app::{Reply, TwimlApp, TwimlAppBuilder};

const TOKEN: &str = crate::harness::emulator::TOKEN;
/// Not configured: rings unanswered.
const NOBODY: &str = "+15557770099";

/// An emulator 20 times faster than real time, with `ivr` at the IVR's number and `alice` (if
/// any) answering `<Client>alice</Client>` after `rings` rings.
async fn start(ivr: &TwimlApp, alice: Option<(&TwimlApp, u32)>) -> RunningEmulator {
    start_at(20.0, ivr, alice).await
}

/// [`start`] at another speed.
async fn start_at(
    time_scale: f64,
    ivr: &TwimlApp,
    alice: Option<(&TwimlApp, u32)>,
) -> RunningEmulator {
    let mut config: EmulatorConfig = config(vec![(IVR, ivr_at(ivr.url("/voice")))]);
    config.calls_per_second = 100.0;
    if let Some((alice, rings)) = alice {
        let answering = twilio_emulator::config::NumberConfig {
            answer_after_rings: Some(rings),
            ..ivr_at(alice.url("/voice"))
        };
        config.clients.insert("alice".into(), answering);
    }
    let options = EmulatorOptions {
        time_scale: Some(time_scale),
        webhook_budget: Some(Duration::from_secs(2)),
        log: twilio_emulator::log::EventLog::new(true, |l| eprintln!("[emulator] {l}")),
        ..Default::default()
    };
    serve(config, options).await
}

/// The number in a parameter or JSON string.
fn number(text: &str) -> i64 {
    text.parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

#[tokio::test]
async fn dial_record_leaves_a_dial_verb_recording_on_the_call_with_signed_callbacks() {
    let alice = agent("This is Alice speaking.", 4).await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Dial action="/after" record="record-from-answer-dual" recordingStatusCallback="/rec" recordingStatusCallbackEvent="in-progress completed"><Client>alice</Client></Dial></Response>"#,
        )
        .twiml("/after", "<Response><Hangup/></Response>")
        .route("/rec", |_| Reply::Status(204))
        .start()
        .await;
    let caller = listening_caller(r#"<Response><Pause length="30"/></Response>"#)
        .start()
        .await;
    let emulator = start(&ivr, Some((&alice, 1))).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;
    // The call that dialled, and so owns the recording: the IVR's side of the call.
    let sid = ivr_side(&emulator.base_url, &sid).await["sid"]
        .as_str()
        .expect("sid")
        .to_string();
    assert_eq!(
        caller.received_at("/heard")[0].param("SpeechResult"),
        "This is Alice speaking."
    );

    // The action knows the recording.
    let after = &ivr.received_at("/after")[0];
    assert_eq!(after.param("DialCallStatus"), "completed");
    let recording_sid = after.param("RecordingSid");
    assert!(recording_sid.starts_with("RE"), "{after:?}");
    assert_eq!(
        after.param("RecordingUrl"),
        format!(
            "{}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{recording_sid}",
            emulator.base_url
        )
    );
    // Recorded from the answer to the end of the conversation: the dialled call's duration.
    let seconds = number(after.param("RecordingDuration"));
    assert!(
        (seconds - number(after.param("DialCallDuration"))).abs() <= 1,
        "{after:?}"
    );
    assert!(seconds >= 5, "{seconds}");

    // A Recording of the dialling call: in its list, the account's, and its ledger entry.
    let of_call = get(&emulator.base_url, &format!("Calls/{sid}/Recordings.json")).await;
    let recordings = of_call["recordings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(recordings.len(), 1, "{of_call}");
    let recording = &recordings[0];
    assert_eq!(recording["sid"], recording_sid);
    assert_eq!(recording["call_sid"], sid.as_str());
    assert_eq!(recording["source"], "DialVerb");
    assert_eq!(recording["channels"], 2);
    assert_eq!(recording["duration"], seconds.to_string());
    let all = get(&emulator.base_url, "Recordings.json").await;
    assert_eq!(all["recordings"][0]["sid"], recording_sid, "{all}");
    let calls = ledger(&emulator.base_url).await;
    let entry = calls
        .as_array()
        .and_then(|c| c.iter().find(|c| c["sid"] == sid.as_str()).cloned())
        .unwrap_or_default();
    assert_eq!(entry["recordings"][0]["sid"], recording_sid, "{entry}");
    assert_eq!(entry["recordings"][0]["source"], "DialVerb");
    assert_eq!(entry["recordings"][0]["channels"], 2);

    // The recording status callbacks: the events asked for, in order, signed.
    let callbacks = ivr
        .wait_for("two recording callbacks", |r| {
            r.iter().filter(|x| x.path == "/rec").count() == 2
        })
        .await;
    let callbacks: Vec<_> = callbacks.iter().filter(|r| r.path == "/rec").collect();
    let statuses: Vec<&str> = callbacks
        .iter()
        .map(|r| r.param("RecordingStatus"))
        .collect();
    assert_eq!(statuses, ["in-progress", "completed"]);
    for r in &callbacks {
        assert!(r.signed, "{r:?}");
        assert_eq!(r.param("AccountSid"), ACCOUNT);
        assert_eq!(r.param("CallSid"), sid.as_str());
        assert_eq!(r.param("RecordingSid"), recording_sid);
        assert_eq!(r.param("RecordingUrl"), after.param("RecordingUrl"));
        assert_eq!(r.param("RecordingChannels"), "2");
        assert_eq!(r.param("RecordingSource"), "DialVerb");
        assert_eq!(r.param("RecordingTrack"), "both");
        assert!(!r.param("RecordingStartTime").is_empty(), "{r:?}");
    }
    assert_eq!(callbacks[0].param("RecordingDuration"), "");
    assert_eq!(callbacks[1].param("RecordingDuration"), seconds.to_string());
}

#[tokio::test]
async fn a_recording_from_ringing_keeps_an_unanswered_dial_and_silence_trimmed_away_is_absent() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Dial action="/next" timeout="6" record="record-from-ringing"><Number>{NOBODY}</Number></Dial></Response>"#
            ),
        )
        .twiml(
            "/next",
            &format!(
                r#"<Response><Dial action="/last" timeout="6" record="record-from-ringing" trim="trim-silence" recordingTrack="inbound" recordingStatusCallback="/rec" recordingStatusCallbackEvent="completed absent"><Number>{NOBODY}</Number></Dial></Response>"#
            ),
        )
        .twiml("/last", "<Response><Hangup/></Response>")
        .route("/rec", |_| Reply::Status(204))
        .start()
        .await;
    // The caller says nothing.
    let caller = listening_caller(r#"<Response><Pause length="30"/></Response>"#)
        .start()
        .await;
    let emulator = start(&ivr, None).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;
    // The call that dialled, and so owns the recording: the IVR's side of the call.
    let sid = ivr_side(&emulator.base_url, &sid).await["sid"]
        .as_str()
        .expect("sid")
        .to_string();

    // Nobody answered, but the six seconds of ringing were recorded, in one channel (a timer
    // that wakes late on a loaded machine may add an emulated second or two).
    let next = &ivr.received_at("/next")[0];
    assert_eq!(next.param("DialCallStatus"), "no-answer");
    let seconds = number(next.param("RecordingDuration"));
    assert!((6..=9).contains(&seconds), "{next:?}");
    let recordings = get(&emulator.base_url, &format!("Calls/{sid}/Recordings.json")).await;
    let recordings = recordings["recordings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(recordings.len(), 1, "{recordings:#?}");
    assert_eq!(recordings[0]["sid"], next.param("RecordingSid"));
    assert_eq!(recordings[0]["channels"], 1);

    // The caller's track alone, silence trimmed: nothing left, so no recording.
    let callbacks = ivr
        .wait_for("the absent callback", |r| {
            r.iter().any(|x| x.path == "/rec")
        })
        .await;
    let absent: Vec<_> = callbacks.iter().filter(|r| r.path == "/rec").collect();
    assert_eq!(absent.len(), 1, "{absent:#?}");
    assert!(absent[0].signed);
    assert_eq!(absent[0].param("RecordingStatus"), "absent");
    assert_eq!(absent[0].param("RecordingTrack"), "inbound");
    assert_eq!(absent[0].param("RecordingChannels"), "1");
    let last = &ivr.received_at("/last")[0];
    assert_eq!(last.param("RecordingUrl"), "", "{last:?}");
}

/// How many seconds a caller records from hearing "Connecting you." while the IVR dials Alice,
/// who answers after one ring (6 s) and whose screening runs 6 seconds before she is connected
/// (and then says nothing): the recording stops after 3 seconds of silence. At a tenth of real
/// time, so that a slow webhook on a loaded machine costs little emulated time.
async fn recorded_while_dialling(answer_on_bridge: bool) -> i64 {
    let alice = TwimlAppBuilder::new(TOKEN)
        .twiml("/voice", r#"<Response><Pause length="5"/></Response>"#)
        .start()
        .await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Say>Connecting you.</Say><Dial answerOnBridge="{answer_on_bridge}"><Client url="/screen">alice</Client></Dial></Response>"#
            ),
        )
        .twiml("/screen", r#"<Response><Pause length="6"/></Response>"#)
        .start()
        .await;
    let caller = listening_caller(
        r#"<Response><Record timeout="3" maxLength="60" playBeep="false" action="/recorded"/></Response>"#,
    )
    .twiml("/recorded", r#"<Response><Pause length="30"/></Response>"#)
    .start()
    .await;
    let emulator = start_at(10.0, &ivr, Some((&alice, 1))).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;
    assert_eq!(
        caller.received_at("/heard")[0].param("SpeechResult"),
        "Connecting you."
    );
    let recorded = caller.received_at("/recorded");
    assert_eq!(recorded.len(), 1, "{:#?}", caller.received());
    number(recorded[0].param("RecordingDuration"))
}

#[tokio::test]
async fn the_caller_hears_ringback_while_the_party_rings_and_with_answer_on_bridge_until_connected()
{
    // About 5 seconds of ringback (6 s of ringing, less the second it took to hear the IVR),
    // then silence while the party is screened. Without a ringback nothing would be recorded.
    let plain = recorded_while_dialling(false).await;
    assert!((3..=7).contains(&plain), "{plain} s");
    // With answerOnBridge the ringback goes on through the 6 seconds of screening.
    let bridged = recorded_while_dialling(true).await;
    assert!((10..=15).contains(&bridged), "{bridged} s");
}

#[tokio::test]
async fn answer_on_bridge_as_the_first_verb_keeps_the_call_ringing_until_the_party_is_connected() {
    // Alice answers after four rings (24 s); the IVR's first verb dials her.
    let alice = agent("This is Alice speaking.", 3).await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Dial answerOnBridge="true" action="/after"><Client>alice</Client></Dial></Response>"#,
        )
        .twiml("/after", "<Response><Hangup/></Response>")
        .start()
        .await;
    let caller = listening_caller(r#"<Response><Pause length="30"/></Response>"#)
        .route("/status", |_| Reply::Status(204))
        .start()
        .await;
    let emulator = start(&ivr, Some((&alice, 4))).await;
    let status = caller.url("/status");
    let sid = place(
        &emulator,
        &caller.url("/start"),
        &[
            ("StatusCallback", status.as_str()),
            ("StatusCallbackEvent", "initiated"),
            ("StatusCallbackEvent", "ringing"),
            ("StatusCallbackEvent", "answered"),
            ("StatusCallbackEvent", "completed"),
        ],
    )
    .await;

    // The IVR has picked up and is dialling: the call still rings, the caller's TwiML waits.
    ivr.wait_for("the IVR's TwiML", |r| !r.is_empty()).await;
    let ringing = get(&emulator.base_url, &format!("Calls/{sid}.json")).await;
    assert_eq!(ringing["status"], "ringing", "{ringing}");
    assert_eq!(ringing["start_time"], serde_json::Value::Null, "{ringing}");
    assert!(caller.received_at("/start").is_empty());
    assert!(caller
        .received_at("/status")
        .iter()
        .all(|r| r.param("CallStatus") != "in-progress"));

    let ended = wait_until_ended(&emulator.base_url, &sid).await;
    assert_eq!(ended["status"], "completed");
    // Answered at the bridge: the caller's TwiML starts then and hears Alice.
    assert_eq!(
        caller.received_at("/heard")[0].param("SpeechResult"),
        "This is Alice speaking."
    );
    let callbacks = caller
        .wait_for("the completed callback", |r| {
            r.iter()
                .any(|x| x.path == "/status" && x.param("CallStatus") == "completed")
        })
        .await;
    let statuses: Vec<&str> = callbacks
        .iter()
        .filter(|r| r.path == "/status")
        .map(|r| r.param("CallStatus"))
        .collect();
    assert_eq!(
        statuses,
        ["initiated", "ringing", "in-progress", "completed"]
    );
    // The call lasted about as long as the bridged conversation (its end follows the `action`
    // request), not 24 s of ringing longer.
    let alice_sid = alice.received_at("/voice")[0].param("CallSid").to_string();
    let alice_call = get(&emulator.base_url, &format!("Calls/{alice_sid}.json")).await;
    let (parent, child) = (
        number(ended["duration"].as_str().unwrap_or("")),
        number(alice_call["duration"].as_str().unwrap_or("")),
    );
    assert!(parent < child + 10, "call {parent} s, bridged {child} s");
}
