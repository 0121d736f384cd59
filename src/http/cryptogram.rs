//! `POST /_sandbox/cryptogram`: a cryptogram for the sandbox's key, so a test in any language
//! can pay without RSA code of its own. Body `{hpan, expDate, cvc, terminalId}` (strings or
//! numbers; `expDate` as `MMYY` or `MM/YY`; `allowBadLuhn: true` lets a Luhn-invalid number
//! through to test reason 472); answer `{"cryptogram": "<base64>"}`.

use super::error::ApiError;
use super::extract::JsonBody;
use super::json::Json;
use super::json_node::Object;
use super::lenient;
use crate::crypto::{encrypt_cryptogram, CardData};
use crate::engine::Sandbox;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;
use utoipa::ToSchema;

/// The answer: the base64 cryptogram to put in `/payment/cryptopay`'s `cryptogram`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CryptogramResponse {
    /// Standard base64 of the RSA PKCS#1 v1.5 ciphertext.
    pub cryptogram: String,
}

/// Checks the card details and encrypts them with the key served at `/public.rsa`.
#[utoipa::path(
    post,
    path = "/_sandbox/cryptogram",
    tag = "control",
    request_body(content = crate::wire::requests::CryptogramRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "A cryptogram for the sandbox's key", body = CryptogramResponse),
        (status = 400, description = "Bad card data", body = crate::wire::errors::ApiError)
    )
)]
pub async fn create(
    State(sandbox): State<Arc<Sandbox>>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Json<CryptogramResponse>, ApiError> {
    let body = Object::of_map(&body);
    let field = |name: &str| lenient::text(&body, &[name]).unwrap_or_default();
    let card = CardData::checked(
        &field("hpan"),
        &field("expDate"),
        &field("cvc"),
        &field("terminalId"),
        lenient::flag(&body, "allowBadLuhn"),
    )
    .map_err(|error| ApiError::bad_request(error.to_string()))?;
    let cryptogram = encrypt_cryptogram(sandbox.crypto().public_pem(), &card).map_err(|error| {
        tracing::error!(%error, "cryptogram encryption failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, 500, "the sandbox key cannot encrypt")
    })?;
    Ok(Json(CryptogramResponse { cryptogram }))
}
