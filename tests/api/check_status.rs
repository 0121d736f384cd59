//! `GET /check-status/payment/transaction/{invoiceId}` and `GET /operation/{invoiceId}`.

use crate::helpers::*;
use epay_sandbox::domain::transaction::{Event, PendingOutcome};
use serde_json::Value;

/// Every key of the seed 001 sample, in order.
const SEED_001_KEYS: [&str; 38] = [
    "id",
    "createdDate",
    "invoiceID",
    "amount",
    "amountBonus",
    "payoutAmount",
    "orgAmount",
    "approvalCode",
    "data",
    "currency",
    "terminal",
    "terminalID",
    "accountID",
    "description",
    "language",
    "cardMask",
    "cardType",
    "issuer",
    "reference",
    "reason",
    "reasonCode",
    "intReference",
    "secure",
    "statusID",
    "statusName",
    "name",
    "email",
    "phone",
    "cardID",
    "xlsRRN",
    "ip",
    "ipCountry",
    "ipCity",
    "ipRegion",
    "ipDistrict",
    "ipLatitude",
    "ipLongitude",
    "amountBonus",
];

#[tokio::test]
async fn found_payment_has_every_field_of_the_seed_sample() {
    let app = TestApp::spawn().await;
    let tx = app.seed_payment(TERMINAL, "205218074", 100);
    app.sandbox().approve(tx.id()).expect("approve");
    let token = app.terminal_token(TERMINAL).await;
    let (status, body) = app.get("/check-status/payment/transaction/205218074", &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["resultCode"], "100");
    assert_eq!(body["resultMessage"], "SUCCESS");
    let t = body["transaction"].as_object().expect("transaction object");
    for key in SEED_001_KEYS {
        assert!(t.contains_key(key), "missing {key}");
    }
    assert_eq!(t.len(), 37, "no extra keys: {body}");
    assert_eq!(t["statusName"], "AUTH");
    assert_eq!(t["invoiceID"], "205218074");
    assert_eq!(t["amount"], Value::from(100));
    assert_eq!(t["terminal"], "98120001");
    assert_eq!(t["terminalID"], TERMINAL);
    assert_eq!(t["cardMask"], "440563...5096");
    assert_eq!(t["reasonCode"], "00");
    assert_eq!(t["secure"], Value::Bool(false));
    assert_eq!(t["language"], "RU");
    assert!(t["reference"]
        .as_str()
        .is_some_and(|r| r.len() == 12 && r.chars().all(|c| c.is_ascii_digit())));
    assert!(t["intReference"]
        .as_str()
        .is_some_and(|r| r.len() == 16 && r.chars().all(|c| c.is_ascii_hexdigit())));
    assert!(t["approvalCode"].as_str().is_some_and(|r| r.len() == 6));
    assert!(
        t["createdDate"]
            .as_str()
            .is_some_and(|d| d.ends_with("+06:00") && d.len() == 32),
        "{}",
        t["createdDate"]
    );
}

#[tokio::test]
async fn same_answer_under_the_api_prefix() {
    let app = TestApp::spawn().await;
    app.seed_payment(TERMINAL, "300000001", 50);
    let token = app.terminal_token(TERMINAL).await;
    let (bare_status, bare) = app.get("/check-status/payment/transaction/300000001", &token).await;
    let (api_status, api) = app.get("/api/check-status/payment/transaction/300000001", &token).await;
    assert_eq!(bare_status, 200);
    assert_eq!((bare_status, bare), (api_status, api));
}

#[tokio::test]
async fn refund_shows_payout_and_original_amounts_like_the_sample() {
    let app = TestApp::spawn().await;
    let tx = app.seed_payment(ONE_STEP_TERMINAL, "300000002", 100);
    app.sandbox().approve(tx.id()).expect("approve");
    app.sandbox()
        .operate(
            tx.id(),
            Event::Refund {
                amount: Some(epay_sandbox::domain::money::Amount::from_minor(3_778)),
                external_id: None,
            },
        )
        .expect("refund");
    let token = app.terminal_token(ONE_STEP_TERMINAL).await;
    let (_, body) = app.get("/check-status/payment/transaction/300000002", &token).await;
    let t = &body["transaction"];
    assert_eq!(t["statusName"], "REFUND");
    assert_eq!(t["orgAmount"], Value::from(100));
    assert_eq!(t["payoutAmount"].as_f64(), Some(37.78));
    assert_eq!(t["amount"].as_f64(), Some(62.22));
}

