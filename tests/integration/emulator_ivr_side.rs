//! The IVR's side of an emulated call: an `inbound` call resource of its own, as on Twilio,
//! that the IVR's webhooks name and the REST API can redirect and hang up.

use crate::harness::emulator::{
    emulator, get, ivr_at, ivr_side, place, post, wait_until_ended, CALLER, IVR, TOKEN,
};
use crate::harness::twiml_app::TwimlAppBuilder;

#[tokio::test]
async fn the_ivr_redirects_and_hangs_up_its_own_inbound_call() {
    let ivr = TwimlAppBuilder::new(TOKEN)
        .twiml(
            "/voice",
            r#"<Response><Say>Please hold.</Say><Pause length="60"/></Response>"#,
        )
        .start()
        .await;
    let listen = |action: &str| {
        format!(
            r#"<Response><Gather input="speech" action="{action}" timeout="40" speechTimeout="auto"/></Response>"#
        )
    };
    let caller = TwimlAppBuilder::new(TOKEN)
        .twiml("/start", &listen("/heard"))
        .twiml("/heard", &listen("/again"))
        .twiml("/again", r#"<Response><Pause length="60"/></Response>"#)
        .start()
        .await;
    let emulator = emulator(vec![(IVR, ivr_at(ivr.url("/voice")))]).await;
    let sid = place(&emulator, &caller.url("/start"), &[]).await;
    caller
        .wait_for("the hold message", |r| r.iter().any(|r| r.path == "/heard"))
        .await;

    let ivr_call = ivr_side(&emulator.base_url, &sid).await;
    let ivr_sid = ivr_call["sid"].as_str().expect("sid").to_string();
    assert_ne!(ivr_sid, sid, "a call of its own");
    assert_eq!(ivr.received_at("/voice")[0].param("CallSid"), ivr_sid);
    assert_eq!(ivr.received_at("/voice")[0].param("Direction"), "inbound");
    assert_eq!(ivr_call["status"], "in-progress");
    assert_eq!(ivr_call["from"], CALLER);
    assert_eq!(ivr_call["to"], IVR);
    assert_eq!(ivr_call["parent_call_sid"], serde_json::Value::Null);

    // Redirecting the IVR's call changes what the IVR says, not what the caller's TwiML does.
    let redirect = r#"<Response><Say>Redirected by the IVR.</Say><Pause length="60"/></Response>"#;
    let (status, _) = post(
        &emulator.base_url,
        &format!("Calls/{ivr_sid}.json"),
        &[("Twiml", redirect)],
    )
    .await;
    assert_eq!(status, 200);
    let again = caller
        .wait_for("the redirected words", |r| {
            r.iter().any(|r| r.path == "/again")
        })
        .await;
    let heard = again.iter().find(|r| r.path == "/again").expect("again");
    assert_eq!(heard.param("SpeechResult"), "Redirected by the IVR.");

    // Hanging up the IVR's call ends the whole call, both sides.
    let (status, _) = post(
        &emulator.base_url,
        &format!("Calls/{ivr_sid}.json"),
        &[("Status", "completed")],
    )
    .await;
    assert_eq!(status, 200);
    let ended = wait_until_ended(&emulator.base_url, &sid).await;
    assert_eq!(ended["status"], "completed");
    let ivr_call = get(&emulator.base_url, &format!("Calls/{ivr_sid}.json")).await;
    assert_eq!(ivr_call["status"], "completed");
    assert_eq!(ivr_call["end_time"], ended["end_time"]);
    assert_eq!(emulator.live_calls(), 0);
}
