//! 3-D Secure end to end over HTTP: cryptopay → ACS page → code → auto-submit form →
//! `/payment/confirm` or `confirmPayment?Access=` → check-status; failures, tampering, replays,
//! the timeout and the headless control endpoint.

use crate::helpers::*;
use base64::Engine;
use chrono::Duration;
use serde_json::{json, Value};

const MC_CHALLENGE: (&str, &str, &str) = ("5522042705066736", "0127", "775");
const DECLINES_AFTER: (&str, &str, &str) = ("5100000000004844", "1299", "123");
const ALWAYS_FAILS: (&str, &str, &str) = ("4000000000004731", "1299", "123");
const FRICTIONLESS: (&str, &str, &str) = ("4405639704015096", "0127", "321");

/// A payment that went to 3-D Secure: its token, id and `secure3D`.
struct Pending {
    token: String,
    id: String,
    md: String,
    pa_req: String,
    action: String,
}

async fn pay_with(
    app: &TestApp,
    terminal: &str,
    invoice: &str,
    card: (&str, &str, &str),
    extra: Value,
) -> (u16, Value) {
    let token = app.payment_token(invoice, "100", terminal).await;
    let mut body = json!({
        "amount": 100,
        "currency": "KZT",
        "name": "ARMAN ALI",
        "cryptogram": app.cryptogram(card.0, card.1, card.2, terminal),
        "invoiceId": invoice,
        "description": "test payment",
        "accountId": "uuid000001",
        "language": "rus",
        "cardSave": false,
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let (status, answer) = app.post_json("/payment/cryptopay", &token, &body).await;
    (status, json!({"token": token, "answer": answer}))
}

async fn challenge(app: &TestApp, terminal: &str, invoice: &str, card: (&str, &str, &str), extra: Value) -> Pending {
    let (status, both) = pay_with(app, terminal, invoice, card, extra).await;
    let answer = &both["answer"];
    assert_eq!(status, 200, "{answer}");
    let text = |v: &Value| v.as_str().expect("string").to_string();
    Pending {
        token: text(&both["token"]),
        id: text(&answer["id"]),
        md: text(&answer["secure3D"]["md"]),
        pa_req: text(&answer["secure3D"]["paReq"]),
        action: text(&answer["secure3D"]["action"]),
    }
}

/// POSTs a urlencoded form; returns status, Location and body text.
async fn post_form(app: &TestApp, url: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
    let response = app.http.post(url).form(fields).send().await.expect("POST form");
    let status = response.status().as_u16();
    let location = location_of(&response);
    (status, location, response.text().await.unwrap_or_default())
}

/// The merchant's auto-submitting form of seed 003, as a browser would post it.
async fn open_acs(app: &TestApp, p: &Pending, term_url: &str) -> String {
    let (status, _, html) = post_form(
        app,
        &p.action,
        &[("PaReq", &p.pa_req), ("MD", &p.md), ("TermUrl", term_url)],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    html
}

async fn submit(app: &TestApp, md: &str, action: &str, code: &str) -> (u16, String) {
    let (status, _, html) = post_form(
        app,
        &app.url("/acs/submit"),
        &[("MD", md), ("action", action), ("code", code), ("lang", "rus")],
    )
    .await;
    (status, html)
}

fn unescape(text: &str) -> String {
    text.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The `value` of the input named `name`.
fn input(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).expect("input present");
    let end = html[start..].find('"').expect("closing quote") + start;
    unescape(&html[start..end])
}

/// The `action` of the first form.
fn form_action(html: &str) -> String {
    let start = html.find("action=\"").expect("form action") + "action=\"".len();
    let end = html[start..].find('"').expect("closing quote") + start;
    unescape(&html[start..end])
}

/// Passes the challenge in the ACS with the printed code; returns (TermUrl, PaRes, MD).
async fn pass_challenge(app: &TestApp, p: &Pending, term_url: &str) -> (String, String, String) {
    let page = open_acs(app, p, term_url).await;
    assert!(page.contains("123456"), "the page prints the sandbox code");
    let (status, posted) = submit(app, &p.md, "confirm", "123456").await;
    assert_eq!(status, 200, "{posted}");
    assert!(posted.contains("document.forms[0].submit()"), "{posted}");
    (form_action(&posted), input(&posted, "PaRes"), input(&posted, "MD"))
}

async fn confirm(app: &TestApp, token: &str, id: &str, pa_res: &str, md: &str) -> (u16, String, Value) {
    let response = app
        .http
        .post(app.url("/payment/confirm"))
        .bearer_auth(token)
        .json(&json!({"ID": id, "PaRes": pa_res, "MD": md}))
        .send()
        .await
        .expect("confirm");
    let status = response.status().as_u16();
    let location = location_of(&response);
    let body = serde_json::from_str(&response.text().await.unwrap_or_default()).unwrap_or(Value::Null);
    (status, location, body)
}

/// The query parameters of a URL.
fn query_of(url: &str) -> std::collections::HashMap<String, String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    serde_urlencoded::from_str(query).unwrap_or_default()
}

async fn status_of(app: &TestApp, terminal: &str, invoice: &str) -> Value {
    let token = app.terminal_token(terminal).await;
    let (_, body) = app
        .get(&format!("/check-status/payment/transaction/{invoice}"), &token)
        .await;
    body
}

fn status_name(body: &Value) -> (String, String) {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (
        text(&body["transaction"]["statusName"]),
        text(&body["transaction"]["reasonCode"]),
    )
}

#[tokio::test]
async fn secure3d_round_trip_through_payment_confirm() {
    let app = TestApp::spawn().await;
    let p = challenge(&app, TERMINAL, "000030001", MC_CHALLENGE, json!({})).await;
    assert_eq!(p.action, app.url("/acs"));
    let pending = status_of(&app, TERMINAL, "000030001").await;
    assert_eq!(pending["resultCode"], "100");
    assert_eq!(status_name(&pending).0, "NEW", "{pending}");

    let page = open_acs(&app, &p, "https://merchantsite.com/3dRes").await;
    for shown in [
        "100 KZT",
        "552204...6736",
        "123456",
        "ePay test merchant",
        "Подтвердить",
        "Отменить",
    ] {
        assert!(page.contains(shown), "page shows {shown}: {page}");
    }
    let (status, posted) = submit(&app, &p.md, "confirm", "123456").await;
    assert_eq!(status, 200);
    assert_eq!(form_action(&posted), "https://merchantsite.com/3dRes");
    let (pa_res, md) = (input(&posted, "PaRes"), input(&posted, "MD"));
    assert_eq!(md, p.md);

    let (status, location, _) = confirm(&app, &p.token, &p.id, &pa_res, &md).await;
    assert_eq!(status, 302);
    assert!(location.starts_with(&app.url("/payform/success.html?")), "{location}");
    let params = query_of(&location);
    let checked = status_of(&app, TERMINAL, "000030001").await;
    assert_eq!(status_name(&checked), ("AUTH".into(), "00".into()), "{checked}");
    assert_eq!(params["invoiceID"], "000030001");
    assert_eq!(params["amount"], "100");
    assert_eq!(params["currency"], "KZT");
    assert_eq!(params["accountID"], "uuid000001");
    assert_eq!(params["description"], "test payment");
    assert_eq!(params["language"], "RU");
    assert_eq!(params["cardid"], "");
    assert_eq!(
        Value::from(params["reference"].clone()),
        checked["transaction"]["reference"]
    );
    assert_eq!(checked["transaction"]["secure"], true);

    let page = app.http.get(&location).send().await.expect("success page");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap_or_default();
    assert!(
        html.contains("000030001") && html.contains("Оплата прошла успешно") && !html.contains("Payment successful"),
        "the payment's language (RU) only: {html}"
    );
}

#[tokio::test]
async fn secure3d_round_trip_through_confirm_payment_access() {
    let app = TestApp::spawn().await;
    let p = challenge(
        &app,
        ONE_STEP_TERMINAL,
        "000030002",
        ("4000000000003014", "1299", "123"),
        json!({}),
    )
    .await;
    let term_url = app.url(&format!("/payments/cards/confirmPayment?Access={}", p.token));
    let (action, pa_res, md) = pass_challenge(&app, &p, &term_url).await;
    assert_eq!(action, term_url);
    let (status, location, _) = post_form(&app, &action, &[("PaRes", &pa_res), ("MD", &md)]).await;
    assert_eq!(status, 302);
    let checked = status_of(&app, ONE_STEP_TERMINAL, "000030002").await;
    assert_eq!(status_name(&checked).0, "CHARGE");
    assert_eq!(
        Value::from(query_of(&location)["reference"].clone()),
        checked["transaction"]["reference"],
        "{location}"
    );
    assert!(!location.contains("errorCode"));
}

#[tokio::test]
async fn secure3d_sdk_path_redirects_to_the_back_links_and_under_api() {
    let app = TestApp::spawn().await;
    let links = json!({"backLink": "https://shop.example/ok#done", "failureBackLink": "https://shop.example/fail?x=1"});
    let p = challenge(&app, TERMINAL, "000030003", MC_CHALLENGE, links.clone()).await;
    let term_url = app.url(&format!("/api/payments/cards/confirmPayment?Access={}", p.token));
    let (status, _, page) = post_form(
        &app,
        &app.url("/api/acs"),
        &[("PaReq", &p.pa_req), ("MD", &p.md), ("TermUrl", &term_url)],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(form_action(&page), "/api/acs/submit");
    let (_, _, posted) = post_form(
        &app,
        &app.url("/api/acs/submit"),
        &[("MD", &p.md), ("action", "confirm"), ("code", "123456")],
    )
    .await;
    let (status, location, _) = post_form(
        &app,
        &form_action(&posted),
        &[("PaRes", &input(&posted, "PaRes")), ("MD", &input(&posted, "MD"))],
    )
    .await;
    assert_eq!(status, 302);
    assert!(location.starts_with("https://shop.example/ok?reference="), "{location}");
    assert!(location.ends_with("#done"), "{location}");

    let p = challenge(&app, TERMINAL, "000030004", ALWAYS_FAILS, links).await;
    let term_url = app.url(&format!("/payments/cards/confirmPayment?Access={}", p.token));
    let (action, pa_res, md) = pass_challenge(&app, &p, &term_url).await;
    let (status, location, _) = post_form(&app, &action, &[("PaRes", &pa_res), ("MD", &md)]).await;
    assert_eq!(status, 302);
    assert_eq!(location, "https://shop.example/fail?x=1&errorCode=473");
    assert_eq!(
        status_name(&status_of(&app, TERMINAL, "000030004").await),
        ("3D".into(), "473".into())
    );
}

#[tokio::test]
async fn secure3d_decline_after_a_passed_challenge() {
    let app = TestApp::spawn().await;
    let p = challenge(&app, TERMINAL, "000030005", DECLINES_AFTER, json!({})).await;
    let (_, pa_res, md) = pass_challenge(&app, &p, "https://merchantsite.com/3dRes").await;
    let (status, location, _) = confirm(&app, &p.token, &p.id, &pa_res, &md).await;
    assert_eq!(status, 302);
    assert!(
        location.starts_with(&app.url("/payform/?invoiceID=")),
        "seed 003's target: {location}"
    );
    let params = query_of(&location);
    assert_eq!(params["invoiceID"], "000030005");
    assert_eq!(params["code"], "484");
    assert!(!params["message"].is_empty());
    assert_eq!(
        status_name(&status_of(&app, TERMINAL, "000030005").await),
        ("REJECT".into(), "484".into())
    );
    let page = app.http.get(&location).send().await.expect("failure page");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap_or_default();
    let reason = app
        .sandbox()
        .fixtures()
        .catalogue
        .reason(484)
        .map(|r| r.message_ru.clone());
    assert!(
        html.contains(&format!("{} (484)", reason.unwrap_or_default())),
        "{html}"
    );
    assert!(
        html.contains("Оплата не прошла") && !html.contains("data-param"),
        "{html}"
    );
}

#[tokio::test]
async fn secure3d_three_wrong_codes_fail_with_473() {
    let app = TestApp::spawn().await;
    let p = challenge(&app, TERMINAL, "000030006", MC_CHALLENGE, json!({})).await;
    open_acs(&app, &p, "https://merchantsite.com/3dRes").await;
    let (status, page) = submit(&app, &p.md, "confirm", "000000").await;
    assert_eq!(status, 200);
    assert!(page.contains("Неверный код. Осталось попыток: 2"), "{page}");
    let (_, page) = submit(&app, &p.md, "confirm", "").await;
    assert!(page.contains("Осталось попыток: 1"), "{page}");
    let (_, posted) = submit(&app, &p.md, "confirm", "654321").await;
    let (status, location, _) = confirm(&app, &p.token, &p.id, &input(&posted, "PaRes"), &p.md).await;
    assert_eq!(status, 302);
    assert_eq!(query_of(&location)["code"], "473");
    assert_eq!(
        status_name(&status_of(&app, TERMINAL, "000030006").await),
        ("3D".into(), "473".into())
    );
}

#[tokio::test]
async fn secure3d_cancel_and_an_always_failing_card_end_3d() {
    let app = TestApp::spawn().await;
    let p = challenge(&app, TERMINAL, "000030007", MC_CHALLENGE, json!({})).await;
    open_acs(&app, &p, "https://merchantsite.com/3dRes").await;
    let (_, posted) = submit(&app, &p.md, "cancel", "").await;
    let (status, _, _) = confirm(&app, &p.token, &p.id, &input(&posted, "PaRes"), &p.md).await;
    assert_eq!(status, 302);
    assert_eq!(
        status_name(&status_of(&app, TERMINAL, "000030007").await),
        ("3D".into(), "473".into())
    );

    let p = challenge(&app, TERMINAL, "000030008", ALWAYS_FAILS, json!({})).await;
    let (_, pa_res, md) = pass_challenge(&app, &p, "https://merchantsite.com/3dRes").await;
    let (_, location, _) = confirm(&app, &p.token, &p.id, &pa_res, &md).await;
    assert_eq!(query_of(&location)["code"], "473");
}

#[tokio::test]
async fn secure3d_tampered_and_replayed_pares_are_refused() {
    let app = TestApp::spawn().await;
    let p = challenge(&app, TERMINAL, "000030009", MC_CHALLENGE, json!({})).await;
    let (_, pa_res, md) = pass_challenge(&app, &p, "https://merchantsite.com/3dRes").await;

    let engine = base64::engine::general_purpose::STANDARD;
    let mut bytes = engine.decode(&pa_res).expect("base64 PaRes");
    let statement = String::from_utf8_lossy(&bytes).to_string();
    let at = statement.find("\"Y\"").expect("status Y in the statement") + 1;
    bytes[at] = b'N';
    let (status, _, body) = confirm(&app, &p.token, &p.id, &engine.encode(&bytes), &md).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], -1);
    assert!(
        body["message"].as_str().is_some_and(|m| m.contains("signature")),
        "{body}"
    );
    let (status, _, body) = confirm(&app, &p.token, &p.id, "garbage", &md).await;
    assert_eq!((status, body["code"].clone()), (400, json!(-1)), "{body}");
    assert_eq!(status_name(&status_of(&app, TERMINAL, "000030009").await).0, "NEW");

    let (status, _, _) = confirm(&app, &p.token, &p.id, &pa_res, &md).await;
    assert_eq!(status, 302);
    let (status, _, body) = confirm(&app, &p.token, &p.id, &pa_res, &md).await;
    assert_eq!(status, 400, "replay: {body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("already been confirmed")),
        "{body}"
    );
    assert_eq!(status_name(&status_of(&app, TERMINAL, "000030009").await).0, "AUTH");
}

#[tokio::test]
async fn secure3d_pares_of_another_transaction_is_refused() {
    let app = TestApp::spawn().await;
    let a = challenge(&app, TERMINAL, "000030010", MC_CHALLENGE, json!({})).await;
    let b = challenge(&app, TERMINAL, "000030011", MC_CHALLENGE, json!({})).await;
    let (_, pa_res_a, md_a) = pass_challenge(&app, &a, "https://merchantsite.com/3dRes").await;
    let (status, _, body) = confirm(&app, &b.token, &b.id, &pa_res_a, &md_a).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("issued for transaction")),
        "{body}"
    );
    let (status, _, body) = confirm(&app, &b.token, &b.id, &pa_res_a, &b.md).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| m.contains("another MD")),
        "{body}"
    );
    let (status, _, body) = confirm(&app, &b.token, &a.id, &pa_res_a, &md_a).await;
    assert_eq!(status, 400, "B's token cannot confirm A: {body}");
    let (status, _, _) = confirm(&app, &a.token, &a.id, &pa_res_a, &md_a).await;
    assert_eq!(status, 302);
    assert_eq!(status_name(&status_of(&app, TERMINAL, "000030011").await).0, "NEW");
}

