//! The command line: `epay-sandbox [serve] [--addr …]` and helper subcommands.

use crate::config::Config;
use crate::crypto::{self, CardData, SandboxCrypto};
use crate::server;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tokio::net::TcpListener;

/// ePay Sandbox: an offline emulator of Halyk Bank's ePay payment gateway.
#[derive(Debug, Parser)]
#[command(name = "epay-sandbox", version, about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Server options.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the sandbox server (the default).
    Serve,
    /// Generate an RSA private key (PKCS#8 PEM) for `--rsa-key`.
    GenKey {
        /// Where to write the private key.
        #[arg(long)]
        out: PathBuf,
        /// Key size in bits.
        #[arg(long, default_value_t = 4096)]
        bits: usize,
    },
    /// Print a base64 cryptogram for `/payment/cryptopay` (for curl demos).
    Cryptogram {
        /// Card number.
        #[arg(long)]
        pan: String,
        /// Expiry as MMYY.
        #[arg(long)]
        exp: String,
        /// CVC/CVV.
        #[arg(long)]
        cvc: String,
        /// Terminal UUID the payment is made on.
        #[arg(long)]
        terminal: String,
        /// Public key PEM (SPKI) to encrypt with (default: the embedded sandbox key).
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Exit 0 when a running sandbox answers 2xx on its health URL (a container HEALTHCHECK).
    Healthcheck {
        /// URL to GET (default: `/_sandbox/health` on `--addr`, through loopback).
        #[arg(long)]
        url: Option<String>,
    },
}

/// Options of the server.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "EPAY_SANDBOX_ADDR", default_value = "127.0.0.1:8080", global = true)]
    pub addr: SocketAddr,
    /// Directory with merchants.json, cards.json, reason_codes.json, result_codes.json
    /// (default: the fixtures compiled into the binary).
    #[arg(long, env = "EPAY_SANDBOX_FIXTURES", global = true)]
    pub fixtures: Option<PathBuf>,
    /// Log level: error, warn, info, debug, trace (info logs one line per request).
    #[arg(long, env = "EPAY_SANDBOX_LOG", default_value = "info", global = true)]
    pub log_level: String,
    /// Seed for reproducible ids, references and tokens.
    #[arg(long, env = "EPAY_SANDBOX_SEED", global = true)]
    pub seed: Option<u64>,
    /// RSA private key (PEM, PKCS#8 or PKCS#1) for cryptograms (default: the sandbox test key).
    #[arg(long, env = "EPAY_SANDBOX_RSA_KEY", global = true)]
    pub rsa_key: Option<PathBuf>,
    /// Base URL browsers reach the sandbox at (default: http://<bound address>).
    #[arg(long, env = "EPAY_SANDBOX_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// JSON state file (transactions, tokens) to start from and return to on reset; see
    /// docs/control-plane.md. `GET /_sandbox/state` writes the same format.
    #[arg(long, env = "EPAY_SANDBOX_STATE", global = true)]
    pub state: Option<PathBuf>,
    /// Most requests the journal (`GET /_sandbox/journal`) keeps.
    #[arg(long, env = "EPAY_SANDBOX_JOURNAL_CAP", default_value_t = 1000, global = true)]
    pub journal_cap: usize,
    /// Lifetime of a client-credentials token (`7200s`, `2h`, `PT2H`).
    #[arg(long, env = "EPAY_SANDBOX_TOKEN_TTL", default_value = "7200s", value_parser = sandbox_duration, global = true)]
    pub token_ttl: chrono::Duration,
    /// How long an unclaimed AUTH is held before it turns CANCEL_OLD (`7d`, `P7D`).
    #[arg(long, env = "EPAY_SANDBOX_AUTH_HOLD", default_value = "7d", value_parser = sandbox_duration, global = true)]
    pub auth_hold: chrono::Duration,
    /// How long a 3-D Secure challenge waits for the cardholder (`20m`, `PT20M`).
    #[arg(long, env = "EPAY_SANDBOX_3DS_TIMEOUT", default_value = "20m", value_parser = sandbox_duration, global = true)]
    pub three_ds_timeout: chrono::Duration,
    /// postLink delivery options.
    #[command(flatten)]
    pub callbacks: CallbackArgs,
    /// Memory and connection limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Caps that keep a long-running sandbox's memory bounded (docs/benchmarks.md).
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Most transactions kept; the oldest finished ones are evicted first, NEW/AUTH ones last.
    #[arg(long, env = "EPAY_SANDBOX_MAX_TRANSACTIONS", default_value_t = 20_000,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub max_transactions: u64,
    /// Most access tokens kept; expired ones are pruned, then the oldest are evicted.
    #[arg(long, env = "EPAY_SANDBOX_MAX_TOKENS", default_value_t = 50_000,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub max_tokens: u64,
    /// Most saved cards kept (oldest evicted first).
    #[arg(long, env = "EPAY_SANDBOX_MAX_SAVED_CARDS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub max_saved_cards: u64,
    /// Most 3-D Secure sessions waiting for the cardholder (oldest evicted first; abandoned
    /// ones are dropped after twice the challenge timeout anyway).
    #[arg(long = "max-3ds-sessions", env = "EPAY_SANDBOX_MAX_3DS_SESSIONS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub max_secure3d_sessions: u64,
    /// Most open client connections; more wait in the listen backlog.
    #[arg(long, env = "EPAY_SANDBOX_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub max_connections: u64,
    /// Time a client has to send a request's headers, in milliseconds.
    #[arg(long, env = "EPAY_SANDBOX_HEADER_TIMEOUT_MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub header_timeout_ms: u64,
    /// Most header lines in one request (more: 431).
    #[arg(long, env = "EPAY_SANDBOX_MAX_HEADERS", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(1..=10_000), global = true)]
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
            token_ttl: self.token_ttl,
            auth_hold: self.auth_hold,
            three_ds_timeout: self.three_ds_timeout,
            limits: crate::store::StoreLimits {
                transactions: to_usize(self.limits.max_transactions),
                tokens: to_usize(self.limits.max_tokens),
                saved_cards: to_usize(self.limits.max_saved_cards),
                secure3d_sessions: to_usize(self.limits.max_secure3d_sessions),
            },
            max_connections: to_usize(self.limits.max_connections),
            header_read_timeout: std::time::Duration::from_millis(self.limits.header_timeout_ms),
            max_headers: to_usize(self.limits.max_headers),
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

