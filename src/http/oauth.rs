//! `POST /oauth2/token` and `/epay2/oauth2/token`.

use super::error::OAuthError;
use super::extract::FormFields;
use super::json::Json;
use crate::domain::links::Link;
use crate::domain::tokens::{Grant, TokenError, TokenRequest};
use crate::engine::Sandbox;
use crate::wire::oauth::{PasswordTokenAnswer, TokenAnswer};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Issues a token for any supported grant; the response mirrors the bank's samples exactly.
#[utoipa::path(
    post,
    path = "/oauth2/token",
    tag = "token",
    request_body(content(
        (crate::wire::requests::TokenRequest = "application/x-www-form-urlencoded"),
        (crate::wire::requests::TokenRequest = "multipart/form-data"),
        (crate::wire::requests::TokenRequest = "application/json")
    )),
    responses(
        (status = 200, description = "The token: client-credentials and refresh answers (`TokenAnswer`), password-grant answer (`PasswordTokenAnswer`)", body = crate::wire::oauth::AnyTokenAnswer),
        (status = 400, description = "Missing or invalid field, unknown user, unsupported grant", body = crate::wire::errors::TokenError),
        (status = 401, description = "Unknown client or wrong secret", body = crate::wire::errors::TokenError)
    )
)]
pub async fn token(State(sandbox): State<Arc<Sandbox>>, FormFields(fields): FormFields) -> Response {
    let request = TokenRequest::new(fields);
    for field in ["postLink", "failurePostLink"] {
        if let Err(error) = Link::optional(field, request.get(&[field]).unwrap_or("")) {
            let reason = error.to_string();
            return OAuthError(TokenError::InvalidField { field, reason }).into_response();
        }
    }
    let token = match sandbox.issue_token(&request) {
        Ok(token) => token,
        Err(error) => return OAuthError(error).into_response(),
    };
    let profile = sandbox.profile_for(&token.client_id);
    match (&token.grant, request.get(&["grant_type"])) {
        (_, Some("refresh_token")) => Json(TokenAnswer::refreshed(&token, &profile)).into_response(),
        (Grant::Password { .. }, _) => Json(PasswordTokenAnswer::of(&token)).into_response(),
        _ => Json(TokenAnswer::client_credentials(&token, &profile)).into_response(),
    }
}