#[tokio::test]
async fn secure3d_times_out_after_twenty_sandbox_minutes() {
    let app = TestApp::spawn().await;
    app.sandbox().clock().freeze(None);
    let p = challenge(&app, TERMINAL, "000030012", MC_CHALLENGE, json!({})).await;
    app.sandbox()
        .clock()
        .advance(Duration::minutes(20) - Duration::seconds(1));
    let pending = status_of(&app, TERMINAL, "000030012").await;
    assert_eq!(
        (pending["resultCode"].clone(), status_name(&pending).0),
        (json!("100"), "NEW".into())
    );
    open_acs(&app, &p, "https://merchantsite.com/3dRes").await;
    app.sandbox().clock().advance(Duration::seconds(1));
    assert_eq!(
        status_name(&status_of(&app, TERMINAL, "000030012").await),
        ("3D".into(), "499".into())
    );
    let (status, body) = submit(&app, &p.md, "confirm", "123456").await;
    assert_eq!(status, 400, "{body}");

    let q = challenge(&app, TERMINAL, "000030013", MC_CHALLENGE, json!({})).await;
    app.sandbox().clock().advance(Duration::minutes(21));
    app.sandbox().run_due_timers();
    assert_eq!(app.sandbox().secure3d_session(&q.md), None, "the sweep removed it");
    assert_eq!(status_name(&status_of(&app, TERMINAL, "000030013").await).0, "3D");
}

