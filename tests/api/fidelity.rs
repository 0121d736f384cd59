//! Fidelity profiles: the table over HTTP, switching at run time and per merchant, scenario
//! rules forcing check-status results, and the probe round trip (probe a sandbox started with
//! a profile; it must report that profile).

use crate::helpers::{TestApp, CLIENT_ID, CLIENT_SECRET, P2P_TERMINAL, SCOPE, TERMINAL};
use epay_sandbox::fidelity::{Overrides, Profile, KEYS};
use epay_sandbox::probe::{self, ProbeTarget};
use epay_sandbox::Config;
use proptest::prelude::*;
use serde_json::{json, Value};

async fn put(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    app.send(reqwest::Method::PUT, path, Some(body)).await
}

/// A sandbox started with `--fidelity` assignments.
async fn spawn_with_fidelity(assignments: &[&str]) -> TestApp {
    let overrides = Overrides::from_assignments(assignments.iter().copied()).expect("valid assignments");
    TestApp::spawn_with(Config {
        fidelity: Profile::default().with(&overrides),
        ..Config::default()
    })
    .await
}

async fn expires_in(app: &TestApp, client_id: &str, secret: &str) -> Value {
    let (status, body) = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", SCOPE),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .await;
    assert_eq!(status, 200, "{body}");
    body["expires_in"].clone()
}

/// The profile in which every key takes its `n`-th value (wrapping): three of them cover
/// every value of every key.
fn nth_profile(n: usize) -> Profile {
    let picks: Vec<usize> = KEYS.iter().map(|_| n).collect();
    profile_of(&picks)
}

/// The profile that picks value `picks[i] % len` for key `i`.
fn profile_of(picks: &[usize]) -> Profile {
    let mut overrides = Overrides::default();
    for (key, pick) in KEYS.iter().zip(picks) {
        let value = key.values[pick % key.values.len()].value;
        overrides.set(key.key, Some(value)).expect("a value of the table");
    }
    Profile::default().with(&overrides)
}

/// Starts a sandbox with `profile`, probes it with payments and a P2P terminal, and checks
/// that every key is reported with the sandbox's value.
async fn probe_round_trip(profile: Profile) {
    let app = TestApp::spawn_with(Config {
        fidelity: profile,
        ..Config::default()
    })
    .await;
    let target = ProbeTarget {
        p2p_terminal: Some(P2P_TERMINAL.to_string()),
        allow_payments: true,
        ..ProbeTarget::new(&app.url(""), &app.url(""), CLIENT_ID, CLIENT_SECRET, TERMINAL)
    };
    let report = probe::run(&target).await.expect("the probe runs");
    for (key, value) in profile.entries() {
        assert_eq!(report.value(key), Some(value), "{key}\n{}", report.render());
    }
    assert_eq!(
        Overrides::from_json(&report.profile()).map(|o| Profile::default().with(&o)),
        Ok(profile),
        "the written profile loads back as the sandbox's"
    );
    assert!(
        !report.render().contains(CLIENT_SECRET),
        "the report never shows the secret"
    );
}

#[tokio::test]
async fn the_probe_reports_every_value_of_every_key() {
    for n in 0..3 {
        probe_round_trip(nth_profile(n)).await;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, ..ProptestConfig::default() })]

    #[test]
    fn the_probe_reports_any_generated_profile(picks in proptest::collection::vec(0usize..3, KEYS.len())) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(probe_round_trip(profile_of(&picks)));
    }
}

#[tokio::test]
async fn without_payments_the_probe_observes_the_token_status_confirm_and_cors_keys() {
    let app = TestApp::spawn().await;
    let target = ProbeTarget::new(
        &app.url("/oauth2/token"),
        &app.url("/api"),
        CLIENT_ID,
        CLIENT_SECRET,
        TERMINAL,
    );
    let report = probe::run(&target).await.expect("the probe runs");
    let defaults = Profile::default();
    for key in [
        "token.expires_in",
        "token.refresh_token",
        "token.scope_echo",
        "status.not_found_http",
        "confirm.token",
        "api.cors",
    ] {
        assert_eq!(report.value(key), defaults.get(key), "{key}");
    }
    assert_eq!(
        report.value("payment.secure3d"),
        None,
        "no payment without --allow-payments"
    );
    assert_eq!(app.sandbox().record_counts().transactions, 0, "nothing was paid");
}

#[tokio::test]
async fn the_probe_stops_on_wrong_credentials() {
    let app = TestApp::spawn().await;
    let target = ProbeTarget::new(&app.url(""), &app.url(""), CLIENT_ID, "wrong-secret", TERMINAL);
    let error = probe::run(&target)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(error.contains("HTTP 401"), "{error}");
    assert!(!error.contains("wrong-secret"));
}

