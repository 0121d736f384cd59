//! Saved cards: `cardSave`, `POST /payments/cards/auth`, `GET /cards/{accountId}`,
//! `POST /card/deactivate/{cardId}`.

use crate::helpers::*;
use epay_sandbox::domain::saved_cards::CardToSave;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const ACCOUNT: &str = "uuid000001";

/// Pays with a card and `cardSave: true`; returns the `cardID`.
async fn save_card(app: &TestApp, invoice: &str, pan: &str, exp: &str, cvc: &str) -> String {
    let token = app.payment_token(invoice, "100", TERMINAL).await;
    let body = json!({
        "amount": 100,
        "currency": "KZT",
        "name": "TEST TEST",
        "cryptogram": app.cryptogram(pan, exp, cvc, TERMINAL),
        "invoiceId": invoice,
        "description": "save",
        "accountId": ACCOUNT,
        "cardSave": true,
    });
    let (status, body) = app.post_json("/payment/cryptopay", &token, &body).await;
    assert_eq!(status, 200, "{body}");
    body["cardID"].as_str().expect("cardID").to_string()
}

/// Seeds a saved card directly (for cards whose first payment needs 3-D Secure).
fn seed_saved_card(app: &TestApp, invoice: &str, pan: &str) -> String {
    let mut new = app.payment_template(TERMINAL, invoice);
    new.amount = epay_sandbox::domain::money::Amount::from_units(100);
    new.order.account_id = ACCOUNT.into();
    let tx = app.open_payment(new);
    let saved = app.sandbox().save_card(
        &tx,
        &CardToSave {
            pan: pan.into(),
            expiry: "1299".into(),
            holder: "TEST TEST".into(),
        },
    );
    saved.id.to_string()
}

/// The seed 002 request body.
fn auth_body(invoice: &str, amount: Value, account: &str, card_id: &str) -> Value {
    json!({
        "amount": amount,
        "currency": "KZT",
        "name": "TEST TEST",
        "terminalId": TERMINAL,
        "invoiceId": invoice,
        "invoiceIdAlt": "8564546",
        "description": "test",
        "accountId": account,
        "email": "parkhomchik@gmail.com",
        "phone": "77472261170",
        "backLink": "https://testmerchant/order/1123",
        "failureBackLink": "https://testmerchant/order/1123/fail",
        "postLink": "https://testmerchant/order/1123",
        "failurePostLink": "https://testmerchant/order/1123/fail",
        "language": "rus",
        "paymentType": "cardId",
        "cardId": {"id": card_id},
    })
}

async fn pay_saved(app: &TestApp, invoice: &str, amount: &str, account: &str, card_id: &str) -> (u16, Value) {
    let token = app.payment_token(invoice, amount, TERMINAL).await;
    let amount: Value = serde_json::from_str(amount).expect("amount literal");
    app.post_json(
        "/payments/cards/auth",
        &token,
        &auth_body(invoice, amount, account, card_id),
    )
    .await
}

#[tokio::test]
async fn saved_card_pays_with_the_seed_002_shape() {
    let app = TestApp::spawn().await;
    let card_id = save_card(&app, "000002001", "4405639704015096", "0125", "815").await;
    assert_eq!(card_id.len(), 36);
    let (status, body) = pay_saved(&app, "10101112", "100", ACCOUNT, &card_id).await;
    assert_eq!(status, 200, "{body}");
    for key in [
        "id",
        "accountId",
        "amount",
        "amountBonus",
        "currency",
        "description",
        "email",
        "invoiceID",
        "invoiceIdAlt",
        "language",
        "phone",
        "reference",
        "intReference",
        "secure3D",
        "cardID",
        "code",
        "status",
    ] {
        assert!(body.get(key).is_some(), "missing {key}: {body}");
    }
    assert_eq!(body["status"], "AUTH");
    assert_eq!(body["code"], 0);
    assert_eq!(body["secure3D"], Value::Null);
    assert_eq!(body["cardID"], card_id.as_str());
    assert_eq!(body["invoiceID"], "10101112");
    assert_eq!(body["language"], "RU");
    let token = app.terminal_token(TERMINAL).await;
    let (_, status) = app.get("/check-status/payment/transaction/10101112", &token).await;
    assert_eq!(status["transaction"]["cardID"], card_id.as_str());
    assert_eq!(status["transaction"]["cardMask"], "440563...5096");
}

