//! `POST /operation/{id}/charge|cancel|refund`: the merchant's operations on a payment (spec §3.5).
//!
//! `{id}` is the ePay transaction id. Success is HTTP 200 with an empty body; a refusal is
//! HTTP 400 with `{"code": 100, "message": "..."}` (docs/fidelity.md F-05, OP-01). `amount` and
//! `externalID` come from the query, a JSON body or a form body, in that order (OP-04).

use super::error::ApiError;
use super::extract::{json_or_form, Bearer};
use super::lenient::serde_lenient;
use crate::domain::money::Amount;
use crate::domain::transaction::Event;
use crate::domain::validation::check_field_length;
use crate::engine::{OperateError, Sandbox};
use crate::fidelity;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

/// `amount` and `externalID` of an operation, as one source (query, JSON body or form body)
/// gives them.
#[derive(Debug, Default, Deserialize)]
pub struct OperationParams {
    /// Amount to charge or refund; the whole (remaining) amount when absent.
    #[serde(default, deserialize_with = "serde_lenient::amount")]
    pub amount: Option<Amount>,
    /// The merchant's refund id (OP-02).
    #[serde(
        default,
        rename = "externalID",
        alias = "externalId",
        deserialize_with = "serde_lenient::text"
    )]
    pub external_id: Option<String>,
}

impl OperationParams {
    /// Each field from `self` when given, else from `other`.
    fn or(self, other: OperationParams) -> OperationParams {
        OperationParams {
            amount: self.amount.or(other.amount),
            external_id: self.external_id.or(other.external_id),
        }
    }
}

/// The operation's parameters from the query, a JSON body or a form body, in that order of
/// precedence (OP-04). A query or body that cannot be read is refused in the operations' error
/// shape, before the engine sees anything.
#[derive(Debug, Default)]
pub struct OperationInput(pub OperationParams);

impl<S: Send + Sync> FromRequest<S> for OperationInput {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let query = req.uri().query().unwrap_or("").to_string();
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| operation_error(format!("cannot read body: {}", e.body_text())))?;
        let from_query: OperationParams =
            serde_urlencoded::from_str(&query).map_err(|e| operation_error(format!("query: {e}")))?;
        let from_body: OperationParams = json_or_form(content_type.as_deref(), &body).map_err(operation_error)?;
        let params = from_query.or(from_body);
        if let Some(external) = &params.external_id {
            check_field_length("externalID", external).map_err(|e| operation_error(e.to_string()))?;
        }
        Ok(OperationInput(params))
    }
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
    request_body(content(
        (Option<crate::wire::requests::OperationAmount> = "application/json"),
        (crate::wire::requests::OperationAmount = "application/x-www-form-urlencoded")
    )),
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
    OperationInput(params): OperationInput,
) -> Response {
    let result = transaction_id(&id).and_then(|id| {
        sandbox
            .operate_as(&token, id, Event::Charge(params.amount))
            .map_err(refusal)
    });
    respond(result.map(|_| ()))
}

/// Releases an AUTH. The body is read like the others' (and refused alike when it is neither
/// JSON nor a form), though a cancel takes no amount.
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
pub async fn cancel(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(id): Path<String>,
    OperationInput(_): OperationInput,
) -> Response {
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
    request_body(content(
        (Option<crate::wire::requests::OperationAmount> = "application/json"),
        (crate::wire::requests::OperationAmount = "application/x-www-form-urlencoded")
    )),
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
    OperationInput(params): OperationInput,
) -> Response {
    let result = transaction_id(&id).and_then(|id| {
        sandbox
            .refund_as(&token, id, params.amount, params.external_id.as_deref())
            .map_err(refusal)
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
