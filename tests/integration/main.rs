//! Integration tests: the real `ivr-test` binary, run in temporary projects and on the shared
//! corpus of real BotiumScript files. What the test modules share (projects, the emulator,
//! TwiML applications, Redis, the proxy, `run` and its reports) is in [`harness`]; every other
//! module holds tests only.

mod call_state;
mod check;
mod config;
mod corpus;
mod coverage;
mod demo;
mod doctor;
mod emulator;
mod emulator_dial;
mod emulator_dial_more;
mod emulator_dial_record;
mod emulator_gather;
mod emulator_ivr_side;
mod emulator_queue;
mod emulator_queue_more;
mod emulator_record;
mod harness;
mod hearing;
mod html_report;
mod proxy;
mod proxy_cli;
mod proxy_faults;
mod proxy_run;
mod redial;
mod relay_deploy;
mod relay_function;
mod relay_link;
mod relay_run;
mod run;
mod run_api_key;
mod run_script;
mod shard;
mod shard_coverage;
mod sms_inbox;
mod studio;
mod studio_connect;
mod studio_flows;
mod studio_logic;
mod studio_queue;
mod webhook;
