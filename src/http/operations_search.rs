//! `POST /operations` and `POST /p2p/operations`: paged searches with a password-grant token
//! (spec §3.8). Answer: `{"data": [...], "total", "page", "size"}`, items shaped like the
//! check-status transaction objects. (T-12)

use super::error::ApiError;
use super::extract::{Bearer, JsonBody};
use super::status::transaction_view;
use super::transfers::p2p_view;
use crate::domain::transaction::{Transaction, TransactionKind};
use crate::engine::{Sandbox, SearchRefusal};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// Payments of the token's client.
pub async fn payments(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    JsonBody(body): JsonBody<Value>,
) -> Response {
    render(
        sandbox.search_operations(&token, TransactionKind::Payment, &body),
        transaction_view,
    )
}

/// Transfers of the token's client.
pub async fn transfers(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    JsonBody(body): JsonBody<Value>,
) -> Response {
    render(
        sandbox.search_operations(&token, TransactionKind::Transfer, &body),
        p2p_view,
    )
}

fn render(
    result: Result<
        (
            crate::domain::search::SearchQuery,
            crate::domain::search::SearchPage<Transaction>,
        ),
        SearchRefusal,
    >,
    view: fn(&Transaction) -> Value,
) -> Response {
    match result {
        Ok((query, page)) => Json(json!({
            "data": page.items.iter().map(view).collect::<Vec<_>>(),
            "total": page.total,
            "page": query.skip,
            "size": query.size,
        }))
        .into_response(),
        Err(refusal @ SearchRefusal::NeedsPasswordToken) => {
            ApiError::new(StatusCode::UNAUTHORIZED, 401, refusal.to_string()).into_response()
        }
        Err(SearchRefusal::BadQuery(error)) => {
            ApiError::new(StatusCode::BAD_REQUEST, -1, error.to_string()).into_response()
        }
    }
}
