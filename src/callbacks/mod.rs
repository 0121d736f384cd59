//! postLink / failurePostLink callbacks (spec §6; `docs/callbacks.md`).
//!
//! [`Callbacks::notify_final`] is called synchronously whenever an authorisation attempt ends.
//! It builds the body ([`body`]), records a queued delivery in the [`log`] and puts it on an
//! unbounded channel; it never blocks and works outside a tokio runtime. A dispatcher task,
//! started with the server, hands every delivery to its own task, which retries with capped,
//! jittered doubling backoff ([`settings`]) until the merchant answers 2xx. Attempts wait for a
//! slot under a global and a per-receiver limit ([`transport`]); waits end early when the
//! sandbox clock is moved past them.

pub mod body;
pub mod log;
pub mod settings;
pub mod transport;
mod worker;

pub use body::{callback_for, Callback};
pub use log::{Attempt, Delivery, DeliveryFilter, DeliveryLog, DeliveryState};
pub use settings::{CallbackSettings, SettingsError, SettingsPatch};
pub use transport::Transport;

use crate::domain::transaction::Transaction;
use log::{NewDelivery, Origin};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use worker::{Job, Shared};

/// The outgoing-callback machinery of one sandbox.
#[derive(Debug)]
pub struct Callbacks {
    defaults: CallbackSettings,
    shared: Arc<Shared>,
    queue: mpsc::UnboundedSender<Job>,
    inbox: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Job>>>,
    dispatcher: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Default for Callbacks {
    fn default() -> Self {
        Self::new(CallbackSettings::default())
    }
}

impl Callbacks {
    /// A callback sender with nothing queued; `settings` are also what a reset returns to.
    pub fn new(settings: CallbackSettings) -> Self {
        Self::configured(settings, &Transport::default(), None)
    }

    /// Like [`Callbacks::new`], with a transport (TLS trust, concurrency limits) and a seed
    /// that makes the retry jitter reproducible.
    pub fn configured(settings: CallbackSettings, transport: &Transport, seed: Option<u64>) -> Self {
        let (queue, inbox) = mpsc::unbounded_channel();
        Callbacks {
            defaults: settings,
            shared: Arc::new(Shared::new(settings, transport, seed)),
            queue,
            inbox: Arc::new(tokio::sync::Mutex::new(inbox)),
            dispatcher: std::sync::Mutex::new(None),
        }
    }

    /// Starts delivering on the current tokio runtime, unless a dispatcher already runs.
    /// Outside a runtime it does nothing; deliveries wait in the queue.
    pub fn start(&self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut dispatcher = self.dispatcher.lock().unwrap_or_else(|p| p.into_inner());
        if dispatcher.as_ref().is_some_and(|d| !d.is_finished()) {
            return;
        }
        *dispatcher = Some(runtime.spawn(worker::dispatch(self.shared.clone(), self.inbox.clone())));
    }

    /// Stops taking deliveries off the queue (those already being attempted carry on);
    /// [`Callbacks::start`] resumes with whatever was queued meanwhile.
    pub fn stop(&self) {
        let mut dispatcher = self.dispatcher.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(dispatcher) = dispatcher.take() {
            dispatcher.abort();
        }
    }

    /// Queues the callback for a transaction that just reached a final outcome, if it has a
    /// link to call. Never blocks, never fails the caller.
    pub fn notify_final(&self, tx: &Transaction) {
        let Some(callback) = callback_for(tx) else {
            return;
        };
        let duplicates = self.shared.settings().duplicates;
        self.enqueue(
            NewDelivery {
                transaction_id: tx.id(),
                invoice_id: tx.order().invoice_id.to_string(),
                kind: callback.kind,
                url: callback.url,
                body: callback.body,
                origin: Origin::default(),
            },
            duplicates,
        );
    }

    /// Sends a logged delivery again, as a new delivery with its own attempts; `None` when no
    /// delivery has that id (or it was evicted).
    pub fn resend(&self, id: u64) -> Option<Delivery> {
        let original = self.shared.log.get(id)?;
        Some(self.enqueue(
            NewDelivery {
                transaction_id: original.transaction_id,
                invoice_id: original.invoice_id,
                kind: original.kind,
                url: original.url,
                body: original.body,
                origin: Origin {
                    duplicate_of: None,
                    resend_of: Some(id),
                },
            },
            0,
        ))
    }

