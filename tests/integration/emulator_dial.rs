//! `<Dial>` in the emulator end to end: the dialled party is a call leg of its own, decided by
//! the configuration, bridged to the caller, and a call resource with a `ParentCallSid`. The IVRs
//! and agents are TwiML applications over real HTTP; durations are emulated time, never the
//! wall clock. The last test runs the same through `ivr-test run --emulate`.

use twilio_emulator::config::NumberConfig;
use twilio_emulator::server::RunningEmulator;

use crate::harness::emulator::{agent, children, listening_caller};
use crate::harness::emulator::{
    config, emulator, get, ivr_at, ivr_side, ledger, place, serve, wait_until_ended, CALLER, IVR,
};
use crate::harness::twiml_app::{TwimlApp, TwimlAppBuilder};

const TOKEN: &str = crate::harness::emulator::TOKEN;
/// A number the configuration lists: an agent.
const AGENT: &str = "+15557770001";
/// A number the configuration does not list.
const NOBODY: &str = "+15557770099";

/// An emulator where `ivr` answers the IVR's number and `agent` the agent's; places a call from
/// `caller` and waits until it has ended. Returns the emulator and the call's SID.
async fn call_to_ivr_with_agent(
    ivr: &TwimlApp,
    agent: &TwimlApp,
    caller: &TwimlApp,
) -> (RunningEmulator, String) {
    let emulator = emulator(vec![
        (IVR, ivr_at(ivr.url("/voice"))),
        (AGENT, ivr_at(agent.url("/voice"))),
    ])
    .await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;
    (emulator, sid)
}

#[tokio::test]
async fn a_dial_to_an_unlisted_number_ends_no_answer_and_its_action_takes_a_message() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(r#"<Response><Dial action="/after" timeout="5">{NOBODY}</Dial></Response>"#),
        )
        .twiml(
            "/after",
            r#"<Response><Say>Please leave a message after the beep.</Say><Record action="/recorded" timeout="2" maxLength="10"/></Response>"#,
        )
        .twiml("/recorded", "<Response><Hangup/></Response>")
        .start()
        .await;
    let caller = listening_caller(r#"<Response><Pause length="30"/></Response>"#)
        .start()
        .await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;

    let after = ivr.received_at("/after");
    assert_eq!(after.len(), 1, "{:#?}", ivr.received());
    assert_eq!(after[0].param("DialCallStatus"), "no-answer");
    assert_eq!(after[0].param("DialCallDuration"), "0");
    let child_sid = after[0].param("DialCallSid").to_string();
    assert!(child_sid.starts_with("CA"), "{child_sid}");
    assert_eq!(
        caller.received_at("/heard")[0].param("SpeechResult"),
        "Please leave a message after the beep."
    );
    assert_eq!(
        ivr.received_at("/recorded").len(),
        1,
        "the message was recorded"
    );

    // The unanswered leg is a call of its own, from the caller's number by default.
    let listed = children(&emulator, &sid).await;
    assert_eq!(listed.len(), 1, "{listed:#?}");
    let child = &listed[0];
    assert_eq!(child["sid"], child_sid.as_str());
    let ivr_call = ivr_side(&emulator.base_url, &sid).await;
    assert_eq!(child["parent_call_sid"], ivr_call["sid"]);
    assert_eq!(ivr_call["status"], "completed");
    assert_eq!(
        ivr.received_at("/voice")[0].param("CallSid"),
        ivr_call["sid"].as_str().expect("sid"),
        "the IVR's webhooks name its own call"
    );
    assert_eq!(child["direction"], "outbound-dial");
    assert_eq!(child["to"], NOBODY);
    assert_eq!(child["from"], CALLER);
    assert_eq!(child["status"], "no-answer");
    let grandchildren = get(
        &emulator.base_url,
        &format!("Calls.json?ParentCallSid={child_sid}"),
    )
    .await;
    assert_eq!(grandchildren["calls"], serde_json::json!([]));
}

