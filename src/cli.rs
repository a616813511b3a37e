//! Command-line arguments, and the dispatch from a parsed command to the library.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit_code::Outcome;
use crate::output::Output;

/// Tests phone IVR bots by calling them.
#[derive(Debug, Parser)]
#[command(name = "ivr-test", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate configuration and every script; never dials.
    Check(CheckArgs),
    /// Check that the suite can run: credentials, caller IDs, geo permissions, transport; never
    /// dials unless --call.
    Doctor(DoctorArgs),
    /// Serve a local Twilio-compatible API (calls, TwiML, SMS) for offline tests.
    Emulator(EmulatorArgs),
    /// The public webhook proxy, linked to runners through Redis.
    #[command(subcommand)]
    Proxy(ProxyCommand),
    /// The relay: a Twilio Function on your account that receives the calls' webhooks, so
    /// runs against Twilio need no public URL.
    #[command(subcommand)]
    Relay(RelayCommand),
    /// Work with JSON reports of earlier runs.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Run the test cases: one phone call each.
    Run(RunArgs),
}

/// The `report` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Merge the JSON reports of a suite's shards (`run --shard K/N --json ...`) into the
    /// reports of one run; exit 0 all passed, 1 a test failed, 3 a test had an error, 2 the
    /// reports cannot be merged.
    Merge(MergeArgs),
}

/// Arguments of `ivr-test report merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' JSON reports, one per shard.
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,
    /// Write the merged JSON report here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the merged JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the merged HTML report here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write the merged coverage (JSON) here.
    #[arg(long, value_name = "FILE")]
    pub coverage: Option<PathBuf>,
    /// Exit 4 when every test case passed but fewer than this percentage of the flows'
    /// transitions were taken by the shards together; 0 to 100.
    #[arg(long, value_name = "PERCENT", value_parser = crate::coverage::gate::parse_min)]
    pub coverage_min: Option<f64>,
}

/// The `relay` subcommands; each reads TWILIO_IVR_ACCOUNT_SID + TWILIO_IVR_AUTH_TOKEN (and
/// TWILIO_IVR_API_URL) from botium.json or the environment.
#[derive(Debug, Subcommand)]
pub enum RelayCommand {
    /// Create the relay, or bring it up to date (nothing changes when it is).
    Deploy(RelayArgs),
    /// Show the relay's domain, protocol, build and health; exit 2 when missing or outdated.
    Status(RelayArgs),
    /// Delete everything the relay is made of (Functions, Service, Sync lists).
    Remove(RelayArgs),
}

/// Arguments of every `ivr-test relay` subcommand.
#[derive(Debug, Args)]
pub struct RelayArgs {
    /// The botium.json to read (default: ./botium.json when present).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Act on an emulator with this configuration, started for the command (default: the
    /// `TWILIO_IVR_EMULATE` capability's).
    #[arg(long, value_name = "FILE")]
    pub emulate: Option<PathBuf>,
}

/// The `proxy` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProxyCommand {
    /// Serve Twilio's webhooks and relay them to runners through Redis, until Ctrl-C or SIGTERM.
    /// Auth tokens come from TWILIO_IVR_ACCOUNT_SID + TWILIO_IVR_AUTH_TOKEN or --accounts-file,
    /// never from the command line.
    Start(ProxyStartArgs),
}

/// Arguments of `ivr-test proxy start` (each also read from `IVR_TEST_PROXY_<NAME>`).
#[derive(Debug, Args)]
pub struct ProxyStartArgs {
    /// Port to listen on [env: IVR_TEST_PROXY_PORT] [default: 5001; 0: any free port].
    #[arg(long)]
    pub port: Option<u16>,
    /// Address to listen on [env: IVR_TEST_PROXY_HOST] [default: 127.0.0.1].
    #[arg(long, value_name = "IP")]
    pub host: Option<String>,
    /// redis:// or rediss:// URL [env: IVR_TEST_PROXY_REDIS_URL] [default: redis://127.0.0.1:6379/].
    #[arg(long, value_name = "URL")]
    pub redis_url: Option<String>,
    /// The public base URL Twilio calls; signatures are checked against it [env: IVR_TEST_PROXY_PUBLIC_URL].
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// The local path the routes are served under [env: IVR_TEST_PROXY_ENDPOINT] [default: /].
    #[arg(long, value_name = "PATH")]
    pub endpoint: Option<String>,
    /// Redis key namespace shared with the runners [env: IVR_TEST_PROXY_TOPIC_BASE] [default: ivr-test].
    #[arg(long, value_name = "NAME")]
    pub topic_base: Option<String>,
    /// Seconds a webhook waits for its runner's decision, at most 12 [env: IVR_TEST_PROXY_HOLD] [default: 10].
    #[arg(long, value_name = "SECONDS")]
    pub hold: Option<String>,
    /// JSON file {"AC...": "auth token", ...} of the accounts served [env: IVR_TEST_PROXY_ACCOUNTS_FILE].
    #[arg(long, value_name = "FILE")]
    pub accounts_file: Option<PathBuf>,
}

