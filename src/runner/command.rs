//! `ivr-test run`: parses everything first (script or configuration errors exit 2 before any
//! call), then runs one call per test case, `--parallel` at a time within the calls-per-second
//! limit, and reports through the reporters. Ctrl-C or SIGTERM hangs up every live call.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use super::request::RunRequest;

use super::caller_ids::{caller_id_summary, CallerIdUse, CallerIds};
use super::conversation::ConversationOptions;
use super::memory::MemorySettings;
use super::reporting::{report_empty_shard, Reporting};
use super::selection::{select, SelectionRequest};
use super::session::{run_test, CallSettings, LiveCalls};
use super::transport::{SessionLink, Transport};
use crate::config::{resolve_path, Config, RestCredentials, Secret, SIGNING_NEEDS_AUTH_TOKEN};
use crate::coverage::{self, gate::CoverageEnd};
use crate::events::{RunEvent, RunSummary, TestResult};
use crate::exit_code::Outcome;
use crate::output::Output;
use crate::relay::runner::{RelayLink, RelayOptions};
use crate::report::Reporter;
use crate::turn::answer::CallerVoice;
use crate::turn::Sessions;
use crate::twilio_relay::link::FunctionLink;
use crate::webhook::routes::{router, WebhookState};
use botiumscript::convo::{self, diagnostics::Rendered, Convo, Registry};
use botiumscript::matching::matcher_from_caps;
use twilio_emulator::config::EmulatorConfig;
use twilio_emulator::server::{start as start_emulator, EmulatorOptions, RunningEmulator};
use twilio_wire::serve::Serving;

/// How long an interrupted run waits for `calls.create` requests already sent, so their calls
/// can be hung up too (the REST client's own timeout is 30 s).
const CREATE_CALL_SETTLE_LIMIT: Duration = Duration::from_secs(31);

/// A problem found before any call: exit 2.
pub(crate) fn refuse(err: &mut dyn Write, message: impl std::fmt::Display) -> Outcome {
    let _ = writeln!(err, "error: {message}");
    Outcome::InvalidInput
}

/// The configuration (`--config`, botium.json, `BOTIUM_*`), or exit 2 with every error on `err`.
pub(crate) fn load_config(
    explicit: Option<&Path>,
    cwd: &Path,
    env: &BTreeMap<String, String>,
    err: &mut dyn Write,
) -> Result<Config, Outcome> {
    Config::load(explicit, cwd, env).map_err(|errors| {
        for e in &errors.errors {
            let _ = writeln!(err, "error: {e}");
        }
        Outcome::InvalidInput
    })
}

