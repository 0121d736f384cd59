//! The control plane under `/_sandbox/`: clock, seed, resets, inspection, scenario rules,
//! faults, state files, run-time merchants, the dashboard and the OpenAPI document.

use crate::helpers::{TestApp, CLIENT_ID, ONE_STEP_TERMINAL, TERMINAL};
use epay_sandbox::domain::outcome::AttemptContext;
use epay_sandbox::domain::outcome::Outcome;
use epay_sandbox::domain::scenario::{ForcedOutcome, RuleMatch};
use epay_sandbox::Config;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

impl TestApp {
    /// Sends a control-plane request with an optional JSON body; returns status and JSON body.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn control(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::DELETE, path, None).await
    }

    /// Opens a payment through `POST /_sandbox/transactions`.
    async fn create_tx(&self, body: Value) -> Value {
        let (status, tx) = self.post("/_sandbox/transactions", body).await;
        assert_eq!(status, 201, "create: {tx}");
        tx
    }

    async fn control_status_of(&self, id: &str) -> String {
        let (status, tx) = self.control(&format!("/_sandbox/transactions/{id}")).await;
        assert_eq!(status, 200, "{tx}");
        tx["status"].as_str().unwrap_or_default().to_string()
    }
}

fn assert_api_error(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["code"], json!(expected), "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

// ---- clock --------------------------------------------------------------------------------

#[tokio::test]
async fn clock_freezes_advances_in_both_formats_and_sets() {
    let app = TestApp::spawn().await;
    let (s, frozen) = app
        .post("/_sandbox/clock/freeze", json!({"at": "2030-01-01T00:00:00Z"}))
        .await;
    assert_eq!(s, 200, "{frozen}");
    assert_eq!(frozen["frozen"], true);
    assert_eq!(frozen["now"], "2030-01-01T00:00:00+00:00");
    let (_, c) = app.post("/_sandbox/clock/advance", json!({"duration": "PT1H"})).await;
    assert_eq!(c["now"], "2030-01-01T01:00:00+00:00");
    let (_, c) = app
        .post("/_sandbox/clock/advance", json!({"duration": "90s", "seconds": 30}))
        .await;
    assert_eq!(c["now"], "2030-01-01T01:02:00+00:00");
    let (_, c) = app.post("/_sandbox/clock/advance", json!({"duration": "7d"})).await;
    assert_eq!(c["now"], "2030-01-08T01:02:00+00:00");
    let (_, c) = app
        .post("/_sandbox/clock/set", json!({"at": "2031-06-01T12:00:00+06:00"}))
        .await;
    assert_eq!(c["now"], "2031-06-01T06:00:00+00:00");
    assert_eq!(c["bankTime"], "2031-06-01T12:00:00.000000+06:00");
    let (_, c) = app.control("/_sandbox/clock").await;
    assert_eq!(c["frozen"], true);
    let (_, c) = app.post("/_sandbox/clock/unfreeze", json!({})).await;
    assert_eq!(c["frozen"], false);
    assert!(
        c["now"].as_str().is_some_and(|n| n.starts_with("2031-06-01T06:0")),
        "{c}"
    );
}

#[tokio::test]
async fn clock_refuses_nonsense_with_clear_messages() {
    let app = TestApp::spawn().await;
    for (path, body) in [
        ("/_sandbox/clock/advance", json!({})),
        ("/_sandbox/clock/advance", json!({"duration": "soon"})),
        ("/_sandbox/clock/advance", json!({"seconds": "ten"})),
        ("/_sandbox/clock/advance", json!({"seconds": i64::MAX})),
        ("/_sandbox/clock/set", json!({})),
        ("/_sandbox/clock/set", json!({"at": "yesterday"})),
        ("/_sandbox/clock/freeze", json!({"at": "99999-01-01T00:00:00Z"})),
    ] {
        let (s, b) = app.post(path, body.clone()).await;
        assert_api_error(s, &b, 400);
    }
    app.post("/_sandbox/clock/set", json!({"at": "8999-01-01T00:00:00Z"}))
        .await;
    let (s, b) = app
        .post("/_sandbox/clock/advance", json!({"duration": "P36500D"}))
        .await;
    assert_api_error(s, &b, 400);
}

#[tokio::test]
async fn advancing_the_clock_expires_tokens_and_auth_holds() {
    let app = TestApp::spawn().await;
    app.post("/_sandbox/clock/freeze", json!({})).await;
    let token = app.terminal_token(TERMINAL).await;
    let tx = app
        .create_tx(json!({"terminal": TERMINAL, "invoiceId": "700001", "amount": 500}))
        .await;
    assert_eq!(tx["status"], "AUTH");
    let (s, _) = app.get("/check-status/payment/transaction/700001", &token).await;
    assert_eq!(s, 200);
    app.post("/_sandbox/clock/advance", json!({"duration": "PT2H"})).await;
    let (s, body) = app.get("/check-status/payment/transaction/700001", &token).await;
    assert_eq!(s, 401, "{body}");
    let id = tx["id"].as_str().unwrap_or_default();
    assert_eq!(app.control_status_of(id).await, "AUTH");
    app.post("/_sandbox/clock/advance", json!({"duration": "P7D"})).await;
    assert_eq!(app.control_status_of(id).await, "CANCEL_OLD");
}

// ---- seed and reset -----------------------------------------------------------------------

#[tokio::test]
async fn seed_restarts_the_id_sequence_and_reset_replays_it() {
    let app = TestApp::spawn().await;
    let (s, b) = app.post("/_sandbox/seed", json!({"seed": 42})).await;
    assert_eq!((s, b["seed"].clone()), (200, json!(42)));
    let first = app.terminal_token(TERMINAL).await;
    app.post("/_sandbox/seed", json!({"seed": 42})).await;
    assert_eq!(app.terminal_token(TERMINAL).await, first);
    app.post("/_sandbox/reset", json!({})).await;
    assert_eq!(
        app.terminal_token(TERMINAL).await,
        first,
        "reset restarts the seed in force"
    );
    app.post("/_sandbox/seed", json!({"seed": 43})).await;
    assert_ne!(app.terminal_token(TERMINAL).await, first);
    let (s, b) = app.post("/_sandbox/seed", json!({"seed": -1})).await;
    assert_api_error(s, &b, 400);
    let (s, b) = app.post("/_sandbox/seed", json!({})).await;
    assert_api_error(s, &b, 400);
}

#[tokio::test]
async fn full_reset_drops_everything_added_at_run_time() {
    let app = TestApp::spawn().await;
    app.create_tx(json!({"terminal": TERMINAL, "invoiceId": "700010", "amount": 100}))
        .await;
    app.post("/_sandbox/merchants", json!({"clientId": "temp"})).await;
    app.post("/_sandbox/scenarios", json!({"outcome": {"kind": "approve"}}))
        .await;
    app.post(
        "/_sandbox/faults",
        json!({"pathPrefix": "/x", "fault": {"kind": "reset"}}),
    )
    .await;
    let (s, _) = app.post("/_sandbox/reset", json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(app.control("/_sandbox/transactions").await.1["count"], 0);
    assert_eq!(app.control("/_sandbox/scenarios").await.1["count"], 0);
    assert_eq!(app.control("/_sandbox/faults").await.1["count"], 0);
    let merchants = app.control("/_sandbox/merchants").await.1;
    assert!(!merchants.to_string().contains("\"temp\""));
}

#[tokio::test]
async fn partial_reset_touches_only_one_merchant_or_terminal() {
    let app = TestApp::spawn().await;
    let (s, m) = app
        .post("/_sandbox/merchants", json!({"clientId": "ci-job-1", "clientSecret": "s3cret", "terminals": [{"id": "11111111-2222-3333-4444-555555555555"}]}))
        .await;
    assert_eq!(s, 201, "{m}");
    let ci_terminal = "11111111-2222-3333-4444-555555555555";
    app.create_tx(json!({"terminal": ci_terminal, "invoiceId": "700020", "amount": 100}))
        .await;
    app.create_tx(json!({"terminal": TERMINAL, "invoiceId": "700021", "amount": 100}))
        .await;
    app.create_tx(json!({"terminal": ONE_STEP_TERMINAL, "invoiceId": "700022", "amount": 100}))
        .await;
    let (s, t) = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", "payment"),
            ("client_id", "ci-job-1"),
            ("client_secret", "s3cret"),
            ("terminal", ci_terminal),
        ])
        .await;
    assert_eq!(s, 200, "{t}");
    app.terminal_token(TERMINAL).await;

    let (s, r) = app.post("/_sandbox/reset?clientId=ci-job-1", json!({})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["removed"]["transactions"], 1);
    assert_eq!(r["removed"]["tokens"], 1);
    assert_eq!(
        app.control("/_sandbox/transactions?clientId=ci-job-1").await.1["count"],
        0
    );
    assert_eq!(app.control("/_sandbox/transactions").await.1["count"], 2);
    assert_eq!(app.control("/_sandbox/tokens?clientId=test").await.1["count"], 1);

    let (_, r) = app
        .post("/_sandbox/reset", json!({"terminal": ONE_STEP_TERMINAL}))
        .await;
    assert_eq!(r["removed"]["transactions"], 1);
    let left = app.control("/_sandbox/transactions").await.1;
    assert_eq!(left["transactions"][0]["invoiceId"], "700021");
    let (s, b) = app.post("/_sandbox/reset?clientId=nobody", json!({})).await;
    assert_api_error(s, &b, 404);
    let (s, b) = app.post("/_sandbox/reset?clientId=ci-job-1", json!({})).await;
    assert_api_error(s, &b, 404);
}

