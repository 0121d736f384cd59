//! Insertion order of a map's keys, oldest first, for evicting the oldest records over a cap.
//! The queue may hold keys already removed from the map; eviction skips them, and the queue is
//! compacted once stale keys outnumber live ones, so the cost stays amortised O(1) per insert.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

/// Keys in insertion order.
#[derive(Debug)]
pub(super) struct InsertionOrder<K> {
    queue: Mutex<VecDeque<K>>,
}

impl<K> Default for InsertionOrder<K> {
    fn default() -> Self {
        InsertionOrder {
            queue: Mutex::new(VecDeque::new()),
        }
    }
}

/// Whether `len` overshoots `cap` enough to evict inline (smaller overshoots wait for the
/// next eviction pass).
pub(super) fn overshoots(len: usize, cap: usize) -> bool {
    len > cap.saturating_add(cap / 8).saturating_add(16)
}

impl<K> InsertionOrder<K> {
    fn lock(&self) -> MutexGuard<'_, VecDeque<K>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remembers a new key.
    pub(super) fn push(&self, key: K) {
        self.lock().push_back(key);
    }

    /// Forgets every key.
    pub(super) fn clear(&self) {
        self.lock().clear();
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
        let mut queue = self.lock();
        if queue.len() > 2 * len() + 64 {
            queue.retain(&live);
        }
        let mut removed = 0;
        while len() > cap {
            let Some(key) = queue.pop_front() else { break };
            if remove(&key) {
                removed += 1;
            }
        }
        removed
    }

    /// Like [`InsertionOrder::evict`], but keys for which `keep_first` holds are passed over
    /// in a first round and removed only if the others were not enough.
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
        let mut queue = self.lock();
        if queue.len() > 2 * len() + 64 {
            queue.retain(&live);
        }
        let mut kept = Vec::new();
        let mut removed = 0;
        while len() > cap {
            let Some(key) = queue.pop_front() else { break };
            match keep_first(&key) {
                None => continue,
                Some(true) => kept.push(key),
                Some(false) => removed += usize::from(remove(&key)),
            }
        }
        let mut kept = kept.into_iter();
        while len() > cap {
            let Some(key) = kept.next() else { break };
            removed += usize::from(remove(&key));
        }
        for key in kept.rev() {
            queue.push_front(key);
        }
        removed
    }
}
