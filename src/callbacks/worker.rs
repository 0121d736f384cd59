//! Sending callbacks: the dispatcher task that drains the queue, and one task per delivery
//! that makes its attempts with backoff (on the sandbox clock or the wall clock, whichever
//! gets there first), within the concurrency limits, and records each one in the log.

use super::log::{Attempt, DeliveryLog, DeliveryState, NewDelivery, Origin, Ticket};
use super::settings::CallbackSettings;
use super::transport::{Limits, Transport};
use crate::fidelity;
use chrono::{DateTime, Utc};
use reqwest::Url;
use serde_json::Value;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::{watch, Mutex, OnceCell};

/// How much of the merchant's answer body an attempt keeps.
const RESPONSE_PREVIEW_BYTES: usize = 1024;

/// A forward jump of the sandbox clock smaller than this does not wake waiting retries (the
/// offset between sandbox and wall time jitters by microseconds between two readings).
const CLOCK_JUMP: chrono::Duration = chrono::Duration::milliseconds(100);

/// State shared by the sandbox and the delivery tasks.
#[derive(Debug)]
pub(super) struct Shared {
    /// The delivery log.
    pub log: DeliveryLog,
    /// Current settings (the control API may change them).
    pub settings: RwLock<CallbackSettings>,
    /// Built on the first delivery, not at start: loading the system's CA roots is most of
    /// what starting the sandbox would otherwise cost, and most runs send no callback.
    client: OnceCell<Result<reqwest::Client, String>>,
    transport: Transport,
    limits: Limits,
    seed: Option<u64>,
    /// The sandbox clock as last seen; ticks when it jumps forward.
    clock: watch::Sender<SandboxTime>,
}

/// The sandbox clock as the engine reported it: frozen at an instant, or the wall clock
/// shifted by an offset.
#[derive(Debug, Clone, Copy, Default)]
struct SandboxTime {
    offset: chrono::Duration,
    frozen: Option<DateTime<Utc>>,
}

impl SandboxTime {
    fn at(&self, wall: DateTime<Utc>) -> DateTime<Utc> {
        self.frozen.unwrap_or(wall + self.offset)
    }
}

/// One delivery to make, and how many duplicate copies follow it.
#[derive(Debug)]
pub(super) struct Job {
    /// The log entry of the delivery.
    pub ticket: Ticket,
    /// What to send where (kept to open the duplicates).
    pub delivery: NewDelivery,
    /// Copies to send after it.
    pub duplicates: u32,
}

/// What the merchant did with one attempt.
struct Answer {
    status: Option<u16>,
    error: Option<String>,
    response: String,
}

impl Shared {
    /// Shared state with an empty log. Without a usable client (see [`Transport::client`])
    /// every attempt fails with the reason; a CA file that cannot be used is reported at once.
    pub fn new(settings: CallbackSettings, transport: &Transport, seed: Option<u64>) -> Self {
        if let Err(error) = transport.extra_roots() {
            tracing::error!("callbacks disabled: {error}");
        }
        if transport.insecure {
            tracing::warn!("callbacks: https receivers' certificates are not verified (--callback-insecure)");
        }
        Shared {
            log: DeliveryLog::new(settings.log_capacity),
            settings: RwLock::new(settings),
            client: OnceCell::new(),
            transport: transport.clone(),
            limits: Limits::new(transport),
            seed,
            clock: watch::channel(SandboxTime::default()).0,
        }
    }

    /// The callback client, built by the first caller (off the async threads: it reads files).
    async fn client(&self) -> Result<&reqwest::Client, &str> {
        let built = self
            .client
            .get_or_init(|| async {
                let transport = self.transport.clone();
                let built = tokio::task::spawn_blocking(move || transport.client())
                    .await
                    .unwrap_or_else(|e| Err(format!("cannot build the callback HTTP client: {e}")));
                if let Err(error) = &built {
                    tracing::error!("callbacks disabled: {error}");
                }
                built
            })
            .await;
        built.as_ref().map_err(String::as_str)
    }

    /// The settings now.
    pub fn settings(&self) -> CallbackSettings {
        *self.settings.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the settings.
    pub fn set_settings(&self, settings: CallbackSettings) {
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
        self.log.set_capacity(settings.log_capacity);
    }

    /// Sandbox time now, as the last [`Shared::observe_clock`] tells.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.borrow().at(Utc::now())
    }

