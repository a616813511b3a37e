//! The `ivr-test` binary: parse the command line, build the one async runtime, run the library
//! with the process's streams and shutdown signals, map the outcome to an exit code.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: `check` on a large suite allocates hundreds of
/// thousands of small strings and steps on every core, where glibc's per-thread arenas grow
/// page by page (thousands of `mprotect` calls) and each allocation costs several times more.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use ivr_test::exit_code::Outcome;
use ivr_test::output::Output;

fn main() -> ExitCode {
    let cli = ivr_test::cli::Cli::parse();
    let output = Output::process();
    let outcome = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(async {
            // Listening before anything starts: a signal during start-up is not lost.
            let shutdown = ivr_test::shutdown::listen();
            ivr_test::cli::run(cli, &ivr_test::cli::process_env(), &output, shutdown).await
        }),
        Err(error) => {
            output
                .err
                .line(&format!("error: cannot start the async runtime: {error}"));
            Outcome::Infrastructure
        }
    };
    ExitCode::from(outcome.code())
}
