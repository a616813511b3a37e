//! `CHECKTWILIOCALL` end to end: who ended the call, its final status and duration, checked
//! once the call has ended, against TwiML IVRs over real HTTP; and `check` locating bad
//! arguments.

use serde_json::Value;

use crate::harness::emulator::{IVR, TOKEN};
use crate::harness::run::run_scaled;
use crate::harness::run::{
    botium_json, emulator_config, json_report, merged, run_emulated, verdicts,
};
use crate::harness::twiml_app::{Received, Reply, TwimlApp, TwimlAppBuilder};
use crate::harness::Project;

/// Answers 1 with the opening hours, then hangs up.
async fn hours_ivr() -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Gather input="dtmf" action="/menu" numDigits="1" timeout="5"><Say>Press 1 to hear our hours.</Say></Gather><Say>Goodbye.</Say><Hangup/></Response>"#,
        )
        .twiml(
            "/menu",
            r#"<Response><Say>We are open from nine to five. Goodbye.</Say><Hangup/></Response>"#,
        )
        .start()
        .await
}

const HOURS: &str =
    "#bot\nPress 1 to hear our hours\n\n#me\nBUTTON 1\n\n#bot\nWe are open from nine to five\n";

/// Runs each `(name, end section)` as a test case of the hours menu; the JSON report.
async fn run_cases(ivr: &TwimlApp, cases: &[(&str, &str)]) -> Value {
    let convos: Vec<(String, String)> = cases
        .iter()
        .map(|(name, end)| {
            (
                format!("{}.convo.txt", name.replace(' ', "_")),
                format!("{name}\n\n{HOURS}\n#end\n{end}\n"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = convos
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    let (project, _) = run_scaled(ivr, 10.0, &botium_json(IVR), &refs).await;
    json_report(&project, "report.json")
}

fn message_of(report: &Value, name: &str) -> String {
    report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .find(|t| t["name"] == name)
        .and_then(|t| t["failure"]["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn who_ended_the_call_its_status_and_duration_are_checked_after_it_ended() {
    let ivr = hours_ivr().await;
    let report = run_cases(
        &ivr,
        &[
            (
                "a ivr ended",
                "CHECKTWILIOCALL status=completed|endedBy=ivr|duration<=120",
            ),
            // The script ends while the IVR still says goodbye: the pause lets it hang up.
            (
                "b not the caller",
                "PAUSE_ASSERTER 2000\nCHECKTWILIOCALL endedBy=caller",
            ),
            ("c too long", "CHECKTWILIOCALL duration>=120"),
            (
                "d negated",
                "PAUSE_ASSERTER 2000\n!CHECKTWILIOCALL endedBy=caller",
            ),
        ],
    )
    .await;
    let verdicts: Vec<String> = verdicts(&report).into_iter().map(|(_, v)| v).collect();
    assert_eq!(
        verdicts,
        ["passed", "failed", "failed", "passed"],
        "{report}"
    );
    assert!(
        message_of(&report, "b not the caller").contains(
            "CHECKTWILIOCALL: expected the call to be ended by the caller, it was ended by the ivr"
        ),
        "{report}"
    );
    assert!(
        message_of(&report, "c too long").contains("expected a call duration >= 120 s, it lasted"),
        "{report}"
    );
}

#[tokio::test]
async fn a_call_the_script_ends_was_ended_by_the_caller() {
    // The IVR would talk for minutes: the script ends first and the runner hangs up.
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Say>Thank you for holding.</Say><Pause length="120"/><Hangup/></Response>"#,
        )
        .start()
        .await;
    let caller = "caller ended\n\n#bot\nThank you for holding\n\n#end\nCHECKTWILIOCALL endedBy=caller|status=completed|duration<60\n";
    let ivr_ended =
        "ivr ended\n\n#bot\nThank you for holding\n\n#end\nCHECKTWILIOCALL endedBy=ivr\n";
    let (project, out) = run_scaled(
        &ivr,
        10.0,
        &botium_json(IVR),
        &[("a.convo.txt", caller), ("b.convo.txt", ivr_ended)],
    )
    .await;
    let report = json_report(&project, "report.json");
    assert_eq!(
        verdicts(&report),
        [
            ("caller ended".to_string(), "passed".to_string()),
            ("ivr ended".to_string(), "failed".to_string()),
        ],
        "{}",
        out.stderr
    );
    assert!(
        message_of(&report, "ivr ended").contains("it was ended by the caller"),
        "{report}"
    );
}

#[test]
fn check_locates_bad_call_checks() {
    let project = Project::new().file(
        "convos/a.convo.txt",
        "a\n\n#bot\nHello\nCHECKTWILIOCALL endedBy=ivr\n\n#end\nCHECKTWILIOCALL endedBy=agent\n",
    );
    let out = project.run(&["check", "convos"]).expect_code(2);
    for (position, message) in [
        (
            "convos/a.convo.txt:5:1",
            "CHECKTWILIOCALL checks the call after it has ended, so it belongs in #end",
        ),
        (
            "convos/a.convo.txt:8:1",
            "CHECKTWILIOCALL: \"endedBy=agent\": endedBy is ivr or caller",
        ),
    ] {
        assert!(out.stderr.contains(position), "{position}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{message}: {}", out.stderr);
    }
}

/// An IVR that transfers to the agent at +15551230009 and takes a message when nobody answers.
async fn transfer_ivr() -> TwimlApp {
    TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Say>Connecting you to an agent.</Say><Dial action="/after" timeout="10"><Number>+15551230009</Number></Dial></Response>"#,
        )
        .route("/after", |r: &Received| {
            Reply::Twiml(if r.param("DialCallStatus") == "completed" {
                "<Response><Hangup/></Response>".into()
            } else {
                r#"<Response><Say>No agent is available. Please leave a message after the beep.</Say><Record maxLength="5" timeout="2"/><Say>Goodbye.</Say><Hangup/></Response>"#.into()
            })
        })
        .twiml(
            "/agent",
            r#"<Response><Say>Hello, this is Alice from support.</Say><Pause length="5"/><Hangup/></Response>"#,
        )
        .start()
        .await
}

/// Runs `convo` against `ivr` at 10x, with the agent's number answering when `agent_answers`.
async fn run_transfer(ivr: &TwimlApp, agent_answers: bool, convo: &str) -> Value {
    let mut numbers = serde_json::json!({ IVR: {"voice_url": ivr.url("/voice")} });
    if agent_answers {
        numbers["+15551230009"] = serde_json::json!({"voice_url": ivr.url("/agent")});
    }
    let config = serde_json::from_str(&emulator_config(ivr)).expect("config is JSON");
    let config = merged(
        config,
        serde_json::json!({ "numbers": numbers, "time_scale": 10 }),
    );
    let project = Project::new()
        .file("emu.json", &config.to_string())
        .file("botium.json", &botium_json(IVR))
        .file("convos/a.convo.txt", convo);
    run_emulated(&project, &["--json", "report.json"]).await;
    json_report(&project, "report.json")
}

#[tokio::test]
async fn transfers_are_asserted_answered_or_not() {
    let ivr = transfer_ivr().await;
    let answered = "agent\n\n#bot\nConnecting you to an agent\n\n#bot\nthis is Alice from support\n\n#end\nCHECKTWILIOCALL transferred=yes|transferredTo=+15551230009|transferAnswered=yes\n";
    let report = run_transfer(&ivr, true, answered).await;
    assert_eq!(verdicts(&report)[0].1, "passed", "{report}");
    let voicemail = "voicemail\n\n#bot\nConnecting you to an agent\n\n#bot\nleave a message after the beep\n\n#me\nPlease call me back\n\n#end\nCHECKTWILIOCALL transferredTo=+15551230009|transferAnswered=no\n";
    let report = run_transfer(&ivr, false, voicemail).await;
    assert_eq!(verdicts(&report)[0].1, "passed", "{report}");
    let wrong = voicemail.replace("transferAnswered=no", "transferAnswered=yes");
    let report = run_transfer(&ivr, false, &wrong).await;
    assert!(
        message_of(&report, "voicemail")
            .contains("expected the transfer to be answered, it was transferred to +15551230009 (not answered)"),
        "{report}"
    );
}

#[tokio::test]
async fn a_call_the_ivr_never_transferred_is_seen_as_not_transferred() {
    // The hours menu never dials: its own (inbound) call on the emulator has no child calls.
    let ivr = hours_ivr().await;
    let report = run_cases(
        &ivr,
        &[
            ("a kept", "CHECKTWILIOCALL transferred=no"),
            ("b transferred", "CHECKTWILIOCALL transferred=yes"),
            ("c to agent", "CHECKTWILIOCALL transferredTo=+15551230009"),
        ],
    )
    .await;
    let verdicts: Vec<String> = verdicts(&report).into_iter().map(|(_, v)| v).collect();
    assert_eq!(verdicts, ["passed", "failed", "failed"], "{report}");
    for name in ["b transferred", "c to agent"] {
        assert!(
            message_of(&report, name).contains("it was not transferred"),
            "{name}: {report}"
        );
    }
}

#[tokio::test]
async fn a_transferred_call_fails_not_transferred() {
    let ivr = transfer_ivr().await;
    let convo = "kept\n\n#bot\nConnecting you to an agent\n\n#bot\nthis is Alice from support\n\n#end\nCHECKTWILIOCALL transferred=no\n";
    let report = run_transfer(&ivr, true, convo).await;
    assert!(
        message_of(&report, "kept").contains(
            "expected the call not to be transferred, it was transferred to +15551230009 (answered)"
        ),
        "{report}"
    );
}
