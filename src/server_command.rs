//! What the long-running server commands (`ivr-test emulator`, `ivr-test proxy start`) share:
//! binding their port, starting, and announcing where they listen, each failure said on
//! stderr and mapped to its exit code.

use std::fmt::Display;
use std::io::Write;
use std::net::IpAddr;

use tokio::net::TcpListener;

use crate::exit_code::Outcome;
use crate::output::{Output, SharedWriter};

/// Listens on `host:port`; a port that cannot be had is an infrastructure error.
pub async fn bind(host: IpAddr, port: u16, err: &SharedWriter) -> Result<TcpListener, Outcome> {
    TcpListener::bind((host, port)).await.map_err(|error| {
        err.line(&format!("error: cannot listen on {host}:{port}: {error}"));
        Outcome::Infrastructure
    })
}

/// The started server, or its start-up error said on stderr (a configuration problem).
pub fn started<T, E: Display>(result: Result<T, E>, err: &SharedWriter) -> Result<T, Outcome> {
    result.map_err(|error| {
        err.line(&format!("error: {error}"));
        Outcome::InvalidInput
    })
}

/// Says on stdout where the server listens; a closed stdout is an infrastructure error.
pub fn announce(output: &Output, line: &str) -> Result<(), Outcome> {
    let mut out = output.out.clone();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|_| Outcome::Infrastructure)
}
