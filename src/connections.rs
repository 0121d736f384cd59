//! The accept loop: HTTP/1.1 connections served by hyper with limits axum's `serve` does not
//! expose, and a graceful drain.
//!
//! - at most [`ConnectionLimits::max_connections`] open connections: the loop stops accepting
//!   (the kernel backlog queues the rest) until one closes;
//! - a client has [`ConnectionLimits::header_read_timeout`] to send a request's headers (no
//!   slow-loris), and at most [`ConnectionLimits::max_headers`] of them (431 otherwise);
//! - body size and request time are limited by layers of the router (see [`crate::http::app`]),
//!   which also read every request body before routing, so a response that did not need the
//!   body never leaves unread bytes that would end keep-alive;
//! - hyper's own answers to requests it cannot parse (400, 414, 431) get a JSON body in the
//!   bank's error shape ([`crate::parse_errors`]);
//! - shutdown stops accepting, answers every request that reached the server (each with
//!   `Connection: close`), closes idle connections and waits for busy ones.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
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

/// How long, after shutdown begins, idle keep-alive connections stay open so that requests a
/// client already sent on them are read and answered (with `Connection: close`) rather than
/// cut off; the wait ends early once every connection has closed.
pub const SHUTDOWN_LINGER: Duration = Duration::from_millis(250);

/// The end of a listener's graceful shutdown: tells every connection to finish, then waits for
/// them all. It exists because hyper-util's `GracefulShutdown` tells a connection to finish
/// before it polls it again, and hyper closes an HTTP/1 connection it sees as idle at once: a
/// request already waiting in that connection's socket, not yet read because its task had not
/// run since it arrived, was dropped. A [`Drain`] polls the connection first, so such a request
/// is read and answered (with keep-alive off), whatever the scheduler did meanwhile.
#[derive(Debug)]
pub struct Drain {
    begun: watch::Sender<()>,
}

impl Default for Drain {
    fn default() -> Self {
        Drain {
            begun: watch::channel(()).0,
        }
    }
}

impl Drain {
    /// Serves `connection` to its end; see [`DrainWatcher::watch`].
    pub fn watch<C: Future>(&self, connection: C, finish: impl FnOnce(Pin<&mut C>)) -> impl Future<Output = C::Output> {
        self.watcher().watch(connection, finish)
    }

    /// A place in the drain for a connection that does not exist yet (one still in its TLS
    /// handshake): the drain waits for it from now on.
    pub fn watcher(&self) -> DrainWatcher {
        DrainWatcher {
            begun: self.begun.subscribe(),
        }
    }

    /// Begins the drain and waits until every watched connection has ended.
    pub async fn shutdown(self) {
        let _ = self.begun.send(());
        self.begun.closed().await;
    }
}

/// One connection's place in a [`Drain`].
#[derive(Debug)]
pub struct DrainWatcher {
    begun: watch::Receiver<()>,
}

impl DrainWatcher {
    /// Serves `connection` to its end. Once the drain begins, the connection takes in what
    /// already reached its socket, then `finish` asks it to end after its in-flight requests
    /// (hyper's `graceful_shutdown`).
    pub async fn watch<C: Future>(self, connection: C, finish: impl FnOnce(Pin<&mut C>)) -> C::Output {
        let DrainWatcher { mut begun } = self;
        let mut connection = std::pin::pin!(connection);
        tokio::select! {
            // The connection first: on the wake-up that brings the drain, it reads before it
            // is told to finish.
            biased;
            output = &mut connection => return output,
            _ = begun.changed() => {}
        }
        finish(connection.as_mut());
        let output = connection.await;
        // Held to here: the drain waits for every receiver to go.
        drop(begun);
        output
    }
}

/// What a connection's service answers a request with.
type Answer = Pin<Box<dyn Future<Output = Result<axum::response::Response, std::convert::Infallible>> + Send>>;

/// The request handler of one connection from `remote`: `app`, with [`ConnectInfo`] set, and
/// `Connection: close` on every answer once `draining` is set (shutdown has begun). Shared by
/// the plain and the TLS listener ([`crate::tls::serve`]).
pub fn handler(
    app: Router,
    remote: SocketAddr,
    draining: Arc<AtomicBool>,
) -> impl Fn(hyper::Request<Incoming>) -> Answer + Clone + Send + 'static {
    move |mut request| {
        request.extensions_mut().insert(ConnectInfo(remote));
        let response = app.clone().oneshot(request.map(axum::body::Body::new));
        let draining = draining.clone();
        Box::pin(async move {
            let mut response = response.await?;
            if draining.load(Ordering::Relaxed) {
                response.headers_mut().insert(
                    hyper::header::CONNECTION,
                    hyper::header::HeaderValue::from_static("close"),
                );
            }
            Ok(response)
        })
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting, answers what
/// arrives during [`SHUTDOWN_LINGER`] with `Connection: close`, closes idle connections and waits
/// for the busy ones to finish their in-flight requests (callers bound that wait).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let drain = Drain::default();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_headers(limits.max_headers);
    let draining = Arc::new(AtomicBool::new(false));
    accept_until_shutdown(listener, limits, shutdown, &draining, |stream, remote, permit| {
        let service = hyper::service::service_fn(handler(app.clone(), remote, draining.clone()));
        let io = TokioIo::new(crate::parse_errors::JsonParseErrors::new(stream));
        let connection = drain.watch(
            http.serve_connection(io, service),
            hyper::server::conn::http1::Connection::graceful_shutdown,
        );
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!("connection from {remote} ended: {error}");
            }
            drop(permit);
        });
    })
    .await;
    drain.shutdown().await;
    Ok(())
}

