//! postLink / failurePostLink callbacks: bodies, retries, duplicates, the delivery log and its
//! control endpoints. A small axum server inside each test plays the merchant.

use crate::helpers::*;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use epay_sandbox::callbacks::{CallbackSettings, Delivery, DeliveryState};
use epay_sandbox::domain::money::Amount;
use epay_sandbox::domain::transaction::{Links, OrderDetails, PendingOutcome, Transaction};
use epay_sandbox::Config;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

/// Longest any test waits for a delivery; never reached when things work.
const WAIT: Duration = Duration::from_secs(20);

/// One request the merchant received.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    content_type: String,
    body: Value,
}

/// The merchant's state: what it received and how it answers.
#[derive(Clone)]
struct Merchant {
    received: Arc<Mutex<Vec<Received>>>,
    arrivals: Arc<watch::Sender<usize>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
    gate: Option<Arc<Semaphore>>,
}

/// A merchant callback receiver on 127.0.0.1.
struct Receiver {
    base: String,
    merchant: Merchant,
}

impl Receiver {
    /// A receiver answering `answers` in order, then 200.
    async fn start(answers: &[u16]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
        Self::serve(listener, answers, None)
    }

    /// A receiver that holds every request until the gate gets a permit.
    async fn gated(gate: Arc<Semaphore>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
        Self::serve(listener, &[], Some(gate))
    }

