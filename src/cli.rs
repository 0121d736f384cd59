//! The command line: `epay-sandbox [serve] [--addr …]` and helper subcommands.

use crate::config::Config;
use crate::crypto::{self, CardData, SandboxCrypto};
use crate::server;
use clap::{Parser, Subcommand};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use tokio::net::TcpListener;

/// ePay Sandbox: an offline emulator of Halyk Bank's ePay payment gateway.
///
/// Without a subcommand it serves (the same as `serve`); each subcommand takes only its own
/// options.
#[derive(Debug, Parser)]
#[command(name = "epay-sandbox", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Server options (when no subcommand is given).
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands, one variant each with its own options.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the sandbox server (the default).
    Serve(Box<ServeArgs>),
    /// Generate an RSA private key (PKCS#8 PEM) for `--rsa-key`.
    GenKey(GenKeyArgs),
    /// Print a base64 cryptogram for `/payment/cryptopay` (for curl demos).
    Cryptogram(CryptogramArgs),
    /// Exit 0 when a running sandbox answers 2xx on its health URL (a container HEALTHCHECK).
    Healthcheck(HealthcheckArgs),
    /// Print the OpenAPI document (as served at `/_sandbox/openapi.json`) and exit.
    Openapi,
    /// Probe a real ePay environment for its fidelity profile (docs/fidelity.md).
    Probe(Box<crate::probe::cli::ProbeArgs>),
}

/// Options of `healthcheck`.
#[derive(Debug, Clone, clap::Args)]
pub struct HealthcheckArgs {
    /// URL to GET (default: `/_sandbox/health` on `--addr`, through loopback).
    #[arg(long)]
    pub url: Option<String>,
    /// The address the sandbox listens on (as its `--addr`).
    #[arg(long, env = "EPAY_SANDBOX_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
}

/// Options of `gen-key`.
#[derive(Debug, Clone, clap::Args)]
pub struct GenKeyArgs {
    /// Where to write the private key.
    #[arg(long)]
    pub out: PathBuf,
    /// Key size in bits.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1024..=16384))]
    pub bits: u64,
}

/// Options of `cryptogram`.
#[derive(Debug, Clone, clap::Args)]
pub struct CryptogramArgs {
    /// Card number (12–19 digits, Luhn-valid unless --allow-bad-luhn).
    #[arg(long)]
    pub pan: String,
    /// Expiry as MMYY (or MM/YY).
    #[arg(long)]
    pub exp: String,
    /// CVC/CVV (3 or 4 digits).
    #[arg(long)]
    pub cvc: String,
    /// Terminal UUID the payment is made on.
    #[arg(long)]
    pub terminal: String,
    /// Accept a card number that fails the Luhn check (to test reason 472).
    #[arg(long)]
    pub allow_bad_luhn: bool,
    /// Public key PEM (SPKI) to encrypt with (default: the embedded sandbox key).
    #[arg(long)]
    pub key: Option<PathBuf>,
}