    /// Learns the sandbox time and whether the clock is frozen; a forward jump wakes the
    /// retries it made due.
    pub fn observe_clock(&self, sandbox_now: DateTime<Utc>, frozen: bool) {
        let wall = Utc::now();
        let time = SandboxTime {
            offset: sandbox_now - wall,
            frozen: frozen.then_some(sandbox_now),
        };
        self.clock.send_if_modified(|seen| {
            let jumped = time.at(wall) - seen.at(wall) > CLOCK_JUMP;
            *seen = time;
            jumped
        });
    }

    /// Waits `wait` of wall time, or until the sandbox clock reaches `due`, whichever comes
    /// first.
    async fn pause(&self, wait: Duration, due: Option<DateTime<Utc>>) {
        let mut clock = self.clock.subscribe();
        let due = due.unwrap_or(DateTime::<Utc>::MAX_UTC);
        tokio::select! {
            () = tokio::time::sleep(wait) => {},
            _ = clock.wait_for(|time| time.at(Utc::now()) >= due) => {},
        }
    }

    /// The random share of the wait after attempt `number` of delivery `id`: a pure function of
    /// the seed when there is one.
    fn random(&self, id: u64, number: u32) -> f64 {
        let Some(seed) = self.seed else {
            return rand::random::<f64>();
        };
        let mixed = splitmix64(seed ^ splitmix64(id.rotate_left(20) ^ u64::from(number)));
        // The top 53 bits as a fraction in [0, 1).
        (mixed >> 11) as f64 / (1u64 << 53) as f64
    }

