//! `GET /cards/{accountId}` and `POST /card/deactivate/{cardId}` (spec §3.9).

use super::error::ApiError;
use super::extract::Bearer;
use crate::engine::Sandbox;
use crate::fidelity::{self, RequestRefusal};
use crate::wire::saved_cards::{DeactivatedView, SavedCardView};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;

/// The customer's active saved cards, in the bank's PascalCase; `[]` when there are none. (P-11)
pub async fn list(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(account_id): Path<String>,
) -> Response {
    let cards = sandbox.saved_cards_of(&token, &account_id);
    Json(cards.iter().map(SavedCardView::of).collect::<Vec<_>>()).into_response()
}

/// Deactivates a saved card of the token's client. (P-11)
pub async fn deactivate(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(card_id): Path<String>,
) -> Response {
    match sandbox.deactivate_card(&token, &card_id) {
        Ok(_) => Json(DeactivatedView::DONE).into_response(),
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
