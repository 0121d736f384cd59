//! `GET /hb-cards?invoiceId=`: the Homebank customer's cards (Halyk ID), for the customer's
//! `x-homebank-auth: Bearer <token>` next to the merchant's own bearer token.

use super::error::ApiError;
use super::extract::Bearer;
use super::json::Json;
use crate::engine::Sandbox;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;

/// The header the SDK sends the Homebank token in.
pub const HOMEBANK_AUTH: &str = "x-homebank-auth";

/// Query of `GET /hb-cards`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HomebankCardsQuery {
    /// The payment's invoiceId.
    pub invoice_id: Option<String>,
}

/// The customer's cards (`[HomeBankCard]`).
#[utoipa::path(
    get,
    path = "/hb-cards",
    tag = "ios sdk",
    params(
        ("invoiceId" = String, Query, description = "The payment's invoiceId (the token's, when it is bound to one)", example = "700302"),
        ("x-homebank-auth" = String, Header, description = "`Bearer <token>` of a Homebank customer (fixtures/homebank.json)", example = "Bearer hb-test-token-0001")
    ),
    responses(
        (status = 200, description = "The customer's cards", body = Vec<crate::domain::homebank::HomebankCard>),
        (status = 400, description = "No or a malformed invoiceId, or not the token's invoice (code -1 or 400)", body = crate::wire::errors::ApiError),
        (status = 401, description = "No bearer token or a bad one, or no or an unknown x-homebank-auth (code 401)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn cards(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    headers: HeaderMap,
    Query(query): Query<HomebankCardsQuery>,
) -> Response {
    let Some(invoice_id) = query.invoice_id.filter(|s| !s.trim().is_empty()) else {
        return ApiError::bad_request("invoiceId is required").into_response();
    };
    let homebank_token = headers
        .get(HOMEBANK_AUTH)
        .and_then(|v| v.to_str().ok())
        .map(|v| strip_bearer(v.trim()));
    match sandbox.homebank_cards(&token, homebank_token, invoice_id.trim()) {
        Ok(cards) => Json(cards).into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// `Bearer <token>` → `<token>` (any case of the scheme; a bare token as it is).
fn strip_bearer(value: &str) -> &str {
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => value,
    }
}
