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
        .map(|n| app.seed_payment(TERMINAL, &format!("60000000{n}"), 100).id)
        .collect();
    let held = app.seed_payment(TERMINAL, "600000010", 100);
    app.sandbox().approve(held.id).expect("AUTH");
    let mut finished = Vec::new();
    for n in 0..12 {
        let tx = app.seed_payment(ONE_STEP_TERMINAL, &format!("6000001{n:02}"), 100);
        app.sandbox().approve(tx.id).expect("CHARGE");
        finished.push(tx.id);
    }
    app.sandbox().run_due_timers();
    assert_eq!(app.sandbox().store.transaction_count(), 10);
    for id in open.iter().chain([&held.id]) {
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
        .map(|n| app.seed_payment(TERMINAL, &format!("61000000{n}"), 100).id)
        .collect();
    app.sandbox().run_due_timers();
    assert_eq!(app.sandbox().store.transaction_count(), 3);
    assert!(ids[..2].iter().all(|id| app.server.transaction(*id).is_none()));
    assert!(ids[2..].iter().all(|id| app.server.transaction(*id).is_some()));
}

#[tokio::test]
async fn tokens_are_capped_oldest_first_and_inline_eviction_bounds_bursts() {
    let app = TestApp::spawn_with(capped(1000, 5)).await;
    let mut tokens = Vec::new();
    for _ in 0..40 {
        tokens.push(app.terminal_token(TERMINAL).await);
        // Between two timer runs a burst may overshoot the cap, but only by a bounded margin
        // (an eighth of the cap plus 16, see `Store::evict`).
        assert!(app.sandbox().store.tokens().len() <= 22);
    }
    app.sandbox().run_due_timers();
    assert_eq!(app.sandbox().store.tokens().len(), 5);
    let (status, _) = app.get("/check-status/payment/transaction/1", &tokens[0]).await;
    assert_eq!(status, 401, "the oldest token was evicted");
    let (status, _) = app.get("/check-status/payment/transaction/1", &tokens[39]).await;
    assert_ne!(status, 401, "the newest token lives");
}
