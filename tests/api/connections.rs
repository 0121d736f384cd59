//! Connection-level behaviour: keep-alive survives responses that did not need the body,
//! parser-level errors are JSON, and a graceful shutdown answers every request that reached
//! the server.

use crate::helpers::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One HTTP/1.1 response read off a raw connection.
#[derive(Debug)]
struct RawResponse {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_string())
        })
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Reads one response (Content-Length framed, as every sandbox response is); `None` if the
/// connection closed first.
async fn read_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<RawResponse> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_string();
            let status = head.split_whitespace().nth(1)?.parse().ok()?;
            let mut response = RawResponse {
                status,
                head,
                body: Vec::new(),
            };
            let length: usize = response
                .header("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while buffer.len() < end + 4 + length {
                if !fill(stream, buffer, deadline).await {
                    return None;
                }
            }
            response.body = buffer[end + 4..end + 4 + length].to_vec();
            buffer.drain(..end + 4 + length);
            return Some(response);
        }
        if !fill(stream, buffer, deadline).await {
            return None;
        }
    }
}

async fn fill(stream: &mut TcpStream, buffer: &mut Vec<u8>, deadline: Instant) -> bool {
    let mut chunk = [0u8; 8192];
    let left = deadline.saturating_duration_since(Instant::now());
    match tokio::time::timeout(left, stream.read(&mut chunk)).await {
        Ok(Ok(n)) if n > 0 => {
            buffer.extend_from_slice(&chunk[..n]);
            true
        }
        _ => false,
    }
}

/// Requests that are answered without the handler needing their body.
fn unread_body_requests(token: &str) -> Vec<Vec<u8>> {
    let id = "00000000-0000-4000-8000-000000000001";
    let with_body = |method: &str, path: &str, auth: &str, body: &str| {
        format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    let bearer = format!("Authorization: Bearer {token}\r\n");
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(64 * 1024));
    vec![
        with_body("POST", &format!("/operation/{id}/cancel"), "", "{}"),
        with_body("POST", &format!("/operation/{id}/cancel"), &bearer, "{}"),
        with_body("POST", "/payment/cryptopay", "Authorization: Bearer nope\r\n", &big),
        with_body("POST", "/no/such/route", "", "{\"a\":1}"),
        with_body("PUT", "/oauth2/token", "", "{\"a\":1}"),
        with_body("GET", "/_sandbox/health", "", "{\"unexpected\":true}"),
    ]
}

/// On one connection, each response to a request whose body was not needed leaves the
/// connection usable (or says `Connection: close`).
#[tokio::test]
async fn a_keep_alive_connection_survives_responses_that_ignore_the_body() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    let mut stream = TcpStream::connect(app.server.addr()).await.expect("connect");
    let mut buffer = Vec::new();
    for (n, request) in unread_body_requests(&token).iter().cycle().take(30).enumerate() {
        stream.write_all(request).await.expect("write");
        let response = read_response(&mut stream, &mut buffer)
            .await
            .unwrap_or_else(|| panic!("request {n}: the connection closed without an answer"));
        assert!(response.status >= 200, "request {n}: {response:?}");
        assert_ne!(
            response.header("connection").as_deref(),
            Some("close"),
            "request {n} ended keep-alive: {response:?}"
        );
    }
}

/// A pooled client (keep-alive, a few connections) through thousands of mixed requests: 401s,
/// 404s, 405s, bodies on bodiless operations, none of them a connection error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pooled_client_sees_no_connection_errors() {
    let app = TestApp::spawn().await;
    let token = app.terminal_token(TERMINAL).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(4)
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let base = app.server.url().to_string();
    let mut workers = Vec::new();
    for worker in 0..4 {
        let client = client.clone();
        let base = base.clone();
        let token = token.clone();
        workers.push(tokio::spawn(async move {
            let mut errors = Vec::new();
            for n in 0..750 {
                let id = uuid::Uuid::new_v4();
                let request = match (worker + n) % 6 {
                    0 => client.post(format!("{base}/operation/{id}/cancel")).json(&json!({})),
                    1 => client
                        .post(format!("{base}/operation/{id}/cancel"))
                        .bearer_auth(&token)
                        .json(&json!({})),
                    2 => client
                        .post(format!("{base}/payment/cryptopay"))
                        .bearer_auth("forged")
                        .json(&json!({"amount": 100, "pad": "x".repeat(300 * 1024)})),
                    3 => client.post(format!("{base}/no/such/route")).body("{\"a\":1}"),
                    4 => client.put(format!("{base}/oauth2/token")).body("a=1"),
                    _ => client.get(format!("{base}/_sandbox/health")),
                };
                match request.send().await {
                    Ok(response) => {
                        if let Err(error) = response.bytes().await {
                            errors.push(format!("body: {error}"));
                        }
                    }
                    Err(error) => errors.push(format!("{error:?}")),
                }
            }
            errors
        }));
    }
    let mut errors = Vec::new();
    for worker in workers {
        errors.extend(worker.await.expect("worker"));
    }
    println!("pooled client: {} connection errors in 3000 requests", errors.len());
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        errors.first()
    );
}