#[tokio::test]
async fn cards_are_listed_in_pascal_case_and_deactivated() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    let (status, body) = app.get(&format!("/cards/{ACCOUNT}"), &token).await;
    assert_eq!((status, body), (200, json!([])));

    let card_id = save_card(&app, "000002101", "4405639704015096", "0125", "815").await;
    let again = save_card(&app, "000002102", "4405639704015096", "0127", "321").await;
    assert_eq!(again, card_id, "the same card saved twice keeps its id");
    let (status, body) = app.get(&format!("/api/cards/{ACCOUNT}"), &token).await;
    assert_eq!(status, 200);
    let cards = body.as_array().expect("array");
    assert_eq!(cards.len(), 1, "{body}");
    let card = cards[0].as_object().expect("object");
    let keys = [
        "ID",
        "TransactionId",
        "MerchantID",
        "CardHash",
        "CardMask",
        "PayerName",
        "Reference",
        "IntReference",
        "Token",
        "Terminal",
        "CreatedDate",
        "PaymentAvailable",
        "AccountID",
    ];
    assert_eq!(card.len(), keys.len(), "{body}");
    for key in keys {
        assert!(card.contains_key(key), "missing {key}");
    }
    assert_eq!(card["ID"], card_id.as_str());
    assert_eq!(
        card["CardHash"],
        hex::encode(Sha256::digest(b"4405639704015096")).as_str()
    );
    assert_eq!(card["CardMask"], "440563...5096");
    assert_eq!(card["PayerName"], "TEST TEST");
    assert_eq!(card["Terminal"], "98120001");
    assert_eq!(card["AccountID"], ACCOUNT);
    assert_eq!(card["PaymentAvailable"], true);
    assert!(card["CreatedDate"].as_str().is_some_and(|d| d.ends_with("+06:00")));

    let (status, body) = app
        .post_json(&format!("/card/deactivate/{card_id}"), &token, &Value::Null)
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"status": "card successfully deactivated"}))
    );
    let (_, body) = app.get(&format!("/cards/{ACCOUNT}"), &token).await;
    assert_eq!(body, json!([]));
    let (status, body) = app
        .post_json(&format!("/card/deactivate/{card_id}"), &token, &Value::Null)
        .await;
    assert_eq!((status, body["code"].clone()), (400, json!(-1)), "{body}");
    let (status, body) = pay_saved(&app, "000002103", "100", ACCOUNT, &card_id).await;
    assert_eq!((status, body["code"].clone()), (400, json!(-1)), "deactivated: {body}");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("deactivated")));
}

#[tokio::test]
async fn foreign_cards_are_refused() {
    let app = TestApp::spawn().await;
    let card_id = save_card(&app, "000002201", "4405639704015096", "0125", "815").await;
    let (status, body) = pay_saved(&app, "000002202", "100", "someone-else", &card_id).await;
    assert_eq!((status, body["code"].clone()), (400, json!(-1)), "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("someone-else")));
    let (status, body) = pay_saved(&app, "000002203", "100", ACCOUNT, "not-a-uuid").await;
    assert_eq!((status, body["code"].clone()), (400, json!(-1)), "{body}");
    let (status, _) = pay_saved(&app, "000002204", "100", ACCOUNT, &uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(status, 400);

    let (_, other) = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", SCOPE),
            ("client_id", "halykfinanceUSD"),
            ("client_secret", "U01gQZVL##lJ$NhJ"),
        ])
        .await;
    let other = other["access_token"].as_str().unwrap_or_default().to_string();
    let (_, body) = app.get(&format!("/cards/{ACCOUNT}"), &other).await;
    assert_eq!(body, json!([]), "another merchant sees none");
    let (status, _) = app
        .post_json(&format!("/card/deactivate/{card_id}"), &other, &Value::Null)
        .await;
    assert_eq!(status, 400, "another merchant cannot deactivate it");
    let (status, body) = pay_saved(&app, "000002205", "100", ACCOUNT, &card_id).await;
    assert_eq!(status, 200, "still usable by its owner: {body}");
}

