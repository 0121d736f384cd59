//! `POST /invoice`, the payer's `/invoice-link/{id}` and `/_sandbox/invoices`.

use super::*;
use serde_json::json;

fn link_body(invoice_id: &str) -> Value {
    json!({
        "shop_id": "04f25a4b-d2bd-4dd8-b3a7-9390be4774c4",
        "account_id": "uuid000001",
        "invoice_id": invoice_id,
        "amount": 1500,
        "language": "rus",
        "description": "Оплата по ссылке",
        "expire_period": "1d",
        "recipient_contact": "payer@example.com",
        "recipient_contact_sms": "+77771111111",
        "currency": "KZT",
        "post_link": POST_LINK,
        "failure_post_link": FAILURE_POST_LINK,
        "back_link": "https://shop.example/ok",
        "failure_back_link": "https://shop.example/fail"
    })
}

impl TestApp {
    /// Opens a link as the payer's browser does; returns the payment page's `params`.
    async fn open_link(&self, id: &str) -> String {
        let response = self
            .http
            .get(self.url(&format!("/invoice-link/{id}")))
            .send()
            .await
            .expect("GET link");
        assert_eq!(
            response.status().as_u16(),
            303,
            "the link hands over to the payment page"
        );
        let location = response.headers()["location"].to_str().expect("ascii").to_string();
        let params = location
            .strip_prefix("/payform/?params=")
            .unwrap_or_else(|| panic!("redirect to the payment page, got {location}"));
        params.replace("%2B", "+")
    }