    async fn post(&self, url: Url, body: &Value, timeout: Duration) -> Answer {
        let client = match self.client().await {
            Ok(client) => client,
            Err(error) => return Answer::failed(format!("no HTTP client: {error}")),
        };
        match client.post(url).json(body).timeout(timeout).send().await {
            Ok(response) => Answer {
                status: Some(response.status().as_u16()),
                error: None,
                response: preview(response).await,
            },
            Err(error) => Answer::failed(describe(&error, timeout)),
        }
    }
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl Answer {
    fn failed(error: String) -> Self {
        Answer {
            status: None,
            error: Some(error),
            response: String::new(),
        }
    }
}

/// Drains the queue, one task per delivery, until every sender is gone. Holds the queue's lock
/// while it runs, so a dispatcher that is stopped hands the queue, with whatever is still in
/// it, to the next one.
pub(super) async fn dispatch(shared: Arc<Shared>, inbox: Arc<Mutex<UnboundedReceiver<Job>>>) {
    let mut inbox = inbox.lock().await;
    while let Some(job) = inbox.recv().await {
        if shared.log.is_current(job.ticket.generation) {
            tokio::spawn(run_job(shared.clone(), job));
        }
    }
}

/// Makes a delivery, then its duplicate copies one after the other.
async fn run_job(shared: Arc<Shared>, job: Job) {
    deliver(&shared, job.ticket, &job.delivery.url, &job.delivery.body).await;
    for _ in 0..job.duplicates {
        let copy = NewDelivery {
            origin: Origin {
                duplicate_of: Some(job.ticket.id),
                resend_of: None,
            },
            ..job.delivery.clone()
        };
        let Some((ticket, _)) = shared.log.open_in(job.ticket.generation, copy, shared.now()) else {
            return;
        };
        deliver(&shared, ticket, &job.delivery.url, &job.delivery.body).await;
    }
}

/// Attempts one delivery until the merchant answers 2xx or the attempts run out; `true` when
/// delivered. Each attempt first waits for a free slot (per receiver, then global); the
/// delivery stays `queued`/`retrying` meanwhile. A reset of the log stops it.
async fn deliver(shared: &Shared, ticket: Ticket, url: &str, body: &Value) -> bool {
    let settings = shared.settings();
    let attempts = settings.attempts.max(1);
    let Some((target, receiver)) = callable(url) else {
        let attempt = Attempt {
            number: 1,
            at: shared.now(),
            url: url.to_string(),
            status: None,
            error: Some("not an http(s) URL; not retried".into()),
            latency_ms: 0,
            response: String::new(),
        };
        tracing::warn!(delivery = ticket.id, "callback URL is not an http(s) URL");
        shared.log.update(ticket, |d| {
            d.attempts.push(attempt);
            d.state = DeliveryState::Failed;
        });
        return false;
    };
    for number in 1..=attempts {
        let Some(slot) = shared.limits.slot(&receiver).await else {
            return false;
        };
        let current = shared.log.update(ticket, |d| {
            d.state = DeliveryState::Sending;
            d.next_attempt_at = None;
        });
        if !current && !shared.log.is_current(ticket.generation) {
            return false;
        }
        let at = shared.now();
        let started = Instant::now();
        let answer = shared.post(target.clone(), body, settings.timeout).await;
        drop(slot);
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let delivered = answer.status.is_some_and(fidelity::callback_delivered);
        let wait = (!delivered && number < attempts)
            .then(|| settings.jittered_delay(number, shared.random(ticket.id, number)));
        trace(ticket.id, number, url, &answer, delivered, wait);
        let attempt = Attempt {
            number,
            at,
            url: url.to_string(),
            status: answer.status,
            error: answer.error,
            latency_ms,
            response: answer.response,
        };
        let due = wait
            .and_then(|w| chrono::Duration::from_std(w).ok())
            .and_then(|w| shared.now().checked_add_signed(w));
        shared.log.update(ticket, |d| {
            d.attempts.push(attempt);
            d.state = match (delivered, wait) {
                (true, _) => DeliveryState::Delivered,
                (false, Some(_)) => DeliveryState::Retrying,
                (false, None) => DeliveryState::Failed,
            };
            d.next_attempt_at = due;
        });
        match wait {
            Some(wait) => shared.pause(wait, due).await,
            None => return delivered,
        }
    }
    false
}

/// The URL to call and the receiver it belongs to (`scheme://host:port`, the key of the
/// per-host limit), when `url` is an http(s) URL with a host.
fn callable(url: &str) -> Option<(Url, String)> {
    let target = Url::parse(url).ok()?;
    if !matches!(target.scheme(), "http" | "https") {
        return None;
    }
    let host = target.host_str()?;
    let port = target.port_or_known_default()?;
    let receiver = format!("{}://{host}:{port}", target.scheme());
    Some((target, receiver))
}

/// One log line per attempt: delivery, attempt, URL and outcome; never the body.
fn trace(id: u64, number: u32, url: &str, answer: &Answer, delivered: bool, wait: Option<Duration>) {
    let outcome = match (answer.status, &answer.error) {
        (Some(status), _) => status.to_string(),
        (None, Some(error)) => error.clone(),
        (None, None) => "no answer".into(),
    };
    if delivered {
        tracing::info!(
            delivery = id,
            attempt = number,
            "callback to {url} delivered: {outcome}"
        );
    } else if let Some(wait) = wait {
        tracing::warn!(
            delivery = id,
            attempt = number,
            "callback to {url} failed ({outcome}); retrying in {wait:?}"
        );
    } else {
        tracing::warn!(
            delivery = id,
            attempt = number,
            "callback to {url} failed ({outcome}); giving up"
        );
    }
}

/// The start of the answer body, read only as far as needed.
async fn preview(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < RESPONSE_PREVIEW_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    bytes.truncate(RESPONSE_PREVIEW_BYTES);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A transport error in one line, causes included ("… : Connection refused").
fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        return format!("timed out after {} ms", timeout.as_millis());
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_client_is_built_by_the_first_delivery_not_at_start() {
        let shared = Shared::new(CallbackSettings::default(), &Transport::default(), None);
        assert!(!shared.client.initialized(), "start-up leaves the system roots unread");
        let url = Url::parse("http://127.0.0.1:9/").expect("a URL");
        let answer = shared.post(url, &Value::Null, Duration::from_secs(2)).await;
        assert!(shared.client.initialized());
        assert!(!answer.error.unwrap_or_default().contains("no HTTP client"));
    }

    #[tokio::test]
    async fn a_client_that_cannot_be_built_fails_each_attempt_with_the_reason() {
        let transport = Transport {
            extra_ca_files: vec![std::path::PathBuf::from("no/such/ca.pem")],
            ..Transport::default()
        };
        let shared = Shared::new(CallbackSettings::default(), &transport, None);
        let url = Url::parse("https://127.0.0.1:9/").expect("a URL");
        for _ in 0..2 {
            let answer = shared.post(url.clone(), &Value::Null, Duration::from_secs(2)).await;
            assert!(answer.error.is_some_and(|e| e.contains("no/such/ca.pem")));
        }
    }
}
