//! Saved-card views: `GET /cards/{accountId}` items in the bank's PascalCase and the deactivation
//! answer (spec §3.9).

use crate::domain::saved_cards::SavedCard;
use crate::fidelity;
use serde::Serialize;
use utoipa::ToSchema;

/// One saved card as spec §3.9 shows it. (P-11)
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SavedCardView<'a> {
    #[serde(rename = "ID")]
    id: String,
    transaction_id: String,
    #[serde(rename = "MerchantID")]
    merchant_id: &'a str,
    card_hash: &'a str,
    card_mask: &'a str,
    payer_name: &'a str,
    reference: &'a str,
    int_reference: &'a str,
    token: &'a str,
    terminal: &'a str,
    created_date: String,
    payment_available: bool,
    #[serde(rename = "AccountID")]
    account_id: &'a str,
}

impl<'a> SavedCardView<'a> {
    /// The view of `card`.
    pub fn of(card: &'a SavedCard) -> Self {
        SavedCardView {
            id: card.id.to_string(),
            transaction_id: card.transaction_id.to_string(),
            merchant_id: &card.client_id,
            card_hash: &card.card_hash,
            card_mask: &card.mask,
            payer_name: &card.holder,
            reference: &card.reference,
            int_reference: &card.int_reference,
            token: &card.token,
            terminal: &card.terminal_number,
            created_date: fidelity::bank_timestamp(card.created_at),
            payment_available: card.active,
            account_id: &card.account_id,
        }
    }
}

/// `{"status": ...}` of `POST /card/deactivate/{cardId}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeactivatedView {
    /// The bank's confirmation text.
    pub status: &'static str,
}

impl DeactivatedView {
    /// The one answer.
    pub const DONE: DeactivatedView = DeactivatedView {
        status: fidelity::CARD_DEACTIVATED,
    };
}
