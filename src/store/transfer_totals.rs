//! What completed transfers moved per limit key and bank day: the daily limits read one entry
//! instead of summing every stored transfer.

use super::StoreMap;
use crate::domain::money::Amount;
use chrono::NaiveDate;

/// Daily totals of completed transfers, keyed by a limit key (a terminal, a receiver card's
/// hash, a phone) and the bank day.
#[derive(Debug, Default)]
pub struct TransferTotals {
    totals: StoreMap<(String, NaiveDate), Amount>,
}

impl TransferTotals {
    /// What transfers counted under `key` moved on `day`.
    pub fn get(&self, key: &str, day: NaiveDate) -> Amount {
        self.totals.get(&(key.to_string(), day)).map_or(Amount::ZERO, |a| *a)
    }

    /// Counts `amount` under `key` on `day`.
    pub fn add(&self, key: &str, day: NaiveDate, amount: Amount) {
        let mut total = self.totals.entry((key.to_string(), day)).or_insert(Amount::ZERO);
        *total = total.saturating_add(amount);
    }

    /// Takes `amount` back off (the transfer was removed by a partial reset).
    pub fn subtract(&self, key: &str, day: NaiveDate, amount: Amount) {
        if let Some(mut total) = self.totals.get_mut(&(key.to_string(), day)) {
            *total = total.checked_sub(amount).unwrap_or(Amount::ZERO);
        }
        self.totals.remove_if(&(key.to_string(), day), |_, a| a.is_zero());
    }

    /// Forgets every total.
    pub fn clear(&self) {
        self.totals.clear();
    }
}