/// Arguments of `ivr-test run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Convo files or folders (searched recursively).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The botium.json to read (default: ./botium.json when present).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// How many calls may be live at once.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub parallel: usize,
    /// Run only test cases whose name matches this glob.
    #[arg(long, value_name = "GLOB")]
    pub filter: Option<String>,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a JSON report here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a self-contained HTML report here (summary, test cases, coverage map).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write one transcript per test case into this folder.
    #[arg(long, value_name = "DIR")]
    pub transcripts: Option<PathBuf>,
    /// Run the calls against the emulator with this configuration (no Twilio account needed).
    #[arg(long, value_name = "FILE")]
    pub emulate: Option<PathBuf>,
    /// Write the Studio flow coverage (widgets and transitions exercised, by which test cases)
    /// here as JSON.
    #[arg(long, value_name = "FILE")]
    pub coverage: Option<PathBuf>,
    /// Fail the run (exit 4) when fewer than this percentage of the flow's transitions were
    /// taken; 0 to 100.
    #[arg(long, value_name = "PERCENT", value_parser = crate::coverage::gate::parse_min)]
    pub coverage_min: Option<f64>,
    /// Run only shard K of N (1 <= K <= N) of the test cases; the N shards together run each
    /// test case once.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::shard::Shard>,
    /// Balance the shards by the test cases' durations in this JSON report (of an earlier run).
    #[arg(long, value_name = "REPORT.json", requires = "shard")]
    pub shard_durations: Option<PathBuf>,
}

/// Arguments of `ivr-test doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The botium.json to read (default: ./botium.json when present).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Also place one short test call to TWILIO_IVR_TO that hangs up when answered.
    #[arg(long)]
    pub call: bool,
    /// One JSON document on stdout instead of lines for people.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `ivr-test emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 to serve on (0: any free port; the URL is printed).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The emulator configuration (JSON; see fixtures/emulator.json).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// How many times faster than real time calls run (overrides the file's time_scale).
    #[arg(long, value_name = "X")]
    pub time_scale: Option<f64>,
    /// Also log every webhook request.
    #[arg(long)]
    pub verbose: bool,
}

/// Arguments of `ivr-test check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Convo files or folders (searched recursively).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The botium.json to read (default: ./botium.json when present).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The `--parallel` the suite will run with: `check` says how the caller IDs serve it.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub parallel: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Apply includes and utterance expansion before reporting steps.
    #[arg(long)]
    pub expand: bool,
    /// Also check the emulator configuration `run --emulate FILE` would use (default: the
    /// `TWILIO_IVR_EMULATE` capability's), with its Studio flows.
    #[arg(long, value_name = "FILE")]
    pub emulate: Option<PathBuf>,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A summary for people, diagnostics on stderr.
    Human,
    /// One JSON document on stdout, stable for tooling.
    Json,
}

/// The process environment as a map (the library never reads it directly).
pub fn process_env() -> BTreeMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// Runs a parsed command line with the given environment, writing to `output`; the
/// long-running commands stop when `shutdown` resolves.
pub async fn run(
    cli: Cli,
    env: &BTreeMap<String, String>,
    output: &Output,
    shutdown: impl Future<Output = ()>,
) -> Outcome {
    match cli.command {
        Command::Check(args) => {
            let color = output.terminal && !env.contains_key("NO_COLOR");
            let request = crate::check::CheckRequest {
                paths: args.paths,
                config: args.config,
                parallel: args.parallel,
                format: match args.format {
                    Format::Human => crate::check::Format::Human,
                    Format::Json => crate::check::Format::Json,
                },
                expand: args.expand,
                emulate: args.emulate,
            };
            crate::check::run(
                &request,
                env,
                Path::new("."),
                color,
                &mut output.out.clone(),
                &mut output.err.clone(),
            )
        }
        Command::Run(args) => {
            let request = crate::runner::command::RunRequest {
                paths: args.paths,
                config: args.config,
                parallel: args.parallel,
                filter: args.filter,
                junit: args.junit,
                json: args.json,
                html: args.html,
                transcripts: args.transcripts,
                emulate: args.emulate,
                coverage: args.coverage,
                coverage_min: args.coverage_min,
                shard: args.shard,
                shard_durations: args.shard_durations,
            };
            crate::runner::command::run(&request, env, Path::new("."), output, shutdown).await
        }
        Command::Report(ReportCommand::Merge(args)) => {
            let request = crate::report_command::MergeRequest {
                reports: args.reports,
                json: args.json,
                junit: args.junit,
                html: args.html,
                coverage: args.coverage,
                coverage_min: args.coverage_min,
            };
            crate::report_command::merge(&request, env, Path::new("."), output)
        }
        Command::Relay(command) => {
            use crate::twilio_relay::command::{RelayAction, RelayRequest};
            let (action, args) = match command {
                RelayCommand::Deploy(args) => (RelayAction::Deploy, args),
                RelayCommand::Status(args) => (RelayAction::Status, args),
                RelayCommand::Remove(args) => (RelayAction::Remove, args),
            };
            let request = RelayRequest {
                action,
                config: args.config,
                emulate: args.emulate,
            };
            crate::twilio_relay::command::run(&request, env, Path::new("."), output).await
        }
        Command::Doctor(args) => {
            let request = crate::doctor::DoctorRequest {
                config: args.config,
                call: args.call,
                json: args.json,
            };
            crate::doctor::run(&request, env, Path::new("."), &mut output.out.clone()).await
        }
        Command::Emulator(args) => {
            let command = crate::emulator_command::EmulatorCommand {
                port: args.port,
                config: args.config,
                time_scale: args.time_scale,
                verbose: args.verbose,
            };
            crate::emulator_command::run(&command, env, output, shutdown).await
        }
        Command::Proxy(ProxyCommand::Start(args)) => {
            let args = crate::proxy::config::ProxyArgs {
                port: args.port,
                host: args.host,
                redis_url: args.redis_url,
                public_url: args.public_url,
                endpoint: args.endpoint,
                topic_base: args.topic_base,
                hold: args.hold,
                accounts_file: args.accounts_file,
            };
            crate::proxy::command::run(&args, env, output, shutdown).await
        }
    }
}
