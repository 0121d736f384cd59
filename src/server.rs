//! Serving a sandbox: on a listener the caller chose, with graceful shutdown, and the
//! embeddable [`SandboxServer`] that tests start in-process on a free port.

use crate::config::Config;
use crate::control::merchants::{MerchantError, NewMerchant};
use crate::control::state::StateFile;
use crate::control::transactions::TransactionFilter;
use crate::crypto::SandboxCrypto;
use crate::domain::merchants::Merchant;
use crate::domain::scenario::{ForcedOutcome, RuleError, RuleMatch, ScenarioRule};
use crate::domain::tokens::Token;
use crate::domain::transaction::Transaction;
use crate::engine::{ClockRangeError, PartitionReset, Sandbox};
use crate::fixtures::{FixtureError, Fixtures};
use crate::http;
use chrono::{DateTime, Utc};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// The longest the timer task sleeps without looking at the deadline queue again (it is woken
/// early whenever something earlier is scheduled or the clock moves).
const MAX_TIMER_SLEEP: Duration = Duration::from_secs(60);

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Fixtures are missing or malformed.
    #[error(transparent)]
    Fixtures(#[from] FixtureError),
    /// The address could not be bound.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// Any other start-up failure (such as an unreadable RSA key).
    #[error("{0}")]
    Other(String),
}

/// Builds the sandbox state from a config: fixtures from the directory or the embedded copy, the
/// RSA key from `--rsa-key`, the fixtures directory or the embedded test key.
pub fn build(config: Config) -> Result<Arc<Sandbox>, StartError> {
    let fixtures = match &config.fixtures_dir {
        Some(dir) => Fixtures::from_dir(dir)?,
        None => Fixtures::embedded()?,
    };
    let crypto = SandboxCrypto::load(config.rsa_key.as_deref(), config.fixtures_dir.as_deref())
        .map_err(|e| StartError::Other(e.to_string()))?;
    config.callback_transport.extra_roots().map_err(StartError::Other)?;
    let Some(path) = config.state_file.clone() else {
        return Ok(Arc::new(Sandbox::with_crypto(config, fixtures, crypto)));
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| StartError::Other(format!("cannot read state file {}: {e}", path.display())))?;
    let state = StateFile::parse(&text)
        .map_err(|e| StartError::Other(format!("state file {} is malformed: {e}", path.display())))?;
    Sandbox::with_state(config, fixtures, crypto, state)
        .map(Arc::new)
        .map_err(|e| StartError::Other(format!("state file {}: {e}", path.display())))
}

/// Serves `sandbox` on `listener` until `shutdown` completes, then drains in-flight requests
/// for at most [`http::SHUTDOWN_GRACE`].
pub async fn serve(
    listener: TcpListener,
    sandbox: Arc<Sandbox>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_tls(listener, None, sandbox, shutdown).await
}

/// Like [`serve`], and HTTPS on `tls` beside the plain listener, with the same router.
pub async fn serve_with_tls(
    listener: TcpListener,
    tls: Option<crate::tls::TlsListener>,
    sandbox: Arc<Sandbox>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let timer = tokio::spawn(run_timers(sandbox.clone(), stop_rx.clone()));
    sandbox.callbacks().start();
    let app = http::app(sandbox.clone());
    let limits = crate::connections::ConnectionLimits::of(sandbox.config());
    let mut drain_rx = stop_rx.clone();
    let signal = async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    };
    let secure = tls.map(|tls| {
        let mut stopped = stop_rx;
        let stopped = async move {
            let _ = stopped.wait_for(|stopped| *stopped).await;
        };
        tokio::spawn(crate::tls::serve(
            tls.listener,
            tls.acceptor,
            app.clone(),
            limits,
            stopped,
        ))
    });
    let server = tokio::spawn(crate::connections::serve(listener, app, limits, signal));
    let servers = async {
        let plain = server.await.unwrap_or_else(|e| Err(std::io::Error::other(e)));
        let secure = match secure {
            Some(secure) => secure.await.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            None => Ok(()),
        };
        plain.and(secure)
    };
    let drained = async {
        let _ = drain_rx.wait_for(|stopped| *stopped).await;
        tokio::time::sleep(http::SHUTDOWN_GRACE).await;
    };
    let result = tokio::select! {
        result = servers => result,
        _ = drained => Ok(()),
    };
    timer.abort();
    sandbox.callbacks().stop();
    result
}

