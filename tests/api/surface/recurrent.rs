//! `POST /recurrent/subscribe` and `/_sandbox/recurrent`.

use super::*;
use serde_json::json;

impl TestApp {
    async fn subscribe(&self, prefix: &str, token: &str, transaction: &str, frequency: &str) -> (u16, Value) {
        self.post_json(
            &format!("{prefix}/recurrent/subscribe"),
            token,
            &json!({"transactionId": transaction, "paymentFrequency": frequency}),
        )
        .await
    }

    async fn subscription(&self, id: &str) -> Value {
        let (status, body) = self
            .control_call(reqwest::Method::GET, &format!("/_sandbox/recurrent/{id}"), None)
            .await;
        assert_eq!(status, 200, "subscription: {body}");
        body
    }
}

/// `yyyy-MM-dd'T'HH:mm:ss.SSSSSSSZ` as the SDK decodes it.
fn is_sdk_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.len() == 32 && bytes[10] == b'T' && bytes[19] == b'.' && text.ends_with("+0600")
}

#[tokio::test]
async fn an_approved_payment_is_subscribed_bare_and_under_api_with_the_sdk_fields() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    for (n, prefix) in PREFIXES.iter().enumerate() {
        let tx = app.subscribable_payment(TERMINAL, &format!("71000000{n}"), Amount::from_units(2500));
        let (status, body) = app.subscribe(prefix, &token, &tx.id().to_string(), "MONTHLY").await;
        assert_eq!(status, 200, "{prefix}: {body}");
        assert_eq!(body["paymentFrequency"], "MONTHLY");
        assert_eq!(body["clientId"], CLIENT_ID);
        assert_eq!(body["invoiceId"], tx.order().invoice_id);
        assert_eq!(body["amount"], 2500);
        assert_eq!(body["currency"], "KZT");
        assert_eq!(body["reference"], tx.reference());
        for date in ["createdDate", "lastPaymentDate"] {
            assert!(body[date].as_str().is_some_and(is_sdk_date), "{date}: {body}");
        }
        assert_eq!(body["active"], true);
    }
    let dashboard = app.get_text("/_sandbox/").await;
    assert!(dashboard.contains("Recurrent subscriptions"), "listed on the dashboard");
}

#[tokio::test]
async fn run_makes_the_next_charge_a_new_transaction_with_its_callback() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    let tx = app.subscribable_payment(TERMINAL, "710000010", Amount::from_units(990));
    let (_, sub) = app.subscribe("", &token, &tx.id().to_string(), "WEEKLY").await;
    let id = sub["id"].as_str().expect("id");
    let (status, run) = app
        .control_call(reqwest::Method::POST, &format!("/_sandbox/recurrent/{id}/run"), None)
        .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["status"], "AUTH", "a new payment on the two-step terminal: {run}");
    let charge_id = run["transactionId"].as_str().expect("transactionId");
    assert_ne!(charge_id, tx.id().to_string());
    let charge = app
        .sandbox()
        .transaction(charge_id.parse().expect("uuid"))
        .expect("the charge is a stored transaction");
    assert_ne!(charge.order().invoice_id, tx.order().invoice_id, "a fresh invoiceId");
    assert_eq!(charge.card().mask, tx.card().mask, "the same card");
    let callback = app.callback_to(charge.order().invoice_id, POST_LINK).await;
    assert_eq!(callback.body["code"], "ok");
    assert_eq!(callback.body["amount"], 990);
    assert_eq!(run["subscription"]["charges"], json!([charge_id]));
}

