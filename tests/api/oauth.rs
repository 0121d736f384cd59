//! `POST /oauth2/token` and `/epay2/oauth2/token`, and bearer checks on API routes.

use crate::helpers::*;
use chrono::Duration;
use serde_json::Value;

fn payment_fields(invoice: &str) -> Vec<(&str, &str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("scope", SCOPE),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("invoiceID", invoice),
        ("amount", "100"),
        ("currency", "KZT"),
        ("terminal", TERMINAL),
        ("postLink", ""),
        ("failurePostLink", ""),
    ]
}

#[tokio::test]
async fn urlencoded_token_matches_the_documented_response() {
    let app = TestApp::spawn().await;
    let (status, body) = app.token_request(&payment_fields("000000001")).await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = body.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 5, "{body}");
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() == 22));
    assert_eq!(body["expires_in"], Value::from("7200"));
    assert_eq!(body["refresh_token"], "");
    assert_eq!(body["scope"], SCOPE);
    assert_eq!(body["token_type"], "Bearer");
}

#[tokio::test]
async fn multipart_token_on_the_old_test_path() {
    let app = TestApp::spawn().await;
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in payment_fields("000000002") {
        form = form.text(k.to_string(), v.to_string());
    }
    let response = app
        .http
        .post(app.url("/epay2/oauth2/token"))
        .multipart(form)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
}

#[tokio::test]
async fn every_call_mints_a_new_token_bound_to_its_order() {
    let app = TestApp::spawn().await;
    let (_, a) = app.token_request(&payment_fields("000000003")).await;
    let (_, b) = app.token_request(&payment_fields("000000003")).await;
    assert_ne!(a["access_token"], b["access_token"]);
    let token = app
        .sandbox()
        .token(a["access_token"].as_str().unwrap_or(""))
        .expect("stored");
    assert_eq!(token.client_id, "test");
    assert_eq!(token.terminal.as_deref(), Some(TERMINAL));
    assert_eq!(token.invoice_id.as_deref(), Some("000000003"));
    assert_eq!(token.amount.map(|a| a.minor()), Some(10_000));
    assert_eq!(token.currency.as_deref(), Some("KZT"));
}

#[tokio::test]
async fn scope_is_echoed_with_its_odd_whitespace() {
    let app = TestApp::spawn().await;
    let scope = " webapi usermanagement email_send verification statement statistics payment";
    let (status, body) = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", scope),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["scope"], scope);
}

#[tokio::test]
async fn bad_credentials_and_requests_are_refused_with_clear_errors() {
    let app = TestApp::spawn().await;
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("grant_type", "client_credentials"),
                ("scope", "payment"),
                ("client_id", "test"),
                ("client_secret", "wrong"),
            ],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("scope", "payment"),
                ("client_id", "nobody"),
                ("client_secret", "x"),
            ],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "implicit"),
                ("client_id", "test"),
                ("client_secret", CLIENT_SECRET),
            ],
            400,
            "unsupported_grant_type",
        ),
        (
            vec![("client_id", "test"), ("client_secret", CLIENT_SECRET)],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("scope", "payment"),
                ("client_secret", CLIENT_SECRET),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "test"),
                ("client_secret", CLIENT_SECRET),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("scope", "payment"),
                ("client_id", "test"),
                ("client_secret", CLIENT_SECRET),
                ("terminal", "d9d7978c-d6ee-4ec0-8cda-165251a4bf16"),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("scope", "payment"),
                ("client_id", "test"),
                ("client_secret", CLIENT_SECRET),
                ("amount", "ten"),
            ],
            400,
            "invalid_request",
        ),
    ];
    for (fields, status, error) in cases {
        let (got, body) = app.token_request(&fields).await;
        assert_eq!(got, status, "{fields:?} → {body}");
        assert_eq!(body["error"], error, "{fields:?} → {body}");
        assert_eq!(body["code"], Value::from(status));
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn password_grant_and_refresh() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .token_request(&[
            ("grant_type", "password"),
            ("scope", "api"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("username", "epay@halykbank.kz"),
            ("password", "XZG1E@Mm"),
        ])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], Value::from(43199));
    let access = body["access_token"].as_str().expect("access");
    assert!(uuid::Uuid::parse_str(access).is_ok());
    let refresh = body["refresh_token"].as_str().expect("refresh").to_string();

    let (status, body) = app
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("scope", "api"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("refresh_token", &refresh),
        ])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_in"], Value::from("7200"));
    assert_eq!(body["scope"], "api");
    assert_eq!(body["token_type"], "Bearer");

    let (status, body) = app
        .token_request(&[
            ("grant_type", "password"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("username", "epay@halykbank.kz"),
            ("password", "wrong"),
        ])
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");

    let (status, _) = app
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("refresh_token", "nope"),
        ])
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn api_routes_require_a_live_bearer_token() {
    let app = TestApp::spawn().await;
    let path = "/check-status/payment/transaction/000000001";
    let response = app.http.get(app.url(path)).send().await.expect("send");
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["code"], Value::from(401));

    let (status, _) = app.get(path, "FORGED_TOKEN_0000000000").await;
    assert_eq!(status, 401);

    let token = app.terminal_token(TERMINAL).await;
    let (status, _) = app.get(path, &token).await;
    assert_ne!(status, 401);

    app.sandbox().clock().advance(Duration::seconds(7201));
    let (status, body) = app.get(path, &token).await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().is_some_and(|m| m.contains("expired")),
        "{body}"
    );
}

#[tokio::test]
async fn seeded_sandboxes_mint_the_same_tokens() {
    let config = || epay_sandbox::Config {
        seed: Some(42),
        ..Default::default()
    };
    let a = TestApp::spawn_with(config()).await;
    let b = TestApp::spawn_with(config()).await;
    assert_eq!(a.terminal_token(TERMINAL).await, b.terminal_token(TERMINAL).await);
}

#[tokio::test]
async fn token_requests_with_unsafe_post_links_are_refused() {
    let app = TestApp::spawn().await;
    for (field, link) in [
        ("postLink", "javascript:alert(1)"),
        ("failurePostLink", "http://a/\r\nb"),
    ] {
        let (status, body) = app
            .token_request(&[
                ("grant_type", "client_credentials"),
                ("scope", SCOPE),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("terminal", TERMINAL),
                ("invoiceID", "570001"),
                ("amount", "100"),
                (field, link),
            ])
            .await;
        assert_eq!(status, 400, "{field}: {body}");
        assert_eq!(body["error"], "invalid_request");
        assert!(body["message"].as_str().is_some_and(|m| m.contains(field)), "{body}");
    }
    assert!(app.server.tokens().is_empty(), "no token stored");
}