#[tokio::test]
async fn run_time_merchants_can_be_deleted_and_expire_when_idle() {
    let app = TestApp::spawn_with(Config {
        merchant_idle: chrono::Duration::hours(1),
        ..Config::default()
    })
    .await;
    app.post("/_sandbox/clock/freeze", json!({})).await;
    let create = |id: &str| json!({"clientId": id, "clientSecret": "s3cret"});
    for id in ["ci-delete", "ci-idle", "ci-busy"] {
        let (s, m) = app.post("/_sandbox/merchants", create(id)).await;
        assert_eq!(s, 201, "{m}");
    }
    let terminal_of = |merchants: &Value, id: &str| {
        merchants["merchants"]
            .as_array()
            .and_then(|all| all.iter().find(|m| m["clientId"] == id))
            .map(|m| m["terminals"][0]["id"].as_str().unwrap_or_default().to_string())
    };
    let listed = app.control("/_sandbox/merchants").await.1;
    let Some(delete_terminal) = terminal_of(&listed, "ci-delete") else {
        panic!("ci-delete listed: {listed}");
    };
    app.create_tx(json!({"terminal": delete_terminal, "invoiceId": "700140", "amount": 10}))
        .await;

    let (s, r) = app.delete("/_sandbox/merchants/ci-delete").await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["removed"]["transactions"], 1);
    let (s, b) = app.delete("/_sandbox/merchants/ci-delete").await;
    assert_api_error(s, &b, 404);
    let (s, b) = app.delete("/_sandbox/merchants/test").await;
    assert_api_error(s, &b, 409);

    app.post("/_sandbox/clock/advance", json!({"duration": "40m"})).await;
    let busy_token = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", "payment"),
            ("client_id", "ci-busy"),
            ("client_secret", "s3cret"),
        ])
        .await;
    assert_eq!(busy_token.0, 200, "{}", busy_token.1);
    app.post("/_sandbox/clock/advance", json!({"duration": "30m"})).await;
    let listed = app.control("/_sandbox/merchants").await.1;
    assert!(terminal_of(&listed, "ci-idle").is_none(), "idle for 70 min: gone");
    assert!(terminal_of(&listed, "ci-busy").is_some(), "used 30 min ago: kept");
    assert!(terminal_of(&listed, "test").is_some(), "fixture merchants never expire");
    app.post("/_sandbox/clock/advance", json!({"duration": "31m"})).await;
    let listed = app.control("/_sandbox/merchants").await.1;
    assert!(
        terminal_of(&listed, "ci-busy").is_none(),
        "idle for 61 min since its token: gone"
    );
}

