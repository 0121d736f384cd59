//! How callbacks reach receivers: https with certificate checks, a receiver down for ten
//! minutes of sandbox time, and thousands of callbacks to a receiver that never answers.

use crate::helpers::*;
use axum::extract::State;
use axum::http::StatusCode;
use epay_sandbox::callbacks::{CallbackSettings, Delivery, DeliveryFilter, DeliveryState, Transport};
use epay_sandbox::domain::transaction::{Links, Transaction};
use epay_sandbox::Config;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

/// Longest any test waits for one condition; never reached when things work.
const WAIT: Duration = Duration::from_secs(30);

/// What a receiver saw, and whether it is up.
#[derive(Clone, Default)]
struct Inbox {
    /// invoiceId of every request answered 200.
    delivered: Arc<Mutex<Vec<String>>>,
    /// Requests answered 503.
    refused: Arc<AtomicUsize>,
    /// Answers 503 while set.
    down: Arc<AtomicBool>,
}

async fn receive(State(inbox): State<Inbox>, body: axum::body::Bytes) -> StatusCode {
    if inbox.down.load(Ordering::SeqCst) {
        inbox.refused.fetch_add(1, Ordering::SeqCst);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let invoice = body["invoiceId"].as_str().unwrap_or_default().to_string();
    inbox.delivered.lock().expect("inbox").push(invoice);
    StatusCode::OK
}

/// A plain-HTTP receiver on 127.0.0.1; returns its postLink.
async fn http_receiver(inbox: Inbox) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
    let url = format!("http://{}/epay/post", listener.local_addr().expect("address"));
    let app = axum::Router::new().fallback(receive).with_state(inbox);
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// An HTTPS receiver with a certificate for 127.0.0.1 signed by its own CA; returns its
/// postLink and the CA certificate (PEM).
async fn https_receiver(inbox: Inbox) -> (String, String) {
    let identity = epay_sandbox::tls::generate(&["127.0.0.1".to_string()]).expect("certificate");
    let ca_pem = identity.ca_pem.clone().expect("generated CA");
    let acceptor = epay_sandbox::tls::acceptor(identity).expect("TLS config");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
    let url = format!("https://{}/epay/post", listener.local_addr().expect("address"));
    let app = axum::Router::new().fallback(receive).with_state(inbox);
    tokio::spawn(async move {
        while let Ok((stream, remote)) = listener.accept().await {
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(stream).await else {
                    return;
                };
                let service =
                    hyper::service::service_fn(epay_sandbox::connections::handler(app, remote, Default::default()));
                let _ = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (url, ca_pem)
}

/// Writes `pem` to a file of its own in the temporary directory.
fn pem_file(pem: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("epay-sandbox-test-ca-{}.pem", uuid::Uuid::new_v4()));
    std::fs::write(&path, pem).expect("write CA file");
    path
}

impl TestApp {
    /// An approved payment whose postLink is `url`.
    fn approved_to(&self, invoice: &str, url: &str) -> Transaction {
        let mut new = self.payment_template(TERMINAL, invoice);
        new.amount = epay_sandbox::domain::money::Amount::from_units(100);
        new.links = Links {
            post_link: url.to_string(),
            ..Links::default()
        };
        let tx = self.open_payment(new);
        self.sandbox().approve(tx.id()).expect("approve")
    }

    /// Waits until `done` holds for the delivery log.
    async fn log_until(&self, what: &str, done: impl Fn(&[Delivery]) -> bool) -> Vec<Delivery> {
        match self.sandbox().callbacks().wait_for(done, WAIT).await {
            Ok(all) => all,
            Err(seen) => panic!("{what}: not reached; log: {seen:#?}"),
        }
    }
}

fn quick(attempts: u32, transport: Transport) -> Config {
    Config {
        callbacks: CallbackSettings {
            attempts,
            backoff: Duration::from_millis(10),
            ..CallbackSettings::default()
        },
        callback_transport: transport,
        ..Config::default()
    }
}

#[tokio::test]
async fn callbacks_reach_an_https_receiver_trusted_with_callback_ca() {
    let inbox = Inbox::default();
    let (url, ca_pem) = https_receiver(inbox.clone()).await;
    let ca = pem_file(&ca_pem);
    let app = TestApp::spawn_with(quick(
        1,
        Transport {
            extra_ca_files: vec![ca.clone()],
            ..Transport::default()
        },
    ))
    .await;
    app.approved_to("700000001", &url);

    let all = app
        .log_until("delivered", |all| {
            all.iter().any(|d| d.state == DeliveryState::Delivered)
        })
        .await;
    assert_eq!(all[0].attempts.len(), 1, "{all:#?}");
    assert_eq!(all[0].attempts[0].status, Some(200));
    assert_eq!(*inbox.delivered.lock().expect("inbox"), vec!["700000001".to_string()]);
    let _ = std::fs::remove_file(ca);
}

#[tokio::test]
async fn callbacks_refuse_an_unverified_https_receiver_and_say_why() {
    let inbox = Inbox::default();
    let (url, _) = https_receiver(inbox.clone()).await;
    let app = TestApp::spawn_with(quick(2, Transport::default())).await;
    app.approved_to("700000002", &url);

    let all = app
        .log_until("given up", |all| all.iter().any(|d| d.state == DeliveryState::Failed))
        .await;
    assert_eq!(all[0].attempts.len(), 2);
    for attempt in &all[0].attempts {
        let error = attempt.error.as_deref().unwrap_or_default();
        assert!(attempt.status.is_none(), "{attempt:?}");
        assert!(error.contains("certificate"), "the log says why: {error}");
        assert!(!error.contains("scheme is not http"), "{error}");
    }
    assert!(inbox.delivered.lock().expect("inbox").is_empty());
}

#[tokio::test]
async fn callbacks_insecure_mode_skips_certificate_checks() {
    let inbox = Inbox::default();
    let (url, _) = https_receiver(inbox.clone()).await;
    let app = TestApp::spawn_with(quick(
        1,
        Transport {
            insecure: true,
            ..Transport::default()
        },
    ))
    .await;
    app.approved_to("700000003", &url);
    app.log_until("delivered", |all| {
        all.iter().any(|d| d.state == DeliveryState::Delivered)
    })
    .await;
    assert_eq!(inbox.delivered.lock().expect("inbox").len(), 1);
}

#[tokio::test]
async fn callbacks_refuse_to_start_with_an_unreadable_ca_file() {
    let config = quick(
        1,
        Transport {
            extra_ca_files: vec![PathBuf::from("no/such/ca.pem")],
            ..Transport::default()
        },
    );
    let started = epay_sandbox::SandboxServer::start(config).await;
    assert!(started.is_err_and(|e| e.to_string().contains("no/such/ca.pem")));
}

/// Every delivery has caught up with sandbox time: none is queued or sending, and every one
/// still retrying is due later than `now`.
fn caught_up(all: &[Delivery], now: chrono::DateTime<chrono::Utc>) -> bool {
    all.iter().all(|d| match d.state {
        DeliveryState::Queued | DeliveryState::Sending => false,
        DeliveryState::Retrying => d.next_attempt_at.is_some_and(|at| at > now),
        DeliveryState::Delivered | DeliveryState::Failed => true,
    })
}

#[tokio::test]
async fn callbacks_survive_a_ten_minute_outage_with_the_default_schedule() {
    const PAYMENTS: usize = 50;
    let inbox = Inbox::default();
    inbox.down.store(true, Ordering::SeqCst);
    let url = http_receiver(inbox.clone()).await;
    let app = TestApp::spawn_with(Config {
        seed: Some(14),
        ..Config::default()
    })
    .await;
    app.server.freeze();
    let outage_start = app.server.now();
    for n in 0..PAYMENTS {
        app.approved_to(&format!("71{n:07}"), &url);
    }

    // Ten minutes of sandbox time in 30-second steps, the receiver answering 503 throughout.
    for _ in 0..20 {
        app.server.advance(Duration::from_secs(30)).expect("advance");
        let now = app.server.now();
        app.log_until("caught up with the clock", |all| {
            all.len() == PAYMENTS && caught_up(all, now)
        })
        .await;
    }
    let during = app.sandbox().callbacks().deliveries(&DeliveryFilter::default());
    assert!(
        during.iter().all(|d| d.state == DeliveryState::Retrying),
        "none given up during the outage"
    );
    for delivery in &during {
        assert!(delivery.attempts.len() >= 9, "{delivery:#?}");
        assert!(delivery.attempts.iter().all(|a| a.status == Some(503)));
        let last = delivery.attempts.last().map(|a| a.at).unwrap_or(outage_start);
        assert!(last - outage_start >= chrono::Duration::minutes(5), "{delivery:#?}");
    }
    assert!(inbox.refused.load(Ordering::SeqCst) >= PAYMENTS * 9);

    // Up again: the next retries (at most five minutes away) get through.
    inbox.down.store(false, Ordering::SeqCst);
    let mut delivered = 0;
    for _ in 0..20 {
        app.server.advance(Duration::from_secs(30)).expect("advance");
        let now = app.server.now();
        let all = app
            .log_until("caught up with the clock", |all| caught_up(all, now))
            .await;
        delivered = all.iter().filter(|d| d.state == DeliveryState::Delivered).count();
        if delivered == PAYMENTS {
            break;
        }
    }
    assert_eq!(delivered, PAYMENTS, "100 % delivered");
    let all = app.sandbox().callbacks().deliveries(&DeliveryFilter::default());
    assert!(all.iter().all(|d| d.state == DeliveryState::Delivered));
    let invoices: BTreeSet<String> = inbox.delivered.lock().expect("inbox").iter().cloned().collect();
    assert_eq!(invoices.len(), PAYMENTS);
}

#[tokio::test]
async fn callbacks_retry_waits_follow_the_seed() {
    let schedule = |seed: u64| async move {
        let inbox = Inbox::default();
        inbox.down.store(true, Ordering::SeqCst);
        let url = http_receiver(inbox).await;
        let app = TestApp::spawn_with(Config {
            seed: Some(seed),
            ..Config::default()
        })
        .await;
        app.server.freeze();
        app.approved_to("720000001", &url);
        let start = app.server.now();
        let all = app
            .log_until("first retry scheduled", |all| {
                all.iter().any(|d| d.state == DeliveryState::Retrying)
            })
            .await;
        all[0].next_attempt_at.map(|at| at - start)
    };
    let first = schedule(5).await;
    assert_eq!(first, schedule(5).await, "same seed, same wait");
    let wait = first.expect("a retry is due");
    assert!(
        wait > chrono::Duration::milliseconds(800) && wait <= chrono::Duration::seconds(1),
        "{wait:?}"
    );
}

/// A receiver that accepts connections and never answers; counts how many are open at once.
#[derive(Clone, Default)]
struct Hanging {
    open: Arc<AtomicUsize>,
    most_open: Arc<AtomicUsize>,
    accepted: Arc<AtomicUsize>,
}

async fn hanging_receiver(hanging: Hanging) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
    let url = format!("http://{}/epay/post", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let hanging = hanging.clone();
            let open = hanging.open.fetch_add(1, Ordering::SeqCst) + 1;
            hanging.most_open.fetch_max(open, Ordering::SeqCst);
            hanging.accepted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut sink = [0u8; 4096];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                hanging.open.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    url
}

#[tokio::test]
async fn callbacks_to_a_hanging_receiver_are_limited_queued_and_not_lost() {
    const CALLBACKS: usize = 5000;
    const PER_HOST: usize = 4;
    let hanging = Hanging::default();
    let url = hanging_receiver(hanging.clone()).await;
    let app = TestApp::spawn_with(Config {
        callbacks: CallbackSettings {
            attempts: 2,
            backoff: Duration::from_millis(10),
            timeout: Duration::from_millis(200),
            log_capacity: 2 * CALLBACKS,
            ..CallbackSettings::default()
        },
        callback_transport: Transport {
            max_per_host: PER_HOST,
            max_concurrent: 16,
            ..Transport::default()
        },
        ..Config::default()
    })
    .await;
    app.approved_to("730000001", &url);
    for _ in 1..CALLBACKS {
        app.sandbox().callbacks().resend(1).expect("resend");
    }

    // Several rounds of attempts time out while the rest wait their turn.
    let all = app
        .log_until("three rounds of attempts", |all| {
            all.iter().filter(|d| !d.attempts.is_empty()).count() >= 3 * PER_HOST
        })
        .await;
    assert_eq!(all.len(), CALLBACKS, "every callback is in the log, none evicted");
    let waiting = all.iter().filter(|d| d.state == DeliveryState::Queued).count();
    assert!(waiting >= CALLBACKS - 4 * PER_HOST, "{waiting} queued");
    assert!(hanging.accepted.load(Ordering::SeqCst) >= 3 * PER_HOST);
    // The receiver may notice a timed-out connection closing just after the next one opens.
    assert!(
        hanging.most_open.load(Ordering::SeqCst) <= 2 * PER_HOST,
        "about {PER_HOST} connections at once, saw {}",
        hanging.most_open.load(Ordering::SeqCst)
    );
    let health = app.http.get(app.url("/_sandbox/health")).send().await.expect("health");
    assert_eq!(health.status().as_u16(), 200);
    let timed_out = all
        .iter()
        .flat_map(|d| &d.attempts)
        .filter(|a| a.error.as_deref().is_some_and(|e| e.contains("timed out")))
        .count();
    assert!(timed_out >= 1);
}
