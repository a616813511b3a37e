//! `ivr-test`: tests phone IVR bots by calling them.
//!
//! # Map of the crate
//!
//! | module | job |
//! |---|---|
//! | [`cli`] | clap arguments; dispatches to the commands; no business logic |
//! | [`config`] | `botium.json` + `BOTIUM_<CAP>` environment -> typed [`config::Config`] |
//! | [`convo`] | BotiumScript: the nom grammar, the step builder, file discovery, partial convos, utterances, scripting-memory tables and variable names, conditional-step conditions, `CHECKTWILIOCALL` checks (`call_state`), diagnostics |
//! | [`matching`] | Botium's matching modes and normalisation, the speech-tolerant layer, similarity scores, where a match ends in a heard stream, closest passages and repeated prompts |
//! | [`check`] | `ivr-test check`: validate configuration and scripts, report in human or JSON form |
//! | [`runner`] | `ivr-test run`: start-up and scheduling (`command`), caller IDs (`caller_ids`), one call per test case (`session`), the step engine on the stream of what the IVR says (`conversation`; `#bot` steps in `conversation::bot_step`, when answers go out in `conversation::answer`, hooks and conditional `#bot` groups in `conversation::{hooks, conditional}`), offers of an answer (`offer`), the live-call update of the caller leg (`live_call`), scripting memory and its `$functions` (`memory`), `asserters` |
//! | [`turn`] | the turn protocol every transport adapts to: a call's events in, the step engine's actions out (`protocol`), the runner's live sessions (`sessions`; an answer that went out is marked in the events), Twilio's webhooks as each transport reads them (`signed`: route names, callback URLs, the signature check, events from parameters), and the TwiML of an answer (`answer`) |
//! | [`webhook`] | the in-process transport: the routes Twilio calls when it can reach the runner |
//! | [`twilio`] | Twilio's wire protocol: signatures, TwiML documents (parse and write), SIDs, dates, errors |
//! | [`events`] | what a run tells its reporters (`RunEvent`, results, typed transcript lines): the runner emits them, the reporters consume them |
//! | [`report`] | reporters of run events: console progress and summary, JUnit XML, JSON, transcript files |
//! | [`proxy`] | `ivr-test proxy start`: the Redis transport's public end, the webhook proxy, bridged to runners through Redis (`routes` -> `turn` -> `redis`) |
//! | [`relay`] | the Redis transport both ends share: key names (`keys`), messages (`message`), and the runner's end (`relay::runner`), which feeds the same `turn::Sessions` |
//! | [`emulator`] | `ivr-test emulator`: a local Twilio-compatible REST API (calls, messages, recordings, transcriptions), call engine (caller, IVR and `<Dial>`led legs; interim results word by word), TwiML interpreter, and Studio flows (`emulator::studio`) |
//! | [`exit_code`] | the named exit codes |
//! | [`shutdown`] | Ctrl-C and SIGTERM, which `main` passes to the commands that run until stopped |
//! | [`output`] | where commands write: the streams `main` passes in (or a test's buffers), shared by a command and its reporters |
//! | [`serve`] | the one way HTTP is served (webhook, emulator, proxy): until stopped, then gracefully |
//! | [`js_text`] | JavaScript's whitespace rules and string order, which Botium's parsing, matching and test case order follow |
//!
//! # Data flow
//!
//! ```text
//! botium.json + env --config--> Config ---------------------+
//!                                  | (registry of names)     |
//! *.convo.txt, *.pconvo.txt,       v                         v
//! *.utterances.txt  --------> convo::load  --> Suite --> check (report, exit code)
//!                             (grammar -> steps -> includes -> expansion), every error collected,
//!                             files and convos on every core (rayon), results in file order
//!
//! Suite --> runner::command --> runner::session (a call per test case) --> runner::conversation
//!             |  twilio::client (REST: create, hang up, SMS,      ^ CallEvent   | Action
//!             |  live-call update of the caller leg)
//!             v  RunEvents --> report (console, JUnit, JSON)      turn::Sessions <-- webhook::routes <-- Twilio
//!                                                                        ^
//!              behind a firewall: relay::runner <--Redis--> proxy::routes <-- Twilio
//!              (both transports read webhooks through turn::signed and answer with turn::answer)
//!
//! Twilio client (REST) --> emulator::rest --CallControl--> emulator::engine (a task per call)
//!                                                           caller leg <-bridge-> callee leg
//!                                                           (TwiML via twilio::twiml, signed
//!                                                            webhooks via twilio::signature)
//! ```
//!
//! The library never exits the process and keeps no global state: `main` builds the one async
//! runtime and passes everything in (paths, environment, output streams, the shutdown signal),
//! and commands return an [`exit_code::Outcome`].

#![warn(missing_docs)]

pub mod check;
pub mod cli;
pub mod config;
pub mod convo;
pub mod emulator;
pub mod events;
pub mod exit_code;
pub mod js_text;
pub mod matching;
pub mod output;
pub mod proxy;
pub mod relay;
pub mod report;
pub mod runner;
pub mod serve;
pub mod shutdown;
pub mod turn;
pub mod twilio;
pub mod webhook;
