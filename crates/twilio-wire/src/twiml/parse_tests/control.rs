//! `<Gather>`, `<Record>`, `<Redirect>`, `<Hangup>`, `<Reject>`, unsupported verbs and
//! `resolve_url`.

use super::*;

// <Gather>.

#[test]
fn gather_defaults() {
    assert_eq!(gather("<Gather/>"), Gather::default());
}

#[test]
fn gather_reference_example() {
    let g = gather(
        r#"<Gather input="speech dtmf" action="/gather" method="POST" timeout="3" speechTimeout="auto" numDigits="1" language="en-US" hints="sales, support">
             <Say voice="Polly.Joanna" language="en-US">Press 1 or say sales for sales.</Say>
           </Gather>"#,
    );
    assert_eq!(g, reference_gather());
}

#[test]
fn gather_input_forms() {
    let g = gather(r#"<Gather input="speech"/>"#);
    assert_eq!((g.dtmf, g.speech), (false, true));
    let g = gather(r#"<Gather input="dtmf"/>"#);
    assert_eq!((g.dtmf, g.speech), (true, false));
    let g = gather(r#"<Gather input=" dtmf  speech "/>"#);
    assert_eq!((g.dtmf, g.speech), (true, true));
}

#[test]
fn gather_bad_input_is_an_attribute_error() {
    assert_eq!(
        attr_err(r#"<Gather input="voice"/>"#),
        ("input".into(), "voice".into())
    );
    assert_eq!(
        attr_err(r#"<Gather input=""/>"#),
        ("input".into(), "".into())
    );
    assert_eq!(
        attr_err(r#"<Gather input="DTMF"/>"#),
        ("input".into(), "DTMF".into())
    );
}

#[test]
fn gather_bad_timeout_is_an_attribute_error() {
    assert_eq!(
        attr_err(r#"<Gather timeout="abc"/>"#),
        ("timeout".into(), "abc".into())
    );
    assert_eq!(
        attr_err(r#"<Gather timeout="0"/>"#),
        ("timeout".into(), "0".into())
    );
    assert_eq!(
        attr_err(r#"<Gather timeout="99999999999"/>"#),
        ("timeout".into(), "99999999999".into())
    );
}

#[test]
fn gather_speech_timeout_seconds() {
    assert_eq!(
        gather(r#"<Gather speechTimeout="2"/>"#).speech_timeout,
        Some(SpeechTimeout::Seconds(2))
    );
    assert_eq!(
        attr_err(r#"<Gather speechTimeout="soon"/>"#),
        ("speechTimeout".into(), "soon".into())
    );
}

#[test]
fn gather_finish_on_key() {
    assert_eq!(gather(r#"<Gather finishOnKey=""/>"#).finish_on_key, "");
    assert_eq!(gather(r#"<Gather finishOnKey="*"/>"#).finish_on_key, "*");
    assert_eq!(
        attr_err(r#"<Gather finishOnKey="12"/>"#),
        ("finishOnKey".into(), "12".into())
    );
    assert_eq!(
        attr_err(r#"<Gather finishOnKey="x"/>"#),
        ("finishOnKey".into(), "x".into())
    );
}

#[test]
fn gather_num_digits() {
    assert_eq!(gather(r#"<Gather numDigits="4"/>"#).num_digits, Some(4));
    assert_eq!(
        attr_err(r#"<Gather numDigits="0"/>"#),
        ("numDigits".into(), "0".into())
    );
}

#[test]
fn gather_booleans_and_strings() {
    let g = gather(
        r#"<Gather actionOnEmptyResult="true" enhanced="TRUE" speechModel="phone_call" method="get" action="next?x=1&amp;y=2"/>"#,
    );
    assert!(g.action_on_empty_result);
    assert!(g.enhanced);
    assert_eq!(g.speech_model.as_deref(), Some("phone_call"));
    assert_eq!(g.method, HttpMethod::Get);
    assert_eq!(g.action.as_deref(), Some("next?x=1&y=2"));
    assert_eq!(
        attr_err(r#"<Gather actionOnEmptyResult="yes"/>"#),
        ("actionOnEmptyResult".into(), "yes".into())
    );
    assert_eq!(
        attr_err(r#"<Gather method="PUT"/>"#),
        ("method".into(), "PUT".into())
    );
}

#[test]
fn gather_unknown_attributes_are_ignored() {
    assert_eq!(
        gather(r#"<Gather profanityFilter="false" debug="true"/>"#),
        Gather::default()
    );
}

#[test]
fn gather_barge_in_defaults_to_true_and_refuses_other_values() {
    assert!(gather("<Gather/>").barge_in);
    assert!(gather(r#"<Gather bargeIn="true"/>"#).barge_in);
    assert!(!gather(r#"<Gather bargeIn="False"/>"#).barge_in);
    // Twilio's warning 13332, "Invalid bargeIn value"; refused here like any invalid value.
    assert_eq!(
        attr_err(r#"<Gather bargeIn="no"/>"#),
        ("bargeIn".into(), "no".into())
    );
}

#[test]
fn gather_nests_say_play_and_pause_in_order() {
    let g = gather(r#"<Gather><Say>a</Say><Pause length="2"/><Play>b.mp3</Play></Gather>"#);
    assert_eq!(
        g.prompts,
        vec![
            say("a"),
            Verb::Pause(Pause { length: 2 }),
            Verb::Play(Play {
                url: Some("b.mp3".into()),
                digits: None,
                repeat: 1
            })
        ]
    );
}

#[test]
fn redirect_inside_gather_is_a_nesting_error() {
    assert_eq!(
        err("<Gather><Redirect>/x</Redirect></Gather>"),
        nesting("Gather", "Redirect")
    );
}

#[test]
fn play_digits_inside_gather_is_a_nesting_error() {
    assert_eq!(
        err(r#"<Gather><Play digits="1"/></Gather>"#),
        nesting("Gather", "Play digits")
    );
}

#[test]
fn other_verbs_inside_gather_are_nesting_errors() {
    assert_eq!(
        err("<Gather><Gather/></Gather>"),
        nesting("Gather", "Gather")
    );
    assert_eq!(
        err("<Gather><Hangup/></Gather>"),
        nesting("Gather", "Hangup")
    );
    assert_eq!(
        err("<Gather><Connect/></Gather>"),
        nesting("Gather", "Connect")
    );
    assert!(matches!(
        err("<Gather><say>x</say></Gather>"),
        TwimlError::UnknownElement { .. }
    ));
}

#[test]
fn text_inside_gather_is_an_error() {
    assert!(matches!(
        err("<Gather>Press 1</Gather>"),
        TwimlError::UnexpectedText { .. }
    ));
}

#[test]
fn nested_prompt_errors_surface() {
    assert_eq!(
        attr_err(r#"<Gather><Say loop="x">a</Say></Gather>"#),
        ("loop".into(), "x".into())
    );
}

// <Record>.

#[test]
fn record_defaults() {
    assert_eq!(one("<Record/>"), Verb::Record(record()));
}

#[test]
fn record_attributes() {
    assert_eq!(
        one(
            r##"<Record action="/rec" method="GET" timeout="0" finishOnKey="#*" maxLength="30" playBeep="false" recordingStatusCallback="/status"/>"##
        ),
        Verb::Record(Record {
            action: Some("/rec".into()),
            method: HttpMethod::Get,
            timeout: 0,
            finish_on_key: "#*".into(),
            max_length: 30,
            play_beep: false,
            recording_status_callback: Some("/status".into()),
            transcribe: false,
            transcribe_callback: None,
        })
    );
}

#[test]
fn record_transcribe_and_its_callback() {
    let Verb::Record(r) = one(r#"<Record transcribe="true" transcribeCallback="/t"/>"#) else {
        panic!()
    };
    assert!(r.transcribe);
    assert_eq!(r.transcribe_callback.as_deref(), Some("/t"));
    assert_eq!(
        attr_err(r#"<Record transcribe="yes"/>"#),
        ("transcribe".into(), "yes".into())
    );
}

#[test]
fn record_max_length_defaults_to_120_when_transcribing() {
    let Verb::Record(r) = one(r#"<Record transcribe="true"/>"#) else {
        panic!()
    };
    assert_eq!(r.max_length, 120);
}

#[test]
fn record_bad_values_are_attribute_errors() {
    assert_eq!(
        attr_err(r#"<Record maxLength="0"/>"#),
        ("maxLength".into(), "0".into())
    );
    assert_eq!(
        attr_err(r#"<Record finishOnKey="a"/>"#),
        ("finishOnKey".into(), "a".into())
    );
    assert_eq!(
        attr_err(r#"<Record playBeep="1"/>"#),
        ("playBeep".into(), "1".into())
    );
}

#[test]
fn record_takes_no_children() {
    assert_eq!(
        err("<Record><Say>x</Say></Record>"),
        nesting("Record", "Say")
    );
}

// <Redirect>, <Hangup>, <Reject>.

#[test]
fn redirect_defaults_to_post() {
    assert_eq!(
        one("<Redirect>/next</Redirect>"),
        Verb::Redirect(Redirect {
            url: "/next".into(),
            method: HttpMethod::Post
        })
    );
}

#[test]
fn redirect_get() {
    assert_eq!(
        one(r#"<Redirect method="GET">https://x.test/a?b=1&amp;c=2</Redirect>"#),
        Verb::Redirect(Redirect {
            url: "https://x.test/a?b=1&c=2".into(),
            method: HttpMethod::Get
        })
    );
}

#[test]
fn redirect_needs_a_url() {
    assert!(matches!(
        err("<Redirect> </Redirect>"),
        TwimlError::Missing { .. }
    ));
}

#[test]
fn hangup() {
    assert_eq!(one("<Hangup/>"), Verb::Hangup);
    assert_eq!(
        one("<Hangup><Parameter name=\"a\" value=\"b\"/></Hangup>"),
        Verb::Hangup
    );
    assert_eq!(
        err("<Hangup><Say>x</Say></Hangup>"),
        nesting("Hangup", "Say")
    );
    assert!(matches!(
        err("<Hangup>now</Hangup>"),
        TwimlError::UnexpectedText { .. }
    ));
}

#[test]
fn reject_reasons() {
    assert_eq!(
        one("<Reject/>"),
        Verb::Reject(Reject {
            reason: RejectReason::Rejected
        })
    );
    assert_eq!(
        one(r#"<Reject reason="busy"/>"#),
        Verb::Reject(Reject {
            reason: RejectReason::Busy
        })
    );
    assert_eq!(
        attr_err(r#"<Reject reason="nope"/>"#),
        ("reason".into(), "nope".into())
    );
    assert_eq!(err("<Reject><Pause/></Reject>"), nesting("Reject", "Pause"));
}

// Verbs this tool does not run.

#[test]
fn known_unsupported_verbs() {
    for name in [
        "Connect", "Start", "Stop", "Pay", "Refer", "Sms", "Echo", "Queue", "Prompt",
    ] {
        assert_eq!(
            one(&format!("<{name}/>")),
            Verb::Unsupported { name: name.into() },
            "{name}"
        );
    }
}

#[test]
fn unsupported_verbs_keep_their_content_unchecked() {
    assert_eq!(
        one(
            r#"<Connect action="/x"><Stream url="wss://x.test"><Parameter name="a" value="b"/></Stream></Connect>"#
        ),
        Verb::Unsupported {
            name: "Connect".into()
        }
    );
}

// resolve_url.

#[test]
fn resolve_relative_paths() {
    let base = "https://ivr.test/app/menu?step=1";
    assert_eq!(
        resolve_url(base, "next").as_deref(),
        Some("https://ivr.test/app/next")
    );
    assert_eq!(
        resolve_url(base, "/root").as_deref(),
        Some("https://ivr.test/root")
    );
    assert_eq!(
        resolve_url(base, "../up").as_deref(),
        Some("https://ivr.test/up")
    );
    assert_eq!(
        resolve_url(base, "?step=2").as_deref(),
        Some("https://ivr.test/app/menu?step=2")
    );
}

#[test]
fn resolve_absolute_and_empty() {
    let base = "https://ivr.test/app/menu";
    assert_eq!(
        resolve_url(base, "http://other.test/x").as_deref(),
        Some("http://other.test/x")
    );
    assert_eq!(resolve_url(base, "").as_deref(), Some(base));
}

#[test]
fn resolve_needs_an_absolute_base() {
    assert_eq!(resolve_url("/relative", "x"), None);
}
