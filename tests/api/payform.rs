//! The hosted payment page: `/payform/payment-api.js`, `/payform/?params=`, `/payform/pay`,
//! `/payform/transfer` and the demo shop, driven over HTTP like a browser would.

use crate::helpers::*;
use axum::body::Bytes;
use axum::extract::State;
use epay_sandbox::callbacks::{Delivery, DeliveryState};
use epay_sandbox::domain::payform::encode_params;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

const BACK: &str = "https://shop.example/ok";
const FAILURE_BACK: &str = "https://shop.example/fail?order=1";
const FRICTIONLESS: (&str, &str, &str) = ("4405 6397 0401 5096", "01/27", "321");
const CHALLENGE: (&str, &str, &str) = ("5522042705066736", "01/27", "775");
const LOCKED: (&str, &str, &str) = ("4003032704547597", "09/20", "170");

/// A merchant callback receiver recording JSON bodies.
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
        let url = format!("http://{}/epay/callback", listener.local_addr().expect("address"));
        let bodies: Arc<Mutex<Vec<Value>>> = Arc::default();
        let app = axum::Router::new()
            .fallback(|State(bodies): State<Arc<Mutex<Vec<Value>>>>, body: Bytes| async move {
                let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
                bodies.lock().expect("lock").push(json);
                "OK"
            })
            .with_state(bodies.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, bodies }
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().expect("lock").clone()
    }
}

/// A payment object as the bank's script would send it, with `extra` fields on top.
fn params(token: &str, invoice: &str, amount: &str, extra: &[(&str, &str)]) -> String {
    let mut fields = vec![
        ("invoiceId", invoice),
        ("backLink", BACK),
        ("failureBackLink", FAILURE_BACK),
        ("language", "eng"),
        ("description", "Order with <b>tags</b>"),
        ("accountId", "buyer-1"),
        ("terminal", TERMINAL),
        ("amount", amount),
        ("currency", "KZT"),
    ];
    for (key, value) in extra {
        fields.retain(|(k, _)| k != key);
        fields.push((key, value));
    }
    encode_params(
        &fields,
        &[
            ("access_token", token),
            ("expires_in", "7200"),
            ("refresh_token", ""),
            ("scope", "payment"),
            ("token_type", "Bearer"),
        ],
    )
}

impl TestApp {
    async fn payform_page(&self, query: &str) -> (u16, String, String) {
        let response = self
            .http
            .get(self.url(&format!("/payform/?{query}")))
            .send()
            .await
            .expect("GET page");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, content_type, response.text().await.unwrap_or_default())
    }

    /// Submits the card form; returns status, Location and body.
    async fn payform_submit(
        &self,
        params: &str,
        card: (&str, &str, &str),
        extra: &[(&str, &str)],
    ) -> (u16, String, String) {
        let mut form = vec![
            ("params", params),
            ("pan", card.0),
            ("expiry", card.1),
            ("cvc", card.2),
            ("name", "arman ali"),
        ];
        form.extend_from_slice(extra);
        let response = self
            .http
            .post(self.url("/payform/pay"))
            .form(&form)
            .send()
            .await
            .expect("POST pay");
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, location, response.text().await.unwrap_or_default())
    }

    async fn payform_status(&self, invoice: &str) -> Value {
        let token = self.terminal_token(TERMINAL).await;
        let (status, body) = self
            .get(&format!("/check-status/payment/transaction/{invoice}"), &token)
            .await;
        assert_eq!(status, 200, "check-status: {body}");
        body
    }
}