/// Options of the server.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    /// A host name is resolved once at start (`localhost:8080`; IPv4 first).
    #[arg(long, env = "EPAY_SANDBOX_ADDR", default_value = "127.0.0.1:8080", value_parser = socket_addr)]
    pub addr: SocketAddr,
    /// Directory with merchants.json, cards.json, reason_codes.json, result_codes.json
    /// (default: the fixtures compiled into the binary).
    #[arg(long, env = "EPAY_SANDBOX_FIXTURES")]
    pub fixtures: Option<PathBuf>,
    /// Log level: error, warn, info, debug, trace (info logs one line per request).
    /// Per-module directives (`info,epay_sandbox=debug`) are accepted too.
    #[arg(long, env = "EPAY_SANDBOX_LOG", default_value = "info", value_parser = log_filter)]
    pub log_level: String,
    /// Seed for reproducible ids, references and tokens.
    #[arg(long, env = "EPAY_SANDBOX_SEED")]
    pub seed: Option<u64>,
    /// RSA private key (PEM, PKCS#8 or PKCS#1) for cryptograms (default: the sandbox test key).
    #[arg(long, env = "EPAY_SANDBOX_RSA_KEY")]
    pub rsa_key: Option<PathBuf>,
    /// Base URL browsers reach the sandbox at (default: http://<bound address>).
    #[allow(rustdoc::invalid_html_tags)] // the comment is --help text, where <…> is a placeholder
    #[arg(long, env = "EPAY_SANDBOX_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// JSON state file (transactions, tokens) to start from and return to on reset; see
    /// docs/control-plane.md. `GET /_sandbox/state` writes the same format.
    #[arg(long, env = "EPAY_SANDBOX_STATE")]
    pub state: Option<PathBuf>,
    /// Most requests the journal (`GET /_sandbox/journal`) keeps.
    #[arg(long, env = "EPAY_SANDBOX_JOURNAL_CAP", default_value_t = 1000)]
    pub journal_cap: usize,
    /// Lifetime of a client-credentials token (`7200s`, `2h`, `PT2H`).
    #[arg(long, env = "EPAY_SANDBOX_TOKEN_TTL", default_value = "7200s", value_parser = sandbox_duration)]
    pub token_ttl: chrono::Duration,
    /// How long an unclaimed AUTH is held before it turns CANCEL_OLD (`7d`, `P7D`).
    #[arg(long, env = "EPAY_SANDBOX_AUTH_HOLD", default_value = "7d", value_parser = sandbox_duration)]
    pub auth_hold: chrono::Duration,
    /// How long a 3-D Secure challenge waits for the cardholder (`20m`, `PT20M`).
    #[arg(long, env = "EPAY_SANDBOX_3DS_TIMEOUT", default_value = "20m", value_parser = sandbox_duration)]
    pub three_ds_timeout: chrono::Duration,
    /// How long a merchant created with `POST /_sandbox/merchants` may go unused (no token
    /// issued) before it is removed with its data (`24h`, `P1D`).
    #[arg(long, env = "EPAY_SANDBOX_MERCHANT_IDLE", default_value = "24h", value_parser = sandbox_duration, global = true)]
    pub merchant_idle: chrono::Duration,
    /// More `Host` names the control plane (`/_sandbox`) answers besides IP addresses, localhost
    /// and the public URL's host; comma-separated, `.example.com` admits subdomains, `*` any.
    #[arg(long, env = "EPAY_SANDBOX_ALLOWED_HOSTS", value_delimiter = ',', global = true)]
    pub allowed_hosts: Vec<String>,
    /// Token every `/_sandbox` request must carry (Bearer, X-Sandbox-Token, or `?token=` once
    /// in a browser); for shared sandboxes.
    #[arg(long, env = "EPAY_SANDBOX_CONTROL_TOKEN", global = true)]
    pub control_token: Option<String>,
    /// postLink delivery options.
    #[command(flatten)]
    pub callbacks: CallbackArgs,
    /// Memory and connection limits.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// HTTPS and CORS.
    #[command(flatten)]
    pub web: WebArgs,
    /// The start-up fidelity profile.
    #[command(flatten)]
    pub fidelity: crate::fidelity::cli::FidelityArgs,
}

/// Serving HTTPS beside HTTP, and CORS on the bank-facing API (docs/tls.md).
#[derive(Debug, Clone, clap::Args)]
pub struct WebArgs {
    /// Origins allowed to call the bank-facing API from a browser (comma-separated,
    /// e.g. `https://shop.example`); default: any, the request's Origin is reflected.
    #[arg(long, env = "EPAY_SANDBOX_CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,
    /// Also serve HTTPS on --tls-addr.
    #[arg(long, env = "EPAY_SANDBOX_TLS", global = true)]
    pub tls: bool,
    /// Address of the HTTPS listener.
    #[arg(long, env = "EPAY_SANDBOX_TLS_ADDR", default_value = "127.0.0.1:8443", global = true)]
    pub tls_addr: SocketAddr,
    /// Certificate chain (PEM) to serve instead of a generated one (with --tls-key).
    #[arg(long, env = "EPAY_SANDBOX_TLS_CERT", requires = "tls_key", global = true)]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert.
    #[arg(long, env = "EPAY_SANDBOX_TLS_KEY", requires = "tls_cert", global = true)]
    pub tls_key: Option<PathBuf>,
    /// Where to write the generated CA certificate (default: epay-sandbox-ca-<port>.pem in the
    /// temporary directory).
    #[allow(rustdoc::invalid_html_tags)] // the comment is --help text, where <…> is a placeholder
    #[arg(long, env = "EPAY_SANDBOX_TLS_CA_FILE", global = true)]
    pub tls_ca_file: Option<PathBuf>,
}

