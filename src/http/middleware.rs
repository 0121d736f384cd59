//! Cross-cutting behaviour: every request body read before routing (so keep-alive survives
//! answers that did not need it), JSON bodies for every error (never axum's plain text; browser
//! pages keep their HTML error pages), one log line per request, and a 500 in ePay's shape
//! should a handler ever panic.

use super::error::ApiError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::any::Any;
use std::time::{Duration, Instant};

/// How much of a request body [`read_body`] accepts, and how long it waits for it.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// Largest body, in bytes.
    pub bytes: usize,
    /// Longest wait for the whole body.
    pub timeout: Duration,
}

/// Reads the whole request body (at most [`BodyLimits::bytes`]) before the request is routed,
/// so a response that never looks at the body (401, 404, 405, a bodiless operation sent `{}`)
/// leaves nothing unread on the connection and keep-alive survives. A body that is too large,
/// too slow or broken is answered in the error shape with `Connection: close`, since the rest
/// of it is still on the wire.
pub async fn read_body(State(limits): State<BodyLimits>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    if axum::body::HttpBody::size_hint(&body).exact() == Some(0) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.bytes as u64) {
        return closing(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            413,
            "request body is too large",
        ));
    }
    let limited = http_body_util::Limited::new(body, limits.bytes);
    let collected = tokio::time::timeout(limits.timeout, http_body_util::BodyExt::collect(limited)).await;
    match collected {
        Ok(Ok(collected)) => {
            next.run(Request::from_parts(parts, Body::from(collected.to_bytes())))
                .await
        }
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => closing(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            413,
            "request body is too large",
        )),
        Ok(Err(_)) => closing(ApiError::bad_request("the request body could not be read")),
        Err(_) => closing(ApiError::new(StatusCode::REQUEST_TIMEOUT, 408, "request took too long")),
    }
}

/// `error` with `Connection: close`.
fn closing(error: ApiError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Unknown route: 404 in the API error shape.
pub async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("no route for {method} {}", uri.path()))
}

/// Replaces any non-JSON error body (405, 408, 413, 415 from the framework and its layers)
/// with `{"code": <status>, "message": "..."}`.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    // A `Uri` clone shares its bytes: the path is only copied out for a 405.
    let uri = request.uri().clone();
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_json || is_html {
        return response;
    }
    let message = match status {
        StatusCode::METHOD_NOT_ALLOWED => format!("method {method} is not allowed on {}", uri.path()),
        StatusCode::PAYLOAD_TOO_LARGE => "request body is too large".to_string(),
        StatusCode::REQUEST_TIMEOUT => "request took too long".to_string(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported content type".to_string(),
        other => other.canonical_reason().unwrap_or("error").to_string(),
    };
    ApiError::new(status, i64::from(status.as_u16()), message).into_response()
}

/// One info line per request: method, path (never the query, which may carry a token), status
/// and latency. Bodies are never logged, so neither are PANs nor CVCs.
pub async fn log_request(request: Request, next: Next) -> Response {
    if !tracing::enabled!(target: "epay_sandbox::request", tracing::Level::INFO) {
        return next.run(request).await;
    }
    let started = Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = next.run(request).await;
    tracing::info!(
        target: "epay_sandbox::request",
        "{method} {} {} {:.1}ms",
        uri.path(),
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// A panic becomes a 500 in the API error shape (and is a bug to report).
pub fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    tracing::error!("a handler panicked");
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, 500, "internal sandbox error").into_response()
}
