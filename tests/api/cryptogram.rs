//! `POST /_sandbox/cryptogram`: a cryptogram for the sandbox key from any language.

use crate::helpers::*;
use serde_json::{json, Value};

async fn cryptogram(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app
        .http
        .post(app.url("/_sandbox/cryptogram"))
        .json(&body)
        .send()
        .await
        .expect("POST");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_cryptogram_decrypts_to_the_card_and_pays() {
    let app = TestApp::spawn().await;
    let (status, body) = cryptogram(
        &app,
        json!({"hpan": "4405 6397 0401 5096", "expDate": "01/25", "cvc": 815, "terminalId": TERMINAL}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let text = body["cryptogram"].as_str().unwrap_or_default();
    let card = app.sandbox().crypto().decrypt_cryptogram(text).expect("decrypts");
    assert_eq!(
        (card.hpan.as_str(), card.exp_date.as_str(), card.cvc.as_str()),
        ("4405639704015096", "0125", "815")
    );
    let token = app.payment_token("000000901", "100", TERMINAL).await;
    let (status, paid) = app
        .post_json(
            "/payment/cryptopay",
            &token,
            &json!({"amount": 100, "currency": "KZT", "name": "A B", "cryptogram": text,
                    "invoiceId": "000000901", "description": "d"}),
        )
        .await;
    assert_eq!((status, paid["status"].as_str()), (200, Some("AUTH")), "{paid}");
}

#[tokio::test]
async fn bad_card_details_are_refused_in_the_bank_shape() {
    let app = TestApp::spawn().await;
    let good = json!({"hpan": "4405639704015096", "expDate": "0125", "cvc": "815", "terminalId": TERMINAL});
    let cases = [
        ("expDate", json!("13/25"), "expDate"),
        ("cvc", json!("81"), "cvc"),
        ("hpan", json!("4405639704015097"), "Luhn"),
        ("hpan", json!("abc"), "hpan"),
        ("terminalId", json!("terminal-1"), "terminalId"),
    ];
    for (field, value, says) in cases {
        let mut body = good.clone();
        body[field] = value;
        let (status, answer) = cryptogram(&app, body).await;
        assert_eq!((status, answer["code"].as_i64()), (400, Some(400)), "{field}: {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{field}: {message}");
        assert!(!message.contains("4405639704015097"), "a full PAN in an error");
    }
    let response = app
        .http
        .post(app.url("/_sandbox/cryptogram"))
        .body("not json")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 400);
    let mut lenient = good.clone();
    lenient["hpan"] = json!("4405639704015097");
    lenient["allowBadLuhn"] = json!(true);
    assert_eq!(cryptogram(&app, lenient).await.0, 200);
}
