//! `GET /cards/{accountId}` and `POST /card/deactivate/{cardId}` (spec §3.9).

use super::error::ApiError;
use super::extract::Bearer;
use crate::domain::saved_cards::SavedCard;
use crate::engine::Sandbox;
use crate::fidelity::{self, RequestRefusal};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// The customer's active saved cards, in the bank's PascalCase; `[]` when there are none. (P-11)
pub async fn list(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(account_id): Path<String>,
) -> Json<Value> {
    let cards = sandbox.saved_cards_of(&token, &account_id);
    Json(Value::Array(cards.iter().map(card_view).collect()))
}

/// Deactivates a saved card of the token's client. (P-11)
pub async fn deactivate(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(card_id): Path<String>,
) -> Response {
    match sandbox.deactivate_card(&token, &card_id) {
        Ok(_) => Json(json!({"status": fidelity::CARD_DEACTIVATED})).into_response(),
        Err(error) => {
            let (status, code) = fidelity::request_refusal(RequestRefusal::CardNotUsable);
            ApiError::new(
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
                code,
                error.to_string(),
            )
            .into_response()
        }
    }
}

/// One card as spec §3.9 shows it.
fn card_view(card: &SavedCard) -> Value {
    json!({
        "ID": card.id.to_string(),
        "TransactionId": card.transaction_id.to_string(),
        "MerchantID": card.client_id,
        "CardHash": card.card_hash,
        "CardMask": card.mask,
        "PayerName": card.holder,
        "Reference": card.reference,
        "IntReference": card.int_reference,
        "Token": card.token,
        "Terminal": card.terminal_number,
        "CreatedDate": fidelity::bank_timestamp(card.created_at),
        "PaymentAvailable": card.active,
        "AccountID": card.account_id,
    })
}
