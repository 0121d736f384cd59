//! Error responses in the shapes ePay uses.
//!
//! - API calls: non-2xx with `{"code": <int>, "message": "..."}` (spec §4.1);
//! - the token endpoint: the same, plus the RFC 6749 `error`/`error_description` pair, since
//!   the bank's body is undocumented and clients read either (docs/fidelity.md F-08).

use super::json::Json;
use crate::domain::tokens::TokenError;
use crate::engine::AuthError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// An error answered as `{"code", "message"}` (plus any extra fields the endpoint adds).
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    body: Map<String, Value>,
}

impl ApiError {
    /// An error with an HTTP status, an ePay `code` and a message.
    pub fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        let mut body = Map::new();
        body.insert("code".into(), Value::from(code));
        body.insert("message".into(), Value::from(message.into()));
        ApiError { status, body }
    }

    /// A malformed request: HTTP 400 with `code` 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 400, message)
    }

    /// Nothing at this path/id: HTTP 404 with `code` 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, 404, message)
    }

    /// Adds a field to the body (e.g. `invoiceId`, `accountId` of the cryptopay error shape).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.body.insert(key.to_string(), value.into());
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(Value::Object(self.body))).into_response()
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, 401, error.to_string())
    }
}

/// A refused token request.
#[derive(Debug, Clone)]
pub struct OAuthError(pub TokenError);

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let (status, error) = match &self.0 {
            TokenError::InvalidClient => (StatusCode::UNAUTHORIZED, "invalid_client"),
            TokenError::InvalidUser | TokenError::InvalidRefreshToken => (StatusCode::BAD_REQUEST, "invalid_grant"),
            TokenError::UnsupportedGrant(_) => (StatusCode::BAD_REQUEST, "unsupported_grant_type"),
            TokenError::MissingField(_) | TokenError::InvalidField { .. } | TokenError::ForeignTerminal(_) => {
                (StatusCode::BAD_REQUEST, "invalid_request")
            }
        };
        let message = self.0.to_string();
        let body = json!({
            "code": status.as_u16(),
            "message": message,
            "error": error,
            "error_description": message,
        });
        (status, Json(body)).into_response()
    }
}
