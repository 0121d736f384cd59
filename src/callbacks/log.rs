//! The delivery log: every callback the sandbox tried to send, with each attempt, bounded (the
//! oldest deliveries are evicted first) and observable (a watch channel ticks on every change).

use crate::fidelity::CallbackKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use tokio::sync::watch;
use uuid::Uuid;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Waiting for the delivery worker.
    Queued,
    /// An attempt is in flight.
    Sending,
    /// The last attempt failed; another is scheduled at `nextAttemptAt`.
    Retrying,
    /// The merchant answered 2xx.
    Delivered,
    /// Every attempt failed (or the URL cannot be called at all).
    Failed,
}

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// When it started (sandbox time).
    pub at: DateTime<Utc>,
    /// The URL called.
    pub url: String,
    /// The merchant's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why there was no answer (connection refused, timeout …).
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub latency_ms: u64,
    /// The start of the merchant's answer body (at most 1 KiB), for debugging.
    pub response: String,
}

/// What caused a delivery besides the outcome itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Origin {
    /// A duplicate copy of this delivery (duplicate mode).
    pub duplicate_of: Option<u64>,
    /// A resend of this delivery (control API).
    pub resend_of: Option<u64>,
}

/// One callback the sandbox sent or tries to send. The body is the same for every attempt.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// Sequence number, from 1 (restarts after a reset).
    pub id: u64,
    /// The transaction reported on.
    pub transaction_id: Uuid,
    /// Its merchant order number.
    pub invoice_id: String,
    /// Success (postLink) or failure (failurePostLink).
    pub kind: CallbackKind,
    /// The merchant URL.
    pub url: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// When it was queued (sandbox time).
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (sandbox time), while retrying. It is made then, or when
    /// the same wait has passed on the wall clock, whichever comes first.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The delivery this one duplicates (duplicate mode).
    pub duplicate_of: Option<u64>,
    /// The delivery this one resends (control API).
    pub resend_of: Option<u64>,
    /// Every attempt so far, oldest first.
    pub attempts: Vec<Attempt>,
    /// The JSON body sent with every attempt.
    pub body: Value,
}

/// Which deliveries to list; every present field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryFilter {
    /// Only callbacks about this order number.
    pub invoice_id: Option<String>,
    /// Only callbacks about this transaction.
    pub transaction_id: Option<Uuid>,
}

impl DeliveryFilter {
    /// Whether `delivery` passes.
    pub fn matches(&self, delivery: &Delivery) -> bool {
        self.invoice_id.as_deref().is_none_or(|i| i == delivery.invoice_id)
            && self.transaction_id.is_none_or(|t| t == delivery.transaction_id)
    }
}

/// What a new log entry needs.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    /// The transaction.
    pub transaction_id: Uuid,
    /// Its order number.
    pub invoice_id: String,
    /// Success or failure.
    pub kind: CallbackKind,
    /// Where to.
    pub url: String,
    /// What.
    pub body: Value,
    /// Duplicate or resend of another delivery.
    pub origin: Origin,
}

/// A handle on a delivery in one generation of the log: updates through a ticket issued
/// before a reset are ignored, so a delivery still retrying cannot touch the new log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// The delivery's id.
    pub id: u64,
    /// The log generation it belongs to.
    pub generation: u64,
}

#[derive(Debug)]
struct LogState {
    deliveries: VecDeque<Delivery>,
    next_id: u64,
    generation: u64,
    capacity: usize,
}

/// The bounded, observable list of deliveries.
#[derive(Debug)]
pub struct DeliveryLog {
    state: Mutex<LogState>,
    changes: watch::Sender<u64>,
}

impl DeliveryLog {
    /// An empty log keeping at most `capacity` deliveries (at least one).
    pub fn new(capacity: usize) -> Self {
        DeliveryLog {
            state: Mutex::new(LogState {
                deliveries: VecDeque::new(),
                next_id: 1,
                generation: 0,
                capacity: capacity.max(1),
            }),
            changes: watch::channel(0).0,
        }
    }

    /// Records a new delivery queued `at` (sandbox time), evicting the oldest finished ones
    /// beyond the capacity.
    pub fn open(&self, new: NewDelivery, at: DateTime<Utc>) -> (Ticket, Delivery) {
        let state = self.lock();
        self.insert(state, new, at)
    }

    /// Like [`DeliveryLog::open`], but only while the log is still in `generation`.
    pub fn open_in(&self, generation: u64, new: NewDelivery, at: DateTime<Utc>) -> Option<(Ticket, Delivery)> {
        let state = self.lock();
        (state.generation == generation).then(|| self.insert(state, new, at))
    }

    fn insert(&self, mut state: MutexGuard<'_, LogState>, new: NewDelivery, at: DateTime<Utc>) -> (Ticket, Delivery) {
        let id = state.next_id;
        state.next_id += 1;
        let delivery = Delivery {
            id,
            transaction_id: new.transaction_id,
            invoice_id: new.invoice_id,
            kind: new.kind,
            url: new.url,
            state: DeliveryState::Queued,
            created_at: at,
            next_attempt_at: None,
            duplicate_of: new.origin.duplicate_of,
            resend_of: new.origin.resend_of,
            attempts: Vec::new(),
            body: new.body,
        };
        state.deliveries.push_back(delivery.clone());
        evict(&mut state);
        let ticket = Ticket {
            id,
            generation: state.generation,
        };
        drop(state);
        self.changed();
        (ticket, delivery)
    }

