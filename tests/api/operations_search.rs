//! `POST /operations` and `POST /p2p/operations`: paged searches with a password-grant token.

use crate::helpers::*;
use crate::transfers::{send, transfer_body};
use serde_json::{json, Value};

/// A password-grant token of the documented cabinet user.
pub(crate) async fn cabinet_token(app: &TestApp) -> String {
    let (status, body) = app
        .token_request(&[
            ("grant_type", "password"),
            (
                "scope",
                "webapi usermanagement email_send verification statement statistics payment",
            ),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("username", "epay@halykbank.kz"),
            ("password", "XZG1E@Mm"),
        ])
        .await;
    assert_eq!(status, 200, "token: {body}");
    body["access_token"].as_str().expect("access_token").to_string()
}

fn period(name: &str) -> Value {
    json!({"name": name, "method": "between", "searchParameter": ["2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z"]})
}

fn search(page: i64, size: i64, filters: Value, order: Value) -> Value {
    let mut params = vec![period("created_date")];
    if let Value::Array(more) = filters {
        params.extend(more);
    }
    json!({"paging": {"page": page, "size": size}, "searchParameters": params, "orderParameters": order})
}

fn invoices(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["invoiceID"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn seed(app: &TestApp) {
    app.seed_payment(TERMINAL, "000000101", 100);
    app.seed_payment(TERMINAL, "000000102", 200);
    app.seed_payment(ONE_STEP_TERMINAL, "000000103", 300);
}

#[tokio::test]
async fn filters_order_and_pages_payments() {
    let app = TestApp::spawn().await;
    seed(&app);
    let token = cabinet_token(&app).await;
    let post = |body: Value| {
        let (app, token) = (&app, token.clone());
        async move { app.post_json("/operations", &token, &body).await }
    };

    let (status, body) = post(search(
        0,
        10,
        json!([]),
        json!([{"field": "amount", "typeOrder": "ASC"}]),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 3);
    assert_eq!(body["page"], 0);
    assert_eq!(body["size"], 10);
    assert_eq!(invoices(&body), ["000000101", "000000102", "000000103"]);
    assert_eq!(body["data"][0]["statusName"], "NEW");

    let (_, body) = post(search(
        1,
        1,
        json!([]),
        json!([{"field": "amount", "typeOrder": "DESC"}]),
    ))
    .await;
    assert_eq!(body["total"], 3);
    assert_eq!(invoices(&body), ["000000102"]);

    let filtered = |filters: Value| {
        post(search(
            0,
            10,
            filters,
            json!([{"field": "invoice_id", "typeOrder": "ASC"}]),
        ))
    };
    let (_, body) = filtered(json!([{"name": "invoice_id", "method": "=", "searchParameter": ["000000102"]}])).await;
    assert_eq!(invoices(&body), ["000000102"]);
    let (_, body) = filtered(json!([{"name": "amount", "method": ">=", "searchParameter": [200]}])).await;
    assert_eq!(invoices(&body), ["000000102", "000000103"]);
    let (_, body) = filtered(json!([{"name": "shop_id", "method": "in", "searchParameter": [TERMINAL]}])).await;
    assert_eq!(invoices(&body), ["000000101", "000000102"]);
    let (_, body) = filtered(json!([{"name": "card_mask", "method": "like", "searchParameter": ["4405%"]}])).await;
    assert_eq!(body["total"], 3);
    let (_, body) = filtered(json!([{"name": "status", "method": "in", "searchParameter": ["CHARGE", "AUTH"]}])).await;
    assert_eq!(body["total"], 0);
    let (_, body) = filtered(json!([{"name": "reference", "method": "like", "searchParameter": ["%"]}])).await;
    assert_eq!(body["total"], 3);
    let (_, body) = filtered(json!([{"name": "created_date", "method": "<", "searchParameter": ["2001-01-01"]}])).await;
    assert_eq!(body["total"], 0);
}

#[tokio::test]
async fn bad_parameters_are_refused() {
    let app = TestApp::spawn().await;
    let token = cabinet_token(&app).await;
    let bad = [
        json!({"paging": {"page": 0, "size": 10}, "searchParameters": []}),
        search(
            0,
            10,
            json!([{"name": "amount", "method": "between", "searchParameter": [1]}]),
            json!([]),
        ),
        search(
            0,
            10,
            json!([{"name": "reference", "method": "like", "searchParameter": ["12"]}]),
            json!([]),
        ),
        search(
            0,
            10,
            json!([{"name": "reference", "method": "in", "searchParameter": []}]),
            json!([]),
        ),
        search(
            0,
            10,
            json!([{"name": "colour", "method": "=", "searchParameter": ["red"]}]),
            json!([]),
        ),
        search(
            0,
            10,
            json!([{"name": "amount", "method": "!=", "searchParameter": ["1"]}]),
            json!([]),
        ),
        search(0, 10, json!([]), json!([{"field": "amount", "typeOrder": "SIDEWAYS"}])),
        search(-1, 10, json!([]), json!([])),
        search(0, 0, json!([]), json!([])),
        json!([1, 2, 3]),
    ];
    for body in bad {
        let (status, reply) = app.post_json("/operations", &token, &body).await;
        assert_eq!(status, 400, "{body} → {reply}");
        assert_eq!(reply["code"], -1);
        assert!(!reply["message"].as_str().unwrap_or_default().is_empty());
    }
}

#[tokio::test]
async fn a_password_token_is_required() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    let (status, body) = app
        .post_json("/operations", &token, &search(0, 10, json!([]), json!([])))
        .await;
    assert_eq!(status, 401, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("password"));
    let (status, _) = app
        .post_json("/p2p/operations", "unknown", &search(0, 10, json!([]), json!([])))
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn p2p_operations_list_transfers_only() {
    let app = TestApp::spawn().await;
    seed(&app);
    let sender = json!({"transferType": "TYPEPAN", "cvc": "815", "expire": {"month": "01", "year": "25"},
                        "cardCred": "4405639704015096"});
    let receiver = json!({"transferType": "TYPEPAN", "cardCred": "5522042705066736"});
    let p2p = transfer_body(
        "130000000001",
        json!(100),
        P2P_TERMINAL,
        sender.clone(),
        receiver.clone(),
    );
    assert_eq!(send(&app, "/p2p/transfer", P2P_TERMINAL, &p2p).await.0, 200);
    let aft = transfer_body("130000000002", json!(500), P2P_TERMINAL, sender, json!(null));
    assert_eq!(send(&app, "/chdebit/transfer", P2P_TERMINAL, &aft).await.0, 200);

    let token = cabinet_token(&app).await;
    let mut body = search(0, 10, json!([]), json!([{"field": "created_at", "typeOrder": "ASC"}]));
    body["searchParameters"][0]["name"] = json!("created_at");
    let (status, reply) = app.post_json("/api/p2p/operations", &token, &body).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["total"], 2);
    assert_eq!(invoices(&reply), ["130000000001", "130000000002"]);
    assert_eq!(reply["data"][0]["receiverCardPAN"], "552204...6736");

    if let Some(params) = body["searchParameters"].as_array_mut() {
        params.push(json!({"name": "transaction_type", "method": "=", "searchParameter": ["AFT"]}));
    }
    let (_, reply) = app.post_json("/p2p/operations", &token, &body).await;
    assert_eq!(invoices(&reply), ["130000000002"]);

    let mut masks = search(0, 10, json!([]), json!([]));
    masks["searchParameters"][0]["name"] = json!("created_at");
    if let Some(params) = masks["searchParameters"].as_array_mut() {
        params.push(json!({"name": "card_mask", "method": "like", "searchParameter": ["552204%"]}));
    }
    let (_, reply) = app.post_json("/p2p/operations", &token, &masks).await;
    assert_eq!(invoices(&reply), ["130000000001"]);

    let (_, reply) = app
        .post_json("/operations", &token, &search(0, 10, json!([]), json!([])))
        .await;
    assert_eq!(reply["total"], 3, "payments only: {reply}");
}
