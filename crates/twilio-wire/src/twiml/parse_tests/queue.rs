//! `<Enqueue>` (its name, attributes and defaults, the TaskRouter form), `<Leave>`, and the
//! `<Queue>` noun's own attributes.

use super::*;

fn enqueue(body: &str) -> Enqueue {
    match one(body) {
        Verb::Enqueue(e) => e,
        v => panic!("{v:?}"),
    }
}

#[test]
fn enqueue_names_its_queue_with_twilios_defaults() {
    assert_eq!(
        enqueue("<Enqueue> support </Enqueue>"),
        Enqueue::new("support")
    );
    let e = Enqueue::new("x");
    assert_eq!(e.method, HttpMethod::Post);
    assert_eq!(e.wait_url_method, HttpMethod::Post);
    assert!(e.action.is_none() && e.wait_url.is_none() && e.task.is_none());
}

#[test]
fn enqueue_attributes() {
    assert_eq!(
        enqueue(
            r#"<Enqueue action="/left" method="GET" waitUrl="/wait" waitUrlMethod="get">sales</Enqueue>"#
        ),
        Enqueue {
            action: Some("/left".into()),
            method: HttpMethod::Get,
            wait_url: Some("/wait".into()),
            wait_url_method: HttpMethod::Get,
            ..Enqueue::new("sales")
        }
    );
    assert_eq!(
        attr_err(r#"<Enqueue waitUrlMethod="PUT">sales</Enqueue>"#),
        ("waitUrlMethod".into(), "PUT".into())
    );
}

#[test]
fn enqueue_with_a_workflow_keeps_its_task_for_the_emulator_to_refuse() {
    let e = enqueue(
        r#"<Enqueue workflowSid="WW0123"><Task priority="5" timeout="200"> {"lang":"es"} </Task></Enqueue>"#,
    );
    assert_eq!(e.queue, "");
    assert_eq!(e.workflow_sid.as_deref(), Some("WW0123"));
    assert_eq!(
        e.task,
        Some(EnqueueTask {
            attributes: r#"{"lang":"es"}"#.into(),
            priority: Some(5),
            timeout: Some(200),
        })
    );
    assert_eq!(
        attr_err(r#"<Enqueue workflowSid="WW1"><Task timeout="0">{}</Task></Enqueue>"#),
        ("timeout".into(), "0".into())
    );
}

#[test]
fn enqueue_refuses_what_twilio_refuses() {
    assert_eq!(
        err("<Enqueue/>"),
        TwimlError::Missing {
            element: "Enqueue".into(),
            problem: "needs a queue name (or a workflowSid)",
        }
    );
    let long = "q".repeat(65);
    assert_eq!(
        err(&format!("<Enqueue>{long}</Enqueue>")),
        TwimlError::TooMany {
            element: "Enqueue".into(),
            what: "characters of queue name",
            max: 64,
            found: 65,
        }
    );
    assert_eq!(
        enqueue(&format!("<Enqueue>{}</Enqueue>", "q".repeat(64)))
            .queue
            .len(),
        64
    );
    assert_eq!(
        err("<Enqueue>a<Say>hi</Say></Enqueue>"),
        nesting("Enqueue", "Say")
    );
    assert_eq!(
        err("<Enqueue workflowSid=\"WW1\"><Task>{}</Task><Task>{}</Task></Enqueue>"),
        TwimlError::TooMany {
            element: "Enqueue".into(),
            what: "<Task> elements",
            max: 1,
            found: 2,
        }
    );
}

#[test]
fn leave_takes_nothing() {
    assert_eq!(one("<Leave/>"), Verb::Leave);
    assert_eq!(err("<Leave><Say>x</Say></Leave>"), nesting("Leave", "Say"));
    assert!(matches!(
        err("<Leave>now</Leave>"),
        TwimlError::UnexpectedText { .. }
    ));
}

#[test]
fn a_queue_noun_keeps_its_url_and_task_router_attributes() {
    let Verb::Dial(dial) = one(
        r#"<Dial><Queue url="/about" method="GET" reservationSid="WR1" postWorkActivitySid="WA1">support</Queue></Dial>"#,
    ) else {
        panic!("not a dial")
    };
    let party = &dial.parties[0];
    assert_eq!(party.noun, DialNoun::Queue);
    assert_eq!(party.address, "support");
    assert_eq!(party.url.as_deref(), Some("/about"));
    assert_eq!(party.url_method, HttpMethod::Get);
    assert_eq!(party.reservation_sid.as_deref(), Some("WR1"));
    assert_eq!(party.post_work_activity_sid.as_deref(), Some("WA1"));
    let long = "q".repeat(65);
    assert!(matches!(
        err(&format!("<Dial><Queue>{long}</Queue></Dial>")),
        TwimlError::TooMany { max: 64, .. }
    ));
    // On another noun the TaskRouter attributes mean nothing.
    let Verb::Dial(dial) = one(r#"<Dial><Client reservationSid="WR1">alice</Client></Dial>"#)
    else {
        panic!("not a dial")
    };
    assert_eq!(dial.parties[0].reservation_sid, None);
}