/// The accept loop both listeners share (plain here, TLS in [`crate::tls::serve`]): at most
/// [`ConnectionLimits::max_connections`] connections at once, each handed to `serve_one` with
/// the slot it holds until it ends. Once `shutdown` completes it stops accepting, sets
/// `draining` (answers then say `Connection: close`), takes in the connections already waiting
/// in the backlog (`accept_backlog`) and gives open connections up to [`SHUTDOWN_LINGER`] to
/// close by themselves; the caller then shuts the rest down gracefully.
pub async fn accept_until_shutdown(
    listener: TcpListener,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
    draining: &AtomicBool,
    mut serve_one: impl FnMut(TcpStream, SocketAddr, OwnedSemaphorePermit),
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
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
        serve_one(stream, remote, permit);
    }
    draining.store(true, Ordering::Relaxed);
    accept_backlog(listener, &slots, &mut serve_one);
    let all_closed = async {
        let _ = slots
            .acquire_many(u32::try_from(limits.max_connections).unwrap_or(u32::MAX))
            .await;
    };
    let _ = tokio::time::timeout(SHUTDOWN_LINGER, all_closed).await;
}

/// Hands `serve_one` every connection already waiting in `listener`'s backlog, without waiting
/// for more (as far as there are free slots), then closes the listener. The kernel completes a
/// client's connection before the server accepts it, so a client may have sent its request on
/// a connection still in the backlog; closing the listener with it there would reset that
/// connection, its request unanswered.
fn accept_backlog(
    listener: TcpListener,
    slots: &Arc<Semaphore>,
    serve_one: &mut impl FnMut(TcpStream, SocketAddr, OwnedSemaphorePermit),
) {
    // The std listener accepts with a system call each time (tokio's would first ask the
    // reactor, which may not have seen the latest arrivals); it stays non-blocking, so an empty
    // backlog is `WouldBlock`.
    let Ok(listener) = listener.into_std() else {
        return;
    };
    while let Ok(permit) = slots.clone().try_acquire_owned() {
        let Ok((stream, remote)) = listener.accept() else {
            break;
        };
        let Ok(stream) = stream.set_nonblocking(true).and_then(|()| TcpStream::from_std(stream)) else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        serve_one(stream, remote, permit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Connections the kernel completed before shutdown, still waiting in the listen backlog, are
    /// taken in rather than reset with the listener.
    #[tokio::test]
    async fn connections_waiting_in_the_backlog_at_shutdown_are_taken_in() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let mut clients = Vec::new();
        for _ in 0..3 {
            clients.push(TcpStream::connect(address).await.expect("connect"));
        }
        let limits = ConnectionLimits {
            max_connections: 8,
            header_read_timeout: Duration::from_secs(5),
            max_headers: 16,
        };
        let mut taken_in = Vec::new();
        let shutdown_already_begun = std::future::ready(());
        accept_until_shutdown(
            listener,
            limits,
            shutdown_already_begun,
            &AtomicBool::new(false),
            |stream, remote, _| {
                taken_in.push((stream, remote));
            },
        )
        .await;
        let mut remotes: Vec<SocketAddr> = taken_in.iter().map(|(_, remote)| *remote).collect();
        let mut expected: Vec<SocketAddr> = clients
            .iter()
            .map(|c| c.local_addr().expect("client address"))
            .collect();
        remotes.sort();
        expected.sort();
        assert_eq!(remotes, expected);
    }

    /// The race the drain exists for, made deterministic: a request is in an idle keep-alive
    /// connection's socket, and the drain begins before the connection's task has run.
    #[tokio::test]
    async fn a_request_already_in_the_socket_when_the_drain_begins_is_answered() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let mut client = TcpStream::connect(listener.local_addr().expect("address"))
            .await
            .expect("connect");
        let (server_side, _) = listener.accept().await.expect("accept");
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .expect("write");
        server_side.readable().await.expect("the request reached the socket");

        let drain = Drain::default();
        let service = hyper::service::service_fn(|_request| async {
            Ok::<_, std::convert::Infallible>(hyper::Response::new(String::from("answered")))
        });
        let connection = drain.watch(
            hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(server_side), service),
            hyper::server::conn::http1::Connection::graceful_shutdown,
        );
        let served = tokio::spawn(connection);
        tokio::time::timeout(Duration::from_secs(10), drain.shutdown())
            .await
            .expect("the drain ends once the connection has closed");
        served
            .await
            .expect("connection task")
            .expect("the connection ends cleanly");

        let mut answer = String::new();
        client.read_to_string(&mut answer).await.expect("read");
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer:?}");
        assert!(answer.ends_with("answered"), "{answer:?}");
    }
}
