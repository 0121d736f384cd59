//! `POST /_sandbox/3ds/{md-or-transactionId}/complete` with `{"result": "approve" | "fail"}`:
//! finishes a pending 3-D Secure challenge without a browser and answers what the ACS would
//! have posted to `TermUrl` (`{"PaRes", "MD", "TermUrl"}`), so a CI test can then call
//! `/payment/confirm` or `confirmPayment` itself. (S-09)

use super::error::ApiError;
use super::extract::JsonBody;
use crate::engine::{Sandbox, Secure3dError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;
use std::sync::Arc;

/// Routes merged into `/_sandbox`.
pub fn routes() -> Router<Arc<Sandbox>> {
    Router::new().route("/_sandbox/3ds/{key}/complete", post(complete))
}

/// Approves (the right code) or fails (cancel) the challenge of an MD or a transaction id.
#[utoipa::path(
    post,
    path = "/_sandbox/3ds/{key}/complete",
    tag = "control",
    params(("key" = String, Path, description = "The MD or transaction id")),
    request_body(content = crate::wire::requests::ChallengeVerdict, content_type = "application/json"),
    responses(
        (status = 200, description = "The challenge's answer", body = Object),
        (status = 400, description = "`result` is not approve/fail", body = crate::wire::errors::ApiError),
        (status = 404, description = "Unknown session", body = crate::wire::errors::ApiError),
        (status = 409, description = "Already answered", body = crate::wire::errors::ApiError)
    )
)]
async fn complete(
    State(sandbox): State<Arc<Sandbox>>,
    Path(key): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Response {
    let approve = match body.get("result").and_then(Value::as_str).map(str::trim) {
        Some(r) if r.eq_ignore_ascii_case("approve") => true,
        Some(r) if r.eq_ignore_ascii_case("fail") => false,
        _ => return ApiError::bad_request("result must be \"approve\" or \"fail\"").into_response(),
    };
    match sandbox.complete_challenge(&key, approve) {
        Ok(reply) => Json(reply).into_response(),
        Err(error @ Secure3dError::UnknownSession(..)) => {
            ApiError::new(StatusCode::NOT_FOUND, 404, error.to_string()).into_response()
        }
        Err(error @ Secure3dError::AlreadyAnswered) => {
            ApiError::new(StatusCode::CONFLICT, 409, error.to_string()).into_response()
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}
