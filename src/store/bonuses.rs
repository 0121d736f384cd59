//! Halyk bonus balances by card, and what each payment spent, by transaction.

use super::StoreMap;
pub use crate::domain::bonus::BonusSpend;
use crate::domain::bonus::{bonus_part, BonusAccount, BonusRecords};
use crate::domain::money::Amount;
use dashmap::mapref::entry::Entry;
use uuid::Uuid;

/// Bonus balances and spends.
#[derive(Debug, Default)]
pub struct BonusStore {
    balances: StoreMap<String, Amount>,
    spends: StoreMap<Uuid, (String, BonusSpend)>,
}

impl BonusStore {
    /// Sets a card's balance (fixtures).
    pub fn set_balance(&self, pan: &str, balance: Amount) {
        self.balances.insert(pan.to_string(), balance);
    }

    /// A card's balance (0 for a card without bonus).
    pub fn balance(&self, pan: &str) -> Amount {
        self.balances.get(pan).map_or(Amount::ZERO, |b| *b)
    }

    /// Takes the part of `amount` the card's balance covers off the balance and records it
    /// against `spend.transaction_id`; returns the part. A transaction spends once: a second
    /// call for it takes nothing. The spend is reserved first, then the balance is taken, one
    /// lock at a time.
    pub fn spend(&self, pan: &str, amount: Amount, spend: BonusSpend) -> Amount {
        let id = spend.transaction_id;
        match self.spends.entry(id) {
            Entry::Occupied(_) => return Amount::ZERO,
            Entry::Vacant(free) => {
                free.insert((pan.to_string(), spend));
            }
        }
        let part = match self.balances.get_mut(pan) {
            Some(mut balance) => {
                let part = bonus_part(*balance, amount);
                *balance = balance.checked_sub(part).unwrap_or(Amount::ZERO);
                part
            }
            None => Amount::ZERO,
        };
        if part.is_zero() {
            self.spends.remove(&id);
        } else if let Some(mut entry) = self.spends.get_mut(&id) {
            entry.value_mut().1.amount = part;
        }
        part
    }

    /// Gives a failed payment's bonus back to its card, once; returns how much.
    pub fn give_back(&self, transaction_id: Uuid) -> Option<Amount> {
        let (pan, amount) = {
            let mut entry = self.spends.get_mut(&transaction_id)?;
            let (pan, spend) = entry.value_mut();
            if spend.returned {
                return None;
            }
            spend.returned = true;
            (pan.clone(), spend.amount)
        };
        if let Some(mut balance) = self.balances.get_mut(&pan) {
            *balance = balance.saturating_add(amount);
        }
        Some(amount)
    }

    /// Every card's balance, by card number.
    pub fn balances(&self) -> Vec<(String, Amount)> {
        let mut all: Vec<(String, Amount)> = self.balances.iter().map(|e| (e.key().clone(), *e.value())).collect();
        all.sort();
        all
    }

    /// Every spend, newest first.
    pub fn spends(&self) -> Vec<BonusSpend> {
        let mut all: Vec<BonusSpend> = self.spends.iter().map(|e| e.value().1.clone()).collect();
        all.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.transaction_id.cmp(&a.transaction_id)));
        all
    }

    /// Every balance and spend, in a stable order, for a state file.
    pub fn records(&self) -> BonusRecords {
        let balances = self
            .balances()
            .into_iter()
            .map(|(pan, go_bonus)| BonusAccount { pan, go_bonus })
            .collect();
        let mut spends: Vec<(String, BonusSpend)> = self.spends.iter().map(|e| e.value().clone()).collect();
        spends.sort_by(|a, b| {
            a.1.at
                .cmp(&b.1.at)
                .then_with(|| a.1.transaction_id.cmp(&b.1.transaction_id))
        });
        BonusRecords { balances, spends }
    }

    /// Puts a state file's balances and spends back (a balance replaces the fixtures' one).
    pub fn restore(&self, records: BonusRecords) {
        for account in records.balances {
            self.balances.insert(account.pan, account.go_bonus);
        }
        for (pan, spend) in records.spends {
            self.spends.insert(spend.transaction_id, (pan, spend));
        }
    }

    /// Forgets the spend of a transaction that is gone (evicted or reset).
    pub fn forget(&self, transaction_id: Uuid) {
        self.spends.remove(&transaction_id);
    }

    /// How many spends are recorded.
    pub fn len(&self) -> usize {
        self.spends.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.spends.is_empty()
    }

    /// Forgets every balance and spend.
    pub fn clear(&self) {
        self.balances.clear();
        self.spends.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use proptest::prelude::*;

    proptest! {
        /// Whatever payments spend and give back, no bonus is made or lost: the balance plus
        /// what is still spent is the starting balance, and the balance never goes negative.
        #[test]
        fn bonus_is_conserved(start in 0i64..1_000_000, ops in proptest::collection::vec((0u8..2, 0i64..500_000, 0u128..8), 0..40)) {
            let store = BonusStore::default();
            store.set_balance("card", Amount::from_minor(start));
            for (op, minor, id) in ops {
                match op {
                    0 => { store.spend("card", Amount::from_minor(minor), spend(id)); }
                    _ => { store.give_back(Uuid::from_u128(id)); }
                }
                let outstanding: i64 = store.spends().iter().filter(|s| !s.returned).map(|s| s.amount.minor()).sum();
                prop_assert!(store.balance("card").minor() >= 0);
                prop_assert_eq!(store.balance("card").minor() + outstanding, start);
            }
        }
    }

    fn spend(id: u128) -> BonusSpend {
        BonusSpend {
            transaction_id: Uuid::from_u128(id),
            card_mask: "440563...5096".into(),
            amount: Amount::ZERO,
            at: DateTime::<Utc>::UNIX_EPOCH,
            returned: false,
        }
    }

    #[test]
    fn spending_takes_at_most_the_balance_and_a_failure_gives_it_back_once() {
        let store = BonusStore::default();
        store.set_balance("4405639704015096", Amount::from_units(1500));
        let units = Amount::from_units;
        assert_eq!(store.spend("4405639704015096", units(1000), spend(1)), units(1000));
        assert_eq!(store.spend("4405639704015096", units(1000), spend(2)), units(500));
        assert_eq!(store.balance("4405639704015096"), Amount::ZERO);
        assert_eq!(store.spend("4000000000000000", units(1000), spend(3)), Amount::ZERO);
        assert_eq!(store.len(), 2, "nothing is recorded for a card without bonus");
        assert_eq!(store.give_back(Uuid::from_u128(2)), Some(units(500)));
        assert_eq!(store.give_back(Uuid::from_u128(2)), None);
        assert_eq!(store.balance("4405639704015096"), units(500));
    }
}