#[tokio::test]
async fn a_listed_agent_answers_and_the_caller_hears_its_greeting() {
    let agent = agent("Hello, this is Alice from billing.", 2).await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Dial action="/after" callerId="+15550001111">{AGENT}</Dial></Response>"#
            ),
        )
        .twiml("/after", "<Response><Hangup/></Response>")
        .start()
        .await;
    let caller = listening_caller(r#"<Response><Pause length="30"/></Response>"#)
        .start()
        .await;
    let (emulator, sid) = call_to_ivr_with_agent(&ivr, &agent, &caller).await;
    let call = wait_until_ended(&emulator.base_url, &sid).await;
    assert_eq!(call["status"], "completed");

    let heard = caller.received_at("/heard");
    assert_eq!(
        heard[0].param("SpeechResult"),
        "Hello, this is Alice from billing."
    );
    let after = ivr.received_at("/after");
    assert_eq!(after.len(), 1, "{:#?}", ivr.received());
    assert_eq!(after[0].param("DialCallStatus"), "completed");
    assert_eq!(after[0].param("DialBridged"), "true");
    let child_sid = after[0].param("DialCallSid");

    // The agent's application sees the dialled leg: its own SID, the callerId, the parent.
    let voice = agent.received_at("/voice");
    assert_eq!(voice[0].param("CallSid"), child_sid);
    assert_eq!(voice[0].param("From"), "+15550001111");
    assert_eq!(voice[0].param("To"), AGENT);
    assert_eq!(voice[0].param("Direction"), "outbound-dial");
    assert_eq!(
        voice[0].param("ParentCallSid"),
        ivr.received_at("/voice")[0].param("CallSid")
    );
    assert!(voice[0].signed);

    let child = get(&emulator.base_url, &format!("Calls/{child_sid}.json")).await;
    assert_eq!(child["status"], "completed");
    let ivr_call = ivr_side(&emulator.base_url, &sid).await;
    assert_eq!(child["parent_call_sid"], ivr_call["sid"]);
    assert_eq!(ivr_call["status"], "completed");
    assert_eq!(
        ivr.received_at("/voice")[0].param("CallSid"),
        ivr_call["sid"].as_str().expect("sid"),
        "the IVR's webhooks name its own call"
    );
    assert_eq!(child["from"], "+15550001111");
    let seconds: u64 = child["duration"]
        .as_str()
        .expect("duration")
        .parse()
        .expect("number");
    assert_eq!(after[0].param("DialCallDuration"), seconds.to_string());
    // The ledger lists it too, with its parent.
    let ledger = ledger(&emulator.base_url).await;
    let entry = ledger
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["sid"] == child_sid)
        .expect("the dialled call in the ledger")
        .clone();
    assert_eq!(entry["parent_call_sid"], ivr_call["sid"]);
    assert_eq!(entry["direction"], "outbound-dial");
}

