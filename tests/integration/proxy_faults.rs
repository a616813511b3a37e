//! Faults around the proxy: two proxies sharing a call, a proxy that goes away, Redis stopped or
//! restarted mid-call. Nothing may be lost: every webhook's event reaches the runner's stream,
//! in order, and every decision reaches Twilio.

use std::time::Duration;

use ivr_test::relay::message::decode_carry;
use ivr_test::turn::{Action, CallEvent};

use crate::harness::proxy::{gather_action, params, post, proxy, HoldClock, Runner, AC1, TOKEN1};
use crate::harness::redis::{RedisOptions, RedisServer};

fn heard(text: &str) -> CallEvent {
    CallEvent::Heard {
        text: text.into(),
        confidence: None,
    }
}

/// The `carry=` value of a URL, decoded.
fn carried(url: &str) -> Vec<CallEvent> {
    let carry = url
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("carry="))
        .unwrap_or_else(|| panic!("no carry in {url}"));
    decode_carry(carry)
}

#[tokio::test]
async fn two_proxies_taking_alternate_webhooks_of_one_call_lose_nothing() {
    let Some(redis) = RedisServer::start("two proxies", RedisOptions::default()) else {
        return;
    };
    let hold = Duration::from_millis(2000);
    let (a, public_a) = proxy(&redis.url(), hold).await;
    let (b, public_b) = proxy(&redis.url(), hold).await;
    let mut runner = Runner::new(&redis, "R2").await;
    runner.register("TS7", AC1).await;

    // A runner that answers each event with "reply <n>" as soon as it sees it.
    let mut engine = Runner::new(&redis, "R2").await;
    let answering = tokio::spawn(async move {
        for n in 0..6 {
            engine.wait_events(n + 1).await;
            let reply = format!("reply {n}");
            engine.decide("TS7", vec![Action::Say(reply)], &[]).await;
        }
    });
    let mut url = format!("{public_a}twilio-ivr/start?cs=TS7");
    for n in 0..6 {
        let (from, to) = if n % 2 == 0 {
            (&public_b, &public_a)
        } else {
            (&public_a, &public_b)
        };
        url = url.replacen(from.as_str(), to, 1);
        let said = format!("prompt {n}");
        // Each turn is woken, not held.
        let clock = HoldClock::start(&redis, to).await;
        let (status, twiml) = clock
            .before_it_runs_out(post(
                &url,
                Some(TOKEN1),
                &params(AC1, &[("SpeechResult", &said)]),
            ))
            .await;
        assert_eq!(status, 200, "{twiml}");
        assert!(twiml.contains(&format!(">reply {n}</Say>")), "{n}: {twiml}");
        url = gather_action(&twiml);
    }
    answering.await.expect("runner");

    // Proxy A goes away while its webhook is held; B serves the next one with the decision.
    let held = post(
        &url.replacen(&public_b, &public_a, 1),
        Some(TOKEN1),
        &params(AC1, &[]),
    )
    .await;
    assert!(!held.1.contains("<Say"), "{}", held.1);
    a.stop().await;
    runner
        .decide("TS7", vec![Action::Say("late".into())], &[])
        .await;
    let next = gather_action(&held.1).replacen(&public_a, &public_b, 1);
    let (_, twiml) = post(
        &next,
        Some(TOKEN1),
        &params(AC1, &[("SpeechResult", "last")]),
    )
    .await;
    assert!(twiml.contains(">late</Say>"), "{twiml}");

    let events: Vec<CallEvent> = runner.events().await.into_iter().map(|e| e.event).collect();
    assert_eq!(events.len(), 8, "{events:?}");
    assert!(matches!(events[0], CallEvent::Answered { .. }));
    let prompts: Vec<CallEvent> = (1..6).map(|n| heard(&format!("prompt {n}"))).collect();
    assert_eq!(events[1..6], prompts[..]);
    assert_eq!(events[6], CallEvent::Silence);
    assert_eq!(events[7], heard("last"));
    b.stop().await;
}

