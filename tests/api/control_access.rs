//! Who may use the control plane: no cross-origin state changes (CSRF), no foreign `Host`
//! (DNS rebinding), and the optional control token.

use crate::helpers::*;
use epay_sandbox::Config;
use serde_json::Value;

#[tokio::test]
async fn a_cross_origin_form_post_cannot_reset_or_move_the_clock() {
    let app = TestApp::spawn().await;
    let kept = app.seed_payment(TERMINAL, "910000001", 100);
    let before = app.server.now();
    app.server.freeze();
    let cross = [
        ("origin", "http://evil.example"),
        ("origin", "null"),
        ("referer", "http://evil.example/attack.html"),
        ("sec-fetch-site", "cross-site"),
    ];
    for (name, value) in cross {
        for (path, form) in [
            ("/_sandbox/reset", "redirect=/_sandbox/"),
            ("/_sandbox/clock/advance", "duration=P7D"),
        ] {
            let response = app
                .http
                .post(app.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .header(name, value)
                .body(form)
                .send()
                .await
                .expect("send");
            assert_eq!(response.status().as_u16(), 403, "{path} with {name}: {value}");
            let body: Value = response.json().await.expect("json");
            assert_eq!(body["code"], Value::from(403));
        }
    }
    assert!(app.server.transaction(kept.id()).is_some(), "nothing was reset");
    assert!(
        app.server.now() - before < chrono::Duration::days(1),
        "the clock did not move"
    );
    let own = app.server.url().to_string();
    let response = app
        .http
        .post(app.url("/_sandbox/clock/advance"))
        .header("origin", own.as_str())
        .header("sec-fetch-site", "same-origin")
        .form(&[("duration", "PT1H")])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200, "the dashboard's own forms work");
    let response = app.http.post(app.url("/_sandbox/reset")).send().await.expect("send");
    assert_eq!(
        response.status().as_u16(),
        200,
        "clients without Origin or Referer (curl, CI) work"
    );
}

#[tokio::test]
async fn a_foreign_host_cannot_read_the_control_plane() {
    let app = TestApp::spawn_with(Config {
        allowed_hosts: vec!["sandbox.internal".into()],
        ..Config::default()
    })
    .await;
    let port = app.server.addr().port();
    let send = |host: String, path: &'static str| {
        let request = app.http.get(app.url(path)).header("host", host);
        async move { request.send().await.expect("send").status().as_u16() }
    };
    assert_eq!(
        send(format!("rebind.evil.example:{port}"), "/_sandbox/state").await,
        403
    );
    assert_eq!(
        send(format!("rebind.evil.example:{port}"), "/_sandbox/tokens").await,
        403
    );
    assert_eq!(send(format!("rebind.evil.example:{port}"), "/_sandbox/").await, 403);
    assert_eq!(send(format!("localhost:{port}"), "/_sandbox/state").await, 200);
    assert_eq!(send(format!("127.0.0.1:{port}"), "/_sandbox/state").await, 200);
    assert_eq!(send(format!("sandbox.internal:{port}"), "/_sandbox/state").await, 200);
    // The bank-facing API does not check Host (merchants alias the bank's host names to it).
    assert_eq!(send(format!("epay-api.homebank.kz:{port}"), "/public.rsa").await, 200);
}

#[tokio::test]
async fn the_control_token_guards_every_control_route_and_the_dashboard_keeps_working() {
    let app = TestApp::spawn_with(Config {
        control_token: Some("s3cret".into()),
        ..Config::default()
    })
    .await;
    let status =
        |request: reqwest::RequestBuilder| async move { request.send().await.expect("send").status().as_u16() };
    assert_eq!(status(app.http.get(app.url("/_sandbox/state"))).await, 401);
    assert_eq!(status(app.http.post(app.url("/_sandbox/reset"))).await, 401);
    assert_eq!(
        status(app.http.get(app.url("/_sandbox/state")).bearer_auth("wrong")).await,
        401
    );
    assert_eq!(
        status(app.http.get(app.url("/_sandbox/state")).bearer_auth("s3cret")).await,
        200
    );
    assert_eq!(
        status(
            app.http
                .post(app.url("/_sandbox/reset"))
                .header("x-sandbox-token", "s3cret")
        )
        .await,
        200
    );
    assert_eq!(
        status(app.http.get(app.url("/_sandbox/health"))).await,
        200,
        "health stays open"
    );
    let opened = app
        .http
        .get(app.url("/_sandbox/?token=s3cret"))
        .send()
        .await
        .expect("send");
    assert_eq!(opened.status().as_u16(), 200);
    let cookie = opened
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap_or_default().to_string();
    assert_eq!(
        status(
            app.http
                .get(app.url("/_sandbox/tokens"))
                .header("cookie", pair.as_str())
        )
        .await,
        200
    );
    let response = app
        .http
        .post(app.url("/_sandbox/clock/freeze"))
        .header("cookie", pair.as_str())
        .form(&[("redirect", "/_sandbox/")])
        .send()
        .await
        .expect("send");
    assert_eq!(
        response.status().as_u16(),
        303,
        "the dashboard's forms work with the cookie"
    );
    // The bank-facing API never needs it.
    let (code, _) = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", SCOPE),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("terminal", TERMINAL),
        ])
        .await;
    assert_eq!(code, 200);
}
