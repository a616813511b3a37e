//! The in-process webhook and its turn protocol, driven by the emulator over real HTTP.

use std::time::Duration;

use ivr_test::config::{Secret, TwilioCaps};
use ivr_test::turn::answer::CallerVoice;
use ivr_test::turn::signed::{START, STATUS};
use ivr_test::turn::{Action, CallEvent, Sessions};
use ivr_test::webhook::routes::{router, WebhookState};
use twilio_wire::signature;

use crate::harness::emulator::{
    create_call, emulator, ivr_at, wait_until_ended, CALLER, IVR, TOKEN,
};
use crate::harness::twiml_app::{Received, Reply, TwimlAppBuilder};

/// Serves the webhook routes on a loopback port; returns their state (with the public URL).
async fn webhook(hold: Duration) -> WebhookState {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let state = WebhookState {
        sessions: Sessions::default(),
        auth_token: Secret::new(TOKEN),
        public_url: format!("http://{}/", listener.local_addr().expect("addr")),
        endpoint: "/".into(),
        public_url_params: Some("APIKEY=a%20b".into()),
        hold,
        voice: CallerVoice::from_caps(&TwilioCaps::default()),
        gather_in_urls: false,
    };
    let app = router(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    state
}

#[tokio::test]
async fn turns_answer_the_ivr_as_soon_as_the_engine_decides() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Gather input="dtmf" action="/menu" numDigits="1" timeout="5"><Say>Welcome to Acme. Press one for sales.</Say></Gather><Redirect>/voice</Redirect></Response>"#,
        )
        .route("/menu", |r: &Received| {
            Reply::Twiml(if r.param("Digits") == "1" {
                r#"<Response><Say>Sales here. Please say your name.</Say><Gather input="speech" action="/name" speechTimeout="auto" timeout="5"/></Response>"#.into()
            } else {
                "<Response><Redirect>/voice</Redirect></Response>".into()
            })
        })
        // Without TWILIO_IVR_SPEECH_TIMEOUT, Twilio's speechTimeout equals `timeout` (5 s): the
        // IVR must stay on the line longer than that for its last words to be heard.
        .route("/name", |r: &Received| {
            Reply::Twiml(format!(
                r#"<Response><Say>Thanks {}</Say><Pause length="8"/><Hangup/></Response>"#,
                r.param("SpeechResult").trim_end_matches('.')
            ))
        })
        .start()
        .await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let state = webhook(Duration::from_secs(3)).await;
    let mut session = state.sessions.open();
    let (code, call) = create_call(
        &emulator.base_url,
        &[
            ("To", IVR),
            ("From", CALLER),
            ("Url", &state.callback_url(START, &session.id)),
            ("StatusCallback", &state.callback_url(STATUS, &session.id)),
            ("StatusCallbackEvent", "answered"),
            ("StatusCallbackEvent", "completed"),
        ],
    )
    .await;
    assert_eq!(code, 201, "{call}");

    // A scripted step engine: press 1 after the menu, say a name, then listen to the end.
    let mut heard = Vec::new();
    let mut statuses = Vec::new();
    let mut partials = Vec::new();
    let mut delivered = 0;
    let engine = async {
        while let Some(event) = session.events.recv().await {
            match event {
                CallEvent::Answered { .. } => session.act(Action::Listen),
                CallEvent::Heard { text, confidence } => {
                    assert!(confidence.is_some());
                    if text.contains("Press 1") {
                        session.act(Action::Press("1".into()));
                    } else if text.contains("say your name") {
                        session.expect(vec!["thanks".into()]);
                        session.act(Action::Say("John Smith".into()));
                    } else {
                        session.act(Action::Listen);
                    }
                    heard.push(text);
                }
                CallEvent::Silence => session.act(Action::Listen),
                // Interim results come through their own signed route, without a turn.
                CallEvent::Partial { text } => partials.push(text),
                CallEvent::Lost { reason } => panic!("no relay here: {reason}"),
                // The runner's own mark that an answer went out: no turn to answer.
                CallEvent::AnswerDelivered => delivered += 1,
                CallEvent::Status { status, .. } => {
                    let done = status == "completed";
                    statuses.push(status);
                    if done {
                        break;
                    }
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), engine)
        .await
        .expect("the call ends");
    assert_eq!(
        heard,
        [
            "Welcome to Acme. Press 1 for sales.",
            "Sales here. Please say your name.",
            "Thanks John Smith."
        ]
    );
    assert_eq!(statuses, ["in-progress", "completed"]);
    assert_eq!(delivered, 2, "one mark for each answer that went out");
    // Interim results grow word by word up to each whole utterance.
    assert!(
        partials
            .iter()
            .all(|p| heard.iter().any(|h| h.starts_with(p.trim_end_matches('.')))),
        "interim results are what was heard so far: {partials:?}"
    );
    assert!(
        heard.iter().all(|h| partials.contains(h)),
        "each utterance's last interim result is all of it: {partials:?}"
    );
    assert_eq!(
        ivr.received_at("/name")[0].param("SpeechResult"),
        "John Smith."
    );
    let ended = wait_until_ended(&emulator.base_url, call["sid"].as_str().expect("sid")).await;
    assert_eq!(ended["status"], "completed");
}

#[tokio::test]
async fn forged_and_orphan_webhooks() {
    let state = webhook(Duration::from_millis(50)).await;
    let session = state.sessions.open();
    let url = state.callback_url(START, &session.id);
    let form = [("CallSid", "CA1"), ("CallStatus", "in-progress")];
    let http = reqwest::Client::new();
    let forged = http
        .post(&url)
        .header("X-Twilio-Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status().as_u16(), 403);
    let unsigned = http.post(&url).form(&form).send().await.expect("post");
    assert_eq!(unsigned.status().as_u16(), 403);

    // A signed webhook for a session nobody owns hangs the call up.
    let orphan = state.callback_url(START, "TSnobody");
    let params: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let response = http
        .post(&orphan)
        .header(
            "X-Twilio-Signature",
            signature::compute(TOKEN, &orphan, &params),
        )
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 200);
    let body = response.text().await.expect("body");
    assert!(body.contains("<Hangup/>"), "{body}");

    // A correctly signed one for the session is answered (with a Gather, after the hold).
    let signed = http
        .post(&url)
        .header(
            "X-Twilio-Signature",
            signature::compute(TOKEN, &url, &params),
        )
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(signed.status().as_u16(), 200);
    assert!(signed.text().await.expect("body").contains("<Gather"));

    // Oversized bodies are refused.
    let big = "x".repeat(100 * 1024);
    let too_big = http
        .post(&url)
        .form(&[("Body", big.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(too_big.status().as_u16(), 413);
}
