//! `GET /check-status/payment/transaction/{invoiceId}` and the older `GET /operation/{invoiceId}`.

use super::error::ApiError;
use super::extract::Bearer;
use crate::engine::Sandbox;
use crate::fidelity;
use crate::wire::status::{CheckStatus, FlatPaymentView, TransactionView};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;

/// Payment status by invoiceId, exactly in the shape of seed 001.
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
