//! `POST`/`GET Messages.json`: the resource, errors and magic numbers, cross-account listing,
//! inclusive date filters with literal keys, newest first, paging.

use chrono::TimeZone;

use super::*;
use crate::model::MessageRecord;
use twilio_wire::sid::is_sid;

#[tokio::test]
async fn a_sent_message_is_stored_and_shown_as_twilio_does() {
    let emulator = Emulator::start().await;
    let path = account_path("Messages.json");
    let form = [("To", CALLER), ("From", IVR), ("Body", "Your code is 1234")];
    let (status, message) = emulator.post(&path, &form).await;
    assert_eq!(status, 201, "{message}");
    let sid = message["sid"].as_str().unwrap();
    assert!(is_sid(sid, "SM"), "{sid}");
    assert_eq!(message["direction"], "outbound-api");
    assert_eq!(message["status"], "sent");
    assert_eq!(message["num_segments"], "1");
    assert_eq!(message["num_media"], "0");
    assert_eq!(message["error_code"], Value::Null);
    assert_eq!(message["body"], "Your code is 1234");
    assert_eq!(
        message["uri"],
        account_path(&format!("Messages/{sid}.json"))
    );
    let stored = emulator.store.messages(|_| true);
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].to.as_str(), stored[0].from.as_str()),
        (CALLER, IVR)
    );
    let (status, fetched) = emulator
        .get(&account_path(&format!("Messages/{sid}.json")))
        .await;
    assert_eq!((status, fetched), (200, message));
}

#[tokio::test]
async fn message_errors_and_magic_numbers() {
    let emulator = Emulator::start().await;
    let path = account_path("Messages.json");
    let long = "x".repeat(1601);
    let send =
        |to: &'static str, from: &'static str| vec![("To", to), ("From", from), ("Body", "hi")];
    let cases: Vec<ErrorCase> = vec![
        (vec![("From", IVR), ("Body", "hi")], 21604, "A 'To' phone number is required.".into()),
        (vec![("To", CALLER), ("Body", "hi")], 21603, "A 'From' phone number is required.".into()),
        (vec![("To", CALLER), ("From", IVR)], 21602, "Message body is required.".into()),
        (
            vec![("To", CALLER), ("From", IVR), ("Body", long.as_str())],
            21617,
            "The concatenated message body exceeds the 1600 character limit.".into(),
        ),
        (send("12345", IVR), 21211, "The 'To' number 12345 is not a valid phone number.".into()),
        (
            send("+15005550001", IVR),
            21211,
            "The 'To' number +15005550001 is not a valid phone number.".into(),
        ),
        (
            send("+15005550002", IVR),
            21612,
            format!("The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone number: {IVR} via SMS."),
        ),
        (
            send("+15005550003", IVR),
            21408,
            "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +15005550003.".into(),
        ),
        (send("+15005550004", IVR), 21610, "Attempt to send to unsubscribed recipient".into()),
        (send("+15005550009", IVR), 21614, "'To' number is not a valid mobile number".into()),
        (
            send(CALLER, "+15005550001"),
            21212,
            "The 'From' number +15005550001 is not a valid phone number, shortcode, or alphanumeric sender ID.".into(),
        ),
        (
            send(CALLER, "+15005550007"),
            21606,
            "The 'From' phone number provided is not a valid, SMS-capable inbound phone number or short code for your account.".into(),
        ),
        (
            send(CALLER, "+15559999999"),
            21606,
            "The 'From' phone number provided is not a valid, SMS-capable inbound phone number or short code for your account.".into(),
        ),
        (
            send(CALLER, "+15005550008"),
            21611,
            "This 'From' number has exceeded the maximum number of queued messages".into(),
        ),
    ];
    for (form, code, message) in &cases {
        assert_error(&emulator.post(&path, form).await, 400, *code, message);
    }
    assert!(emulator.store.messages(|_| true).is_empty());
    for ok in [send(CALLER, "+15005550006"), send(CALLER, "ACME Bank")] {
        assert_eq!(emulator.post(&path, &ok).await.0, 201, "{ok:?}");
    }
}

