//! The request journal: the last N requests to the ePay routes (never `/_sandbox/*`), without
//! bodies or query strings, so nothing secret is kept.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;

/// One journalled request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Sequence number since start (keeps counting across evictions and resets).
    pub seq: u64,
    /// When it arrived (sandbox time).
    pub at: DateTime<Utc>,
    /// HTTP method.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Response status (200 for a connection dropped by a reset fault).
    pub status: u16,
    /// Time to the response head, in milliseconds.
    pub latency_ms: f64,
    /// The injected fault or latency rule that hit it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

/// A bounded ring buffer of [`JournalEntry`].
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    inner: Mutex<(u64, VecDeque<JournalEntry>)>,
}

impl Journal {
    /// An empty journal keeping at most `capacity` entries (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Journal {
            capacity,
            inner: Mutex::new((0, VecDeque::with_capacity(capacity.min(1024)))),
        }
    }

    /// The most entries kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Records a request (numbering it), evicting the oldest entry when full.
    pub fn record(&self, mut entry: JournalEntry) {
        let mut guard = self.lock();
        guard.0 += 1;
        entry.seq = guard.0;
        if self.capacity == 0 {
            return;
        }
        while guard.1.len() >= self.capacity {
            guard.1.pop_front();
        }
        guard.1.push_back(entry);
    }

    /// Entries newest first, at most `limit`.
    pub fn entries(&self, limit: usize) -> Vec<JournalEntry> {
        self.lock().1.iter().rev().take(limit).cloned().collect()
    }

    /// Forgets every entry (the sequence keeps counting).
    pub fn clear(&self) {
        self.lock().1.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, VecDeque<JournalEntry>)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> JournalEntry {
        JournalEntry {
            seq: 0,
            at: Utc::now(),
            method: "GET".into(),
            path: path.into(),
            status: 200,
            latency_ms: 1.0,
            fault: None,
        }
    }

    #[test]
    fn keeps_the_newest_entries_up_to_capacity() {
        let journal = Journal::new(3);
        for i in 0..5 {
            journal.record(entry(&format!("/{i}")));
        }
        let paths: Vec<String> = journal.entries(10).into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["/4", "/3", "/2"]);
        assert_eq!(journal.entries(1)[0].seq, 5);
        let empty = Journal::new(0);
        empty.record(entry("/x"));
        assert!(empty.entries(10).is_empty());
    }
}
