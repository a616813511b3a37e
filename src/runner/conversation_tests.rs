//! The step engine against a scripted IVR that talks to it through the turn protocol, exactly as
//! the webhook routes do (without HTTP).

use std::time::Duration;

use super::*;
use crate::events::Happened;
use crate::turn::{Sessions, Turn};
use botiumscript::convo::convo_file::parse_convo;
use botiumscript::convo::source::SourceFile;
use botiumscript::convo::{Registry, Utterance};
use botiumscript::matching::{MatchingMode, NormalizeOptions};

const HOLD: Duration = Duration::from_secs(2);

fn convo(script: &str) -> Convo {
    parse_convo(
        &SourceFile::from_text("t.convo.txt", script),
        "t",
        &Registry::default(),
        None,
    )
    .convo
    .expect("script parses")
}

fn matcher() -> Matcher {
    Matcher::new(
        MatchingMode::Wildcard { ignore_case: true },
        NormalizeOptions::default(),
        true,
        1.0,
    )
    .expect("matcher")
}

/// What the scripted IVR does on each turn.
enum Ivr {
    /// Asks for the first TwiML (the call was answered).
    Answer,
    /// Says something.
    Say(&'static str),
    /// A `<Gather>` that heard nothing.
    Silence,
    /// Hangs up (a status callback).
    HangUp,
    /// An interim speech result (no answer expected).
    Partial(&'static str),
}

/// Runs `script` against an IVR playing `turns` (end them with `Silence` where a real IVR's
/// `<Gather>` would time out: a mismatch waits for the end of the prompt); returns the result, the transcript and the
/// actions each turn received.
async fn talk(
    script: &str,
    turns: Vec<Ivr>,
    options: ConversationOptions,
    utterances: &UtteranceBook,
) -> (Result<(), Failure>, Vec<TranscriptEntry>, Vec<Turn>) {
    talk_with(script, turns, options, utterances, None, None).await
}

async fn talk_with_sms(
    script: &str,
    turns: Vec<Ivr>,
    options: ConversationOptions,
    utterances: &UtteranceBook,
    inbox: Option<&dyn SmsInbox>,
) -> (Result<(), Failure>, Vec<TranscriptEntry>, Vec<Turn>) {
    talk_with(script, turns, options, utterances, inbox, None).await
}

/// [`talk`] with an SMS inbox and the caller's live call leg, each when given.
async fn talk_with(
    script: &str,
    turns: Vec<Ivr>,
    options: ConversationOptions,
    utterances: &UtteranceBook,
    inbox: Option<&dyn SmsInbox>,
    live: Option<&dyn LiveCall>,
) -> (Result<(), Failure>, Vec<TranscriptEntry>, Vec<Turn>) {
    let sessions = Sessions::default();
    let mut session = sessions.open();
    let id = session.id.clone();
    let ivr = tokio::spawn(async move {
        let mut answers = Vec::new();
        for turn in turns {
            let event = match turn {
                Ivr::Answer => CallEvent::Answered {
                    call_sid: "CA1".into(),
                },

                Ivr::Say(text) => CallEvent::Heard {
                    text: text.into(),
                    confidence: Some(0.9),
                },
                Ivr::Silence => CallEvent::Silence,
                Ivr::Partial(text) => {
                    sessions.deliver(&id, CallEvent::Partial { text: text.into() });
                    continue;
                }
                Ivr::HangUp => {
                    sessions.deliver(
                        &id,
                        CallEvent::Status {
                            status: "completed".into(),
                            params: vec![],
                        },
                    );
                    continue;
                }
            };
            if let Some(turn) = sessions.turn(&id, event, HOLD).await {
                answers.push(turn);
            }
        }
        answers
    });
    let matcher = matcher();
    let convo = convo(script);
    let mut conversation = Conversation::new(&mut session, &matcher, utterances, options);
    if let Some(inbox) = inbox {
        conversation = conversation.with_sms(inbox);
    }
    if let Some(live) = live {
        conversation = conversation.with_live_call(live);
    }
    let result = conversation.run(&convo).await;
    let transcript = conversation.transcript.clone();
    drop(session);
    let answers = tokio::time::timeout(Duration::from_secs(5), ivr)
        .await
        .expect("the scripted IVR finishes")
        .expect("no panic");
    (result, transcript, answers)
}

async fn talk_default(
    script: &str,
    turns: Vec<Ivr>,
) -> (Result<(), Failure>, Vec<TranscriptEntry>, Vec<Turn>) {
    talk(
        script,
        turns,
        ConversationOptions::default(),
        &UtteranceBook::default(),
    )
    .await
}

#[tokio::test]
async fn a_menu_by_keypad_passes_and_keys_go_out_on_the_next_turn() {
    let (result, transcript, answers) = talk_default(
        "menu\n\n#bot\nWelcome to Acme*\n\n#me\nBUTTON 1\n\n#bot\nSales\n",
        vec![
            Ivr::Answer,
            Ivr::Say("Welcome to Acme. Press 1 for sales."),
            Ivr::Say("Sales here."),
        ],
    )
    .await;
    assert_eq!(result, Ok(()));
    assert_eq!(answers[0].actions, vec![]);
    assert_eq!(answers[1].actions, vec![Action::Press("1".into())]);
    assert!(transcript
        .iter()
        .any(|t| t.what == Happened::Caller(Action::Press("1".into()))));
    let ivr_line = transcript
        .iter()
        .find(|t| t.text() == "Sales here.")
        .expect("heard");
    assert!(
        ivr_line.response_time.is_some(),
        "response time after the caller's turn"
    );
}

#[tokio::test]
async fn the_script_may_speak_first_and_mix_speech_and_keys_in_order() {
    let (result, _, answers) = talk_default(
        "first\n\n#me\nOperator please\nBUTTON 0#\n\n#bot\nConnecting\n",
        vec![Ivr::Answer, Ivr::Say("Connecting you now.")],
    )
    .await;
    assert_eq!(result, Ok(()));
    assert_eq!(
        answers[0].actions,
        vec![
            Action::Say("Operator please".into()),
            Action::Press("0#".into())
        ]
    );
}

#[tokio::test]
async fn a_text_mismatch_reads_as_botium_writes_it() {
    let (result, _, _) = talk_default(
        "mismatch\n\n#me\nhello\n\n#bot\nGoodbye\n",
        vec![Ivr::Answer, Ivr::Say("Hello there."), Ivr::Silence],
    )
    .await;
    let failure = result.expect_err("fails");
    assert_eq!(
        failure.message,
        r#"mismatch/Line 6: Bot response (on Line 3: #me - hello) "Hello there." expected to match "Goodbye""#
    );
    assert_eq!(failure.heard.as_deref(), Some("Hello there."));
    assert_eq!(failure.expected.as_deref(), Some("Goodbye"));
    assert!(failure.similarity.is_some_and(|s| s < 1.0));
    assert_eq!(failure.confidence, Some(0.9));
    assert_eq!(failure.step.as_ref().map(|s| s.line), Some(6));
}

#[tokio::test]
async fn split_prompts_are_joined_unless_strict() {
    let script = "split\n\n#bot\nWelcome to Acme press 1 for sales\n";
    let turns = || {
        vec![
            Ivr::Answer,
            Ivr::Say("Welcome to Acme."),
            Ivr::Say("Press 1 for sales."),
        ]
    };
    let (joined, _, _) = talk_default(script, turns()).await;
    assert_eq!(joined, Ok(()));
    let strict = ConversationOptions {
        join_fragments: false,
        ..ConversationOptions::default()
    };
    let (result, _, _) = talk(script, turns(), strict, &UtteranceBook::default()).await;
    assert!(result.is_err());
}

#[tokio::test]
async fn joining_stops_when_the_ivr_falls_silent() {
    let (result, _, _) = talk_default(
        "silent\n\n#bot\nWelcome to Acme press 1 for sales\n",
        vec![
            Ivr::Answer,
            Ivr::Say("Welcome to Acme."),
            Ivr::Silence,
            Ivr::Say("Press 1 for sales."),
        ],
    )
    .await;
    let failure = result.expect_err("the silence ends the prompt");
    assert_eq!(failure.heard.as_deref(), Some("Welcome to Acme."));
}

#[tokio::test]
async fn a_silent_ivr_times_out_with_botiums_message() {
    let (result, _, _) = talk_default(
        "quiet\n\n#bot\nHello\nCONVO_STEP_PARAMETERS {\"stepTimeout\": 150}\n",
        vec![Ivr::Answer],
    )
    .await;
    let failure = result.expect_err("times out");
    assert_eq!(
        failure.message,
        "quiet/Line 3: error waiting for bot - Bot did not respond within 150ms"
    );
}

// Paused time: a step that waited for its timeout would end 10 s (virtual) later.
#[tokio::test(start_paused = true)]
async fn a_hang_up_fails_the_waiting_step_at_once() {
    let started = tokio::time::Instant::now();
    let (result, transcript, _) = talk_default(
        "hangup\n\n#bot\nHello\n\n#bot\nAnything else\n",
        vec![Ivr::Answer, Ivr::Say("Hello."), Ivr::HangUp],
    )
    .await;
    let failure = result.expect_err("fails");
    assert_eq!(failure.message, "hangup/Line 6: the IVR hung up");
    assert!(
        started.elapsed() < ConversationOptions::default().wait_for_bot,
        "not a timeout: {:?}",
        started.elapsed()
    );
    assert!(transcript.iter().any(|t| t.text() == "call completed"));
}

#[tokio::test]
async fn optional_steps_skip_and_hand_on_their_message() {
    let (result, _, _) = talk_default(
        "optional\n\n#bot\n?Please hold\n\n#bot\nSales here\n",
        vec![Ivr::Answer, Ivr::Say("Sales here."), Ivr::Silence],
    )
    .await;
    assert_eq!(result, Ok(()));
    let (result, _, _) = talk_default(
        "optional timeout\n\n#bot\n?Please hold\nCONVO_STEP_PARAMETERS {\"stepTimeout\": 100}\n\n#me\nhi\n",
        vec![Ivr::Answer],
    )
    .await;
    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn negation_and_empty_expectations() {
    let (ok, _, _) = talk_default(
        "neg\n\n#bot\n!Sorry\n",
        vec![Ivr::Answer, Ivr::Say("Welcome.")],
    )
    .await;
    assert_eq!(ok, Ok(()));
    let (bad, _, _) = talk_default(
        "neg\n\n#bot\n!Sorry\n",
        vec![Ivr::Answer, Ivr::Say("Sorry, we are closed.")],
    )
    .await;
    assert!(bad
        .expect_err("fails")
        .message
        .contains(r#"expected NOT to match "Sorry""#));
    let (any, _, _) = talk_default(
        "any\n\n#bot\n\n#me\nhi\n",
        vec![Ivr::Answer, Ivr::Say("Whatever.")],
    )
    .await;
    assert_eq!(any, Ok(()));
}

#[tokio::test]
async fn utterances_in_bot_are_alternatives_and_hints_follow_the_expectations() {
    let mut book = UtteranceBook::default();
    book.add(Utterance {
        name: "UTT_BYE".into(),
        samples: vec!["bye".into(), "see you".into()],
        file: std::sync::Arc::new("u.utterances.txt".into()),
    });
    let (result, _, answers) = talk(
        "utt\n\n#bot\nUTT_BYE\n",
        vec![Ivr::Answer, Ivr::Say("See you soon.")],
        ConversationOptions::default(),
        &book,
    )
    .await;
    assert_eq!(result, Ok(()));
    assert_eq!(answers[0].hints, ["bye", "see you"]);
    let (result, _, _) = talk(
        "utt\n\n#bot\nUTT_BYE\n",
        vec![Ivr::Answer, Ivr::Say("Hello."), Ivr::Silence],
        ConversationOptions::default(),
        &book,
    )
    .await;
    assert!(result
        .expect_err("fails")
        .message
        .contains(r#"expected to match one of "bye", "see you""#));
}

#[tokio::test]
async fn digit_only_text_is_spoken_unless_the_original_rule_is_on() {
    let script = "digits\n\n#me\n1234\n\n#bot\nok\n";
    let turns = || vec![Ivr::Answer, Ivr::Say("OK.")];
    let (_, _, spoken) = talk_default(script, turns()).await;
    assert_eq!(spoken[0].actions, vec![Action::Say("1234".into())]);
    let tones = ConversationOptions {
        digit_text_as_tones: true,
        ..ConversationOptions::default()
    };
    let (_, _, pressed) = talk(script, turns(), tones, &UtteranceBook::default()).await;
    assert_eq!(pressed[0].actions, vec![Action::Press("1234".into())]);
}

#[test]
fn botium_durations() {
    assert_eq!(botium_duration(Duration::from_secs(10)), "10s");
    assert_eq!(botium_duration(Duration::from_millis(1500)), "1s 500ms");
    assert_eq!(botium_duration(Duration::from_millis(300)), "300ms");
}

#[tokio::test]
async fn bot_asserters_run_on_the_message_taken() {
    let (ok, _, _) = talk_default(
        "asserters\n\n#bot\nTEXT_CONTAINS_ANY_IC hello|press|support\n",
        vec![Ivr::Answer, Ivr::Say("Welcome, press 1.")],
    )
    .await;
    assert_eq!(ok, Ok(()));
    let (bad, _, _) = talk_default(
        "asserters\n\n#bot\nTEXT_CONTAINS_ANY_IC hello|support\n",
        vec![Ivr::Answer, Ivr::Say("Welcome, press 1.")],
    )
    .await;
    let failure = bad.expect_err("fails");
    assert!(
        failure.message.starts_with(
            "asserters/Line 3: assertion error - Line 3: Expected any text in response"
        ),
        "{}",
        failure.message
    );
    assert_eq!(failure.heard.as_deref(), Some("Welcome, press 1."));
}

#[tokio::test]
async fn end_asserters_see_unread_messages_and_skip_clears_them() {
    // As in Botium's samples, #end waits (PAUSE) so late messages are in before counting.
    let script = "queue\n\n#bot\nHello\n\n#end\nPAUSE 200\nBOT_CONSUMED\n";
    let (bad, _, _) = talk_default(
        script,
        vec![Ivr::Answer, Ivr::Say("Hello."), Ivr::Say("Anything else?")],
    )
    .await;
    assert_eq!(
        bad.expect_err("fails").message,
        "queue: #end: There is an unread bot reply in queue"
    );
    let script = "queue\n\n#bot\nHello\nSKIP_BOT_UNCONSUMED\n\n#end\nBOT_UNCONSUMED_COUNT =0\n";
    let (ok, _, _) = talk_default(
        script,
        vec![Ivr::Answer, Ivr::Say("Hello."), Ivr::Say("Anything else?")],
    )
    .await;
    assert_eq!(ok, Ok(()));
}

// Paused time, so the pause and the hold are exact.
#[tokio::test(start_paused = true)]
async fn a_pause_keeps_answering_the_call() {
    // During the PAUSE the IVR speaks; its webhook must not wait for the hold limit (2 s).
    let started = tokio::time::Instant::now();
    let (result, _, _) = talk_default(
        "pause\n\n#me\nhello\nPAUSE 300\n\n#bot\nHi there\n",
        vec![Ivr::Answer, Ivr::Say("Hi there."), Ivr::Silence],
    )
    .await;
    assert_eq!(result, Ok(()));
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < HOLD,
        "{elapsed:?}"
    );
}

struct FakeInbox {
    polls: std::sync::atomic::AtomicUsize,
    arrives_after: usize,
}

impl SmsInbox for FakeInbox {
    fn bodies(&self) -> Pin<Box<dyn Future<Output = Result<Vec<String>, String>> + Send + '_>> {
        let poll = self.polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let arrived = poll >= self.arrives_after;
        Box::pin(async move {
            Ok(if arrived {
                vec!["Your balance is 42 dollars".to_string()]
            } else {
                vec![]
            })
        })
    }

    fn scope(&self) -> String {
        "for +15005550006 since the call began".into()
    }
}

#[tokio::test]
async fn sms_checks_poll_until_the_message_arrives_or_the_deadline() {
    let inbox = FakeInbox {
        polls: 0.into(),
        arrives_after: 2,
    };
    let script = "sms\n\n#bot\n\n#end\nCHECKTWILIOSMS balance*\n";
    let (ok, _, _) = talk_with_sms(
        script,
        vec![Ivr::Answer, Ivr::Say("Goodbye.")],
        ConversationOptions::default(),
        &UtteranceBook::default(),
        Some(&inbox),
    )
    .await;
    assert_eq!(ok, Ok(()));
    assert!(
        inbox.polls.load(std::sync::atomic::Ordering::SeqCst) >= 3,
        "it polled"
    );

    let never = FakeInbox {
        polls: 0.into(),
        arrives_after: usize::MAX,
    };
    let quick = ConversationOptions {
        sms_wait: Duration::from_millis(700),
        ..ConversationOptions::default()
    };
    let (bad, _, _) = talk_with_sms(
        "sms\n\n#bot\n\n#end\nCHECKTWILIOSMS welcome\n",
        vec![Ivr::Answer, Ivr::Say("Goodbye.")],
        quick,
        &UtteranceBook::default(),
        Some(&never),
    )
    .await;
    assert_eq!(
        bad.expect_err("fails").message,
        "sms: #end: No SMS matching \"welcome\" received for +15005550006 since the call began"
    );
}

#[tokio::test]
async fn steps_and_transcript_lines_are_reported_as_they_happen() {
    let sessions = Sessions::default();
    let mut session = sessions.open();
    let id = session.id.clone();
    let ivr = {
        let sessions = sessions.clone();
        tokio::spawn(async move {
            sessions
                .turn(
                    &id,
                    CallEvent::Answered {
                        call_sid: "CA1".into(),
                    },
                    HOLD,
                )
                .await;
            sessions
                .turn(
                    &id,
                    CallEvent::Heard {
                        text: "Hello.".into(),
                        confidence: None,
                    },
                    HOLD,
                )
                .await;
        })
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let matcher = matcher();
    let book = UtteranceBook::default();
    let convo = convo("events\n\n#bot\nHello\n\n#me\nbye\n");
    let mut conversation = Conversation::new(
        &mut session,
        &matcher,
        &book,
        ConversationOptions::default(),
    )
    .with_events(tx, 7);
    assert_eq!(conversation.run(&convo).await, Ok(()));
    drop(conversation);
    ivr.await.expect("ivr");
    let mut kinds = Vec::new();
    while let Ok(event) = rx.try_recv() {
        kinds.push(match event {
            RunEvent::StepStarted { index, step } => format!("{index} step {}", step.tag),
            RunEvent::Transcript { index, entry } => format!("{index} {}", entry.text()),
            other => format!("{other:?}"),
        });
    }
    assert_eq!(
        kinds,
        [
            "7 step Line 3",
            "7 Hello.",
            "7 step Line 6",
            "7 answered after silence",
            "7 says: bye"
        ]
    );
}

#[path = "conversation_tests/answer_timing.rs"]
mod answer_timing;
#[path = "conversation_tests/script_features.rs"]
mod script_features;
