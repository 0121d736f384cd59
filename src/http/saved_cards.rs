//! `GET /cards/{accountId}` and `POST /card/deactivate/{cardId}` (spec §3.9).

use super::error::ApiError;
use super::extract::Bearer;
use super::json::Json;
use crate::engine::Sandbox;
use crate::fidelity::{self, RequestRefusal};
use crate::wire::saved_cards::{DeactivatedView, SavedCardView};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The customer's active saved cards, in the bank's PascalCase; `[]` when there are none. (P-11)
#[utoipa::path(
    get,
    path = "/cards/{accountId}",
    tag = "saved cards",
    params(("accountId" = String, Path, description = "The merchant's customer id")),
    responses(
        (status = 200, description = "The customer's active saved cards; `[]` when none", body = Vec<crate::wire::saved_cards::SavedCardView>)
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(account_id): Path<String>,
) -> Response {
    let cards = sandbox.saved_cards_of(&token, &account_id);
    Json(cards.iter().map(SavedCardView::of).collect::<Vec<_>>()).into_response()
}

/// Deactivates a saved card of the token's client. (P-11)
#[utoipa::path(
    post,
    path = "/card/deactivate/{cardId}",
    tag = "saved cards",
    params(("cardId" = String, Path, description = "The saved card's id")),
    responses(
        (status = 200, description = "Deactivated", body = crate::wire::saved_cards::DeactivatedView),
        (status = 400, description = "Unknown or another client's card (code -1)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
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