/// The timer task: sleeps until the earliest job of the deadline queue is due (in sandbox
/// time, so a frozen clock sleeps until the clock moves), runs what is due, and is woken early
/// when an earlier job is scheduled or the clock moves.
async fn run_timers(sandbox: Arc<Sandbox>, mut stop: watch::Receiver<bool>) {
    loop {
        sandbox.run_due_timers();
        let wait = match sandbox.deadlines().next_due() {
            Some(_) if sandbox.clock().is_frozen() => MAX_TIMER_SLEEP,
            Some(at) => (at - sandbox.clock().now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(MAX_TIMER_SLEEP),
            None => MAX_TIMER_SLEEP,
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = sandbox.deadlines().notified() => {}
            _ = stop.changed() => return,
        }
    }
}

/// A sandbox running in-process, for tests and for embedding in other programs: the Rust
/// equivalent of `createEmulator({seed}) → {url, reset, close}`.
///
/// ```
/// use epay_sandbox::{Config, SandboxServer};
/// use std::time::Duration;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let runtime = tokio::runtime::Runtime::new()?;
/// runtime.block_on(async {
///     let server = SandboxServer::start(Config { seed: Some(42), ..Config::default() }).await?;
///     let token: serde_json::Value = reqwest::Client::new()
///         .post(format!("{}/oauth2/token", server.url()))
///         .form(&[
///             ("grant_type", "client_credentials"),
///             ("scope", "webapi payment"),
///             ("client_id", "test"),
///             ("client_secret", "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG"),
///             ("terminal", "67e34d63-102f-4bd1-898e-370781d0074d"),
///         ])
///         .send()
///         .await?
///         .json()
///         .await?;
///     assert_eq!(token["expires_in"], "7200"); // a string, as the bank's iOS SDK decodes it
///     assert_eq!(server.tokens().len(), 1);
///
///     server.freeze();
///     server.advance(Duration::from_secs(7200))?; // the token expires
///     assert!(server.tokens().is_empty());
///
///     server.reset();
///     server.shutdown().await;
///     Ok::<_, Box<dyn std::error::Error>>(())
/// })
/// # }
/// ```
#[derive(Debug)]
pub struct SandboxServer {
    url: String,
    addr: SocketAddr,
    tls_url: Option<String>,
    tls_ca_file: Option<std::path::PathBuf>,
    sandbox: Arc<Sandbox>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    http: reqwest::Client,
}

impl SandboxServer {
    /// Builds a sandbox from `config`, binds `config.addr` (port 0 picks a free port) and serves
    /// it on the current tokio runtime.
    pub async fn start(config: Config) -> Result<Self, StartError> {
        let sandbox = build(config)?;
        Self::start_with(sandbox).await
    }

    /// Serves an already built sandbox.
    pub async fn start_with(sandbox: Arc<Sandbox>) -> Result<Self, StartError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| StartError::Other(format!("cannot build the helpers' HTTP client: {e}")))?;
        let addr = sandbox.config().addr;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let url = sandbox
            .config()
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        sandbox.set_public_url(url.clone());
        let tls = match &sandbox.config().tls {
            Some(options) => Some(
                crate::tls::bind(options, sandbox.config().public_url.as_deref())
                    .await
                    .map_err(|e| StartError::Other(e.to_string()))?,
            ),
            None => None,
        };
        if let Some(pem) = tls.as_ref().and_then(|t| t.ca_pem.clone()) {
            sandbox.set_tls_ca(pem);
        }
        let tls_url = tls.as_ref().map(|t| format!("https://{}", t.addr));
        let tls_ca_file = tls.as_ref().and_then(|t| t.ca_file.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve_with_tls(listener, tls, sandbox.clone(), async move {
            let _ = stopped.await;
        }));
        Ok(SandboxServer {
            url,
            addr,
            tls_url,
            tls_ca_file,
            sandbox,
            stop: Some(stop),
            task: Some(task),
            http,
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// An HTTP client for this sandbox (redirects are not followed), as the helpers of
    /// [`crate::testkit`] use it.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base URL of the HTTPS listener (`https://127.0.0.1:…`), when `Config::tls` is set.
    pub fn tls_url(&self) -> Option<&str> {
        self.tls_url.as_deref()
    }

    /// Where the generated CA certificate was written, when there is one.
    pub fn tls_ca_file(&self) -> Option<&std::path::Path> {
        self.tls_ca_file.as_deref()
    }

    /// The sandbox state: reset it, move its clock, inspect its transactions.
    pub fn sandbox(&self) -> &Arc<Sandbox> {
        &self.sandbox
    }

    /// Everything back to the fixtures (see [`Sandbox::reset`]).
    pub fn reset(&self) {
        self.sandbox.reset();
    }

    /// Removes only one merchant's transactions, tokens and rules (parallel tests each use
    /// their own merchant; see [`SandboxServer::create_merchant`]).
    pub fn reset_merchant(&self, client_id: &str) -> PartitionReset {
        self.sandbox.reset_partition(Some(client_id), None)
    }

    /// Restarts the id sequence with `seed`.
    pub fn reseed(&self, seed: u64) {
        self.sandbox.reseed(Some(seed));
    }

    /// Sandbox time now.
    pub fn now(&self) -> DateTime<Utc> {
        self.sandbox.clock().now()
    }

    /// Stops sandbox time until it is advanced.
    pub fn freeze(&self) {
        self.sandbox.freeze_clock(None);
    }

    /// Lets sandbox time flow again.
    pub fn unfreeze(&self) {
        self.sandbox.unfreeze_clock();
    }

    /// Moves sandbox time forward and runs what became due (token expiry, AUTH holds turning
    /// CANCEL_OLD, pending outcomes settling).
    pub fn advance(&self, by: Duration) -> Result<(), ClockRangeError> {
        let by = chrono::Duration::from_std(by).map_err(|_| ClockRangeError)?;
        self.sandbox.advance_clock(by)
    }

    /// Forces `outcome` on the next `times` attempts matching `matcher`.
    pub fn add_scenario(
        &self,
        matcher: RuleMatch,
        outcome: ForcedOutcome,
        times: u32,
    ) -> Result<ScenarioRule, RuleError> {
        self.sandbox.add_scenario(matcher, outcome, times)
    }

    /// Deletes every scenario rule.
    pub fn clear_scenarios(&self) {
        self.sandbox.clear_scenarios();
    }

    /// A transaction by id.
    pub fn transaction(&self, id: Uuid) -> Option<Transaction> {
        self.sandbox.transaction(id)
    }

    /// A transaction by terminal and invoiceId.
    pub fn transaction_by_invoice(&self, terminal: &str, invoice_id: &str) -> Option<Transaction> {
        self.sandbox.transaction_by_invoice(terminal, invoice_id)
    }

    /// Transactions passing `filter`, newest first.
    pub fn transactions(&self, filter: &TransactionFilter) -> Vec<Transaction> {
        self.sandbox.find_transactions(filter).unwrap_or_default()
    }

    /// Live tokens.
    pub fn tokens(&self) -> Vec<Token> {
        self.sandbox.live_tokens()
    }

    /// Creates a merchant with terminals (defaults for what is omitted).
    pub fn create_merchant(&self, merchant: NewMerchant) -> Result<Merchant, MerchantError> {
        self.sandbox.create_merchant(merchant)
    }

    /// Stops serving and waits for in-flight requests to drain.
    pub async fn shutdown(mut self) {
        self.stop_now();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for SandboxServer {
    fn drop(&mut self) {
        self.stop_now();
    }
}
