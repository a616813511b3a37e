//! Whether Twilio will reach the runner: one check per transport. The in-process webhook needs
//! its public URL to answer on this machine's `TWILIO_IVR_INBOUNDPORT` (a tunnel), and the
//! auth token to check signatures; the Redis transport needs the proxy answering at its public
//! URL and Redis answering here; the relay (neither configured, or `TWILIO_IVR_TRANSPORT`
//! `relay`) needs to be deployed on the account in this binary's protocol.

use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use url::Url;

use twilio_wire::serve::Serving;
use twilio_wire::sid::new_sid;

use crate::config::{Config, TwilioCaps, SIGNING_NEEDS_AUTH_TOKEN};
use crate::runner::transport::Transport;
use crate::twilio_relay::{deploy, RelayState, PROTOCOL};
use twilio_wire::client::TwilioClient;

use super::Finding;

/// How long a probe request may take (a tunnel adds a round trip across the internet).
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The findings of the transport `run` would use against Twilio; `client` is the account's,
/// when its credentials work.
pub(super) async fn checks(
    twilio: &TwilioCaps,
    config: &Config,
    client: Option<&TwilioClient>,
) -> Vec<Finding> {
    let transport = match Transport::choose(twilio, false) {
        Ok(transport) => transport,
        Err(message) => {
            return vec![Finding::fail(
                "transport",
                message,
                "set TWILIO_IVR_TRANSPORT to match the configuration",
            )]
        }
    };
    match (transport, &twilio.redis_url, &twilio.public_url) {
        // Without working credentials there is nothing to look at (that line already failed).
        (Transport::Relay, _, _) => match client {
            Some(client) => vec![relay_ready(client).await],
            None => Vec::new(),
        },
        (Transport::Proxy, Some(redis_url), _) => vec![
            redis_answers(redis_url.expose(), config).await,
            proxy_answers(twilio.public_url.as_deref()).await,
        ],
        (_, _, Some(public_url)) => {
            let mut findings = vec![public_url_answers(public_url, twilio.inbound_port).await];
            if twilio.auth_token.is_none() {
                findings.push(Finding::fail(
                    "transport",
                    SIGNING_NEEDS_AUTH_TOKEN,
                    "set TWILIO_IVR_AUTH_TOKEN too, or unset TWILIO_IVR_PUBLICURL",
                ));
            }
            findings
        }
        (Transport::Webhook, _, None) => vec![Finding::fail(
            "transport",
            "TWILIO_IVR_TRANSPORT is webhook, but TWILIO_IVR_PUBLICURL is not set: Twilio cannot reach this machine",
            "set TWILIO_IVR_PUBLICURL to a tunnel to TWILIO_IVR_INBOUNDPORT, or use the relay",
        )],
        // `choose` gives the proxy only with Redis.
        (Transport::Proxy, None, _) => Vec::new(),
    }
}

