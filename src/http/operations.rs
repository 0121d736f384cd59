//! `POST /operation/{id}/charge|cancel|refund`: the merchant's operations on a payment (spec §3.5).
//!
//! `{id}` is the ePay transaction id. Success is HTTP 200 with an empty body; a refusal is
//! HTTP 400 with `{"code": 100, "message": "..."}` (docs/fidelity.md F-05, OP-01).

use super::error::ApiError;
use super::extract::Bearer;
use crate::domain::money::Amount;
use crate::domain::transaction::Event;
use crate::domain::validation::check_field_length;
use crate::engine::{OperateError, Sandbox};
use crate::fidelity;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

/// Query parameters of charge and refund.
#[derive(Debug, Default, Deserialize)]
pub struct OperationQuery {
    amount: Option<String>,
    #[serde(rename = "externalID", alias = "externalId")]
    external_id: Option<String>,
}

/// Captures an AUTH, fully or partly.
#[utoipa::path(
    post,
    path = "/operation/{id}/charge",
    tag = "operations",
    params(
        ("id" = String, Path, description = "The ePay transaction id (UUID)"),
        ("amount" = Option<String>, Query, description = "Partial amount (or `amount` in a JSON body)")
    ),
    request_body(content = Option<crate::wire::requests::OperationAmount>, content_type = "application/json"),
    responses(
        (status = 200, description = "Captures an AUTH, fully or partly; empty body"),
        (status = 400, description = "Refused: not a UUID, unknown, wrong status, bad amount (code 100)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn charge(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(id): Path<String>,
    Query(query): Query<OperationQuery>,
    body: Bytes,
) -> Response {
    let result = requested_amount(&query, &body).and_then(|amount| {
        let id = transaction_id(&id)?;
        sandbox.operate_as(&token, id, Event::Charge(amount)).map_err(refusal)
    });
    respond(result.map(|_| ()))
}

/// Releases an AUTH.
#[utoipa::path(
    post,
    path = "/operation/{id}/cancel",
    tag = "operations",
    params(("id" = String, Path, description = "The ePay transaction id (UUID)")),
    responses(
        (status = 200, description = "Released; empty body"),
        (status = 400, description = "Refused: not a UUID, unknown, wrong status (code 100)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn cancel(State(sandbox): State<Arc<Sandbox>>, Bearer(token): Bearer, Path(id): Path<String>) -> Response {
    let result = transaction_id(&id).and_then(|id| sandbox.operate_as(&token, id, Event::Cancel).map_err(refusal));
    respond(result.map(|_| ()))
}

/// Returns captured funds, fully or partly; `externalID` is the merchant's refund id.
#[utoipa::path(
    post,
    path = "/operation/{id}/refund",
    tag = "operations",
    params(
        ("id" = String, Path, description = "The ePay transaction id (UUID)"),
        ("amount" = Option<String>, Query, description = "Partial amount (or `amount` in a JSON body)"),
        ("externalID" = Option<String>, Query, description = "The merchant's refund id")
    ),
    request_body(content = Option<crate::wire::requests::OperationAmount>, content_type = "application/json"),
    responses(
        (status = 200, description = "Returns captured funds, fully or partly; empty body"),
        (status = 400, description = "Refused: not a UUID, unknown, wrong status, bad amount (code 100)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn refund(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(id): Path<String>,
    Query(query): Query<OperationQuery>,
    body: Bytes,
) -> Response {
    let result = requested_amount(&query, &body).and_then(|amount| {
        let id = transaction_id(&id)?;
        let external_id = query.external_id.as_deref().map(str::trim).filter(|e| !e.is_empty());
        if let Some(external) = external_id {
            check_field_length("externalID", external).map_err(|e| operation_error(e.to_string()))?;
        }
        sandbox.refund_as(&token, id, amount, external_id).map_err(refusal)
    });
    respond(result.map(|_| ()))
}

fn respond(result: Result<(), ApiError>) -> Response {
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => error.into_response(),
    }
}

fn operation_error(message: impl Into<String>) -> ApiError {
    let status = StatusCode::from_u16(fidelity::OPERATION_ERROR_STATUS).unwrap_or(StatusCode::BAD_REQUEST);
    ApiError::new(status, fidelity::OPERATION_ERROR_CODE, message)
}

fn refusal(error: OperateError) -> ApiError {
    operation_error(error.to_string())
}

fn transaction_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw.trim())
        .map_err(|_| operation_error(format!("'{raw}' is not a transaction id (a UUID is expected)")))
}

/// The amount from `?amount=` and/or a JSON body `{"amount": n}`; both given must agree.
fn requested_amount(query: &OperationQuery, body: &[u8]) -> Result<Option<Amount>, ApiError> {
    let from_query = match query.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(text) => Some(Amount::parse(text).map_err(|e| operation_error(format!("amount: {e}")))?),
        None => None,
    };
    let from_body = body_amount(body)?;
    match (from_query, from_body) {
        (Some(q), Some(b)) if q != b => Err(operation_error(format!(
            "amount in the query ({q}) and in the body ({b}) differ"
        ))),
        (q, b) => Ok(q.or(b)),
    }
}

fn body_amount(body: &[u8]) -> Result<Option<Amount>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| operation_error(format!("invalid JSON body: {e}")))?;
    match value.get("amount") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(amount) => Amount::from_json(amount)
            .map(Some)
            .map_err(|e| operation_error(format!("amount: {e}"))),
    }
}
