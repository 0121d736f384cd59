//! Transfers: `/payments/cards/auth` with `{order, card}` (seed 000), `/p2p/transfer`,
//! `/chdebit/transfer` (AFT), `/chpayment/transfer` (OCT), and
//! `GET /check-status/p2p/transaction/{order}`.

use crate::helpers::*;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

/// The seed 000 P2P form terminal.
pub const P2P_FORM_TERMINAL: &str = "40a348cb-68a3-45d5-9002-a4836d79c3b5";
const ACCOUNT: &str = "testUser1";
const VISA: &str = "4405639704015096";
const MASTERCARD: &str = "5522042705066736";

/// A client-credentials token with scope `transfer` for `terminal`.
pub async fn transfer_token(app: &TestApp, terminal: &str) -> String {
    let (status, body) = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", " transfer"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("terminal", terminal),
        ])
        .await;
    assert_eq!(status, 200, "token: {body}");
    body["access_token"].as_str().expect("access_token").to_string()
}

/// The Visa of the test-card table as a TYPEPAN sender.
fn visa_sender(save: bool) -> Value {
    json!({"save": save, "transferType": "TYPEPAN", "cvc": "815", "expire": {"month": "01", "year": "25"},
           "name": "Arman Ali", "cardCred": VISA})
}

fn pan_receiver(pan: &str, save: bool) -> Value {
    json!({"save": save, "transferType": "TYPEPAN", "cardCred": pan})
}

fn card_id(id: &str) -> Value {
    json!({"transferType": "TYPECARDID", "cardCred": id, "expire": null})
}

/// A seed 000 body for `order` of `amount` on `terminal`.
pub fn transfer_body(order: &str, amount: Value, terminal: &str, sender: Value, receiver: Value) -> Value {
    json!({
        "order": {
            "amount": amount,
            "currency": "KZT",
            "description": "Test p2p payment",
            "id": order,
            "accountID": ACCOUNT,
            "senderEmail": "dosbols@halykbank.kz",
            "terminalId": terminal,
            "backLink": "https://epay.homebank.kz/demo/success.html",
            "failureBackLink": "https://epay.homebank.kz/demo/failure.html",
            "postLink": "https://epay.homebank.kz/payform",
            "failurePostLink": "https://testmerchant/order/1123/fail"
        },
        "card": {"sender": sender, "receiver": receiver}
    })
}

/// POSTs a transfer body to `path` with a fresh token for `terminal`.
pub async fn send(app: &TestApp, path: &str, terminal: &str, body: &Value) -> (u16, Value) {
    let token = transfer_token(app, terminal).await;
    app.post_json(path, &token, body).await
}

async fn p2p(app: &TestApp, order: &str, amount: Value, sender: Value, receiver: Value) -> (u16, Value) {
    let body = transfer_body(order, amount, P2P_TERMINAL, sender, receiver);
    send(app, "/p2p/transfer", P2P_TERMINAL, &body).await
}

/// P2P check-status of `order` with a token for `terminal`.
async fn p2p_status(app: &TestApp, terminal: &str, order: &str) -> (u16, Value) {
    let token = transfer_token(app, terminal).await;
    app.get(&format!("/check-status/p2p/transaction/{order}"), &token).await
}

/// A Luhn-valid 16-digit PAN from a 15-digit body.
fn luhn(body: &str) -> String {
    (0..10)
        .map(|d| format!("{body}{d}"))
        .find(|p| {
            let sum: u32 = p
                .chars()
                .rev()
                .enumerate()
                .map(|(i, c)| {
                    let d = c.to_digit(10).unwrap_or(0);
                    if i % 2 == 1 {
                        let x = d * 2;
                        if x > 9 {
                            x - 9
                        } else {
                            x
                        }
                    } else {
                        d
                    }
                })
                .sum();
            sum.is_multiple_of(10)
        })
        .unwrap_or_default()
}

fn assert_refused(status: u16, body: &Value, code: i64, order: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["invoiceId"], order);
    assert_eq!(body["id"], "");
    assert_eq!(body["reference"], "");
    assert_eq!(body["accountId"], ACCOUNT);
    assert!(!body["message"].as_str().unwrap_or_default().is_empty());
}

