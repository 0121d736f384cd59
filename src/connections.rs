//! The accept loop: HTTP/1.1 connections served by hyper with limits axum's `serve` does not
//! expose, and a graceful drain.
//!
//! - at most [`ConnectionLimits::max_connections`] open connections: the loop stops accepting
//!   (the kernel backlog queues the rest) until one closes;
//! - a client has [`ConnectionLimits::header_read_timeout`] to send a request's headers (no
//!   slow-loris), and at most [`ConnectionLimits::max_headers`] of them (431 otherwise);
//! - body size and request time are limited by layers of the router (see [`crate::http::app`]).

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::util::Oneshot;
use tower::ServiceExt;

/// Limits on client connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Longest a client may take to send the headers of a request.
    pub header_read_timeout: Duration,
    /// Most header lines in one request.
    pub max_headers: usize,
}

impl ConnectionLimits {
    /// The limits of a [`crate::Config`].
    pub fn of(config: &crate::Config) -> Self {
        ConnectionLimits {
            max_connections: config.max_connections.max(1),
            header_read_timeout: config.header_read_timeout,
            max_headers: config.max_headers.max(1),
        }
    }
}

/// The request handler of one connection from `remote`: `app`, with [`ConnectInfo`] set.
/// Shared by the plain and the TLS listener ([`crate::tls::serve`]).
pub fn handler(
    app: Router,
    remote: SocketAddr,
) -> impl Fn(hyper::Request<Incoming>) -> Oneshot<Router, hyper::Request<axum::body::Body>> + Clone + Send + 'static {
    move |mut request| {
        request.extensions_mut().insert(ConnectInfo(remote));
        app.clone().oneshot(request.map(axum::body::Body::new))
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting and waits for the
/// open connections to finish their in-flight requests (callers bound that wait).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_headers(limits.max_headers);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!("accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper::service::service_fn(handler(app.clone(), remote));
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!("connection from {remote} ended: {error}");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
