//! The payment-page host's result pages: seed 003's failure target `/payform/?invoiceID=&code=
//! &message=` and `/payform/success.html`, in the payment's language, with a readable reason
//! and never the raw query.

use crate::helpers::*;
use epay_sandbox::domain::transaction::Links;

/// Status, content type and body of a GET, as a client without `Accept` sees it.
async fn page(app: &TestApp, path: &str) -> (u16, String, String) {
    crate::pages::get_as(app, path, None).await
}

/// The catalogue's Russian and English texts of a reason code.
fn reason(app: &TestApp, code: i32) -> (String, String) {
    let reason = app.sandbox().fixtures().catalogue.reason(code).expect("catalogued");
    (reason.message_ru.clone(), reason.message_en.clone())
}

#[tokio::test]
async fn the_failure_target_of_seed_003_shows_the_failure_page_not_the_query() {
    let app = TestApp::spawn().await;
    let (russian, english) = reason(&app, 473);
    let path = "/payform/?invoiceID=77001&code=473&message=%3Ca%20href%3D%22javascript%3Aalert(1)%22%3Eclick%3C%2Fa%3E\
                &shopMarker=visible-marker";
    let (status, content_type, html) = page(&app, path).await;
    assert_eq!(status, 200, "{html}");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(
        html.contains(r#"<html lang="ru">"#),
        "Russian without a language: {html}"
    );
    assert!(html.contains(r#"class="fail">Оплата не прошла</h1>"#), "{html}");
    assert!(
        html.contains(&format!("{russian} (473)")),
        "the catalogue's reason: {html}"
    );
    assert!(html.contains(r#"data-code="473""#) && html.contains("77001"), "{html}");
    assert!(!html.contains(&english), "one language: {html}");
    for raw in ["visible-marker", "shopMarker", "javascript", "click", "data-param"] {
        assert!(!html.contains(raw), "the raw query ({raw}) is not dumped: {html}");
    }
    assert!(!html.contains("<a "), "no link without a known payment: {html}");

    let (status, _, html) = page(&app, "/payform/?invoiceID=77001&code=473&message=x&language=eng").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"<html lang="en">"#) && html.contains("Payment failed"),
        "{html}"
    );
    assert!(html.contains(&format!("{english} (473)")), "{html}");

    let (_, _, html) = page(
        &app,
        "/payform/?invoiceID=77001&code=999999&message=Card%20expired&language=kaz",
    )
    .await;
    assert!(
        html.contains(r#"<html lang="kk">"#) && html.contains("Төлем өтпеді"),
        "{html}"
    );
    assert!(
        html.contains("Card expired (999999)"),
        "an uncatalogued code keeps the bank's message: {html}"
    );

    let (status, _, html) = page(&app, "/payform/").await;
    assert_eq!(
        status, 400,
        "no params and no failure parameters is still an error: {html}"
    );
}

#[tokio::test]
async fn the_result_pages_take_the_language_and_link_of_the_known_payment() {
    let app = TestApp::spawn().await;
    let mut new = app.payment_template(TERMINAL, "77002");
    new.amount = epay_sandbox::domain::money::Amount::from_units(150);
    new.order.language = "kaz".into();
    new.links = Links {
        back_link: "https://shop.example/ok".into(),
        failure_back_link: "javascript:alert(1)".into(),
        ..Links::default()
    };
    let tx = app.open_payment(new);
    app.sandbox().decline(tx.id(), 484).expect("decline");
    let (russian, _) = reason(&app, 484);
    let (status, _, html) = page(&app, "/payform/?invoiceID=77002&code=484&message=Declined&language=eng").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"<html lang="kk">"#),
        "the payment's language wins: {html}"
    );
    assert!(html.contains("Төлем өтпеді") && html.contains(&russian), "{html}");
    assert!(html.contains("150 KZT"), "{html}");
    assert!(
        !html.contains("javascript"),
        "an unsafe failureBackLink is never a link: {html}"
    );
    assert!(
        html.contains(r#"href="https://shop.example/ok" id="back""#),
        "back to the shop by the safe backLink: {html}"
    );

    let mut new = app.payment_template(TERMINAL, "77003");
    new.amount = epay_sandbox::domain::money::Amount::from_units(90);
    new.order.language = "eng".into();
    let tx = app.open_payment(new);
    let tx = app.sandbox().approve(tx.id()).expect("approve");
    let (status, _, html) = page(
        &app,
        "/payform/success.html?invoiceID=77003&amount=1&currency=KZT&cardid=&extra=zzz",
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"<html lang="en">"#) && html.contains("Payment successful"),
        "{html}"
    );
    assert!(
        html.contains("90 KZT") && !html.contains(">1 KZT"),
        "the payment's own amount: {html}"
    );
    assert!(html.contains(tx.reference()), "{html}");
    assert!(!html.contains("zzz") && !html.contains("Оплата"), "{html}");
}