    /// The logged deliveries `filter` lets through, oldest first.
    pub fn deliveries(&self, filter: &DeliveryFilter) -> Vec<Delivery> {
        self.shared.log.list(filter)
    }

    /// One logged delivery.
    pub fn delivery(&self, id: u64) -> Option<Delivery> {
        self.shared.log.get(id)
    }

    /// The delivery settings now.
    pub fn settings(&self) -> CallbackSettings {
        self.shared.settings()
    }

    /// Changes some settings; they apply to deliveries that start afterwards.
    pub fn update_settings(&self, patch: &SettingsPatch) -> Result<CallbackSettings, SettingsError> {
        let settings = self.shared.settings().patched(patch)?;
        self.shared.set_settings(settings);
        Ok(settings)
    }

    /// Forgets every delivery and stops those still retrying; settings return to the start-up
    /// ones.
    pub fn reset(&self) {
        self.shared.log.clear();
        self.shared.set_settings(self.defaults);
    }

    /// Tells the delivery tasks the sandbox time (and whether the clock is frozen): retries
    /// whose wait has passed on the sandbox clock go at once. Called on every timer run and
    /// after every clock move.
    pub fn observe_clock(&self, sandbox_now: chrono::DateTime<chrono::Utc>, frozen: bool) {
        self.shared.observe_clock(sandbox_now, frozen);
    }

    /// Waits until `predicate` holds for the logged deliveries (oldest first), re-checking on
    /// every change of the log. `Ok` with the deliveries that satisfied it, or `Err` with the
    /// last ones seen when `timeout` passes first. No polling, no sleeping.
    pub async fn wait_for(
        &self,
        predicate: impl Fn(&[Delivery]) -> bool,
        timeout: Duration,
    ) -> Result<Vec<Delivery>, Vec<Delivery>> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.shared.log.subscribe();
        loop {
            changes.borrow_and_update();
            let deliveries = self.deliveries(&DeliveryFilter::default());
            if predicate(&deliveries) {
                return Ok(deliveries);
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => continue,
                _ => return Err(self.deliveries(&DeliveryFilter::default())),
            }
        }
    }

    fn enqueue(&self, delivery: NewDelivery, duplicates: u32) -> Delivery {
        let (ticket, logged) = self.shared.log.open(delivery.clone(), self.shared.now());
        let job = Job {
            ticket,
            delivery,
            duplicates,
        };
        if self.queue.send(job).is_err() {
            tracing::error!(delivery = ticket.id, "callback queue closed; delivery dropped");
        }
        self.start();
        logged
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Amount;
    use crate::domain::transaction::tests::{ctx, opened, sample_new};
    use crate::domain::transaction::Event;

    fn approved(post_link: &str) -> Transaction {
        let mut new = sample_new(Amount::from_units(100));
        new.links.post_link = post_link.into();
        let mut tx = opened(new);
        let event = Event::Approve {
            two_step: false,
            approval_code: "000000".into(),
        };
        tx.apply(event, &ctx()).ok();
        tx
    }

    fn approved_with_link() -> Transaction {
        approved("http://127.0.0.1:9/")
    }

    #[test]
    fn notify_outside_a_runtime_queues_without_panicking() {
        let callbacks = Callbacks::default();
        callbacks.notify_final(&approved_with_link());
        let logged = callbacks.deliveries(&DeliveryFilter::default());
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].state, DeliveryState::Queued);
        assert_eq!(logged[0].invoice_id, "000001");
    }

    #[test]
    fn no_link_no_delivery() {
        let callbacks = Callbacks::default();
        callbacks.notify_final(&approved(""));
        assert!(callbacks.deliveries(&DeliveryFilter::default()).is_empty());
    }

    #[test]
    fn reset_forgets_deliveries_and_restores_settings() {
        let callbacks = Callbacks::default();
        callbacks.notify_final(&approved_with_link());
        let patch = SettingsPatch {
            duplicates: Some(3),
            ..Default::default()
        };
        assert!(callbacks.update_settings(&patch).is_ok());
        callbacks.reset();
        assert!(callbacks.deliveries(&DeliveryFilter::default()).is_empty());
        assert_eq!(callbacks.settings(), CallbackSettings::default());
    }
}