#[tokio::test]
async fn declined_payment_is_visible_with_its_reason() {
    let app = TestApp::spawn().await;
    let tx = app.seed_payment(TERMINAL, "300000003", 10);
    app.sandbox().decline(tx.id(), 484).expect("decline");
    let token = app.terminal_token(TERMINAL).await;
    let (_, body) = app.get("/check-status/payment/transaction/300000003", &token).await;
    assert_eq!(body["resultCode"], "100");
    assert_eq!(body["transaction"]["statusName"], "REJECT");
    assert_eq!(body["transaction"]["reasonCode"], "484");
    assert_eq!(body["transaction"]["reason"], "Insufficient funds");
}

#[tokio::test]
async fn result_codes_102_104_106() {
    let app = TestApp::spawn().await;
    app.seed_payment(ONE_STEP_TERMINAL, "300000004", 10);

    let token = app.terminal_token(TERMINAL).await;
    let (status, body) = app.get("/check-status/payment/transaction/999999999", &token).await;
    assert_eq!((status, body["resultCode"].clone()), (200, Value::from("102")));
    assert_eq!(body["transaction"], Value::Null);
    assert_eq!(
        body["resultMessage"],
        "Invoice not found, try again later or check transaction type (payment/p2p)"
    );

    let (_, body) = app.get("/check-status/payment/transaction/300000004", &token).await;
    assert_eq!(
        body["resultCode"], "106",
        "invoice lives on another terminal of the client"
    );

    let (_, no_terminal) = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", SCOPE),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .await;
    let (_, body) = app
        .get(
            "/check-status/payment/transaction/300000004",
            no_terminal["access_token"].as_str().unwrap_or(""),
        )
        .await;
    assert_eq!(body["resultCode"], "104");
    assert_eq!(body["resultMessage"], "Field terminal absent in token");
}

#[tokio::test]
async fn another_merchant_cannot_see_the_invoice() {
    let app = TestApp::spawn().await;
    app.seed_payment(TERMINAL, "300000005", 10);
    let (_, body) = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", "payment"),
            ("client_id", "halykfinanceUSD"),
            ("client_secret", "U01gQZVL##lJ$NhJ"),
            ("terminal", "d9d7978c-d6ee-4ec0-8cda-165251a4bf16"),
        ])
        .await;
    let other = body["access_token"].as_str().expect("token").to_string();
    let (_, body) = app.get("/check-status/payment/transaction/300000005", &other).await;
    assert_eq!(body["resultCode"], "102");
}

#[tokio::test]
async fn pending_outcome_answers_107_until_it_settles() {
    let app = TestApp::spawn().await;
    app.sandbox().clock().freeze(None);
    let tx = app.seed_payment(TERMINAL, "300000006", 10);
    let settle_at = app.sandbox().clock().now() + chrono::Duration::seconds(60);
    app.defer(
        tx.id(),
        PendingOutcome {
            settle_at,
            decline_with: None,
            polls_left: None,
        },
    );
    let token = app.terminal_token(TERMINAL).await;
    let (status, body) = app.get("/check-status/payment/transaction/300000006", &token).await;
    assert_eq!((status, body["resultCode"].clone()), (200, Value::from("107")));
    assert_eq!(body["resultMessage"], "In progress");
    app.sandbox().clock().advance(chrono::Duration::seconds(61));
    let (_, body) = app.get("/check-status/payment/transaction/300000006", &token).await;
    assert_eq!(body["resultCode"], "100");
    assert_eq!(body["transaction"]["statusName"], "AUTH");
}

#[tokio::test]
async fn unclaimed_auth_turns_cancel_old_after_the_hold() {
    let app = TestApp::spawn().await;
    app.sandbox().clock().freeze(None);
    let tx = app.seed_payment(TERMINAL, "300000007", 10);
    app.sandbox().approve(tx.id()).expect("approve");
    let token = app.terminal_token(TERMINAL).await;
    app.sandbox()
        .clock()
        .advance(app.sandbox().config().auth_hold + chrono::Duration::seconds(1));
    let (status, body) = app.get("/check-status/payment/transaction/300000007", &token).await;
    assert_eq!(status, 401, "the token expired too: {body}");
    let token = app.terminal_token(TERMINAL).await;
    let (_, body) = app.get("/check-status/payment/transaction/300000007", &token).await;
    assert_eq!(body["transaction"]["statusName"], "CANCEL_OLD");
}

#[tokio::test]
async fn older_flat_operation_shape() {
    let app = TestApp::spawn().await;
    let tx = app.seed_payment(ONE_STEP_TERMINAL, "300000008", 25);
    app.sandbox().approve(tx.id()).expect("approve");
    let token = app.terminal_token(ONE_STEP_TERMINAL).await;
    let (status, body) = app.get("/operation/300000008", &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["invoiceId"], "300000008");
    assert_eq!(body["code"], "CHARGE");
    assert_eq!(body["secure"], "false");
    assert_eq!(body["reasonCode"], Value::from(0));
    assert_eq!(body["terminal"], "98120002");
    let (status, body) = app.get("/api/operation/999999", &token).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], Value::from(100));
}
