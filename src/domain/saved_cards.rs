//! Saved cards (`cardSave: true`): what the bank keeps per merchant and customer (`accountId`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A card the payer asked to save, waiting for the payment to succeed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardToSave {
    /// Full card number (never logged, never shown).
    pub pan: String,
    /// Expiry as `MMYY`.
    pub expiry: String,
    /// Cardholder name as entered (`PayerName`).
    pub holder: String,
}

/// A saved card, as `/cards/{accountId}` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedCard {
    /// `cardID` / `ID`.
    pub id: Uuid,
    /// Owning merchant (OAuth client).
    pub client_id: String,
    /// The merchant's customer id.
    pub account_id: String,
    /// The payment that saved it.
    pub transaction_id: Uuid,
    /// Terminal UUID of that payment.
    pub terminal_id: String,
    /// Processing-side terminal number (`Terminal`).
    pub terminal_number: String,
    /// Full card number, kept to replay the test card's behaviour (in state snapshots only;
    /// no API view shows it).
    pub pan: String,
    /// `440563...5096`.
    pub mask: String,
    /// `VISA`, `MasterCard`, `AMEX`.
    pub brand: String,
    /// Issuing bank.
    pub issuer: String,
    /// Expiry as `MMYY`.
    pub expiry: String,
    /// Cardholder name.
    pub holder: String,
    /// Hex SHA-256 of the PAN (`CardHash`).
    pub card_hash: String,
    /// RRN of the saving payment.
    pub reference: String,
    /// intReference of the saving payment.
    pub int_reference: String,
    /// Opaque hex token (`Token`).
    pub token: String,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
    /// False once deactivated.
    pub active: bool,
}

/// Why a saved card cannot be used for a payment or deactivated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SavedCardError {
    /// No such card for this merchant.
    #[error("card {0} not found")]
    NotFound(String),
    /// The card belongs to another customer of the merchant.
    #[error("card {card_id} does not belong to accountId '{account_id}'")]
    OtherCustomer {
        /// The card.
        card_id: String,
        /// The accountId of the request.
        account_id: String,
    },
    /// The card was deactivated.
    #[error("card {0} is deactivated")]
    Deactivated(String),
}

impl SavedCard {
    /// Hex SHA-256 of a PAN, as `CardHash` shows it.
    pub fn hash_pan(pan: &str) -> String {
        hex::encode(Sha256::digest(pan.as_bytes()))
    }

    /// Checks that `account_id` of `client_id` may pay with this card.
    pub fn usable_by(&self, client_id: &str, account_id: &str) -> Result<(), SavedCardError> {
        if self.client_id != client_id {
            return Err(SavedCardError::NotFound(self.id.to_string()));
        }
        if self.account_id != account_id {
            return Err(SavedCardError::OtherCustomer {
                card_id: self.id.to_string(),
                account_id: account_id.to_string(),
            });
        }
        if !self.active {
            return Err(SavedCardError::Deactivated(self.id.to_string()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_hex_sha256() {
        assert_eq!(
            SavedCard::hash_pan(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(SavedCard::hash_pan("4405639704015096").len(), 64);
    }
}
