//! `GET /check-status/payment/transaction/{invoiceId}` and the older `GET /operation/{invoiceId}`.

use super::error::ApiError;
use super::extract::Bearer;
use super::json::Json;
use crate::engine::Sandbox;
use crate::fidelity;
use crate::wire::status::{CheckStatus, FlatPaymentView, TransactionView};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Payment status by invoiceId, exactly in the shape of seed 001.
#[utoipa::path(
    get,
    path = "/check-status/payment/transaction/{invoiceId}",
    tag = "status",
    params(("invoiceId" = String, Path, description = "The merchant's order number")),
    responses(
        (status = 200, description = "Found (resultCode 100, or 101 with `status.failed_result=101`), not settled yet (107), and by default (`status.not_found_http=200`) also 102 (no such invoice), 104 (no terminal), 106 (another terminal's invoice) with `transaction` null", body = crate::wire::status::CheckStatus),
        (status = 400, description = "With `status.not_found_http=400`: resultCode 101-106 and 109; `transaction` is null", body = crate::wire::status::CheckStatus)
    ),
    security(("bearer" = []))
)]
pub async fn check_payment(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(invoice_id): Path<String>,
) -> Response {
    let found = sandbox.check_payment_status(&token, &invoice_id);
    let (answer, profile) = (found.answer, found.profile);
    let body = CheckStatus {
        result_code: answer.code,
        result_message: sandbox.fixtures().catalogue.result_message(answer.code),
        transaction: found.transaction.as_ref().map(|tx| TransactionView::of(tx, &profile)),
    };
    (StatusCode::from_u16(answer.http).unwrap_or(StatusCode::OK), Json(body)).into_response()
}

/// The older flat status object (spec §3.7).
#[utoipa::path(
    get,
    path = "/operation/{invoiceId}",
    tag = "status",
    params(("invoiceId" = String, Path, description = "The merchant's order number")),
    responses(
        (status = 200, description = "The payment, flat (spec §3.7)", body = crate::wire::status::FlatPaymentView),
        (status = 400, description = "No payment of this client with this invoiceId (code 100)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn operation(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(invoice_id): Path<String>,
) -> Response {
    match sandbox.find_payment_for_client(&token, &invoice_id) {
        Some(tx) => Json(FlatPaymentView::operation(&tx)).into_response(),
        None => ApiError::new(
            StatusCode::from_u16(fidelity::OPERATION_ERROR_STATUS).unwrap_or(StatusCode::BAD_REQUEST),
            fidelity::OPERATION_ERROR_CODE,
            format!("operation with invoiceId {invoice_id} not found"),
        )
        .into_response(),
    }
}
