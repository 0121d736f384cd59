//! `POST /payment/qr/generate`, `GET /qr`, `/_sandbox/qr` and the bank-app page.

use super::*;
use serde_json::json;

fn generate_body() -> Value {
    json!({
        "postLink": POST_LINK,
        "failurePostLink": FAILURE_POST_LINK,
        "description": "QR order",
        "language": "rus",
        "accountId": "uuid000001",
        "payerEmail": "payer@example.com",
        "payerPhone": "77771111111"
    })
}

impl TestApp {
    /// A bill for `invoice` (1000 KZT) on `terminal`; returns the token and the answer.
    async fn bill(&self, prefix: &str, invoice: &str, terminal: &str) -> (String, Value) {
        let token = self.payment_token(invoice, "1000", terminal).await;
        let (status, body) = self
            .post_json(&format!("{prefix}/payment/qr/generate"), &token, &generate_body())
            .await;
        assert_eq!(status, 200, "generate: {body}");
        (token, body)
    }

    async fn qr_act(&self, bill: &str, action: &str, body: Option<Value>) -> (u16, Value) {
        self.control_call(reqwest::Method::POST, &format!("/_sandbox/qr/{bill}/{action}"), body)
            .await
    }

    async fn qr_status(&self, token: &str, bill: &str) -> Value {
        let (status, body) = self.get(&format!("/qr?billNumber={bill}"), token).await;
        assert_eq!(status, 200, "qr status: {body}");
        body
    }
}

#[tokio::test]
async fn a_bill_is_generated_bare_and_under_api_and_starts_new() {
    let app = TestApp::spawn().await;
    for (n, prefix) in PREFIXES.iter().enumerate() {
        let (token, body) = app.bill(prefix, &format!("72000000{n}"), TERMINAL).await;
        let bill = body["billNumber"].as_str().expect("billNumber");
        let page = app.url(&format!("/homebank/qr/{bill}"));
        assert_eq!(body["qrcode"], page.as_str());
        assert!(body["homebankLink"].as_str().is_some_and(|l| l.starts_with(&page)));
        assert!(body["onlinebankLink"].as_str().is_some_and(|l| l.starts_with(&page)));
        let (status, by_token) = app.get(&format!("{prefix}/qr"), &token).await;
        assert_eq!(status, 200, "{by_token}");
        assert_eq!(by_token["billNumber"], bill, "without billNumber: the token's bill");
        let shown = app.qr_status(&token, bill).await;
        assert_eq!(shown["status"], "NEW");
        assert_eq!(shown["amount"], 1000);
        assert_eq!(shown["currency"], "KZT");
        assert_eq!(shown["secure3D"], false);
    }
    let dashboard = app.get_text("/_sandbox/").await;
    assert!(dashboard.contains("QR bills"), "listed on the dashboard");
}

#[tokio::test]
async fn scan_then_pay_moves_new_scanned_auth_with_the_success_callback() {
    let app = TestApp::spawn().await;
    let (token, body) = app.bill("", "720000010", TERMINAL).await;
    let bill = body["billNumber"].as_str().expect("billNumber");
    let (status, scanned) = app.qr_act(bill, "scan", None).await;
    assert_eq!((status, scanned["status"].clone()), (200, json!("SCANNED")));
    assert_eq!(app.qr_status(&token, bill).await["status"], "SCANNED");
    let (status, paid) = app.qr_act(bill, "pay", None).await;
    assert_eq!((status, paid["status"].clone()), (200, json!("AUTH")), "{paid}");
    let shown = app.qr_status(&token, bill).await;
    assert_eq!(shown["status"], "AUTH");
    assert_eq!(shown["issuer"], "Halyk Bank", "{shown}");
    let callback = app.callback_to("720000010", POST_LINK).await;
    assert_eq!(callback.body["code"], "ok");
    assert_eq!(callback.body["amount"], 1000);
    let (_, check) = app
        .get(
            "/check-status/payment/transaction/720000010",
            &app.terminal_token(TERMINAL).await,
        )
        .await;
    assert_eq!(
        check["transaction"]["statusName"], "AUTH",
        "an ordinary payment: {check}"
    );
    let (status, _) = app.qr_act(bill, "reject", None).await;
    assert_eq!(status, 409, "a paid bill cannot be rejected");
}