#[tokio::test]
async fn oversized_fields_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let before = app.control("/_sandbox/health").await.1["records"].clone();
    let huge = "1".repeat(200_000);
    let (s, b) = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", "payment"),
            ("client_id", "test"),
            ("client_secret", "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG"),
            ("invoiceID", &huge),
        ])
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(b.to_string().contains("at most 64"), "{b}");
    let token = app.terminal_token(TERMINAL).await;
    let body = json!({"amount": 10, "currency": "KZT", "invoiceId": "700150", "name": "x".repeat(5000),
        "cryptogram": "x", "description": "d"});
    let (s, b) = app.post_json("/payment/cryptopay", &token, &body).await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = app
        .post(
            "/_sandbox/transactions",
            json!({"terminal": TERMINAL, "invoiceId": huge, "amount": 1}),
        )
        .await;
    assert_api_error(s, &b, 400);
    let after = app.control("/_sandbox/health").await.1["records"].clone();
    assert_eq!(after["transactions"], before["transactions"]);
    assert_eq!(
        after["tokens"].as_u64(),
        before["tokens"].as_u64().map(|n| n + 1),
        "only the terminal token was stored"
    );
}

// ---- inspection ---------------------------------------------------------------------------

#[tokio::test]
async fn transactions_are_listed_newest_first_with_filters_and_history() {
    let app = TestApp::spawn().await;
    app.post("/_sandbox/clock/freeze", json!({"at": "2030-01-01T00:00:00Z"}))
        .await;
    for (i, (terminal, account)) in [(TERMINAL, "a1"), (ONE_STEP_TERMINAL, "a2"), (TERMINAL, "a2")]
        .iter()
        .enumerate()
    {
        app.create_tx(
            json!({"terminal": terminal, "invoiceId": format!("70003{i}"), "amount": 100, "accountId": account}),
        )
        .await;
        app.post("/_sandbox/clock/advance", json!({"seconds": 1})).await;
    }
    let all = app.control("/_sandbox/transactions").await.1;
    let invoices: Vec<&str> = all["transactions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["invoiceId"].as_str())
        .collect();
    assert_eq!(invoices, ["700032", "700031", "700030"]);
    let q = |p: &str| format!("/_sandbox/transactions?{p}");
    assert_eq!(app.control(&q("accountId=a2")).await.1["count"], 2);
    assert_eq!(
        app.control(&q("status=CHARGE")).await.1["transactions"][0]["invoiceId"],
        "700031"
    );
    assert_eq!(
        app.control(&q(&format!("terminal={}", TERMINAL.to_uppercase())))
            .await
            .1["count"],
        2
    );
    assert_eq!(app.control(&q("invoiceId=700030&clientId=test")).await.1["count"], 1);
    assert_eq!(app.control(&q("limit=1")).await.1["count"], 1);
    let (s, b) = app.control(&q("status=PAID")).await;
    assert_api_error(s, &b, 400);
    let (s, b) = app.control(&q("limit=-3")).await;
    assert_api_error(s, &b, 400);

    let id = all["transactions"][0]["id"].as_str().unwrap_or_default().to_string();
    let (_, tx) = app.control(&format!("/_sandbox/transactions/{id}")).await;
    assert_eq!(tx["history"][0]["event"], "authorize_hold");
    assert_eq!(tx["history"][0]["to"], "AUTH");
    let (s, b) = app.control("/_sandbox/transactions/not-a-uuid").await;
    assert_api_error(s, &b, 400);
    let (s, b) = app
        .control(&format!("/_sandbox/transactions/{}", uuid::Uuid::nil()))
        .await;
    assert_api_error(s, &b, 404);
}

#[tokio::test]
async fn control_operations_charge_refund_and_refuse_illegal_moves() {
    let app = TestApp::spawn().await;
    let tx = app
        .create_tx(json!({"terminal": TERMINAL, "invoiceId": "700040", "amount": 1000}))
        .await;
    let id = tx["id"].as_str().unwrap_or_default();
    let (s, b) = app
        .post(&format!("/_sandbox/transactions/{id}/charge"), json!({"amount": "800"}))
        .await;
    assert_eq!(
        (s, b["status"].clone(), b["charged"].clone()),
        (200, json!("CHARGE"), json!(800)),
        "{b}"
    );
    let (s, b) = app
        .post(&format!("/_sandbox/transactions/{id}/cancel"), json!({}))
        .await;
    assert_api_error(s, &b, 409);
    let response = app
        .http
        .post(app.url(&format!("/_sandbox/transactions/{id}/refund")))
        .form(&[("amount", "300"), ("redirect", "/_sandbox/")])
        .send()
        .await
        .expect("form post");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/_sandbox/");
    let (_, after) = app.control(&format!("/_sandbox/transactions/{id}")).await;
    assert_eq!(
        (after["status"].clone(), after["refunded"].clone()),
        (json!("REFUND"), json!(300))
    );
    let odd = app
        .http
        .post(app.url("/_sandbox/clock/freeze"))
        .form(&[("redirect", "/_sandbox/\r\nx: y"), ("at", "2030-01-01T00:00:00Z")])
        .send()
        .await
        .expect("form post");
    assert_eq!(odd.status().as_u16(), 200, "an unusable redirect falls back to JSON");
    let (s, b) = app
        .post(&format!("/_sandbox/transactions/{id}/explode"), json!({}))
        .await;
    assert_api_error(s, &b, 404);
    let (s, b) = app
        .post(&format!("/_sandbox/transactions/{id}/refund"), json!({"amount": "abc"}))
        .await;
    assert_api_error(s, &b, 400);
}

#[tokio::test]
async fn tokens_show_what_they_are_bound_to() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    let (s, list) = app.control(&format!("/_sandbox/tokens?terminal={TERMINAL}")).await;
    assert_eq!(s, 200);
    assert_eq!(list["count"], 1);
    let t = &list["tokens"][0];
    assert_eq!(t["accessToken"], token.as_str());
    assert_eq!(t["clientId"], CLIENT_ID);
    assert_eq!(t["terminal"], TERMINAL);
    assert_eq!(t["live"], true);
}

