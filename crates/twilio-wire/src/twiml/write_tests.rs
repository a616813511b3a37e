//! The writer's output form, and the round trip `parse(r.to_xml()) == r` over generated documents.

use proptest::prelude::*;

use super::*;
use crate::twiml::parse;
use crate::twiml::test_support::{dial_to, record, reference_gather, say};

const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

fn xml(verbs: Vec<Verb>) -> String {
    Response { verbs }.to_xml()
}

fn body(verbs: Vec<Verb>) -> String {
    let doc = xml(verbs);
    match doc.strip_prefix(DECL) {
        Some(rest) => rest.to_string(),
        None => panic!("no declaration: {doc}"),
    }
}

#[test]
fn empty_response_is_self_closed_after_the_declaration() {
    assert_eq!(xml(vec![]), format!("{DECL}<Response/>"));
}

#[test]
fn defaults_write_no_attributes() {
    assert_eq!(
        body(vec![
            say("Hi"),
            Verb::Pause(Pause { length: 1 }),
            Verb::Gather(Gather::default()),
            Verb::Record(record()),
            Verb::Dial(dial_to("+1555")),
            Verb::Redirect(Redirect {
                url: "/next".into(),
                method: HttpMethod::Post
            }),
            Verb::Hangup,
            Verb::Reject(Reject {
                reason: RejectReason::Rejected
            }),
        ]),
        "<Response><Say>Hi</Say><Pause/><Gather/><Record/><Dial>+1555</Dial><Redirect>/next</Redirect><Hangup/><Reject/></Response>"
    );
}

#[test]
fn gather_like_the_node_builder() {
    assert_eq!(
        body(vec![Verb::Gather(reference_gather())]),
        r#"<Response><Gather action="/gather" input="dtmf speech" timeout="3" speechTimeout="auto" numDigits="1" language="en-US" hints="sales, support"><Say voice="Polly.Joanna" language="en-US">Press 1 or say sales for sales.</Say></Gather></Response>"#
    );
}

#[test]
fn gather_non_defaults() {
    let g = Gather {
        method: HttpMethod::Get,
        dtmf: false,
        speech: true,
        speech_timeout: Some(SpeechTimeout::Seconds(2)),
        finish_on_key: "".into(),
        action_on_empty_result: true,
        speech_model: Some("phone_call".into()),
        enhanced: true,
        barge_in: false,
        ..Gather::default()
    };
    assert_eq!(
        body(vec![Verb::Gather(g)]),
        r#"<Response><Gather method="GET" input="speech" speechTimeout="2" finishOnKey="" actionOnEmptyResult="true" speechModel="phone_call" enhanced="true" bargeIn="false"/></Response>"#
    );
}

#[test]
fn record_non_defaults_and_false_boolean() {
    let r = Record {
        action: Some("/r".into()),
        timeout: 0,
        finish_on_key: "#".into(),
        max_length: 30,
        play_beep: false,
        recording_status_callback: Some("/s".into()),
        ..record()
    };
    assert_eq!(
        body(vec![Verb::Record(r)]),
        r##"<Response><Record action="/r" timeout="0" finishOnKey="#" maxLength="30" playBeep="false" recordingStatusCallback="/s"/></Response>"##
    );
}

#[test]
fn record_transcribe_writes_its_callback_and_keeps_its_own_max_length_default() {
    let r = Record {
        transcribe: true,
        transcribe_callback: Some("/t".into()),
        max_length: 120,
        ..record()
    };
    assert_eq!(
        body(vec![Verb::Record(r)]),
        r#"<Response><Record transcribe="true" transcribeCallback="/t"/></Response>"#
    );
}

#[test]
fn dial_non_defaults() {
    let d = Dial {
        action: Some("/after".into()),
        method: HttpMethod::Get,
        timeout: 10,
        caller_id: Some("+1999".into()),
        time_limit: Some(60),
        record: DialRecord::FromAnswer,
        ..dial_to("+1555")
    };
    assert_eq!(
        body(vec![Verb::Dial(d)]),
        r#"<Response><Dial action="/after" method="GET" timeout="10" callerId="+1999" timeLimit="60" record="record-from-answer">+1555</Dial></Response>"#
    );
}

