//! QR bills by bill number and by the access token they were generated with.

use super::records::Records;
use super::StoreMap;
use crate::domain::qr::QrBill;

/// QR bills.
#[derive(Debug, Default)]
pub struct QrBillStore {
    bills: Records<String, QrBill>,
    by_token: StoreMap<String, String>,
}

impl QrBillStore {
    /// Stores (or replaces) a bill.
    pub fn put(&self, bill: QrBill) {
        self.by_token
            .insert(bill.access_token.clone(), bill.bill_number.clone());
        self.bills.put(bill.bill_number.clone(), bill, |gone| self.forget(gone));
    }

    fn forget(&self, gone: &QrBill) {
        self.by_token
            .remove_if(&gone.access_token, |_, number| *number == gone.bill_number);
    }

    /// Removes the bills for which `matches` holds (a partial reset).
    pub fn remove_where(&self, matches: impl Fn(&QrBill) -> bool) -> usize {
        self.bills.remove_where(matches, |gone| self.forget(gone))
    }

    /// A bill by number.
    pub fn get(&self, bill_number: &str) -> Option<QrBill> {
        self.bills.get(&bill_number.to_string())
    }

    /// The latest bill generated with an access token.
    pub fn of_token(&self, access_token: &str) -> Option<QrBill> {
        let number = self.by_token.get(access_token)?.clone();
        self.get(&number)
    }

    /// Changes a bill in place.
    pub fn update<R>(&self, bill_number: &str, change: impl FnOnce(&mut QrBill) -> R) -> Option<R> {
        self.bills.update(&bill_number.to_string(), change)
    }

    /// Every bill, oldest first.
    pub fn all(&self) -> Vec<QrBill> {
        self.bills.all_by(|b| (b.created_at, b.bill_number.clone()))
    }

    /// Forgets every bill.
    pub fn clear(&self) {
        self.bills.clear();
        self.by_token.clear();
    }
}
