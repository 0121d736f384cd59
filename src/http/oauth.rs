//! `POST /oauth2/token` and `/epay2/oauth2/token`.

use super::error::OAuthError;
use super::extract::FormFields;
use crate::domain::links::Link;
use crate::domain::tokens::{Grant, TokenError, TokenRequest};
use crate::engine::Sandbox;
use crate::fidelity;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;

/// Issues a token for any supported grant; the response mirrors the bank's samples exactly.
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
    let lifetime = (token.expires_at - token.issued_at).num_seconds();
    let body = match (&token.grant, request.get(&["grant_type"])) {
        (_, Some("refresh_token")) => json!({
            "access_token": token.access_token,
            "expires_in": fidelity::expires_in(lifetime),
            "scope": token.scope,
            "token_type": "Bearer",
        }),
        (Grant::Password { .. }, _) => json!({
            "access_token": token.access_token,
            "token_type": "bearer",
            "refresh_token": token.refresh_token,
            "expires_in": lifetime,
        }),
        _ => json!({
            "access_token": token.access_token,
            "expires_in": fidelity::expires_in(lifetime),
            "refresh_token": "",
            "scope": token.scope,
            "token_type": "Bearer",
        }),
    };
    Json(body).into_response()
}
