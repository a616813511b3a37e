//! Documents, errors, `<Say>`, `<Play>`, `<Pause>` and attribute XML details.

use super::*;

// Documents.

#[test]
fn empty_response_is_valid() {
    assert_eq!(parse("<Response/>"), Ok(Response::default()));
    assert_eq!(parse("<Response></Response>"), Ok(Response::default()));
}

#[test]
fn declaration_comments_and_whitespace_are_allowed() {
    let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- menu -->\n<Response>\n  <!-- greet -->\n  <Say>Hi</Say>\n</Response>\n<!-- end -->\n";
    assert_eq!(
        parse(doc),
        Ok(Response {
            verbs: vec![say("Hi")]
        })
    );
}

#[test]
fn verbs_keep_document_order() {
    assert_eq!(
        verbs("<Say>a</Say><Hangup/><Say>b</Say>"),
        vec![say("a"), Verb::Hangup, say("b")]
    );
}

#[test]
fn mismatched_end_tag_is_invalid_xml() {
    assert!(matches!(
        parse("<Response><Say>hi</Response>"),
        Err(TwimlError::Xml { .. })
    ));
}

#[test]
fn unescaped_ampersand_is_invalid_xml() {
    assert!(matches!(
        err("<Say>Tom & Jerry</Say>"),
        TwimlError::Xml { .. }
    ));
}

#[test]
fn unclosed_root_is_invalid_xml() {
    assert!(matches!(
        parse("<Response><Say>hi</Say>"),
        Err(TwimlError::Xml { .. })
    ));
}

#[test]
fn empty_text_is_invalid_xml() {
    assert!(matches!(parse(""), Err(TwimlError::Xml { .. })));
    assert!(matches!(
        parse("  <!-- x -->  "),
        Err(TwimlError::Xml { .. })
    ));
}

#[test]
fn second_root_is_invalid_xml() {
    assert!(matches!(
        parse("<Response/><Response/>"),
        Err(TwimlError::Xml { .. })
    ));
}

#[test]
fn text_outside_the_root_is_invalid_xml() {
    assert!(matches!(
        parse("hello <Response/>"),
        Err(TwimlError::Xml { .. })
    ));
}

#[test]
fn unknown_entity_is_invalid_xml() {
    assert!(matches!(err("<Say>a&nbsp;b</Say>"), TwimlError::Xml { .. }));
}

#[test]
fn root_must_be_response_case_sensitively() {
    assert_eq!(
        parse("<response/>"),
        Err(TwimlError::NotResponse {
            found: "response".into()
        })
    );
    assert_eq!(
        parse("<Say>hi</Say>"),
        Err(TwimlError::NotResponse {
            found: "Say".into()
        })
    );
}

#[test]
fn unknown_verb_names_are_errors_case_sensitively() {
    assert_eq!(
        err("<say>hi</say>"),
        TwimlError::UnknownElement {
            name: "say".into(),
            parent: "Response".into()
        }
    );
    assert!(matches!(err("<Speak/>"), TwimlError::UnknownElement { .. }));
}

#[test]
fn nested_response_is_a_nesting_error() {
    assert_eq!(err("<Response/>"), nesting("Response", "Response"));
}

#[test]
fn nouns_at_the_top_level_are_nesting_errors() {
    assert_eq!(
        err("<Number>+15551234567</Number>"),
        nesting("Response", "Number")
    );
}

#[test]
fn text_directly_in_response_is_an_error() {
    assert_eq!(
        err("Hello <Hangup/>"),
        TwimlError::UnexpectedText {
            element: "Response".into(),
            text: "Hello".into()
        }
    );
}

#[test]
fn errors_read_as_twilio_12100() {
    let e = err("<Gather><Redirect>/x</Redirect></Gather>");
    assert_eq!(e.code(), 12100);
    assert_eq!(
        e.to_string(),
        "Document parse failure: <Redirect> is not allowed inside <Gather>"
    );
    let e = err("<Gather timeout=\"abc\"/>");
    assert_eq!(
        e.to_string(),
        "Document parse failure: <Gather> attribute timeout=\"abc\" is invalid: expected a whole number, 1 or more"
    );
    assert!(parse("<x")
        .unwrap_err()
        .to_string()
        .starts_with("Document parse failure: invalid XML"));
}

// <Say>.

#[test]
fn say_defaults() {
    assert_eq!(one("<Say>Hello</Say>"), say("Hello"));
}

