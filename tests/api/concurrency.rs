//! Races at scale: many concurrent operations on one transaction, and concurrent payments with
//! one invoiceId. Only allowed transitions win; totals never exceed what was charged.

use crate::helpers::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_charges_cancels_and_refunds_on_one_transaction() {
    let app = TestApp::spawn().await;
    let tx = app.seed_payment(TERMINAL, "500000001", 1000);
    app.sandbox().approve(tx.id()).expect("AUTH");
    let token = app.terminal_token(TERMINAL).await;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..1000 {
        let (kind, path) = match n % 3 {
            0 => ("charge", format!("/operation/{}/charge", tx.id())),
            1 => ("cancel", format!("/operation/{}/cancel", tx.id())),
            _ => ("refund", format!("/operation/{}/refund?amount=10", tx.id())),
        };
        let request = app.http.post(app.url(&path)).bearer_auth(&token);
        tasks.spawn(async move { (kind, request.send().await.map(|r| r.status().as_u16()).unwrap_or(0)) });
    }
    let results = tasks.join_all().await;
    let wins = |kind: &str| results.iter().filter(|(k, s)| *k == kind && *s == 200).count();
    assert!(
        results.iter().all(|(_, s)| *s == 200 || *s == 400),
        "only 200 or a 400 refusal: {:?}",
        results
            .iter()
            .filter(|(_, s)| *s != 200 && *s != 400)
            .collect::<Vec<_>>()
    );
    let (charges, cancels, refunds) = (wins("charge"), wins("cancel"), wins("refund"));
    assert_eq!(
        charges + cancels,
        1,
        "exactly one of charge/cancel wins: {charges} charges, {cancels} cancels"
    );
    let stored = app.server.transaction(tx.id()).expect("stored");
    if cancels == 1 {
        assert_eq!(refunds, 0, "nothing to refund after a cancel");
        assert_eq!(format!("{:?}", stored.status()), "Cancel");
    } else {
        assert!(refunds <= 100, "at most 1000 / 10 refunds fit: {refunds}");
        assert_eq!(stored.refunded().to_string(), (refunds * 10).to_string());
    }
    assert!(
        stored.refunded() <= stored.charged(),
        "refunded {} > charged {}",
        stored.refunded(),
        stored.charged()
    );
    assert!(stored.charged() <= stored.org_amount());
    println!("concurrency: 1000 operations → {charges} charge, {cancels} cancel, {refunds} refunds won");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_payments_with_one_invoice_id_exactly_one_succeeds() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    for round in 0..3 {
        let invoice = format!("50000010{round}");
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let body = json!({
                "amount": 100, "currency": "KZT", "name": "TEST TEST", "invoiceId": invoice,
                "description": "race", "cryptogram": app.cryptogram("4405639704015096", "0127", "321", TERMINAL),
            });
            let request = app
                .http
                .post(app.url("/payment/cryptopay"))
                .bearer_auth(&token)
                .json(&body);
            tasks.spawn(async move {
                let response = request.send().await.expect("pay");
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap_or(Value::Null))
            });
        }
        let results = tasks.join_all().await;
        let ok = results.iter().filter(|(s, _)| *s == 200).count();
        assert_eq!(ok, 1, "round {round}: {results:?}");
        assert!(results.iter().all(|(s, _)| *s == 200 || *s == 400), "{results:?}");
        let stored = app.server.transactions(&Default::default());
        assert_eq!(stored.iter().filter(|t| t.order().invoice_id == invoice).count(), 1);
    }
}
