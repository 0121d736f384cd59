//! Installment orders, by id and by (shop, orderId).

use super::capped::Capped;
use super::StoreMap;
use crate::domain::installment::{InstallmentOrder, OrderStep, StepRefused};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Installment orders.
#[derive(Debug)]
pub struct InstallmentStore {
    orders: Capped<Uuid, InstallmentOrder>,
    by_shop_order: StoreMap<(String, String), Uuid>,
}

/// An order with this orderId already exists on the shop.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("order {order_id} already exists on shop {shop_id}")]
pub struct DuplicateOrder {
    /// The shop.
    pub shop_id: String,
    /// The merchant's order number.
    pub order_id: String,
}

/// Why a step was not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// No such order.
    #[error("installment order {0} not found")]
    NotFound(Uuid),
    /// The transition table said no.
    #[error(transparent)]
    Refused(#[from] StepRefused),
}

impl Default for InstallmentStore {
    fn default() -> Self {
        Self::with_cap(super::INSTALLMENT_ORDERS)
    }
}

impl InstallmentStore {
    /// An empty store keeping at most about `cap` orders (oldest go first).
    pub fn with_cap(cap: usize) -> Self {
        InstallmentStore {
            orders: Capped::with_cap(cap),
            by_shop_order: StoreMap::default(),
        }
    }

    /// Stores a new order unless its orderId is taken on its shop. The record goes in first,
    /// then the index, one lock at a time; of two racing inserts the one the index keeps wins.
    pub fn insert(&self, order: InstallmentOrder) -> Result<(), DuplicateOrder> {
        let duplicate = DuplicateOrder {
            shop_id: order.shop_id().to_string(),
            order_id: order.order_id().to_string(),
        };
        if self.by_order_id(order.shop_id(), order.order_id()).is_some() {
            return Err(duplicate);
        }
        let id = order.id();
        let key = (duplicate.shop_id.clone(), duplicate.order_id.clone());
        self.orders.insert(id, order);
        let winner = *self.by_shop_order.entry(key).or_insert(id);
        if winner != id {
            self.orders.remove(&id);
            return Err(duplicate);
        }
        if self.orders.overshoots() {
            self.evict();
        }
        Ok(())
    }

    /// The order with this id.
    pub fn get(&self, id: Uuid) -> Option<InstallmentOrder> {
        self.orders.get(&id).map(|o| o.clone())
    }

    /// The order with this orderId on this shop.
    pub fn by_order_id(&self, shop_id: &str, order_id: &str) -> Option<InstallmentOrder> {
        let id = *self.by_shop_order.get(&(shop_id.to_string(), order_id.to_string()))?;
        self.get(id)
    }

    /// Applies `step` to order `id` atomically; returns the updated copy.
    pub fn apply(&self, id: Uuid, step: OrderStep, now: DateTime<Utc>) -> Result<InstallmentOrder, StepError> {
        let mut order = self.orders.get_mut(&id).ok_or(StepError::NotFound(id))?;
        order.apply(step, now)?;
        Ok(order.clone())
    }

    /// Every order, newest first.
    pub fn all(&self) -> Vec<InstallmentOrder> {
        let mut all = self.orders.values();
        all.sort_by(|a, b| b.created_at().cmp(&a.created_at()).then_with(|| b.id().cmp(&a.id())));
        all
    }

    /// How many orders are kept.
    pub fn len(&self) -> usize {
        self.orders.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    /// Removes an order; whether it was there.
    pub fn remove(&self, id: &Uuid) -> bool {
        let Some(order) = self.orders.remove(id) else {
            return false;
        };
        self.by_shop_order
            .remove_if(&(order.shop_id().to_string(), order.order_id().to_string()), |_, v| {
                v == id
            });
        true
    }

    /// Drops the oldest orders over the cap.
    pub fn evict(&self) -> usize {
        self.orders.evict(|id| self.remove(id))
    }

    /// Forgets every order.
    pub fn clear(&self) {
        self.orders.clear();
        self.by_shop_order.clear();
    }
}
