//! Answers shared by the invoice-link, recurrent and QR handlers: a refused request in seed
//! 002's shape, an unknown id, an action that does not fit the record's state, and a control
//! endpoint's success (JSON, or back to the dashboard).

use super::control::respond;
use super::error::ApiError;
use crate::domain::tokens::FieldMap;
use crate::fidelity::{self, RequestRefusal};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A control endpoint's `answer` as JSON, or a 303 back to the dashboard when its form sent
/// `redirect`.
pub fn control_answer(fields: &FieldMap, answer: impl Serialize) -> Response {
    match serde_json::to_value(answer) {
        Ok(body) => respond(fields, body),
        Err(error) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, 500, error.to_string()).into_response(),
    }
}

/// A request refused for its content: `{"code": -1, "message"}` with HTTP 400 (P-07).
pub fn refused(message: impl Into<String>) -> ApiError {
    let (status, code) = fidelity::request_refusal(RequestRefusal::Invalid);
    ApiError::new(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        code,
        message,
    )
}

/// The record named in the path (or body) does not exist for the caller: HTTP 404.
pub fn unknown(message: impl Into<String>) -> ApiError {
    ApiError::not_found(message)
}

/// The record exists but is in a state the action does not fit: HTTP 409 with code 409.
pub fn wrong_state(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, 409, message)
}
