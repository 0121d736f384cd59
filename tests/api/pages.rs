//! First impressions in a browser: the landing page, HTML views of the cards and deliveries
//! (JSON for everyone else), the demo's 3-D Secure button, and the payment, 3-D Secure and
//! result pages and the dashboard in their languages.

use crate::helpers::*;
use epay_sandbox::domain::payform::encode_params;
use serde_json::Value;

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// Status, content type and body of a GET, with an `Accept` header when given.
pub(crate) async fn get_as(app: &TestApp, path: &str, accept: Option<&str>) -> (u16, String, String) {
    let mut request = app.http.get(app.url(path));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.expect("GET");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, content_type, response.text().await.unwrap_or_default())
}

fn payment_object(token: &str, invoice: &str, language: &str, extra: &[(&str, &str)]) -> String {
    let mut fields = vec![
        ("invoiceId", invoice),
        ("language", language),
        ("description", "order"),
        ("terminal", TERMINAL),
        ("amount", "100"),
        ("currency", "KZT"),
    ];
    fields.extend_from_slice(extra);
    encode_params(&fields, &[("access_token", token), ("token_type", "Bearer")])
}

#[tokio::test]
async fn the_landing_page_links_everything_a_newcomer_needs() {
    let app = TestApp::spawn().await;
    let (status, content_type, html) = get_as(&app, "/", None).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    for link in [
        r#"href="/_sandbox/""#,
        r#"href="/_sandbox/demo""#,
        r#"href="/_sandbox/openapi.json""#,
        r#"href="/_sandbox/cards""#,
        r#"href="/_sandbox/fidelity""#,
    ] {
        assert!(html.contains(link), "landing page lacks {link}");
    }
    assert!(html.contains("Halyk Bank"));
}

#[tokio::test]
async fn cards_and_deliveries_are_html_for_browsers_and_json_otherwise() {
    let app = TestApp::spawn().await;
    let (status, content_type, html) = get_as(&app, "/_sandbox/cards", Some(BROWSER)).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(html.contains(r#"<tr data-pan="5522042705066736">"#), "{html}");
    for accept in [None, Some("application/json"), Some("*/*")] {
        let (status, content_type, body) = get_as(&app, "/_sandbox/cards", accept).await;
        assert_eq!(status, 200);
        assert!(
            content_type.starts_with("application/json"),
            "{accept:?}: {content_type}"
        );
        let json: Value = serde_json::from_str(&body).unwrap_or_default();
        assert!(json["cards"].as_array().is_some_and(|c| !c.is_empty()));
    }

    let (status, content_type, html) = get_as(&app, "/_sandbox/deliveries", Some(BROWSER)).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(html.contains(r#"id="empty""#), "{html}");
    let (_, content_type, body) = get_as(&app, "/_sandbox/deliveries", None).await;
    assert!(content_type.starts_with("application/json"));
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap_or_default()["deliveries"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn the_demos_3ds_button_fills_in_the_3ds_card() {
    let app = TestApp::spawn().await;
    let demo = app.get_text("/_sandbox/demo").await;
    assert!(
        demo.contains(r#"id="pay3ds" type="button" class="secondary" data-pan="5522042705066736""#),
        "{demo}"
    );
    assert!(demo.contains("object.sandboxPan = card.pan"), "{demo}");
    let token = app.payment_token("390001", "100", TERMINAL).await;
    let object = payment_object(
        &token,
        "390001",
        "eng",
        &[
            ("sandboxPan", "5522042705066736"),
            ("sandboxExpiry", "01/27"),
            ("sandboxCvc", "775"),
        ],
    );
    let html = app.get_text(&format!("/payform/?params={object}")).await;
    assert!(html.contains(r#"value="5522042705066736""#), "{html}");
    assert!(
        html.contains(r#"value="01/27""#) && html.contains(r#"value="775""#),
        "{html}"
    );
}

#[tokio::test]
async fn the_payment_page_is_fully_in_its_language() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "rus",
            "ММ/ГГ",
            "Никогда не вводите настоящую карту.",
            "Дождитесь ответа!",
        ),
        ("kaz", "АА/ЖЖ", "Ешқашан нағыз картаны енгізбеңіз.", "Жауабын күтіңіз!"),
        ("eng", "MM/YY", "Never enter a real card.", "Wait for an answer!"),
    ];
    for (n, (language, placeholder, footer, wait)) in cases.into_iter().enumerate() {
        let invoice = format!("39001{n}");
        let token = app.payment_token(&invoice, "100", TERMINAL).await;
        let object = payment_object(&token, &invoice, language, &[]);
        let html = app.get_text(&format!("/payform/?params={object}")).await;
        assert!(
            html.contains(&format!(r#"placeholder="{placeholder}""#)),
            "{language}: {html}"
        );
        assert!(html.contains(footer), "{language}: {html}");
        if language != "eng" {
            assert!(
                !html.contains("Never enter") && !html.contains("MM/YY"),
                "{language}: {html}"
            );
        }
        let response = app
            .http
            .post(app.url("/payform/pay"))
            .form(&[
                ("params", object.as_str()),
                ("pan", "5522042705066736"),
                ("expiry", "01/27"),
                ("cvc", "775"),
            ])
            .send()
            .await
            .expect("pay");
        let html = response.text().await.unwrap_or_default();
        assert!(html.contains(&format!("<h1>{wait}</h1>")), "{language}: {html}");
    }
}

#[tokio::test]
async fn the_result_pages_speak_the_payments_language_first() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "/payform/success.html?invoiceID=1&language=eng",
            "en",
            "Payment successful",
        ),
        (
            "/payform/success.html?invoiceID=1&language=RU",
            "ru",
            "Оплата прошла успешно",
        ),
        (
            "/payform/success.html?invoiceID=1&language=kaz",
            "kk",
            "Төлем сәтті өтті",
        ),
        (
            "/payform/failure.html?invoiceID=1&code=473&language=eng",
            "en",
            "Payment failed",
        ),
        ("/payform/failure.html?invoiceID=1&code=473", "ru", "Оплата не прошла"),
    ];
    for (path, lang, heading) in cases {
        let html = app.get_text(path).await;
        assert!(html.contains(&format!(r#"<html lang="{lang}">"#)), "{path}: {html}");
        assert!(
            html.contains(&format!(r#"class="ok">{heading}</h1>"#))
                || html.contains(&format!(r#"class="fail">{heading}</h1>"#)),
            "{path}: {html}"
        );
    }
}

#[tokio::test]
async fn the_dashboard_speaks_english_and_russian() {
    let app = TestApp::spawn().await;
    let english = app.get_text("/_sandbox/").await;
    assert!(english.contains(r#"<html lang="en">"#) && english.contains("Transactions"));
    assert!(english.contains(r#"name="redirect" value="/_sandbox/""#));
    let russian = app.get_text("/_sandbox/?lang=ru").await;
    assert!(russian.contains(r#"<html lang="ru">"#), "{russian}");
    for text in [
        "Транзакции",
        "Время песочницы",
        "Сбросить всё",
        "Тестовые карты",
        "Коды причин",
    ] {
        assert!(russian.contains(text), "Russian dashboard lacks {text}");
    }
    assert!(russian.contains(r#"name="redirect" value="/_sandbox/?lang=ru""#));
    assert!(!russian.contains("Reset everything") && !russian.contains(">Transactions<"));
    let response = app
        .http
        .get(app.url("/_sandbox/"))
        .header("accept-language", "ru-RU,ru;q=0.9,en;q=0.8")
        .send()
        .await
        .expect("GET");
    assert!(response.text().await.unwrap_or_default().contains("Транзакции"));
}
