//! The stream of what the IVR says, and when answers go out: cut after a match, dropped before
//! an answer, answers on the offer, on the match or after silence, and consecutive answers.

use std::sync::Mutex;

use super::*;
use crate::config::AnswerTiming;

/// A live call leg that records the answers it was redirected to.
#[derive(Default)]
struct RecordedLeg(Mutex<Vec<Vec<Action>>>);

impl LiveCall for RecordedLeg {
    fn redirect<'a>(
        &'a self,
        actions: &'a [Action],
        _hints: Vec<String>,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        self.0.lock().expect("not poisoned").push(actions.to_vec());
        Box::pin(async { Ok(()) })
    }
}

impl RecordedLeg {
    fn redirects(&self) -> Vec<Vec<Action>> {
        self.0.lock().expect("not poisoned").clone()
    }
}

fn timing(answer_timing: AnswerTiming) -> ConversationOptions {
    ConversationOptions {
        answer_timing,
        ..ConversationOptions::default()
    }
}

async fn talk_live(
    script: &str,
    turns: Vec<Ivr>,
    answer_timing: AnswerTiming,
) -> (
    Result<(), Failure>,
    Vec<String>,
    Vec<Turn>,
    Vec<Vec<Action>>,
) {
    let leg = RecordedLeg::default();
    let (result, transcript, answers) = talk_with(
        script,
        turns,
        timing(answer_timing),
        &UtteranceBook::default(),
        None,
        Some(&leg),
    )
    .await;
    let lines = transcript
        .into_iter()
        .map(|e| e.text().into_owned())
        .collect();
    (result, lines, answers, leg.redirects())
}

