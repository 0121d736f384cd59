//! Run-time settings of a sandbox instance.

use chrono::Duration;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Settings a sandbox starts with. [`Config::default`] is what the binary runs with when given
/// no flags, except that the binary's default address is `127.0.0.1:8080` while the default
/// here is port 0 (any free port), which is what tests want.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to bind.
    pub addr: SocketAddr,
    /// Fixtures directory; `None` uses the embedded fixtures.
    pub fixtures_dir: Option<PathBuf>,
    /// RSA private key (PEM) for cryptograms; `None` uses the sandbox test key from the fixtures.
    pub rsa_key: Option<PathBuf>,
    /// Seed for reproducible ids and tokens; `None` is unguessable.
    pub seed: Option<u64>,
    /// Lifetime of a client-credentials token.
    pub token_ttl: Duration,
    /// Lifetime of a password-grant token.
    pub password_token_ttl: Duration,
    /// How long an AUTH stays unclaimed before it turns CANCEL_OLD.
    pub auth_hold: Duration,
    /// How long a 3-D Secure session waits for the customer.
    pub three_ds_timeout: Duration,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Longest a request may take.
    pub request_timeout: std::time::Duration,
    /// Most concurrent requests in flight.
    pub concurrency_limit: usize,
    /// Base URL the sandbox is reachable at from a browser (for 3-D Secure and payment pages);
    /// `None` derives it from the bound address.
    pub public_url: Option<String>,
    /// State file (`--state`) with transactions and tokens to start from (and reset to).
    pub state_file: Option<PathBuf>,
    /// Most requests the journal keeps (`GET /_sandbox/journal`).
    pub journal_capacity: usize,
    /// How postLink callbacks are delivered: attempts, backoff, timeout, duplicates, log size.
    pub callbacks: crate::callbacks::CallbackSettings,
    /// How callbacks reach receivers: extra trusted CAs, `--callback-insecure`, concurrency.
    pub callback_transport: crate::callbacks::Transport,
    /// Caps on stored transactions, tokens, saved cards and 3-D Secure sessions.
    pub limits: crate::store::StoreLimits,
    /// Most open client connections; further ones wait to be accepted.
    pub max_connections: usize,
    /// Longest a client may take to send a request's headers.
    pub header_read_timeout: std::time::Duration,
    /// Most headers in one request (more is refused with 431).
    pub max_headers: usize,
    /// How long a merchant created at run time (`POST /_sandbox/merchants`) may go unused
    /// before it is removed.
    pub merchant_idle: Duration,
    /// Origins the bank-facing API allows by CORS; empty reflects any request's origin.
    pub cors_origins: Vec<String>,
    /// Serve HTTPS too (`--tls`); `None` serves plain HTTP only.
    pub tls: Option<TlsOptions>,
    /// Extra `Host` names the control plane answers (`--allowed-hosts`; see
    /// [`crate::http::control::guard`]).
    pub allowed_hosts: Vec<String>,
    /// Token every control-plane request must carry (`--control-token`); `None`: no token.
    pub control_token: Option<String>,
    /// The fidelity profile to start with (`--fidelity`, `--fidelity-profile`); a reset returns to it.
    pub fidelity: crate::fidelity::Profile,
}

impl Config {
    /// The defaults with a seed: the same ids, references and tokens every run.
    pub fn seeded(seed: u64) -> Self {
        Config {
            seed: Some(seed),
            ..Config::default()
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            fixtures_dir: None,
            rsa_key: None,
            seed: None,
            token_ttl: Duration::seconds(7200),
            password_token_ttl: Duration::seconds(43199),
            auth_hold: Duration::days(7),
            three_ds_timeout: Duration::minutes(20),
            body_limit: 1024 * 1024,
            request_timeout: std::time::Duration::from_secs(30),
            concurrency_limit: 4096,
            public_url: None,
            state_file: None,
            journal_capacity: 1000,
            callbacks: crate::callbacks::CallbackSettings::default(),
            callback_transport: crate::callbacks::Transport::default(),
            limits: crate::store::StoreLimits::default(),
            max_connections: 1024,
            header_read_timeout: std::time::Duration::from_secs(10),
            max_headers: 100,
            merchant_idle: Duration::hours(24),
            cors_origins: Vec::new(),
            tls: None,
            allowed_hosts: Vec::new(),
            control_token: None,
            fidelity: crate::fidelity::Profile::default(),
        }
    }
}

/// How to serve HTTPS (`--tls`); [`crate::tls`] does the serving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    /// Address of the HTTPS listener (port 0 picks a free port).
    pub addr: SocketAddr,
    /// Certificate chain (PEM) to serve instead of a generated one; needs `key`.
    pub cert: Option<PathBuf>,
    /// Private key (PEM) of `cert`.
    pub key: Option<PathBuf>,
    /// Where to write the generated CA certificate; `None`: `epay-sandbox-ca-<port>.pem` in the
    /// temporary directory.
    pub ca_file: Option<PathBuf>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            cert: None,
            key: None,
            ca_file: None,
        }
    }
}