#[test]
fn dial_parties_with_attributes_are_written_as_nouns() {
    let number = DialParty {
        send_digits: Some("ww12".into()),
        status_callback: Some("/s".into()),
        status_callback_events: vec![CallProgressEvent::Ringing, CallProgressEvent::Completed],
        ..DialParty::new(DialNoun::Number, "+1555")
    };
    let d = Dial {
        answer_on_bridge: true,
        trim: true,
        recording_status_callback_events: vec![RecordingEvent::Absent],
        ..Dial::new(vec![number, DialParty::new(DialNoun::Client, "alice")])
    };
    assert_eq!(
        body(vec![Verb::Dial(d)]),
        r#"<Response><Dial trim="trim-silence" recordingStatusCallbackEvent="absent" answerOnBridge="true"><Number sendDigits="ww12" statusCallback="/s" statusCallbackEvent="ringing completed">+1555</Number><Client>alice</Client></Dial></Response>"#
    );
}

#[test]
fn play_say_pause_reject_non_defaults() {
    assert_eq!(
        body(vec![
            Verb::Play(Play {
                url: None,
                digits: Some("ww1#".into()),
                repeat: 1
            }),
            Verb::Play(Play {
                url: Some("a.mp3".into()),
                digits: None,
                repeat: 0
            }),
            Verb::Say(Say {
                text: "x".into(),
                voice: Some("woman".into()),
                language: None,
                repeat: 2
            }),
            Verb::Pause(Pause { length: 4 }),
            Verb::Redirect(Redirect {
                url: "/r".into(),
                method: HttpMethod::Get
            }),
            Verb::Reject(Reject {
                reason: RejectReason::Busy
            }),
        ]),
        r##"<Response><Play digits="ww1#"/><Play loop="0">a.mp3</Play><Say voice="woman" loop="2">x</Say><Pause length="4"/><Redirect method="GET">/r</Redirect><Reject reason="busy"/></Response>"##
    );
}

#[test]
fn text_and_attributes_are_escaped() {
    let v = Verb::Say(Say {
        text: r#"Tom & "Jerry" <3 >"#.into(),
        voice: Some("a&b\"c<d>\te\nf\rg".into()),
        language: None,
        repeat: 1,
    });
    assert_eq!(
        body(vec![v]),
        r#"<Response><Say voice="a&amp;b&quot;c&lt;d&gt;&#x9;e&#xA;f&#xD;g">Tom &amp; &quot;Jerry&quot; &lt;3 &gt;</Say></Response>"#
    );
}

#[test]
fn characters_xml_forbids_are_dropped() {
    assert_eq!(
        body(vec![say("a\u{1}b\u{FFFE}c")]),
        "<Response><Say>abc</Say></Response>"
    );
}

#[test]
fn unsupported_verbs_are_written_empty() {
    assert_eq!(
        body(vec![
            Verb::Unsupported {
                name: "Connect".into()
            },
            Verb::Unsupported {
                name: "<bad>".into()
            },
        ]),
        "<Response><Connect/></Response>"
    );
}

#[test]
fn listening_for_nothing_is_written_as_empty_input() {
    let g = Gather {
        dtmf: false,
        ..Gather::default()
    };
    assert_eq!(
        body(vec![Verb::Gather(g)]),
        r#"<Response><Gather input=""/></Response>"#
    );
}

#[test]
fn written_documents_parse_back() {
    let r = Response {
        verbs: vec![
            Verb::Gather(Gather {
                prompts: vec![say("a & b"), Verb::Pause(Pause { length: 2 })],
                ..Gather::default()
            }),
            say("line\r\nbreak"),
        ],
    };
    assert_eq!(parse(&r.to_xml()), Ok(r));
}

// Generated documents: everything `parse` can return (text trimmed, content present).

/// Text with the characters that need escaping, line breaks and non-ASCII, as `parse` would
/// return it: only XML characters, no surrounding XML whitespace.
fn text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        4 => any::<char>(),
        1 => prop::sample::select(vec!['&', '<', '>', '"', '\'', '\r', '\n', '\t', ' ', ']', ';', '#']),
    ];
    prop::collection::vec(c, 0..24).prop_map(|chars| {
        let s: String = chars.into_iter().filter(|c| is_xml_char(*c)).collect();
        s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
            .to_string()
    })
}

