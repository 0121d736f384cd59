//! What browsers and TLS clients need: CORS on the bank-facing API (never on `/_sandbox/`),
//! and HTTPS with the sandbox's own CA.

use crate::helpers::*;
use epay_sandbox::tls::TlsOptions;
use epay_sandbox::Config;
use serde_json::{json, Value};

const SHOP: &str = "https://shop.example";

async fn preflight(app: &TestApp, path: &str, origin: &str) -> reqwest::Response {
    app.http
        .request(reqwest::Method::OPTIONS, app.url(path))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization, content-type")
        .send()
        .await
        .expect("preflight")
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[tokio::test]
async fn cors_preflights_are_answered_on_the_bank_api_bare_and_under_api() {
    let app = TestApp::spawn().await;
    for path in [
        "/oauth2/token",
        "/epay2/oauth2/token",
        "/payment/cryptopay",
        "/api/payment/cryptopay",
        "/check-status/payment/transaction/000001",
        "/api/operation/000001/charge",
        "/cards/uuid000001",
        "/p2p/transfer",
        "/public.rsa",
    ] {
        let response = preflight(&app, path, SHOP).await;
        assert!(response.status().is_success(), "{path}: {}", response.status());
        assert_eq!(
            header(&response, "access-control-allow-origin").as_deref(),
            Some(SHOP),
            "{path}"
        );
        let methods = header(&response, "access-control-allow-methods").unwrap_or_default();
        assert!(methods.contains("POST"), "{path}: {methods}");
        let headers = header(&response, "access-control-allow-headers").unwrap_or_default();
        assert!(headers.contains("authorization"), "{path}: {headers}");
        assert_eq!(varies(&response), [CORS_VARY], "{path}");
    }
}

/// What a CORS answer varies by, as tower-http's CORS layer has always sent it.
const CORS_VARY: &str = "origin, access-control-request-method, access-control-request-headers";

/// Every `Vary` header of an answer.
fn varies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("vary")
        .iter()
        .map(|value| value.to_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn cors_actual_requests_reflect_the_origin_and_answers_are_unchanged() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .post(app.url("/oauth2/token"))
        .header("Origin", SHOP)
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", SCOPE),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("terminal", TERMINAL),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(header(&response, "access-control-allow-origin").as_deref(), Some(SHOP));
    assert_eq!(varies(&response), [CORS_VARY]);
    let token: Value = response.json().await.expect("json");
    let token = token["access_token"].as_str().unwrap_or_default().to_string();
    let status = app
        .http
        .get(app.url("/check-status/payment/transaction/000404"))
        .header("Origin", "http://localhost:3000")
        .bearer_auth(&token)
        .send()
        .await
        .expect("check-status");
    assert_eq!(
        header(&status, "access-control-allow-origin").as_deref(),
        Some("http://localhost:3000")
    );
}

#[tokio::test]
async fn cors_never_applies_to_the_control_plane() {
    let app = TestApp::spawn().await;
    for path in ["/_sandbox/health", "/_sandbox/reset"] {
        let response = preflight(&app, path, SHOP).await;
        assert!(header(&response, "access-control-allow-origin").is_none(), "{path}");
        assert!(header(&response, "access-control-allow-methods").is_none(), "{path}");
    }
    let health = app
        .http
        .get(app.url("/_sandbox/health"))
        .header("Origin", SHOP)
        .send()
        .await
        .expect("health");
    assert_eq!(health.status().as_u16(), 200);
    assert!(header(&health, "access-control-allow-origin").is_none());
    assert!(varies(&health).is_empty());
}

#[tokio::test]
async fn cors_origins_restrict_who_may_read() {
    let app = TestApp::spawn_with(Config {
        cors_origins: vec![SHOP.to_string()],
        ..Config::default()
    })
    .await;
    let allowed = preflight(&app, "/oauth2/token", SHOP).await;
    assert_eq!(header(&allowed, "access-control-allow-origin").as_deref(), Some(SHOP));
    let other = preflight(&app, "/oauth2/token", "https://evil.example").await;
    assert!(header(&other, "access-control-allow-origin").is_none());
}

/// A sandbox serving HTTPS too, and a client that trusts only its CA (from the sandbox).
async fn https_app() -> (TestApp, reqwest::Client, String) {
    let app = TestApp::spawn_with(Config {
        tls: Some(TlsOptions::default()),
        ..Config::default()
    })
    .await;
    let ca_pem = app.get_text("/_sandbox/tls/ca.pem").await;
    assert!(ca_pem.starts_with("-----BEGIN CERTIFICATE-----"), "{ca_pem}");
    let written = app.server.tls_ca_file().map(std::fs::read_to_string);
    assert_eq!(written.and_then(Result::ok).as_deref(), Some(ca_pem.as_str()));
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("CA certificate");
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .build()
        .expect("TLS client");
    let base = app.server.tls_url().expect("https listener").to_string();
    (app, client, base)
}

#[tokio::test]
async fn tls_token_cryptopay_and_check_status_over_https() {
    let (app, client, base) = https_app().await;
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let invoice = "800000001";
    let token: Value = client
        .post(format!("{base}/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", SCOPE),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("invoiceID", invoice),
            ("amount", "100"),
            ("currency", "KZT"),
            ("terminal", TERMINAL),
        ])
        .send()
        .await
        .expect("token over https")
        .json()
        .await
        .expect("token json");
    let token = token["access_token"].as_str().expect("access_token").to_string();
    let cryptogram = app.cryptogram("4405639704015096", "0125", "815", TERMINAL);
    let paid = client
        .post(format!("{base}/payment/cryptopay"))
        .bearer_auth(&token)
        .json(&json!({
            "amount": 100,
            "currency": "KZT",
            "name": "ARMAN ALI",
            "cryptogram": cryptogram,
            "invoiceId": invoice,
            "description": "over https",
            "accountId": "uuid000001",
            "email": "jj@example.com",
            "phone": "77777777777",
            "language": "rus",
            "cardSave": false,
        }))
        .send()
        .await
        .expect("cryptopay over https");
    assert_eq!(paid.status().as_u16(), 200);
    let status = client
        .get(format!("{base}/check-status/payment/transaction/{invoice}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("check-status over https");
    assert_eq!(status.status().as_u16(), 200);
    let status: Value = status.json().await.expect("status json");
    assert_eq!(status["transaction"]["statusName"], json!("AUTH"), "{status}");
}

/// Shutdown drains the TLS listener too: a slow request in flight on a pooled HTTPS connection
/// is answered, then the server stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_shutdown_answers_the_request_in_flight() {
    let (app, client, base) = https_app().await;
    app.slow_down("/public.rsa", 300).await;
    let warm = client
        .get(format!("{base}/_sandbox/health"))
        .send()
        .await
        .expect("health over https");
    assert_eq!(warm.status().as_u16(), 200);
    let slow = tokio::spawn(client.get(format!("{base}/public.rsa")).send());
    let TestApp { server, http } = app;
    drop(http);
    tokio::time::timeout(std::time::Duration::from_secs(10), server.shutdown())
        .await
        .expect("the server stops");
    let answer = slow
        .await
        .expect("request task")
        .expect("answered before the server stopped");
    assert_eq!(answer.status().as_u16(), 200);
}

#[tokio::test]
async fn tls_negotiates_http2_by_alpn_and_untrusted_clients_are_refused() {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
    use tokio_rustls::rustls::{ClientConfig, RootCertStore};

    let (app, _client, base) = https_app().await;
    let ca_pem = app.get_text("/_sandbox/tls/ca.pem").await;
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).expect("CA der"))
        .expect("root");
    let provider = std::sync::Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let addr = base.trim_start_matches("https://").to_string();
    let tcp = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    let name = ServerName::try_from("localhost").expect("server name");
    let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("handshake for localhost");
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));

    let untrusted = reqwest::Client::builder().use_rustls_tls().build().expect("client");
    let refused = untrusted.get(format!("{base}/_sandbox/health")).send().await;
    assert!(refused.is_err(), "the sandbox CA is not trusted by default");
}

#[tokio::test]
async fn tls_ca_is_404_without_tls() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/_sandbox/tls/ca.pem")).send().await.expect("GET");
    assert_eq!(response.status().as_u16(), 404);
    assert!(app.server.tls_url().is_none());
}