#[tokio::test]
async fn a_screening_url_that_hangs_up_declines_the_call_and_leads_to_the_action() {
    let agent = agent("You should not hear this.", 2).await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Dial action="/after"><Number url="/screen">{AGENT}</Number></Dial></Response>"#
            ),
        )
        .twiml("/screen", "<Response><Say>A call for you.</Say><Hangup/></Response>")
        .twiml("/after", r#"<Response><Say>Nobody is available.</Say><Pause length="3"/></Response>"#)
        .start()
        .await;
    let caller = listening_caller(r#"<Response><Pause length="30"/></Response>"#)
        .start()
        .await;
    let (_emulator, _sid) = call_to_ivr_with_agent(&ivr, &agent, &caller).await;

    let screen = ivr.received_at("/screen");
    assert_eq!(screen.len(), 1, "{:#?}", ivr.received());
    assert_eq!(
        screen[0].param("ParentCallSid"),
        ivr.received_at("/voice")[0].param("CallSid")
    );
    let after = ivr.received_at("/after");
    assert_eq!(after[0].param("DialCallStatus"), "no-answer");
    assert_eq!(after[0].param("DialBridged"), "false");
    assert!(agent.received().is_empty(), "the agent's TwiML never runs");
    // The screening was private: the caller's first utterance is the action's.
    assert_eq!(
        caller.received_at("/heard")[0].param("SpeechResult"),
        "Nobody is available."
    );
}

#[tokio::test]
async fn hangup_on_star_ends_the_dialled_leg_and_the_ivr_document_continues() {
    let agent = agent("Hello from the agent.", 60).await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Dial hangupOnStar="true">{AGENT}</Dial><Say>Back at the main menu.</Say><Pause length="5"/></Response>"#
            ),
        )
        .start()
        .await;
    let caller = listening_caller(
        r#"<Response><Play digits="*"/><Gather input="speech" action="/back" timeout="20" speechTimeout="auto"/></Response>"#,
    )
    .twiml("/back", "<Response><Hangup/></Response>")
    .start()
    .await;
    let (emulator, sid) = call_to_ivr_with_agent(&ivr, &agent, &caller).await;

    assert_eq!(
        caller.received_at("/heard")[0].param("SpeechResult"),
        "Hello from the agent."
    );
    assert_eq!(
        caller.received_at("/back")[0].param("SpeechResult"),
        "Back at the main menu."
    );
    let listed = children(&emulator, &sid).await;
    assert_eq!(listed[0]["status"], "completed");
    // Ended by the star, long before the agent's minute on the line.
    let seconds: u64 = listed[0]["duration"]
        .as_str()
        .expect("duration")
        .parse()
        .expect("number");
    assert!(seconds < 30, "{seconds}");
}

