//! `POST /payment/cryptopay` and `GET /public.rsa`.

use crate::helpers::*;
use base64::Engine;
use chrono::Duration;
use rsa::pkcs8::DecodePublicKey;
use serde_json::{json, Value};

/// A cryptopay body as seed 003 shows it, for `invoice`/`amount` with `cryptogram`.
fn body(invoice: &str, amount: Value, cryptogram: &str) -> Value {
    json!({
        "amount": amount,
        "currency": "KZT",
        "name": "ARMAN ALI",
        "cryptogram": cryptogram,
        "invoiceId": invoice,
        "invoiceIdAlt": "8564546",
        "description": "test payment",
        "accountId": "uuid000001",
        "email": "jj@example.com",
        "phone": "77777777777",
        "backLink": "http://example/backLink",
        "failureBackLink": "http://example/failureBackLink",
        "postLink": "http://example/postLink",
        "failurePostLink": "http://example/failurePostLink",
        "language": "rus",
        "cardSave": false,
    })
}

/// Pays `amount` (a string, as the token form has it) with a card on `terminal`.
async fn pay_on(app: &TestApp, terminal: &str, invoice: &str, amount: &str, card: (&str, &str, &str)) -> (u16, Value) {
    let token = app.payment_token(invoice, amount, terminal).await;
    let cryptogram = app.cryptogram(card.0, card.1, card.2, terminal);
    let amount: Value = serde_json::from_str(amount).expect("amount literal");
    app.post_json("/payment/cryptopay", &token, &body(invoice, amount, &cryptogram))
        .await
}

async fn pay(app: &TestApp, invoice: &str, amount: &str, card: (&str, &str, &str)) -> (u16, Value) {
    pay_on(app, TERMINAL, invoice, amount, card).await
}

/// statusName, reasonCode and resultCode of `invoice` on the two-step terminal.
async fn status_of(app: &TestApp, invoice: &str) -> (String, String, String) {
    let token = app.terminal_token(TERMINAL).await;
    let (_, body) = app
        .get(&format!("/check-status/payment/transaction/{invoice}"), &token)
        .await;
    let field = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (
        field(&body["transaction"]["statusName"]),
        field(&body["transaction"]["reasonCode"]),
        field(&body["resultCode"]),
    )
}

const VISA: (&str, &str, &str) = ("4405639704015096", "0125", "815");

#[tokio::test]
async fn public_key_is_pem_spki_and_encrypts_like_a_merchant() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/public.rsa")).send().await.expect("GET");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let pem = response.text().await.expect("text");
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    let api_pem = app.get_text("/api/public.rsa").await;
    assert_eq!(api_pem, pem);

    let key = rsa::RsaPublicKey::from_public_key_pem(&pem).expect("SPKI");
    let plain = format!(r#"{{"hpan":"4405639704015096","expDate":"0125","cvc":"815","terminalId":"{TERMINAL}"}}"#);
    let cipher = key
        .encrypt(&mut rand::thread_rng(), rsa::Pkcs1v15Encrypt, plain.as_bytes())
        .expect("encrypt");
    let cryptogram = base64::engine::general_purpose::STANDARD.encode(cipher);
    assert_eq!(cryptogram.len(), 684);
    let token = app.payment_token("000000001", "100", TERMINAL).await;
    let (status, body) = app
        .post_json(
            "/payment/cryptopay",
            &token,
            &body("000000001", json!(100), &cryptogram),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "AUTH");
}

#[tokio::test]
async fn success_body_has_the_seed_003_fields() {
    let app = TestApp::spawn().await;
    let (status, body) = pay(&app, "938290483290", "100", VISA).await;
    assert_eq!(status, 200, "{body}");
    for key in [
        "id",
        "accountId",
        "accountID",
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
        "fee",
        "code",
        "status",
    ] {
        assert!(body.get(key).is_some(), "missing {key}: {body}");
    }
    assert_eq!(body["amount"], json!(100));
    assert_eq!(body["invoiceID"], "938290483290");
    assert_eq!(body["invoiceIdAlt"], "8564546");
    assert_eq!(body["accountId"], "uuid000001");
    assert_eq!(body["language"], "RU");
    assert_eq!(body["secure3D"], Value::Null);
    assert_eq!(body["cardID"], "");
    assert_eq!(body["code"], 0);
    assert!(body["reference"].as_str().is_some_and(|r| r.len() == 12));
    assert!(body["intReference"].as_str().is_some_and(|r| r.len() == 16));
    let (status_name, reason, result) = status_of(&app, "938290483290").await;
    assert_eq!(
        (status_name.as_str(), reason.as_str(), result.as_str()),
        ("AUTH", "00", "100")
    );
}

