//! The proxy's configuration: flags first, then `IVR_TEST_PROXY_*` environment variables, then
//! defaults. Auth tokens never come from the command line (it is visible to every user of the
//! machine in `ps`): one account from `TWILIO_IVR_ACCOUNT_SID` + `TWILIO_IVR_AUTH_TOKEN`, several
//! from a JSON accounts file.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::Secret;
use crate::relay::keys::DEFAULT_TOPIC_BASE;

/// The longest hold: Twilio gives a webhook 15 s, and the Redis round trips around the hold
/// need some of that.
pub const MAX_HOLD: Duration = Duration::from_secs(12);

/// The default hold limit.
pub const DEFAULT_HOLD: Duration = Duration::from_secs(10);

/// The default port.
pub const DEFAULT_PORT: u16 = 5001;

/// What the command line gave (`None`: not given, look at the environment).
#[derive(Debug, Clone, Default)]
pub struct ProxyArgs {
    /// `--port`.
    pub port: Option<u16>,
    /// `--host`.
    pub host: Option<String>,
    /// `--redis-url`.
    pub redis_url: Option<String>,
    /// `--public-url`.
    pub public_url: Option<String>,
    /// `--endpoint`.
    pub endpoint: Option<String>,
    /// `--topic-base`.
    pub topic_base: Option<String>,
    /// `--hold` (seconds).
    pub hold: Option<String>,
    /// `--accounts-file`.
    pub accounts_file: Option<PathBuf>,
}

/// The auth tokens of the Twilio accounts the proxy serves, by AccountSid.
#[derive(Debug, Clone, Default)]
pub struct Accounts(HashMap<String, Secret>);

impl Accounts {
    /// Accounts from `(sid, token)` pairs.
    pub fn new(pairs: impl IntoIterator<Item = (String, Secret)>) -> Accounts {
        Accounts(pairs.into_iter().collect())
    }

    /// The auth token of `account_sid`, if the proxy serves it.
    pub fn token(&self, account_sid: &str) -> Option<&Secret> {
        self.0.get(account_sid)
    }

    /// How many accounts.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every token (to keep them out of logs).
    pub fn tokens(&self) -> impl Iterator<Item = &Secret> {
        self.0.values()
    }
}

/// A complete, valid configuration.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// Port to listen on (0: any free port).
    pub port: u16,
    /// Address to listen on (default loopback: put a TLS reverse proxy in front).
    pub host: IpAddr,
    /// The Redis URL (may hold a password).
    pub redis_url: Secret,
    /// The public base URL Twilio calls; ends with `/`.
    pub public_url: String,
    /// The local path the routes are mounted under; starts and ends with `/`.
    pub endpoint: String,
    /// The key namespace shared with the runners.
    pub topic_base: String,
    /// How long a webhook waits for its runner's decision.
    pub hold: Duration,
    /// The accounts served.
    pub accounts: Accounts,
}

