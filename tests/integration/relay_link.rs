//! The runner's end of the Function relay on its own (`ivr_test::twilio_relay::link`), against
//! the emulator's Sync and REST APIs: the test writes the Items the relay Function would, and
//! watches what reaches the session and the call. The Function itself is tested in
//! `relay_run.rs` and by its own node tests.

use std::time::Duration;

use ivr_test::config::{Secret, TwilioCaps};
use ivr_test::turn::answer::CallerVoice;
use ivr_test::turn::{Action, CallEvent, Sessions};
use ivr_test::twilio_relay::link::FunctionLink;
use ivr_test::webhook::routes::WebhookState;
use twilio_wire::client::{CreateCall, TwilioClient};

use crate::harness::emulator::{emulator, ivr_at, ACCOUNT, CALLER, IVR, TOKEN};
use crate::harness::twiml_app::TwimlAppBuilder;

/// The next event of `session`, waited for (bounded).
async fn next_event(events: &mut tokio::sync::mpsc::UnboundedReceiver<CallEvent>) -> CallEvent {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("an event in time")
        .expect("the session is open")
}

#[tokio::test]
async fn items_reach_the_session_in_order_and_decisions_reach_the_call() {
    // Catches: events read twice or out of order, a decision never given to the call (or given
    // to another), and Lists left behind.
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Gather input="dtmf" action="/menu" numDigits="1" timeout="30"><Say>Press two.</Say></Gather></Response>"#,
        )
        .twiml("/menu", "<Response><Say>Thanks.</Say><Pause length=\"30\"/></Response>")
        .start()
        .await;
    // Where the relay would answer: the caller listens a long time between turns.
    let relay = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/twilio-ivr/start",
            r#"<Response><Pause length="60"/></Response>"#,
        )
        .twiml(
            "/twilio-ivr/next",
            r#"<Response><Pause length="60"/></Response>"#,
        )
        .start()
        .await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let client =
        TwilioClient::new(&emulator.base_url, ACCOUNT, &Secret::new(TOKEN)).expect("client");
    let sync = client
        .create_sync_service(Some("ivr-test-relay"))
        .await
        .expect("a Sync Service");
    let webhook = WebhookState {
        sessions: Sessions::default(),
        auth_token: Secret::new(TOKEN),
        public_url: relay.url("/"),
        endpoint: "/".into(),
        public_url_params: None,
        hold: Duration::from_secs(5),
        voice: CallerVoice::from_caps(&TwilioCaps::default()),
        gather_in_urls: true,
    };
    let link = FunctionLink::new(
        client.clone(),
        sync.sid.clone(),
        webhook.clone(),
        Duration::from_secs(600),
    );
    let mut session = webhook.sessions.open();
    link.register(&session.id).await.expect("registered");
    assert!(
        client
            .fetch_sync_list(
                &sync.sid,
                &ivr_test::twilio_relay::event_list_name(&session.id)
            )
            .await
            .is_ok(),
        "the relay was told"
    );

    let call = client
        .create_call(&CreateCall::new(
            IVR,
            CALLER,
            webhook.callback_url("twilio-ivr/start", &session.id),
        ))
        .await
        .expect("a call");
    let item =
        |hook: &str, params: serde_json::Value| serde_json::json!({"hook": hook, "params": params});
    for data in [
        item(
            "start",
            serde_json::json!({"CallSid": call.sid, "CallStatus": "in-progress"}),
        ),
        item(
            "partial",
            serde_json::json!({"UnstableSpeechResult": "Press"}),
        ),
        item(
            "next",
            serde_json::json!({"SpeechResult": "Press two", "Confidence": "0.9"}),
        ),
    ] {
        client
            .create_sync_list_item(
                &sync.sid,
                &ivr_test::twilio_relay::event_list_name(&session.id),
                &data,
                None,
            )
            .await
            .expect("an item");
    }
    let mut events = Vec::new();
    for _ in 0..3 {
        events.push(next_event(&mut session.events).await);
    }
    assert_eq!(
        events,
        [
            CallEvent::Answered {
                call_sid: call.sid.clone()
            },
            CallEvent::Partial {
                text: "Press".into()
            },
            CallEvent::Heard {
                text: "Press two".into(),
                confidence: Some(0.9)
            },
        ]
    );
    session.act(Action::Press("2".into()));
    let menu = ivr
        .wait_for("the key at the IVR's menu", |r| {
            r.iter().any(|r| r.path == "/menu")
        })
        .await;
    let menu: Vec<_> = menu.iter().filter(|r| r.path == "/menu").collect();
    assert_eq!(menu[0].param("Digits"), "2");
    assert_eq!(
        next_event(&mut session.events).await,
        CallEvent::AnswerDelivered,
        "the engine learns that its answer went out"
    );
    link.unregister(&session.id).await;
    assert!(
        client
            .fetch_sync_list(&sync.sid, &session.id)
            .await
            .is_err(),
        "the List is deleted"
    );
    client.hang_up(&call.sid).await.expect("hang up");
}
