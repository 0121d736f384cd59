//! The bank's iOS SDK at launch: `POST /public-profile` (the shop's branding) and
//! `GET /terminals/{id}` (the terminal and its shop), and the error shape every SDK endpoint
//! shares (`{"code", "message"}`, the SDK's `ErrorResponseBody`).

use super::error::ApiError;
use super::extract::{Bearer, JsonBody};
use super::json::Json;
use crate::engine::{Sandbox, SdkError};
use crate::fidelity;
use crate::wire::sdk::{PublicProfileView, TerminalView};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// The body of `POST /public-profile` (the SDK's `PublicProfileRequestBody`; it sends
/// `failureLink` and `postLink`). The links are read and not used: the profile is the shop's.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicProfileRequest {
    /// The payment's failure link.
    #[serde(default)]
    pub failure_link: Option<String>,
    /// The payment's postLink.
    #[serde(default)]
    pub post_link: Option<String>,
    /// The payment's backLink.
    #[serde(default)]
    pub back_link: Option<String>,
    /// The payer's e-mail.
    #[serde(default)]
    pub payer_email: Option<String>,
    /// The payer's phone.
    #[serde(default)]
    pub payer_phone: Option<String>,
}

/// The shop's branding for the SDK's payment screen (`PublicProfileResponseBody`).
#[utoipa::path(
    post,
    path = "/public-profile",
    tag = "ios sdk",
    request_body(content = PublicProfileRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The shop of the token's terminal, else the client's first shop", body = crate::wire::sdk::PublicProfileView),
        (status = 404, description = "The token's client is gone or has no terminal (code 404)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn public_profile(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    JsonBody(_body): JsonBody<PublicProfileRequest>,
) -> Response {
    match sandbox.public_profile(&token) {
        Ok(shop) => Json(PublicProfileView::of(&shop)).into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// The terminal, whether it captures at once, and its shop (`TerminalsResponseBody`).
#[utoipa::path(
    get,
    path = "/terminals/{id}",
    tag = "ios sdk",
    params(("id" = String, Path, description = "Terminal UUID", example = "67e34d63-102f-4bd1-898e-370781d0074d")),
    responses(
        (status = 200, description = "The terminal and its shop", body = crate::wire::sdk::TerminalView),
        (status = 404, description = "No terminal of the token's client with this id (code 404)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn terminal(State(sandbox): State<Arc<Sandbox>>, Bearer(token): Bearer, Path(id): Path<String>) -> Response {
    match sandbox.terminal_info(&token, &id) {
        Ok(info) => Json(TerminalView::of(&info)).into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

impl From<SdkError> for ApiError {
    fn from(error: SdkError) -> Self {
        let refusal = |kind, message: String| {
            let (status, code) = fidelity::request_refusal(kind);
            ApiError::new(
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
                code,
                message,
            )
        };
        match error {
            SdkError::Invalid(message) => refusal(fidelity::RequestRefusal::Invalid, message),
            SdkError::TokenMismatch(message) => refusal(fidelity::RequestRefusal::TokenMismatch, message),
            SdkError::Refused { kind, message } => refusal(kind, message),
            SdkError::NotFound(message) => ApiError::not_found(message),
            SdkError::Unauthorized(message) => ApiError::new(StatusCode::UNAUTHORIZED, 401, message),
        }
    }
}