#[tokio::test]
async fn payform_script_is_the_halyk_library() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .get(app.url("/payform/payment-api.js"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"].to_str().expect("ascii").to_string();
    assert!(content_type.starts_with("application/javascript"), "{content_type}");
    let script = response.text().await.expect("text");
    for needle in [
        "global.halyk",
        "showPaymentWidget",
        "cardverification: pay",
        "isShortForm=true",
        "isTransfer=true",
        "isAFT=true",
        "isOCT=true",
        "compressToEncodedURIComponent",
        "document.currentScript",
        "pageUrL",
    ] {
        assert!(script.contains(needle), "script lacks {needle}");
    }
}

#[tokio::test]
async fn payform_page_renders_the_order() {
    let app = TestApp::spawn().await;
    let token = app.payment_token("310001", "1500", TERMINAL).await;
    let (status, content_type, html) = app
        .payform_page(&format!("params={}", params(&token, "310001", "1500", &[])))
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(html.contains("1500 KZT"), "amount: {html}");
    assert!(html.contains("310001"), "invoice");
    assert!(
        html.contains("Order with &#60;b&#62;tags&#60;/b&#62;") && !html.contains("<b>tags"),
        "escaped description: {html}"
    );
    assert!(
        html.contains(r#"name="cardSave""#),
        "save-card box when accountId is set"
    );
    assert!(html.contains("20 minutes or 3 attempts"), "limits");
    assert!(
        html.contains(r#"<label for="pan">Card number</label>"#),
        "labelled inputs"
    );
    assert!(html.contains(r#"lang="en""#));

    let no_account = params(&token, "310001", "1500", &[("accountId", ""), ("language", "rus")]);
    let (_, _, html) = app.payform_page(&format!("params={no_account}")).await;
    assert!(
        !html.contains(r#"name="cardSave""#),
        "no save-card box without accountId"
    );
    assert!(
        html.contains("Оплатить") && html.contains(r#"lang="ru""#),
        "Russian page"
    );
    let kazakh = params(&token, "310001", "1500", &[("language", "kaz")]);
    let (_, _, html) = app.payform_page(&format!("params={kazakh}")).await;
    assert!(html.contains("Төлеу"), "Kazakh page");
}

#[tokio::test]
async fn payform_bad_params_or_tokens_give_an_html_error_page() {
    let app = TestApp::spawn().await;
    let token = app.payment_token("320001", "100", TERMINAL).await;
    let cases = [
        (String::new(), "without ?params="),
        ("params=%40%40%40".to_string(), "not a compressed payment object"),
        (
            format!("params={}", params("NO-SUCH-TOKEN", "320001", "100", &[])),
            "token is unknown",
        ),
        (format!("params={}", params(&token, "320001", "200", &[])), "amount"),
        (format!("params={}", params(&token, "320002", "100", &[])), "invoiceID"),
        (
            format!("params={}", params(&token, "320001", "100", &[("amount", "abc")])),
            "amount",
        ),
    ];
    for (query, expected) in cases {
        let (status, content_type, html) = app.payform_page(&query).await;
        assert_eq!(status, 400, "{query}: {html}");
        assert!(content_type.starts_with("text/html"), "{query}: {content_type}");
        assert!(html.contains(expected), "{query}: expected {expected:?} in {html}");
    }

    app.sandbox().clock().advance(chrono::Duration::hours(3));
    let (status, _, html) = app
        .payform_page(&format!("params={}", params(&token, "320001", "100", &[])))
        .await;
    assert_eq!(status, 400, "an expired token (pruned, so unknown) is refused");
    assert!(
        html.contains("token has expired") || html.contains("token is unknown"),
        "{html}"
    );
}

#[tokio::test]
async fn payform_frictionless_card_pays_redirects_and_calls_back() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let token = app.payment_token("330001", "2500", TERMINAL).await;
    let object = params(
        &token,
        "330001",
        "2500",
        &[("postLink", &receiver.url), ("cardSave", "true")],
    );
    let (status, _, _) = app.payform_page(&format!("params={object}")).await;
    assert_eq!(status, 200);

    let (status, location, body) = app.payform_submit(&object, FRICTIONLESS, &[("cardSave", "true")]).await;
    assert_eq!(status, 303, "{body}");
    let reference = location
        .strip_prefix(&format!("{BACK}?reference="))
        .unwrap_or_else(|| panic!("redirect to backLink with ?reference=: {location}"));
    let status_body = app.payform_status("330001").await;
    let tx = &status_body["transaction"];
    assert!(
        matches!(tx["statusName"].as_str(), Some("AUTH") | Some("CHARGE")),
        "{status_body}"
    );
    assert_eq!(tx["reference"], reference);
    assert_eq!(tx["cardMask"], "440563...5096");
    assert_eq!(tx["name"], "ARMAN ALI");
    assert!(!tx["cardID"].as_str().unwrap_or("").is_empty(), "card saved: {tx}");

    let delivered = |all: &[Delivery]| {
        all.iter()
            .any(|d| d.invoice_id == "330001" && d.state == DeliveryState::Delivered)
    };
    app.sandbox()
        .callbacks()
        .wait_for(delivered, Duration::from_secs(20))
        .await
        .expect("postLink delivered");
    let bodies = receiver.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert_eq!(bodies[0]["invoiceId"], "330001");
    assert_eq!(bodies[0]["code"], "ok");
    assert_eq!(bodies[0]["reference"], reference);

    let (status, _, html) = app.payform_submit(&object, FRICTIONLESS, &[]).await;
    assert_eq!(status, 409, "a paid page takes no second payment: {html}");
    assert!(html.contains("already been completed"));
}

#[tokio::test]
async fn payform_declines_re_render_until_the_third_attempt_fails() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let token = app.payment_token("340001", "700", TERMINAL).await;
    let object = params(&token, "340001", "700", &[("failurePostLink", &receiver.url)]);

    for left in [2, 1] {
        let (status, _, html) = app.payform_submit(&object, LOCKED, &[]).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("(465)"), "decline shown: {html}");
        assert!(
            html.contains(&format!("<strong data-attempts-left>{left}</strong>")),
            "{left} left: {html}"
        );
        assert!(html.contains(r#"id="pan""#), "the form again");
        let status_body = app.payform_status("340001").await;
        assert_eq!(status_body["transaction"]["statusName"], "REJECT");
    }
    let (status, location, _) = app.payform_submit(&object, LOCKED, &[]).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("{FAILURE_BACK}&errorCode=505"));

    let (status, _, _) = app.payform_submit(&object, FRICTIONLESS, &[]).await;
    assert_eq!(status, 409, "no fourth attempt");
    let (status, _, _) = app.payform_page(&format!("params={object}")).await;
    assert_eq!(status, 409, "the page stays closed");

    let failed = |all: &[Delivery]| {
        all.iter()
            .filter(|d| d.invoice_id == "340001" && d.state == DeliveryState::Delivered)
            .count()
            >= 3
    };
    app.sandbox()
        .callbacks()
        .wait_for(failed, Duration::from_secs(20))
        .await
        .expect("one failurePostLink per declined attempt");
    assert!(receiver
        .bodies()
        .iter()
        .all(|b| b["code"] == "error" && b["reasonCode"] == 465));
}

#[tokio::test]
async fn payform_a_decline_then_a_good_card_pays() {
    let app = TestApp::spawn().await;
    let token = app.payment_token("350001", "900", TERMINAL).await;
    let object = params(&token, "350001", "900", &[]);
    let (status, _, _) = app.payform_submit(&object, LOCKED, &[]).await;
    assert_eq!(status, 200);
    let (status, location, _) = app.payform_submit(&object, FRICTIONLESS, &[]).await;
    assert_eq!(status, 303);
    assert!(location.starts_with(&format!("{BACK}?reference=")), "{location}");
    let status_body = app.payform_status("350001").await;
    assert_eq!(status_body["transaction"]["statusName"], "AUTH");
}

#[tokio::test]
async fn payform_magic_amounts_and_form_errors() {
    let app = TestApp::spawn().await;
    let token = app.payment_token("360001", "484.99", TERMINAL).await;
    let object = params(&token, "360001", "484.99", &[]);
    let (status, _, html) = app.payform_submit(&object, ("", "01/27", "321"), &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Enter the card number"), "{html}");
    assert!(!html.contains("data-attempts-left"), "an empty PAN is no attempt");
    let (status, _, html) = app.payform_submit(&object, FRICTIONLESS, &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("(484)"), "magic amount applies: {html}");
}

#[tokio::test]
async fn payform_3ds_card_gets_the_auto_submit_form_to_the_acs() {
    let app = TestApp::spawn().await;
    let token = app.payment_token("370001", "1200", TERMINAL).await;
    let object = params(&token, "370001", "1200", &[]);
    let (status, _, html) = app.payform_submit(&object, CHALLENGE, &[]).await;
    assert_eq!(status, 200, "{html}");
    let base = app.server.url();
    assert!(html.contains(&format!(r#"action="{base}/acs""#)), "{html}");
    assert!(html.contains(r#"name="PaReq""#) && html.contains(r#"name="MD""#));
    assert!(
        html.contains(&format!(
            r#"name="TermUrl" type="hidden" value="{base}/payments/cards/confirmPayment?Access={token}""#
        )),
        "{html}"
    );
    assert!(html.contains("document.forms[0].submit()"));
    let status_body = app.payform_status("370001").await;
    assert_eq!(status_body["transaction"]["statusName"], "NEW");
}

#[tokio::test]
async fn payform_session_expires_after_20_sandbox_minutes() {
    let app = TestApp::spawn().await;
    let token = app.payment_token("380001", "100", TERMINAL).await;
    let object = params(&token, "380001", "100", &[]);
    let (status, _, _) = app.payform_page(&format!("params={object}")).await;
    assert_eq!(status, 200);
    app.sandbox().clock().advance(chrono::Duration::minutes(21));
    let (status, location, _) = app.payform_submit(&object, FRICTIONLESS, &[]).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("{FAILURE_BACK}&errorCode=504"));

    let no_failure_link = params(&token, "380001", "100", &[("failureBackLink", "")]);
    let (status, _, html) = app.payform_page(&format!("params={no_failure_link}")).await;
    assert_eq!(status, 409, "{html}");
}

#[tokio::test]
async fn payform_widget_posts_the_result_to_its_parent() {
    let app = TestApp::spawn().await;
    let token = app.payment_token("390001", "100", TERMINAL).await;
    let object = params(&token, "390001", "100", &[]);
    let response = app
        .http
        .get(app.url(&format!("/payform/?params={object}&isShortForm=true")))
        .header("referer", "https://shop.example/checkout?x=1")
        .send()
        .await
        .expect("GET");
    let html = response.text().await.expect("text");
    assert!(html.contains(r#"name="isShortForm" value="true""#), "{html}");
    assert!(
        html.contains(r#"name="parentOrigin" value="https://shop.example""#),
        "{html}"
    );

    let (status, location, html) = app
        .payform_submit(
            &object,
            FRICTIONLESS,
            &[("isShortForm", "true"), ("parentOrigin", "https://shop.example")],
        )
        .await;
    assert_eq!(status, 200, "no redirect in the widget: {location}");
    assert!(html.contains(r#"data-success="true""#), "{html}");
    assert!(html.contains(r#"data-target-origin="https://shop.example""#), "{html}");
    assert!(html.contains("window.parent.postMessage"));

    let token = app.payment_token("390002", "100", TERMINAL).await;
    let object = params(&token, "390002", "100", &[]);
    for _ in 0..3 {
        app.payform_submit(&object, LOCKED, &[("isShortForm", "true")]).await;
    }
    let status_body = app.payform_status("390002").await;
    assert_eq!(status_body["transaction"]["statusName"], "REJECT");
    let (_, _, html) = app.payform_submit(&object, LOCKED, &[("isShortForm", "true")]).await;
    assert!(html.contains("already been completed"), "{html}");
}

#[tokio::test]
async fn payform_widget_failure_posts_false_to_any_origin() {
    let app = TestApp::spawn().await;
    let token = app.payment_token("391001", "100", TERMINAL).await;
    let object = params(&token, "391001", "100", &[]);
    let mut last = String::new();
    for _ in 0..3 {
        last = app.payform_submit(&object, LOCKED, &[("isShortForm", "true")]).await.2;
    }
    assert!(last.contains(r#"data-success="false""#), "{last}");
    assert!(last.contains(r#"data-target-origin="*""#), "{last}");
    assert!(last.contains(r#"data-code="505""#), "{last}");
}

#[tokio::test]
async fn payform_transfer_forms_render_and_transfer() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(P2P_TERMINAL).await;
    let object = params(&token, "400001", "100", &[("terminal", P2P_TERMINAL)]);
    let (status, _, html) = app.payform_page(&format!("params={object}&isTransfer=true")).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains(r#"id="pan""#) && html.contains(r#"id="receiverPan""#),
        "{html}"
    );
    assert!(html.contains(r#"action="/payform/transfer""#));
    let (_, _, html) = app.payform_page(&format!("params={object}&isOCT=true")).await;
    assert!(
        !html.contains(r#"id="pan""#) && html.contains(r#"id="receiverPan""#),
        "OCT: receiver only"
    );
    let (_, _, html) = app.payform_page(&format!("params={object}&isAFT=true")).await;
    assert!(
        html.contains(r#"id="pan""#) && !html.contains(r#"id="receiverPan""#),
        "AFT: sender only"
    );

    let object = params(
        &token,
        "400001",
        "100",
        &[("terminal", P2P_TERMINAL), ("backLink", "https://shop.example/ok")],
    );
    let transfer = |receiver: &'static str| {
        app.http.post(app.url("/payform/transfer")).form(&[
            ("params", object.as_str()),
            ("form", "isTransfer"),
            ("pan", "4405 6397 0401 5096"),
            ("expiry", "01/25"),
            ("cvc", "815"),
            ("name", "arman ali"),
            ("receiverPan", receiver),
        ])
    };
    let response = transfer("4405639704015096").send().await.expect("POST");
    assert_eq!(
        response.status().as_u16(),
        200,
        "the same card on both sides is refused"
    );
    assert!(
        response
            .text()
            .await
            .unwrap_or_default()
            .contains(r#"id="receiverPan""#),
        "the form again"
    );

    let response = transfer("5522042705066736").send().await.expect("POST");
    assert_eq!(response.status().as_u16(), 303);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(location.starts_with("https://shop.example/ok?reference="), "{location}");
    let (_, status) = app.get("/check-status/p2p/transaction/400001", &token).await;
    assert_eq!(status["transaction"]["p2p"]["statusName"], "CHARGE", "{status}");
    assert_eq!(status["transaction"]["p2p"]["receiverCardPAN"], "552204...6736");
}

#[tokio::test]
async fn payform_demo_shop_and_its_helpers() {
    let app = TestApp::spawn().await;
    let html = app.get_text("/_sandbox/demo").await;
    assert!(html.contains(r#"<script src="/payform/payment-api.js"></script>"#));
    assert!(html.contains("halyk.showPaymentWidget"));

    let response = app
        .http
        .post(app.url("/_sandbox/demo/token"))
        .form(&[("invoiceId", "410001"), ("amount", "1500")])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 200);
    let token: Value = response.json().await.expect("json");
    let access = token["access_token"].as_str().expect("access_token");
    let live = app.sandbox().token(access).expect("stored");
    assert_eq!(live.invoice_id.as_deref(), Some("410001"));

    let back = app.get_text("/_sandbox/demo/back?result=success&reference=123").await;
    assert!(back.contains(r#"data-result="success""#) && back.contains(r#"data-param="reference">123<"#));
    let sink = app
        .http
        .post(app.url("/_sandbox/demo/postlink"))
        .body("{}")
        .send()
        .await
        .expect("POST");
    assert_eq!(sink.status().as_u16(), 200);
}

#[tokio::test]
async fn payform_refuses_unsafe_back_links_and_never_renders_them() {
    let app = TestApp::spawn().await;
    let cases = [
        ("340001", "backLink", "javascript:alert(document.domain)"),
        ("340002", "backLink", "https://shop.example/ok\r\nSet-Cookie: x=1"),
        ("340003", "failureBackLink", "JAVASCRIPT:alert(1)"),
        ("340004", "postLink", "file:///etc/passwd"),
    ];
    for (invoice, field, link) in cases {
        let token = app.payment_token(invoice, "100", TERMINAL).await;
        let object = params(&token, invoice, "100", &[(field, link)]);
        let (status, _, html) = app.payform_page(&format!("params={object}")).await;
        assert_eq!(status, 400, "{field}={link:?}: {html}");
        assert!(!html.contains("javascript:") && !html.contains("JAVASCRIPT:"), "{html}");
        let (status, location, html) = app.payform_submit(&object, FRICTIONLESS, &[]).await;
        assert_eq!(status, 400, "{field}={link:?}: {location} {html}");
        assert!(html.contains(field), "the page names the field: {html}");
        assert!(
            app.server.transaction_by_invoice(TERMINAL, invoice).is_none(),
            "nothing stored from a refused request"
        );
    }
    let token = app.payment_token("340005", "100", TERMINAL).await;
    let object = params(&token, "340005", "100", &[("backLink", "HTTPS://Shop.Example/ok")]);
    let (status, location, _) = app.payform_submit(&object, FRICTIONLESS, &[]).await;
    assert_eq!(status, 303);
    assert!(location.starts_with("HTTPS://Shop.Example/ok?reference="), "{location}");
}

#[tokio::test]
async fn payform_p2p_saves_cards_and_a_saved_sender_skips_the_card_fields() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let token = app.terminal_token(P2P_TERMINAL).await;
    let saving = params(
        &token,
        "400101",
        "100",
        &[
            ("terminal", P2P_TERMINAL),
            ("cardSave", "true"),
            ("postLink", &receiver.url),
        ],
    );
    let (status, _, html) = app.payform_page(&format!("params={saving}&isTransfer=true")).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains(r#"id="cardSave""#) && html.contains("checked"),
        "the save box, ticked: {html}"
    );
    let transfer = |object: &str, fields: &[(&'static str, &'static str)]| {
        let mut form = vec![("params", object.to_string()), ("form", "isTransfer".to_string())];
        form.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
        app.http.post(app.url("/payform/transfer")).form(&form).send()
    };
    let sender_card = [
        ("pan", "4405 6397 0401 5096"),
        ("expiry", "01/25"),
        ("cvc", "815"),
        ("name", "arman ali"),
    ];
    let mut fields = sender_card.to_vec();
    fields.extend([("receiverPan", "5522 0427 0506 6736"), ("cardSave", "true")]);
    let response = transfer(&saving, &fields).await.expect("POST");
    assert_eq!(response.status().as_u16(), 303, "{:?}", response.text().await);
    let delivered = |invoice: &'static str| {
        move |all: &[Delivery]| {
            all.iter()
                .any(|d| d.invoice_id == invoice && d.state == DeliveryState::Delivered)
        }
    };
    app.sandbox()
        .callbacks()
        .wait_for(delivered("400101"), Duration::from_secs(20))
        .await
        .expect("postLink delivered");
    let first = receiver.bodies().pop().unwrap_or_default();
    let sender_id = first["senderCardID"].as_str().unwrap_or("").to_string();
    let receiver_id = first["receiverCardID"].as_str().unwrap_or("").to_string();
    assert!(
        !sender_id.is_empty() && !receiver_id.is_empty(),
        "both cards saved: {first}"
    );
    let (_, cards) = app.get("/cards/buyer-1", &token).await;
    assert!(
        cards.to_string().contains(&sender_id),
        "listed for the accountId: {cards}"
    );

    let paying = params(
        &token,
        "400102",
        "100",
        &[
            ("terminal", P2P_TERMINAL),
            ("senderCardId", &sender_id),
            ("postLink", &receiver.url),
        ],
    );
    let (status, _, html) = app.payform_page(&format!("params={paying}&isTransfer=true")).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        !html.contains(r#"id="pan""#) && !html.contains(r#"id="cvc""#),
        "no sender card fields: {html}"
    );
    assert!(
        html.contains("data-saved-sender") && html.contains("440563...5096"),
        "{html}"
    );
    assert!(html.contains(r#"id="receiverPan""#), "{html}");
    let response = transfer(&paying, &[("receiverPan", "5522042705066736")])
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 303, "{:?}", response.text().await);
    app.sandbox()
        .callbacks()
        .wait_for(delivered("400102"), Duration::from_secs(20))
        .await
        .expect("postLink delivered");
    let second = receiver.bodies().pop().unwrap_or_default();
    assert_eq!(second["senderCardID"], sender_id.as_str(), "{second}");
    assert_eq!(second["senderTransferType"], "TYPECARDID", "{second}");
    assert_eq!(second["senderCardPAN"], "440563...5096", "{second}");

    let foreign = params(
        &token,
        "400103",
        "100",
        &[
            ("terminal", P2P_TERMINAL),
            ("senderCardId", &sender_id),
            ("accountId", "someone-else"),
        ],
    );
    let (status, _, html) = app.payform_page(&format!("params={foreign}&isTransfer=true")).await;
    assert_eq!(status, 400, "another customer's card is refused: {html}");
    assert!(html.contains("senderCardId"), "{html}");
}
