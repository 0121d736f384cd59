//! Cross-cutting behaviour, in one layer so that a request pays for one boxed future and one
//! clone of the service below instead of one per concern: every request body read before
//! routing (so keep-alive survives answers that did not need it), one deadline for the whole
//! request, a bound on requests in flight, the control plane's guard or the fault rules and
//! journal, JSON bodies for every error (never axum's plain text; browser pages keep their HTML
//! error pages), the `api.cors` switch, one log line per request, and a 500 in ePay's shape
//! should a handler ever panic.

use super::error::ApiError;
use super::{control, faults, fidelity_control};
use crate::control::faults::is_control_path;
use crate::engine::Sandbox;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::any::Any;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// What the edge layer needs: the sandbox (guard, fault rules, journal, fidelity profile) and
/// the request limits.
#[derive(Debug, Clone)]
pub struct Edge {
    /// The sandbox the requests go to.
    pub sandbox: Arc<Sandbox>,
    /// Body size and request time limits.
    pub limits: BodyLimits,
    /// Permits for requests in flight (config `concurrency_limit`); a request past the limit
    /// waits for one, within its deadline.
    pub in_flight: Arc<Semaphore>,
}

/// How much of a request body the edge accepts, and how long a whole request may take.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// Largest body, in bytes.
    pub bytes: usize,
    /// Longest time from the request head to the response head, body read included.
    pub timeout: Duration,
}

/// Every request's way in and out (see the module comment): requests under `/_sandbox` pass the
/// control plane's guard, the others the fault rules and the journal.
pub async fn edge(State(edge): State<Edge>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + edge.limits.timeout;
    let method = request.method().clone();
    // A `Uri` clone shares its bytes: the path is only copied out for a 405.
    let uri = request.uri().clone();
    let response = match read_body(edge.limits.bytes, deadline, request).await {
        Err(refused) => refused,
        Ok(request) => match tokio::time::timeout_at(deadline, edge.in_flight.acquire()).await {
            Ok(Ok(_permit)) => route(&edge, deadline, request, next).await,
            Ok(Err(_closed)) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, 503, "the sandbox is stopping").into_response()
            }
            Err(_) => too_slow(),
        },
    };
    let response = fidelity_control::cors_switch(&edge.sandbox, json_errors(&method, &uri, response));
    log_request(&method, &uri, &response, started);
    response
}

/// Sends a request under `/_sandbox` through the control plane's guard, any other through the
/// fault rules and the journal.
async fn route(edge: &Edge, deadline: tokio::time::Instant, request: Request, next: Next) -> Response {
    match request {
        request if is_control_path(request.uri().path()) => {
            tokio::time::timeout_at(deadline, control::guard::guard(&edge.sandbox, request, next))
                .await
                .unwrap_or_else(|_| too_slow())
        }
        request => faults::inject(&edge.sandbox, deadline, request, next).await,
    }
}

/// Reads the whole request body (at most `limit` bytes, by `deadline`) before the request is
/// routed, so a response that never looks at the body (401, 404, 405, a bodiless operation sent
/// `{}`) leaves nothing unread on the connection and keep-alive survives. A body that is too
/// large, too slow or broken is answered in the error shape with `Connection: close`, since the
/// rest of it is still on the wire.
async fn read_body(limit: usize, deadline: tokio::time::Instant, request: Request) -> Result<Request, Response> {
    let (parts, body) = request.into_parts();
    if axum::body::HttpBody::size_hint(&body).exact() == Some(0) {
        return Ok(Request::from_parts(parts, body));
    }
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(closing(too_large()));
    }
    let limited = http_body_util::Limited::new(body, limit);
    match tokio::time::timeout_at(deadline, http_body_util::BodyExt::collect(limited)).await {
        Ok(Ok(collected)) => Ok(Request::from_parts(parts, Body::from(collected.to_bytes()))),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => Err(closing(too_large())),
        Ok(Err(_)) => Err(closing(ApiError::bad_request("the request body could not be read"))),
        Err(_) => Err(closing(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            408,
            "request took too long",
        ))),
    }
}

fn too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, 413, "request body is too large")
}

/// The answer to a request that outlived its deadline.
pub(super) fn too_slow() -> Response {
    ApiError::new(StatusCode::REQUEST_TIMEOUT, 408, "request took too long").into_response()
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

/// Replaces any non-JSON error body (405 and 415 from the framework, plain-text rejections of
/// its extractors) with `{"code": <status>, "message": "..."}`.
fn json_errors(method: &Method, uri: &Uri, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if content_type.is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html")) {
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
fn log_request(method: &Method, uri: &Uri, response: &Response, started: Instant) {
    tracing::info!(
        target: "epay_sandbox::request",
        "{method} {} {} {:.1}ms",
        uri.path(),
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
}

/// A panic becomes a 500 in the API error shape (and is a bug to report).
pub fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    tracing::error!("a handler panicked");
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, 500, "internal sandbox error").into_response()
}