fn non_empty_text() -> impl Strategy<Value = String> {
    text().prop_map(|s| if s.is_empty() { "x".to_string() } else { s })
}

/// An attribute value: any XML characters, kept verbatim by `parse`.
fn value() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..12)
        .prop_map(|chars| chars.into_iter().filter(|c| is_xml_char(*c)).collect())
}

fn keys(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(b"0123456789*#".to_vec()), len)
        .prop_map(|bytes| bytes.into_iter().map(char::from).collect())
}

fn method() -> impl Strategy<Value = HttpMethod> {
    prop_oneof![Just(HttpMethod::Get), Just(HttpMethod::Post)]
}

fn arb_say() -> impl Strategy<Value = Verb> {
    (
        text(),
        prop::option::of(value()),
        prop::option::of(value()),
        any::<u32>(),
    )
        .prop_map(|(text, voice, language, repeat)| {
            Verb::Say(Say {
                text,
                voice,
                language,
                repeat,
            })
        })
}

fn arb_play(digits_allowed: bool) -> impl Strategy<Value = Verb> {
    let digits = prop::collection::vec(prop::sample::select(b"0123456789ABCD*#wW".to_vec()), 1..8)
        .prop_map(|b| b.into_iter().map(char::from).collect::<String>());
    let digits = if digits_allowed {
        prop::option::of(digits).boxed()
    } else {
        Just(None).boxed()
    };
    (prop::option::of(non_empty_text()), digits, any::<u32>()).prop_map(|(url, digits, repeat)| {
        // A <Play> needs a URL or digits.
        let url = if url.is_none() && digits.is_none() {
            Some("a.mp3".to_string())
        } else {
            url
        };
        Verb::Play(Play {
            url,
            digits,
            repeat,
        })
    })
}

fn arb_pause() -> impl Strategy<Value = Verb> {
    (1u32..).prop_map(|length| Verb::Pause(Pause { length }))
}

fn arb_gather() -> impl Strategy<Value = Verb> {
    let prompts = prop::collection::vec(prop_oneof![arb_say(), arb_play(false), arb_pause()], 0..4);
    let input = prop_oneof![Just((true, false)), Just((false, true)), Just((true, true))];
    let speech_timeout = prop::option::of(prop_oneof![
        Just(SpeechTimeout::Auto),
        (1u32..).prop_map(SpeechTimeout::Seconds)
    ]);
    (
        (
            prop::option::of(value()),
            method(),
            input,
            1u32..,
            speech_timeout,
            keys(0..2),
        ),
        (
            prop::option::of(1u32..),
            any::<bool>(),
            prop::option::of(value()),
            prop::option::of(value()),
        ),
        (
            prop::option::of(value()),
            any::<bool>(),
            prop::option::of(value()),
            any::<bool>(),
            prompts,
        ),
    )
        .prop_map(
            |(
                (action, method, (dtmf, speech), timeout, speech_timeout, finish_on_key),
                (num_digits, action_on_empty_result, language, hints),
                (speech_model, enhanced, partial_result_callback, barge_in, prompts),
            )| {
                Verb::Gather(Gather {
                    action,
                    method,
                    dtmf,
                    speech,
                    timeout,
                    speech_timeout,
                    finish_on_key,
                    num_digits,
                    action_on_empty_result,
                    language,
                    hints,
                    speech_model,
                    enhanced,
                    partial_result_callback,
                    barge_in,
                    prompts,
                })
            },
        )
}

fn arb_record() -> impl Strategy<Value = Verb> {
    (
        prop::option::of(value()),
        method(),
        any::<u32>(),
        keys(0..6),
        1u32..,
        any::<bool>(),
        prop::option::of(value()),
        any::<bool>(),
        prop::option::of(value()),
    )
        .prop_map(
            |(
                action,
                method,
                timeout,
                finish_on_key,
                max_length,
                play_beep,
                callback,
                transcribe,
                transcribe_callback,
            )| {
                Verb::Record(Record {
                    action,
                    method,
                    timeout,
                    finish_on_key,
                    max_length,
                    play_beep,
                    recording_status_callback: callback,
                    transcribe,
                    transcribe_callback,
                })
            },
        )
}

