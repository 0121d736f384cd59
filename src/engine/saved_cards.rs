//! Saved cards: saving on a successful payment, listing, deactivating, paying by `cardID`.

use super::Sandbox;
use crate::domain::saved_cards::{CardToSave, SavedCard, SavedCardError};
use crate::domain::tokens::Token;
use crate::domain::transaction::{CardSnapshot, Event, Transaction};
use uuid::Uuid;

impl Sandbox {
    /// Saves the card of a payment for its merchant and accountId and records the `cardID` on
    /// the transaction. Saving the same card again for the same customer gives the same id. (P-12)
    pub fn save_card(&self, tx: &Transaction, card: &CardToSave) -> SavedCard {
        let saved = self.save_card_as(tx, card, &tx.card().to_snapshot());
        let card_id = saved.id.to_string();
        if let Err(error) = self.apply(
            tx.id(),
            Event::CardSaved {
                card_id,
                parties: Vec::new(),
            },
        ) {
            tracing::debug!(id = %tx.id(), %error, "saved card not recorded: the payment moved on");
        }
        saved
    }

    /// Saves `card` for the transaction's merchant and accountId as `shown` (mask, brand,
    /// issuer) without touching the transaction: a transfer saves two cards. (P-12)
    pub fn save_card_as(&self, tx: &Transaction, card: &CardToSave, shown: &CardSnapshot) -> SavedCard {
        let card_hash = SavedCard::hash_pan(&card.pan);
        let existing = self
            .store
            .saved_cards()
            .of_owner(tx.client_id(), tx.order().account_id)
            .into_iter()
            .find(|c| c.active && c.card_hash == card_hash);
        existing.unwrap_or_else(|| {
            let saved = SavedCard {
                id: self.ids.uuid(),
                client_id: tx.client_id().to_string(),
                account_id: tx.order().account_id.to_string(),
                transaction_id: tx.id(),
                terminal_id: tx.terminal_id().to_string(),
                terminal_number: tx.terminal_number().to_string(),
                pan: card.pan.clone(),
                mask: shown.mask.clone(),
                brand: shown.brand.clone(),
                issuer: shown.issuer.clone(),
                expiry: card.expiry.clone(),
                holder: card.holder.clone(),
                card_hash,
                reference: tx.reference().to_string(),
                int_reference: tx.int_reference().to_string(),
                token: hex::encode(self.ids.bytes::<16>()),
                created_at: self.clock.now(),
                active: true,
            };
            self.store.saved_cards().put(saved.clone());
            saved
        })
    }

    /// Every active saved card, newest first (the dashboard).
    pub fn active_saved_cards(&self) -> Vec<SavedCard> {
        let mut cards = self.store.saved_cards().all();
        cards.retain(|c| c.active);
        cards.reverse();
        cards
    }

    /// The active saved cards of `account_id` of the token's client, oldest first.
    pub fn saved_cards_of(&self, token: &Token, account_id: &str) -> Vec<SavedCard> {
        let mut cards = self.store.saved_cards().of_owner(&token.client_id, account_id);
        cards.retain(|c| c.active);
        cards
    }

    /// Deactivates one of the token's client's saved cards.
    pub fn deactivate_card(&self, token: &Token, card_id: &str) -> Result<SavedCard, SavedCardError> {
        let id = self.own_card_id(token, card_id)?;
        match self.store.saved_cards().deactivate(id) {
            Some(Ok(card)) => Ok(card),
            Some(Err(_)) => Err(SavedCardError::Deactivated(card_id.to_string())),
            None => Err(SavedCardError::NotFound(card_id.to_string())),
        }
    }

    /// The saved card `card_id` if `account_id` of the token's client may pay with it.
    pub fn usable_saved_card(
        &self,
        token: &Token,
        account_id: &str,
        card_id: &str,
    ) -> Result<SavedCard, SavedCardError> {
        let id = self.own_card_id(token, card_id)?;
        let card = self
            .store
            .saved_cards()
            .get(id)
            .ok_or_else(|| SavedCardError::NotFound(card_id.to_string()))?;
        card.usable_by(&token.client_id, account_id)?;
        Ok(card)
    }

    fn own_card_id(&self, token: &Token, card_id: &str) -> Result<Uuid, SavedCardError> {
        let not_found = || SavedCardError::NotFound(card_id.to_string());
        let id = Uuid::parse_str(card_id.trim()).map_err(|_| not_found())?;
        self.store
            .saved_cards()
            .get(id)
            .filter(|c| c.client_id == token.client_id)
            .map(|_| id)
            .ok_or_else(not_found)
    }
}
