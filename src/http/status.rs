//! `GET /check-status/payment/transaction/{invoiceId}` and the older `GET /operation/{invoiceId}`.

use super::error::ApiError;
use super::extract::Bearer;
use crate::domain::transaction::Transaction;
use crate::engine::Sandbox;
use crate::fidelity::{self, check_status_result};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// Payment status by invoiceId, exactly in the shape of seed 001.
pub async fn check_payment(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(invoice_id): Path<String>,
) -> Response {
    let lookup = sandbox.check_payment_status(&token, &invoice_id);
    let (http, code) = check_status_result(lookup.outcome);
    let body = json!({
        "resultCode": code,
        "resultMessage": sandbox.fixtures().catalogue.result_message(code),
        "transaction": lookup.transaction.as_ref().map(transaction_view),
    });
    (StatusCode::from_u16(http).unwrap_or(StatusCode::OK), Json(body)).into_response()
}

/// The older flat status object (spec §3.7).
pub async fn operation(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(invoice_id): Path<String>,
) -> Response {
    match sandbox.find_payment_for_client(&token, &invoice_id) {
        Some(tx) => Json(flat_view(&tx)).into_response(),
        None => ApiError::new(
            StatusCode::from_u16(fidelity::OPERATION_ERROR_STATUS).unwrap_or(StatusCode::BAD_REQUEST),
            fidelity::OPERATION_ERROR_CODE,
            format!("operation with invoiceId {invoice_id} not found"),
        )
        .into_response(),
    }
}

/// The `transaction` object of check-status, field for field as the bank's sample.
pub fn transaction_view(tx: &Transaction) -> Value {
    json!({
        "id": tx.id().to_string(),
        "createdDate": fidelity::bank_timestamp(tx.created_at()),
        "invoiceID": tx.order().invoice_id,
        "amount": tx.amount(),
        "amountBonus": tx.amount_bonus(),
        "payoutAmount": tx.refunded(),
        "orgAmount": tx.org_amount(),
        "approvalCode": tx.approval_code(),
        "data": tx.order().data,
        "currency": tx.order().currency,
        "terminal": tx.terminal_number(),
        "terminalID": tx.terminal_id(),
        "accountID": tx.order().account_id,
        "description": tx.order().description,
        "language": fidelity::display_language(&tx.order().language),
        "cardMask": tx.card().mask,
        "cardType": tx.card().brand,
        "issuer": tx.card().issuer,
        "reference": tx.reference(),
        "reason": tx.reason(),
        "reasonCode": reason_code_string(tx.reason_code()),
        "intReference": tx.int_reference(),
        "secure": tx.secure(),
        "statusID": tx.status_id().to_string(),
        "statusName": tx.status().as_str(),
        "name": tx.order().name,
        "email": tx.order().email,
        "phone": tx.order().phone,
        "cardID": tx.card().card_id,
        "xlsRRN": "",
        "ip": tx.ip(),
        "ipCountry": fidelity::PAYER_COUNTRY,
        "ipCity": fidelity::PAYER_CITY,
        "ipRegion": "",
        "ipDistrict": "",
        "ipLatitude": fidelity::PAYER_LATITUDE,
        "ipLongitude": fidelity::PAYER_LONGITUDE,
    })
}

/// `reasonCode` in check-status is a string, success as `"00"` like the sample. (F-09)
pub fn reason_code_string(code: i32) -> String {
    if code == 0 {
        "00".into()
    } else {
        code.to_string()
    }
}

fn flat_view(tx: &Transaction) -> Value {
    json!({
        "id": tx.id().to_string(),
        "dateTime": fidelity::bank_datetime(tx.created_at()),
        "invoiceId": tx.order().invoice_id,
        "amount": tx.amount(),
        "currency": tx.order().currency,
        "terminal": tx.terminal_number(),
        "accountId": tx.order().account_id,
        "description": tx.order().description,
        "language": fidelity::display_language(&tx.order().language),
        "cardMask": tx.card().mask,
        "cardType": tx.card().brand,
        "issuer": tx.card().issuer,
        "reference": tx.reference(),
        "secure": tx.secure().to_string(),
        "code": tx.status().as_str(),
        "reason": tx.reason(),
        "reasonCode": tx.reason_code(),
        "name": tx.order().name,
        "email": tx.order().email,
        "phone": tx.order().phone,
        "ip": tx.ip(),
        "ipCountry": fidelity::PAYER_COUNTRY,
        "ipCity": fidelity::PAYER_CITY,
        "ipRegion": "",
        "ipDistrict": "",
        "ipLongitude": fidelity::PAYER_LONGITUDE,
        "ipLatitude": fidelity::PAYER_LATITUDE,
        "cardId": tx.card().card_id,
    })
}
