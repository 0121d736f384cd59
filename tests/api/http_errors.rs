//! Bad input never gets a 5xx or a plain-text body.

use crate::helpers::*;
use serde_json::Value;

#[tokio::test]
async fn unknown_route_is_a_json_404() {
    let app = TestApp::spawn().await;
    for path in ["/nope", "/api/nope", "/check-status/payment"] {
        let response = app.http.get(app.url(path)).send().await.expect("send");
        assert_eq!(response.status().as_u16(), 404, "{path}");
        let body: Value = response.json().await.expect("json body");
        assert_eq!(body["code"], Value::from(404));
    }
}

#[tokio::test]
async fn wrong_method_is_a_json_405() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/oauth2/token")).send().await.expect("send");
    assert_eq!(response.status().as_u16(), 405);
    let body: Value = response.json().await.expect("json body");
    assert_eq!(body["code"], Value::from(405));
}

#[tokio::test]
async fn malformed_bodies_are_json_400s() {
    let app = TestApp::spawn().await;
    let cases: [(&str, &[u8]); 3] = [
        ("multipart/form-data; boundary=xyz", b"--xyz\r\ngarbage"),
        ("application/json", b"{not json"),
        ("application/x-www-form-urlencoded", b"%%%=\xff\xfe"),
    ];
    for (content_type, body) in cases {
        let response = app
            .http
            .post(app.url("/oauth2/token"))
            .header("content-type", content_type)
            .body(body.to_vec())
            .send()
            .await
            .expect("send");
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{content_type}: {status}");
        let body: Value = response.json().await.expect("json body");
        assert!(body["message"].is_string());
    }
}

#[tokio::test]
async fn oversized_body_is_a_json_413() {
    let app = TestApp::spawn().await;
    let big = vec![b'a'; 2 * 1024 * 1024];
    let response = app
        .http
        .post(app.url("/oauth2/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 413);
    let body: Value = response.json().await.expect("json body");
    assert_eq!(body["code"], Value::from(413));
}

#[tokio::test]
async fn health_reports_version_and_uptime() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/_sandbox/health")).send().await.expect("send");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert!(body["uptimeSeconds"].as_f64().is_some());
}
