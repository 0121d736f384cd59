//! Halyk Go! bonuses: a balance per card, part of which a payment with `useBonus` spends.

use super::money::Amount;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A card's bonus balance, as `fixtures/bonuses.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BonusAccount {
    /// The card number.
    pub pan: String,
    /// Balance in KZT.
    pub go_bonus: Amount,
}

/// One payment's use of a card's bonus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BonusSpend {
    /// The transaction that spent it.
    #[schema(value_type = String)]
    pub transaction_id: Uuid,
    /// The card, masked.
    pub card_mask: String,
    /// How much.
    pub amount: Amount,
    /// When (sandbox time).
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// Whether it went back to the card because the payment failed.
    pub returned: bool,
}

/// The bonus records a state file carries: every card's balance as it is now, and what each
/// payment spent (with the card it was taken from, so a later failure can give it back).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BonusRecords {
    /// Balances by card number.
    #[serde(default)]
    pub balances: Vec<BonusAccount>,
    /// Spends, each with the card number it was taken from.
    #[serde(default)]
    pub spends: Vec<(String, BonusSpend)>,
}

impl BonusRecords {
    /// Whether there is nothing to carry.
    pub fn is_empty(&self) -> bool {
        self.balances.is_empty() && self.spends.is_empty()
    }
}

/// How much of a payment of `amount` a balance of `balance` covers: all of it when the balance
/// is enough, the whole balance otherwise (the SDK's BonusView shows the same split).
pub fn bonus_part(balance: Amount, amount: Amount) -> Amount {
    balance.min(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bonus_covers_at_most_the_amount() {
        let units = Amount::from_units;
        assert_eq!(bonus_part(units(1500), units(1000)), units(1000));
        assert_eq!(bonus_part(units(300), units(1000)), units(300));
        assert_eq!(bonus_part(Amount::ZERO, units(1000)), Amount::ZERO);
    }
}