#[tokio::test]
async fn one_step_terminal_charges_and_decimal_string_amounts_work() {
    let app = TestApp::spawn().await;
    let token = app.payment_token("000000002", "12.22", ONE_STEP_TERMINAL).await;
    let cryptogram = app.cryptogram("4405639704015096", "0127", "321", ONE_STEP_TERMINAL);
    let (status, body) = app
        .post_json(
            "/api/payment/cryptopay",
            &token,
            &body("000000002", json!("12.22"), &cryptogram),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "CHARGE");
    assert_eq!(body["amount"], json!(12.22));
}

#[tokio::test]
async fn cyrillic_cryptogram_key_is_accepted() {
    let app = TestApp::spawn().await;
    let token = app.payment_token("000000003", "100", TERMINAL).await;
    let cryptogram = app.cryptogram(VISA.0, VISA.1, VISA.2, TERMINAL);
    let mut request = body("000000003", json!(100), "");
    let object = request.as_object_mut().expect("object");
    object.remove("cryptogram");
    object.insert("\u{0441}ryptogram".into(), Value::from(cryptogram));
    let (status, body) = app.post_json("/payment/cryptopay", &token, &request).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn every_documented_card() {
    let app = TestApp::spawn().await;
    // (pan, expiry, cvc, expected HTTP, expected code in a refusal, status after)
    let cases = [
        ("4405639704015096", "0125", "815", 200, 0, "AUTH"),
        ("4405639704015096", "0127", "321", 200, 0, "AUTH"),
        ("5522042705066736", "0125", "525", 200, 0, "NEW"),
        ("5522042705066736", "0127", "775", 200, 0, "NEW"),
        ("377514500004820", "0128", "0198", 200, 0, "AUTH"),
        ("377514500004820", "0128", "198", 200, 0, "AUTH"),
        ("377514500004820", "0125", "4169", 400, 465, "REJECT"),
        ("377514500000794", "0923", "1687", 200, 0, "AUTH"),
        ("4003032704547597", "0920", "170", 400, 465, "REJECT"),
        ("5578342710750560", "0920", "254", 400, 467, "REJECT"),
    ];
    for (i, (pan, exp, cvc, http, code, status_name)) in cases.into_iter().enumerate() {
        let invoice = format!("{:06}", 100 + i);
        let (status, body) = pay(&app, &invoice, "100", (pan, exp, cvc)).await;
        assert_eq!(status, http, "{pan} {exp}/{cvc}: {body}");
        if http != 200 {
            assert_eq!(body["code"], code, "{pan}: {body}");
        }
        assert_eq!(status_of(&app, &invoice).await.0, status_name, "{pan} {exp}/{cvc}");
    }
}

#[tokio::test]
async fn wrong_credentials_and_unknown_numbers_decline() {
    let app = TestApp::spawn().await;
    let cases = [
        ("4405639704015096", "0125", "816", 469),
        ("4405639704015096", "1230", "815", 457),
        ("4111111111111111", "1230", "123", 471),
        ("4111111111111112", "1230", "123", 472),
        ("4000000000004848", "0120", "123", 478),
    ];
    for (i, (pan, exp, cvc, code)) in cases.into_iter().enumerate() {
        let invoice = format!("{:06}", 200 + i);
        let (status, body) = pay(&app, &invoice, "100", (pan, exp, cvc)).await;
        assert_eq!((status, body["code"].clone()), (400, json!(code)), "{pan}: {body}");
        let (status_name, reason, _) = status_of(&app, &invoice).await;
        assert_eq!((status_name.as_str(), reason), ("REJECT", code.to_string()));
    }
}

#[tokio::test]
async fn each_sandbox_card_outcome() {
    let app = TestApp::spawn().await;
    // (pan, expected HTTP, code, statusName)
    let cases = [
        ("4000000000004848", 400, 484, "REJECT"),
        ("4000000000004780", 400, 478, "REJECT"),
        ("4000000000004871", 400, 487, "REJECT"),
        ("4000000000004814", 400, 481, "REJECT"),
        ("4000000000004830", 400, 483, "REJECT"),
        ("4000000000004947", 400, 494, "FAILED"),
        ("4000000000004558", 400, 455, "REJECT"),
        ("4000000000003014", 200, 0, "NEW"),
        ("5100000000004844", 200, 0, "NEW"),
        ("4000000000004731", 200, 0, "NEW"),
    ];
    for (i, (pan, http, code, status_name)) in cases.into_iter().enumerate() {
        let invoice = format!("{:06}", 300 + i);
        let (status, body) = pay(&app, &invoice, "100", (pan, "1299", "123")).await;
        assert_eq!(status, http, "{pan}: {body}");
        if http == 200 {
            assert!(body["secure3D"].is_object(), "{pan} needs 3-D Secure: {body}");
        } else {
            assert_eq!(body["code"], code, "{pan}: {body}");
            assert_eq!(body["message"], app.sandbox().fixtures().catalogue.message_en(code));
        }
        assert_eq!(status_of(&app, &invoice).await.0, status_name, "{pan}");
    }
}

#[tokio::test]
async fn decline_body_has_the_seed_003_error_fields() {
    let app = TestApp::spawn().await;
    let (status, body) = pay(&app, "8161284658525", "100", ("4000000000004871", "1299", "123")).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "code": 487,
            "message": "Not permitted to merchant",
            "invoiceId": "8161284658525",
            "id": "",
            "reference": "",
            "accountId": "uuid000001",
        })
    );
    let token = app.terminal_token(TERMINAL).await;
    let (_, status) = app.get("/check-status/payment/transaction/8161284658525", &token).await;
    assert_eq!(status["transaction"]["reason"], "Not permitted to merchant");
    assert_eq!(status["transaction"]["reasonCode"], "487");
}