#[tokio::test]
async fn one_message_satisfies_two_steps_in_order() {
    // The IVR answers `*` with a prompt and a redirect to its welcome prompt; the recogniser
    // hears both as one message.
    let script = "back\n\n#bot\nMain menu\n\n#me\nBUTTON *\n\n#bot\nReturning to the main menu\n\n#bot\nThanks for calling\n";
    let (result, _, _) = talk_default(
        script,
        vec![
            Ivr::Answer,
            Ivr::Say("Main menu."),
            Ivr::Say("Returning to the main menu. Thanks for calling Acme."),
        ],
    )
    .await;
    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn the_rest_of_a_message_stays_for_the_next_step_and_is_counted() {
    // The first step consumes only through "calling": "Press 1 for sales." is left unread.
    let script = "rest\n\n#bot\nThanks for calling\n\n#end\nBOT_UNCONSUMED_COUNT 1\n";
    let (result, _, _) = talk_default(
        script,
        vec![
            Ivr::Answer,
            Ivr::Say("Thanks for calling. Press 1 for sales."),
        ],
    )
    .await;
    assert_eq!(result, Ok(()));
    // A match that covers the whole message leaves nothing.
    let (result, _, _) =
        talk_default(script, vec![Ivr::Answer, Ivr::Say("Thanks for calling")]).await;
    assert!(result.is_err(), "a whole message leaves nothing unread");
}

#[tokio::test]
async fn what_was_said_before_an_answer_is_not_the_next_steps() {
    // "Press 1 for sales." was said before the key took effect: the next step must not take
    // "sales" from it; the IVR's reaction is "billing", so the step fails.
    let script = "before\n\n#bot\nWelcome\n\n#me\nBUTTON 1\n\n#bot\nsales\n";
    let (result, _, _) = talk_default(
        script,
        vec![
            Ivr::Answer,
            Ivr::Say("Welcome. Press 1 for sales."),
            Ivr::Say("You reached billing."),
            Ivr::Silence,
        ],
    )
    .await;
    let failure = result.expect_err("the tail of the prompt is not the reaction");
    assert_eq!(failure.heard.as_deref(), Some("You reached billing."));
}

#[tokio::test]
async fn on_offer_the_answer_goes_out_mid_prompt_through_the_live_call() {
    let script =
        "offer\n\n#bot\nWelcome to Acme\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n";
    let (result, lines, answers, redirects) = talk_live(
        script,
        vec![
            Ivr::Answer,
            Ivr::Partial("Welcome to Acme"),
            Ivr::Partial("Welcome to Acme. For sales press one"),
            Ivr::Say("Connecting you to sales."),
        ],
        AnswerTiming::Offer,
    )
    .await;
    assert_eq!(result, Ok(()), "{lines:?}");
    assert_eq!(redirects, vec![vec![Action::Press("1".into())]]);
    assert!(
        answers.iter().all(|a| a.actions.is_empty()),
        "no webhook carried the key: {answers:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("answered on offer \"press 1\" after")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn steps_take_their_words_from_interim_results_in_turn() {
    // One utterance, still being spoken: the first step takes "Returning to the main menu", the
    // second finds its words and the offer in the rest, and the key goes out mid-prompt.
    let script = "redirect\n\n#bot\nReturning to the main menu\n\n#bot\nThanks for calling\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n";
    let (result, lines, _, redirects) = talk_live(
        script,
        vec![
            Ivr::Answer,
            Ivr::Partial("Returning to the main menu."),
            Ivr::Partial("Returning to the main menu. Thanks for calling Acme."),
            Ivr::Partial("Returning to the main menu. Thanks for calling Acme. For sales press 1."),
            Ivr::Say("Connecting you to sales."),
        ],
        AnswerTiming::Offer,
    )
    .await;
    assert_eq!(result, Ok(()), "{lines:?}");
    assert_eq!(redirects, vec![vec![Action::Press("1".into())]]);
}

#[tokio::test]
async fn a_final_result_starts_after_the_words_steps_took_from_its_interim_results() {
    // The first step passed on the interim result; the utterance's final result repeats its
    // words, which must not satisfy the second step again.
    let script = "final\n\n#bot\nMain menu\n\n#bot\nMain menu\n";
    let (result, _, _) = talk(
        script,
        vec![
            Ivr::Answer,
            Ivr::Partial("Main menu."),
            Ivr::Say("Main menu. For sales press 1."),
            Ivr::Silence,
        ],
        timing(AnswerTiming::Offer),
        &UtteranceBook::default(),
    )
    .await;
    let failure = result.expect_err("the menu was said once");
    assert_eq!(failure.heard.as_deref(), Some("For sales press 1."));
}

#[tokio::test]
async fn on_match_the_answer_goes_out_without_an_offer() {
    let script =
        "match\n\n#bot\nWelcome to Acme\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n";
    let turns = || {
        vec![
            Ivr::Answer,
            Ivr::Partial("Welcome to Acme"),
            Ivr::Say("Connecting you to sales."),
        ]
    };
    let (result, lines, _, redirects) = talk_live(script, turns(), AnswerTiming::Match).await;
    assert_eq!(result, Ok(()), "{lines:?}");
    assert_eq!(redirects, vec![vec![Action::Press("1".into())]]);
    assert!(lines
        .iter()
        .any(|l| l.starts_with("answered on match after")));
    // With `offer` the same interim result is not enough: no offer was heard.
    let (_, _, _, redirects) = talk_live(script, turns(), AnswerTiming::Offer).await;
    assert!(redirects.is_empty());
}

#[tokio::test]
async fn after_silence_the_answer_waits_for_the_ivr_to_pause() {
    let script =
        "silence\n\n#bot\nWelcome to Acme\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n";
    let (result, lines, answers, redirects) = talk_live(
        script,
        vec![
            Ivr::Answer,
            Ivr::Partial("Welcome to Acme. For sales press one"),
            Ivr::Say("Welcome to Acme. For sales press one."),
            Ivr::Say("Connecting you to sales."),
        ],
        AnswerTiming::Silence,
    )
    .await;
    assert_eq!(result, Ok(()), "{lines:?}");
    assert!(redirects.is_empty());
    assert_eq!(answers[1].actions, vec![Action::Press("1".into())]);
    assert!(lines.iter().any(|l| l == "answered after silence"));
}

#[tokio::test]
async fn steps_that_want_more_than_their_match_decide_after_silence() {
    // A trailing wildcard and a negation, on the match or on the offer; and on the offer, an
    // answer no IVR offers (an account number).
    for (bot, me, answer_timing) in [
        ("Welcome to Acme*", "BUTTON 1", AnswerTiming::Match),
        ("Welcome to Acme*", "BUTTON 1", AnswerTiming::Offer),
        ("!Goodbye", "BUTTON 1", AnswerTiming::Match),
        ("!Goodbye", "BUTTON 1", AnswerTiming::Offer),
        ("Welcome to Acme", "BUTTON 654321#", AnswerTiming::Offer),
    ] {
        let script = format!("wait\n\n#bot\n{bot}\n\n#me\n{me}\n\n#bot\nConnecting you\n");
        let (result, lines, _, redirects) = talk_live(
            &script,
            vec![
                Ivr::Answer,
                Ivr::Partial("Welcome to Acme. For sales press one"),
                Ivr::Say("Welcome to Acme. For sales press one."),
                Ivr::Say("Connecting you."),
            ],
            answer_timing,
        )
        .await;
        assert_eq!(result, Ok(()), "{bot} / {me}: {lines:?}");
        assert!(redirects.is_empty(), "{bot} / {me}: {redirects:?}");
    }
}

#[tokio::test]
async fn consecutive_answers_wait_for_the_ivr_to_react() {
    // `*` returns to a menu played as audio: nothing is heard, so the IVR's reaction is its
    // silence. The `1` goes out only then, in a reply of its own.
    let script = "keys\n\n#bot\nMain menu\n\n#me\nBUTTON *\n\n#me\nBUTTON 1\n\n#bot\nSales\n";
    let (result, _, answers) = talk_default(
        script,
        vec![
            Ivr::Answer,
            Ivr::Say("Main menu."),
            Ivr::Silence,
            Ivr::Say("Sales."),
        ],
    )
    .await;
    assert_eq!(result, Ok(()));
    assert_eq!(answers[1].actions, vec![Action::Press("*".into())]);
    assert_eq!(answers[2].actions, vec![Action::Press("1".into())]);
}

#[tokio::test]
async fn a_failure_after_an_early_answer_names_the_capability() {
    let script =
        "ignored\n\n#bot\nWelcome to Acme\n\n#me\nBUTTON 1\n\n#bot\nConnecting you to sales\n";
    let (result, _, _, _) = talk_live(
        script,
        vec![
            Ivr::Answer,
            Ivr::Partial("Welcome to Acme. For sales press one"),
            Ivr::Say("For billing press two."),
            Ivr::Silence,
        ],
        AnswerTiming::Offer,
    )
    .await;
    let failure = result.expect_err("the IVR ignored the key");
    assert!(
        failure.message.contains("TWILIO_IVR_ANSWER_TIMING"),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn asserters_of_a_matched_step_check_the_words_it_consumed() {
    let script = "asserted\n\n#bot\nThanks for calling\nTEXT_CONTAINS_ANY_IC billing\n";
    let (result, _, _) = talk_default(
        script,
        vec![
            Ivr::Answer,
            Ivr::Say("Thanks for calling. Press 2 for billing."),
        ],
    )
    .await;
    let failure = result.expect_err("billing was said after the match, for the next step");
    assert!(
        failure
            .message
            .contains(r#"Expected any text in response "billing""#),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn the_final_result_of_an_interrupted_gather_belongs_to_no_step() {
    // The key went out mid-prompt through the live call; the interrupted `<Gather>`'s final
    // result crossed it. "billing" in it was said before the key and must not pass the next
    // step: only the IVR's reaction counts.
    let script = "crossed\n\n#bot\nWelcome to Acme\n\n#me\nBUTTON 1\n\n#bot\nbilling\n";
    let (result, lines, _, redirects) = talk_live(
        script,
        vec![
            Ivr::Answer,
            Ivr::Partial("Welcome to Acme. For sales press one."),
            Ivr::Say("Welcome to Acme. For sales press one. For billing press two."),
            Ivr::Say("Connecting you to sales."),
            Ivr::Silence,
        ],
        AnswerTiming::Offer,
    )
    .await;
    assert_eq!(redirects, vec![vec![Action::Press("1".into())]]);
    let failure = result.expect_err("the reaction was sales, not billing");
    assert_eq!(
        failure.heard.as_deref(),
        Some("Connecting you to sales."),
        "{lines:?}"
    );
}