#[tokio::test]
async fn a_one_step_terminal_shows_paid() {
    let app = TestApp::spawn().await;
    let (token, body) = app.bill("", "720000020", ONE_STEP_TERMINAL).await;
    let bill = body["billNumber"].as_str().expect("billNumber");
    app.qr_act(bill, "scan", None).await;
    app.qr_act(bill, "pay", None).await;
    assert_eq!(app.qr_status(&token, bill).await["status"], "PAID");
}

#[tokio::test]
async fn rejected_declined_and_expired_bills_are_rejected_with_the_failure_callback() {
    let app = TestApp::spawn().await;
    let (token, body) = app.bill("", "720000030", TERMINAL).await;
    let rejected = body["billNumber"].as_str().expect("billNumber").to_string();
    app.qr_act(&rejected, "scan", None).await;
    let (status, shown) = app.qr_act(&rejected, "reject", None).await;
    assert_eq!((status, shown["status"].clone()), (200, json!("REJECTED")), "{shown}");
    assert_eq!(app.qr_status(&token, &rejected).await["retCode"], "466");
    assert_eq!(
        app.callback_to("720000030", FAILURE_POST_LINK).await.body["code"],
        "error"
    );

    let (token, body) = app.bill("", "720000031", TERMINAL).await;
    let declined = body["billNumber"].as_str().expect("billNumber").to_string();
    app.qr_act(&declined, "scan", None).await;
    let (_, shown) = app
        .qr_act(&declined, "pay", Some(json!({"pan": "4000000000004848"})))
        .await;
    assert_eq!(shown["status"], "REJECTED", "{shown}");
    let status = app.qr_status(&token, &declined).await;
    assert_eq!(status["retCode"], "484");
    assert!(!status["errDescription"].as_str().unwrap_or_default().is_empty());

    let (token, body) = app.bill("", "720000032", TERMINAL).await;
    let expired = body["billNumber"].as_str().expect("billNumber").to_string();
    app.qr_act(&expired, "scan", None).await;
    app.advance("19m").await;
    assert_eq!(app.qr_status(&token, &expired).await["status"], "SCANNED");
    app.advance("2m").await;
    let status = app.qr_status(&token, &expired).await;
    assert_eq!(
        (status["status"].clone(), status["retCode"].clone()),
        (json!("REJECTED"), json!("504"))
    );
    app.callback_to("720000032", FAILURE_POST_LINK).await;
}

