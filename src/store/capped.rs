//! A record map with a cap: the part every store shares (its records, their insertion order and
//! the eviction of the oldest over the cap), so each store only adds its own indexes.

use super::order::{overshoots, InsertionOrder};
use super::StoreMap;
use dashmap::mapref::entry::Entry;
use dashmap::mapref::one::{Ref, RefMut};
use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Records by key, remembering the order they were first stored in.
///
/// `live` counts the records so that the cap check after every insert reads one atomic instead
/// of read-locking every shard (`DashMap::len`). It stays exact: a record is counted while its
/// shard is write-locked for the insert, and uncounted after the removal that took it out, so
/// the count never runs ahead of a removal (nor wraps below zero).
#[derive(Debug)]
pub(super) struct Capped<K: Eq + Hash, V> {
    cap: usize,
    order: InsertionOrder<K>,
    records: StoreMap<K, V>,
    live: AtomicUsize,
}

impl<K: Eq + Hash + Clone, V> Capped<K, V> {
    /// An empty map keeping at most about `cap` records.
    pub(super) fn with_cap(cap: usize) -> Self {
        Capped {
            cap: cap.max(1),
            order: InsertionOrder::default(),
            records: StoreMap::default(),
            live: AtomicUsize::new(0),
        }
    }

    /// Stores `value` under `key`; returns the record it replaced. A new key joins the end of
    /// the eviction order.
    pub(super) fn insert(&self, key: K, value: V) -> Option<V> {
        let replaced = match self.records.entry(key.clone()) {
            Entry::Occupied(mut slot) => Some(slot.insert(value)),
            Entry::Vacant(slot) => {
                slot.insert(value);
                self.live.fetch_add(1, Ordering::Relaxed);
                None
            }
        };
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
            self.live.fetch_add(1, Ordering::Relaxed);
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
        overshoots(self.len(), self.cap)
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
        self.uncounted(self.records.remove(key))
    }

    /// Removes the record under `key` when `condition` holds for it.
    pub(super) fn remove_if<Q: Hash + Eq + ?Sized>(&self, key: &Q, condition: impl FnOnce(&V) -> bool) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.uncounted(self.records.remove_if(key, |_, value| condition(value)))
    }

    /// The value of a removal, uncounted once the record is out of the map.
    fn uncounted(&self, removed: Option<(K, V)>) -> Option<V> {
        let (_, value) = removed?;
        self.live.fetch_sub(1, Ordering::Relaxed);
        Some(value)
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
        self.live.load(Ordering::Relaxed)
    }

    /// Whether none is stored.
    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops the oldest records over the cap, each through `remove` (the store's own removal,
    /// which also clears its indexes and says whether something was removed).
    pub(super) fn evict(&self, remove: impl Fn(&K) -> bool) -> usize {
        self.order
            .evict(self.cap, || self.len(), |key| self.records.contains_key(key), remove)
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
            || self.len(),
            |key| self.records.contains_key(key),
            keep_first,
            remove,
        )
    }

    /// Forgets every record.
    pub(super) fn clear(&self) {
        let mut removed = 0;
        self.records.retain(|_, _| {
            removed += 1;
            false
        });
        self.live.fetch_sub(removed, Ordering::Relaxed);
        self.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u8),
        GetOrInsert(u8),
        Remove(u8),
        RemoveIfEven(u8),
        Evict,
        Clear,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => any::<u8>().prop_map(Op::Insert),
            4 => any::<u8>().prop_map(Op::GetOrInsert),
            4 => any::<u8>().prop_map(Op::Remove),
            2 => any::<u8>().prop_map(Op::RemoveIfEven),
            2 => Just(Op::Evict),
            1 => Just(Op::Clear),
        ]
    }

    proptest! {
        /// The counted length is the map's real length after any sequence of changes, so the
        /// cap check never evicts too much or too little.
        #[test]
        fn the_count_follows_every_change(ops in proptest::collection::vec(op(), 0..200)) {
            let map = Capped::with_cap(16);
            for op in ops {
                match op {
                    Op::Insert(k) => { map.insert(k, k); }
                    Op::GetOrInsert(k) => { map.get_or_insert_with(&k, || k); }
                    Op::Remove(k) => { map.remove(&k); }
                    Op::RemoveIfEven(k) => { map.remove_if(&k, |v| v % 2 == 0); }
                    Op::Evict => { map.evict(|k| map.remove(k).is_some()); }
                    Op::Clear => map.clear(),
                }
                prop_assert_eq!(map.len(), map.records.len());
            }
        }
    }

    #[test]
    fn concurrent_inserts_and_removals_leave_an_exact_count() {
        let map = Capped::with_cap(1_000);
        std::thread::scope(|scope| {
            for thread in 0..4u32 {
                let map = &map;
                scope.spawn(move || {
                    for i in 0..2_000u32 {
                        let key = (thread * 7 + i) % 512;
                        map.insert(key, i);
                        if i % 3 == 0 {
                            map.remove(&((key + 1) % 512));
                        }
                        if i % 500 == 0 {
                            map.clear();
                        }
                    }
                });
            }
        });
        assert_eq!(map.len(), map.records.len());
    }
}