/// Runs the command line; returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.serve).await,
        Command::GenKey { out, bits } => gen_key(&out, bits),
        Command::Cryptogram {
            pan,
            exp,
            cvc,
            terminal,
            key,
        } => print_cryptogram(
            CardData {
                hpan: pan,
                exp_date: exp,
                cvc,
                terminal_id: terminal,
            },
            key.as_deref(),
        ),
        Command::Healthcheck { url } => crate::healthcheck::run(
            &url.unwrap_or_else(|| crate::healthcheck::url_for_addr(&cli.serve.addr.to_string())),
        ),
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
    let config = args.config();
    let sandbox = match server::build(config) {
        Ok(sandbox) => sandbox,
        Err(error) => {
            tracing::error!("{error}");
            return 1;
        }
    };
    let listener = match TcpListener::bind(args.addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!("cannot bind {}: {error}", args.addr);
            return 1;
        }
    };
    let bound = listener.local_addr().unwrap_or(args.addr);
    let url = args.public_url.clone().unwrap_or_else(|| format!("http://{bound}"));
    sandbox.set_public_url(url.clone());
    tracing::info!("ePay sandbox listening on http://{bound} (public URL {url})");
    match server::serve(listener, sandbox, shutdown_signal()).await {
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
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_ATTEMPTS", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=100), global = true)]
    pub callback_attempts: u32,
    /// Wait before the second attempt, in milliseconds; it doubles after every failure.
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_BACKOFF_MS", default_value_t = 500, global = true)]
    pub callback_backoff_ms: u64,
    /// Time limit of one attempt, in milliseconds.
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_TIMEOUT_MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub callback_timeout_ms: u64,
    /// Extra copies of every callback, to test idempotent receivers (the bank calls twice).
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_DUPLICATES", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=100), global = true)]
    pub callback_duplicates: u32,
    /// Deliveries kept in the log (GET /_sandbox/deliveries); the oldest are evicted first.
    #[arg(long, env = "EPAY_SANDBOX_CALLBACK_LOG_CAPACITY", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub callback_log_capacity: u64,
}

impl CallbackArgs {
    /// The delivery settings these options describe.
    pub fn settings(&self) -> crate::callbacks::CallbackSettings {
        crate::callbacks::CallbackSettings {
            attempts: self.callback_attempts,
            backoff: std::time::Duration::from_millis(self.callback_backoff_ms),
            timeout: std::time::Duration::from_millis(self.callback_timeout_ms),
            duplicates: self.callback_duplicates,
            log_capacity: usize::try_from(self.callback_log_capacity).unwrap_or(usize::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