/// Runs the suite until it ends or `shutdown` resolves (then every live call is hung up);
/// reports to `output.err` (people) and the requested files.
pub async fn run(
    request: &RunRequest,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    output: &Output,
    shutdown: impl Future<Output = ()>,
) -> Outcome {
    let err = &mut output.err.clone();
    if let Some(min) = request.coverage_min {
        if let Err(problem) = coverage::gate::parse_min(&min.to_string()) {
            return refuse(err, format!("--coverage-min: {problem}"));
        }
    }
    let config = match load_config(request.config.as_deref(), cwd, env, err) {
        Ok(config) => config,
        Err(outcome) => return outcome,
    };
    let caps = &config.capabilities;
    let registry = Registry::new(&config.extensions);
    let paths: Vec<PathBuf> = request.paths.iter().map(|p| resolve_path(cwd, p)).collect();
    let suite = convo::load(&paths, &registry, &caps.scripting);
    if suite.has_errors() {
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
        for d in suite.diagnostics.iter().filter(|d| d.is_error()) {
            let mut text = String::new();
            if handler.render_report(&mut text, &Rendered::new(d)).is_err() {
                text = format!("{d}\n");
            }
            let _ = write!(err, "{text}");
        }
        return refuse(
            err,
            "the scripts have errors; nothing was dialed (see `ivr-test check`)",
        );
    }
    let matcher = match matcher_from_caps(&caps.scripting) {
        Ok((matcher, _)) => matcher,
        Err(e) => {
            return refuse(
                err,
                format!("the SCRIPTING_* matching settings cannot be used: {e}"),
            )
        }
    };
    let cases: Vec<Convo> = match &request.filter {
        None => suite.test_cases.clone(),
        Some(glob) => match globset::Glob::new(glob) {
            Ok(glob) => {
                let glob = glob.compile_matcher();
                suite
                    .test_cases
                    .iter()
                    .filter(|c| glob.is_match(&c.name))
                    .cloned()
                    .collect()
            }
            Err(e) => return refuse(err, format!("--filter {glob}: {e}")),
        },
    };
    let emulate = request.emulate.clone().or_else(|| {
        caps.twilio
            .emulate
            .as_ref()
            .map(|p| resolve_path(cwd, Path::new(p)))
    });
    let durations = request
        .shard_durations
        .as_ref()
        .map(|p| resolve_path(cwd, p));
    let selection = match select(
        cases,
        &SelectionRequest {
            shard: request.shard,
            durations: durations.as_deref(),
            filter: request.filter.as_deref(),
            emulate: emulate.as_deref(),
        },
        &config,
        cwd,
    ) {
        Ok(selection) => selection,
        Err(message) => return refuse(err, message),
    };
    if let Some(shard) = request.shard {
        let _ = writeln!(
            err,
            "shard {shard}: {} of {} test cases{}",
            selection.cases.len(),
            selection.suite.test_cases,
            if selection.cases.is_empty() {
                " (nothing to run: this shard passes)"
            } else {
                ""
            }
        );
    }
    if request.shard.is_some() && selection.cases.is_empty() {
        // Nothing to dial: no emulator, Twilio or transport is needed, only the reports.
        let reporting = Reporting {
            request,
            env,
            output,
            suite: selection.suite,
        };
        return report_empty_shard(reporting.reporters());
    }
    let options = ConversationOptions {
        wait_for_bot: caps.wait_for_bot_timeout,
        join_fragments: caps.twilio.join_fragments,
        digit_text_as_tones: caps.twilio.digits_as_tones,
        sms_wait: caps.twilio.sms_wait,
        memory: Arc::new(MemorySettings::from_caps(caps, env)),
        capabilities: Arc::new(caps.raw.clone()),
        answer_timing: caps.twilio.answer_timing,
    };
    {
        // With --emulate, the emulator stands in for Twilio: no account, tunnel or Redis.
        let emulator = match &emulate {
            Some(path) => match start_emulated(path, env).await {
                Ok(started) => {
                    for warning in &started.0.warnings {
                        let _ = writeln!(err, "warning: {warning}");
                    }
                    Some(started)
                }
                Err(message) => return refuse(err, message),
            },
            None => None,
        };
        let target = match Target::choose(&config, emulator.as_ref()) {
            Ok(target) => target,
            Err(message) => return refuse(err, message),
        };
        let transport = match Transport::choose(&caps.twilio, emulator.is_some()) {
            Ok(transport) => transport,
            Err(message) => return refuse(err, message),
        };
        let client = match target
            .credentials
            .client(&target.api_url, &target.account_sid)
        {
            Ok(client) => client,
            Err(e) => return refuse(err, format!("TWILIO_IVR_API_URL: {e}")),
        };
        if request.coverage_min.is_some() {
            if let Err((outcome, problem)) = coverage::gate::measurable(&client, &target.to).await {
                let _ = writeln!(err, "error: {}", config.redact(&problem));
                return outcome;
            }
        }
        // Only this process's own webhook listens; the proxy and the relay are reached by Twilio.
        let listener = if transport == Transport::Webhook {
            let port = caps.twilio.inbound_port.unwrap_or(0);
            match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                Ok(l) => Some(l),
                Err(e) => {
                    let _ = writeln!(
                        err,
                        "error: cannot listen on 127.0.0.1:{port} for webhooks: {e}"
                    );
                    return Outcome::Infrastructure;
                }
            }
        } else {
            None
        };
        let relay = if transport == Transport::Relay {
            match crate::twilio_relay::ready_relay(&client, err).await {
                Ok(relay) => Some(relay),
                Err(message) => {
                    let _ = writeln!(
                        err,
                        "error: {}; nothing was dialed",
                        config.redact(&message)
                    );
                    return Outcome::Infrastructure;
                }
            }
        } else {
            None
        };
        // The emulator calls the local webhook; Twilio calls the public URL.
        let local = listener
            .as_ref()
            .filter(|_| emulator.is_some())
            .and_then(|l| l.local_addr().ok())
            .map(|a| format!("http://{a}/"));
        let public_url = match &relay {
            Some(relay) => relay.base_url.clone(),
            None => match public_url(
                caps.twilio.public_url.as_deref(),
                local,
                transport == Transport::Proxy,
            ) {
                Ok(url) => url,
                Err(message) => return refuse(err, message),
            },
        };
        let auth_token = match (&target.auth_token, transport) {
            (Some(token), _) => token.clone(),
            // Behind the proxy or the relay no local webhook is served, so nothing here checks a
            // signature.
            (None, Transport::Proxy | Transport::Relay) => Secret::new(""),
            (None, Transport::Webhook) => return refuse(err, SIGNING_NEEDS_AUTH_TOKEN.to_string()),
        };
        let mut voice = CallerVoice::from_caps(&caps.twilio);
        voice.gather_timeout = caps.twilio.gather_timeout_secs;
        voice.hints = caps.twilio.hints.clone();
        let webhook = WebhookState {
            sessions: Sessions::default(),
            auth_token,
            public_url,
            endpoint: with_slash(&caps.twilio.inbound_endpoint),
            public_url_params: caps.twilio.public_url_params.clone(),
            hold: caps
                .twilio
                .wait_botium_response
                .min(Duration::from_secs(10)),
            voice,
            gather_in_urls: relay.is_some(),
        };
        // What a session's keys or List outlive: the call's time limit, and some.
        let ttl = Duration::from_secs(u64::from(caps.twilio.time_limit_secs) + 600);
        let link = match (transport, relay) {
            (Transport::Proxy, _) => {
                let url = caps
                    .twilio
                    .redis_url
                    .as_ref()
                    .map(|u| u.expose().to_string());
                let options = RelayOptions {
                    url: url.unwrap_or_default(),
                    topic_base: caps.twilio.redis_topic_base.clone(),
                    ttl,
                    outage_limit: caps.twilio.redis_outage_limit,
                };
                match RelayLink::connect(&options, webhook.sessions.clone()).await {
                    Ok(link) => Some(SessionLink::Proxy(link)),
                    Err(e) => {
                        let _ = writeln!(
                            err,
                            "error: {}; nothing was dialed",
                            config.redact(&e.to_string())
                        );
                        return Outcome::Infrastructure;
                    }
                }
            }
            (_, Some(relay)) => Some(SessionLink::Relay(FunctionLink::new(
                client.clone(),
                relay.sync_service_sid,
                webhook.clone(),
                ttl,
            ))),
            _ => None,
        };
        let server = listener.map(|listener| Serving::start(listener, router(webhook.clone())));
        let settings = Arc::new(CallSettings {
            client,
            webhook,
            to: target.to,
            redial: caps.twilio.redial,
            wait_call_started: caps.twilio.wait_call_started,
            wait_call_completed: caps.twilio.wait_call_completed,
            time_limit_secs: caps.twilio.time_limit_secs,
            record: caps.twilio.record,
            matcher,
            utterances: suite.utterances.clone(),
            options,
            live: LiveCalls::default(),
            link,
            emulator: emulator.as_ref().map(|(running, _)| running.store.clone()),
        });
        let parallel = request.parallel.max(1);
        let _ = writeln!(
            err,
            "caller IDs: {}",
            caller_id_summary(target.caller_ids.len(), parallel)
        );
        let caller_ids = CallerIds::new(&target.caller_ids);
        let outcome = run_cases(
            settings,
            caller_ids,
            selection.cases,
            Reporting {
                request,
                env,
                output,
                suite: selection.suite,
            },
            caps.twilio.calls_per_second,
            shutdown,
        )
        .await;
        // Every call has ended: a webhook still under way gets its answer before the end.
        if let Some(server) = server {
            let _ = tokio::time::timeout(SERVER_STOP_LIMIT, server.stop()).await;
        }
        if let Some((running, _)) = emulator {
            running.stop().await;
        }
        outcome
    }
}

