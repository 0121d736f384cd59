//! A 3-D Secure session: what the confirm step needs once the cardholder has been to the ACS.

use super::outcome::Outcome;
use super::saved_cards::CardToSave;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One challenge in progress, keyed by its `MD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secure3dSession {
    /// The `md` handed to the merchant (and posted back by the ACS).
    pub md: String,
    /// The `paReq` handed to the merchant.
    pub pa_req: String,
    /// The transaction waiting in NEW.
    pub transaction_id: Uuid,
    /// What happens once the cardholder passes the challenge.
    pub then: Outcome,
    /// The card to save when the payment then succeeds (`cardSave: true`).
    pub card_to_save: Option<CardToSave>,
    /// When the challenge began (sandbox time).
    pub created_at: DateTime<Utc>,
}