#[tokio::test]
async fn journal_keeps_the_last_requests_without_queries_or_control_calls() {
    let app = TestApp::spawn_with(Config {
        journal_capacity: 2,
        ..Config::default()
    })
    .await;
    let token = app.terminal_token(TERMINAL).await;
    app.get("/check-status/payment/transaction/123456?secret=x", &token)
        .await;
    app.get("/api/operation/123456", &token).await;
    app.control("/_sandbox/health").await;
    let (s, j) = app.control("/_sandbox/journal").await;
    assert_eq!(s, 200);
    assert_eq!(j["capacity"], 2);
    let entries = j["entries"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 2, "{j}");
    assert_eq!(entries[0]["path"], "/api/operation/123456");
    assert_eq!(entries[0]["method"], "GET");
    assert_eq!(entries[0]["status"], 400);
    assert_eq!(entries[1]["path"], "/check-status/payment/transaction/123456");
    assert!(entries[1]["latencyMs"].as_f64().is_some());
    assert_eq!(entries[0]["seq"], 3);
    assert!(!j.to_string().contains("secret"));
}

// ---- scenario rules -----------------------------------------------------------------------

#[tokio::test]
async fn fail_n_times_then_succeed() {
    let app = TestApp::spawn().await;
    let (s, rule) = app
        .post(
            "/_sandbox/scenarios",
            json!({"match": {"accountId": "buyer-7"}, "outcome": {"kind": "decline", "code": 484}, "times": 2}),
        )
        .await;
    assert_eq!(s, 201, "{rule}");
    assert_eq!(rule["timesLeft"], 2);
    let mut statuses = Vec::new();
    for i in 0..3 {
        let tx = app
            .create_tx(json!({"terminal": ONE_STEP_TERMINAL, "invoiceId": format!("70005{i}"), "amount": 100, "accountId": "buyer-7"}))
            .await;
        statuses.push((
            tx["status"].as_str().unwrap_or_default().to_string(),
            tx["reasonCode"].clone(),
        ));
    }
    assert_eq!(
        statuses,
        [
            ("REJECT".into(), json!(484)),
            ("REJECT".into(), json!(484)),
            ("CHARGE".into(), json!(0))
        ]
    );
    assert_eq!(app.control("/_sandbox/scenarios").await.1["count"], 0);
}

#[tokio::test]
async fn rules_match_only_their_attempts_and_can_be_deleted() {
    let app = TestApp::spawn().await;
    let (_, r1) = app
        .post(
            "/_sandbox/scenarios",
            json!({"match": {"pan": "4003 0321 0401 3101"}, "outcome": {"kind": "fail", "code": 487}}),
        )
        .await;
    let (_, r2) = app
        .post("/_sandbox/scenarios", json!({"match": {"invoiceId": "700061", "terminal": TERMINAL}, "outcome": {"kind": "challenge", "then": {"kind": "decline", "code": 484}}}))
        .await;
    let other = app
        .create_tx(json!({"terminal": TERMINAL, "invoiceId": "700060", "amount": 10}))
        .await;
    assert_eq!(other["status"], "AUTH");
    let challenged = app
        .create_tx(json!({"terminal": TERMINAL, "invoiceId": "700061", "amount": 10}))
        .await;
    assert_eq!(
        (challenged["status"].clone(), challenged["secure"].clone()),
        (json!("REJECT"), json!(true))
    );
    let list = app.control("/_sandbox/scenarios").await.1;
    assert_eq!(list["count"], 1);
    assert_eq!(list["scenarios"][0]["id"], r1["id"]);
    let (s, _) = app
        .delete(&format!(
            "/_sandbox/scenarios/{}",
            r1["id"].as_str().unwrap_or_default()
        ))
        .await;
    assert_eq!(s, 200);
    let (s, b) = app
        .delete(&format!(
            "/_sandbox/scenarios/{}",
            r2["id"].as_str().unwrap_or_default()
        ))
        .await;
    assert_api_error(s, &b, 404);
    app.post(
        "/_sandbox/scenarios",
        json!({"outcome": {"kind": "approve"}, "times": 5}),
    )
    .await;
    let (_, cleared) = app.delete("/_sandbox/scenarios").await;
    assert_eq!(cleared["deleted"], 1);
}

