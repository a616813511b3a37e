//! Generated documents: everything `parse` can return (text trimmed, content present), written
//! and parsed back.

use proptest::prelude::*;

use super::super::is_xml_char;
use crate::twiml::ast::*;
use crate::twiml::parse;

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
        prop::option::of((prop::option::of(value()), prop::option::of(value()))),
    )
        .prop_map(
            |(
                noun,
                address,
                url,
                url_method,
                digits,
                callback,
                callback_method,
                events,
                amd,
                task_router,
            )| {
                // Only `<Queue>` has the TaskRouter attributes.
                let (reservation_sid, post_work_activity_sid) = task_router
                    .filter(|_| noun == DialNoun::Queue)
                    .unwrap_or_default();
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
                    reservation_sid,
                    post_work_activity_sid,
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

fn arb_enqueue() -> impl Strategy<Value = Verb> {
    (
        (text(), prop::option::of(value()), method()),
        (
            prop::option::of(value()),
            method(),
            prop::option::of(value()),
        ),
        prop::option::of((text(), prop::option::of(0u32..), prop::option::of(1u32..))),
    )
        .prop_map(
            |((queue, action, method), (wait_url, wait_url_method, workflow_sid), task)| {
                // A queue name is required unless TaskRouter picks the queue.
                let queue = if queue.is_empty() && workflow_sid.is_none() {
                    "support".to_string()
                } else {
                    queue
                };
                Verb::Enqueue(Enqueue {
                    queue,
                    action,
                    method,
                    wait_url,
                    wait_url_method,
                    workflow_sid,
                    task: task.map(|(attributes, priority, timeout)| EnqueueTask {
                        attributes,
                        priority,
                        timeout,
                    }),
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
        arb_enqueue(),
        Just(Verb::Leave),
        prop_oneof![Just(RejectReason::Rejected), Just(RejectReason::Busy)]
            .prop_map(|reason| Verb::Reject(Reject { reason })),
        prop::sample::select(vec![
            "Connect", "Start", "Stop", "Pay", "Refer", "Sms", "Echo", "Queue", "Prompt",
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