/// The relay: deployed on the account, in this binary's protocol. A missing one is only a
/// warning (`run` deploys it on first use); an outdated one fails (`run` refuses it).
pub async fn relay_ready(client: &TwilioClient) -> Finding {
    match deploy::inspect(client).await {
        Ok(RelayState::Ready(info)) => Finding::ok(
            "relay",
            format!(
                "deployed at {} (protocol {PROTOCOL}, build {})",
                info.base_url, info.build_sid
            ),
        ),
        Ok(RelayState::Missing) => Finding::warn(
            "relay",
            "not deployed on this account: the first `ivr-test run` deploys it (a Twilio Function and a Sync Service)",
            "run `ivr-test relay deploy` now to deploy it ahead of the first run",
        ),
        Ok(RelayState::Outdated { found }) => Finding::fail(
            "relay",
            format!("outdated ({found}; this ivr-test speaks protocol {PROTOCOL}): `run` refuses it"),
            "run `ivr-test relay deploy`",
        ),
        Err(error) => Finding::fail(
            "relay",
            error.to_string(),
            "give credentials that may use Twilio's Serverless and Sync APIs",
        ),
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(PROBE_TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// The in-process transport: a request to the public URL must arrive at
/// `TWILIO_IVR_INBOUNDPORT` on this machine, where a probe answers it with a nonce.
pub async fn public_url_answers(public_url: &str, inbound_port: Option<u16>) -> Finding {
    let fail = |detail: String, fix: String| Finding::fail("transport", detail, fix);
    let Some(port) = inbound_port else {
        return fail(
            format!("TWILIO_IVR_PUBLICURL {public_url} is set but TWILIO_IVR_INBOUNDPORT is not, so the runner would listen on a random port no tunnel points at"),
            "set TWILIO_IVR_INBOUNDPORT to the local port the tunnel forwards to".into(),
        );
    };
    let tunnel_fix = format!(
        "start a tunnel to local port {port} (e.g. `ngrok http {port}`) and set TWILIO_IVR_PUBLICURL to its URL"
    );
    let nonce = new_sid("");
    let mut probe_url = match Url::parse(public_url) {
        Ok(url) => url,
        Err(e) => {
            return fail(
                format!("TWILIO_IVR_PUBLICURL {public_url}: {e}"),
                tunnel_fix,
            )
        }
    };
    if let Ok(mut path) = probe_url.path_segments_mut() {
        path.pop_if_empty().extend(["ivr-test-doctor", &nonce]);
    }
    // A port already in use (a run in progress) cannot host the probe: then only whether the
    // URL answers at all is known.
    let probe = match TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => {
            let answer = nonce.clone();
            let app = Router::new().fallback(move || std::future::ready(answer.clone()));
            Some(Serving::start(listener, app))
        }
        Err(_) => None,
    };
    let answer = match http_client().get(probe_url).send().await {
        Ok(response) => Ok((
            response.status().as_u16(),
            response.text().await.unwrap_or_default(),
        )),
        Err(e) => Err(e.without_url().to_string()),
    };
    let probed = probe.is_some();
    if let Some(probe) = probe {
        probe.stop().await;
    }
    match answer {
        Ok((_, body)) if probed && body == nonce => Finding::ok(
            "transport",
            format!("{public_url} reaches TWILIO_IVR_INBOUNDPORT {port} on this machine"),
        ),
        Ok((status, _)) if probed => fail(
            format!("{public_url} answers (HTTP {status}), but not from local port {port}: the tunnel forwards elsewhere"),
            tunnel_fix,
        ),
        Ok((status, _)) => Finding::warn(
            "transport",
            format!("{public_url} answers (HTTP {status}); port {port} is in use here, so whether it reaches this machine was not checked"),
            format!("run doctor while nothing else listens on port {port}"),
        ),
        Err(e) => fail(format!("{public_url} does not answer: {e}"), tunnel_fix),
    }
}

/// The Redis transport's far end: `ivr-test proxy start` answering `GET /health` at the
/// public URL's origin, and saying whether its own Redis answers.
pub async fn proxy_answers(public_url: Option<&str>) -> Finding {
    let fix = "start `ivr-test proxy start` on a public host and set TWILIO_IVR_PUBLICURL to its public URL";
    let Some(public_url) = public_url else {
        return Finding::fail(
            "proxy",
            "TWILIO_IVR_PUBLICURL (the proxy's public URL) is not set",
            fix,
        );
    };
    let health = match Url::parse(public_url).and_then(|url| url.join("/health")) {
        Ok(url) => url,
        Err(e) => {
            return Finding::fail(
                "proxy",
                format!("TWILIO_IVR_PUBLICURL {public_url}: {e}"),
                fix,
            )
        }
    };
    let body = match http_client().get(health.clone()).send().await {
        Ok(response) if response.status().is_success() => response
            .json::<serde_json::Value>()
            .await
            .unwrap_or_default(),
        Ok(response) => {
            let detail = format!(
                "{health} answers HTTP {}: not an ivr-test proxy",
                response.status().as_u16()
            );
            return Finding::fail("proxy", detail, fix);
        }
        Err(e) => {
            let detail = format!("the proxy does not answer at {health}: {}", e.without_url());
            return Finding::fail("proxy", detail, fix);
        }
    };
    match body["redis"].as_str() {
        Some("up") => Finding::ok(
            "proxy",
            format!("the proxy answers at {health}, its Redis is up"),
        ),
        Some(_) => Finding::fail(
            "proxy",
            format!("the proxy answers at {health} but cannot reach its Redis"),
            "check the proxy's --redis-url and that Redis runs",
        ),
        None => Finding::fail(
            "proxy",
            format!("{health} does not answer as an ivr-test proxy"),
            fix,
        ),
    }
}

/// The Redis transport's near end: Redis answering `PING` from this machine.
pub async fn redis_answers(redis_url: &str, config: &Config) -> Finding {
    let fix = "check TWILIO_IVR_REDISURL (host, port, password, rediss:// for TLS) and that this machine may reach it";
    let ping = async {
        let client = redis::Client::open(redis_url)?;
        let mut connection = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
    };
    // The URL may hold a password: only its redacted form is shown.
    let shown = config.redact(redis_url);
    match tokio::time::timeout(PROBE_TIMEOUT, ping).await {
        Ok(Ok(_)) => Finding::ok("redis", format!("{shown} answers")),
        Ok(Err(e)) => Finding::fail(
            "redis",
            format!("{shown} does not answer: {}", config.redact(&e.to_string())),
            fix,
        ),
        Err(_) => Finding::fail(
            "redis",
            format!(
                "{shown} does not answer within {} s",
                PROBE_TIMEOUT.as_secs()
            ),
            fix,
        ),
    }
}