#[tokio::test]
async fn a_redis_outage_mid_call_keeps_the_call_alive_and_the_carried_turns_come_first() {
    let options = RedisOptions {
        persistent: true,
        ..RedisOptions::default()
    };
    let Some(mut redis) = RedisServer::start("redis outage", options) else {
        return;
    };
    let (_proxy, public) = proxy(&redis.url(), Duration::from_secs(2)).await;
    let mut runner = Runner::new(&redis, "R3").await;
    runner.register("TS8", AC1).await;
    runner.decide("TS8", vec![Action::Listen], &[]).await;
    let (_, first) = post(
        &format!("{public}twilio-ivr/start?cs=TS8"),
        Some(TOKEN1),
        &params(AC1, &[]),
    )
    .await;
    let next = gather_action(&first);

    // Redis is not waited for: the turn is carried in the answer's URL.
    redis.stop();
    let (status, during) = post(
        &next,
        Some(TOKEN1),
        &params(AC1, &[("SpeechResult", "one")]),
    )
    .await;
    assert_eq!(status, 200);
    assert!(during.contains("<Gather"), "{during}");
    assert!(!during.contains("partialResultCallback"), "{during}");
    let carry_url = gather_action(&during);
    assert!(carry_url.starts_with(&format!(
        "{public}twilio-ivr/next?cs=TS8&APIKEY=k%201&carry="
    )));
    assert_eq!(carried(&carry_url), vec![heard("one")]);
    // Still down: the next webhook carries both turns, in order.
    let (_, still) = post(
        &carry_url,
        Some(TOKEN1),
        &params(AC1, &[("SpeechResult", "two")]),
    )
    .await;
    let carry_url = gather_action(&still);
    assert_eq!(carried(&carry_url), vec![heard("one"), heard("two")]);
    // A status callback cannot be carried: 503.
    let status = post(
        &format!("{public}twilio-ivr/status?cs=TS8"),
        Some(TOKEN1),
        &params(AC1, &[]),
    )
    .await;
    assert_eq!(status.0, 503);

    redis.restart();
    let mut runner = Runner::new(&redis, "R3").await;
    runner
        .decide("TS8", vec![Action::Say("back".into())], &[])
        .await;
    let (status, after) = post(
        &carry_url,
        Some(TOKEN1),
        &params(AC1, &[("SpeechResult", "three")]),
    )
    .await;
    assert_eq!(status, 200);
    assert!(after.contains(">back</Say>"), "{after}");
    assert!(!gather_action(&after).contains("carry="), "{after}");
    let events: Vec<CallEvent> = runner.events().await.into_iter().map(|e| e.event).collect();
    assert_eq!(events.len(), 4, "{events:?}");
    assert!(matches!(events[0], CallEvent::Answered { .. }));
    assert_eq!(events[1..], [heard("one"), heard("two"), heard("three")]);
}

#[tokio::test]
async fn after_a_redis_restart_commands_and_wake_ups_work_at_once() {
    let options = RedisOptions {
        persistent: true,
        ..RedisOptions::default()
    };
    let Some(mut redis) = RedisServer::start("redis restart", options) else {
        return;
    };
    let (_proxy, public) = proxy(&redis.url(), Duration::from_secs(8)).await;
    let mut runner = Runner::new(&redis, "R4").await;
    runner.register("TS9", AC1).await;
    runner.decide("TS9", vec![Action::Listen], &[]).await;
    let (_, first) = post(
        &format!("{public}twilio-ivr/start?cs=TS9"),
        Some(TOKEN1),
        &params(AC1, &[]),
    )
    .await;

    redis.restart();
    let mut runner = Runner::new(&redis, "R4").await;
    // The proxy's old connections died with the old process: the webhook must neither carry
    // (Redis is up) nor wait for the hold (the subscription comes back and wakes it).
    let next = gather_action(&first);
    let clock = HoldClock::start(&redis, &public).await;
    let webhook = tokio::spawn(async move {
        post(
            &next,
            Some(TOKEN1),
            &params(AC1, &[("SpeechResult", "again")]),
        )
        .await
    });
    assert_eq!(runner.wait_events(2).await.len(), 2);
    // Give the subscription time to come back, as a runner's decision takes a moment too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    runner
        .decide("TS9", vec![Action::Say("woken".into())], &[])
        .await;
    // Woken, before the hold ends.
    let (status, twiml) = clock.before_it_runs_out(webhook).await.expect("webhook");
    assert_eq!(status, 200);
    assert!(twiml.contains(">woken</Say>"), "{twiml}");
    assert!(!twiml.contains("carry="), "{twiml}");
}