#[tokio::test]
async fn time_limit_ends_the_bridge() {
    let agent = agent("Hello from the agent.", 60).await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(r#"<Response><Dial action="/after" timeLimit="8">{AGENT}</Dial></Response>"#),
        )
        .twiml("/after", "<Response><Hangup/></Response>")
        .start()
        .await;
    let caller = listening_caller(r#"<Response><Pause length="60"/></Response>"#)
        .start()
        .await;
    let _ended = call_to_ivr_with_agent(&ivr, &agent, &caller).await;

    let after = ivr.received_at("/after");
    assert_eq!(after[0].param("DialCallStatus"), "completed");
    let seconds: u64 = after[0].param("DialCallDuration").parse().expect("number");
    assert!((8..=9).contains(&seconds), "{seconds} emulated seconds");
}

#[tokio::test]
async fn unlisted_numbers_and_clients_behave_as_configured() {
    let agent = agent("Support here.", 2).await;
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            &format!(
                r#"<Response><Dial action="/first" timeout="5">{NOBODY}</Dial></Response>"#
            ),
        )
        .twiml(
            "/first",
            r#"<Response><Dial action="/second"><Client>support</Client></Dial></Response>"#,
        )
        .twiml(
            "/second",
            r#"<Response><Dial action="/third" timeout="5"><Sip>sip:nobody@example.test</Sip></Dial></Response>"#,
        )
        .twiml("/third", "<Response><Hangup/></Response>")
        .start()
        .await;
    let caller = listening_caller(r#"<Response><Pause length="60"/></Response>"#)
        .start()
        .await;
    let mut config = config(vec![(IVR, ivr_at(ivr.url("/voice")))]);
    config.calls_per_second = 100.0;
    config.unlisted_numbers = Some(crate::harness::emulator::behaving(
        twilio_emulator::config::NumberBehaviour::Busy,
    ));
    config.clients = [("support".to_string(), ivr_at(agent.url("/voice")))]
        .into_iter()
        .collect::<std::collections::BTreeMap<String, NumberConfig>>();
    let options = twilio_emulator::server::EmulatorOptions {
        time_scale: Some(20.0),
        webhook_budget: Some(std::time::Duration::from_secs(2)),
        log: twilio_emulator::log::EventLog::new(true, |l| eprintln!("[emulator] {l}")),
        ..Default::default()
    };
    let emulator = serve(config, options).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;

    assert_eq!(ivr.received_at("/first")[0].param("DialCallStatus"), "busy");
    assert_eq!(
        ivr.received_at("/second")[0].param("DialCallStatus"),
        "completed"
    );
    assert_eq!(
        caller.received_at("/heard")[0].param("SpeechResult"),
        "Support here."
    );
    assert_eq!(agent.received_at("/voice")[0].param("To"), "client:support");
    assert_eq!(
        ivr.received_at("/third")[0].param("DialCallStatus"),
        "no-answer"
    );
    assert_eq!(children(&emulator, &sid).await.len(), 3);
}

#[tokio::test]
async fn a_dial_of_a_conference_is_refused_naming_the_noun() {
    // The emulator cannot connect a conference; going on as if the <Dial> had ended would be
    // a call Twilio never makes, so the IVR's leg ends with an application error instead.
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Dial action="/after"><Conference>room</Conference></Dial><Say>After the dial.</Say><Pause length="3"/></Response>"#,
        )
        .twiml("/after", "<Response><Say>Not reached.</Say></Response>")
        .start()
        .await;
    let caller = listening_caller("<Response><Hangup/></Response>")
        .start()
        .await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    wait_until_ended(&emulator.base_url, &sid).await;

    assert!(
        ivr.received_at("/after").is_empty(),
        "{:#?}",
        ivr.received()
    );
    // The IVR hangs up right after its last words, so the caller's Gather ends with the call
    // (posting nothing, as on Twilio); the ledger shows them.
    let ledger = ledger(&emulator.base_url).await.to_string();
    assert!(
        ledger.contains("error: <Dial><Conference> is not emulated"),
        "{ledger}"
    );
    assert!(
        ledger.contains("says: We're sorry, an application error has occurred. Goodbye."),
        "{ledger}"
    );
    assert!(!ledger.contains("After the dial."), "{ledger}");
    assert!(children(&emulator, &sid).await.is_empty());
}

#[tokio::test]
async fn ivr_test_run_hears_the_agent_a_dial_connects() {
    // The runner's script hears the IVR, then the agent its `<Dial><Client>` connects, as one
    // conversation: the agent's words reach the runner's leg like any prompt.
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            "<Response><Say>Connecting you to an agent.</Say><Dial><Client>alice</Client></Dial></Response>",
        )
        .twiml(
            "/alice",
            r#"<Response><Say>Hello, this is Alice. How can I help?</Say><Pause length="20"/></Response>"#,
        )
        .start()
        .await;
    let config = serde_json::from_str(&crate::harness::run::emulator_config(&ivr)).expect("JSON");
    let config = crate::harness::run::merged(
        config,
        serde_json::json!({"clients": {"alice": {"voice_url": ivr.url("/alice")}}}),
    );
    let project = crate::harness::Project::new()
        .file("emu.json", &config.to_string())
        .file("botium.json", &crate::harness::run::botium_json(IVR))
        .file(
            "convos/agent.convo.txt",
            "agent\n\n#bot\nConnecting you to an agent.\n\n#bot\nHello, this is Alice*\n",
        );
    let out = crate::harness::run::run_emulated(&project, &["--json", "report.json"]).await;
    let out = out.expect_code(0);
    assert_eq!(
        crate::harness::run::verdicts(&crate::harness::run::json_report(&project, "report.json")),
        [("agent".to_string(), "passed".to_string())],
        "{}",
        out.stderr
    );
    let alice = ivr.received_at("/alice");
    assert_eq!(alice[0].param("To"), "client:alice");
    assert_eq!(alice[0].param("Direction"), "outbound-dial");
}