/// A configuration error: the proxy does not start (exit 2). Never contains a secret.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn setting(flag: Option<String>, env: &BTreeMap<String, String>, name: &str) -> Option<String> {
    flag.or_else(|| env.get(name).cloned())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl ProxyConfig {
    /// Resolves flags, environment and defaults; every problem is reported at once.
    pub fn load(
        args: &ProxyArgs,
        env: &BTreeMap<String, String>,
    ) -> Result<ProxyConfig, ConfigError> {
        let mut errors = Vec::new();
        let port = match args.port {
            Some(port) => port,
            None => match setting(None, env, "IVR_TEST_PROXY_PORT") {
                None => DEFAULT_PORT,
                Some(text) => text.parse().unwrap_or_else(|_| {
                    errors.push(format!("IVR_TEST_PROXY_PORT: not a port: {text}"));
                    DEFAULT_PORT
                }),
            },
        };
        let host_text = setting(args.host.clone(), env, "IVR_TEST_PROXY_HOST")
            .unwrap_or_else(|| "127.0.0.1".into());
        let host = host_text.parse().unwrap_or_else(|_| {
            errors.push(format!("--host: not an IP address: {host_text}"));
            IpAddr::from([127, 0, 0, 1])
        });
        let redis_url = setting(args.redis_url.clone(), env, "IVR_TEST_PROXY_REDIS_URL")
            .unwrap_or_else(|| "redis://127.0.0.1:6379/".into());
        if let Err(problem) = check_redis_url(&redis_url) {
            errors.push(format!("--redis-url: {problem}"));
        }
        let public_url = match setting(args.public_url.clone(), env, "IVR_TEST_PROXY_PUBLIC_URL") {
            None => {
                errors.push(
                    "--public-url (or IVR_TEST_PROXY_PUBLIC_URL) is required: webhooks are \
                     verified against the URL Twilio calls"
                        .into(),
                );
                String::new()
            }
            Some(url) => match url::Url::parse(&url) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => with_slash(&url),
                _ => {
                    errors.push(format!("--public-url: not an http(s) URL: {url}"));
                    String::new()
                }
            },
        };
        let endpoint = setting(args.endpoint.clone(), env, "IVR_TEST_PROXY_ENDPOINT").map_or_else(
            || "/".into(),
            |e| with_slash(&format!("/{}", e.trim_start_matches('/'))),
        );
        let topic_base = setting(args.topic_base.clone(), env, "IVR_TEST_PROXY_TOPIC_BASE")
            .unwrap_or_else(|| DEFAULT_TOPIC_BASE.into());
        let hold = match setting(args.hold.clone(), env, "IVR_TEST_PROXY_HOLD") {
            None => DEFAULT_HOLD,
            Some(text) => parse_hold(&text).unwrap_or_else(|problem| {
                errors.push(format!("--hold: {problem}"));
                DEFAULT_HOLD
            }),
        };
        let accounts_file = args
            .accounts_file
            .clone()
            .or_else(|| setting(None, env, "IVR_TEST_PROXY_ACCOUNTS_FILE").map(PathBuf::from));
        let accounts = load_accounts(accounts_file.as_deref(), env).unwrap_or_else(|problem| {
            errors.push(problem);
            Accounts::default()
        });
        if !errors.is_empty() {
            return Err(ConfigError(errors.join("\n")));
        }
        Ok(ProxyConfig {
            port,
            host,
            redis_url: Secret::new(redis_url),
            public_url,
            endpoint,
            topic_base,
            hold,
            accounts,
        })
    }
}

fn with_slash(text: &str) -> String {
    if text.ends_with('/') {
        text.to_string()
    } else {
        format!("{text}/")
    }
}

/// Seconds, decimals allowed; above [`MAX_HOLD`] is refused (Twilio would give up first).
fn parse_hold(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim_end_matches('s')
        .parse()
        .map_err(|_| format!("not a number of seconds: {text}"))?;
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(format!("not a number of seconds: {text}"));
    }
    let hold = Duration::from_secs_f64(seconds);
    if hold > MAX_HOLD {
        return Err(format!(
            "{text} s is over the {} s cap (Twilio waits 15 s for a webhook)",
            MAX_HOLD.as_secs()
        ));
    }
    Ok(hold)
}

/// A `redis://` or `rediss://` URL the client accepts; the message never repeats the URL (it
/// may hold a password).
fn check_redis_url(url: &str) -> Result<(), String> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("redis://") || lower.starts_with("rediss://")) {
        return Err("must start with redis:// or rediss://".into());
    }
    redis::Client::open(url)
        .map(|_| ())
        .map_err(|_| "not a valid Redis URL".to_string())
}

