//! How callbacks reach the merchant: the HTTP(S) client with its certificate trust, and the
//! limits on concurrent deliveries (globally and per receiving host).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Start-up options of the callback transport (`--callback-ca`, `--callback-insecure`,
/// `--callback-concurrency`, `--callback-host-concurrency`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transport {
    /// PEM files with CA certificates trusted for `https://` links, besides the system roots
    /// and the webpki (Mozilla) roots.
    pub extra_ca_files: Vec<PathBuf>,
    /// Accept any certificate from an `https://` receiver (for local receivers only).
    pub insecure: bool,
    /// Most attempts in flight at once, all receivers together; further ones wait their turn.
    pub max_concurrent: usize,
    /// Most attempts in flight at once to one receiver (scheme, host and port).
    pub max_per_host: usize,
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            extra_ca_files: Vec::new(),
            insecure: false,
            max_concurrent: 64,
            max_per_host: 8,
        }
    }
}

impl Transport {
    /// The extra CA certificates (`--callback-ca`), read and parsed, or why a file cannot be used.
    /// Start-up calls this to refuse a bad file at once; the client itself is built on the first
    /// delivery ([`Transport::client`] loads the system roots, the bulk of the sandbox's start-up
    /// time when done eagerly).
    pub fn extra_roots(&self) -> Result<Vec<reqwest::Certificate>, String> {
        let mut roots = Vec::new();
        for path in &self.extra_ca_files {
            let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("{} holds no PEM certificate: {e}", path.display()))?;
            if certificates.is_empty() {
                return Err(format!("{} holds no PEM certificate", path.display()));
            }
            roots.extend(certificates);
        }
        Ok(roots)
    }

    /// The HTTP client for callbacks, or why it cannot be built (an unreadable CA file …).
    /// Redirects are not followed and no proxy is used: the sandbox calls the merchant's URL
    /// directly (C-02). TLS is rustls with the system and webpki roots (C-08).
    pub fn client(&self) -> Result<reqwest::Client, String> {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(true)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none());
        for certificate in self.extra_roots()? {
            builder = builder.add_root_certificate(certificate);
        }
        if self.insecure {
            builder = builder.danger_accept_invalid_certs(true);
        }
        builder
            .build()
            .map_err(|e| format!("cannot build the callback HTTP client: {e}"))
    }
}

/// The concurrency limits in force: one global semaphore and one per receiving host.
#[derive(Debug)]
pub(super) struct Limits {
    global: Arc<Semaphore>,
    per_host: Mutex<HashMap<String, Arc<Semaphore>>>,
    max_per_host: usize,
}

/// The right to make one attempt; dropping it lets the next queued attempt go.
#[derive(Debug)]
pub(super) struct Slot {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl Limits {
    /// Limits of `transport` (each at least 1).
    pub fn new(transport: &Transport) -> Self {
        Limits {
            global: Arc::new(Semaphore::new(transport.max_concurrent.max(1))),
            per_host: Mutex::new(HashMap::new()),
            max_per_host: transport.max_per_host.max(1),
        }
    }

    /// Waits, first come first served, for a free slot for `host` and then a global one, so a
    /// slow receiver's queue never holds global slots other receivers could use.
    pub async fn slot(&self, host: &str) -> Option<Slot> {
        let host_limit = self.host(host);
        let host_permit = host_limit.acquire_owned().await.ok()?;
        let global = self.global.clone().acquire_owned().await.ok()?;
        Some(Slot {
            _host: host_permit,
            _global: global,
        })
    }

    fn host(&self, host: &str) -> Arc<Semaphore> {
        let mut hosts = self.per_host.lock().unwrap_or_else(|p| p.into_inner());
        // Forget idle hosts now and then, so a sandbox calling many receivers stays small.
        if hosts.len() > 1024 {
            hosts.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < self.max_per_host);
        }
        hosts
            .entry(host.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.max_per_host)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_host_gets_at_most_its_share_and_others_still_go() {
        let limits = Limits::new(&Transport {
            max_concurrent: 3,
            max_per_host: 2,
            ..Transport::default()
        });
        let a1 = limits.slot("a").await;
        let a2 = limits.slot("a").await;
        assert!(a1.is_some() && a2.is_some());
        let third = futures_util::FutureExt::now_or_never(limits.slot("a"));
        assert!(third.is_none(), "a third slot for host a waits");
        assert!(limits.slot("b").await.is_some(), "host b is not held up by a");
        drop(a1);
        assert!(limits.slot("a").await.is_some());
    }

    #[test]
    fn a_missing_ca_file_is_refused() {
        let transport = Transport {
            extra_ca_files: vec![PathBuf::from("does/not/exist.pem")],
            ..Transport::default()
        };
        assert!(transport.client().is_err_and(|e| e.contains("cannot read")));
        assert!(transport.extra_roots().is_err_and(|e| e.contains("cannot read")));
    }
}
