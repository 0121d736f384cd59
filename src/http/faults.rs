//! The control plane's layer on the ePay routes: journals every request and plays the latency
//! and fault rules (`/_sandbox/faults`). Requests to `/_sandbox/*` pass untouched.

use super::error::ApiError;
use crate::control::faults::{is_control_path, Fault};
use crate::control::journal::JournalEntry;
use crate::engine::Sandbox;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Journals the request and applies any fault rule that hits it.
pub async fn inject(State(sandbox): State<Arc<Sandbox>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if is_control_path(&path) {
        return next.run(request).await;
    }
    let started = Instant::now();
    let at = sandbox.clock().now();
    let method = request.method().to_string();
    let decision = sandbox.control().faults.decide(&method, &path);
    if decision.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(decision.delay_ms)).await;
    }
    let (response, fault) = match decision.fault {
        Some(Fault::Status { status, body }) => (faulty_status(status, body), Some(format!("status {status}"))),
        Some(Fault::Reset) => (connection_reset(), Some("reset".to_string())),
        None => {
            let label = (decision.delay_ms > 0).then(|| format!("latency {}ms", decision.delay_ms));
            (next.run(request).await, label)
        }
    };
    sandbox.control().journal.record(JournalEntry {
        seq: 0,
        at,
        method,
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