/// The accounts: the file's when given (JSON object AccountSid -> token), else the one of
/// `TWILIO_IVR_ACCOUNT_SID` + `TWILIO_IVR_AUTH_TOKEN`.
fn load_accounts(file: Option<&Path>, env: &BTreeMap<String, String>) -> Result<Accounts, String> {
    if let Some(file) = file {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("--accounts-file {}: {e}", file.display()))?;
        let map: BTreeMap<String, String> = serde_json::from_str(&text).map_err(|e| {
            format!(
                "--accounts-file {}: expected a JSON object {{\"AC...\": \"auth token\"}} \
                 (line {}, column {})",
                file.display(),
                e.line(),
                e.column()
            )
        })?;
        let mut accounts = Vec::new();
        for (sid, token) in map {
            if !sid.starts_with("AC") || token.trim().is_empty() {
                return Err(format!(
                    "--accounts-file {}: {sid:?} needs an AccountSid (AC...) and a non-empty token",
                    file.display()
                ));
            }
            accounts.push((sid, Secret::new(token.trim())));
        }
        if accounts.is_empty() {
            return Err(format!("--accounts-file {}: no account", file.display()));
        }
        return Ok(Accounts::new(accounts));
    }
    let sid = setting(None, env, "TWILIO_IVR_ACCOUNT_SID");
    let token = setting(None, env, "TWILIO_IVR_AUTH_TOKEN");
    match (sid, token) {
        (Some(sid), Some(token)) => Ok(Accounts::new([(sid, Secret::new(token))])),
        _ => Err(
            "no account: set TWILIO_IVR_ACCOUNT_SID and TWILIO_IVR_AUTH_TOKEN, or give \
                  --accounts-file FILE (JSON {\"AC...\": \"auth token\"})"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn flags_win_over_the_environment_and_defaults_fill_the_rest() {
        let env = env(&[
            ("IVR_TEST_PROXY_PORT", "6000"),
            ("IVR_TEST_PROXY_PUBLIC_URL", "https://env.example/hooks"),
            ("IVR_TEST_PROXY_HOLD", "2.5"),
            ("TWILIO_IVR_ACCOUNT_SID", "AC1"),
            ("TWILIO_IVR_AUTH_TOKEN", "tok"),
        ]);
        let args = ProxyArgs {
            port: Some(7000),
            ..ProxyArgs::default()
        };
        let config = ProxyConfig::load(&args, &env).unwrap();
        assert_eq!(config.port, 7000);
        assert_eq!(config.public_url, "https://env.example/hooks/");
        assert_eq!(config.hold, Duration::from_millis(2500));
        assert_eq!(config.topic_base, DEFAULT_TOPIC_BASE);
        assert_eq!(config.endpoint, "/");
        assert_eq!(config.accounts.token("AC1").unwrap().expose(), "tok");
        assert!(config.accounts.token("AC2").is_none());
    }

    #[test]
    fn every_problem_is_reported_without_secrets() {
        let env = env(&[("IVR_TEST_PROXY_HOLD", "20")]);
        let args = ProxyArgs {
            redis_url: Some("http://:hunter2@h".into()),
            ..ProxyArgs::default()
        };
        let error = ProxyConfig::load(&args, &env).unwrap_err().0;
        assert!(error.contains("--public-url"), "{error}");
        assert!(error.contains("--redis-url"), "{error}");
        assert!(
            error.contains("--hold: 20 s is over the 12 s cap"),
            "{error}"
        );
        assert!(error.contains("no account"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }

    #[test]
    fn an_accounts_file_serves_several_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("accounts.json");
        std::fs::write(&file, r#"{"AC1": "one", "AC2": "two"}"#).unwrap();
        let args = ProxyArgs {
            public_url: Some("http://127.0.0.1:1/".into()),
            accounts_file: Some(file.clone()),
            ..ProxyArgs::default()
        };
        let config = ProxyConfig::load(&args, &BTreeMap::new()).unwrap();
        assert_eq!(config.accounts.len(), 2);
        assert_eq!(config.accounts.token("AC2").unwrap().expose(), "two");
        std::fs::write(&file, r#"{"AC1": "secret-one", "x": 1}"#).unwrap();
        let error = ProxyConfig::load(&args, &BTreeMap::new()).unwrap_err().0;
        assert!(error.contains("expected a JSON object"), "{error}");
        assert!(!error.contains("secret-one"), "{error}");
    }
}
