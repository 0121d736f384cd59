//! `POST /operations` and `POST /p2p/operations`: paged searches with a password-grant token
//! (spec §3.8). Answer: `{"data": [...], "total", "page", "size"}`, items shaped like the
//! check-status transaction objects. (T-12)

use super::error::ApiError;
use super::extract::{Bearer, JsonBody};
use super::json::Json;
use crate::domain::search::{SearchPage, SearchQuery};
use crate::domain::transaction::{Transaction, TransactionKind};
use crate::engine::{Sandbox, SearchRefusal};
use crate::wire::status::TransactionView;
use crate::wire::transfer::P2pView;
use crate::wire::SearchPageView;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

/// Payments of the token's client.
#[utoipa::path(
    post,
    path = "/operations",
    tag = "search",
    request_body(content = crate::wire::requests::SearchRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "A page of matches", body = crate::wire::SearchPageView<crate::wire::status::TransactionView>),
        (status = 400, description = "Bad search parameters (code -1)", body = crate::wire::errors::ApiError),
        (status = 401, description = "No token, or not a password-grant token", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn payments(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    JsonBody(body): JsonBody<Value>,
) -> Response {
    render(
        sandbox.search_operations(&token, TransactionKind::Payment, &body),
        |query, page| {
            let profile = sandbox.profile_for(&token.client_id);
            Json(SearchPageView::new(query, page, |tx| TransactionView::of(tx, &profile))).into_response()
        },
    )
}

/// Transfers of the token's client.
#[utoipa::path(
    post,
    path = "/p2p/operations",
    tag = "search",
    request_body(content = crate::wire::requests::SearchRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "A page of matches", body = crate::wire::SearchPageView<crate::wire::transfer::P2pView>),
        (status = 400, description = "Bad search parameters (code -1)", body = crate::wire::errors::ApiError),
        (status = 401, description = "No token, or not a password-grant token", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn transfers(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    JsonBody(body): JsonBody<Value>,
) -> Response {
    render(
        sandbox.search_operations(&token, TransactionKind::Transfer, &body),
        |query, page| {
            let profile = sandbox.profile_for(&token.client_id);
            Json(SearchPageView::new(query, page, |tx| P2pView::of(tx, &profile))).into_response()
        },
    )
}

fn render(
    result: Result<(SearchQuery, SearchPage<Transaction>), SearchRefusal>,
    answer: impl FnOnce(&SearchQuery, &SearchPage<Transaction>) -> Response,
) -> Response {
    match result {
        Ok((query, page)) => answer(&query, &page),
        Err(refusal @ SearchRefusal::NeedsPasswordToken) => {
            ApiError::new(StatusCode::UNAUTHORIZED, 401, refusal.to_string()).into_response()
        }
        Err(SearchRefusal::BadQuery(error)) => {
            ApiError::new(StatusCode::BAD_REQUEST, -1, error.to_string()).into_response()
        }
    }
}