#[tokio::test]
async fn wrong_tokens_bodies_bills_and_states_are_refused() {
    let app = TestApp::spawn().await;
    let (status, _) = app.post_json("/payment/qr/generate", "nope", &generate_body()).await;
    assert_eq!(status, 401);
    let (status, _) = app.get("/qr?billNumber=1", "nope").await;
    assert_eq!(status, 401);
    let unbound = app.terminal_token(TERMINAL).await;
    let (status, body) = app.post_json("/payment/qr/generate", &unbound, &generate_body()).await;
    assert_eq!(
        (status, body["code"].clone()),
        (400, json!(-1)),
        "no amount anywhere: {body}"
    );
    let mut with_order = generate_body();
    with_order["amount"] = json!(500);
    with_order["invoiceId"] = json!("12");
    let (status, body) = app.post_json("/payment/qr/generate", &unbound, &with_order).await;
    assert_eq!(status, 400, "a short invoiceId: {body}");
    with_order["invoiceId"] = json!("720000040");
    let bound = app.payment_token("720000041", "1000", TERMINAL).await;
    let (status, body) = app.post_json("/payment/qr/generate", &bound, &with_order).await;
    assert_eq!(status, 400, "an order other than the token's: {body}");
    with_order["amount"] = json!(0);
    let (status, body) = app.post_json("/payment/qr/generate", &unbound, &with_order).await;
    assert_eq!(status, 400, "a zero amount: {body}");
    with_order["amount"] = json!(500);
    let (status, body) = app.post_json("/payment/qr/generate", &unbound, &with_order).await;
    assert_eq!(status, 200, "the body's order stands in for the token's: {body}");

    let (status, _) = app.get("/qr?billNumber=999999999999", &unbound).await;
    assert_eq!(status, 404);
    let (status, _) = app.qr_act("999999999999", "scan", None).await;
    assert_eq!(status, 404);
    let bill = body["billNumber"].as_str().expect("billNumber");
    let (status, _) = app.qr_act(bill, "pay", None).await;
    assert_eq!(status, 409, "paying before scanning");
    let (status, _) = app.qr_act(bill, "explode", None).await;
    assert_eq!(status, 404);
    app.qr_act(bill, "scan", None).await;
    let (status, body) = app.qr_act(bill, "pay", Some(json!({"pan": "4111111111111111"}))).await;
    assert_eq!(status, 400, "not a test card: {body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| !m.contains("4111111111111111")),
        "the PAN is masked: {body}"
    );
    let (status, body) = app
        .qr_act(bill, "pay", Some(json!({"pan": "4405 6397 0401 5096"})))
        .await;
    assert_eq!(
        (status, body["status"].clone()),
        (200, json!("AUTH")),
        "spaces in the PAN: {body}"
    );
    let other_client = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", SCOPE),
            ("client_id", "halykfinanceUSD"),
            ("client_secret", "U01gQZVL##lJ$NhJ"),
        ])
        .await
        .1["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let (status, _) = app.get(&format!("/qr?billNumber={bill}"), &other_client).await;
    assert_eq!(status, 404, "another client's bill");
}

#[tokio::test]
async fn the_bank_app_page_scans_and_pays_with_its_buttons() {
    let app = TestApp::spawn().await;
    let (token, body) = app.bill("", "720000050", TERMINAL).await;
    let bill = body["billNumber"].as_str().expect("billNumber");
    let page = app.get_text(&format!("/homebank/qr/{bill}")).await;
    assert!(page.contains("id=\"scan\"") && page.contains("1000 KZT"), "{page}");
    let scan = app
        .http
        .post(app.url(&format!("/homebank/qr/{bill}/scan")))
        .send()
        .await
        .expect("scan");
    assert_eq!(scan.status().as_u16(), 303);
    let page = app.get_text(&format!("/homebank/qr/{bill}")).await;
    assert!(
        page.contains("id=\"pay\"") && page.contains("4000000000004848"),
        "{page}"
    );
    let pay = app
        .http
        .post(app.url(&format!("/homebank/qr/{bill}/pay")))
        .form(&[("pan", "4405639704015096")])
        .send()
        .await
        .expect("pay");
    assert_eq!(pay.status().as_u16(), 303);
    assert_eq!(app.qr_status(&token, bill).await["status"], "AUTH");
    let refused = app
        .http
        .post(app.url(&format!("/homebank/qr/{bill}/pay")))
        .send()
        .await
        .expect("pay again");
    let text = refused.text().await.unwrap_or_default();
    assert!(text.contains("id=\"error\""), "the page says why: {text}");
}

#[tokio::test]
async fn the_bank_app_page_of_an_unknown_bill_is_an_html_404_saying_why() {
    let app = TestApp::spawn().await;
    let (status, content_type, page) = crate::pages::get_as(&app, "/homebank/qr/999999", None).await;
    assert_eq!(status, 404);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(page.contains("id=\"message\"") && page.contains("999999"), "{page}");
    let scan = app
        .http
        .post(app.url("/homebank/qr/999999/scan"))
        .send()
        .await
        .expect("scan");
    assert_eq!(scan.status().as_u16(), 404);
    let content_type = scan.headers().get("content-type").cloned();
    assert!(
        content_type
            .as_ref()
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html")),
        "{content_type:?}"
    );
}
