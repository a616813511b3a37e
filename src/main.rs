//! The `ivr-test` binary: parse the command line, run the library, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ivr_test::cli::Cli::parse();
    let outcome = ivr_test::cli::run(cli, &ivr_test::cli::process_env());
    ExitCode::from(outcome.code())
}