impl WebArgs {
    fn tls(&self) -> Option<crate::tls::TlsOptions> {
        self.tls.then(|| crate::tls::TlsOptions {
            addr: self.tls_addr,
            cert: self.tls_cert.clone(),
            key: self.tls_key.clone(),
            ca_file: self.tls_ca_file.clone(),
        })
    }
}

/// Caps that keep a long-running sandbox's memory bounded (docs/benchmarks.md).
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Most transactions kept; the oldest finished ones are evicted first, NEW/AUTH ones last.
    #[arg(long, env = "EPAY_SANDBOX_MAX_TRANSACTIONS", default_value_t = 20_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_transactions: u64,
    /// Most access tokens kept; expired ones are pruned, then the oldest are evicted.
    #[arg(long, env = "EPAY_SANDBOX_MAX_TOKENS", default_value_t = 50_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_tokens: u64,
    /// Most saved cards kept (oldest evicted first).
    #[arg(long, env = "EPAY_SANDBOX_MAX_SAVED_CARDS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_saved_cards: u64,
    /// Most 3-D Secure sessions waiting for the cardholder (oldest evicted first; each also
    /// ends at its challenge timeout).
    #[arg(long = "max-3ds-sessions", env = "EPAY_SANDBOX_MAX_3DS_SESSIONS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_secure3d_sessions: u64,
    /// Most payment-page sessions (one per token that opened `/payform/`; oldest evicted first,
    /// each also goes when its token expires).
    #[arg(long, env = "EPAY_SANDBOX_MAX_PAYFORM_SESSIONS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub max_payform_sessions: u64,
    /// Most open client connections; more wait in the listen backlog.
    #[arg(long, env = "EPAY_SANDBOX_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,
    /// Time a client has to send a request's headers, in milliseconds.
    #[arg(long, env = "EPAY_SANDBOX_HEADER_TIMEOUT_MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_ms: u64,
    /// Most header lines in one request (more: 431).
    #[arg(long, env = "EPAY_SANDBOX_MAX_HEADERS", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub max_headers: u64,
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl ServeArgs {
    /// The run-time configuration these options describe.
    pub fn config(&self) -> Config {
        Config {
            addr: self.addr,
            fixtures_dir: self.fixtures.clone(),
            rsa_key: self.rsa_key.clone(),
            seed: self.seed,
            public_url: self.public_url.clone(),
            state_file: self.state.clone(),
            journal_capacity: self.journal_cap,
            callbacks: self.callbacks.settings(),
            callback_transport: self.callbacks.transport(),
            token_ttl: self.token_ttl,
            auth_hold: self.auth_hold,
            three_ds_timeout: self.three_ds_timeout,
            limits: crate::store::StoreLimits {
                transactions: to_usize(self.limits.max_transactions),
                tokens: to_usize(self.limits.max_tokens),
                saved_cards: to_usize(self.limits.max_saved_cards),
                secure3d_sessions: to_usize(self.limits.max_secure3d_sessions),
                payform_sessions: to_usize(self.limits.max_payform_sessions),
            },
            merchant_idle: self.merchant_idle,
            max_connections: to_usize(self.limits.max_connections),
            header_read_timeout: std::time::Duration::from_millis(self.limits.header_timeout_ms),
            max_headers: to_usize(self.limits.max_headers),
            cors_origins: self.web.cors_origins.clone(),
            tls: self.web.tls(),
            allowed_hosts: self.allowed_hosts.clone(),
            control_token: self.control_token.clone(),
            ..Config::default()
        }
    }
}