#[tokio::test]
async fn bad_rules_are_refused_with_reasons() {
    let app = TestApp::spawn().await;
    for body in [
        json!({"outcome": {"kind": "decline", "code": 1}}),
        json!({"outcome": {"kind": "explode"}}),
        json!({"outcome": {"kind": "pending"}}),
        json!({"outcome": {"kind": "pending", "settleAfterSeconds": -5}}),
        json!({"outcome": {"kind": "approve"}, "times": 0}),
        json!({"outcome": {"kind": "approve"}, "match": {"cardNumber": "1"}}),
        json!({"match": {"invoiceId": "1"}}),
        json!([1, 2]),
    ] {
        let (s, b) = app.post("/_sandbox/scenarios", body.clone()).await;
        assert_api_error(s, &b, 400);
    }
    assert_eq!(app.control("/_sandbox/scenarios").await.1["count"], 0);
}

#[tokio::test]
async fn pending_settles_after_k_status_polls() {
    let app = TestApp::spawn().await;
    app.post(
        "/_sandbox/scenarios",
        json!({"match": {"invoiceId": "700070"}, "outcome": {"kind": "pending", "settleAfterPolls": 2}}),
    )
    .await;
    let tx = app
        .create_tx(json!({"terminal": TERMINAL, "invoiceId": "700070", "amount": 10}))
        .await;
    assert_eq!(tx["status"], "NEW");
    let token = app.terminal_token(TERMINAL).await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        let (_, b) = app.get("/check-status/payment/transaction/700070", &token).await;
        codes.push(b["resultCode"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(codes, ["107", "107", "100"]);
    let (_, b) = app.get("/check-status/payment/transaction/700070", &token).await;
    assert_eq!(b["transaction"]["statusName"], "AUTH");
}

#[tokio::test]
async fn pending_settles_after_sandbox_seconds() {
    let app = TestApp::spawn().await;
    app.post("/_sandbox/clock/freeze", json!({})).await;
    app.post("/_sandbox/scenarios", json!({"match": {"clientId": "test"}, "outcome": {"kind": "pending", "settleAfterSeconds": 60, "thenDecline": 484}}))
        .await;
    app.create_tx(json!({"terminal": TERMINAL, "invoiceId": "700080", "amount": 10}))
        .await;
    let token = app.terminal_token(TERMINAL).await;
    let (_, b) = app.get("/check-status/payment/transaction/700080", &token).await;
    assert_eq!(b["resultCode"], "107");
    app.post("/_sandbox/clock/advance", json!({"seconds": 59})).await;
    assert_eq!(
        app.get("/check-status/payment/transaction/700080", &token).await.1["resultCode"],
        "107"
    );
    app.post("/_sandbox/clock/advance", json!({"seconds": 1})).await;
    let (_, b) = app.get("/check-status/payment/transaction/700080", &token).await;
    assert_eq!(
        (b["resultCode"].clone(), b["transaction"]["statusName"].clone()),
        (json!("100"), json!("REJECT"))
    );
    assert_eq!(b["transaction"]["reasonCode"], "484");
}

#[tokio::test]
async fn forced_outcome_is_the_hook_the_payment_engine_calls() {
    let app = TestApp::spawn().await;
    let server = &app.server;
    let matcher = RuleMatch {
        pan: Some("4405639704015096".into()),
        ..Default::default()
    };
    server
        .add_scenario(matcher, ForcedOutcome::Fail { code: 487 }, 1)
        .expect("rule");
    let attempt = AttemptContext {
        client_id: CLIENT_ID.into(),
        terminal_id: TERMINAL.into(),
        invoice_id: "1".into(),
        pan: "4405639704015096".into(),
        ..Default::default()
    };
    let other = AttemptContext {
        pan: "4003032104013101".into(),
        ..attempt.clone()
    };
    assert_eq!(app.sandbox().forced_outcome(&other), None);
    assert_eq!(
        app.sandbox().forced_outcome(&attempt),
        Some(Outcome::Fail { code: 487 })
    );
    assert_eq!(app.sandbox().forced_outcome(&attempt), None);
}

// ---- faults -------------------------------------------------------------------------------

#[tokio::test]
async fn status_faults_hit_their_prefix_only_and_run_out() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    let (s, rule) = app
        .post("/_sandbox/faults", json!({"pathPrefix": "/check-status", "fault": {"kind": "status", "status": 503, "body": {"code": 503, "message": "maintenance"}}, "times": 1}))
        .await;
    assert_eq!(s, 201, "{rule}");
    app.post(
        "/_sandbox/faults",
        json!({"pathPrefix": "/", "fault": {"kind": "status", "status": 500}, "probability": 0.0}),
    )
    .await;
    let (s, b) = app.get("/check-status/payment/transaction/123456", &token).await;
    assert_eq!((s, b["message"].clone()), (503, json!("maintenance")));
    let (s, _) = app.get("/check-status/payment/transaction/123456", &token).await;
    assert_eq!(
        s, 200,
        "the rule was used up (an unknown invoice answers 102 with HTTP 200)"
    );
    assert_eq!(app.control("/_sandbox/health").await.0, 200);
    let list = app.control("/_sandbox/faults").await.1;
    assert_eq!(list["count"], 1, "{list}");
    let id = list["faults"][0]["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(app.delete(&format!("/_sandbox/faults/{id}")).await.0, 200);
    assert_eq!(app.delete(&format!("/_sandbox/faults/{id}")).await.0, 404);
    let journal = app.control("/_sandbox/journal").await.1;
    assert_eq!(journal["entries"][1]["fault"], "status 503", "{journal}");
}

#[tokio::test]
async fn reset_fault_drops_the_connection_and_latency_delays() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    app.post(
        "/_sandbox/faults",
        json!({"pathPrefix": "/operation", "method": "GET", "fault": {"kind": "reset"}}),
    )
    .await;
    let result = match app
        .http
        .get(app.url("/operation/123456"))
        .bearer_auth(&token)
        .send()
        .await
    {
        Ok(response) => response.bytes().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(result.is_err(), "the connection should have been dropped");
    app.delete("/_sandbox/faults").await;
    app.post(
        "/_sandbox/faults",
        json!({"pathPrefix": "/operation", "latency": {"ms": 300, "jitterMs": 50}}),
    )
    .await;
    let started = Instant::now();
    let (s, _) = app.get("/operation/123456", &token).await;
    assert_eq!(s, 400);
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn fault_rules_are_validated_and_never_target_the_control_plane() {
    let app = TestApp::spawn().await;
    for body in [
        json!({"pathPrefix": "/_sandbox/reset", "fault": {"kind": "reset"}}),
        json!({"pathPrefix": "payment", "fault": {"kind": "reset"}}),
        json!({"pathPrefix": "/payment"}),
        json!({"pathPrefix": "/payment", "fault": {"kind": "status", "status": 42}}),
        json!({"pathPrefix": "/payment", "fault": {"kind": "reset"}, "probability": 2}),
        json!({"pathPrefix": "/payment", "latency": {"ms": 999999}}),
    ] {
        let (s, b) = app.post("/_sandbox/faults", body.clone()).await;
        assert_api_error(s, &b, 400);
    }
    app.post(
        "/_sandbox/faults",
        json!({"pathPrefix": "/", "fault": {"kind": "reset"}}),
    )
    .await;
    assert_eq!(app.control("/_sandbox/clock").await.0, 200);
}

// ---- merchants ----------------------------------------------------------------------------

#[tokio::test]
async fn merchants_created_at_run_time_get_defaults_and_work() {
    let app = TestApp::spawn().await;
    let (s, m) = app
        .post(
            "/_sandbox/merchants",
            json!({"terminals": [{"mode": "one-step"}, {"kind": "p2p"}]}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let client = m["clientId"].as_str().unwrap_or_default().to_string();
    let secret = m["clientSecret"].as_str().unwrap_or_default().to_string();
    assert!(client.starts_with("ci-") && secret.len() >= 32, "{m}");
    assert_eq!(m["terminals"][1]["kind"], "p2p");
    assert_eq!(m["terminals"][0]["currencies"], json!(["KZT", "USD"]));
    let terminal = m["terminals"][0]["id"].as_str().unwrap_or_default().to_string();
    let (s, t) = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", "payment"),
            ("client_id", &client),
            ("client_secret", &secret),
            ("terminal", &terminal),
        ])
        .await;
    assert_eq!(s, 200, "{t}");
    let tx = app
        .create_tx(json!({"terminal": terminal, "invoiceId": "700090", "amount": 5}))
        .await;
    assert_eq!(
        (tx["status"].clone(), tx["clientId"].clone()),
        (json!("CHARGE"), json!(client))
    );
    let (s, b) = app.post("/_sandbox/merchants", json!({"clientId": client})).await;
    assert_api_error(s, &b, 409);
    let (s, b) = app
        .post("/_sandbox/merchants", json!({"terminals": [{"id": TERMINAL}]}))
        .await;
    assert_api_error(s, &b, 409);
    let (s, b) = app.post("/_sandbox/merchants", json!({"terminals": []})).await;
    assert_api_error(s, &b, 400);
    let (s, b) = app
        .post("/_sandbox/merchants", json!({"terminals": [{"mode": "three-step"}]}))
        .await;
    assert_api_error(s, &b, 400);
}

#[tokio::test]
async fn control_created_payments_refuse_bad_input() {
    let app = TestApp::spawn().await;
    app.create_tx(json!({"terminal": TERMINAL, "invoiceId": "700100", "amount": 5}))
        .await;
    let cases = [
        (json!({"terminal": TERMINAL, "invoiceId": "700100", "amount": 5}), 409),
        (json!({"terminal": "nope", "invoiceId": "700101", "amount": 5}), 404),
        (
            json!({"terminal": TERMINAL, "invoiceId": "700102", "amount": "lots"}),
            400,
        ),
        (json!({"terminal": TERMINAL, "invoiceId": " ", "amount": 5}), 400),
        (
            json!({"terminal": TERMINAL, "invoiceId": "700103", "amount": 5, "outcome": {"kind": "decline", "code": 9}}),
            400,
        ),
        (json!({"terminal": TERMINAL}), 400),
    ];
    for (body, expected) in cases {
        let (s, b) = app.post("/_sandbox/transactions", body).await;
        assert_api_error(s, &b, expected);
    }
}

// ---- state file ---------------------------------------------------------------------------

#[tokio::test]
async fn state_dump_loads_back_identically_and_reset_returns_to_it() {
    let app = TestApp::spawn().await;
    app.post("/_sandbox/clock/freeze", json!({"at": "2030-01-01T00:00:00Z"}))
        .await;
    let tx = app
        .create_tx(json!({"terminal": TERMINAL, "invoiceId": "700110", "amount": "22.22", "accountId": "u1"}))
        .await;
    let id = tx["id"].as_str().unwrap_or_default();
    app.post(&format!("/_sandbox/transactions/{id}/charge"), json!({}))
        .await;
    app.post(&format!("/_sandbox/transactions/{id}/refund"), json!({"amount": 10}))
        .await;
    app.create_tx(json!({"terminal": ONE_STEP_TERMINAL, "invoiceId": "700111", "amount": 7, "outcome": {"kind": "pending", "settleAfterPolls": 3}}))
        .await;
    app.terminal_token(TERMINAL).await;
    let (_, dump) = app.control("/_sandbox/state").await;
    assert_eq!(dump["version"], 2);
    assert_eq!(dump["transactions"].as_array().map(Vec::len), Some(2));

    let path = std::env::temp_dir().join(format!("epay-state-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, dump.to_string()).expect("write state");
    let second = TestApp::spawn_with(Config {
        state_file: Some(path.clone()),
        ..Config::default()
    })
    .await;
    let (_, again) = second.control("/_sandbox/state").await;
    assert_eq!(again, dump);
    second
        .post(&format!("/_sandbox/transactions/{id}/refund"), json!({}))
        .await;
    second.post("/_sandbox/reset", json!({})).await;
    let (_, after_reset) = second.control("/_sandbox/state").await;
    assert_eq!(after_reset["transactions"], dump["transactions"]);
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn a_minimal_state_file_gets_defaults_and_a_bad_one_stops_the_start() {
    let path = std::env::temp_dir().join(format!("epay-state-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(
        &path,
        json!({"transactions": [{"terminal": TERMINAL, "invoiceId": "700120", "amount": 100, "status": "CHARGE"}]})
            .to_string(),
    )
    .expect("write");
    let app = TestApp::spawn_with(Config {
        state_file: Some(path.clone()),
        ..Config::default()
    })
    .await;
    let token = app.terminal_token(TERMINAL).await;
    let (s, b) = app.get("/check-status/payment/transaction/700120", &token).await;
    assert_eq!(s, 200);
    assert_eq!(
        (
            b["transaction"]["statusName"].clone(),
            b["transaction"]["amount"].clone()
        ),
        (json!("CHARGE"), json!(100))
    );

    for bad in [
        json!({"transactions": [{"terminal": "nope", "invoiceId": "1", "amount": 1}]}),
        json!({"version": 3}),
        json!({"version": 2, "transactions": [{"id": "not a transaction"}]}),
        json!({"transactions": [{"terminal": TERMINAL, "invoiceId": "700121", "amount": 1}, {"terminal": TERMINAL, "invoiceId": "700121", "amount": 1}]}),
        json!({"transactions": [], "extra": true}),
    ] {
        std::fs::write(&path, bad.to_string()).expect("write");
        let started = epay_sandbox::SandboxServer::start(Config {
            state_file: Some(path.clone()),
            ..Config::default()
        })
        .await;
        assert!(started.is_err(), "{bad} should not start");
    }
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn a_refund_external_id_survives_a_dump_and_restart() {
    let app = TestApp::spawn().await;
    let tx = app.seed_payment(ONE_STEP_TERMINAL, "700130", 100);
    app.sandbox().approve(tx.id()).expect("CHARGE");
    let token = app.terminal_token(ONE_STEP_TERMINAL).await;
    let refund = format!("/operation/{}/refund?amount=20&externalID=r-1", tx.id());
    let (status, body) = app.operation(&refund, &token, None).await;
    assert_eq!(status, 200, "{body}");
    let (_, dump) = app.control("/_sandbox/state").await;

    let path = std::env::temp_dir().join(format!("epay-state-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, dump.to_string()).expect("write state");
    let restarted = TestApp::spawn_with(Config {
        state_file: Some(path.clone()),
        ..Config::default()
    })
    .await;
    let (_, again) = restarted.control("/_sandbox/state").await;
    assert_eq!(again, dump, "dump → load → dump is lossless");
    let token = restarted.terminal_token(ONE_STEP_TERMINAL).await;
    let (status, body) = restarted.operation(&refund, &token, None).await;
    assert_eq!(status, 400, "the same externalID is refused after the restart: {body}");
    assert!(body.contains("r-1"), "{body}");
    let _ = std::fs::remove_file(path);
}

// ---- dashboard, catalogue, OpenAPI --------------------------------------------------------

#[tokio::test]
async fn dashboard_renders_transactions_cards_and_reasons() {
    let app = TestApp::spawn().await;
    app.create_tx(json!({"terminal": TERMINAL, "invoiceId": "700130", "amount": 1500}))
        .await;
    for path in ["/_sandbox/", "/_sandbox"] {
        let response = app.http.get(app.url(path)).send().await.expect("page");
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .is_ok_and(|c| c.starts_with("text/html")));
        let html = response.text().await.unwrap_or_default();
        for needle in [
            "700130",
            "AUTH",
            "4405639704015096",
            "Insufficient funds",
            "/_sandbox/demo",
            "/charge",
        ] {
            assert!(html.contains(needle), "dashboard lacks {needle}");
        }
    }
    assert!(app.control("/_sandbox/cards").await.1["cards"]
        .as_array()
        .is_some_and(|c| !c.is_empty()));
    assert!(app
        .control("/_sandbox/reasons")
        .await
        .1
        .to_string()
        .contains("Insufficient funds"));
}

fn normalise(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// The drift test: the served document lists exactly the router's paths, and exactly the
/// methods each path answers (docs/openapi.md).
#[tokio::test]
async fn openapi_documents_exactly_the_served_routes() {
    let app = TestApp::spawn().await;
    let (s, doc) = app.control("/_sandbox/openapi.json").await;
    assert_eq!(s, 200);
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc,
        epay_sandbox::http::openapi::document(),
        "the served document is the generated one"
    );
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let documented: BTreeSet<String> = paths.keys().map(|p| normalise(p)).collect();

    let router = epay_sandbox::http::routes(app.server.sandbox().clone());
    let registered = epay_sandbox::http::openapi::route_paths(&router);
    for known in [
        "/oauth2/token",
        "/api/operation/{invoice_id}",
        "/_sandbox/scenarios/{id}",
    ] {
        assert!(
            registered.iter().any(|p| p == known),
            "route listing lost {known}: {registered:?}"
        );
    }
    let registered_set: BTreeSet<String> = registered.iter().map(|p| normalise(p)).collect();
    let missing: Vec<&String> = registered
        .iter()
        .filter(|p| !documented.contains(&normalise(p)))
        .collect();
    assert!(missing.is_empty(), "routes without an OpenAPI entry: {missing:?}");
    let unserved: Vec<&String> = paths
        .keys()
        .filter(|p| !registered_set.contains(&normalise(p)))
        .collect();
    assert!(
        unserved.is_empty(),
        "documented paths the router does not serve: {unserved:?}"
    );

    for (path, entry) in &paths {
        let concrete = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "000000" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for method in ["get", "post", "put", "delete", "patch"] {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let response = app.http.request(m, app.url(&concrete)).send().await.expect("probe");
            let status = response.status().as_u16();
            if entry.get(method).is_some() {
                assert_ne!(status, 405, "{method} {path} is documented but not served");
            } else {
                assert_eq!(status, 405, "{method} {path} answers but is not documented");
            }
        }
    }
}

#[tokio::test]
async fn embedded_server_api_controls_the_sandbox() {
    let app = TestApp::spawn().await;
    let server = &app.server;
    server.freeze();
    let t0 = server.now();
    server.advance(Duration::from_secs(90)).expect("advance");
    assert_eq!((server.now() - t0).num_seconds(), 90);
    server
        .add_scenario(RuleMatch::default(), ForcedOutcome::Decline { code: 484 }, 1)
        .expect("rule");
    let tx = app
        .create_tx(json!({"terminal": TERMINAL, "invoiceId": "700140", "amount": 3}))
        .await;
    let id = uuid::Uuid::parse_str(tx["id"].as_str().unwrap_or_default()).expect("uuid");
    assert_eq!(server.transaction(id).map(|t| t.reason_code()), Some(484));
    assert_eq!(
        server.transaction_by_invoice(TERMINAL, "700140").map(|t| t.id()),
        Some(id)
    );
    assert_eq!(server.transactions(&Default::default()).len(), 1);
    assert_eq!(server.reset_merchant(CLIENT_ID).transactions, 1);
    assert!(server.transaction(id).is_none());
}

#[tokio::test]
async fn the_clock_never_advances_backwards() {
    let app = TestApp::spawn().await;
    app.server.freeze();
    let before = app.server.now();
    for body in [
        json!({"seconds": -3600}),
        json!({"duration": "-PT1H"}),
        json!({"duration": "PT1H", "seconds": -7200}),
    ] {
        let (status, answer) = app.post("/_sandbox/clock/advance", body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["code"], 400);
    }
    assert_eq!(app.server.now(), before);
}

#[tokio::test]
async fn merchants_must_be_json_objects() {
    let app = TestApp::spawn().await;
    let count = app.sandbox().record_counts().merchants;
    for body in [
        json!([null, null]),
        json!(["ci-x", "secret"]),
        json!(null),
        json!("ci-x"),
    ] {
        let (status, answer) = app.post("/_sandbox/merchants", body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(
            answer["message"].as_str().is_some_and(|m| m.contains("object")),
            "{answer}"
        );
    }
    assert_eq!(app.sandbox().record_counts().merchants, count, "nothing created");
}

#[tokio::test]
async fn every_listing_pages_with_limit_and_offset() {
    let app = TestApp::spawn().await;
    for n in 0..5 {
        app.seed_payment(TERMINAL, &format!("92000000{n}"), 100);
        app.terminal_token(TERMINAL).await;
    }
    for (path, key) in [
        ("/_sandbox/transactions", "transactions"),
        ("/_sandbox/tokens", "tokens"),
        ("/_sandbox/journal", "entries"),
        ("/_sandbox/merchants", "merchants"),
        ("/_sandbox/deliveries", "deliveries"),
        ("/_sandbox/scenarios", "scenarios"),
        ("/_sandbox/faults", "faults"),
    ] {
        let (status, all) = app.control(path).await;
        assert_eq!(status, 200, "{path}: {all}");
        assert_eq!(all["limit"], 100, "{path}: the default limit: {all}");
        let total = all["total"].as_u64().unwrap_or_default();
        let (status, page) = app.control(&format!("{path}?limit=2&offset=1")).await;
        assert_eq!(status, 200, "{path}: {page}");
        let expected = total.saturating_sub(1).min(2);
        assert_eq!(
            page[key].as_array().map(Vec::len),
            Some(expected as usize),
            "{path}: {page}"
        );
        assert_eq!(
            (page["total"].as_u64(), page["offset"].as_u64()),
            (Some(total), Some(1)),
            "{path}"
        );
        for bad in ["limit=0", "limit=1001", "offset=-1", "limit=x"] {
            let (status, answer) = app.control(&format!("{path}?{bad}")).await;
            assert_eq!(status, 400, "{path}?{bad}: {answer}");
        }
    }
    let (_, tokens) = app.control("/_sandbox/tokens?limit=2").await;
    assert_eq!(tokens["count"], 2);
    assert_eq!(tokens["total"], 5);
    let response = app
        .http
        .get(app.url("/_sandbox/state?limit=2&offset=0"))
        .send()
        .await
        .expect("state");
    assert_eq!(
        response
            .headers()
            .get("x-total-transactions")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let state: Value = response.json().await.expect("json");
    assert_eq!(state["transactions"].as_array().map(Vec::len), Some(2));
    assert_eq!(state["tokens"].as_array().map(Vec::len), Some(2));
    let (_, whole) = app.control("/_sandbox/state").await;
    assert_eq!(
        whole["transactions"].as_array().map(Vec::len),
        Some(5),
        "the export is whole by default"
    );
}