#[tokio::test]
async fn the_sandbox_clock_makes_the_charges_when_they_fall_due() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(ONE_STEP_TERMINAL).await;
    let tx = app.subscribable_payment(ONE_STEP_TERMINAL, "710000020", Amount::from_units(100));
    let (_, sub) = app.subscribe("", &token, &tx.id().to_string(), "WEEKLY").await;
    let id = sub["id"].as_str().expect("id");
    app.advance("6d").await;
    assert_eq!(app.subscription(id).await["charges"], json!([]), "not due yet");
    app.advance("2d").await;
    let after = app.subscription(id).await;
    let charges = after["charges"].as_array().cloned().unwrap_or_default();
    assert_eq!(charges.len(), 1, "{after}");
    let charge = app
        .sandbox()
        .transaction(charges[0].as_str().unwrap_or_default().parse().expect("uuid"))
        .expect("stored");
    assert_eq!(charge.status().to_string(), "CHARGE", "one-step terminal");
    assert_ne!(after["lastPaymentDate"], sub["lastPaymentDate"]);
    app.advance("7d").await;
    assert_eq!(app.subscription(id).await["charges"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_declined_charge_sends_the_failure_callback_and_the_subscription_goes_on() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    // 484.99: the magic amount that declines with 484 (insufficient funds).
    let tx = app.subscribable_payment(TERMINAL, "710000030", Amount::from_minor(48499));
    let (_, sub) = app.subscribe("", &token, &tx.id().to_string(), "QUARTERLY").await;
    let id = sub["id"].as_str().expect("id");
    let (_, run) = app
        .control_call(reqwest::Method::POST, &format!("/_sandbox/recurrent/{id}/run"), None)
        .await;
    assert_eq!(run["status"], "REJECT", "{run}");
    assert_eq!(run["reasonCode"], 484);
    let charge = app
        .sandbox()
        .transaction(run["transactionId"].as_str().unwrap_or_default().parse().expect("uuid"))
        .expect("stored");
    let callback = app.callback_to(charge.order().invoice_id, FAILURE_POST_LINK).await;
    assert_eq!(callback.body["code"], "error");
    let after = app.subscription(id).await;
    assert_eq!(after["active"], true);
    assert_eq!(
        after["lastPaymentDate"], sub["lastPaymentDate"],
        "no successful payment"
    );
}

#[tokio::test]
async fn subscribing_is_refused_without_a_token_a_valid_body_or_an_approved_payment() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    let tx = app.subscribable_payment(TERMINAL, "710000040", Amount::from_units(100));
    let id = tx.id().to_string();
    assert_eq!(app.subscribe("", "nope", &id, "WEEKLY").await.0, 401);
    let (status, body) = app.subscribe("", &token, "", "WEEKLY").await;
    assert_eq!((status, body["code"].clone()), (400, json!(-1)), "{body}");
    let (status, body) = app.subscribe("", &token, &id, "DAILY").await;
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("WEEKLY"));
    let (status, _) = app
        .subscribe("", &token, &uuid::Uuid::new_v4().to_string(), "WEEKLY")
        .await;
    assert_eq!(status, 404);
    let pending = app.seed_payment(TERMINAL, "710000041", 100);
    let (status, body) = app.subscribe("", &token, &pending.id().to_string(), "WEEKLY").await;
    assert_eq!(status, 409, "a NEW payment: {body}");
    let other_terminal = app.terminal_token(ONE_STEP_TERMINAL).await;
    let (status, _) = app.subscribe("", &other_terminal, &id, "WEEKLY").await;
    assert_eq!(status, 404, "a token of another terminal does not see the payment");
    let (_, listed) = app
        .control_call(reqwest::Method::GET, "/_sandbox/recurrent", None)
        .await;
    assert_eq!(listed, json!([]), "nothing stored from a refused request");
}

#[tokio::test]
async fn unknown_and_cancelled_subscriptions_do_not_charge() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    let unknown = uuid::Uuid::new_v4();
    let (status, _) = app
        .control_call(
            reqwest::Method::POST,
            &format!("/_sandbox/recurrent/{unknown}/run"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let tx = app.subscribable_payment(TERMINAL, "710000050", Amount::from_units(100));
    let (_, sub) = app.subscribe("", &token, &tx.id().to_string(), "WEEKLY").await;
    let id = sub["id"].as_str().expect("id");
    let (status, cancelled) = app
        .control_call(reqwest::Method::POST, &format!("/_sandbox/recurrent/{id}/cancel"), None)
        .await;
    assert_eq!((status, cancelled["active"].clone()), (200, json!(false)));
    let (status, _) = app
        .control_call(reqwest::Method::POST, &format!("/_sandbox/recurrent/{id}/run"), None)
        .await;
    assert_eq!(status, 409, "a cancelled subscription does not run");
    app.advance("8d").await;
    assert_eq!(app.subscription(id).await["charges"], json!([]));
}
