//! Links, subscriptions and bills survive the state file (v2 snapshot) and go with a reset.

use super::*;
use epay_sandbox::control::state::StateFile;
use serde_json::json;

#[tokio::test]
async fn the_snapshot_round_trip_keeps_links_subscriptions_and_bills_and_a_reset_drops_them() {
    let app = TestApp::spawn().await;
    let cabinet = cabinet_token(&app).await;
    let (status, _) = app
        .post_json(
            "/invoice",
            &cabinet,
            &json!({"shop_id": uuid::Uuid::new_v4().to_string(), "invoice_id": "730000001", "amount": 10}),
        )
        .await;
    assert_eq!(status, 200);
    let token = app.terminal_token(TERMINAL).await;
    let tx = app.subscribable_payment(TERMINAL, "730000002", Amount::from_units(10));
    let (status, sub) = app
        .post_json(
            "/recurrent/subscribe",
            &token,
            &json!({"transactionId": tx.id().to_string(), "paymentFrequency": "WEEKLY"}),
        )
        .await;
    assert_eq!(status, 200);
    let qr_token = app.payment_token("730000003", "10", TERMINAL).await;
    let (status, _) = app.post_json("/payment/qr/generate", &qr_token, &json!({})).await;
    assert_eq!(status, 200);

    let (_, state) = app.control_call(reqwest::Method::GET, "/_sandbox/state", None).await;
    for key in ["invoiceLinks", "subscriptions", "qrBills"] {
        assert_eq!(
            state[key].as_array().map(Vec::len),
            Some(1),
            "{key} in the state: {state}"
        );
    }
    let snapshot = StateFile::parse(&state.to_string()).expect("a v2 snapshot");
    let other = TestApp::spawn().await;
    other.sandbox().load_state(&snapshot).expect("loads");
    assert_eq!(other.sandbox().invoice_links().len(), 1);
    assert_eq!(other.sandbox().qr_bills().len(), 1);
    let id = sub["id"].as_str().expect("id");
    other.advance("8d").await;
    let (_, charged) = other
        .control_call(reqwest::Method::GET, &format!("/_sandbox/recurrent/{id}"), None)
        .await;
    assert_eq!(
        charged["charges"].as_array().map(Vec::len),
        Some(1),
        "the charge was rescheduled: {charged}"
    );

    let (status, _) = app.control_call(reqwest::Method::POST, "/_sandbox/reset", None).await;
    assert_eq!(status, 200);
    for path in ["/_sandbox/invoices", "/_sandbox/recurrent", "/_sandbox/qr"] {
        let (_, listed) = app.control_call(reqwest::Method::GET, path, None).await;
        assert_eq!(listed, json!([]), "{path} after a reset");
    }
}

#[tokio::test]
async fn a_partial_reset_removes_only_that_terminals_links_subscriptions_and_bills() {
    let app = TestApp::spawn().await;
    for (terminal, invoice) in [(TERMINAL, "730000010"), (ONE_STEP_TERMINAL, "730000011")] {
        let tx = app.subscribable_payment(terminal, invoice, Amount::from_units(10));
        let terminal_token = app.terminal_token(terminal).await;
        let (status, _) = app
            .post_json(
                "/recurrent/subscribe",
                &terminal_token,
                &json!({"transactionId": tx.id().to_string(), "paymentFrequency": "WEEKLY"}),
            )
            .await;
        assert_eq!(status, 200);
        let qr_token = app.payment_token(&format!("{invoice}9"), "10", terminal).await;
        assert_eq!(
            app.post_json("/payment/qr/generate", &qr_token, &json!({})).await.0,
            200
        );
        let body = json!({"shop_id": terminal, "invoice_id": format!("{invoice}8"), "amount": 10});
        assert_eq!(
            app.post_json("/invoice", &cabinet_token(&app).await, &body).await.0,
            200
        );
    }
    let (status, _) = app
        .control_call(
            reqwest::Method::POST,
            &format!("/_sandbox/reset?terminal={ONE_STEP_TERMINAL}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    for path in ["/_sandbox/invoices", "/_sandbox/recurrent", "/_sandbox/qr"] {
        let (_, listed) = app.control_call(reqwest::Method::GET, path, None).await;
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{path}: {listed}");
    }
    let (_, links) = app.control_call(reqwest::Method::GET, "/_sandbox/invoices", None).await;
    assert_eq!(
        links[0]["terminal_id"], TERMINAL,
        "shop_id naming a terminal of the client picks it"
    );
}
