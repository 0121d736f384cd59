//! Serving HTTPS (`--tls`, `docs/tls.md`): the certificate (generated at start-up by a sandbox
//! CA, or given as PEM files), the rustls server configuration with ALPN `h2` and `http/1.1`,
//! and the accept loop that terminates TLS before handing each connection to the same router
//! as the plain-HTTP listener.

use crate::connections::{self, ConnectionLimits};

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

pub use crate::config::TlsOptions;

/// A bound HTTPS listener with its acceptor.
pub struct TlsListener {
    /// The bound socket.
    pub listener: TcpListener,
    /// The TLS side.
    pub acceptor: TlsAcceptor,
    /// The bound address.
    pub addr: SocketAddr,
    /// The generated CA certificate (PEM), when the certificate was generated.
    pub ca_pem: Option<String>,
    /// Where that CA certificate was written.
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for TlsListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsListener")
            .field("addr", &self.addr)
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

/// Binds [`TlsOptions::addr`] and prepares the certificate: the given one, or a generated one
/// for [`hosts`], whose CA is written to a file ([`write_ca`]).
pub async fn bind(options: &TlsOptions, public_url: Option<&str>) -> Result<TlsListener, TlsError> {
    let listener = TcpListener::bind(options.addr)
        .await
        .map_err(|e| fail(format!("cannot bind {}: {e}", options.addr)))?;
    let addr = listener.local_addr().map_err(fail)?;
    let identity = match (&options.cert, &options.key) {
        (Some(cert), Some(key)) => load(cert, key)?,
        (None, None) => generate(&hosts(addr, public_url))?,
        _ => return Err(fail("--tls-cert and --tls-key go together")),
    };
    let ca_pem = identity.ca_pem.clone();
    let ca_file = match &ca_pem {
        Some(pem) => Some(write_ca(options, addr.port(), pem)?),
        None => None,
    };
    Ok(TlsListener {
        listener,
        acceptor: acceptor(identity)?,
        addr,
        ca_pem,
        ca_file,
    })
}

/// A certificate to serve: the chain (leaf first), its key, and the PEM of the CA that
/// signed it when the sandbox generated it.
#[derive(Debug)]
pub struct Identity {
    /// Leaf certificate first, then the CA.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key.
    pub key: PrivateKeyDer<'static>,
    /// The generated CA certificate (PEM); `None` for a certificate given with `--tls-cert`.
    pub ca_pem: Option<String>,
}

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("TLS: {0}")]
pub struct TlsError(String);

fn fail(what: impl std::fmt::Display) -> TlsError {
    TlsError(what.to_string())
}

/// A fresh sandbox CA ("ePay Sandbox CA", valid for as long as rcgen's default) and a leaf
/// signed by it for `hosts` (DNS names or IP addresses).
pub fn generate(hosts: &[String]) -> Result<Identity, TlsError> {
    let ca_key = KeyPair::generate().map_err(fail)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.distinguished_name.push(DnType::CommonName, "ePay Sandbox CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = ca.self_signed(&ca_key).map_err(fail)?;
    let leaf_key = KeyPair::generate().map_err(fail)?;
    let mut leaf = CertificateParams::new(hosts.to_vec()).map_err(fail)?;
    leaf.distinguished_name.push(DnType::CommonName, "ePay Sandbox");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    let leaf = leaf.signed_by(&leaf_key, &ca, &ca_key).map_err(fail)?;
    Ok(Identity {
        chain: vec![leaf.der().clone(), ca.der().clone()],
        key: PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        ca_pem: Some(ca.pem()),
    })
}

/// The certificate chain and key of `--tls-cert` / `--tls-key`.
pub fn load(cert: &std::path::Path, key: &std::path::Path) -> Result<Identity, TlsError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| fail(format!("{}: {e}", cert.display())))?;
    if chain.is_empty() {
        return Err(fail(format!("{} holds no certificate", cert.display())));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| fail(format!("{}: {e}", key.display())))?;
    Ok(Identity {
        chain,
        key,
        ca_pem: None,
    })
}