#[tokio::test]
async fn get_lists_every_key_with_its_value_alternatives_and_evidence() {
    let app = TestApp::spawn().await;
    let (status, body) = app.send(reqwest::Method::GET, "/_sandbox/fidelity", None).await;
    assert_eq!(status, 200, "{body}");
    let keys = body["keys"].as_array().cloned().unwrap_or_default();
    assert!(keys.len() >= 12, "{body}");
    for key in &keys {
        assert!(key["value"].is_string() && key["confidence"].is_string(), "{key}");
        assert!(!key["alternatives"].as_array().is_none_or(Vec::is_empty), "{key}");
        assert!(key["values"]
            .as_array()
            .is_some_and(|v| v.iter().all(|v| v["evidence"].is_string())));
    }
    assert_eq!(body["profile"]["token.expires_in"], "string");
    assert_eq!(body["profile"]["status.not_found_http"], "200");
}

#[tokio::test]
async fn put_switches_at_run_time_and_a_reset_returns_to_the_startup_profile() {
    let app = spawn_with_fidelity(&["status.not_found_http=400"]).await;
    assert_eq!(expires_in(&app, CLIENT_ID, CLIENT_SECRET).await, json!("7200"));
    let (status, body) = put(&app, "/_sandbox/fidelity", json!({"token.expires_in": "number"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["overrides"],
        json!({"token.expires_in": "number"}),
        "changed from the start-up profile"
    );
    assert_eq!(body["profile"]["status.not_found_http"], "400");
    assert_eq!(expires_in(&app, CLIENT_ID, CLIENT_SECRET).await, json!(7200));

    let (status, _) = app.send(reqwest::Method::POST, "/_sandbox/reset", None).await;
    assert_eq!(status, 200);
    assert_eq!(expires_in(&app, CLIENT_ID, CLIENT_SECRET).await, json!("7200"));
    let (_, body) = app.send(reqwest::Method::GET, "/_sandbox/fidelity", None).await;
    assert_eq!(
        body["profile"]["status.not_found_http"], "400",
        "the start-up profile stays"
    );

    put(&app, "/_sandbox/fidelity", json!({"token.expires_in": "number"})).await;
    let (status, body) = app.send(reqwest::Method::DELETE, "/_sandbox/fidelity", None).await;
    assert_eq!(
        (status, body["profile"]["token.expires_in"].clone()),
        (200, json!("string"))
    );
}

#[tokio::test]
async fn a_merchant_can_pin_its_own_profile() {
    let app = TestApp::spawn().await;
    let (status, merchant) = app
        .send(reqwest::Method::POST, "/_sandbox/merchants", Some(json!({})))
        .await;
    assert_eq!(status, 201, "{merchant}");
    let client = merchant["clientId"].as_str().unwrap_or_default().to_string();
    let secret = merchant["clientSecret"].as_str().unwrap_or_default().to_string();
    let path = format!("/_sandbox/fidelity?clientId={client}");
    let (status, body) = put(&app, &path, json!({"token.expires_in": "number"})).await;
    assert_eq!(
        (status, body["profile"]["token.expires_in"].clone()),
        (200, json!("number")),
        "{body}"
    );
    assert_eq!(expires_in(&app, &client, &secret).await, json!(7200));
    assert_eq!(
        expires_in(&app, CLIENT_ID, CLIENT_SECRET).await,
        json!("7200"),
        "others keep theirs"
    );

    let (_, state) = app.send(reqwest::Method::GET, "/_sandbox/state", None).await;
    assert_eq!(
        state["fidelity"][&client],
        json!({"token.expires_in": "number"}),
        "{}",
        state["fidelity"]
    );

    let (_, body) = put(&app, &path, json!({"token.expires_in": null})).await;
    assert_eq!(body["overrides"], json!({}));
    assert_eq!(expires_in(&app, &client, &secret).await, json!("7200"));

    let (status, body) = put(&app, "/_sandbox/fidelity?clientId=nobody", json!({})).await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn unknown_keys_and_values_are_refused_with_the_valid_ones() {
    let app = TestApp::spawn().await;
    let (status, body) = put(&app, "/_sandbox/fidelity", json!({"bogus": "1"})).await;
    assert_eq!(status, 400);
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("unknown fidelity key 'bogus'") && message.contains("token.expires_in"),
        "{message}"
    );
    let (status, body) = put(
        &app,
        "/_sandbox/fidelity",
        json!({"token.binding": "loose", "token.expires_in": "number"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("valid values: strict, off"),
        "{body}"
    );
    assert_eq!(
        expires_in(&app, CLIENT_ID, CLIENT_SECRET).await,
        json!("7200"),
        "nothing of a refused document is applied"
    );
}

#[tokio::test]
async fn scenario_rules_force_any_check_status_result() {
    let app = TestApp::spawn().await;
    app.seed_payment(TERMINAL, "500000001", 10);
    let token = app.terminal_token(TERMINAL).await;
    for code in ["101", "103", "106", "107", "109", "100"] {
        let rule =
            json!({"match": {"invoiceId": "500000001"}, "outcome": {"kind": "statusResult", "resultCode": code}});
        let (status, body) = app.send(reqwest::Method::POST, "/_sandbox/scenarios", Some(rule)).await;
        assert!(status == 200 || status == 201, "{body}");
        let (status, body) = app.get("/check-status/payment/transaction/500000001", &token).await;
        assert_eq!((status, body["resultCode"].clone()), (200, json!(code)), "{body}");
        assert_eq!(body["transaction"].is_object(), matches!(code, "100" | "107"), "{body}");
    }
    let (_, body) = app.get("/check-status/payment/transaction/500000001", &token).await;
    assert_eq!(body["resultCode"], "100", "each rule was used once");

    let rule = json!({"outcome": {"kind": "statusResult", "resultCode": "105"}});
    let (status, body) = app.send(reqwest::Method::POST, "/_sandbox/scenarios", Some(rule)).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap_or_default().contains("valid: 100, 101"),
        "{body}"
    );
}

#[tokio::test]
async fn binding_off_accepts_the_seeds_example_pairs() {
    let app = spawn_with_fidelity(&["token.binding=off"]).await;
    let token = app.payment_token("000000001", "100", TERMINAL).await;
    let cryptogram = app.cryptogram("4405639704015096", "0127", "321", TERMINAL);
    let body = json!({"amount": 10.0, "currency": "KZT", "terminalId": TERMINAL, "invoiceId": "10101112",
                      "description": "test", "cryptogram": cryptogram});
    let (status, body) = app.post_json("/payment/cryptopay", &token, &body).await;
    assert_eq!((status, body["status"].clone()), (200, json!("AUTH")), "{body}");
}

#[tokio::test]
async fn an_invoice_token_reaches_only_its_invoice_with_reach_invoice() {
    let app = spawn_with_fidelity(&["token.reach=invoice"]).await;
    let (other, terminal_token) = app.approved_payment(TERMINAL, "500000002", 10).await;
    let token = app.payment_token("500000003", "10", TERMINAL).await;
    let (status, body) = app.operation(&format!("/operation/{other}/cancel"), &token, None).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("not found"), "{body}");
    let (_, body) = app.get("/operation/500000002", &token).await;
    assert_eq!(body["code"], 100, "{body}");
    let (_, body) = app.get("/check-status/payment/transaction/500000002", &token).await;
    assert_eq!(body["resultCode"], "102", "{body}");
    let (status, body) = app
        .operation(&format!("/operation/{other}/cancel"), &terminal_token, None)
        .await;
    assert_eq!(
        status, 200,
        "a token without an invoice still reaches the terminal: {body}"
    );
}

#[tokio::test]
async fn cors_off_sends_no_cors_headers() {
    let app = TestApp::spawn().await;
    let preflight = || {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/oauth2/token"))
            .header("Origin", "https://shop.example")
            .header("Access-Control-Request-Method", "POST")
            .send()
    };
    let response = preflight().await.expect("preflight");
    assert!(response.headers().contains_key("access-control-allow-origin"));
    put(&app, "/_sandbox/fidelity", json!({"api.cors": "off"})).await;
    let response = preflight().await.expect("preflight");
    assert!(!response.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn the_dashboard_shows_the_profile_and_the_merchant_overrides() {
    let app = TestApp::spawn().await;
    put(&app, "/_sandbox/fidelity", json!({"status.not_found_http": "400"})).await;
    put(
        &app,
        &format!("/_sandbox/fidelity?clientId={CLIENT_ID}"),
        json!({"token.reach": "invoice"}),
    )
    .await;
    let page = app.get_text("/_sandbox?lang=en").await;
    assert!(page.contains("Fidelity profile"), "{page}");
    assert!(page.contains("400 (default 200)"), "the changed key is marked");
    assert!(page.contains("test=invoice"), "the merchant's override is listed");
}

#[tokio::test]
async fn a_state_file_restores_the_merchant_overrides() {
    let app = TestApp::spawn().await;
    put(
        &app,
        &format!("/_sandbox/fidelity?clientId={CLIENT_ID}"),
        json!({"token.expires_in": "number"}),
    )
    .await;
    let (_, state) = app.send(reqwest::Method::GET, "/_sandbox/state", None).await;
    let path = std::env::temp_dir().join(format!("epay-fidelity-state-{}.json", std::process::id()));
    std::fs::write(&path, state.to_string()).expect("write state");
    let restored = TestApp::spawn_with(Config {
        state_file: Some(path.clone()),
        ..Config::default()
    })
    .await;
    let _ = std::fs::remove_file(&path);
    assert_eq!(expires_in(&restored, CLIENT_ID, CLIENT_SECRET).await, json!(7200));
    let (_, body) = restored
        .send(
            reqwest::Method::GET,
            &format!("/_sandbox/fidelity?clientId={CLIENT_ID}"),
            None,
        )
        .await;
    assert_eq!(body["overrides"], json!({"token.expires_in": "number"}));
}
