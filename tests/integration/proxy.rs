//! The proxy alone, in-process, on a real Redis: the tests play Twilio (signed webhooks over
//! HTTP) and the runner (Redis commands, as `docs/proxy-protocol.md` says).

use std::time::Duration;

use ivr_test::proxy::server::RunningProxy;
use ivr_test::turn::{Action, CallEvent};
use twilio_wire::signature;

use crate::harness::proxy::{
    gather_action, params, post, proxy, HoldClock, Runner, AC1, AC2, TOKEN1, TOKEN2,
};
use crate::harness::redis::{RedisOptions, RedisServer};

async fn setup(test: &str, hold: Duration) -> Option<(RedisServer, RunningProxy, String, Runner)> {
    let redis = RedisServer::start(test, RedisOptions::default())?;
    let (proxy, public) = proxy(&redis.url(), hold).await;
    let runner = Runner::new(&redis, "R1").await;
    Some((redis, proxy, public, runner))
}

#[tokio::test]
async fn a_signed_start_reaches_the_runner_and_is_answered_with_its_decision() {
    let Some((redis, _proxy, public, mut runner)) =
        setup("proxy start relay", Duration::from_secs(8)).await
    else {
        return;
    };
    runner.register("TS1", AC1).await;
    let clock = HoldClock::start(&redis, &public).await;
    let url = format!("{public}twilio-ivr/start?cs=TS1&APIKEY=k%201");
    let webhook = tokio::spawn(async move { post(&url, Some(TOKEN1), &params(AC1, &[])).await });
    let events = runner.wait_events(1).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].session, "TS1");
    assert_eq!(
        events[0].event,
        CallEvent::Answered {
            call_sid: "CA0000000000000000000000000000000a".into()
        }
    );
    runner
        .decide(
            "TS1",
            vec![Action::Say("Hello".into()), Action::Press("1".into())],
            &["sales"],
        )
        .await;
    // Woken by the notification, before the 8 s hold ends.
    let (status, twiml) = clock.before_it_runs_out(webhook).await.expect("webhook");
    assert_eq!(status, 200, "{twiml}");
    assert!(
        twiml.contains(r#"<Say language="de-DE">Hello</Say>"#),
        "{twiml}"
    );
    assert!(twiml.contains(r#"<Play digits="1"/>"#), "{twiml}");
    assert!(twiml.contains(r#"hints="sales""#), "{twiml}");
    assert_eq!(
        gather_action(&twiml),
        format!("{public}twilio-ivr/next?cs=TS1&APIKEY=k%201")
    );
    assert!(
        twiml.contains(&format!(
            r#"partialResultCallback="{public}twilio-ivr/partial?cs=TS1&amp;APIKEY=k%201""#
        )),
        "{twiml}"
    );
}

#[tokio::test]
async fn without_a_decision_in_the_hold_it_listens_and_the_late_decision_goes_out_next() {
    let hold = Duration::from_millis(1000);
    let Some((redis, _proxy, public, mut runner)) = setup("proxy hold", hold).await else {
        return;
    };
    runner.register("TS2", AC1).await;
    let clock = HoldClock::start(&redis, &public).await;
    let (status, first) = clock
        .after_it_runs_out(post(
            &format!("{public}twilio-ivr/start?cs=TS2"),
            Some(TOKEN1),
            &params(AC1, &[]),
        ))
        .await;
    assert_eq!(status, 200);
    assert!(!first.contains("<Say"), "{first}");
    // The session's own hints, as registered.
    assert!(first.contains(r#"hints="registered""#), "{first}");
    runner
        .decide("TS2", vec![Action::Say("Late".into())], &[])
        .await;
    let clock = HoldClock::start(&redis, &public).await;
    let (_, second) = clock
        .before_it_runs_out(post(
            &gather_action(&first),
            Some(TOKEN1),
            &params(AC1, &[("SpeechResult", "Welcome."), ("Confidence", "0.9")]),
        ))
        .await;
    // Taken at once, not at the end of the hold.
    assert!(second.contains(">Late</Say>"), "{second}");
    let events = runner.wait_events(2).await;
    assert!(matches!(events[0].event, CallEvent::Answered { .. }));
    assert_eq!(
        events[1].event,
        CallEvent::Heard {
            text: "Welcome.".into(),
            confidence: Some(0.9)
        }
    );
}

#[tokio::test]
async fn forged_unsigned_and_unserved_webhooks_are_refused() {
    let Some((_redis, _proxy, public, mut runner)) =
        setup("proxy signatures", Duration::from_millis(200)).await
    else {
        return;
    };
    runner.register("TS3", AC1).await;
    let url = format!("{public}twilio-ivr/start?cs=TS3");
    let unserved = "AC99999999999999999999999999999999";
    let forged = post(&url, Some("not-the-token"), &params(AC1, &[])).await;
    let unsigned = post(&url, None, &params(AC1, &[])).await;
    let wrong_url = {
        let params = params(AC1, &[]);
        let response = reqwest::Client::new()
            .post(&url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header(
                "X-Twilio-Signature",
                signature::compute(TOKEN1, &format!("{public}twilio-ivr/start?cs=TS4"), &params),
            )
            .body(serde_urlencoded::to_string(&params).expect("form"))
            .send()
            .await
            .expect("post");
        response.status().as_u16()
    };
    let not_served = post(&url, Some(TOKEN1), &params(unserved, &[])).await;
    let status_forged = post(
        &format!("{public}twilio-ivr/status?cs=TS3"),
        Some("nope"),
        &params(AC1, &[]),
    )
    .await;
    assert_eq!(forged.0, 403);
    assert_eq!(unsigned.0, 403);
    assert_eq!(wrong_url, 403);
    assert_eq!(not_served.0, 403);
    assert_eq!(status_forged.0, 403);
    assert!(runner.events().await.is_empty(), "nothing was relayed");
}

#[tokio::test]
async fn a_webhook_of_another_account_never_reaches_the_runner() {
    let Some((_redis, _proxy, public, mut runner)) =
        setup("proxy accounts", Duration::from_millis(200)).await
    else {
        return;
    };
    // The session is account two's; account one signs a genuine webhook naming it.
    runner.register("TS5", AC2).await;
    runner
        .decide("TS5", vec![Action::Say("secret".into())], &[])
        .await;
    for route in ["start", "next", "status", "partial"] {
        let (status, body) = post(
            &format!("{public}twilio-ivr/{route}?cs=TS5"),
            Some(TOKEN1),
            &params(AC1, &[("UnstableSpeechResult", "x")]),
        )
        .await;
        assert_eq!(status, 403, "{route}: {body}");
    }
    assert!(runner.events().await.is_empty());
    // Account two's own webhook gets its decision.
    let (status, twiml) = post(
        &format!("{public}twilio-ivr/start?cs=TS5"),
        Some(TOKEN2),
        &params(AC2, &[]),
    )
    .await;
    assert_eq!(status, 200);
    assert!(twiml.contains(">secret</Say>"), "{twiml}");
}

#[tokio::test]
async fn an_unknown_session_is_hung_up_and_its_status_ignored() {
    let Some((redis, _proxy, public, mut runner)) =
        setup("proxy unknown", Duration::from_secs(5)).await
    else {
        return;
    };
    let clock = HoldClock::start(&redis, &public).await;
    // Not held.
    let (status, twiml) = clock
        .before_it_runs_out(post(
            &format!("{public}twilio-ivr/next?cs=TSgone"),
            Some(TOKEN1),
            &params(AC1, &[("SpeechResult", "hello")]),
        ))
        .await;
    assert_eq!(status, 200);
    assert!(twiml.ends_with("<Response><Hangup/></Response>"), "{twiml}");
    let (status, _) = post(
        &format!("{public}twilio-ivr/status?cs=TSgone"),
        Some(TOKEN1),
        &params(AC1, &[]),
    )
    .await;
    assert_eq!(status, 204);
    assert!(runner.events().await.is_empty());
}

#[tokio::test]
async fn status_and_partial_results_reach_the_stream() {
    let Some((_redis, _proxy, public, mut runner)) =
        setup("proxy status", Duration::from_millis(200)).await
    else {
        return;
    };
    runner.register("TS6", AC1).await;
    let partial = post(
        &format!("{public}twilio-ivr/partial?cs=TS6&APIKEY=k%201"),
        Some(TOKEN1),
        &params(AC1, &[("UnstableSpeechResult", "Welcome to")]),
    )
    .await;
    let status = post(
        &format!("{public}twilio-ivr/status?cs=TS6"),
        Some(TOKEN1),
        &params(AC1, &[("CallDuration", "7")]),
    )
    .await;
    assert_eq!((partial.0, status.0), (204, 204));
    let events = runner.wait_events(2).await;
    assert_eq!(
        events[0].event,
        CallEvent::Partial {
            text: "Welcome to".into()
        }
    );
    match &events[1].event {
        CallEvent::Status { status, params } => {
            assert_eq!(status, "in-progress");
            assert!(params.contains(&("CallDuration".into(), "7".into())));
        }
        other => panic!("{other:?}"),
    }
}