#[tokio::test]
async fn saved_cards_skip_3ds_but_keep_card_behaviour_and_magic_amounts() {
    let app = TestApp::spawn().await;
    app.sandbox().clock().freeze(None);
    let fails_3ds = seed_saved_card(&app, "000002301", "4000000000004731");
    let (status, body) = pay_saved(&app, "000002302", "100", ACCOUNT, &fails_3ds).await;
    assert_eq!((status, body["secure3D"].clone()), (200, Value::Null), "{body}");

    let declines = seed_saved_card(&app, "000002303", "5100000000004844");
    let (status, body) = pay_saved(&app, "000002304", "100", ACCOUNT, &declines).await;
    assert_eq!((status, body["code"].clone()), (400, json!(484)), "{body}");
    assert_eq!(body["invoiceId"], "000002304");

    let (status, body) = pay_saved(&app, "000002305", "487.99", ACCOUNT, &fails_3ds).await;
    assert_eq!((status, body["code"].clone()), (400, json!(487)), "{body}");

    let pending = seed_saved_card(&app, "000002306", "4000000000004541");
    let (status, body) = pay_saved(&app, "000002307", "100", ACCOUNT, &pending).await;
    assert_eq!((status, body["code"].clone()), (400, json!(454)), "{body}");
    app.sandbox().clock().advance(chrono::Duration::seconds(60));
    let token = app.terminal_token(TERMINAL).await;
    let (_, status) = app.get("/check-status/payment/transaction/000002307", &token).await;
    assert_eq!(status["transaction"]["statusName"], "AUTH");
}

#[tokio::test]
async fn cards_auth_validates_like_cryptopay() {
    let app = TestApp::spawn().await;
    let card_id = save_card(&app, "000002401", "4405639704015096", "0125", "815").await;
    let token = app.payment_token("000002402", "100", TERMINAL).await;
    let mut body = auth_body("000002402", json!(100), ACCOUNT, &card_id);
    body["paymentType"] = json!("card");
    let (status, answer) = app.post_json("/payments/cards/auth", &token, &body).await;
    assert_eq!((status, answer["code"].clone()), (400, json!(-1)), "{answer}");
    let (status, answer) = app
        .post_json(
            "/payments/cards/auth",
            &token,
            &auth_body("000002402", json!(200), ACCOUNT, &card_id),
        )
        .await;
    assert_eq!(
        (status, answer["code"].clone()),
        (400, json!(-1)),
        "token amount mismatch: {answer}"
    );
    let mut body = auth_body("000002402", json!(100), ACCOUNT, &card_id);
    body["cardId"] = json!(card_id);
    let (status, answer) = app.post_json("/payments/cards/auth", &token, &body).await;
    assert_eq!(status, 200, "cardId as a plain string: {answer}");
}

#[tokio::test]
async fn p2p_bodies_on_cards_auth_are_transfers() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(P2P_TERMINAL).await;
    let body = json!({"order": {"id": "000000001", "amount": 100}, "card": {"sender": {}, "receiver": {}}});
    let (status, body) = app.post_json("/payments/cards/auth", &token, &body).await;
    assert_eq!((status, body["code"].clone()), (400, json!(-1)), "{body}");
    assert_eq!(body["invoiceId"], "000000001");
}