#[tokio::test]
async fn pending_card_settles_after_sixty_sandbox_seconds() {
    let app = TestApp::spawn().await;
    app.sandbox().clock().freeze(None);
    let (status, body) = pay(&app, "000000401", "100", ("4000000000004541", "1299", "123")).await;
    assert_eq!((status, body["code"].clone()), (400, json!(454)), "{body}");
    assert_eq!(status_of(&app, "000000401").await.2, "107");
    app.sandbox().clock().advance(Duration::seconds(59));
    assert_eq!(status_of(&app, "000000401").await.2, "107");
    app.sandbox().clock().advance(Duration::seconds(1));
    assert_eq!(
        status_of(&app, "000000401").await,
        ("AUTH".into(), "00".into(), "100".into())
    );
}

#[tokio::test]
async fn challenge_opens_a_3ds_session() {
    let app = TestApp::spawn().await;
    let (status, body) = pay(&app, "000000402", "100", ("5522042705066736", "0127", "775")).await;
    assert_eq!(status, 200, "{body}");
    let secure3d = &body["secure3D"];
    assert_eq!(secure3d["action"], format!("{}/acs", app.server.url()));
    let md = secure3d["md"].as_str().expect("md");
    assert!(secure3d["paReq"].as_str().is_some_and(|p| !p.is_empty()));
    assert_eq!(body["reference"], "");
    assert_eq!(body["intReference"], "");
    assert_eq!(body["cardID"], "");
    let session = app.sandbox().secure3d_session(md).expect("session stored by MD");
    assert_eq!(
        session.transaction_id.to_string(),
        body["id"].as_str().unwrap_or_default()
    );
    assert_eq!(session.then, epay_sandbox::domain::outcome::Outcome::Approve);
}