#[tokio::test]
async fn a_redis_that_hangs_is_given_up_on_in_time_and_the_turn_is_carried() {
    let Some(redis) = RedisServer::start("redis hangs", RedisOptions::default()) else {
        return;
    };
    let (_proxy, public) = proxy(&redis.url(), Duration::from_secs(10)).await;
    let mut runner = Runner::new(&redis, "R7").await;
    runner.register("TS12", AC1).await;
    runner.decide("TS12", vec![Action::Listen], &[]).await;
    let start = format!("{public}twilio-ivr/start?cs=TS12");
    let (_, first) = post(&start, Some(TOKEN1), &params(AC1, &[])).await;

    // A hung Redis is not waited for: the answer comes before that of a webhook held since
    // before Redis hung, which ends with the 10 s hold or when the subscription's ping finds
    // Redis dead (5 s), and so far within Twilio's 15 s.
    let clock = HoldClock::start(&redis, &public).await;
    redis.pause();
    let next = gather_action(&first);
    let (status, during) = clock
        .before_it_runs_out(post(
            &next,
            Some(TOKEN1),
            &params(AC1, &[("SpeechResult", "frozen")]),
        ))
        .await;
    redis.resume();
    assert_eq!(status, 200);
    let carry_url = gather_action(&during);
    assert_eq!(carried(&carry_url), vec![heard("frozen")]);

    runner
        .decide("TS12", vec![Action::Say("thawed".into())], &[])
        .await;
    let (_, after) = post(
        &carry_url,
        Some(TOKEN1),
        &params(AC1, &[("SpeechResult", "warm")]),
    )
    .await;
    assert!(after.contains(">thawed</Say>"), "{after}");
    let events: Vec<CallEvent> = runner.events().await.into_iter().map(|e| e.event).collect();
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[1..], [heard("frozen"), heard("warm")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_restarted_empty_keeps_calls_alive_until_their_runner_registers_again() {
    // Catches: a proxy that hangs up every live call because Redis lost the registrations (it
    // cannot tell them from finished calls until the runners register again), and carried turns
    // lost on the way.
    let Some(mut redis) = RedisServer::start("redis restarted empty", RedisOptions::default())
    else {
        return;
    };
    let (_proxy, public) = proxy(&redis.url(), Duration::from_secs(2)).await;
    let mut runner = Runner::new(&redis, "R9").await;
    runner.register("TS21", AC1).await;
    runner.decide("TS21", vec![Action::Listen], &[]).await;
    let (_, first) = post(
        &format!("{public}twilio-ivr/start?cs=TS21"),
        Some(TOKEN1),
        &params(AC1, &[]),
    )
    .await;

    tokio::task::block_in_place(|| redis.restart());
    // Empty now: no session, no epoch. The webhook keeps the call alive and carries its turn.
    let (status, second) = post(
        &gather_action(&first),
        Some(TOKEN1),
        &params(AC1, &[("SpeechResult", "Welcome.")]),
    )
    .await;
    assert_eq!(status, 200);
    assert!(!second.contains("<Hangup"), "{second}");
    assert!(second.contains("carry="), "{second}");

    // The runner comes back: it marks the epoch and registers its session again.
    let mut runner = Runner::new(&redis, "R9").await;
    let _: () = redis::cmd("DEL")
        .arg(runner.keys.epoch())
        .query_async(&mut runner.redis)
        .await
        .expect("del");
    let now = chrono::Utc::now().timestamp_millis();
    let _: () = redis::cmd("SET")
        .arg(runner.keys.epoch())
        .arg(now)
        .query_async(&mut runner.redis)
        .await
        .expect("epoch");
    runner.register("TS21", AC1).await;
    runner.decide("TS21", vec![Action::Listen], &[]).await;
    let (status, _) = post(
        &gather_action(&second),
        Some(TOKEN1),
        &params(AC1, &[("SpeechResult", "Press 1.")]),
    )
    .await;
    assert_eq!(status, 200);
    let heard: Vec<String> = runner
        .wait_events(2)
        .await
        .into_iter()
        .filter_map(|e| match e.event {
            ivr_test::turn::CallEvent::Heard { text, .. } => Some(text),
            _ => None,
        })
        .collect();
    assert_eq!(
        heard,
        ["Welcome.", "Press 1."],
        "the carried turn came first"
    );

    // A session still unknown well after the epoch is a finished call: hung up.
    let old = chrono::Utc::now().timestamp_millis() - 60_000;
    let _: () = redis::cmd("SET")
        .arg(runner.keys.epoch())
        .arg(old)
        .query_async(&mut runner.redis)
        .await
        .expect("epoch");
    let (_, gone) = post(
        &format!("{public}twilio-ivr/start?cs=TS99"),
        Some(TOKEN1),
        &params(AC1, &[]),
    )
    .await;
    assert!(gone.contains("<Hangup"), "{gone}");
}