    /// Changes a delivery; `false` when it was evicted or belongs to a cleared generation.
    pub fn update(&self, ticket: Ticket, change: impl FnOnce(&mut Delivery)) -> bool {
        let mut state = self.lock();
        if state.generation != ticket.generation {
            return false;
        }
        let Some(delivery) = find_mut(&mut state.deliveries, ticket.id) else {
            return false;
        };
        change(delivery);
        evict(&mut state);
        drop(state);
        self.changed();
        true
    }

    /// Whether deliveries of `generation` still belong in the log (no reset since).
    pub fn is_current(&self, generation: u64) -> bool {
        self.lock().generation == generation
    }

    /// The deliveries `filter` lets through, oldest first.
    pub fn list(&self, filter: &DeliveryFilter) -> Vec<Delivery> {
        self.lock()
            .deliveries
            .iter()
            .filter(|d| filter.matches(d))
            .cloned()
            .collect()
    }

    /// One delivery by id.
    pub fn get(&self, id: u64) -> Option<Delivery> {
        let state = self.lock();
        let index = state.deliveries.binary_search_by_key(&id, |d| d.id).ok()?;
        state.deliveries.get(index).cloned()
    }

    /// Forgets every delivery, restarts ids at 1 and orphans the tickets issued so far.
    pub fn clear(&self) {
        let mut state = self.lock();
        state.deliveries.clear();
        state.next_id = 1;
        state.generation += 1;
        drop(state);
        self.changed();
    }

    /// Changes how many deliveries are kept (at least one), evicting at once if needed.
    pub fn set_capacity(&self, capacity: usize) {
        let mut state = self.lock();
        state.capacity = capacity.max(1);
        evict(&mut state);
        drop(state);
        self.changed();
    }

    /// A receiver that sees a new value after every change of the log.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn changed(&self) {
        self.changes.send_modify(|version| *version = version.wrapping_add(1));
    }

    fn lock(&self) -> MutexGuard<'_, LogState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Drops the oldest finished deliveries beyond the capacity. Deliveries still queued or
/// retrying are never evicted (their job holds the body anyway), so none is lost: the log may
/// exceed its capacity while more are pending than it holds.
fn evict(state: &mut LogState) {
    while state.deliveries.len() > state.capacity {
        let finished = state
            .deliveries
            .iter()
            .position(|d| matches!(d.state, DeliveryState::Delivered | DeliveryState::Failed));
        match finished {
            Some(index) => {
                state.deliveries.remove(index);
            }
            None => break,
        }
    }
}

fn find_mut(deliveries: &mut VecDeque<Delivery>, id: u64) -> Option<&mut Delivery> {
    let index = deliveries.binary_search_by_key(&id, |d| d.id).ok()?;
    deliveries.get_mut(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(invoice: &str) -> NewDelivery {
        NewDelivery {
            transaction_id: Uuid::nil(),
            invoice_id: invoice.into(),
            kind: CallbackKind::Success,
            url: "http://merchant/".into(),
            body: Value::Null,
            origin: Origin::default(),
        }
    }

    fn open(log: &DeliveryLog, invoice: &str) -> Ticket {
        log.open(new(invoice), Utc::now()).0
    }

    fn ids(log: &DeliveryLog) -> Vec<u64> {
        log.list(&DeliveryFilter::default()).iter().map(|d| d.id).collect()
    }

    #[test]
    fn oldest_finished_deliveries_are_evicted_first() {
        let log = DeliveryLog::new(2);
        let first = open(&log, "1");
        let second = open(&log, "2");
        log.update(first, |d| d.state = DeliveryState::Delivered);
        log.update(second, |d| d.state = DeliveryState::Failed);
        open(&log, "3");
        assert_eq!(ids(&log), vec![2, 3]);
        assert!(log.get(1).is_none());
        assert!(!log.update(first, |d| d.state = DeliveryState::Delivered));
    }

    #[test]
    fn pending_deliveries_are_never_evicted() {
        let log = DeliveryLog::new(2);
        let tickets: Vec<Ticket> = (1..=4).map(|n| open(&log, &n.to_string())).collect();
        assert_eq!(ids(&log), vec![1, 2, 3, 4], "all four still queued");
        log.update(tickets[2], |d| d.state = DeliveryState::Delivered);
        assert_eq!(ids(&log), vec![1, 2, 4], "a finished one goes as soon as it finishes");
        log.update(tickets[0], |d| d.state = DeliveryState::Failed);
        assert_eq!(ids(&log), vec![2, 4]);
    }

    #[test]
    fn a_reset_orphans_old_tickets_and_restarts_ids() {
        let log = DeliveryLog::new(10);
        let old = open(&log, "1");
        log.clear();
        let fresh = open(&log, "2");
        assert_eq!(fresh.id, 1);
        assert!(!log.update(old, |d| d.state = DeliveryState::Failed));
        assert_eq!(log.get(1).map(|d| d.state), Some(DeliveryState::Queued));
        assert!(!log.is_current(old.generation));
    }

    #[test]
    fn filters_by_invoice_and_transaction() {
        let log = DeliveryLog::new(10);
        open(&log, "100");
        open(&log, "200");
        let by_invoice = DeliveryFilter {
            invoice_id: Some("200".into()),
            ..Default::default()
        };
        assert_eq!(log.list(&by_invoice).len(), 1);
        let by_tx = DeliveryFilter {
            transaction_id: Some(Uuid::from_u128(1)),
            ..Default::default()
        };
        assert!(log.list(&by_tx).is_empty());
    }

    #[test]
    fn shrinking_the_capacity_evicts_at_once() {
        let log = DeliveryLog::new(10);
        for n in 0..5 {
            let ticket = open(&log, &n.to_string());
            log.update(ticket, |d| d.state = DeliveryState::Delivered);
        }
        log.set_capacity(2);
        assert_eq!(log.list(&DeliveryFilter::default()).len(), 2);
    }
}
