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

    /// POSTs an operation with a raw body and, when given, a `Content-Type`.
    pub async fn operation_raw(
        &self,
        path: &str,
        token: &str,
        content_type: Option<&str>,
        body: &str,
    ) -> (u16, String) {
        let mut request = self.http.post(self.url(path)).bearer_auth(token).body(body.to_string());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
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
async fn partial_charge_by_query_or_body_the_query_first() {
    let app = TestApp::spawn().await;
    let (id, token) = app.approved_payment(TERMINAL, "400000002", 100).await;
    let (status, body) = app
        .operation(
            &format!("/api/operation/{id}/charge?amount=60"),
            &token,
            Some(serde_json::json!({"amount": 70})),
        )
        .await;
    assert_eq!(
        (status, body.as_str()),
        (200, ""),
        "the query's amount wins over the body's"
    );
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

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

#[tokio::test]
async fn operations_read_amount_and_external_id_from_a_form_body() {
    let app = TestApp::spawn().await;
    let (id, token) = app.approved_payment(TERMINAL, "400000011", 100).await;
    let (status, body) = app
        .operation_raw(&format!("/operation/{id}/charge"), &token, FORM, "amount=60")
        .await;
    assert_eq!((status, body.as_str()), (200, ""), "a Go client's form-encoded charge");
    let tx = app.status_of("400000011", &token).await;
    assert_eq!(
        (tx["statusName"].as_str(), tx["amount"].clone()),
        (Some("CHARGE"), Value::from(60))
    );

    let refund = format!("/api/operation/{id}/refund");
    let (status, body) = app
        .operation_raw(&refund, &token, FORM, "amount=20.50&externalID=r-9")
        .await;
    assert_eq!((status, body.as_str()), (200, ""));
    assert_eq!(
        app.status_of("400000011", &token).await["payoutAmount"].as_f64(),
        Some(20.5)
    );
    let (status, body) = app
        .operation(
            &refund,
            &token,
            Some(serde_json::json!({"amount": 20, "externalId": "r-9"})),
        )
        .await;
    assert_eq!(status, 400, "the JSON body's externalID is the same refund: {body}");
    assert!(
        refusal(&body)["message"].as_str().unwrap_or("").contains("r-9"),
        "{body}"
    );
    let (status, body) = app
        .operation_raw(&refund, &token, None, "externalID=r-10&amount=10")
        .await;
    assert_eq!((status, body.as_str()), (200, ""), "a form without a Content-Type");
    let (status, body) = app
        .operation_raw(
            &format!("{refund}?amount=10&externalID=r-11"),
            &token,
            FORM,
            "amount=5&externalID=r-9",
        )
        .await;
    assert_eq!((status, body.as_str()), (200, ""), "the query wins over the form");
    let tx = app.status_of("400000011", &token).await;
    assert_eq!(tx["payoutAmount"].as_f64(), Some(40.5), "{tx}");
}

#[tokio::test]
async fn operations_refuse_a_body_that_is_neither_json_nor_a_form() {
    let app = TestApp::spawn().await;
    let (id, token) = app.approved_payment(TERMINAL, "400000012", 100).await;
    let cases = [
        ("charge", Some("text/plain"), "sixty"),
        ("charge", Some("application/json"), "[60]"),
        ("charge", Some("application/json"), r#"{"amount": "#),
        (
            "charge",
            Some("multipart/form-data; boundary=x"),
            "--x\r\nContent-Disposition: form-data; name=\"amount\"\r\n\r\n60\r\n--x--\r\n",
        ),
        ("charge", FORM, "amount=abc"),
        ("cancel", Some("text/plain"), "please cancel"),
        ("refund", None, "60 KZT"),
    ];
    for (operation, content_type, body) in cases {
        let (status, answer) = app
            .operation_raw(&format!("/operation/{id}/{operation}"), &token, content_type, body)
            .await;
        assert_eq!(status, 400, "{operation} {content_type:?} {body:?}: {answer}");
        let message = refusal(&answer)["message"].as_str().unwrap_or("").to_string();
        assert!(
            message.contains("JSON object or a form") || message.contains("amount"),
            "{operation} {body:?}: the message says what is accepted: {message}"
        );
    }
    let tx = app.status_of("400000012", &token).await;
    assert_eq!(tx["statusName"], "AUTH", "nothing changed: {tx}");
    assert_eq!(tx["amount"], Value::from(100));
}
