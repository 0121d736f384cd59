//! `POST /payment/checkgobonus`: the Halyk Go! bonus on the card of a cryptogram.

use super::error::ApiError;
use super::extract::{Bearer, JsonBody};
use super::json::Json;
use crate::engine::Sandbox;
use crate::wire::sdk::GoBonusView;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// The body of `POST /payment/checkgobonus`: the SDK spells the key with a Cyrillic `с`
/// (U+0441), as in cryptopay; the Latin spelling is accepted too. (SDK-04)
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckGoBonusBody {
    /// The card's cryptogram, made for the token's terminal.
    #[serde(rename = "\u{0441}ryptogram", alias = "cryptogram")]
    pub cryptogram: String,
}

/// The card's bonus balance (`GoBonusResponseBody`).
#[utoipa::path(
    post,
    path = "/payment/checkgobonus",
    tag = "ios sdk",
    request_body(content = CheckGoBonusBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The card's Halyk Go! balance", body = crate::wire::sdk::GoBonusView),
        (status = 400, description = "A token without the client's terminal, or a cryptogram that does not open for it (code -1)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn check_go_bonus(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    JsonBody(body): JsonBody<CheckGoBonusBody>,
) -> Response {
    // An RSA-4096 decryption, off the async workers as in cryptopay.
    let balance = tokio::task::spawn_blocking(move || sandbox.go_bonus(&token, &body.cryptogram)).await;
    match balance {
        Ok(Ok(balance)) => Json(GoBonusView::of(balance)).into_response(),
        Ok(Err(error)) => ApiError::from(error).into_response(),
        Err(_) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, 500, "internal sandbox error").into_response(),
    }
}