#[tokio::test]
async fn secure3d_headless_control_endpoint() {
    let app = TestApp::spawn().await;
    let p = challenge(&app, TERMINAL, "000030014", MC_CHALLENGE, json!({})).await;
    let complete = |key: String, result: &'static str| {
        let app = &app;
        async move {
            app.post_json(
                &format!("/_sandbox/3ds/{key}/complete"),
                "",
                &json!({ "result": result }),
            )
            .await
        }
    };
    let (status, body) = complete(p.id.clone(), "sometimes").await;
    assert_eq!((status, body["code"].clone()), (400, json!(400)), "{body}");
    let (status, reply) = complete(p.id.clone(), "approve").await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["MD"], json!(p.md));
    assert_eq!(reply["TermUrl"], Value::Null);
    let (status, body) = complete(p.md.clone(), "approve").await;
    assert_eq!(status, 409, "{body}");
    let pa_res = reply["PaRes"].as_str().expect("PaRes").to_string();
    let (status, _, _) = confirm(&app, &p.token, &p.id, &pa_res, &p.md).await;
    assert_eq!(status, 302);
    assert_eq!(status_name(&status_of(&app, TERMINAL, "000030014").await).0, "AUTH");
    let (status, _) = complete(p.md.clone(), "approve").await;
    assert_eq!(status, 404);

    let q = challenge(&app, TERMINAL, "000030015", MC_CHALLENGE, json!({})).await;
    open_acs(&app, &q, "https://merchantsite.com/3dRes").await;
    let (status, reply) = complete(q.md.clone(), "fail").await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["TermUrl"], "https://merchantsite.com/3dRes");
    let (_, location, _) = confirm(&app, &q.token, &q.id, reply["PaRes"].as_str().unwrap_or(""), &q.md).await;
    assert_eq!(query_of(&location)["code"], "473");
}

