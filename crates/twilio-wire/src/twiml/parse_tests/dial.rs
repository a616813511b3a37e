//! `<Dial>`: its parties (text, `<Number>`, `<Client>`, `<Sip>`, the other nouns), their
//! attributes, the `<Dial>` attributes and their defaults, and the values refused.

use super::*;

fn dial(body: &str) -> Dial {
    match one(body) {
        Verb::Dial(d) => d,
        v => panic!("{v:?}"),
    }
}

/// The only party of a `<Dial>`.
fn party(body: &str) -> DialParty {
    let mut d = dial(body);
    assert_eq!(d.parties.len(), 1, "{body}");
    d.parties.remove(0)
}

#[test]
fn dial_text_with_defaults() {
    assert_eq!(dial("<Dial> +15551234567 </Dial>"), dial_to("+15551234567"));
    let d = dial_to("+1");
    assert_eq!(d.record, DialRecord::DoNotRecord);
    assert!(!d.trim && !d.answer_on_bridge && !d.sequential);
    assert_eq!(d.recording_track, RecordingTrack::Both);
    assert_eq!(
        d.recording_status_callback_events,
        [RecordingEvent::Completed]
    );
    assert_eq!(d.timeout, 30);
}

#[test]
fn every_noun_is_a_party_in_document_order() {
    let d = dial(
        "<Dial><Number>+1555</Number><Client>alice</Client><Sip>sip:x@y.test</Sip>\
         <Conference>room</Conference><Queue>support</Queue><Sim>HS123</Sim>\
         <Application><ApplicationSid>AP1</ApplicationSid></Application>\
         <WhatsApp>+1777</WhatsApp></Dial>",
    );
    let nouns: Vec<(DialNoun, &str)> = d
        .parties
        .iter()
        .map(|p| (p.noun, p.address.as_str()))
        .collect();
    assert_eq!(
        nouns,
        [
            (DialNoun::Number, "+1555"),
            (DialNoun::Client, "alice"),
            (DialNoun::Sip, "sip:x@y.test"),
            (DialNoun::Conference, "room"),
            (DialNoun::Queue, "support"),
            (DialNoun::Sim, "HS123"),
            (DialNoun::Application, "AP1"),
            (DialNoun::WhatsApp, "+1777"),
        ]
    );
}

#[test]
fn a_client_name_may_be_wrapped_in_identity() {
    assert_eq!(
        party("<Dial><Client><Identity>bob</Identity><Parameter name=\"a\" value=\"b\"/></Client></Dial>")
            .address,
        "bob"
    );
}

#[test]
fn number_attributes() {
    let p = party(
        r#"<Dial><Number sendDigits="ww1234#" url="/screen" method="GET" statusCallback="/status" statusCallbackMethod="GET" statusCallbackEvent="initiated ringing  answered completed" machineDetection="Enable">+1555</Number></Dial>"#,
    );
    assert_eq!(p.send_digits.as_deref(), Some("ww1234#"));
    assert_eq!(p.url.as_deref(), Some("/screen"));
    assert_eq!(p.url_method, HttpMethod::Get);
    assert_eq!(p.status_callback.as_deref(), Some("/status"));
    assert_eq!(p.status_callback_method, HttpMethod::Get);
    assert_eq!(
        p.status_callback_events,
        [
            CallProgressEvent::Initiated,
            CallProgressEvent::Ringing,
            CallProgressEvent::Answered,
            CallProgressEvent::Completed
        ]
    );
    assert_eq!(p.machine_detection.as_deref(), Some("Enable"));
}

