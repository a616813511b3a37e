//! `ivr-test`: tests phone IVR bots by calling them.
//!
//! This is the binary crate of a workspace whose libraries each do one job and could be
//! published alone:
//!
//! | crate | job |
//! |---|---|
//! | `botiumscript` (`crates/botiumscript`) | the BotiumScript language and Botium's matching: parse, validate, expand, match |
//! | `twilio_wire` (`crates/twilio-wire`) | Twilio's wire protocol: TwiML, signatures, SIDs, dates, errors, the REST client (every product from one base URL: calls, messages, Serverless, Sync, Studio), secrets kept out of text, serving HTTP until stopped |
//! | `twilio_emulator` (`crates/twilio-emulator`) | a local Twilio (REST API, call engine with dialled legs, call queues and emulated agents, TwiML and Studio flows, the Serverless and Sync APIs), for this tool's runs and anyone's tests |
//!
//! This crate holds the commands, the runner, the transports and the reports.
//!
//! # Map of the crate
//!
//! | module | job |
//! |---|---|
//! | [`cli`] | clap arguments; dispatches to the commands; no business logic |
//! | [`config`] | `botium.json` + `BOTIUM_<CAP>` environment -> typed [`config::Config`] |
//! | [`coverage`] | which Studio widgets and transitions, and which TwiML webhooks and `<Gather>` outcomes, the suite exercised, and by which test cases: measured after the last call (`measure`: the flow through the REST API, `studio`; the emulator's TwiML records, `twiml`), the console line (`summary`), `--coverage`/`--coverage-min` (`gate`) |
//! | [`check`] | `ivr-test check`: validate configuration and scripts, report in human or JSON form |
//! | [`doctor`] | `ivr-test doctor`: the preflight against the account (credentials, caller IDs, geo permissions, SMS: `account`), the transport (`transport`), and `--call`'s test call (`test_call`) |
//! | [`runner`] | `ivr-test run`: start-up and scheduling (`command`), caller IDs (`caller_ids`), one call per test case (`session`), the step engine on the stream of what the IVR says (`conversation`; `#bot` steps in `conversation::bot_step`, when answers go out in `conversation::answer`, hooks and conditional `#bot` groups in `conversation::{hooks, conditional}`), offers of an answer (`offer`), the live-call update of the caller leg (`live_call`), scripting memory and its `$functions` (`memory`), `asserters`, and which transport a run uses with the link of the proxy or the relay (`transport`) |
//! | [`turn`] | the turn protocol every transport adapts to: a call's events in, the step engine's actions out (`protocol`), the runner's live sessions (`sessions`; an answer that went out is marked in the events), Twilio's webhooks as each transport reads them (`signed`: route names, callback URLs, the signature check, events from parameters), and the TwiML of an answer (`answer`) |
//! | [`webhook`] | the in-process transport: the routes Twilio calls when it can reach the runner |
//! | [`events`] | what a run tells its reporters (`RunEvent`, results, typed transcript lines): the runner emits them, the reporters consume them |
//! | [`report`] | reporters of run events: console progress and summary, JUnit XML, JSON (and reading it back: `json_read`; the suite identity: `suite`; merging shards' reports: `merge`), the self-contained HTML page (`report::html`, with the coverage map), transcript files |
//! | [`report_command`] | `ivr-test report merge`: shards' JSON reports replayed as one run's into the reporters |
//! | [`shard`] | `--shard K/N`: which test cases each of N machines runs (by count, or by earlier durations) |
//! | [`proxy`] | `ivr-test proxy start`: the Redis transport's public end, the webhook proxy, bridged to runners through Redis (`routes` -> `turn` -> `redis`) |
//! | [`relay`] | the Redis transport both ends share: key names (`keys`), messages (`message`), and the runner's end (`relay::runner`), which feeds the same `turn::Sessions` |
//! | [`twilio_relay`] | the relay transport's public end: a Twilio Function (`relay.js`, embedded) on the user's account that stores the webhooks in Sync; its lifecycle (`deploy`: inspect, deploy, remove; its steps in `provision` and `build`), `ivr-test relay deploy|status|remove` (`command`), and the runner's end (`link`), which reads the calls' events from Sync into the same `turn::Sessions` and answers through the live-call update |
//! | [`emulator_command`] | `ivr-test emulator`: serves `twilio_emulator` until stopped, logging every call |
//! | [`server_command`] | what the server commands (`emulator`, `proxy start`) share: binding, starting, announcing |
//! | [`exit_code`] | the named exit codes |
//! | [`shutdown`] | Ctrl-C and SIGTERM, which `main` passes to the commands that run until stopped |
//! | [`retry`] | the Redis retry policies (waits, number of tries) of the relay and the proxy |
//! | [`output`] | where commands write: the streams `main` passes in (or a test's buffers), shared by a command and its reporters |
//!
//! # Data flow
//!
//! ```text
//! botium.json + env --config--> Config ---------------------+
//!                                  | (registry of names)     |
//! *.convo.txt, *.pconvo.txt,       v                         v
//! *.utterances.txt  --> botiumscript::convo::load --> Suite --> check (report, exit code)
//!                      (grammar -> steps -> includes -> expansion), every error collected,
//!                      files and convos on every core (rayon), results in file order
//!
//! Suite --shard::assign (--shard K/N)--> the cases this machine dials, with their suite index
//! Suite --> runner::command --> runner::session (a call per test case) --> runner::conversation
//!             |  twilio_wire::client (REST: create, hang up, SMS, ^ CallEvent   | Action
//!             |  live-call update of the caller leg)
//!             v  RunEvents --> report (console, JUnit, JSON, HTML) turn::Sessions <-- webhook::routes <-- Twilio
//!                                                                         ^
//!              behind a firewall: relay::runner <--Redis--> proxy::routes <-- Twilio
//!              credentials only: twilio_relay::link <--Sync (REST)-- relay.js (a Function) <-- Twilio
//!                                (answers go out through the live-call update)
//!              (the webhook and the proxy read webhooks through turn::signed and answer with
//!               turn::answer; the relay's answers are the same TwiML, rendered by the runner)
//!
//! after the last call: coverage::measure (Studio: number -> flow -> Executions -> Steps, REST;
//!   TwiML: the emulator's records) --> RunEvent::CoverageMeasured --> report (console line,
//!   JSON, HTML map), coverage::gate (--coverage FILE, --coverage-min: exit 4)
//! shards' JSON reports --report::json_read--> report::merge --> replayed RunEvents --> report
//!
//! Twilio client (REST) --> twilio_emulator::rest --CallControl--> engine (a task per call)
//!                                                           caller leg <-bridge-> callee leg
//!                                                           (TwiML via twilio_wire::twiml, signed
//!                                                            webhooks via twilio_wire::signature)
//! ```
//!
//! The library never exits the process and keeps no global state: `main` builds the one async
//! runtime and passes everything in (paths, environment, output streams, the shutdown signal),
//! and commands return an [`exit_code::Outcome`].

#![warn(missing_docs)]

pub mod check;
pub mod cli;
pub mod config;
pub mod coverage;
pub mod doctor;
pub mod emulator_command;
pub mod events;
pub mod exit_code;
pub mod output;
pub mod proxy;
pub mod relay;
pub mod report;
pub mod report_command;
pub mod retry;
pub mod runner;
pub mod server_command;
pub mod shard;
pub mod shutdown;
pub mod turn;
pub mod twilio_relay;
pub mod webhook;