#[tokio::test]
async fn secure3d_acs_refuses_bad_requests_and_switches_language() {
    let app = TestApp::spawn().await;
    let p = challenge(&app, TERMINAL, "000030016", MC_CHALLENGE, json!({"language": "kaz"})).await;
    let acs = app.url("/acs");
    for fields in [
        vec![("MD", p.md.as_str())],
        vec![
            ("PaReq", p.pa_req.as_str()),
            ("MD", "bm9wZQ=="),
            ("TermUrl", "https://m/3d"),
        ],
        vec![
            ("PaReq", "b3RoZXI="),
            ("MD", p.md.as_str()),
            ("TermUrl", "https://m/3d"),
        ],
        vec![
            ("PaReq", p.pa_req.as_str()),
            ("MD", p.md.as_str()),
            ("TermUrl", "javascript:alert(1)"),
        ],
    ] {
        let response = app.http.post(&acs).form(&fields).send().await.expect("POST");
        assert_eq!(response.status().as_u16(), 400);
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(body["code"], -1, "{body}");
    }
    let (status, _, _) = post_form(&app, &app.url("/acs/submit"), &[("MD", &p.md), ("action", "confirm")]).await;
    assert_eq!(status, 400, "no TermUrl yet");

    let page = open_acs(&app, &p, "https://m/3d").await;
    assert!(
        page.contains("Растау") && page.contains("lang=\"kk\""),
        "the payment's language: {page}"
    );
    let (status, _, page) = post_form(
        &app,
        &app.url("/acs/submit"),
        &[("MD", &p.md), ("action", "language"), ("lang", "eng")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Confirm") && page.contains("Payment confirmation"),
        "{page}"
    );
    let (status, _, _) = post_form(&app, &app.url("/acs/submit"), &[("MD", &p.md), ("action", "dance")]).await;
    assert_eq!(status, 400);

    let without_token = || {
        app.http
            .post(app.url("/payment/confirm"))
            .json(&json!({"ID": p.id, "PaRes": "x", "MD": p.md}))
            .send()
    };
    let status = without_token().await.expect("POST").status().as_u16();
    assert_eq!(
        status, 400,
        "without a token the PaRes is checked (confirm.token=optional)"
    );
    app.send(
        reqwest::Method::PUT,
        "/_sandbox/fidelity",
        Some(json!({"confirm.token": "required"})),
    )
    .await;
    let status = without_token().await.expect("POST").status().as_u16();
    assert_eq!(status, 401, "confirm.token=required");
    let (status, body) = app
        .post_json(
            "/payment/confirm",
            &p.token,
            &json!({"ID": "nope", "PaRes": "x", "MD": p.md}),
        )
        .await;
    assert_eq!((status, body["code"].clone()), (400, json!(-1)), "{body}");
    let (status, _, _) = post_form(
        &app,
        &app.url("/payments/cards/confirmPayment?Access=wrong"),
        &[("PaRes", "x"), ("MD", "y")],
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn secure3d_frictionless_card_needs_no_challenge() {
    let app = TestApp::spawn().await;
    let (status, both) = pay_with(&app, TERMINAL, "000030017", FRICTIONLESS, json!({})).await;
    assert_eq!(status, 200, "{both}");
    assert_eq!(both["answer"]["secure3D"], Value::Null);
    assert_eq!(both["answer"]["status"], "AUTH");
}

#[tokio::test]
async fn secure3d_term_url_and_back_links_are_checked() {
    let app = TestApp::spawn().await;
    for (invoice, field, link) in [
        (
            "560001",
            "backLink",
            "https://shop.example/ok\r\nLocation: https://evil.example",
        ),
        ("560002", "failureBackLink", "javascript:alert(1)"),
        ("560003", "postLink", "shop.example/callback"),
    ] {
        let (status, both) = pay_with(&app, TERMINAL, invoice, MC_CHALLENGE, json!({ field: link })).await;
        let answer = &both["answer"];
        assert_eq!(status, 400, "{field}={link:?}: {answer}");
        assert!(
            answer["message"].as_str().is_some_and(|m| m.contains(field)),
            "{answer}"
        );
        assert_eq!(answer["invoiceId"], invoice, "the bank's error shape: {answer}");
        assert!(
            app.server.transaction_by_invoice(TERMINAL, invoice).is_none(),
            "nothing stored"
        );
    }
    let p = challenge(&app, TERMINAL, "560004", MC_CHALLENGE, json!({})).await;
    for bad in ["javascript:alert(1)", "https://shop.example/\nx"] {
        let (status, _, body) = post_form(
            &app,
            &p.action,
            &[("PaReq", &p.pa_req), ("MD", &p.md), ("TermUrl", bad)],
        )
        .await;
        assert_eq!(status, 400, "{bad:?}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap_or_default();
        assert!(body["code"].is_i64(), "the bank's error shape: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains("TermUrl")),
            "{body}"
        );
    }
    let html = open_acs(&app, &p, "HTTPS://Shop.Example/term").await;
    assert!(html.contains("form"), "an upper-case scheme is accepted: {html}");
}