#[tokio::test]
async fn magic_amounts() {
    let app = TestApp::spawn().await;
    app.sandbox().clock().freeze(None);
    let (status, body) = pay(&app, "000000501", "484.99", VISA).await;
    assert_eq!((status, body["code"].clone()), (400, json!(484)), "{body}");
    assert_eq!(status_of(&app, "000000501").await.0, "REJECT");

    let (status, body) = pay(&app, "000000502", "461.99", VISA).await;
    assert_eq!((status, body["code"].clone()), (400, json!(461)), "{body}");
    assert_eq!(status_of(&app, "000000502").await.0, "FAILED");

    let (status, body) = pay(&app, "000000503", "454.99", VISA).await;
    assert_eq!((status, body["code"].clone()), (400, json!(454)), "{body}");
    assert_eq!(status_of(&app, "000000503").await.2, "107");
    app.sandbox().clock().advance(Duration::seconds(60));
    assert_eq!(status_of(&app, "000000503").await.0, "AUTH");

    let (status, body) = pay(&app, "000000504", "484.98", VISA).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = pay(&app, "000000505", "484.99", ("4000000000004848", "1299", "123")).await;
    assert_eq!(
        (status, body["code"].clone()),
        (400, json!(484)),
        "magic wins over the card: {body}"
    );
}

