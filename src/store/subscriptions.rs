//! Recurrent-payment subscriptions by id and by the transaction they were made on.

use super::records::Records;
use super::StoreMap;
use crate::domain::recurrent::Subscription;
use uuid::Uuid;

/// Subscriptions.
#[derive(Debug, Default)]
pub struct SubscriptionStore {
    subscriptions: Records<Uuid, Subscription>,
    by_transaction: StoreMap<Uuid, Uuid>,
}

impl SubscriptionStore {
    /// Stores (or replaces) a subscription.
    pub fn put(&self, subscription: Subscription) {
        self.by_transaction.insert(subscription.transaction_id, subscription.id);
        self.subscriptions
            .put(subscription.id, subscription, |gone| self.forget(gone));
    }

    fn forget(&self, gone: &Subscription) {
        self.by_transaction
            .remove_if(&gone.transaction_id, |_, id| *id == gone.id);
    }

    /// Removes the subscriptions for which `matches` holds (a partial reset).
    pub fn remove_where(&self, matches: impl Fn(&Subscription) -> bool) -> usize {
        self.subscriptions.remove_where(matches, |gone| self.forget(gone))
    }

    /// A subscription by id.
    pub fn get(&self, id: Uuid) -> Option<Subscription> {
        self.subscriptions.get(&id)
    }

    /// The subscription made on a transaction.
    pub fn of_transaction(&self, transaction_id: Uuid) -> Option<Subscription> {
        let id = *self.by_transaction.get(&transaction_id)?;
        self.get(id)
    }

    /// Changes a subscription in place.
    pub fn update<R>(&self, id: Uuid, change: impl FnOnce(&mut Subscription) -> R) -> Option<R> {
        self.subscriptions.update(&id, change)
    }

    /// Every subscription, oldest first.
    pub fn all(&self) -> Vec<Subscription> {
        self.subscriptions.all_by(|s| (s.created_at, s.id))
    }

    /// Forgets every subscription.
    pub fn clear(&self) {
        self.subscriptions.clear();
        self.by_transaction.clear();
    }
}
