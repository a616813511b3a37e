//! The step engine's scripting features beyond plain steps: scripting memory, `MEDIA`,
//! `PAUSE_ASSERTER`, conditional steps, and the last words before a hang-up.

use super::*;

fn with_memory() -> ConversationOptions {
    ConversationOptions {
        memory: Arc::new(crate::runner::memory::MemorySettings {
            enabled: true,
            ..Default::default()
        }),
        ..ConversationOptions::default()
    }
}

#[tokio::test]
async fn memory_captures_what_the_ivr_said_and_the_caller_uses_it() {
    let script = "memory\n\n#bot\nYour order number is $order*\n\n#me\nstatus of $order\nBUTTON $order#\n\n#bot\nOrder $order is on its way\n";
    let (result, _, answers) = talk(
        script,
        vec![
            Ivr::Answer,
            Ivr::Say("Your order number is 4711. What next?"),
            Ivr::Say("Order 4711 is on its way."),
        ],
        with_memory(),
        &UtteranceBook::default(),
    )
    .await;
    assert_eq!(result, Ok(()));
    assert_eq!(
        answers[1].actions,
        vec![
            Action::Say("status of 4711".into()),
            Action::Press("4711#".into())
        ]
    );
}

#[tokio::test]
async fn hook_and_key_arguments_use_memory_even_when_text_does_not() {
    let script = "pin\n\n#begin\nSET_SCRIPTING_MEMORY pin|1234\n\n#me\nmy pin is $pin\nBUTTON $pin#\n\n#bot\n";
    let (result, _, answers) = talk_default(script, vec![Ivr::Answer, Ivr::Say("Thanks.")]).await;
    assert_eq!(result, Ok(()));
    assert_eq!(
        answers[0].actions,
        vec![
            Action::Say("my pin is $pin".into()),
            Action::Press("1234#".into())
        ]
    );
    let (result, _, answers) = talk_default(
        &script.replace("1234", "12ab"),
        vec![Ivr::Answer, Ivr::Say("Thanks.")],
    )
    .await;
    let failure = result.expect_err("keys that cannot be pressed");
    assert!(
        failure
            .message
            .contains(r#"invalid character "a" in the keys "12ab#""#),
        "{}",
        failure.message
    );
    assert!(
        answers.iter().all(|a| a.actions.is_empty()),
        "nothing pressed"
    );
}

#[tokio::test]
async fn cleared_memory_is_gone_for_the_next_step() {
    // Consecutive `#me` steps are separate answers: the second goes out once the IVR reacted.
    let script = "clear\n\n#begin\nSET_SCRIPTING_MEMORY name|Ann\n\n#me\nI am $name\nCLEAR_SCRIPTING_MEMORY name\n\n#me\nstill $name\n\n#bot\n";
    let (result, _, answers) = talk(
        script,
        vec![Ivr::Answer, Ivr::Say("Hello."), Ivr::Say("Goodbye.")],
        with_memory(),
        &UtteranceBook::default(),
    )
    .await;
    assert_eq!(result, Ok(()));
    assert_eq!(answers[0].actions, vec![Action::Say("I am Ann".into())]);
    assert_eq!(answers[1].actions, vec![Action::Say("still $name".into())]);
}

// Paused time: the clock jumps when every task waits on a timer, so the pause is exact.
#[tokio::test(start_paused = true)]
async fn pause_asserter_waits_in_end_and_keeps_listening() {
    let started = tokio::time::Instant::now();
    let (result, _, _) = talk_default(
        "pa\n\n#bot\nHello\n\n#end\nPAUSE_ASSERTER 300\nBOT_UNCONSUMED_COUNT 1\n",
        vec![Ivr::Answer, Ivr::Say("Hello."), Ivr::Say("Goodbye.")],
    )
    .await;
    assert_eq!(result, Ok(()), "the goodbye was heard during the pause");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn media_plays_a_recording_in_script_order() {
    let (result, transcript, answers) = talk_default(
        "media\n\n#me\nBUTTON 1\nMEDIA https://media.example/yes.wav\n\n#bot\nThanks\n",
        vec![Ivr::Answer, Ivr::Say("Thanks.")],
    )
    .await;
    assert_eq!(result, Ok(()));
    assert_eq!(
        answers[0].actions,
        vec![
            Action::Press("1".into()),
            Action::Play("https://media.example/yes.wav".into())
        ]
    );
    assert!(transcript
        .iter()
        .any(|t| t.text() == "plays: https://media.example/yes.wav"));
}

#[tokio::test]
async fn conditional_steps_assert_the_alternative_whose_condition_holds() {
    let script = "cond\n\n#bot\nWe are open\nCONDITIONAL_STEP_CAPABILITY_VALUE_BASED {\"capabilityName\":\"IVR_MODE\",\"value\":\"day\"}|hours\n\n#bot\nWe are closed\nCONDITIONAL_STEP_CAPABILITY_VALUE_BASED {\"capabilityName\":\"IVR_MODE\",\"value\":\"night\"}|hours\n\n#me\nBUTTON 1\n\n#bot\nGoodbye\n";
    let with_mode = |mode: &str| ConversationOptions {
        capabilities: Arc::new([("IVR_MODE".to_string(), serde_json::json!(mode))].into()),
        ..ConversationOptions::default()
    };
    let ivr = || {
        vec![
            Ivr::Answer,
            Ivr::Say("We are closed."),
            Ivr::Say("Goodbye."),
            Ivr::Silence,
        ]
    };
    let book = UtteranceBook::default();
    let (result, _, answers) = talk(script, ivr(), with_mode("night"), &book).await;
    assert_eq!(result, Ok(()));
    assert_eq!(answers[1].actions, vec![Action::Press("1".into())]);
    let (result, _, _) = talk(script, ivr(), with_mode("day"), &book).await;
    assert_eq!(
        result
            .expect_err("the day answer is expected")
            .expected
            .as_deref(),
        Some("We are open")
    );
    let (result, _, _) = talk(script, ivr(), with_mode("holiday"), &book).await;
    assert_eq!(
        result.expect_err("no alternative holds").message,
        "cond/Line 3: Non of the conditions are met in 'hours' condition group"
    );
    // Optional alternatives that do not hold are skipped, and the message stays for the next step.
    let optional = script
        .replace("#bot\nWe are open", "#bot\n?We are open")
        .replace("#bot\nWe are closed", "#bot\n?We are closed")
        .replace("#me\nBUTTON 1\n\n#bot\nGoodbye", "#bot\nWe are closed");
    let (result, _, _) = talk(&optional, ivr(), with_mode("holiday"), &book).await;
    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn a_time_window_that_covers_the_whole_day_always_holds() {
    // start == end holds all day (Botium's arithmetic), so this passes at any time of the run.
    let script = "always\n\n#bot\nHello\nCONDITIONAL_STEP_TIME_BASED {\"start\":\"0:00\",\"end\":\"0:00\"}\n\n#bot\nNever\nCONDITIONAL_STEP_BUSINESS_HOURS {\"days\":[\"Monday\"]}\n";
    let (result, _, _) = talk_default(script, vec![Ivr::Answer, Ivr::Say("Hello.")]).await;
    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn last_words_before_a_hang_up_are_heard_from_the_interim_result() {
    let (result, transcript, _) = talk_default(
        "bye\n\n#bot\nWelcome\n\n#bot\nGoodbye, your balance is 42 dollars\n",
        vec![
            Ivr::Answer,
            Ivr::Say("Welcome."),
            Ivr::Partial("Goodbye, your balance"),
            Ivr::Partial("Goodbye, your balance is 42 dollars"),
            Ivr::HangUp,
        ],
    )
    .await;
    assert_eq!(result, Ok(()));
    assert!(transcript
        .iter()
        .any(|t| t.what == Happened::Ivr("Goodbye, your balance is 42 dollars".into())));
    // An interim result of words already heard in full is not heard twice.
    let (result, _, _) = talk_default(
        "once\n\n#bot\nWelcome\n\n#bot\n",
        vec![
            Ivr::Answer,
            Ivr::Say("Welcome."),
            Ivr::Partial("welcome"),
            Ivr::HangUp,
        ],
    )
    .await;
    assert!(result
        .expect_err("nothing more was said")
        .message
        .contains("the IVR hung up"),);
}