#[tokio::test]
async fn token_must_match_the_payment() {
    let app = TestApp::spawn().await;
    let cryptogram = app.cryptogram(VISA.0, VISA.1, VISA.2, TERMINAL);
    let token = app.payment_token("000000601", "100", TERMINAL).await;
    let cases = [
        ("invoice", body("000000602", json!(100), &cryptogram)),
        ("amount", body("000000601", json!(101), &cryptogram)),
        ("currency", {
            let mut b = body("000000601", json!(100), &cryptogram);
            b["currency"] = json!("USD");
            b
        }),
        ("terminal", {
            let mut b = body("000000601", json!(100), &cryptogram);
            b["terminalId"] = json!(ONE_STEP_TERMINAL);
            b
        }),
        (
            "cryptogram terminal",
            body(
                "000000601",
                json!(100),
                &app.cryptogram(VISA.0, VISA.1, VISA.2, ONE_STEP_TERMINAL),
            ),
        ),
    ];
    for (what, request) in cases {
        let (status, body) = app.post_json("/payment/cryptopay", &token, &request).await;
        assert_eq!((status, body["code"].clone()), (400, json!(-1)), "{what}: {body}");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("terminal") || m.contains("token")),
            "{what}: {body}"
        );
    }
    assert_eq!(
        app.sandbox().record_counts().transactions,
        0,
        "refused before any transaction"
    );
    let (status, _) = app
        .post_json(
            "/payment/cryptopay",
            &token,
            &body("000000601", json!(100), &cryptogram),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn duplicate_invoices_are_refused() {
    let app = TestApp::spawn().await;
    let (status, _) = pay(&app, "1000000701", "100", ("4000000000004848", "1299", "123")).await;
    assert_eq!(status, 400);
    let (status, body) = pay(&app, "1000000701", "100", VISA).await;
    assert_eq!((status, body["code"].clone()), (400, json!(-1)), "{body}");
    assert!(body["message"]
        .as_str()
        .is_some_and(|m| m.contains("already been used")));
    let (status, body) = pay(&app, "2000000701", "100", VISA).await;
    assert_eq!(
        (status, body["code"].clone()),
        (400, json!(-1)),
        "same last six digits: {body}"
    );
    let (status, _) = pay_on(&app, ONE_STEP_TERMINAL, "1000000701", "100", VISA).await;
    assert_eq!(status, 200, "another terminal may reuse it");
}

/// A scenario rule is used up only by an attempt that opened a transaction: a duplicate
/// invoiceId is refused before the outcome is decided, and the rule still fires on the next one.
#[tokio::test]
async fn a_refused_duplicate_does_not_use_up_a_scenario_rule() {
    let app = TestApp::spawn().await;
    let (status, _) = pay(&app, "1000000711", "100", VISA).await;
    assert_eq!(status, 200);
    let (status, rule) = app
        .send(
            reqwest::Method::POST,
            "/_sandbox/scenarios",
            Some(json!({"match": {"terminal": TERMINAL}, "outcome": {"kind": "decline", "code": 484}, "times": 1})),
        )
        .await;
    assert_eq!(status, 201, "{rule}");
    let (status, body) = pay(&app, "1000000711", "100", VISA).await;
    assert_eq!((status, body["code"].clone()), (400, json!(-1)), "duplicate: {body}");
    let (status, body) = pay(&app, "1000000712", "100", VISA).await;
    assert_eq!(
        (status, body["code"].clone()),
        (400, json!(484)),
        "the rule fires on the next real attempt: {body}"
    );
    let (_, rules) = app.send(reqwest::Method::GET, "/_sandbox/scenarios", None).await;
    assert_eq!(rules["count"], 0, "{rules}");
}

#[tokio::test]
async fn validation_errors_come_before_any_transaction() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    let cryptogram = app.cryptogram(VISA.0, VISA.1, VISA.2, TERMINAL);
    let with = |key: &str, value: Value| {
        let mut b = body("000000801", json!(100), &cryptogram);
        b[key] = value;
        b
    };
    let without = |key: &str| {
        let mut b = body("000000801", json!(100), &cryptogram);
        b.as_object_mut().map(|o| o.remove(key));
        b
    };
    let cases = [
        ("short invoice", with("invoiceId", json!("12345"))),
        ("long invoice", with("invoiceId", json!("1234567890123456"))),
        ("letters", with("invoiceId", json!("12345a"))),
        ("bad invoiceIdAlt", with("invoiceIdAlt", json!("12"))),
        ("description", with("description", json!("ж".repeat(63)))),
        ("zero amount in KZT", with("amount", json!(0))),
        ("negative amount", with("amount", json!(-5))),
        ("amount text", with("amount", json!("ten"))),
        ("currency not accepted", with("currency", json!("EUR"))),
        ("no cryptogram", without("cryptogram")),
        ("no amount", without("amount")),
        ("no invoice", without("invoiceId")),
        ("garbage cryptogram", with("cryptogram", json!("not base64 at all!"))),
        ("undecryptable", with("cryptogram", json!("AAAA"))),
    ];
    for (what, request) in cases {
        let (status, body) = app.post_json("/payment/cryptopay", &token, &request).await;
        assert_eq!((status, body["code"].clone()), (400, json!(-1)), "{what}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}");
        assert!(
            body.get("invoiceId").is_some() && body.get("accountId").is_some(),
            "{what}: {body}"
        );
    }
    let (status, answer) = app.post_json("/payment/cryptopay", &token, &json!([1, 2])).await;
    assert_eq!((status, answer["code"].clone()), (400, json!(-1)));
    let response = app
        .http
        .post(app.url("/payment/cryptopay"))
        .bearer_auth(&token)
        .body("{not json")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 400);
    let (status, _) = app
        .post_json(
            "/payment/cryptopay",
            "unknown-token",
            &body("000000801", json!(100), &cryptogram),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(app.sandbox().record_counts().transactions, 0);
}

#[tokio::test]
async fn card_verification_in_usd_is_verified_and_saves_the_card() {
    let app = TestApp::spawn().await;
    let terminal = "d9d7978c-d6ee-4ec0-8cda-165251a4bf16";
    let (status, token) = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", SCOPE),
            ("client_id", "halykfinanceUSD"),
            ("client_secret", "U01gQZVL##lJ$NhJ"),
            ("invoiceID", "000000901"),
            ("amount", "0"),
            ("currency", "USD"),
            ("terminal", terminal),
        ])
        .await;
    assert_eq!(status, 200);
    let token = token["access_token"].as_str().unwrap_or_default().to_string();
    let mut request = body("000000901", json!(0), &app.cryptogram(VISA.0, VISA.1, VISA.2, terminal));
    request["currency"] = json!("USD");
    request["cardSave"] = json!(true);
    let (status, body) = app.post_json("/payment/cryptopay", &token, &request).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "VERIFIED");
    assert!(body["cardID"].as_str().is_some_and(|id| id.len() == 36), "{body}");
}