/// Parses a duration flag with the control plane's syntax (`90s`, `2h`, `7d`, `PT1H`); it must be
/// positive.
fn sandbox_duration(text: &str) -> Result<chrono::Duration, String> {
    match crate::domain::duration::parse_duration(text) {
        Ok(duration) if duration > chrono::Duration::zero() => Ok(duration),
        Ok(_) => Err("the duration must be positive".into()),
        Err(error) => Err(error.to_string()),
    }
}

/// Resolves `--addr`: an IP address with a port, or a host name with a port (IPv4 preferred).
fn socket_addr(text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if text
        .rsplit_once(':')
        .is_none_or(|(_, port)| port.parse::<u16>().is_err())
    {
        return Err(format!(
            "'{text}' is not HOST:PORT (e.g. 127.0.0.1:8080, localhost:8080, 0.0.0.0:0)"
        ));
    }
    let addrs: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve '{text}': {e}"))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .copied()
        .ok_or_else(|| format!("'{text}' resolves to no address"))
}

/// Log levels `--log-level` takes alone.
const LOG_LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

/// Checks `--log-level`: one of [`LOG_LEVELS`], or `tracing` directives with at least one
/// `target=level` (a bare word such as `loud` would silently filter on a target of that name).
fn log_filter(text: &str) -> Result<String, String> {
    let text = text.trim();
    let level_ok = |level: &str| LOG_LEVELS.contains(&level.trim().to_ascii_lowercase().as_str());
    let valid = !text.is_empty()
        && text.split(',').all(|directive| match directive.split_once('=') {
            Some((target, level)) => !target.trim().is_empty() && level_ok(level),
            None => level_ok(directive),
        });
    if valid {
        Ok(text.to_string())
    } else {
        Err(format!(
            "'{text}' is not a log level: use one of {} (or directives like info,epay_sandbox=debug)",
            LOG_LEVELS.join(", ")
        ))
    }
}

/// Runs the command line; returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(*args).await,
        Some(Command::GenKey(args)) => gen_key(&args.out, to_usize(args.bits)),
        Some(Command::Cryptogram(args)) => cryptogram(&args),
        Some(Command::Healthcheck(args)) => {
            crate::healthcheck::run(&args.url.unwrap_or_else(|| crate::healthcheck::url_for_addr(&args.addr)))
        }
        Some(Command::Openapi) => {
            println!("{:#}", crate::http::openapi::document());
            0
        }
        Some(Command::Probe(args)) => crate::probe::cli::probe(&args).await,
    }
}

fn cryptogram(args: &CryptogramArgs) -> i32 {
    match CardData::checked(&args.pan, &args.exp, &args.cvc, &args.terminal, args.allow_bad_luhn) {
        Ok(card) => print_cryptogram(card, args.key.as_deref()),
        Err(error) => {
            eprintln!("{error}");
            2
        }
    }
}

fn gen_key(out: &Path, bits: usize) -> i32 {
    let written = crypto::generate_private_pem(bits)
        .map_err(|e| e.to_string())
        .and_then(|pem| std::fs::write(out, pem).map_err(|e| format!("cannot write {}: {e}", out.display())));
    match written {
        Ok(()) => {
            println!("wrote a {bits}-bit RSA private key to {}", out.display());
            0
        }
        Err(error) => {
            eprintln!("{error}");
            1
        }
    }
}

fn print_cryptogram(card: CardData, key: Option<&Path>) -> i32 {
    let public_pem = match key {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display())),
        None => SandboxCrypto::embedded()
            .map(|k| k.public_pem().to_string())
            .map_err(|e| e.to_string()),
    };
    match public_pem.and_then(|pem| crypto::encrypt_cryptogram(&pem, &card).map_err(|e| e.to_string())) {
        Ok(cryptogram) => {
            println!("{cryptogram}");
            0
        }
        Err(error) => {
            eprintln!("{error}");
            1
        }
    }
}

