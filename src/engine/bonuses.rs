//! Halyk Go! bonuses: `POST /payment/checkgobonus` reads a card's balance from its cryptogram;
//! a cryptopay with `useBonus: true` pays part of the amount with it (the transaction's
//! `amountBonus`), and a payment that fails gives it back.

use super::attempt::CryptogramFor;
use super::sdk::SdkError;
use super::Sandbox;
use crate::domain::money::Amount;
use crate::domain::tokens::Token;
use crate::domain::transaction::{Event, Transaction};
use crate::store::BonusSpend;

impl Sandbox {
    /// The bonus balance of the card in `cryptogram`, made for the token's terminal.
    pub fn go_bonus(&self, token: &Token, cryptogram: &str) -> Result<Amount, SdkError> {
        let terminal = self.token_terminal(token)?;
        let card = self.open_cryptogram(cryptogram, &terminal, CryptogramFor::Payment)?;
        Ok(self.store.bonuses().balance(&card.hpan))
    }

    /// Spends the card's bonus on a NEW payment: takes the part of the amount the balance
    /// covers and records it on the transaction as `amountBonus`.
    pub(super) fn spend_bonus(&self, tx: &Transaction, pan: &str) {
        let spend = BonusSpend {
            transaction_id: tx.id(),
            card_mask: tx.card().mask.to_string(),
            amount: Amount::ZERO,
            at: self.clock.now(),
            returned: false,
        };
        let part = self.store.bonuses().spend(pan, tx.org_amount(), spend);
        if part.is_zero() {
            return;
        }
        if let Err(error) = self.apply(tx.id(), Event::SpendBonus(part)) {
            tracing::warn!(id = %tx.id(), %error, "bonus not recorded; given back");
            self.store.bonuses().give_back(tx.id());
        }
    }

    /// Gives the bonus of a payment that ended in failure back to its card (once).
    pub(super) fn settle_bonus(&self, tx: &Transaction) {
        if tx.status().is_failure() && !tx.amount_bonus().is_zero() {
            self.store.bonuses().give_back(tx.id());
        }
    }

    /// A card's bonus balance now.
    pub fn bonus_balance(&self, pan: &str) -> Amount {
        self.store.bonuses().balance(pan)
    }

    /// Every card's bonus balance now, by card number.
    pub fn bonus_balances(&self) -> Vec<(String, Amount)> {
        self.store.bonuses().balances()
    }

    /// What payments spent, newest first.
    pub fn bonus_spends(&self) -> Vec<BonusSpend> {
        self.store.bonuses().spends()
    }

    /// Puts the fixtures' bonus balances back.
    pub(super) fn load_bonuses(&self) {
        for account in &self.fixtures.bonuses {
            self.store.bonuses().set_balance(&account.pan, account.go_bonus);
        }
    }
}