    fn serve(listener: TcpListener, answers: &[u16], gate: Option<Arc<Semaphore>>) -> Self {
        let base = format!("http://{}", listener.local_addr().expect("receiver address"));
        let merchant = Merchant {
            received: Arc::default(),
            arrivals: Arc::new(watch::channel(0).0),
            answers: Arc::new(Mutex::new(answers.iter().copied().collect())),
            gate,
        };
        let app = axum::Router::new().fallback(record).with_state(merchant.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { base, merchant }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn received(&self) -> Vec<Received> {
        self.merchant.received.lock().expect("receiver lock").clone()
    }

    /// Waits until at least `n` requests arrived.
    async fn wait_arrivals(&self, n: usize) {
        let mut arrivals = self.merchant.arrivals.subscribe();
        tokio::time::timeout(WAIT, arrivals.wait_for(|count| *count >= n))
            .await
            .expect("requests arrive in time")
            .expect("receiver alive");
    }
}

async fn record(State(merchant): State<Merchant>, uri: Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
    let received = Received {
        path: uri.path().to_string(),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    merchant.received.lock().expect("receiver lock").push(received);
    merchant.arrivals.send_modify(|count| *count += 1);
    if let Some(gate) = &merchant.gate {
        gate.acquire().await.expect("gate open").forget();
    }
    let status = merchant
        .answers
        .lock()
        .expect("receiver lock")
        .pop_front()
        .unwrap_or(200);
    StatusCode::from_u16(status).expect("status")
}

/// A sandbox whose callbacks retry fast.
async fn spawn_fast(attempts: u32) -> TestApp {
    TestApp::spawn_with(Config {
        callbacks: CallbackSettings {
            attempts,
            backoff: Duration::from_millis(20),
            timeout: Duration::from_secs(5),
            ..CallbackSettings::default()
        },
        ..Config::default()
    })
    .await
}

impl TestApp {
    /// A NEW payment on the two-step terminal with every order field and these links.
    fn payment_with_links(&self, invoice_id: &str, links: Links) -> Transaction {
        let mut new = self.payment_template(TERMINAL, invoice_id);
        new.order = OrderDetails {
            invoice_id: invoice_id.into(),
            invoice_id_alt: "8564546".into(),
            account_id: "uuid000001".into(),
            description: "Оплата в интернет магазине".into(),
            language: "rus".into(),
            name: "ARMAN ALI".into(),
            email: "jj@example.com".into(),
            phone: "77777777777".into(),
            data: r#"{"statement":{"name":"Arman Ali","invoiceID":"80000016"}}"#.into(),
            currency: "KZT".into(),
        };
        new.amount = Amount::from_minor(1222);
        new.card.holder = "ARMAN ALI".into();
        new.links = links;
        new.ip = "10.0.0.7".into();
        self.open_payment(new)
    }

    /// Waits until `count` deliveries of `invoice` are delivered.
    async fn delivered(&self, invoice: &str, count: usize) -> Vec<Delivery> {
        let of_invoice =
            |all: &[Delivery]| -> Vec<Delivery> { all.iter().filter(|d| d.invoice_id == invoice).cloned().collect() };
        let done = |all: &[Delivery]| {
            of_invoice(all)
                .iter()
                .filter(|d| d.state == DeliveryState::Delivered)
                .count()
                >= count
        };
        match self.sandbox().callbacks().wait_for(done, WAIT).await {
            Ok(all) => of_invoice(&all),
            Err(seen) => panic!("{count} deliveries of {invoice} expected; log: {seen:#?}"),
        }
    }

    pub(crate) async fn control_call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("control request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

fn links(receiver: &Receiver, failure: bool) -> Links {
    Links {
        post_link: receiver.url("/epay/post"),
        failure_post_link: if failure {
            receiver.url("/epay/fail")
        } else {
            String::new()
        },
        secret_hash: "my-secret-123".into(),
        ..Links::default()
    }
}

#[tokio::test]
async fn callbacks_success_body_has_every_field_with_its_json_type() {
    let app = spawn_fast(3).await;
    let receiver = Receiver::start(&[]).await;
    let tx = app.payment_with_links("500000001", links(&receiver, true));
    let approved = app.sandbox().approve(tx.id()).expect("approve");

    app.delivered("500000001", 1).await;
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/epay/post");
    assert_eq!(received[0].content_type, "application/json");
    let body = &received[0].body;
    let expected_strings = [
        ("id", tx.id().to_string()),
        ("invoiceId", "500000001".into()),
        ("currency", "KZT".into()),
        ("terminal", "98120001".into()),
        ("accountId", "uuid000001".into()),
        ("description", "Оплата в интернет магазине".into()),
        ("language", "RU".into()),
        ("cardMask", "440563...5096".into()),
        ("cardType", "VISA".into()),
        ("issuer", "Halyk Bank".into()),
        ("reference", tx.reference().to_string()),
        ("approvalCode", approved.approval_code().to_string()),
        ("secure", "no".into()),
        ("secureDetails", String::new()),
        ("code", "ok".into()),
        ("reason", "success".into()),
        ("name", "ARMAN ALI".into()),
        ("email", "jj@example.com".into()),
        ("phone", "77777777777".into()),
        ("ip", "10.0.0.7".into()),
        ("ipCountry", "Kazakhstan".into()),
        ("ipCity", "Almaty".into()),
        ("ipRegion", String::new()),
        ("ipDistrict", String::new()),
        ("cardId", String::new()),
        (
            "data",
            r#"{"statement":{"name":"Arman Ali","invoiceID":"80000016"}}"#.into(),
        ),
        ("secret_hash", "my-secret-123".into()),
    ];
    for (field, value) in &expected_strings {
        assert_eq!(body[field], Value::from(value.as_str()), "{field} in {body}");
    }
    assert_eq!(approved.approval_code().len(), 6);
    assert!(body["amount"].is_number() && body["amount"] == json!(12.22), "{body}");
    assert!(body["reasonCode"].is_i64() && body["reasonCode"] == json!(0), "{body}");
    assert!(body["ipLatitude"].is_f64() && body["ipLongitude"].is_f64(), "{body}");
    let date_time = body["dateTime"].as_str().expect("dateTime string");
    assert_eq!(date_time.len(), "2022-11-15 03:52:17".len(), "{date_time}");
    let fields = body.as_object().expect("object").len();
    assert_eq!(fields, expected_strings.len() + 5, "no extra fields: {body}");
}

#[tokio::test]
async fn callbacks_failure_goes_to_failure_post_link_with_the_decline() {
    let app = spawn_fast(3).await;
    let receiver = Receiver::start(&[]).await;
    let tx = app.payment_with_links("500000002", links(&receiver, true));
    app.sandbox().decline(tx.id(), 484).expect("decline");

    let deliveries = app.delivered("500000002", 1).await;
    assert_eq!(deliveries[0].kind, epay_sandbox::fidelity::CallbackKind::Failure);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/epay/fail");
    let body = &received[0].body;
    assert_eq!(body["code"], "error");
    assert_eq!(body["reasonCode"], json!(484));
    assert!(
        body["reason"].as_str().is_some_and(|r| !r.is_empty() && r != "success"),
        "{body}"
    );
    assert_eq!(body["invoiceIdAlt"], "8564546");
    assert_eq!(body["tokenRecipient"], "");
    assert_eq!(body["secret_hash"], "my-secret-123");
    assert_eq!(body["approvalCode"], "");
    assert_eq!(body["amount"], json!(12.22));
}

#[tokio::test]
async fn callbacks_failure_falls_back_to_post_link() {
    let app = spawn_fast(3).await;
    let receiver = Receiver::start(&[]).await;
    let tx = app.payment_with_links("500000003", links(&receiver, false));
    app.sandbox().decline(tx.id(), 484).expect("decline");

    app.delivered("500000003", 1).await;
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/epay/post");
    assert_eq!(received[0].body["code"], "error");
}

#[tokio::test]
async fn callbacks_without_links_send_nothing() {
    let app = spawn_fast(3).await;
    let tx = app.seed_payment(TERMINAL, "500000004", 100);
    app.sandbox().approve(tx.id()).expect("approve");
    let (status, body) = app
        .control_call(reqwest::Method::GET, "/_sandbox/deliveries?invoiceId=500000004", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["deliveries"], json!([]));
}

#[tokio::test]
async fn callbacks_retry_until_the_merchant_answers_2xx() {
    let app = spawn_fast(5).await;
    let receiver = Receiver::start(&[500, 500]).await;
    let tx = app.payment_with_links("500000005", links(&receiver, true));
    app.sandbox().approve(tx.id()).expect("approve");

    let deliveries = app.delivered("500000005", 1).await;
    assert_eq!(deliveries.len(), 1);
    let statuses: Vec<Option<u16>> = deliveries[0].attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![Some(500), Some(500), Some(200)]);
    let numbers: Vec<u32> = deliveries[0].attempts.iter().map(|a| a.number).collect();
    assert_eq!(numbers, vec![1, 2, 3]);
    assert!(deliveries[0].attempts.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(deliveries[0].next_attempt_at.is_none());
    let received = receiver.received();
    assert_eq!(received.len(), 3);
    assert!(
        received.iter().all(|r| r.body == received[0].body),
        "every attempt sends the same body"
    );
}

#[tokio::test]
async fn callbacks_give_up_after_the_last_attempt() {
    let app = spawn_fast(2).await;
    let receiver = Receiver::start(&[503, 503, 503]).await;
    let tx = app.payment_with_links("500000006", links(&receiver, true));
    app.sandbox().approve(tx.id()).expect("approve");

    let failed = |all: &[Delivery]| all.iter().any(|d| d.state == DeliveryState::Failed);
    let all = app
        .sandbox()
        .callbacks()
        .wait_for(failed, WAIT)
        .await
        .expect("gives up");
    assert_eq!(all[0].attempts.len(), 2);
    assert_eq!(receiver.received().len(), 2);
}

#[tokio::test]
async fn callbacks_reach_a_receiver_that_comes_up_within_the_retry_window() {
    let app = spawn_fast(30).await;
    let reserved = TcpListener::bind("127.0.0.1:0").await.expect("reserve a port");
    let addr = reserved.local_addr().expect("address");
    drop(reserved);
    let link = Links {
        post_link: format!("http://{addr}/epay/post"),
        ..Links::default()
    };
    let tx = app.payment_with_links("500000007", link);
    app.sandbox().approve(tx.id()).expect("approve");

    let refused = |all: &[Delivery]| all.iter().any(|d| d.attempts.iter().any(|a| a.error.is_some()));
    app.sandbox()
        .callbacks()
        .wait_for(refused, WAIT)
        .await
        .expect("a refused attempt");
    let listener = TcpListener::bind(addr).await.expect("rebind the port");
    let receiver = Receiver::serve(listener, &[], None);

    let deliveries = app.delivered("500000007", 1).await;
    let attempts = &deliveries[0].attempts;
    assert!(attempts.len() >= 2, "{attempts:?}");
    assert!(attempts[0].status.is_none() && attempts[0].error.is_some());
    assert_eq!(attempts.last().and_then(|a| a.status), Some(200));
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn callbacks_duplicate_mode_delivers_twice() {
    let app = spawn_fast(3).await;
    let receiver = Receiver::start(&[]).await;
    let (status, settings) = app
        .control_call(
            reqwest::Method::POST,
            "/_sandbox/callbacks",
            Some(json!({"duplicates": 1})),
        )
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["duplicates"], json!(1));
    let tx = app.payment_with_links("500000008", links(&receiver, true));
    app.sandbox().approve(tx.id()).expect("approve");

    let deliveries = app.delivered("500000008", 2).await;
    assert_eq!(deliveries.len(), 2);
    assert_eq!(deliveries[1].duplicate_of, Some(deliveries[0].id));
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].body, received[1].body);
}

#[tokio::test]
async fn callbacks_duplicates_from_config() {
    let app = TestApp::spawn_with(Config {
        callbacks: CallbackSettings {
            duplicates: 2,
            backoff: Duration::from_millis(20),
            ..CallbackSettings::default()
        },
        ..Config::default()
    })
    .await;
    let receiver = Receiver::start(&[]).await;
    let tx = app.payment_with_links("500000009", links(&receiver, true));
    app.sandbox().approve(tx.id()).expect("approve");
    app.delivered("500000009", 3).await;
    assert_eq!(receiver.received().len(), 3);
}

#[tokio::test]
async fn callbacks_delivery_log_endpoints_and_resend() {
    let app = spawn_fast(3).await;
    let receiver = Receiver::start(&[]).await;
    let first = app.payment_with_links("500000010", links(&receiver, true));
    let second = app.payment_with_links("500000011", links(&receiver, true));
    app.sandbox().approve(first.id()).expect("approve");
    app.sandbox().decline(second.id(), 484).expect("decline");
    app.delivered("500000010", 1).await;
    app.delivered("500000011", 1).await;

    let get = reqwest::Method::GET;
    let (status, all) = app.control_call(get.clone(), "/_sandbox/deliveries", None).await;
    assert_eq!(status, 200);
    assert_eq!(all["deliveries"].as_array().map(Vec::len), Some(2));

    let (_, by_invoice) = app
        .control_call(get.clone(), "/_sandbox/deliveries?invoiceId=500000011", None)
        .await;
    let listed = by_invoice["deliveries"].as_array().expect("list");
    assert_eq!(listed.len(), 1);
    let delivery = &listed[0];
    assert_eq!(delivery["transactionId"], json!(second.id().to_string()));
    assert_eq!(delivery["kind"], "failure");
    assert_eq!(delivery["state"], "delivered");
    assert_eq!(delivery["url"], json!(receiver.url("/epay/fail")));
    assert_eq!(delivery["body"]["reasonCode"], json!(484));
    let attempt = &delivery["attempts"][0];
    assert_eq!(attempt["number"], json!(1));
    assert_eq!(attempt["status"], json!(200));
    assert!(attempt["latencyMs"].is_u64() && attempt["at"].is_string(), "{attempt}");

    let (_, by_tx) = app
        .control_call(
            get.clone(),
            &format!("/_sandbox/deliveries?transactionId={}", first.id()),
            None,
        )
        .await;
    let listed = by_tx["deliveries"].as_array().expect("list");
    assert_eq!(listed.len(), 1);
    let id = listed[0]["id"].as_u64().expect("numeric id");

    let (status, one) = app
        .control_call(get.clone(), &format!("/_sandbox/deliveries/{id}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(one["body"]["code"], "ok");
    let (status, missing) = app.control_call(get.clone(), "/_sandbox/deliveries/999", None).await;
    assert_eq!((status, missing["code"].clone()), (404, json!(404)));
    let (status, _) = app.control_call(get.clone(), "/_sandbox/deliveries/abc", None).await;
    assert_eq!(status, 404);

    let (status, resent) = app
        .control_call(
            reqwest::Method::POST,
            &format!("/_sandbox/deliveries/{id}/resend"),
            None,
        )
        .await;
    assert_eq!(status, 202, "{resent}");
    assert_eq!(resent["resendOf"], json!(id));
    assert_eq!(resent["body"], one["body"]);
    app.delivered("500000010", 2).await;
    let to_post: Vec<Received> = receiver
        .received()
        .into_iter()
        .filter(|r| r.path == "/epay/post")
        .collect();
    assert_eq!(to_post.len(), 2);
    assert_eq!(to_post[0].body, to_post[1].body);
    let (status, _) = app
        .control_call(reqwest::Method::POST, "/_sandbox/deliveries/999/resend", None)
        .await;
    assert_eq!(status, 404);

    let (status, _) = app.control_call(reqwest::Method::POST, "/_sandbox/reset", None).await;
    assert_eq!(status, 200);
    let (_, after) = app.control_call(get, "/_sandbox/deliveries", None).await;
    assert_eq!(after["deliveries"], json!([]));
}

#[tokio::test]
async fn callbacks_settings_endpoint_reads_and_validates() {
    let app = spawn_fast(3).await;
    let (status, settings) = app
        .control_call(reqwest::Method::GET, "/_sandbox/callbacks", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        settings,
        json!({"attempts": 3, "backoffMs": 20, "maxBackoffMs": 300000, "jitterPercent": 20,
               "timeoutMs": 5000, "duplicates": 0, "logCapacity": 1000})
    );
    let (status, error) = app
        .control_call(
            reqwest::Method::POST,
            "/_sandbox/callbacks",
            Some(json!({"attempts": 0})),
        )
        .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["code"], json!(400));
    // Unknown keys and bodies that are not an object are bad input in ePay's shape (schemathesis
    // found a 422, which the document does not list).
    for body in [json!({"bogus": 1}), json!([]), json!("x")] {
        let (status, error) = app
            .control_call(reqwest::Method::POST, "/_sandbox/callbacks", Some(body.clone()))
            .await;
        assert_eq!(status, 400, "{body}: {error}");
        assert_eq!(error["code"], json!(400), "{body}: {error}");
    }
    let (_, unchanged) = app
        .control_call(reqwest::Method::GET, "/_sandbox/callbacks", None)
        .await;
    assert_eq!(unchanged["attempts"], json!(3));
}

#[tokio::test]
async fn callbacks_do_not_delay_the_api_response() {
    let app = spawn_fast(3).await;
    let gate = Arc::new(Semaphore::new(0));
    let receiver = Receiver::gated(gate.clone()).await;
    let tx = app.payment_with_links("500000012", links(&receiver, true));
    let now = app.sandbox().clock().now();
    app.defer(tx.id(), PendingOutcome::after(now, 0, None, None));
    let token = app.terminal_token(TERMINAL).await;

    // check-status settles the due outcome, which fires the callback; the merchant holds it.
    let (status, body) = app.get("/check-status/payment/transaction/500000012", &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["transaction"]["statusName"], "AUTH");
    receiver.wait_arrivals(1).await;
    let held = app.sandbox().callbacks().deliveries(&Default::default());
    assert_eq!(held.len(), 1);
    assert_eq!(
        held[0].state,
        DeliveryState::Sending,
        "the API answered while the callback is in flight"
    );

    // An engine call returns while the merchant still holds the callback, too.
    let other = app.payment_with_links("500000013", links(&receiver, true));
    app.sandbox().approve(other.id()).expect("approve returns at once");
    receiver.wait_arrivals(2).await;
    assert!(app
        .sandbox()
        .callbacks()
        .deliveries(&Default::default())
        .iter()
        .all(|d| d.state == DeliveryState::Sending));

    gate.add_permits(2);
    app.delivered("500000012", 1).await;
    app.delivered("500000013", 1).await;
}

#[tokio::test]
async fn dashboard_lists_deliveries_and_resends_from_a_form() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(&[200]).await;
    let tx = app.payment_with_links("500000099", links(&receiver, false));
    app.sandbox().approve(tx.id()).expect("approve");
    let logged = app
        .sandbox()
        .callbacks()
        .wait_for(|d| d.iter().any(|d| !d.attempts.is_empty()), Duration::from_secs(10))
        .await
        .expect("the delivery is attempted");
    let id = logged[0].id;

    let page = app.http.get(app.url("/_sandbox/")).send().await.expect("dashboard");
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("Callback deliveries"), "deliveries section missing");
    assert!(
        html.contains(&format!("/_sandbox/deliveries/{id}/resend")),
        "re-send button missing"
    );
    assert!(html.contains("500000099"));

    let response = app
        .http
        .post(app.url(&format!("/_sandbox/deliveries/{id}/resend")))
        .form(&[("redirect", "/_sandbox/")])
        .send()
        .await
        .expect("resend");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        response.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/_sandbox/")
    );
    app.sandbox()
        .callbacks()
        .wait_for(|d| d.iter().any(|d| d.resend_of == Some(id)), Duration::from_secs(10))
        .await
        .expect("the re-sent delivery is logged");
}