async fn serve(args: ServeArgs) -> i32 {
    init_logging(&args.log_level);
    let mut config = args.config();
    config.fidelity = match args.fidelity.profile() {
        Ok(profile) => profile,
        Err(error) => {
            eprintln!("epay-sandbox: {error}");
            return 2;
        }
    };
    let sandbox = match server::build(config) {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("epay-sandbox: {error}");
            return 1;
        }
    };
    let listener = match TcpListener::bind(args.addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("epay-sandbox: cannot bind {}: {error}", args.addr);
            return 1;
        }
    };
    let bound = listener.local_addr().unwrap_or(args.addr);
    let url = args.public_url.clone().unwrap_or_else(|| format!("http://{bound}"));
    sandbox.set_public_url(url.clone());
    let listening = format!("ePay sandbox listening on http://{bound} (public URL {url})");
    println!("{listening}");
    tracing::info!("{listening}");
    let tls = match &sandbox.config().tls {
        Some(options) => match crate::tls::bind(options, args.public_url.as_deref()).await {
            Ok(tls) => Some(tls),
            Err(error) => {
                tracing::error!("{error}");
                return 1;
            }
        },
        None => None,
    };
    if let Some(tls) = &tls {
        tracing::info!("HTTPS on https://{} (HTTP/2 and HTTP/1.1)", tls.addr);
        if let (Some(pem), Some(file)) = (&tls.ca_pem, &tls.ca_file) {
            sandbox.set_tls_ca(pem.clone());
            tracing::info!(
                "sandbox CA certificate written to {} (also at {url}/_sandbox/tls/ca.pem); trust it in your client",
                file.display()
            );
        }
    }
    match server::serve_with_tls(listener, tls, sandbox, shutdown_signal()).await {
        Ok(()) => {
            tracing::info!("stopped");
            0
        }
        Err(error) => {
            tracing::error!("server error: {error}");
            1
        }
    }
}

fn init_logging(level: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(level).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Completes on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

/// How postLink / failurePostLink callbacks are delivered (docs/callbacks.md).
#[derive(Debug, Clone, clap::Args)]
pub struct CallbackArgs {
    /// Attempts per callback, the first included; a non-2xx answer or no answer is retried.
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_ATTEMPTS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub callback_attempts: u32,
    /// Wait before the second attempt, in milliseconds; it doubles after every failure.
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_BACKOFF_MS", default_value_t = 1000)]
    pub callback_backoff_ms: u64,
    /// Longest wait between two attempts, in milliseconds (the doubling stops there).
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_MAX_BACKOFF_MS", default_value_t = 300_000,
          value_parser = clap::value_parser!(u64).range(0..=3_600_000), global = true)]
    pub callback_max_backoff_ms: u64,
    /// Random share of each wait, in percent (a wait is shortened by up to this much).
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_JITTER", default_value_t = 20,
          value_parser = clap::value_parser!(u8).range(0..=100), global = true)]
    pub callback_jitter: u8,
    /// Time limit of one attempt, in milliseconds.
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_TIMEOUT_MS", default_value_t = 3000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub callback_timeout_ms: u64,
    /// Most callback attempts in flight at once (more wait their turn, none is dropped).
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_CONCURRENCY", default_value_t = 64,
          value_parser = clap::value_parser!(u64).range(1..=100_000), global = true)]
    pub callback_concurrency: u64,
    /// Most callback attempts in flight at once to one receiver (scheme, host, port).
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_HOST_CONCURRENCY", default_value_t = 8,
          value_parser = clap::value_parser!(u64).range(1..=100_000), global = true)]
    pub callback_host_concurrency: u64,
    /// PEM file of a CA certificate to trust for https:// callbacks, besides the system and
    /// webpki roots (repeatable).
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_CA", value_delimiter = ',', global = true)]
    pub callback_ca: Vec<PathBuf>,
    /// Do not verify https:// receivers' certificates (local receivers only).
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_INSECURE", global = true)]
    pub callback_insecure: bool,
    /// Extra copies of every callback, to test idempotent receivers (the bank calls twice).
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_DUPLICATES", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=100))]
    pub callback_duplicates: u32,
    /// Deliveries kept in the log (GET /_sandbox/deliveries); the oldest are evicted first.
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_LOG_CAPACITY", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub callback_log_capacity: u64,
}

