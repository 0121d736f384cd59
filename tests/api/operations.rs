//! `POST /operation/{id}/charge|cancel|refund`.

use crate::helpers::*;
use serde_json::Value;

impl TestApp {
    /// POSTs an operation; returns status and body text.
    pub async fn operation(&self, path: &str, token: &str, body: Option<Value>) -> (u16, String) {
        let mut request = self.http.post(self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("operation");
        (response.status().as_u16(), response.text().await.unwrap_or_default())
    }

    /// An approved payment on `terminal`, and a token for that terminal.
    pub async fn approved_payment(&self, terminal: &str, invoice: &str, amount: i64) -> (uuid::Uuid, String) {
        let tx = self.seed_payment(terminal, invoice, amount);
        self.sandbox().approve(tx.id()).expect("approve");
        (tx.id(), self.terminal_token(terminal).await)
    }

    /// check-status `transaction` object of an invoice.
    pub async fn status_of(&self, invoice: &str, token: &str) -> Value {
        let (_, body) = self
            .get(&format!("/check-status/payment/transaction/{invoice}"), token)
            .await;
        body["transaction"].clone()
    }
}

fn refusal(body: &str) -> Value {
    let value: Value = serde_json::from_str(body).expect("JSON error body");
    assert_eq!(value["code"], Value::from(100), "{body}");
    assert!(value["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    value
}

#[tokio::test]
async fn full_charge_answers_200_with_an_empty_body() {
    let app = TestApp::spawn().await;
    let (id, token) = app.approved_payment(TERMINAL, "400000001", 100).await;
    let (status, body) = app.operation(&format!("/operation/{id}/charge"), &token, None).await;
    assert_eq!((status, body.as_str()), (200, ""));
    let tx = app.status_of("400000001", &token).await;
    assert_eq!(tx["statusName"], "CHARGE");
    assert_eq!(tx["amount"], Value::from(100));
}

#[tokio::test]
async fn partial_charge_by_query_or_body_and_they_must_agree() {
    let app = TestApp::spawn().await;
    let (id, token) = app.approved_payment(TERMINAL, "400000002", 100).await;
    let (status, body) = app
        .operation(
            &format!("/api/operation/{id}/charge?amount=60"),
            &token,
            Some(serde_json::json!({"amount": 70})),
        )
        .await;
    assert_eq!(status, 400);
    refusal(&body);
    let (status, _) = app
        .operation(&format!("/operation/{id}/charge?amount=60"), &token, None)
        .await;
    assert_eq!(status, 200);
    let tx = app.status_of("400000002", &token).await;
    assert_eq!(
        (tx["amount"].clone(), tx["orgAmount"].clone()),
        (Value::from(60), Value::from(100))
    );

    let (id, token) = app.approved_payment(TERMINAL, "400000003", 100).await;
    let (status, _) = app
        .operation(
            &format!("/operation/{id}/charge"),
            &token,
            Some(serde_json::json!({"amount": "25.50"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.status_of("400000003", &token).await["amount"].as_f64(), Some(25.5));

    let (id, token) = app.approved_payment(TERMINAL, "400000004", 100).await;
    let (status, body) = app
        .operation(&format!("/operation/{id}/charge?amount=100.01"), &token, None)
        .await;
    assert_eq!(status, 400);
    assert!(refusal(&body)["message"].as_str().unwrap_or("").contains("exceeds"));
}

#[tokio::test]
async fn cancel_only_from_auth() {
    let app = TestApp::spawn().await;
    let (id, token) = app.approved_payment(TERMINAL, "400000005", 100).await;
    assert_eq!(
        app.operation(&format!("/operation/{id}/cancel"), &token, None).await.0,
        200
    );
    assert_eq!(app.status_of("400000005", &token).await["statusName"], "CANCEL");
    let (status, body) = app.operation(&format!("/operation/{id}/cancel"), &token, None).await;
    assert_eq!(status, 400);
    refusal(&body);
    let (status, _) = app.operation(&format!("/operation/{id}/charge"), &token, None).await;
    assert_eq!(status, 400, "a cancelled payment cannot be charged");

    let (id, token) = app.approved_payment(ONE_STEP_TERMINAL, "400000006", 100).await;
    let (status, body) = app.operation(&format!("/operation/{id}/cancel"), &token, None).await;
    assert_eq!(status, 400, "a one-step payment is already CHARGE");
    refusal(&body);
}

#[tokio::test]
async fn partial_refunds_up_to_the_charged_amount() {
    let app = TestApp::spawn().await;
    let (id, token) = app.approved_payment(ONE_STEP_TERMINAL, "400000007", 100).await;
    let path = |q: &str| format!("/operation/{id}/refund{q}");
    assert_eq!(
        app.operation(&path("?amount=30&externalID=r-1"), &token, None).await.0,
        200
    );
    let tx = app.status_of("400000007", &token).await;
    assert_eq!(tx["statusName"], "REFUND");
    assert_eq!(
        (tx["payoutAmount"].clone(), tx["amount"].clone()),
        (Value::from(30), Value::from(70))
    );

    let (status, body) = app.operation(&path("?amount=30&externalID=r-1"), &token, None).await;
    assert_eq!(status, 400, "a repeated externalID is refused");
    assert!(refusal(&body)["message"].as_str().unwrap_or("").contains("r-1"));

    let (status, body) = app.operation(&path("?amount=5"), &token, None).await;
    assert_eq!(status, 400, "below the 10 KZT minimum");
    refusal(&body);

    let (status, body) = app.operation(&path("?amount=71"), &token, None).await;
    assert_eq!(status, 400, "more than is left");
    refusal(&body);

    assert_eq!(app.operation(&path(""), &token, None).await.0, 200, "refund the rest");
    let tx = app.status_of("400000007", &token).await;
    assert_eq!(
        (tx["payoutAmount"].clone(), tx["amount"].clone()),
        (Value::from(100), Value::from(0))
    );
    assert_eq!(app.operation(&path(""), &token, None).await.0, 400, "nothing left");
}

#[tokio::test]
async fn refund_needs_a_charge() {
    let app = TestApp::spawn().await;
    let (id, token) = app.approved_payment(TERMINAL, "400000008", 100).await;
    let (status, body) = app.operation(&format!("/operation/{id}/refund"), &token, None).await;
    assert_eq!(status, 400, "AUTH cannot be refunded");
    refusal(&body);
}

#[tokio::test]
async fn unknown_foreign_and_malformed_ids_are_refused() {
    let app = TestApp::spawn().await;
    let (id, _) = app.approved_payment(TERMINAL, "400000009", 100).await;
    let other_terminal = app.terminal_token(ONE_STEP_TERMINAL).await;
    let (status, body) = app
        .operation(&format!("/operation/{id}/charge"), &other_terminal, None)
        .await;
    assert_eq!(status, 400, "a token of another terminal does not see the payment");
    refusal(&body);
    let (status, body) = app
        .operation(
            &format!("/operation/{}/charge", uuid::Uuid::new_v4()),
            &other_terminal,
            None,
        )
        .await;
    assert_eq!(status, 400);
    refusal(&body);
    let (status, body) = app
        .operation("/operation/not-a-uuid/cancel", &other_terminal, None)
        .await;
    assert_eq!(status, 400);
    refusal(&body);
    let (status, body) = app
        .operation(&format!("/operation/{id}/charge?amount=abc"), &other_terminal, None)
        .await;
    assert_eq!(status, 400);
    refusal(&body);
    let (status, _) = app.operation(&format!("/operation/{id}/charge"), "nope", None).await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refunds_never_return_more_than_was_charged() {
    let app = TestApp::spawn().await;
    let (id, token) = app.approved_payment(ONE_STEP_TERMINAL, "400000010", 100).await;
    let url = app.url(&format!("/operation/{id}/refund?amount=10"));
    let mut refunds = tokio::task::JoinSet::new();
    for _ in 0..25 {
        let request = app.http.post(&url).bearer_auth(&token);
        refunds.spawn(async move { request.send().await.map(|r| r.status().as_u16()).unwrap_or(0) });
    }
    let statuses = refunds.join_all().await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        10,
        "exactly ten refunds of 10 fit into 100"
    );
    assert!(statuses.iter().all(|s| *s == 200 || *s == 400), "{statuses:?}");
    let tx = app.status_of("400000010", &token).await;
    assert_eq!(tx["payoutAmount"], Value::from(100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_charge_and_cancel_exactly_one_wins() {
    let app = TestApp::spawn().await;
    for n in 0..20 {
        let invoice = format!("4000001{n:02}");
        let (id, token) = app.approved_payment(TERMINAL, &invoice, 100).await;
        let charge = format!("/operation/{id}/charge");
        let cancel = format!("/operation/{id}/cancel");
        let ((a, _), (b, _)) = tokio::join!(
            app.operation(&charge, &token, None),
            app.operation(&cancel, &token, None)
        );
        assert_eq!(
            [a, b].iter().filter(|s| **s == 200).count(),
            1,
            "charge {a}, cancel {b}"
        );
        let status = app.status_of(&invoice, &token).await["statusName"].clone();
        let expected = if a == 200 { "CHARGE" } else { "CANCEL" };
        assert_eq!(status, expected);
    }
}