fn arb_event_list<T: Clone + std::fmt::Debug + 'static>(
    all: Vec<T>,
) -> impl Strategy<Value = Vec<T>> {
    prop::collection::vec(prop::sample::select(all), 1..4)
}

fn arb_party() -> impl Strategy<Value = DialParty> {
    (
        prop::sample::select(DialNoun::ALL.to_vec()),
        non_empty_text(),
        prop::option::of(value()),
        method(),
        prop::option::of("[0-9A-D*#wW]{1,8}"),
        prop::option::of(value()),
        method(),
        arb_event_list(vec![
            CallProgressEvent::Initiated,
            CallProgressEvent::Ringing,
            CallProgressEvent::Answered,
            CallProgressEvent::Completed,
        ]),
        prop::option::of(value()),
    )
        .prop_map(
            |(noun, address, url, url_method, digits, callback, callback_method, events, amd)| {
                DialParty {
                    noun,
                    address,
                    // The noun's method is written only with its URL.
                    url_method: if url.is_some() {
                        url_method
                    } else {
                        HttpMethod::Post
                    },
                    url,
                    // Only `<Number>` has `sendDigits`; `<Number>` and `<Sip>` have AMD.
                    send_digits: digits.filter(|_| noun == DialNoun::Number),
                    status_callback: callback,
                    status_callback_method: callback_method,
                    status_callback_events: events,
                    machine_detection: amd
                        .filter(|_| matches!(noun, DialNoun::Number | DialNoun::Sip)),
                }
            },
        )
}

fn arb_dial() -> impl Strategy<Value = Verb> {
    (
        (
            prop::collection::vec(arb_party(), 1..4),
            prop::option::of(value()),
            method(),
            1u32..,
            prop::option::of(value()),
            prop::option::of(1u32..),
            any::<bool>(),
        ),
        (
            prop::sample::select(vec![
                DialRecord::DoNotRecord,
                DialRecord::FromAnswer,
                DialRecord::FromRinging,
                DialRecord::FromAnswerDual,
                DialRecord::FromRingingDual,
            ]),
            any::<bool>(),
            prop::sample::select(vec![
                RecordingTrack::Both,
                RecordingTrack::Inbound,
                RecordingTrack::Outbound,
            ]),
            prop::option::of(value()),
            method(),
            arb_event_list(vec![
                RecordingEvent::InProgress,
                RecordingEvent::Completed,
                RecordingEvent::Absent,
            ]),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (parties, action, method, timeout, caller_id, time_limit, hangup_on_star),
                (record, trim, track, rec_callback, rec_method, rec_events, bridge, sequential),
            )| {
                Verb::Dial(Dial {
                    parties,
                    hangup_on_star,
                    action,
                    method,
                    timeout,
                    caller_id,
                    time_limit,
                    record,
                    trim,
                    recording_track: track,
                    recording_status_callback: rec_callback,
                    recording_status_callback_method: rec_method,
                    recording_status_callback_events: rec_events,
                    answer_on_bridge: bridge,
                    sequential,
                })
            },
        )
}

fn arb_verb() -> impl Strategy<Value = Verb> {
    prop_oneof![
        arb_say(),
        arb_play(true),
        arb_pause(),
        arb_gather(),
        arb_record(),
        arb_dial(),
        (non_empty_text(), method())
            .prop_map(|(url, method)| Verb::Redirect(Redirect { url, method })),
        Just(Verb::Hangup),
        prop_oneof![Just(RejectReason::Rejected), Just(RejectReason::Busy)]
            .prop_map(|reason| Verb::Reject(Reject { reason })),
        prop::sample::select(vec![
            "Connect", "Start", "Stop", "Enqueue", "Leave", "Pay", "Refer", "Sms", "Echo", "Queue",
            "Prompt",
        ])
        .prop_map(|name| Verb::Unsupported { name: name.into() }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn round_trip(verbs in prop::collection::vec(arb_verb(), 0..6)) {
        let r = Response { verbs };
        let doc = r.to_xml();
        prop_assert_eq!(parse(&doc), Ok(r), "{}", doc);
    }
}
