//! A JSON response body, serialised in one buffer sized for the bank's answers.
//!
//! `axum::Json` starts from a 128-byte buffer behind a `BytesMut` writer and grows it three
//! times for a check-status answer (~900 bytes); this writes into a `Vec` that fits most of
//! ePay's answers at once.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Room for the largest common answer (check-status, a payment receipt) without growing.
const INITIAL_CAPACITY: usize = 1024;

/// A body serialised as `application/json`; a value that cannot be serialised (a bug) is a 500.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut buffer = Vec::with_capacity(INITIAL_CAPACITY);
        match serde_json::to_writer(&mut buffer, &self.0) {
            Ok(()) => ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], buffer).into_response(),
            Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
        }
    }
}