#[test]
fn say_attributes() {
    assert_eq!(
        one(r#"<Say voice="Polly.Joanna" language="en-GB" loop="3">Hi</Say>"#),
        Verb::Say(Say {
            text: "Hi".into(),
            voice: Some("Polly.Joanna".into()),
            language: Some("en-GB".into()),
            repeat: 3,
        })
    );
}

#[test]
fn say_loop_zero_means_forever() {
    let Verb::Say(s) = one(r#"<Say loop="0">x</Say>"#) else {
        panic!()
    };
    assert_eq!(s.repeat, 0);
}

#[test]
fn say_bad_loop_is_an_attribute_error() {
    assert_eq!(
        attr_err(r#"<Say loop="abc">x</Say>"#),
        ("loop".into(), "abc".into())
    );
    assert_eq!(
        attr_err(r#"<Say loop="-1">x</Say>"#),
        ("loop".into(), "-1".into())
    );
    assert_eq!(
        attr_err(r#"<Say loop="+2">x</Say>"#),
        ("loop".into(), "+2".into())
    );
}

#[test]
fn say_text_decodes_entities_and_cdata() {
    assert_eq!(
        one(
            "<Say>Tom &amp; Jerry &lt;3 it&apos;s &#39;&#x263A;&quot;&gt;<![CDATA[ & more]]></Say>"
        ),
        say("Tom & Jerry <3 it's '\u{263A}\"> & more")
    );
}

#[test]
fn say_text_is_trimmed_and_line_endings_normalised() {
    assert_eq!(
        one("<Say>\r\n\t  Press one\r\n  for sales \n</Say>"),
        say("Press one\n  for sales")
    );
}

#[test]
fn say_ssml_is_reduced_to_its_text() {
    assert_eq!(
        one(
            r#"<Say>Hello <emphasis level="strong">there</emphasis><break time="1s"/>friend<prosody rate="slow"><say-as interpret-as="digits">123</say-as></prosody></Say>"#
        ),
        say("Hello there friend123")
    );
}

#[test]
fn say_ssml_sentences_and_substitutions() {
    assert_eq!(
        one(
            r#"<Say><p>One.</p><p><s>Two</s><s>three</s></p> Visit <sub alias="World Wide Web">WWW</sub><w role="x">now</w></Say>"#
        ),
        say("One. Two three Visit World Wide Webnow")
    );
}

#[test]
fn say_rejects_verbs_and_unknown_elements_inside() {
    assert_eq!(
        err("<Say>a<Play>x.mp3</Play></Say>"),
        nesting("Say", "Play")
    );
    assert_eq!(
        err("<Say>a<bold>b</bold></Say>"),
        TwimlError::UnknownElement {
            name: "bold".into(),
            parent: "Say".into()
        }
    );
}

#[test]
fn empty_say_has_empty_text() {
    assert_eq!(one("<Say/>"), say(""));
}

// <Play>.

#[test]
fn play_url_with_defaults() {
    assert_eq!(
        one("<Play> https://x.test/a.mp3 </Play>"),
        Verb::Play(Play {
            url: Some("https://x.test/a.mp3".into()),
            digits: None,
            repeat: 1
        })
    );
}

#[test]
fn play_digits_only() {
    assert_eq!(
        one(r#"<Play digits="wwww3"></Play>"#),
        Verb::Play(Play {
            url: None,
            digits: Some("wwww3".into()),
            repeat: 1
        })
    );
}

#[test]
fn play_loop() {
    let Verb::Play(p) = one(r#"<Play loop="2">a.mp3</Play>"#) else {
        panic!()
    };
    assert_eq!(p.repeat, 2);
}

#[test]
fn play_bad_digits_are_an_attribute_error() {
    assert_eq!(
        attr_err(r#"<Play digits="12x"/>"#),
        ("digits".into(), "12x".into())
    );
    assert_eq!(
        attr_err(r#"<Play digits=""/>"#),
        ("digits".into(), "".into())
    );
}

#[test]
fn play_without_url_or_digits_is_missing_content() {
    assert!(matches!(err("<Play/>"), TwimlError::Missing { .. }));
}

#[test]
fn play_takes_no_elements() {
    assert_eq!(err("<Play><Say>x</Say></Play>"), nesting("Play", "Say"));
}

// <Pause>.

#[test]
fn pause_default_length_is_one() {
    assert_eq!(one("<Pause/>"), Verb::Pause(Pause { length: 1 }));
}

#[test]
fn pause_length() {
    assert_eq!(
        one(r#"<Pause length=" 3 "/>"#),
        Verb::Pause(Pause { length: 3 })
    );
}

#[test]
fn pause_length_must_be_positive() {
    assert_eq!(
        attr_err(r#"<Pause length="0"/>"#),
        ("length".into(), "0".into())
    );
    assert_eq!(
        attr_err(r#"<Pause length="1.5"/>"#),
        ("length".into(), "1.5".into())
    );
}

#[test]
fn pause_takes_no_text() {
    assert!(matches!(
        err("<Pause>2</Pause>"),
        TwimlError::UnexpectedText { .. }
    ));
}

// Attribute XML details.

#[test]
fn attribute_entities_and_whitespace_normalisation() {
    let Verb::Say(s) = one("<Say voice=\"a&amp;b&#10;c\nd\">x</Say>") else {
        panic!()
    };
    assert_eq!(s.voice.as_deref(), Some("a&b\nc d"));
}

#[test]
fn duplicate_attributes_are_invalid_xml() {
    assert!(matches!(
        err(r#"<Say loop="1" loop="2">x</Say>"#),
        TwimlError::Xml { .. }
    ));
}

proptest::proptest! {
    /// Whatever an IVR application returns, parsing answers with a document or an error.
    #[test]
    fn parse_never_panics(body in "(<[/A-Za-z!?\\[ =\"&;#x0-9]{0,10}>?|[a-z &<>\"]{0,6}){0,12}") {
        let _ = parse(&format!("<Response>{body}</Response>"));
        let _ = parse(&body);
    }
}