/// new → new with both cards saved; returns (sender id, receiver id).
async fn save_both(app: &TestApp, order: &str) -> (String, String) {
    let (status, body) = p2p(
        app,
        order,
        json!(100),
        visa_sender(true),
        pan_receiver(MASTERCARD, true),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = |k: &str| body[k].as_str().unwrap_or_default().to_string();
    let (sender, receiver) = (id("senderCardID"), id("receiverCardID"));
    assert!(
        !sender.is_empty() && !receiver.is_empty() && sender != receiver,
        "{body}"
    );
    (sender, receiver)
}

#[tokio::test]
async fn new_to_new_answers_the_seed_000_body_and_saves_both_cards() {
    let app = TestApp::spawn().await;
    let (status, body) = p2p(
        &app,
        "8161284658529816",
        json!(100),
        visa_sender(true),
        pan_receiver(MASTERCARD, true),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for key in [
        "id",
        "amount",
        "fee",
        "accountID",
        "currency",
        "email",
        "description",
        "reference",
        "orderID",
        "senderCardID",
        "senderCardPAN",
        "senderCardType",
        "senderTransferType",
        "receiverCardID",
        "receiverCardPAN",
        "receiverCardType",
        "receiverTransferType",
        "intReference",
        "terminalID",
        "status",
    ] {
        assert!(body.get(key).is_some(), "missing {key}: {body}");
    }
    assert_eq!(body["status"], "CHARGE");
    assert_eq!(body["code"], 0);
    assert_eq!(body["amount"], 100);
    assert_eq!(body["fee"], 95);
    assert_eq!(body["accountID"], ACCOUNT);
    assert_eq!(body["email"], "dosbols@halykbank.kz");
    assert_eq!(body["orderID"], "8161284658529816");
    assert_eq!(body["senderCardPAN"], "440563...5096");
    assert_eq!(body["senderCardType"], "VISA");
    assert_eq!(body["senderTransferType"], "TYPEPAN");
    assert_eq!(body["receiverCardPAN"], "552204...6736");
    assert_eq!(body["receiverCardType"], "MasterCard");
    assert_eq!(body["receiverTransferType"], "TYPEPAN");
    assert_eq!(body["terminalID"], P2P_TERMINAL);
    assert_eq!(body["reference"].as_str().map(str::len), Some(12));
    assert_eq!(body["intReference"].as_str().map(str::len), Some(16));

    let token = transfer_token(&app, P2P_TERMINAL).await;
    let (status, cards) = app.get(&format!("/cards/{ACCOUNT}"), &token).await;
    assert_eq!(status, 200);
    let masks: Vec<&str> = cards
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["CardMask"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(masks, ["440563...5096", "552204...6736"]);
}

#[tokio::test]
async fn unsaved_cards_have_no_ids_and_fee_is_a_percentage_above_the_minimum() {
    let app = TestApp::spawn().await;
    let (status, body) = p2p(
        &app,
        "100000000001",
        json!("100000"),
        visa_sender(false),
        pan_receiver(MASTERCARD, false),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["senderCardID"], "");
    assert_eq!(body["receiverCardID"], "");
    assert_eq!(body["fee"], 950);
}

#[tokio::test]
async fn new_to_saved_as_seed_000() {
    let app = TestApp::spawn().await;
    let (_, receiver) = save_both(&app, "200000000001").await;
    let body = transfer_body(
        "8161284658529817",
        json!(100),
        P2P_FORM_TERMINAL,
        visa_sender(true),
        card_id(&receiver),
    );
    let (status, body) = send(&app, "/payments/cards/auth", P2P_FORM_TERMINAL, &body).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "CHARGE");
    assert_eq!(body["receiverCardID"], receiver.as_str());
    assert_eq!(body["receiverTransferType"], "TYPECARDID");
    assert_eq!(body["receiverCardPAN"], "552204...6736");
    assert_eq!(body["senderTransferType"], "TYPEPAN");
    assert!(!body["senderCardID"].as_str().unwrap_or_default().is_empty());
    assert_eq!(body["terminalID"], P2P_FORM_TERMINAL);
}

#[tokio::test]
async fn saved_to_new_and_saved_to_saved() {
    let app = TestApp::spawn().await;
    let (sender, receiver) = save_both(&app, "300000000001").await;
    let other = luhn("400000000000123");
    let (status, body) = p2p(
        &app,
        "300000000002",
        json!(100),
        card_id(&sender),
        pan_receiver(&other, false),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["senderCardID"], sender.as_str());
    assert_eq!(body["senderTransferType"], "TYPECARDID");
    assert_eq!(body["senderCardPAN"], "440563...5096");
    assert_eq!(body["receiverTransferType"], "TYPEPAN");

    let (status, body) = p2p(&app, "300000000003", json!(100), card_id(&sender), card_id(&receiver)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["senderCardID"], sender.as_str());
    assert_eq!(body["receiverCardID"], receiver.as_str());

    let lenient = json!({
        "order": transfer_body("300000000004", json!(100), P2P_TERMINAL, json!(null), json!(null))["order"],
        "senderCardId": sender,
        "card": {"receiver": pan_receiver(&other, false)},
    });
    let (status, body) = send(&app, "/p2p/transfer", P2P_TERMINAL, &lenient).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["senderCardID"], sender.as_str());
}

#[tokio::test]
async fn every_path_transfers() {
    let app = TestApp::spawn().await;
    let other = luhn("400000000000555");
    let body = transfer_body(
        "400000000001",
        json!(100),
        P2P_TERMINAL,
        visa_sender(false),
        pan_receiver(&other, false),
    );
    let (status, reply) = send(&app, "/api/p2p/transfer", P2P_TERMINAL, &body).await;
    assert_eq!((status, reply["status"].clone()), (200, json!("CHARGE")), "{reply}");

    let aft = transfer_body(
        "400000000002",
        json!(100),
        P2P_TERMINAL,
        visa_sender(false),
        json!(null),
    );
    let (status, reply) = send(&app, "/chdebit/transfer", P2P_TERMINAL, &aft).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["status"], "CHARGE");
    assert_eq!(reply["senderCardPAN"], "440563...5096");
    assert_eq!(reply["receiverCardPAN"], "");

    let oct = transfer_body(
        "400000000003",
        json!(100),
        P2P_TERMINAL,
        json!(null),
        pan_receiver(MASTERCARD, false),
    );
    let (status, reply) = send(&app, "/chpayment/transfer", P2P_TERMINAL, &oct).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["senderCardPAN"], "");
    assert_eq!(reply["receiverCardPAN"], "552204...6736");

    let phone = transfer_body(
        "400000000004",
        json!(100),
        P2P_TERMINAL,
        json!(null),
        json!({"iin": "990101300123", "phone": "77071234567"}),
    );
    let (status, reply) = send(&app, "/chpayment/transfer", P2P_TERMINAL, &phone).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["receiverCardPAN"], "7707***4567");
    assert_eq!(reply["receiverTransferType"], "TYPEPHONE");

    let aft_without_sender = transfer_body("400000000005", json!(100), P2P_TERMINAL, json!(null), json!(null));
    let (status, reply) = send(&app, "/chdebit/transfer", P2P_TERMINAL, &aft_without_sender).await;
    assert_refused(status, &reply, -1, "400000000005");

    let (status, reply) = p2p_status(&app, P2P_TERMINAL, "400000000002").await;
    assert_eq!(status, 200);
    assert_eq!(reply["transaction"]["p2p"]["transferType"], "AFT");
}