/// Parser-level errors (answered before routing) carry a JSON body in the bank's shape.
#[tokio::test]
async fn parser_level_errors_are_json() {
    let app = TestApp::spawn().await;
    let long_path = format!("/{}", "a".repeat(70_000));
    let many_headers: String = (0..200).map(|n| format!("X-Filler-{n}: 1\r\n")).collect();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("bad request line", b"NONSENSE\r\n\r\n".to_vec(), 400),
        (
            "0xFF in the path",
            b"GET /\xff HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec(),
            400,
        ),
        (
            "bad Content-Length",
            b"POST /oauth2/token HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n".to_vec(),
            400,
        ),
        (
            "URI too long",
            format!("GET {long_path} HTTP/1.1\r\nHost: localhost\r\n\r\n").into_bytes(),
            414,
        ),
        (
            "too many headers",
            format!("GET /_sandbox/health HTTP/1.1\r\nHost: localhost\r\n{many_headers}\r\n").into_bytes(),
            431,
        ),
    ];
    for (name, request, status) in cases {
        let mut stream = TcpStream::connect(app.server.addr()).await.expect("connect");
        stream.write_all(&request).await.expect("write");
        let response = read_response(&mut stream, &mut Vec::new())
            .await
            .unwrap_or_else(|| panic!("{name}: no answer"));
        assert_eq!(response.status, status, "{name}: {response:?}");
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/json"),
            "{name}: {response:?}"
        );
        let body = response.json();
        assert_eq!(body["code"], Value::from(status), "{name}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{name}: {body}"
        );
    }
}

/// A keep-alive request that fails to parse after a good one is still answered in JSON.
#[tokio::test]
async fn a_parse_error_after_a_good_request_is_json_too() {
    let app = TestApp::spawn().await;
    let mut stream = TcpStream::connect(app.server.addr()).await.expect("connect");
    let mut buffer = Vec::new();
    stream
        .write_all(b"GET /_sandbox/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    let first = read_response(&mut stream, &mut buffer).await.expect("first answer");
    assert_eq!(first.status, 200);
    stream
        .write_all(b"GET /\xfe HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    let second = read_response(&mut stream, &mut buffer).await.expect("second answer");
    assert_eq!(second.status, 400);
    assert_eq!(second.json()["code"], Value::from(400), "{second:?}");
}

/// Shutdown with requests in flight on idle keep-alive connections and on busy ones: every
/// request that reached the server gets its answer, then the connections close and the server
/// stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_answers_every_request_that_reached_the_server() {
    let app = TestApp::spawn().await;
    app.slow_down("/public.rsa", 300).await;
    let addr = app.server.addr();
    let request = b"GET /_sandbox/health HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let mut idle = Vec::new();
    for _ in 0..50 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let mut buffer = Vec::new();
        stream.write_all(request).await.expect("write");
        let warm = read_response(&mut stream, &mut buffer).await.expect("warm-up answer");
        assert_eq!(warm.status, 200);
        idle.push((stream, buffer));
    }
    let mut busy = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream
            .write_all(b"GET /public.rsa HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .expect("write");
        busy.push((stream, Vec::new()));
    }
    for (stream, _) in &mut idle {
        stream.write_all(request).await.expect("write");
    }
    let TestApp { server, http } = app;
    drop(http);
    let stopped = tokio::spawn(server.shutdown());
    let mut dropped = 0;
    for (stream, buffer) in idle.iter_mut().chain(busy.iter_mut()) {
        match read_response(stream, buffer).await {
            Some(response) if response.status == 200 => {}
            _ => dropped += 1,
        }
    }
    println!("shutdown: {dropped} of 52 in-flight requests dropped");
    assert_eq!(dropped, 0, "requests that reached the server were dropped");
    for (stream, buffer) in idle.iter_mut().chain(busy.iter_mut()) {
        assert!(
            read_response(stream, buffer).await.is_none(),
            "the connection closes after its last answer"
        );
    }
    tokio::time::timeout(Duration::from_secs(10), stopped)
        .await
        .expect("the server stops")
        .expect("shutdown task");
}

/// The bound on requests in flight (`concurrency_limit`): past it a request waits for a permit
/// and is then served, rather than refused or run anyway. With the one permit held by a slowed
/// request, a health check cannot finish; a request sent then is answered after the slow one
/// (the journal records each bank request once answered, while it holds its permit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_the_in_flight_bound_waits_for_a_permit() {
    let app = TestApp::spawn_with(epay_sandbox::Config {
        concurrency_limit: 1,
        ..epay_sandbox::Config::default()
    })
    .await;
    app.slow_down("/public.rsa", 2_000).await;
    let slow = tokio::spawn(app.http.get(app.url("/public.rsa")).send());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let probe = app
            .http
            .get(app.url("/_sandbox/health"))
            .timeout(Duration::from_millis(250))
            .send()
            .await;
        match probe {
            Err(error) if error.is_timeout() => break,
            Ok(response) => assert_eq!(response.status(), 200),
            Err(error) => panic!("health probe failed: {error}"),
        }
        assert!(
            Instant::now() < deadline && !slow.is_finished(),
            "a health check always got through while the only permit was held"
        );
    }
    let waiting = app
        .http
        .get(app.url("/check-status/payment/transaction/000001"))
        .send()
        .await
        .expect("check-status");
    assert_eq!(waiting.status(), 401, "served once the permit was free");
    assert_eq!(slow.await.expect("task").expect("slow request").status(), 200);
    let journal: Value = app
        .http
        .get(app.url("/_sandbox/journal"))
        .send()
        .await
        .expect("journal")
        .json()
        .await
        .expect("journal JSON");
    let paths: Vec<&str> = journal["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        ["/check-status/payment/transaction/000001", "/public.rsa"],
        "answered in the order they got the permit (the journal lists the newest first)"
    );
}
