//! `POST Calls.json`: the resource JSON, what reaches the engine, and every validation error.

use super::*;
use crate::model::StatusEvent;
use twilio_wire::sid::is_sid;
use twilio_wire::time::parse_rfc2822;
use twilio_wire::twiml::HttpMethod;

#[tokio::test]
async fn a_created_call_has_every_twilio_field_and_reaches_the_engine() {
    let emulator = Emulator::start().await;
    let call = emulator
        .create_call(&[
            ("Method", "GET"),
            ("StatusCallback", "http://127.0.0.1:9/status"),
            ("StatusCallbackEvent", "initiated"),
            ("StatusCallbackEvent", "answered"),
            ("StatusCallbackMethod", "GET"),
            ("Timeout", "30"),
            ("TimeLimit", "120"),
            ("Record", "true"),
            ("SendDigits", "W1234#"),
            ("FallbackUrl", "http://127.0.0.1:9/fallback"),
            ("MachineDetection", "Enable"), // accepted and ignored
        ])
        .await;
    let mut keys: Vec<&str> = call
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "account_sid",
            "answered_by",
            "api_version",
            "caller_name",
            "date_created",
            "date_updated",
            "direction",
            "duration",
            "end_time",
            "forwarded_from",
            "from",
            "from_formatted",
            "group_sid",
            "parent_call_sid",
            "phone_number_sid",
            "price",
            "price_unit",
            "queue_time",
            "sid",
            "start_time",
            "status",
            "subresource_uris",
            "to",
            "to_formatted",
            "trunk_sid",
            "uri",
        ]
    );
    let sid = sid_of(&call);
    assert!(is_sid(&sid, "CA"), "{sid}");
    assert_eq!(call["status"], "queued");
    assert_eq!(call["direction"], "outbound-api");
    assert_eq!(call["api_version"], "2010-04-01");
    assert_eq!(call["account_sid"], SID);
    for null_field in ["start_time", "end_time", "duration", "price", "answered_by"] {
        assert_eq!(call[null_field], Value::Null, "{null_field}");
    }
    assert_eq!(call["queue_time"], "0");
    assert_eq!(call["price_unit"], "USD");
    assert_eq!(call["from_formatted"], "(555) 123-0100");
    assert_eq!(call["to_formatted"], "(555) 123-0001");
    assert!(is_sid(call["phone_number_sid"].as_str().unwrap(), "PN"));
    let created = call["date_created"].as_str().unwrap();
    assert!(
        created.ends_with(" +0000") && parse_rfc2822(created).is_some(),
        "{created}"
    );
    assert_eq!(call["uri"], account_path(&format!("Calls/{sid}.json")));
    let subresources = call["subresource_uris"].as_object().unwrap();
    assert_eq!(subresources.len(), 9);
    assert_eq!(
        subresources["recordings"],
        account_path(&format!("Calls/{sid}/Recordings.json"))
    );

    let expected = CallRequest {
        account_sid: SID.into(),
        to: IVR.into(),
        from: CALLER.into(),
        twiml: TwimlSource::Url {
            url: "http://127.0.0.1:9/t".into(),
            method: HttpMethod::Get,
        },
        fallback: Some(("http://127.0.0.1:9/fallback".into(), HttpMethod::Post)),
        status_callback: Some("http://127.0.0.1:9/status".into()),
        status_callback_method: HttpMethod::Get,
        status_callback_events: vec![StatusEvent::Initiated, StatusEvent::Answered],
        record: true,
        timeout_secs: 30,
        time_limit_secs: 120,
        send_digits: Some("W1234#".into()),
    };
    assert_eq!(
        emulator.asked(),
        [Asked::Start(sid.clone(), Box::new(expected.clone()))]
    );
    let stored = emulator.store.call(&sid).unwrap();
    assert_eq!(
        (stored.status, stored.request),
        (CallStatus::Queued, expected)
    );
}

#[tokio::test]
async fn defaults_magic_from_inline_twiml_and_client_endpoints() {
    let emulator = Emulator::start().await;
    let path = account_path("Calls.json");
    let twiml = "<Response><Say>hi</Say></Response>";
    let (status, call) = emulator
        .post(
            &path,
            &[("To", IVR), ("From", "+15005550006"), ("Twiml", twiml)],
        )
        .await;
    assert_eq!(status, 201, "{call}");
    assert_eq!(call["from_formatted"], "(500) 555-0006");
    let Asked::Start(_, request) = &emulator.asked()[0] else {
        panic!("{:?}", emulator.asked())
    };
    assert_eq!(request.twiml, TwimlSource::Inline(twiml.into()));
    assert_eq!(request.timeout_secs, 60);
    assert_eq!(request.time_limit_secs, 14_400);
    assert_eq!(request.status_callback_events, [StatusEvent::Completed]);
    assert_eq!(request.status_callback_method, HttpMethod::Post);
    assert!(!request.record);

    let both = [
        ("To", IVR),
        ("From", CALLER),
        ("Url", "http://h/u"),
        ("Twiml", twiml),
    ];
    emulator.post(&path, &both).await;
    let Asked::Start(_, request) = &emulator.asked()[1] else {
        panic!()
    };
    assert_eq!(
        request.twiml,
        TwimlSource::Url {
            url: "http://h/u".into(),
            method: HttpMethod::Post
        },
        "Url wins over Twiml"
    );

    let clients = [
        ("To", "client:alice"),
        ("From", "client:bob"),
        ("Twiml", twiml),
    ];
    assert_eq!(emulator.post(&path, &clients).await.0, 201);
    let sip = [
        ("To", "sip:ivr@example.com"),
        ("From", CALLER),
        ("Twiml", twiml),
    ];
    assert_eq!(emulator.post(&path, &sip).await.0, 201);
}

