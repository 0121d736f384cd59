//! Insertion order of a map's keys, oldest first, for evicting the oldest records over a cap.
//!
//! Every insert that takes a map over its cap evicts right away, one record for the one added,
//! so no request ever pays for a batch (and none waits on the queue while a batch is removed).
//! The queue may hold keys already removed from the map; eviction skips them, and the queue is
//! compacted once stale keys outnumber live ones, so the cost stays amortised O(1) per insert.
//!
//! A store may ask for some records to go last (the transactions still NEW or AUTH): eviction
//! then moves such a key, when it reaches the front, to a second queue of *parked* keys, and
//! takes parked keys (oldest first) only when no other key is left. Each key is looked at once
//! on its way to the parked queue, so even a store full of them evicts in O(1) per insert.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

/// Keys in insertion order.
#[derive(Debug)]
pub(super) struct InsertionOrder<K> {
    queues: Mutex<Queues<K>>,
}

#[derive(Debug)]
struct Queues<K> {
    /// Keys in insertion order, not yet passed over.
    fresh: VecDeque<K>,
    /// Keys passed over because they were to go last, in insertion order.
    parked: VecDeque<K>,
}

impl<K> Default for InsertionOrder<K> {
    fn default() -> Self {
        InsertionOrder {
            queues: Mutex::new(Queues {
                fresh: VecDeque::new(),
                parked: VecDeque::new(),
            }),
        }
    }
}

/// Whether an insert took `len` over `cap`, so that it evicts now.
pub(super) fn overshoots(len: usize, cap: usize) -> bool {
    len > cap
}

impl<K> InsertionOrder<K> {
    fn lock(&self) -> MutexGuard<'_, Queues<K>> {
        self.queues.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remembers a new key.
    pub(super) fn push(&self, key: K) {
        self.lock().fresh.push_back(key);
    }

    /// Forgets every key.
    pub(super) fn clear(&self) {
        let mut queues = self.lock();
        queues.fresh.clear();
        queues.parked.clear();
    }

    /// Pops the oldest keys while `len()` exceeds `cap`, removing each with `remove` (which
    /// says whether something was removed; stale keys are skipped). `live` tells stale keys
    /// from live ones when the queue is compacted.
    pub(super) fn evict(
        &self,
        cap: usize,
        len: impl Fn() -> usize,
        live: impl Fn(&K) -> bool,
        remove: impl Fn(&K) -> bool,
    ) -> usize {
        self.evict_preferring(cap, len, live, |_| Some(false), remove)
    }

    /// Like [`InsertionOrder::evict`], but keys for which `keep_first` holds are parked when
    /// they reach the front and removed, oldest first, only once no other key is left
    /// (`keep_first` gives `None` for a key whose record is gone).
    pub(super) fn evict_preferring(
        &self,
        cap: usize,
        len: impl Fn() -> usize,
        live: impl Fn(&K) -> bool,
        keep_first: impl Fn(&K) -> Option<bool>,
        remove: impl Fn(&K) -> bool,
    ) -> usize {
        if len() <= cap {
            return 0;
        }
        let mut queues = self.lock();
        if queues.fresh.len() + queues.parked.len() > 2 * len() + 64 {
            queues.fresh.retain(&live);
            queues.parked.retain(&live);
        }
        let mut removed = 0;
        while len() > cap {
            if let Some(key) = queues.fresh.pop_front() {
                match keep_first(&key) {
                    None => {}
                    Some(true) => queues.parked.push_back(key),
                    Some(false) => removed += usize::from(remove(&key)),
                }
            } else if let Some(key) = queues.parked.pop_front() {
                removed += usize::from(remove(&key));
            } else {
                break;
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::collections::BTreeSet;

    /// A map of `n` keys, those in `held` to go last, evicted down to `cap` one insert at a
    /// time: returns what is left and how many times `keep_first` was asked.
    fn fill(n: u32, cap: usize, held: impl Fn(u32) -> bool) -> (BTreeSet<u32>, usize) {
        let order = InsertionOrder::default();
        let map = RefCell::new(BTreeSet::new());
        let asked = Cell::new(0);
        for key in 0..n {
            map.borrow_mut().insert(key);
            order.push(key);
            order.evict_preferring(
                cap,
                || map.borrow().len(),
                |k| map.borrow().contains(k),
                |k| {
                    asked.set(asked.get() + 1);
                    map.borrow().contains(k).then(|| held(*k))
                },
                |k| map.borrow_mut().remove(k),
            );
            assert!(map.borrow().len() <= cap, "never over the cap after an insert");
        }
        (map.into_inner(), asked.get())
    }

    #[test]
    fn the_oldest_others_go_first_and_held_keys_only_when_they_alone_exceed_the_cap() {
        let (left, _) = fill(20, 5, |k| k < 3);
        assert_eq!(left, BTreeSet::from([0, 1, 2, 18, 19]));
        let (left, _) = fill(20, 5, |_| true);
        assert_eq!(left, (15..20).collect());
    }

    #[test]
    fn a_map_full_of_held_keys_asks_about_each_key_once() {
        let (left, asked) = fill(10_000, 1_000, |_| true);
        assert_eq!(left.len(), 1_000);
        assert!(
            asked <= 10_000,
            "each key is looked at once, not once per insert: {asked}"
        );
    }
}
