//! `GET /_sandbox/tls/ca.pem`: the CA of the certificate `--tls` generated, for clients to trust.

use crate::engine::Sandbox;
use crate::http::error::ApiError;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// `GET /_sandbox/tls/ca.pem`: the sandbox CA to trust, or 404 when the sandbox serves no
/// generated certificate.
#[utoipa::path(
    get,
    path = "/_sandbox/tls/ca.pem",
    tag = "control",
    responses(
        (status = 200, description = "The CA certificate of --tls", body = String, content_type = "application/x-pem-file"),
        (status = 404, description = "Not serving TLS", body = crate::wire::errors::ApiError)
    )
)]
pub async fn ca_pem(State(sandbox): State<Arc<Sandbox>>) -> Response {
    match sandbox.tls_ca() {
        Some(pem) => ([(header::CONTENT_TYPE, "application/x-pem-file")], pem.to_string()).into_response(),
        None => {
            ApiError::not_found("no sandbox CA: HTTPS is off (--tls) or serves --tls-cert".to_string()).into_response()
        }
    }
}
