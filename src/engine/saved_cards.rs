//! Saved cards: saving on a successful payment, listing, deactivating, paying by `cardID`.

use super::Sandbox;
use crate::domain::saved_cards::{CardToSave, SavedCard, SavedCardError};
use crate::domain::tokens::Token;
use crate::domain::transaction::{CardSnapshot, Transaction};
use uuid::Uuid;

impl Sandbox {
    /// Saves the card of a payment for its merchant and accountId and records the `cardID` on
    /// the transaction. Saving the same card again for the same customer gives the same id. (P-12)
    pub fn save_card(&self, tx: &Transaction, card: &CardToSave) -> SavedCard {
        let saved = self.save_card_as(tx, card, &tx.card);
        let card_id = saved.id.to_string();
        self.store.update(tx.id, |t| t.card.card_id = card_id);
        saved
    }

    /// Saves `card` for the transaction's merchant and accountId as `shown` (mask, brand,
    /// issuer) without touching the transaction: a transfer saves two cards. (P-12)
    pub fn save_card_as(&self, tx: &Transaction, card: &CardToSave, shown: &CardSnapshot) -> SavedCard {
        let card_hash = SavedCard::hash_pan(&card.pan);
        let existing = self
            .store
            .saved_cards(|c| {
                c.active
                    && c.client_id == tx.client_id
                    && c.account_id == tx.order.account_id
                    && c.card_hash == card_hash
            })
            .into_iter()
            .next();
        existing.unwrap_or_else(|| {
            let saved = SavedCard {
                id: self.ids.uuid(),
                client_id: tx.client_id.clone(),
                account_id: tx.order.account_id.clone(),
                transaction_id: tx.id,
                terminal_id: tx.terminal_id.clone(),
                terminal_number: tx.terminal_number.clone(),
                pan: card.pan.clone(),
                mask: shown.mask.clone(),
                brand: shown.brand.clone(),
                issuer: shown.issuer.clone(),
                expiry: card.expiry.clone(),
                holder: card.holder.clone(),
                card_hash,
                reference: tx.reference.clone(),
                int_reference: tx.int_reference.clone(),
                token: hex::encode(self.ids.bytes::<16>()),
                created_at: self.clock.now(),
                active: true,
            };
            self.store.put_saved_card(saved.clone());
            saved
        })
    }

    /// The active saved cards of `account_id` of the token's client, oldest first.
    pub fn saved_cards_of(&self, token: &Token, account_id: &str) -> Vec<SavedCard> {
        self.store
            .saved_cards(|c| c.active && c.client_id == token.client_id && c.account_id == account_id)
    }

    /// Deactivates one of the token's client's saved cards.
    pub fn deactivate_card(&self, token: &Token, card_id: &str) -> Result<SavedCard, SavedCardError> {
        let id = self.own_card_id(token, card_id)?;
        self.store
            .update_saved_card(id, |card| {
                if !card.active {
                    return Err(SavedCardError::Deactivated(card_id.to_string()));
                }
                card.active = false;
                Ok(card.clone())
            })
            .ok_or_else(|| SavedCardError::NotFound(card_id.to_string()))?
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
            .saved_card(id)
            .ok_or_else(|| SavedCardError::NotFound(card_id.to_string()))?;
        card.usable_by(&token.client_id, account_id)?;
        Ok(card)
    }

    fn own_card_id(&self, token: &Token, card_id: &str) -> Result<Uuid, SavedCardError> {
        let not_found = || SavedCardError::NotFound(card_id.to_string());
        let id = Uuid::parse_str(card_id.trim()).map_err(|_| not_found())?;
        self.store
            .saved_card(id)
            .filter(|c| c.client_id == token.client_id)
            .map(|_| id)
            .ok_or_else(not_found)
    }
}
