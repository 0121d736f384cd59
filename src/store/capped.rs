//! A record map with a cap: the part every store shares (its records, their insertion order and
//! the eviction of the oldest over the cap), so each store only adds its own indexes.

use super::order::{overshoots, InsertionOrder};
use dashmap::mapref::one::{Ref, RefMut};
use dashmap::DashMap;
use std::borrow::Borrow;
use std::hash::Hash;

/// Records by key, remembering the order they were first stored in.
#[derive(Debug)]
pub(super) struct Capped<K: Eq + Hash, V> {
    cap: usize,
    order: InsertionOrder<K>,
    records: DashMap<K, V>,
}

impl<K: Eq + Hash + Clone, V> Capped<K, V> {
    /// An empty map keeping at most about `cap` records.
    pub(super) fn with_cap(cap: usize) -> Self {
        Capped {
            cap: cap.max(1),
            order: InsertionOrder::default(),
            records: DashMap::new(),
        }
    }

    /// Stores `value` under `key`; returns the record it replaced. A new key joins the end of
    /// the eviction order.
    pub(super) fn insert(&self, key: K, value: V) -> Option<V> {
        let replaced = self.records.insert(key.clone(), value);
        if replaced.is_none() {
            self.order.push(key);
        }
        replaced
    }

    /// The record under `key`, stored as `fresh()` first when there is none; says whether it
    /// was inserted.
    pub(super) fn get_or_insert_with(&self, key: &K, fresh: impl FnOnce() -> V) -> (RefMut<'_, K, V>, bool) {
        let mut inserted = false;
        let slot = self.records.entry(key.clone()).or_insert_with(|| {
            inserted = true;
            fresh()
        });
        if inserted {
            self.order.push(key.clone());
        }
        (slot, inserted)
    }

    /// Whether an insert took the map over its cap, so that it evicts now (one record for the
    /// one added: see `order.rs`).
    pub(super) fn overshoots(&self) -> bool {
        overshoots(self.records.len(), self.cap)
    }

    /// The record under `key`, read-locked.
    pub(super) fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<Ref<'_, K, V>>
    where
        K: Borrow<Q>,
    {
        self.records.get(key)
    }

    /// The record under `key`, write-locked.
    pub(super) fn get_mut<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<RefMut<'_, K, V>>
    where
        K: Borrow<Q>,
    {
        self.records.get_mut(key)
    }

    /// Removes the record under `key`.
    pub(super) fn remove<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.records.remove(key).map(|(_, value)| value)
    }

    /// Removes the record under `key` when `condition` holds for it.
    pub(super) fn remove_if<Q: Hash + Eq + ?Sized>(&self, key: &Q, condition: impl FnOnce(&V) -> bool) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.records
            .remove_if(key, |_, value| condition(value))
            .map(|(_, value)| value)
    }

    /// Every record, cloned, in no particular order.
    pub(super) fn values(&self) -> Vec<V>
    where
        V: Clone,
    {
        self.records.iter().map(|entry| entry.value().clone()).collect()
    }

    /// The keys of the records for which `matches` holds.
    pub(super) fn keys_where(&self, matches: impl Fn(&V) -> bool) -> Vec<K> {
        self.records
            .iter()
            .filter(|entry| matches(entry.value()))
            .map(|entry| entry.key().clone())
            .collect()
    }

    /// How many records are stored.
    pub(super) fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether none is stored.
    pub(super) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Drops the oldest records over the cap, each through `remove` (the store's own removal,
    /// which also clears its indexes and says whether something was removed).
    pub(super) fn evict(&self, remove: impl Fn(&K) -> bool) -> usize {
        self.order.evict(
            self.cap,
            || self.records.len(),
            |key| self.records.contains_key(key),
            remove,
        )
    }

    /// Like [`Capped::evict`], but records for which `keep_first` holds go only when the others
    /// were not enough (`None`: no such record any more).
    pub(super) fn evict_preferring(
        &self,
        keep_first: impl Fn(&K) -> Option<bool>,
        remove: impl Fn(&K) -> bool,
    ) -> usize {
        self.order.evict_preferring(
            self.cap,
            || self.records.len(),
            |key| self.records.contains_key(key),
            keep_first,
            remove,
        )
    }

    /// Forgets every record.
    pub(super) fn clear(&self) {
        self.records.clear();
        self.order.clear();
    }
}
