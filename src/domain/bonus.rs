//! Halyk Go! bonuses: a balance per card, part of which a payment with `useBonus` spends.

use super::money::Amount;
use serde::{Deserialize, Serialize};

/// A card's bonus balance, as `fixtures/bonuses.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BonusAccount {
    /// The card number.
    pub pan: String,
    /// Balance in KZT.
    pub go_bonus: Amount,
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