#[tokio::test]
async fn a_payment_terminal_is_not_permitted_487() {
    let app = TestApp::spawn().await;
    let body = transfer_body(
        "8161284658529816",
        json!(100),
        TERMINAL,
        visa_sender(false),
        pan_receiver(MASTERCARD, false),
    );
    let (status, reply) = send(&app, "/payments/cards/auth", TERMINAL, &body).await;
    assert_refused(status, &reply, 487, "8161284658529816");
    assert_eq!(reply["message"], "Not permitted to merchant");
}

#[tokio::test]
async fn receiver_daily_limit_528_resets_the_next_bank_day() {
    let app = TestApp::spawn().await;
    let noon: DateTime<Utc> = "2026-03-10T06:00:00Z".parse().unwrap_or_default();
    app.sandbox().clock().freeze(Some(noon));
    let receiver = luhn("400000000000777");
    let (status, body) = p2p(
        &app,
        "500000000001",
        json!(1_000_000),
        visa_sender(false),
        pan_receiver(&receiver, false),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = p2p(
        &app,
        "500000000002",
        json!(1),
        visa_sender(false),
        pan_receiver(&receiver, false),
    )
    .await;
    assert_refused(status, &body, 528, "500000000002");
    let (_, status_body) = p2p_status(&app, P2P_TERMINAL, "500000000002").await;
    assert_eq!(status_body["transaction"]["p2p"]["statusName"], "REJECT");
    assert_eq!(status_body["transaction"]["p2p"]["reasonCode"], "528");

    app.sandbox().clock().advance(Duration::hours(12));
    let (status, body) = p2p(
        &app,
        "500000000003",
        json!(1),
        visa_sender(false),
        pan_receiver(&receiver, false),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn terminal_daily_limit_529() {
    let app = TestApp::spawn().await;
    app.sandbox().clock().freeze(None);
    for i in 0..5 {
        let receiver = luhn(&format!("40000000000090{i}"));
        let (status, body) = p2p(
            &app,
            &format!("60000000000{i}"),
            json!(1_000_000),
            visa_sender(false),
            pan_receiver(&receiver, false),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let receiver = luhn("400000000000999");
    let (status, body) = p2p(
        &app,
        "600000000009",
        json!(1),
        visa_sender(false),
        pan_receiver(&receiver, false),
    )
    .await;
    assert_refused(status, &body, 529, "600000000009");
    let body = transfer_body(
        "600000000010",
        json!(1),
        P2P_FORM_TERMINAL,
        visa_sender(false),
        pan_receiver(&receiver, false),
    );
    let (status, reply) = send(&app, "/p2p/transfer", P2P_FORM_TERMINAL, &body).await;
    assert_eq!(status, 200, "another terminal has its own limit: {reply}");
}

#[tokio::test]
async fn locked_cards_are_rejected_and_recorded() {
    let app = TestApp::spawn().await;
    let locked_sender = json!({"transferType": "TYPEPAN", "cvc": "170", "expire": {"month": "09", "year": "20"},
                               "cardCred": "4003032704547597"});
    let (status, body) = p2p(
        &app,
        "700000000001",
        json!(100),
        locked_sender,
        pan_receiver(MASTERCARD, false),
    )
    .await;
    assert_refused(status, &body, 465, "700000000001");
    let (_, reply) = p2p_status(&app, P2P_TERMINAL, "700000000001").await;
    assert_eq!(reply["result"]["code"], "100");
    assert_eq!(reply["transaction"]["p2p"]["statusName"], "REJECT");
    assert_eq!(reply["transaction"]["p2p"]["reasonCode"], "465");

    let (status, body) = p2p(
        &app,
        "700000000002",
        json!(100),
        visa_sender(false),
        pan_receiver("5578342710750560", false),
    )
    .await;
    assert_refused(status, &body, 467, "700000000002");

    let (status, body) = p2p(
        &app,
        "700000000003",
        json!(100),
        visa_sender(false),
        pan_receiver("4405639704015097", false),
    )
    .await;
    assert_refused(status, &body, 472, "700000000003");
}

#[tokio::test]
async fn unknown_card_ids_and_the_same_card_are_refused_unrecorded() {
    let app = TestApp::spawn().await;
    let (status, body) = p2p(
        &app,
        "800000000001",
        json!(100),
        card_id("10606a85-ffca-b6b3-e063-1d1a000a2f3d"),
        pan_receiver(MASTERCARD, false),
    )
    .await;
    assert_refused(status, &body, -1, "800000000001");
    assert!(
        body["message"].as_str().unwrap_or_default().contains("not found"),
        "{body}"
    );

    let (status, body) = p2p(
        &app,
        "800000000002",
        json!(100),
        visa_sender(false),
        pan_receiver(VISA, false),
    )
    .await;
    assert_refused(status, &body, -1, "800000000002");

    let (sender, _) = save_both(&app, "800000000003").await;
    let (status, body) = p2p(
        &app,
        "800000000004",
        json!(100),
        card_id(&sender),
        pan_receiver(VISA, false),
    )
    .await;
    assert_refused(status, &body, -1, "800000000004");

    let (status, body) = p2p_status(&app, P2P_TERMINAL, "800000000001").await;
    assert_eq!((status, body["result"]["code"].clone()), (200, json!("102")));

    let (status, body) = p2p(
        &app,
        "800000000005",
        json!(100),
        json!({"transferType": "TYPEPAD", "cardCred": VISA}),
        pan_receiver(MASTERCARD, false),
    )
    .await;
    assert_refused(status, &body, -1, "800000000005");
}

#[tokio::test]
async fn token_is_bound_to_its_terminal_and_order() {
    let app = TestApp::spawn().await;
    let body = transfer_body(
        "900000000001",
        json!(100),
        P2P_FORM_TERMINAL,
        visa_sender(false),
        pan_receiver(MASTERCARD, false),
    );
    let (status, reply) = send(&app, "/p2p/transfer", P2P_TERMINAL, &body).await;
    assert_refused(status, &reply, -1, "900000000001");

    let token = app.payment_token("000000001", "100", P2P_TERMINAL).await;
    let body = transfer_body(
        "900000000002",
        json!(100),
        P2P_TERMINAL,
        visa_sender(false),
        pan_receiver(MASTERCARD, false),
    );
    let (status, reply) = app.post_json("/p2p/transfer", &token, &body).await;
    assert_refused(status, &reply, -1, "900000000002");

    let (status, reply) = app.post_json("/p2p/transfer", "nope", &body).await;
    assert_eq!(status, 401, "{reply}");
}

#[tokio::test]
async fn a_3ds_sender_gets_secure3d_and_finishes_as_charge() {
    let app = TestApp::spawn().await;
    let sender = json!({"save": true, "transferType": "TYPEPAN", "cvc": "525", "expire": {"month": "01", "year": "25"},
                        "cardCred": MASTERCARD});
    let (status, body) = p2p(&app, "110000000001", json!(100), sender, pan_receiver(VISA, false)).await;
    assert_eq!(status, 200, "{body}");
    let md = body["secure3D"]["md"].as_str().unwrap_or_default().to_string();
    assert!(!md.is_empty(), "{body}");
    assert!(body["secure3D"]["paReq"].is_string());
    assert!(body["secure3D"]["action"]
        .as_str()
        .unwrap_or_default()
        .ends_with("/acs"));
    assert_eq!(body["status"], "NEW");

    let (_, reply) = p2p_status(&app, P2P_TERMINAL, "110000000001").await;
    assert_eq!(reply["transaction"]["p2p"]["statusName"], "NEW");

    let sandbox = app.sandbox();
    let session = sandbox.take_secure3d_session(&md).expect("session");
    let finished = sandbox.play_outcome(session.transaction_id, session.then, session.card_to_save);
    assert!(finished.is_ok(), "{finished:?}");
    let (_, reply) = p2p_status(&app, P2P_TERMINAL, "110000000001").await;
    let p2p = &reply["transaction"]["p2p"];
    assert_eq!(p2p["statusName"], "CHARGE");
    assert!(!p2p["senderCardID"].as_str().unwrap_or_default().is_empty(), "{reply}");
}

#[tokio::test]
async fn p2p_status_envelope_and_codes() {
    let app = TestApp::spawn().await;
    let (status, _) = p2p(
        &app,
        "120000000001",
        json!(100),
        visa_sender(false),
        pan_receiver(MASTERCARD, false),
    )
    .await;
    assert_eq!(status, 200);

    let (status, body) = p2p_status(&app, P2P_TERMINAL, "120000000001").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], json!({"code": "100", "message": "SUCCESS"}));
    let p2p = &body["transaction"]["p2p"];
    for key in [
        "id",
        "createdDate",
        "invoiceID",
        "amount",
        "amountBonus",
        "payoutAmount",
        "currency",
        "cardType",
        "terminal",
        "terminalID",
        "accountID",
        "description",
        "language",
        "reference",
        "fee",
        "senderCardPAN",
        "receiverCardPAN",
        "statusName",
        "reason",
        "reasonCode",
    ] {
        assert!(p2p.get(key).is_some(), "missing {key}: {body}");
    }
    assert_eq!(p2p["invoiceID"], "120000000001");
    assert_eq!(p2p["terminal"], "98151552");
    assert_eq!(p2p["statusName"], "CHARGE");
    assert_eq!(p2p["fee"], 95);
    assert_eq!(p2p["reasonCode"], "00");
    assert!(p2p["createdDate"].as_str().unwrap_or_default().ends_with("+06:00"));

    let (status, body) = p2p_status(&app, P2P_TERMINAL, "120000000999").await;
    assert_eq!((status, body["result"]["code"].clone()), (200, json!("102")));
    assert!(body["transaction"].is_null());

    let (status, body) = p2p_status(&app, P2P_FORM_TERMINAL, "120000000001").await;
    assert_eq!((status, body["result"]["code"].clone()), (200, json!("106")));

    let (_, token) = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", "transfer"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .await;
    let token = token["access_token"].as_str().unwrap_or_default().to_string();
    let (status, body) = app.get("/check-status/p2p/transaction/120000000001", &token).await;
    assert_eq!((status, body["result"]["code"].clone()), (200, json!("104")));

    let token = transfer_token(&app, P2P_TERMINAL).await;
    let (status, body) = app.get("/check-status/payment/transaction/120000000001", &token).await;
    assert_eq!((status, body["resultCode"].clone()), (200, json!("102")), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_transfers_never_break_the_receiver_daily_limit() {
    let app = TestApp::spawn().await;
    let receiver = luhn("400000000000888");
    let token = transfer_token(&app, P2P_TERMINAL).await;
    let mut transfers = tokio::task::JoinSet::new();
    for n in 0..200 {
        let body = transfer_body(
            &format!("5100000{n:05}"),
            json!(10_000),
            P2P_TERMINAL,
            visa_sender(false),
            pan_receiver(&receiver, false),
        );
        let request = app.http.post(app.url("/p2p/transfer")).bearer_auth(&token).json(&body);
        transfers.spawn(async move {
            let response = request.send().await.ok()?;
            let status = response.status().as_u16();
            let body: Value = response.json().await.ok()?;
            Some((status, body["code"].as_i64()))
        });
    }
    let results: Vec<_> = transfers.join_all().await.into_iter().flatten().collect();
    assert_eq!(results.len(), 200);
    let done = results.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(
        done, 100,
        "the 1,000,000 receiver limit fits exactly 100 transfers of 10,000"
    );
    assert!(
        results.iter().all(|r| r.0 == 200 || *r == (400, Some(528))),
        "{results:?}"
    );
}

#[tokio::test]
async fn transfers_with_unsafe_links_are_refused_and_not_stored() {
    let app = TestApp::spawn().await;
    for (n, (field, link)) in [
        ("backLink", "javascript:alert(1)"),
        ("failureBackLink", "https://a/\r\nb"),
    ]
    .into_iter()
    .enumerate()
    {
        let order = format!("58000{n}");
        let mut body = transfer_body(
            &order,
            json!(100),
            P2P_TERMINAL,
            visa_sender(false),
            pan_receiver("4003032704547597", false),
        );
        body["order"][field] = json!(link);
        let (status, answer) = send(&app, "/p2p/transfer", P2P_TERMINAL, &body).await;
        assert_eq!(status, 400, "{field}: {answer}");
        assert!(
            answer["message"].as_str().is_some_and(|m| m.contains(field)),
            "{answer}"
        );
        assert!(
            app.server.transaction_by_invoice(P2P_TERMINAL, &order).is_none(),
            "nothing stored"
        );
    }
}
