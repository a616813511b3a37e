//! `ivr-test proxy start`: serves the webhook proxy until Ctrl-C or SIGTERM.

use std::collections::BTreeMap;
use std::future::Future;

use super::config::{ProxyArgs, ProxyConfig};
use super::log::ProxyLog;
use super::server::start;
use crate::config::redis_url_secrets;
use crate::exit_code::Outcome;
use crate::output::Output;
use crate::server_command::{announce, bind, started};

/// Serves the proxy until `shutdown` resolves; prints where it listens on `output.out`, the
/// webhook log and errors on `output.err`.
pub async fn run(
    args: &ProxyArgs,
    env: &BTreeMap<String, String>,
    output: &Output,
    shutdown: impl Future<Output = ()>,
) -> Outcome {
    let err = output.err.clone();
    let config = match ProxyConfig::load(args, env) {
        Ok(config) => config,
        Err(error) => {
            for line in error.0.lines() {
                err.line(&format!("error: {line}"));
            }
            return Outcome::InvalidInput;
        }
    };
    let listener = match bind(config.host, config.port, &err).await {
        Ok(listener) => listener,
        Err(outcome) => return outcome,
    };
    let log_to = err.clone();
    let log = ProxyLog::new(move |line| log_to.line(line));
    let proxy = match started(start(listener, &config, log).await, &err) {
        Ok(proxy) => proxy,
        Err(outcome) => return outcome,
    };
    let line = format!(
        "ivr-test proxy: listening on {}{} for {} (Redis {}, topic base {}, {} account(s), hold {:?})",
        proxy.local_url,
        config.endpoint,
        config.public_url,
        redacted_redis_url(config.redis_url.expose()),
        config.topic_base,
        config.accounts.len(),
        config.hold,
    );
    if let Err(outcome) = announce(output, &line) {
        return outcome;
    }
    if !proxy.redis_up().await {
        err.line("ivr-test proxy: Redis does not answer yet; retrying in the background");
    }
    shutdown.await;
    err.line("ivr-test proxy: stopping");
    proxy.stop().await;
    Outcome::Passed
}

/// The Redis URL with its password replaced.
fn redacted_redis_url(url: &str) -> String {
    let mut shown = url.to_string();
    for secret in redis_url_secrets(url) {
        shown = shown.replace(&secret, "<redacted>");
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redis_password_is_never_shown() {
        assert_eq!(
            redacted_redis_url("rediss://user:s3cret@h:6380/0"),
            "rediss://user:<redacted>@h:6380/0"
        );
    }
}
