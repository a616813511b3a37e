//! The writer's output form, and the round trip `parse(r.to_xml()) == r` over generated documents
//! (`generated`).

use super::*;
use crate::twiml::parse;
use crate::twiml::test_support::{dial_to, record, reference_gather, say};

mod generated;

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
fn enqueue_and_leave_like_the_node_builder() {
    assert_eq!(
        body(vec![Verb::Enqueue(Enqueue::new("support")), Verb::Leave]),
        "<Response><Enqueue>support</Enqueue><Leave/></Response>"
    );
    let enqueue = Enqueue {
        action: Some("/left".into()),
        wait_url: Some("/wait?a=1&b=2".into()),
        wait_url_method: HttpMethod::Get,
        ..Enqueue::new("sales & support")
    };
    assert_eq!(
        body(vec![Verb::Enqueue(enqueue)]),
        r#"<Response><Enqueue action="/left" waitUrl="/wait?a=1&amp;b=2" waitUrlMethod="GET">sales &amp; support</Enqueue></Response>"#
    );
    let task_router = Enqueue {
        workflow_sid: Some("WW1".into()),
        task: Some(EnqueueTask {
            attributes: r#"{"a":1}"#.into(),
            priority: Some(5),
            timeout: None,
        }),
        ..Enqueue::new("")
    };
    assert_eq!(
        body(vec![Verb::Enqueue(task_router)]),
        r#"<Response><Enqueue workflowSid="WW1"><Task priority="5">{&quot;a&quot;:1}</Task></Enqueue></Response>"#
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
