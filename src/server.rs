//! Serving a sandbox: on a listener the caller chose, with graceful shutdown, and the
//! embeddable [`SandboxServer`] that tests start in-process on a free port.

use crate::config::Config;
use crate::engine::Sandbox;
use crate::fixtures::{FixtureError, Fixtures};
use crate::http;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often the background timer runs due work (pending outcomes, holds, token pruning).
const TIMER_PERIOD: Duration = Duration::from_millis(500);

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

/// Builds the sandbox state from a config: fixtures from the directory or the embedded copy.
pub fn build(config: Config) -> Result<Arc<Sandbox>, StartError> {
    let fixtures = match &config.fixtures_dir {
        Some(dir) => Fixtures::from_dir(dir)?,
        None => Fixtures::embedded()?,
    };
    Ok(Arc::new(Sandbox::new(config, fixtures)))
}

/// Serves `sandbox` on `listener` until `shutdown` completes, then drains in-flight requests
/// for at most [`http::SHUTDOWN_GRACE`].
pub async fn serve(
    listener: TcpListener,
    sandbox: Arc<Sandbox>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let timer = tokio::spawn(run_timers(sandbox.clone(), stop_rx.clone()));
    sandbox.callbacks.start();
    let app = http::app(sandbox.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let mut drain_rx = stop_rx;
    let signal = async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    };
    let server = axum::serve(listener, app).with_graceful_shutdown(signal);
    let server = tokio::spawn(async move { server.await });
    let drained = async {
        let _ = drain_rx.wait_for(|stopped| *stopped).await;
        tokio::time::sleep(http::SHUTDOWN_GRACE).await;
    };
    let result = tokio::select! {
        result = server => result.unwrap_or_else(|e| Err(std::io::Error::other(e))),
        _ = drained => Ok(()),
    };
    timer.abort();
    sandbox.callbacks.stop();
    result
}

async fn run_timers(sandbox: Arc<Sandbox>, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(TIMER_PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = tick.tick() => sandbox.run_due_timers(),
            _ = stop.changed() => return,
        }
    }
}

/// A sandbox running in-process, for tests and for embedding in other programs.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let server = epay_sandbox::SandboxServer::start(epay_sandbox::Config::default()).await?;
/// println!("ePay sandbox at {}", server.url());
/// server.sandbox().reset();
/// server.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct SandboxServer {
    url: String,
    addr: SocketAddr,
    sandbox: Arc<Sandbox>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
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
        let addr = sandbox.config.addr;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let url = sandbox
            .config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        sandbox.set_public_url(url.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, sandbox.clone(), async move {
            let _ = stopped.await;
        }));
        Ok(SandboxServer {
            url,
            addr,
            sandbox,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The sandbox state: reset it, move its clock, inspect its transactions.
    pub fn sandbox(&self) -> &Arc<Sandbox> {
        &self.sandbox
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