#[tokio::test]
async fn the_caller_lists_what_the_ivr_account_sent_to_it() {
    let emulator = Emulator::start().await;
    let theirs = format!(
        "{}/2010-04-01/Accounts/{OTHER_SID}/Messages.json",
        emulator.base
    );
    let form = [
        ("To", CALLER),
        ("From", IVR),
        ("Body", "Thanks for calling"),
    ];
    let request = emulator.client.post(theirs).form(&form);
    let response = request
        .basic_auth(OTHER_SID, Some(OTHER_TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let (status, page) = emulator
        .get(&account_path("Messages.json?To=%2B15551230100"))
        .await;
    assert_eq!(status, 200, "{page}");
    let messages = page["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["body"], "Thanks for calling");
    assert_eq!(messages[0]["direction"], "outbound-api");
    assert_eq!(messages[0]["account_sid"], OTHER_SID);
    let (_, none) = emulator
        .get(&account_path("Messages.json?To=%2B15551230001"))
        .await;
    assert_eq!(none["messages"], serde_json::json!([]));
}

fn stored(sid_digit: u32, day: u32, hour: u32) -> MessageRecord {
    let at = Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap();
    MessageRecord {
        sid: format!("SM0000000000000000000000000000000{sid_digit}"),
        account_sid: SID.into(),
        from: IVR.into(),
        to: CALLER.into(),
        body: format!("day {day} hour {hour}"),
        date_created: at,
        date_sent: at,
        direction: "outbound-api".into(),
        status: "sent".into(),
    }
}

use chrono::Utc;

#[tokio::test]
async fn date_filters_are_inclusive_literal_keys_newest_first() {
    let emulator = Emulator::start().await;
    // Stored out of order, to see the list sort newest first.
    for message in [
        stored(2, 2, 9),
        stored(1, 1, 23),
        stored(4, 3, 0),
        stored(3, 2, 18),
    ] {
        emulator.store.insert_message(message);
    }
    let bodies = |page: &Value| -> Vec<String> {
        let messages = page["messages"].as_array().unwrap();
        messages
            .iter()
            .map(|m| m["body"].as_str().unwrap().to_string())
            .collect()
    };
    let cases = [
        ("DateSent=2026-03-02", vec!["day 2 hour 18", "day 2 hour 9"]),
        (
            "DateSent%3C=2026-03-02",
            vec!["day 2 hour 18", "day 2 hour 9", "day 1 hour 23"],
        ),
        (
            "DateSent%3E=2026-03-02",
            vec!["day 3 hour 0", "day 2 hour 18", "day 2 hour 9"],
        ),
        (
            "DateSent%3E=2026-03-02&DateSent%3C=2026-03-02",
            vec!["day 2 hour 18", "day 2 hour 9"],
        ),
        // Twilio compares days only: the time of day does not narrow the list.
        (
            "DateSent%3E=2026-03-02T18:00:00Z",
            vec!["day 3 hour 0", "day 2 hour 18", "day 2 hour 9"],
        ),
        ("DateSent%3C=2026-03-01", vec!["day 1 hour 23"]),
        ("DateSent=2026-03-04", vec![]),
        (
            "",
            vec![
                "day 3 hour 0",
                "day 2 hour 18",
                "day 2 hour 9",
                "day 1 hour 23",
            ],
        ),
    ];
    for (query, expected) in cases {
        let (status, page) = emulator
            .get(&account_path(&format!("Messages.json?{query}")))
            .await;
        assert_eq!(status, 200, "{query}: {page}");
        assert_eq!(bodies(&page), expected, "{query}");
    }
    let (_, page) = emulator
        .get(&account_path(
            "Messages.json?DateSent%3E=2026-03-02&PageSize=1",
        ))
        .await;
    let next = page["next_page_uri"].as_str().unwrap();
    assert!(
        next.starts_with(&account_path(
            "Messages.json?DateSent%3E=2026-03-02&PageSize=1&Page=1&PageToken=PA"
        )),
        "{next}"
    );
    let (_, second) = emulator.get(next).await;
    assert_eq!(bodies(&second), ["day 2 hour 18"]);
    let response = emulator
        .get(&account_path("Messages.json?DateSent%3C=soon"))
        .await;
    assert_error(
        &response,
        400,
        20001,
        "DateSent< must be a date (YYYY-MM-DD) or a datetime: soon",
    );
}

#[tokio::test]
async fn each_rest_request_waits_the_configured_api_latency() {
    // 10 s of emulated latency at 1,000 times real time: 10 ms a request.
    use crate::v1_test_api::{Api, ACCOUNT};
    let api = Api::start(1000.0, |config| {
        config.latencies.api_ms = 10_000;
        config.numbers.insert(IVR.into(), NumberConfig::default());
    })
    .await;
    let path = format!("/2010-04-01/Accounts/{ACCOUNT}/Messages.json");
    let form = [("To", CALLER), ("From", IVR), ("Body", "one")];
    let first = api.create(&path, &form).await;
    let second = api.create(&path, &form).await;
    let at = |m: &Value| {
        chrono::DateTime::parse_from_rfc2822(m["date_created"].as_str().unwrap()).unwrap()
    };
    let waited = at(&second) - at(&first);
    assert!(waited >= chrono::Duration::seconds(10), "{waited}");
    api.stop().await;
}