/// How long the run's webhook server may take to answer the requests under way at the end.
const SERVER_STOP_LIMIT: Duration = Duration::from_secs(15);

/// Starts the emulator of `--emulate` (or `TWILIO_IVR_EMULATE`) on a free loopback port.
pub(crate) async fn start_emulated(
    path: &Path,
    env: &BTreeMap<String, String>,
) -> Result<(RunningEmulator, EmulatorConfig), String> {
    let config = EmulatorConfig::load(Some(path), env).map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot start the emulator: {e}"))?;
    let running = start_emulator(listener, config.clone(), EmulatorOptions::default())
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((running, config))
}

/// The base URL of the callbacks: the local webhook's when the emulator calls it, else
/// `TWILIO_IVR_PUBLICURL`, which is required then.
fn public_url(
    configured: Option<&str>,
    local: Option<String>,
    behind_proxy: bool,
) -> Result<String, &'static str> {
    match (configured, local) {
        (_, Some(local)) => Ok(local),
        (Some(url), None) => Ok(with_slash(url)),
        (None, None) if behind_proxy => {
            Err("TWILIO_IVR_PUBLICURL is required: the public URL of `ivr-test proxy start`")
        }
        (None, None) => Err(
            "TWILIO_IVR_PUBLICURL is required: the URL where Twilio reaches this machine's webhook (or use --emulate)",
        ),
    }
}