#[tokio::test]
async fn apple_pay_and_google_pay_are_accepted() {
    let app = TestApp::spawn().await;
    let token = app.payment_token("000001001", "10", ONE_STEP_TERMINAL).await;
    let placeholder = app.cryptogram("AppleToken", "expToken", "", ONE_STEP_TERMINAL);
    let mut request = body("000001001", json!(10.0), &placeholder);
    request["paymentType"] = json!("applePay");
    request["cryptogramApplePay"] = json!("encrypted-by-apple");
    let (status, body_json) = app.post_json("/payment/cryptopay", &token, &request).await;
    assert_eq!(status, 200, "{body_json}");
    assert_eq!(body_json["status"], "CHARGE");

    let token = app.payment_token("000001002", "10", ONE_STEP_TERMINAL).await;
    let mut request = body("000001002", json!(10), "");
    request.as_object_mut().map(|o| o.remove("cryptogram"));
    request["paymentType"] = json!("googlePay");
    let (status, body_json) = app.post_json("/payment/cryptopay", &token, &request).await;
    assert_eq!(status, 200, "{body_json}");

    let token = app.payment_token("000001003", "10", ONE_STEP_TERMINAL).await;
    let (status, body_json) = app
        .post_json(
            "/payment/cryptopay",
            &token,
            &body("000001003", json!(10), &placeholder),
        )
        .await;
    assert_eq!(status, 200, "the placeholder alone is Apple Pay: {body_json}");

    let token = app.payment_token("000001004", "484.99", ONE_STEP_TERMINAL).await;
    let mut request = body("000001004", json!(484.99), &placeholder);
    request["paymentType"] = json!("applePay");
    let (status, body_json) = app.post_json("/payment/cryptopay", &token, &request).await;
    assert_eq!((status, body_json["code"].clone()), (400, json!(484)));
}

#[tokio::test]
async fn rsa_key_option_replaces_the_embedded_key() {
    let dir = std::env::temp_dir().join(format!("epay-sandbox-key-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("key.pem");
    std::fs::write(&path, epay_sandbox::crypto::generate_private_pem(1024).expect("key")).expect("write");
    let app = TestApp::spawn_with(epay_sandbox::Config {
        rsa_key: Some(path.clone()),
        ..Default::default()
    })
    .await;
    let pem = app.get_text("/public.rsa").await;
    let embedded = epay_sandbox::crypto::SandboxCrypto::embedded().expect("embedded");
    assert_ne!(pem, embedded.public_pem());
    let (status, body) = pay(&app, "000001101", "100", VISA).await;
    assert_eq!(status, 200, "cryptograms for the replacement key work: {body}");

    std::fs::write(&path, "not a key").expect("write");
    let started = epay_sandbox::SandboxServer::start(epay_sandbox::Config {
        rsa_key: Some(path),
        ..Default::default()
    })
    .await;
    assert!(matches!(started, Err(epay_sandbox::StartError::Other(_))));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_passed_challenge_plays_the_stored_outcome_and_saves_the_card() {
    let app = TestApp::spawn().await;
    let token = app.payment_token("000001201", "100", TERMINAL).await;
    let mut request = body(
        "000001201",
        json!(100),
        &app.cryptogram("5522042705066736", "0127", "775", TERMINAL),
    );
    request["cardSave"] = json!(true);
    let (status, answer) = app.post_json("/payment/cryptopay", &token, &request).await;
    assert_eq!(status, 200, "{answer}");
    let md = answer["secure3D"]["md"].as_str().expect("md");
    let session = app.sandbox().take_secure3d_session(md).expect("session");
    assert!(session.card_to_save.is_some());
    let accepted = app
        .sandbox()
        .play_outcome(session.transaction_id, session.then, session.card_to_save)
        .expect("approved");
    let epay_sandbox::engine::PaymentAccepted::Approved(tx) = accepted else {
        panic!("expected an approval");
    };
    assert_eq!(tx.status().as_str(), "AUTH");
    assert_eq!(tx.card().card_id.len(), 36);
    let (_, cards) = app.get("/cards/uuid000001", &token).await;
    assert_eq!(cards.as_array().map(Vec::len), Some(1));
}
