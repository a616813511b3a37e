//! Studio widget types the emulator does not run, and why. A flow may contain them where no
//! incoming call can reach them (on the message or REST API branches of the trigger); on a
//! call's path they make the flow a configuration error, since the emulator could not do what
//! Studio would.

/// Why `kind`, a Studio widget type the emulator does not run, cannot run; `None` for a type
/// that is not a Studio widget at all.
pub fn reason(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "send-and-wait-for-reply" => "it waits for a reply by message, which an emulated call cannot send",
        "send-to-flex" | "create-task" => "Flex and TaskRouter are not emulated",
        "make-outgoing-call-v1" | "make-outgoing-call-v2" => "a flow placing calls of its own is not emulated",
        "run-subflow" => "the emulator runs one flow per number and loads no subflows",
        "run-function-v2" => "it needs a Twilio Functions service; use run-function with its URL, or make-http-request",
        "record-call" => "starting and stopping call recordings is not emulated",
        "capture-payments" => "<Pay> is not emulated",
        "fork-stream" | "connect-virtual-agent" | "connect-virtual-agent-v2" => "Media Streams and virtual agents are not emulated",
        "understand" | "send-to-autopilot" => "Autopilot is not emulated",
        "update-sync-object" => "Twilio Sync is not emulated",
        "add-member-to-chat-channel" | "create-chat-channel" => "Programmable Chat is not emulated",
        _ => return None,
    })
}
