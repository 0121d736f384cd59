//! The control plane's part of every ePay request: journals it and plays the latency and fault
//! rules (`/_sandbox/faults`). The edge layer sends requests to `/_sandbox/*` elsewhere.

use super::error::ApiError;
use super::json::Json;
use crate::control::faults::Fault;
use crate::control::journal::JournalEntry;
use crate::engine::Sandbox;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::{Duration, Instant};

/// Applies any fault rule that hits the request, runs it (a rule's latency included) until
/// `deadline`, and journals the answer.
pub async fn inject(sandbox: &Sandbox, deadline: tokio::time::Instant, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let at = sandbox.clock().now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let decision = sandbox.control().faults.decide(method.as_str(), &path);
    let (response, fault) = match decision.fault {
        Some(Fault::Status { status, body }) => (faulty_status(status, body), Some(format!("status {status}"))),
        Some(Fault::Reset) => (connection_reset(), Some("reset".to_string())),
        None => {
            let label = (decision.delay_ms > 0).then(|| format!("latency {}ms", decision.delay_ms));
            let delayed = async {
                if decision.delay_ms > 0 {
                    tokio::time::sleep(Duration::from_millis(decision.delay_ms)).await;
                }
                next.run(request).await
            };
            let response = tokio::time::timeout_at(deadline, delayed)
                .await
                .unwrap_or_else(|_| super::middleware::too_slow());
            (response, label)
        }
    };
    sandbox.control().journal.record(JournalEntry {
        seq: 0,
        at,
        method: method.as_str().into(),
        path,
        status: response.status().as_u16(),
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        fault,
    });
    response
}

fn faulty_status(status: u16, body: Option<serde_json::Value>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match body {
        Some(body) => (code, Json(body)).into_response(),
        None => ApiError::new(code, i64::from(status), "fault injected by the sandbox").into_response(),
    }
}

/// A response whose body fails at once: hyper then drops the connection mid-message, which the
/// client sees as a reset / incomplete message.
fn connection_reset() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset injected by the sandbox",
        ))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .body(Body::from_stream(failing))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
