//! One queue for everything timed: AUTH holds turning CANCEL_OLD, pending outcomes settling,
//! 3-D Secure timeouts, token expiry, payment-page sessions, idle run-time merchants, invoice
//! links and QR bills running out, recurrent charges falling due.
//!
//! Jobs are ordered by their due time (sandbox time) in a `BTreeMap`; the server's timer task
//! sleeps until the earliest one and is woken by [`Deadlines::notified`] when an earlier job is
//! scheduled or the sandbox clock moves. Nothing scans a store to find due work. A job may have
//! been overtaken by events (an AUTH charged before its hold ran out): whoever runs it checks
//! it is still due, so jobs never need to be cancelled.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use tokio::sync::Notify;
use uuid::Uuid;

/// Something to do at a given sandbox time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Settle the pending outcome of a transaction.
    SettlePending(Uuid),
    /// Turn an AUTH that nobody charged or cancelled into CANCEL_OLD.
    ExpireHold(Uuid),
    /// Fail a 3-D Secure challenge the cardholder never finished (by MD).
    ExpireChallenge(String),
    /// Forget an expired access token and its payment-page session.
    ExpireToken(String),
    /// Remove a run-time merchant that has been idle too long (by client id).
    ExpireMerchant(String),
    /// Take the next automatic step of an installment order.
    AdvanceOrder(Uuid),
    /// Mark an invoice link that nobody paid as expired.
    ExpireInvoiceLink(Uuid),
    /// Make the next charge of a recurrent subscription.
    ChargeSubscription(Uuid),
    /// Reject a QR bill the payer never finished (by bill number).
    ExpireQrBill(String),
}

/// The queue. Cheap to share: one mutex around an ordered map, held only to insert or pop.
#[derive(Debug, Default)]
pub struct Deadlines {
    jobs: Mutex<BTreeMap<(DateTime<Utc>, u64), Job>>,
    sequence: AtomicU64,
    wake: Notify,
}

impl Deadlines {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<(DateTime<Utc>, u64), Job>> {
        self.jobs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Schedules `job` at `at`; wakes the timer task when it is now the earliest.
    pub fn schedule(&self, at: DateTime<Utc>, job: Job) {
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
        let earliest = {
            let mut jobs = self.lock();
            jobs.insert((at, sequence), job);
            jobs.keys()
                .next()
                .is_some_and(|(first, seq)| *first == at && *seq == sequence)
        };
        if earliest {
            self.wake.notify_one();
        }
    }

    /// Removes and returns every job due at `now`, earliest first.
    pub fn take_due(&self, now: DateTime<Utc>) -> Vec<Job> {
        let mut jobs = self.lock();
        let later = jobs.split_off(&(now, u64::MAX));
        let due = std::mem::replace(&mut *jobs, later);
        due.into_values().collect()
    }

    /// When the earliest job is due.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.lock().keys().next().map(|(at, _)| *at)
    }

    /// How many jobs are waiting.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none is waiting.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Keeps only the jobs for which `keep` holds: used, rarely, to drop jobs whose records
    /// are gone once they far outnumber the records (amortised over the inserts that made them).
    pub fn retain(&self, keep: impl Fn(&Job) -> bool) {
        let mut jobs = self.lock();
        jobs.retain(|_, job| keep(job));
    }

    /// Drops every job.
    pub fn clear(&self) {
        self.lock().clear();
        self.wake.notify_one();
    }

    /// Wakes the timer task (the clock moved, so what is due changed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Completes when a job earlier than the earliest so far was scheduled, or [`Deadlines::wake`]
    /// was called.
    pub async fn notified(&self) {
        self.wake.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn jobs_come_out_in_due_order_and_only_when_due() {
        let queue = Deadlines::new();
        let t0 = Utc::now();
        queue.schedule(t0 + Duration::seconds(30), Job::ExpireToken("b".into()));
        queue.schedule(t0 + Duration::seconds(10), Job::ExpireToken("a".into()));
        queue.schedule(t0 + Duration::seconds(10), Job::ExpireToken("a2".into()));
        assert_eq!(queue.next_due(), Some(t0 + Duration::seconds(10)));
        assert!(queue.take_due(t0).is_empty());
        assert_eq!(
            queue.take_due(t0 + Duration::seconds(10)),
            vec![Job::ExpireToken("a".into()), Job::ExpireToken("a2".into())]
        );
        assert_eq!(queue.len(), 1);
        assert_eq!(
            queue.take_due(t0 + Duration::days(1)),
            vec![Job::ExpireToken("b".into())]
        );
        assert!(queue.is_empty());
    }
}
