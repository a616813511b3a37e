//! Studio flows: a number's `studio_flow` (an exported flow definition) runs as the number's IVR.
//!
//! Real Studio is a webhook: Twilio requests the flow's URL when a call comes in, and the flow
//! answers TwiML until a widget needs the caller, with its own URL as the next action. The
//! emulator does the same on its own HTTP server, so the call engine, the bridge, barge-in, the
//! recogniser, timing and the ledger apply to a flow exactly as to any TwiML IVR:
//!
//! ```text
//! callee leg --POST--> /v1/Accounts/{AC}/Flows/{FW}              (the number's voice URL)
//!            <-TwiML-- executor: trigger -> split -> set-variables -> ... -> say-play
//!                      <Say>..</Say><Redirect>{flow URL}?FlowEvent=audioComplete</Redirect>
//! callee leg --POST--> /v1/Accounts/{AC}/Flows/{FW}?FlowEvent=audioComplete
//!            <-TwiML-- executor: ... -> gather-input-on-call  <Gather action="..?FlowEvent=gather">
//! ```
//!
//! Each call's execution (trigger parameters, widget outputs, flow variables) lives in memory,
//! keyed by the flow and the leg's `CallSid`, until the call ends.
//!
//! | file | job |
//! |---|---|
//! | [`flow`] | the exported JSON |
//! | [`liquid`] | templates in properties |
//! | `props`, `build`, [`widgets`], [`refused`], [`load`] | checking a flow when the emulator starts |
//! | [`conditions`] | `split-based-on` predicates |
//! | [`runtime`] | the flows' webhook routes and the executions under way |
//! | [`records`], `api` | executions and their steps as Studio keeps them; the Studio v2 REST API that serves them and the flows |
//! | [`executor`], [`context`] | running widgets for one request; an execution's Liquid context |
//! | `twiml`, `effects` | a voice widget's TwiML; HTTP requests and messages |

pub(crate) mod api;
mod build;
pub mod conditions;
pub mod context;
mod effects;
pub mod executor;
pub mod flow;
pub mod liquid;
pub mod load;
mod props;
pub mod records;
pub mod refused;
pub mod runtime;
mod twiml;
pub mod widgets;

pub use load::{FlowError, LoadedFlow};
pub use runtime::{flow_sid, flow_warnings, load_flows, StudioRuntime};