#[tokio::test]
async fn every_create_error_has_twilio_code_status_and_message() {
    let mut config = test_config();
    config.permitted_prefixes = Some(vec!["+1".into()]);
    let emulator = Emulator::with_config(config).await;
    let path = account_path("Calls.json");
    let long_twiml = "x".repeat(4001);
    let long_digits: &'static str = "111111111111111111111111111111111";
    let url = ("Url", "http://127.0.0.1:9/t");
    let ok = |to: &'static str| vec![("To", to), ("From", CALLER), url];
    let with = |extra: (&'static str, &'static str)| {
        let mut form = ok(IVR);
        form.push(extra);
        form
    };
    let geo = "Perhaps you need to enable some international permissions: \
               https://www.twilio.com/console/voice/calls/geo-permissions/low-risk";
    let cases: Vec<ErrorCase> = vec![
        (vec![("From", CALLER), url], 21201, "No 'To' number is specified".into()),
        (vec![("To", IVR), url], 21213, "No 'From' number is specified".into()),
        (
            vec![("To", IVR), ("From", CALLER)],
            21205,
            "Url parameter is required. For more information, see http://www.twilio.com/docs/api/twiml".into(),
        ),
        (
            vec![("To", IVR), ("From", CALLER), ("Url", "nope")],
            21205,
            "Url is not a valid URL: nope".into(),
        ),
        (ok("5551234567"), 21211, "The 'To' number 5551234567 is not a valid phone number.".into()),
        (ok("+123456"), 21211, "The 'To' number +123456 is not a valid phone number.".into()),
        (
            vec![("To", IVR), ("From", "5551230100"), url],
            21212,
            "Invalid From Number (caller ID): 5551230100".into(),
        ),
        (
            vec![("To", IVR), ("From", "+15005550001"), url],
            21212,
            "Invalid From Number (caller ID): +15005550001".into(),
        ),
        (
            vec![("To", IVR), ("From", "client:bob"), url],
            21212,
            "Invalid From Number (caller ID): client:bob".into(),
        ),
        (
            vec![("To", IVR), ("From", "+15559999999"), url],
            21210,
            "The source phone number provided, +15559999999, is not yet verified for your \
             account. You may only make calls from phone numbers that you've verified or \
             purchased from Twilio."
                .into(),
        ),
        (ok("+15005550001"), 21217, "Phone number +15005550001 does not appear to be valid".into()),
        (ok("+15005550002"), 21214, "'To' phone number +15005550002 cannot be reached".into()),
        (
            ok("+15005550003"),
            21215,
            format!("Account not authorized to call +15005550003. {geo}"),
        ),
        (ok("+15005550004"), 21216, "Call blocked by Twilio: +15005550004".into()),
        (
            ok("+33123456789"),
            21215,
            format!("Account not authorized to call +33123456789. {geo}"),
        ),
        (
            vec![("To", IVR), ("From", CALLER), ("Twiml", long_twiml.as_str())],
            20001,
            "Twiml must be at most 4000 characters".into(),
        ),
        (with(("Timeout", "0")), 21208, "Timeout must be 1 to 600 seconds: 0".into()),
        (with(("Timeout", "601")), 21208, "Timeout must be 1 to 600 seconds: 601".into()),
        (with(("Timeout", "ten")), 21208, "Timeout must be 1 to 600 seconds: ten".into()),
        (
            with(("SendDigits", long_digits)),
            21206,
            format!("SendDigits must be at most 32 of 0-9, A-D, #, *, w and W: {long_digits}"),
        ),
        (
            with(("SendDigits", "12x")),
            21206,
            "SendDigits must be at most 32 of 0-9, A-D, #, *, w and W: 12x".into(),
        ),
        (with(("Method", "PUT")), 21209, "Method must be GET or POST, not PUT".into()),
        (
            with(("StatusCallback", "ftp://x")),
            21205,
            "StatusCallback is not a valid URL: ftp://x".into(),
        ),
        (with(("Record", "yes")), 20001, "Record must be true or false, not yes".into()),
        (
            with(("TimeLimit", "0")),
            20001,
            "TimeLimit must be 1 to 86400 seconds: 0".into(),
        ),
        (
            with(("StatusCallbackEvent", "hungup")),
            20001,
            "StatusCallbackEvent must be initiated, ringing, answered or completed: hungup".into(),
        ),
    ];
    for (form, code, message) in &cases {
        let response = emulator.post(&path, form).await;
        assert_error(&response, 400, *code, message);
    }
    assert_eq!(emulator.asked(), [], "no rejected call reaches the engine");
    assert!(emulator.store.calls(|_| true).is_empty());
    // The boundaries themselves are accepted.
    for extra in [
        ("Timeout", "1"),
        ("Timeout", "600"),
        ("SendDigits", "0123456789ABCD#*wW"),
    ] {
        assert_eq!(emulator.post(&path, &with(extra)).await.0, 201, "{extra:?}");
    }
    let exactly_4000 = "x".repeat(4000);
    let form = [
        ("To", IVR),
        ("From", CALLER),
        ("Twiml", exactly_4000.as_str()),
    ];
    assert_eq!(emulator.post(&path, &form).await.0, 201);
}
