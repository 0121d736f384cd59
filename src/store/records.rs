//! A capped map of one kind of record by key, oldest evicted first: the shape the invoice-link,
//! subscription and QR-bill stores share (each wraps one and adds its own indexes).

use super::capped::Capped;
use std::hash::Hash;

/// Default cap of the stores built on [`Records`].
pub const DEFAULT_RECORDS_CAP: usize = 10_000;

/// Records by key, in insertion order: a capped map (`store::capped`) whose eviction hands each
/// removed record to the store, so the store can drop its index entries.
#[derive(Debug)]
pub struct Records<K: Eq + Hash + Clone, V: Clone> {
    records: Capped<K, V>,
}

impl<K: Eq + Hash + Clone, V: Clone> Default for Records<K, V> {
    fn default() -> Self {
        Records {
            records: Capped::with_cap(DEFAULT_RECORDS_CAP),
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Records<K, V> {
    /// Stores (or replaces) a record; `true` when the key is new. The oldest records over the
    /// cap go: `on_evict` removes their indexes.
    pub fn put(&self, key: K, value: V, on_evict: impl Fn(&V)) -> bool {
        let fresh = self.records.insert(key, value).is_none();
        if self.records.overshoots() {
            self.evict(on_evict);
        }
        fresh
    }

    /// A record by key.
    pub fn get(&self, key: &K) -> Option<V> {
        self.records.get(key).map(|v| v.clone())
    }

    /// Changes a record in place; `None` when there is none. The closure runs under one shard
    /// lock and must not call back into any store.
    pub fn update<R>(&self, key: &K, change: impl FnOnce(&mut V) -> R) -> Option<R> {
        self.records.get_mut(key).map(|mut v| change(&mut v))
    }

    /// Every record, ordered by `key` (records with equal keys in no particular order).
    pub fn all_by<O: Ord>(&self, key: impl Fn(&V) -> O) -> Vec<V> {
        let mut all = self.records.values();
        all.sort_by_key(|v| key(v));
        all
    }

    /// Removes a record.
    pub fn remove(&self, key: &K) -> Option<V> {
        self.records.remove(key)
    }

    /// How many records are stored.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether none is stored.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Removes every record for which `matches` holds; `on_remove` removes its indexes.
    pub fn remove_where(&self, matches: impl Fn(&V) -> bool, on_remove: impl Fn(&V)) -> usize {
        self.records
            .keys_where(matches)
            .iter()
            .filter_map(|key| self.remove(key))
            .map(|value| on_remove(&value))
            .count()
    }

    /// Drops the oldest records over the cap.
    pub fn evict(&self, on_evict: impl Fn(&V)) -> usize {
        self.records.evict(|key| match self.remove(key) {
            Some(value) => {
                on_evict(&value);
                true
            }
            None => false,
        })
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.records.clear();
    }
}