/// Where the calls go: the account, the numbers, the API.
struct Target {
    api_url: String,
    account_sid: String,
    /// What the REST client authenticates with.
    credentials: RestCredentials,
    /// The key Twilio signs webhooks with; absent when only an API key is configured.
    auth_token: Option<Secret>,
    /// `TWILIO_IVR_FROM` (never empty).
    caller_ids: Vec<String>,
    to: String,
}

impl Target {
    fn choose(
        config: &Config,
        emulator: Option<&(RunningEmulator, EmulatorConfig)>,
    ) -> Result<Target, String> {
        let twilio = &config.capabilities.twilio;
        match emulator {
            Some((running, emulator_config)) => {
                let account = emulator_config
                    .accounts
                    .first()
                    .ok_or("the emulator configuration has no account")?;
                // Without TWILIO_IVR_FROM every caller ID the emulator knows is used.
                let caller_ids = if twilio.caller_ids.is_empty() {
                    emulator_config.caller_ids.clone()
                } else {
                    twilio.caller_ids.clone()
                };
                if caller_ids.is_empty() {
                    return Err("TWILIO_IVR_FROM is required (or a caller_ids entry in the emulator configuration)".into());
                }
                let to = match (
                    &twilio.to,
                    emulator_config
                        .numbers
                        .keys()
                        .collect::<Vec<_>>()
                        .as_slice(),
                ) {
                    (Some(to), _) => to.clone(),
                    (None, [only]) => (*only).clone(),
                    (None, _) => {
                        return Err(
                            "TWILIO_IVR_TO is required: which emulated number is the IVR".into(),
                        )
                    }
                };
                Ok(Target {
                    api_url: running.base_url.clone(),
                    account_sid: account.sid.clone(),
                    credentials: RestCredentials::AuthToken(account.auth_token.clone()),
                    auth_token: Some(account.auth_token.clone()),
                    caller_ids,
                    to,
                })
            }
            None => {
                let (Some(account_sid), Some(credentials), Some(to), false) = (
                    &twilio.account_sid,
                    twilio.rest_credentials(),
                    &twilio.to,
                    twilio.caller_ids.is_empty(),
                ) else {
                    // Every missing one at once, not one per attempt.
                    let missing = config.missing_for_calls();
                    let verb = if missing.len() == 1 { "is" } else { "are" };
                    return Err(format!(
                        "{} {verb} required to call through Twilio (or use --emulate)",
                        missing.join(", ")
                    ));
                };
                Ok(Target {
                    api_url: twilio.api_url.clone(),
                    account_sid: account_sid.clone(),
                    credentials,
                    auth_token: twilio.auth_token.clone(),
                    caller_ids: twilio.caller_ids.clone(),
                    to: to.clone(),
                })
            }
        }
    }
}

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// Runs the test cases and the reporters until they end or `shutdown` resolves; the outcome
/// is the exit code's.
async fn run_cases(
    settings: Arc<CallSettings>,
    caller_ids: CallerIds,
    cases: Vec<(usize, Convo)>,
    report_to: Reporting<'_>,
    calls_per_second: u32,
    shutdown: impl Future<Output = ()>,
) -> Outcome {
    let mut reporters = report_to.reporters();
    let parallel = report_to.request.parallel.max(1);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<RunEvent>();
    let reporting = tokio::spawn(async move {
        let mut failed_write = false;
        while let Some(event) = rx.recv().await {
            failed_write |= reporters.event(&event).is_err();
        }
        failed_write |= reporters.finish().is_err();
        !failed_write
    });

    let started = Instant::now();
    let _ = tx.send(RunEvent::RunStarted {
        test_cases: cases.len(),
        parallel,
    });
    let permits = Arc::new(tokio::sync::Semaphore::new(parallel));
    let interval = Duration::from_secs_f64(1.0 / f64::from(calls_per_second.max(1)));
    let next_slot = Arc::new(tokio::sync::Mutex::new(tokio::time::Instant::now()));
    // Test cases start in their (name-sorted) order: each takes a call permit and then its
    // caller ID before the next one queues, so `--parallel 1` runs them one after another in
    // that order, and SMS test cases get caller IDs in that order too.
    let all = async {
        let mut tasks = Vec::new();
        // The index is the position in the whole suite, so shards number as one run does.
        for (index, case) in cases {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                break;
            };
            let want = if case.checks_sms() {
                CallerIdUse::Exclusive
            } else {
                CallerIdUse::Shared
            };
            // Held until the test case has ended: its SMS check included.
            let caller_id = caller_ids.take(want).await;
            let (settings, next_slot, tx) = (settings.clone(), next_slot.clone(), tx.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = permit;
                // Calls per second: each call waits for its slot.
                let slot = {
                    let mut next = next_slot.lock().await;
                    let slot = (*next).max(tokio::time::Instant::now());
                    *next = slot + interval;
                    slot
                };
                tokio::time::sleep_until(slot).await;
                run_test(&settings, index, &case, &caller_id.number, &tx).await
            }));
        }
        let mut results: Vec<TestResult> = Vec::new();
        for task in tasks {
            if let Ok(result) = task.await {
                results.push(result);
            }
        }
        results
    };
    let interrupted = tokio::select! {
        results = all => Err(results),
        () = shutdown => Ok(()),
    };
    let results = match interrupted {
        Err(results) => results,
        Ok(()) => {
            // Every call this run placed is hung up before leaving, those being placed right
            // now included (nothing new is dialed from here on).
            settings.live.close(CREATE_CALL_SETTLE_LIMIT).await;
            for sid in settings.live.sids() {
                let _ = settings.client.hang_up(&sid).await;
            }
            drop(tx);
            let _ = reporting.await;
            return Outcome::Interrupted;
        }
    };
    // A hang-up that failed on the way (Twilio unreachable for a moment) is tried once more.
    for sid in settings.live.sids() {
        let _ = settings.client.hang_up(&sid).await;
    }
    let summary = RunSummary::of(&results, started.elapsed());
    let request = report_to.request;
    let measured = if request.measure_coverage() {
        let emulator = settings.emulator.as_ref();
        let measured = coverage::measure(&settings.client, &settings.to, emulator, &results).await;
        let _ = tx.send(RunEvent::CoverageMeasured {
            coverage: measured.coverage.clone(),
        });
        Some(measured)
    } else {
        None
    };
    let _ = tx.send(RunEvent::RunFinished {
        summary: summary.clone(),
    });
    drop(tx);
    let reported = reporting.await.unwrap_or(false);
    let covered = measured.map_or(CoverageEnd::Met, |measured| {
        let err = &mut report_to.output.err.clone();
        let path = request.coverage.as_deref();
        coverage::gate::finish(&measured, path, request.coverage_min, err)
    });
    if summary.errors > 0 || !reported || covered == CoverageEnd::NotWritten {
        Outcome::Infrastructure
    } else if summary.failed > 0 {
        Outcome::TestFailed
    } else if covered == CoverageEnd::Below {
        Outcome::CoverageBelowMinimum
    } else {
        Outcome::Passed
    }
}