/// The names a generated certificate covers: `localhost`, the loopback addresses, the HTTPS
/// listener's address and the host of the public URL.
pub fn hosts(bound: SocketAddr, public_url: Option<&str>) -> Vec<String> {
    let mut hosts = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
    if !bound.ip().is_unspecified() {
        hosts.push(bound.ip().to_string());
    }
    let public_host = public_url
        .and_then(|url| reqwest::Url::parse(url).ok())
        .and_then(|url| url.host_str().map(|h| h.trim_matches(['[', ']']).to_string()));
    hosts.extend(public_host);
    let mut unique = Vec::new();
    for host in hosts {
        if !unique.contains(&host) {
            unique.push(host);
        }
    }
    unique
}

/// A TLS acceptor serving `identity`, offering HTTP/2 and HTTP/1.1 by ALPN.
pub fn acceptor(identity: Identity) -> Result<TlsAcceptor, TlsError> {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(fail)?
        .with_no_client_auth()
        .with_single_cert(identity.chain, identity.key)
        .map_err(fail)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves `app` over TLS on `listener` until `shutdown` completes, with the same limits as the
/// plain listener ([`connections::serve`]); the TLS handshake must finish within the header
/// timeout. HTTP/2 when the client offers it.
pub async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let drain = connections::Drain::default();
    let mut http = auto::Builder::new(TokioExecutor::new());
    http.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_headers(limits.max_headers);
    http.http2().timer(TokioTimer::new());
    let draining = Arc::new(AtomicBool::new(false));
    let handshake_timeout = limits.header_read_timeout;
    connections::accept_until_shutdown(listener, limits, shutdown, &draining, |stream, remote, permit| {
        let (acceptor, http, app, watcher) = (acceptor.clone(), http.clone(), app.clone(), drain.watcher());
        let draining = draining.clone();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(error)) => {
                    tracing::debug!("TLS handshake with {remote} failed: {error}");
                    return;
                }
                Err(_) => {
                    tracing::debug!("TLS handshake with {remote} timed out");
                    return;
                }
            };
            let service = hyper::service::service_fn(connections::handler(app, remote, draining));
            let connection = http.serve_connection(TokioIo::new(tls), service).into_owned();
            if let Err(error) = watcher.watch(connection, auto::Connection::graceful_shutdown).await {
                tracing::debug!("TLS connection from {remote} ended: {error}");
            }
            drop(permit);
        });
    })
    .await;
    drain.shutdown().await;
    Ok(())
}

/// Writes the CA certificate where [`TlsOptions::ca_file`] says (or the default for `port`)
/// and returns the path.
pub fn write_ca(options: &TlsOptions, port: u16, ca_pem: &str) -> Result<PathBuf, TlsError> {
    let path = options
        .ca_file
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("epay-sandbox-ca-{port}.pem")));
    std::fs::write(&path, ca_pem).map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_identity_has_a_leaf_and_its_ca() {
        let identity = generate(&hosts(SocketAddr::from(([127, 0, 0, 1], 8443)), None));
        let identity = identity.ok();
        assert_eq!(identity.as_ref().map(|i| i.chain.len()), Some(2));
        let pem = identity.and_then(|i| i.ca_pem).unwrap_or_default();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    }

    #[test]
    fn hosts_cover_loopback_the_bind_address_and_the_public_host() {
        let bound: SocketAddr = ([10, 0, 0, 5], 8443).into();
        let names = hosts(bound, Some("https://sandbox.example:8443/"));
        assert_eq!(
            names,
            vec!["localhost", "127.0.0.1", "::1", "10.0.0.5", "sandbox.example"]
        );
        let names = hosts(([0, 0, 0, 0], 1).into(), Some("http://[::1]:8080"));
        assert_eq!(names, vec!["localhost", "127.0.0.1", "::1"]);
    }
}
