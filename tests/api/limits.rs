//! Bounded memory: the store evicts the oldest records over its caps, finished transactions
//! before NEW/AUTH ones, expired tokens before live ones.

use crate::helpers::*;
use epay_sandbox::store::StoreLimits;
use epay_sandbox::Config;

fn capped(transactions: usize, tokens: usize) -> Config {
    Config {
        limits: StoreLimits {
            transactions,
            tokens,
            ..StoreLimits::default()
        },
        ..Config::default()
    }
}

#[tokio::test]
async fn oldest_finished_transactions_are_evicted_first() {
    let app = TestApp::spawn_with(capped(10, 1000)).await;
    let open: Vec<_> = (0..4)
        .map(|n| app.seed_payment(TERMINAL, &format!("60000000{n}"), 100).id())
        .collect();
    let held = app.seed_payment(TERMINAL, "600000010", 100);
    app.sandbox().approve(held.id()).expect("AUTH");
    let mut finished = Vec::new();
    for n in 0..12 {
        let tx = app.seed_payment(ONE_STEP_TERMINAL, &format!("6000001{n:02}"), 100);
        app.sandbox().approve(tx.id()).expect("CHARGE");
        finished.push(tx.id());
    }
    app.sandbox().run_due_timers();
    assert_eq!(app.sandbox().record_counts().transactions, 10);
    for id in open.iter().chain([&held.id()]) {
        assert!(app.server.transaction(*id).is_some(), "NEW/AUTH {id} kept");
    }
    for id in &finished[..7] {
        assert!(app.server.transaction(*id).is_none(), "oldest finished {id} evicted");
    }
    for id in &finished[7..] {
        assert!(app.server.transaction(*id).is_some(), "newest finished {id} kept");
    }
    // The evicted invoice indexes went with them; the kept ones still resolve.
    assert!(app
        .server
        .transaction_by_invoice(ONE_STEP_TERMINAL, "600000100")
        .is_none());
    assert!(app
        .server
        .transaction_by_invoice(ONE_STEP_TERMINAL, "600000111")
        .is_some());
}

#[tokio::test]
async fn unfinished_transactions_go_only_when_they_alone_exceed_the_cap() {
    let app = TestApp::spawn_with(capped(3, 1000)).await;
    let ids: Vec<_> = (0..5)
        .map(|n| app.seed_payment(TERMINAL, &format!("61000000{n}"), 100).id())
        .collect();
    app.sandbox().run_due_timers();
    assert_eq!(app.sandbox().record_counts().transactions, 3);
    assert!(ids[..2].iter().all(|id| app.server.transaction(*id).is_none()));
    assert!(ids[2..].iter().all(|id| app.server.transaction(*id).is_some()));
}

#[tokio::test]
async fn tokens_are_capped_oldest_first_and_a_burst_never_overshoots_the_cap() {
    let app = TestApp::spawn_with(capped(1000, 5)).await;
    let mut tokens = Vec::new();
    for _ in 0..40 {
        tokens.push(app.terminal_token(TERMINAL).await);
        // Every insert over the cap evicts at once (`store/order.rs`): a burst never overshoots.
        assert!(app.sandbox().record_counts().tokens <= 5);
    }
    app.sandbox().run_due_timers();
    assert_eq!(app.sandbox().record_counts().tokens, 5);
    let (status, _) = app.get("/check-status/payment/transaction/1", &tokens[0]).await;
    assert_eq!(status, 401, "the oldest token was evicted");
    let (status, _) = app.get("/check-status/payment/transaction/1", &tokens[39]).await;
    assert_ne!(status, 401, "the newest token lives");
}

async fn raw_exchange(app: &TestApp, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.server.addr())
        .await
        .expect("connect");
    stream.write_all(request).await.expect("write");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server answered or closed the connection");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn too_many_headers_are_refused() {
    let app = TestApp::spawn_with(Config {
        max_headers: 20,
        ..Config::default()
    })
    .await;
    let mut request = String::from("GET /_sandbox/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for n in 0..40 {
        request.push_str(&format!("X-Extra-{n}: {n}\r\n"));
    }
    request.push_str("\r\n");
    let answer = raw_exchange(&app, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    let fine = raw_exchange(
        &app,
        b"GET /_sandbox/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(fine.starts_with("HTTP/1.1 200"), "{fine}");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let app = TestApp::spawn_with(Config {
        header_read_timeout: std::time::Duration::from_millis(200),
        ..Config::default()
    })
    .await;
    let answer = raw_exchange(&app, b"GET /_sandbox/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").await;
    assert!(!answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_are_served_once_a_slot_frees() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn_with(Config {
        max_connections: 2,
        ..Config::default()
    })
    .await;
    // Two idle connections take both slots; a third request is served once one closes.
    let first = tokio::net::TcpStream::connect(app.server.addr())
        .await
        .expect("connect");
    let mut second = tokio::net::TcpStream::connect(app.server.addr())
        .await
        .expect("connect");
    second
        .write_all(b"GET /_sandbox/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    let third = tokio::spawn({
        let url = app.url("/_sandbox/health");
        async move { reqwest::get(url).await.map(|r| r.status().as_u16()) }
    });
    drop(first);
    drop(second);
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), third).await;
    assert!(matches!(status, Ok(Ok(Ok(200)))), "{status:?}");
}