    /// One attempt on the payment page with a card; returns the HTTP status and body.
    async fn pay_on_page(&self, params: &str, pan: &str, expiry: &str, cvc: &str) -> (u16, String) {
        let response = self
            .http
            .post(self.url("/payform/pay"))
            .form(&[
                ("params", params),
                ("pan", pan),
                ("expiry", expiry),
                ("cvc", cvc),
                ("name", "arman ali"),
            ])
            .send()
            .await
            .expect("POST pay");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    async fn link_status(&self, id: &str) -> Value {
        let (status, body) = self
            .control_call(reqwest::Method::GET, &format!("/_sandbox/invoices/{id}"), None)
            .await;
        assert_eq!(status, 200, "link: {body}");
        body
    }
}

#[tokio::test]
async fn a_link_is_created_bare_and_under_api_and_echoes_its_fields() {
    let app = TestApp::spawn().await;
    let token = cabinet_token(&app).await;
    for (n, prefix) in PREFIXES.iter().enumerate() {
        let invoice = format!("70000000{n}");
        let (status, body) = app
            .post_json(&format!("{prefix}/invoice"), &token, &link_body(&invoice))
            .await;
        assert_eq!(status, 200, "{prefix}/invoice: {body}");
        let id = body["id"].as_str().expect("id");
        assert_eq!(body["status"], "NEW");
        assert_eq!(body["invoice_id"], invoice.as_str());
        assert_eq!(body["amount"], 1500);
        assert_eq!(body["terminal_id"], TERMINAL, "the client's first KZT payment terminal");
        assert_eq!(body["recipient_contact"], "payer@example.com");
        assert_eq!(body["invoice_url"], app.url(&format!("/invoice-link/{id}")).as_str());
        assert!(
            body["expire_date"].as_str().is_some_and(|d| d.ends_with("+06:00")),
            "{body}"
        );
    }
    let (_, listed) = app.control_call(reqwest::Method::GET, "/_sandbox/invoices", None).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    let dashboard = app.get_text("/_sandbox/").await;
    assert!(
        dashboard.contains("Invoice links") && dashboard.contains("700000001"),
        "listed on the dashboard"
    );
}

#[tokio::test]
async fn a_paid_link_is_paid_with_its_payment_and_success_callback_and_takes_no_second_payment() {
    let app = TestApp::spawn().await;
    let token = cabinet_token(&app).await;
    let (_, link) = app.post_json("/invoice", &token, &link_body("700000010")).await;
    let id = link["id"].as_str().expect("id");
    let params = app.open_link(id).await;
    let (status, page) = app.pay_on_page(&params, "4405639704015096", "01/27", "321").await;
    assert!(status == 200 || status == 303, "paid on the page: {status} {page}");

    let paid = app.link_status(id).await;
    assert_eq!(paid["status"], "PAID", "{paid}");
    assert_eq!(paid["transaction_status"], "AUTH", "two-step terminal");
    let callback = app.callback_to("700000010", POST_LINK).await;
    assert_eq!(callback.body["code"], "ok");
    assert_eq!(callback.body["amount"], 1500);
    assert_eq!(callback.body["accountId"], "uuid000001");

    let status_token = app.terminal_token(TERMINAL).await;
    let (_, check) = app
        .get("/check-status/payment/transaction/700000010", &status_token)
        .await;
    assert_eq!(
        check["transaction"]["statusName"], "AUTH",
        "an ordinary payment: {check}"
    );

    let again = app
        .http
        .get(app.url(&format!("/invoice-link/{id}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(again.status().as_u16(), 410, "a paid link is not payable again");
}

#[tokio::test]
async fn a_declined_attempt_sends_the_failure_callback_and_leaves_the_link_payable() {
    let app = TestApp::spawn().await;
    let token = cabinet_token(&app).await;
    let (_, link) = app.post_json("/invoice", &token, &link_body("700000020")).await;
    let id = link["id"].as_str().expect("id");
    let params = app.open_link(id).await;
    app.pay_on_page(&params, "4000000000004848", "12/30", "123").await;
    let callback = app.callback_to("700000020", FAILURE_POST_LINK).await;
    assert_eq!(callback.body["code"], "error");
    assert_eq!(callback.body["reasonCode"], 484);
    let after = app.link_status(id).await;
    assert_eq!(after["status"], "NEW", "{after}");

    let params = app.open_link(id).await;
    let (status, _) = app.pay_on_page(&params, "4405639704015096", "01/27", "321").await;
    assert!(status < 400, "a reopened link takes a new payment");
    assert_eq!(app.link_status(id).await["status"], "PAID");
}

#[tokio::test]
async fn invalid_links_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let token = cabinet_token(&app).await;
    let (status, _) = app.post_json("/invoice", "nope", &link_body("700000030")).await;
    assert_eq!(status, 401);
    let cases = [
        ("shop_id", json!(null), "shop_id is required"),
        ("shop_id", json!("shop-1"), "shop_id must be a UUID"),
        ("invoice_id", json!("12ab"), "digits"),
        ("amount", json!(0), "greater than 0"),
        ("amount", json!("ten"), "amount"),
        ("currency", json!("TENGE"), "currency"),
        ("expire_period", json!("forever"), "expire_period"),
        ("post_link", json!("ftp://x"), "post_link"),
    ];
    for (field, value, expected) in cases {
        let mut body = link_body("700000030");
        body[field] = value;
        let (status, answer) = app.post_json("/invoice", &token, &body).await;
        assert_eq!(status, 400, "{field}: {answer}");
        assert_eq!(answer["code"], -1);
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{field}: {message}");
    }
    let (_, listed) = app.control_call(reqwest::Method::GET, "/_sandbox/invoices", None).await;
    assert_eq!(listed, json!([]), "nothing stored from a refused request");

    let (status, _) = app.post_json("/invoice", &token, &link_body("700000031")).await;
    assert_eq!(status, 200);
    let (status, answer) = app.post_json("/invoice", &token, &link_body("700000031")).await;
    assert_eq!(status, 400, "a second link for the invoice: {answer}");
}

#[tokio::test]
async fn unknown_cancelled_and_expired_links_are_not_payable() {
    let app = TestApp::spawn().await;
    let token = cabinet_token(&app).await;
    let unknown = uuid::Uuid::new_v4();
    let (status, _) = app
        .control_call(reqwest::Method::GET, &format!("/_sandbox/invoices/{unknown}"), None)
        .await;
    assert_eq!(status, 404);
    let page = app
        .http
        .get(app.url("/invoice-link/not-a-link"))
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status().as_u16(), 404);

    let (_, link) = app.post_json("/invoice", &token, &link_body("700000040")).await;
    let id = link["id"].as_str().expect("id");
    let cancel = format!("/_sandbox/invoices/{id}/cancel");
    let (status, cancelled) = app.control_call(reqwest::Method::POST, &cancel, None).await;
    assert_eq!((status, cancelled["status"].as_str()), (200, Some("CANCELLED")));
    let (status, _) = app.control_call(reqwest::Method::POST, &cancel, None).await;
    assert_eq!(status, 409, "cancelling twice");
    let page = app
        .http
        .get(app.url(&format!("/invoice-link/{id}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status().as_u16(), 410);

    let mut short = link_body("700000041");
    short["expire_period"] = json!("1h");
    let (_, link) = app.post_json("/invoice", &token, &short).await;
    let id = link["id"].as_str().expect("id");
    app.advance("59m").await;
    assert_eq!(app.link_status(id).await["status"], "NEW");
    app.advance("2m").await;
    assert_eq!(app.link_status(id).await["status"], "EXPIRED");
    assert!(
        app.callbacks_of("700000041").is_empty(),
        "an expired link sends no callback"
    );
}