#[test]
fn a_status_callback_alone_subscribes_to_completed() {
    let p = party(r#"<Dial><Client statusCallback="/s">alice</Client></Dial>"#);
    assert_eq!(p.status_callback_events, [CallProgressEvent::Completed]);
}

#[test]
fn sip_credentials_are_accepted_and_send_digits_belongs_to_number() {
    let p = party(
        r#"<Dial><Sip username="admin" password="1234" statusCallback="/s" statusCallbackEvent="ringing">sip:kate@example.com?x-team=blue</Sip></Dial>"#,
    );
    assert_eq!(p.noun, DialNoun::Sip);
    assert_eq!(p.address, "sip:kate@example.com?x-team=blue");
    assert_eq!(p.status_callback_events, [CallProgressEvent::Ringing]);
    // Twilio documents sendDigits on <Number> only; elsewhere it means nothing.
    assert_eq!(
        party(r#"<Dial><Client sendDigits="1">alice</Client></Dial>"#).send_digits,
        None
    );
}

#[test]
fn dial_attributes() {
    let d = dial(
        r#"<Dial action="/after" method="GET" timeout="10" callerId="+1999" timeLimit="60" record="record-from-ringing-dual" trim="trim-silence" recordingTrack="inbound" recordingStatusCallback="/rec" recordingStatusCallbackMethod="GET" recordingStatusCallbackEvent="in-progress completed absent" hangupOnStar="true" answerOnBridge="true" sequential="true" ringTone="de" referUrl="/refer" referMethod="GET" callReason="Support" recordingConfigurationId="JZ1">+1555</Dial>"#,
    );
    assert_eq!(d.action.as_deref(), Some("/after"));
    assert_eq!(d.method, HttpMethod::Get);
    assert_eq!(d.timeout, 10);
    assert_eq!(d.caller_id.as_deref(), Some("+1999"));
    assert_eq!(d.time_limit, Some(60));
    assert_eq!(d.record, DialRecord::FromRingingDual);
    assert!(d.record.records() && d.record.dual() && d.record.from_ringing());
    assert!(d.trim);
    assert_eq!(d.recording_track, RecordingTrack::Inbound);
    assert_eq!(d.recording_status_callback.as_deref(), Some("/rec"));
    assert_eq!(d.recording_status_callback_method, HttpMethod::Get);
    assert_eq!(
        d.recording_status_callback_events,
        [
            RecordingEvent::InProgress,
            RecordingEvent::Completed,
            RecordingEvent::Absent
        ]
    );
    assert!(d.hangup_on_star && d.answer_on_bridge && d.sequential);
}

#[test]
fn dial_record_values() {
    let record = |value: &str| dial(&format!(r#"<Dial record="{value}">1</Dial>"#)).record;
    assert_eq!(record("do-not-record"), DialRecord::DoNotRecord);
    assert_eq!(record("false"), DialRecord::DoNotRecord);
    assert_eq!(record("true"), DialRecord::FromAnswer);
    assert_eq!(record("record-from-answer"), DialRecord::FromAnswer);
    assert_eq!(record("record-from-ringing"), DialRecord::FromRinging);
    assert_eq!(
        record("record-from-answer-dual"),
        DialRecord::FromAnswerDual
    );
    assert!(!record("record-from-answer").dual());
    assert!(!record("record-from-answer-dual").from_ringing());
    assert_eq!(
        attr_err(r#"<Dial record="always">1</Dial>"#),
        ("record".into(), "always".into())
    );
}

#[test]
fn invalid_values_of_the_new_attributes_are_refused() {
    for (body, attribute, value) in [
        (r#"<Dial trim="yes">1</Dial>"#, "trim", "yes"),
        (
            r#"<Dial recordingTrack="left">1</Dial>"#,
            "recordingTrack",
            "left",
        ),
        (
            r#"<Dial recordingStatusCallbackEvent="done">1</Dial>"#,
            "recordingStatusCallbackEvent",
            "done",
        ),
        (
            r#"<Dial recordingStatusCallbackEvent=" ">1</Dial>"#,
            "recordingStatusCallbackEvent",
            " ",
        ),
        (
            r#"<Dial recordingStatusCallbackMethod="PUT">1</Dial>"#,
            "recordingStatusCallbackMethod",
            "PUT",
        ),
        (
            r#"<Dial answerOnBridge="yes">1</Dial>"#,
            "answerOnBridge",
            "yes",
        ),
        (r#"<Dial sequential="1">1</Dial>"#, "sequential", "1"),
        (r#"<Dial ringTone="xx">1</Dial>"#, "ringTone", "xx"),
        (r#"<Dial referMethod="PUT">1</Dial>"#, "referMethod", "PUT"),
        (
            r#"<Dial><Number sendDigits="12x">1</Number></Dial>"#,
            "sendDigits",
            "12x",
        ),
        (
            r#"<Dial><Number statusCallbackEvent="queued">1</Number></Dial>"#,
            "statusCallbackEvent",
            "queued",
        ),
        (
            r#"<Dial><Sip statusCallbackMethod="PUT">sip:a@b</Sip></Dial>"#,
            "statusCallbackMethod",
            "PUT",
        ),
    ] {
        assert_eq!(attr_err(body), (attribute.into(), value.into()), "{body}");
    }
}

#[test]
fn dial_bad_timeout_is_an_attribute_error() {
    assert_eq!(
        attr_err(r#"<Dial timeout="soon">1</Dial>"#),
        ("timeout".into(), "soon".into())
    );
}

#[test]
fn at_most_ten_parties() {
    let ten = "<Number>+1</Number>".repeat(10);
    assert_eq!(dial(&format!("<Dial>{ten}</Dial>")).parties.len(), 10);
    assert_eq!(
        err(&format!("<Dial>{ten}<Client>x</Client></Dial>")),
        TwimlError::TooMany {
            element: "Dial".into(),
            what: "parties (nouns)",
            max: 10,
            found: 11
        }
    );
}

#[test]
fn dial_without_target_is_missing_content() {
    assert!(matches!(err("<Dial/>"), TwimlError::Missing { .. }));
    assert!(matches!(
        err("<Dial><Number> </Number></Dial>"),
        TwimlError::Missing { .. }
    ));
}

#[test]
fn dial_rejects_verbs_inside() {
    assert_eq!(err("<Dial><Say>x</Say></Dial>"), nesting("Dial", "Say"));
}