impl CallbackArgs {
    /// The delivery settings these options describe.
    pub fn settings(&self) -> crate::callbacks::CallbackSettings {
        crate::callbacks::CallbackSettings {
            attempts: self.callback_attempts,
            backoff: std::time::Duration::from_millis(self.callback_backoff_ms),
            max_backoff: std::time::Duration::from_millis(self.callback_max_backoff_ms),
            jitter_percent: self.callback_jitter,
            timeout: std::time::Duration::from_millis(self.callback_timeout_ms),
            duplicates: self.callback_duplicates,
            log_capacity: usize::try_from(self.callback_log_capacity).unwrap_or(usize::MAX),
        }
    }

    /// The callback transport these options describe.
    pub fn transport(&self) -> crate::callbacks::Transport {
        crate::callbacks::Transport {
            extra_ca_files: self.callback_ca.clone(),
            insecure: self.callback_insecure,
            max_concurrent: to_usize(self.callback_concurrency),
            max_per_host: to_usize(self.callback_host_concurrency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addr_takes_host_names_and_refuses_nonsense() {
        let addr = Cli::try_parse_from(["epay-sandbox", "--addr", "localhost:8080"]).map(|c| c.serve.addr);
        assert_eq!(addr.map(|a| (a.ip().is_loopback(), a.port())).ok(), Some((true, 8080)));
        let serve = Cli::try_parse_from(["epay-sandbox", "serve", "--addr", "127.0.0.1:0"]);
        assert!(matches!(serve.map(|c| c.command), Ok(Some(Command::Serve(_)))));
        assert!(Cli::try_parse_from(["epay-sandbox", "--addr", "localhost"]).is_err());
        assert!(Cli::try_parse_from(["epay-sandbox", "--addr", "127.0.0.1:99999"]).is_err());
    }

    #[test]
    fn log_level_must_be_a_level_or_directives() {
        for good in ["warn", "INFO", "off", "info,epay_sandbox=debug", "tower_http=trace"] {
            assert!(
                Cli::try_parse_from(["epay-sandbox", "--log-level", good]).is_ok(),
                "{good}"
            );
        }
        for bad in ["loud", "", "info,loud", "x=loud", "=info"] {
            assert!(
                Cli::try_parse_from(["epay-sandbox", "--log-level", bad]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn subcommands_take_only_their_own_flags() {
        let help = Cli::try_parse_from(["epay-sandbox", "cryptogram", "--help"])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(help.contains("--pan") && help.contains("--terminal"), "{help}");
        assert!(!help.contains("--addr") && !help.contains("--max-tokens"), "{help}");
        let mixed = [
            "epay-sandbox",
            "cryptogram",
            "--pan",
            "4405639704015096",
            "--exp",
            "0125",
        ];
        assert!(Cli::try_parse_from(mixed.iter().chain(&["--cvc", "815", "--terminal", "t", "--seed", "1"])).is_err());
        assert!(Cli::try_parse_from(["epay-sandbox", "--seed", "1", "gen-key", "--out", "k.pem"]).is_err());
    }

    #[test]
    fn timing_flags_take_sandbox_durations() {
        let cli = Cli::try_parse_from([
            "epay-sandbox",
            "--token-ttl",
            "PT1H",
            "--auth-hold",
            "3d",
            "--three-ds-timeout",
            "90s",
        ]);
        let config = cli.map(|c| c.serve.config()).ok();
        let timings = config.map(|c| (c.token_ttl, c.auth_hold, c.three_ds_timeout));
        let expected = (
            chrono::Duration::hours(1),
            chrono::Duration::days(3),
            chrono::Duration::seconds(90),
        );
        assert_eq!(timings, Some(expected));
        let defaults = Cli::try_parse_from(["epay-sandbox"]).map(|c| c.serve.config()).ok();
        let defaults = defaults.map(|c| (c.token_ttl, c.auth_hold, c.three_ds_timeout));
        assert_eq!(
            defaults,
            Some((
                chrono::Duration::seconds(7200),
                chrono::Duration::days(7),
                chrono::Duration::minutes(20)
            ))
        );
        assert!(Cli::try_parse_from(["epay-sandbox", "--auth-hold", "0s"]).is_err());
        assert!(Cli::try_parse_from(["epay-sandbox", "--token-ttl", "soon"]).is_err());
    }

    #[test]
    fn callback_flags_become_delivery_settings() {
        let cli = Cli::try_parse_from([
            "epay-sandbox",
            "--callback-attempts",
            "3",
            "--callback-backoff-ms",
            "10",
            "--callback-max-backoff-ms",
            "40",
            "--callback-jitter",
            "0",
            "--callback-timeout-ms",
            "200",
            "--callback-duplicates",
            "1",
            "--callback-log-capacity",
            "50",
        ]);
        let settings = cli.map(|c| c.serve.config().callbacks).ok();
        let expected = crate::callbacks::CallbackSettings {
            attempts: 3,
            backoff: std::time::Duration::from_millis(10),
            max_backoff: std::time::Duration::from_millis(40),
            jitter_percent: 0,
            timeout: std::time::Duration::from_millis(200),
            duplicates: 1,
            log_capacity: 50,
        };
        assert_eq!(settings, Some(expected));
        let defaults = Cli::try_parse_from(["epay-sandbox"])
            .map(|c| c.serve.config().callbacks)
            .ok();
        assert_eq!(defaults, Some(crate::callbacks::CallbackSettings::default()));
    }

    #[test]
    fn web_flags_become_cors_origins_tls_and_callback_transport() {
        let config = Cli::try_parse_from([
            "epay-sandbox",
            "--cors-origins",
            "https://a.example,https://b.example",
            "--tls",
            "--tls-addr",
            "127.0.0.1:0",
            "--callback-ca",
            "one.pem",
            "--callback-ca",
            "two.pem",
            "--callback-insecure",
            "--callback-host-concurrency",
            "2",
        ])
        .map(|c| c.serve.config())
        .ok();
        let origins = config.as_ref().map(|c| c.cors_origins.clone()).unwrap_or_default();
        assert_eq!(origins, vec!["https://a.example", "https://b.example"]);
        let tls = config.as_ref().and_then(|c| c.tls.clone());
        assert_eq!(tls.map(|t| t.addr.port()), Some(0));
        let transport = config.map(|c| c.callback_transport).unwrap_or_default();
        assert_eq!(transport.extra_ca_files.len(), 2);
        assert!(transport.insecure);
        assert_eq!(transport.max_per_host, 2);
        let defaults = Cli::try_parse_from(["epay-sandbox"]).map(|c| c.serve.config()).ok();
        assert!(defaults
            .as_ref()
            .is_some_and(|c| c.tls.is_none() && c.cors_origins.is_empty()));
        assert_eq!(
            defaults.map(|c| c.callback_transport),
            Some(crate::callbacks::Transport::default())
        );
        assert!(Cli::try_parse_from(["epay-sandbox", "--tls-cert", "c.pem"]).is_err());
    }

    #[test]
    fn access_flags_become_config() {
        let config = Cli::try_parse_from([
            "epay-sandbox",
            "--allowed-hosts",
            "sandbox,.corp.example",
            "--control-token",
            "t",
        ])
        .map(|c| c.serve.config())
        .ok();
        let access = config.map(|c| (c.allowed_hosts, c.control_token));
        assert_eq!(
            access,
            Some((
                vec!["sandbox".to_string(), ".corp.example".to_string()],
                Some("t".to_string())
            ))
        );
    }

    #[test]
    fn limit_flags_become_config_and_default_to_config_defaults() {
        let config = Cli::try_parse_from(["epay-sandbox", "--max-transactions", "7", "--max-3ds-sessions", "3"])
            .map(|c| c.serve.config())
            .ok();
        assert_eq!(config.as_ref().map(|c| c.limits.transactions), Some(7));
        assert_eq!(config.as_ref().map(|c| c.limits.secure3d_sessions), Some(3));
        let defaults = Cli::try_parse_from(["epay-sandbox"]).map(|c| c.serve.config()).ok();
        let expected = Config::default();
        assert_eq!(defaults.as_ref().map(|c| c.limits), Some(expected.limits));
        assert_eq!(
            defaults.map(|c| (c.max_connections, c.header_read_timeout, c.max_headers)),
            Some((
                expected.max_connections,
                expected.header_read_timeout,
                expected.max_headers
            ))
        );
    }
}
