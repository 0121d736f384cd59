//! Recurrent payments (spec §3.13): subscribing an approved payment, and the charges that
//! follow, each run from the deadline queue (`Job::ChargeSubscription`) or at once by the
//! control plane. A charge is a [`MerchantCharge`] of the original order with a fresh invoiceId.

use super::merchant_charge::MerchantCharge;
use super::transactions::token_sees;
use super::{PaymentAccepted, PaymentError, Sandbox};
use crate::deadlines::Job;
use crate::domain::cards::mask_pan;
use crate::domain::recurrent::{Frequency, Subscription, SubscriptionError};
use crate::domain::status::Status;
use crate::domain::tokens::Token;
use crate::domain::transaction::{OrderDetails, Transaction, TransactionKind};
use crate::fidelity::RequestRefusal;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Fresh invoiceIds tried before a charge gives up (each one colliding is a one-in-a-million).
const INVOICE_TRIES: usize = 8;

impl Sandbox {
    /// `POST /recurrent/subscribe`: subscribes an approved payment the token may see. Subscribing
    /// the same payment again changes the frequency and restarts the period from now.
    pub fn subscribe(
        &self,
        token: &Token,
        transaction_id: &str,
        frequency: &str,
    ) -> Result<Subscription, SubscriptionError> {
        let frequency = Frequency::parse(frequency).ok_or_else(|| {
            SubscriptionError::Invalid(format!(
                "paymentFrequency must be WEEKLY, MONTHLY or QUARTERLY, got '{frequency}'"
            ))
        })?;
        let not_found = || SubscriptionError::NotFound(format!("transaction {transaction_id}"));
        let id = Uuid::parse_str(transaction_id.trim()).map_err(|_| not_found())?;
        let tx = self
            .store
            .transactions()
            .get(id)
            .filter(|tx| token_sees(token, tx))
            .ok_or_else(not_found)?;
        if tx.kind() != TransactionKind::Payment
            || !matches!(tx.status(), Status::Auth | Status::Charge)
            || tx.org_amount().is_zero()
        {
            return Err(SubscriptionError::NotApproved {
                id,
                status: tx.status().to_string(),
            });
        }
        let now = self.clock.now();
        let next = frequency.next_after(now);
        let subscription = match self.store.subscriptions().of_transaction(id) {
            Some(existing) => Subscription {
                frequency,
                next_payment_at: next,
                active: true,
                ..existing
            },
            None => new_subscription(self.ids.uuid(), &tx, frequency, now, next),
        };
        self.store.subscriptions().put(subscription.clone());
        self.schedule_charge(&subscription);
        Ok(subscription)
    }

    /// Every subscription, newest first (control plane, dashboard).
    pub fn subscriptions(&self) -> Vec<Subscription> {
        let mut all = self.store.subscriptions().all();
        all.reverse();
        all
    }

    /// One subscription.
    pub fn subscription(&self, id: Uuid) -> Option<Subscription> {
        self.store.subscriptions().get(id)
    }

    /// Makes the next charge now (`POST /_sandbox/recurrent/{id}/run`); the one after follows
    /// one period later.
    pub fn run_subscription(&self, id: Uuid) -> Result<(Subscription, Transaction), SubscriptionError> {
        let subscription = self
            .subscription(id)
            .ok_or_else(|| SubscriptionError::NotFound(format!("subscription {id}")))?;
        if !subscription.active {
            return Err(SubscriptionError::Cancelled(id));
        }
        self.charge_subscription(subscription, self.clock.now())
    }

    /// Stops a subscription: no more charges.
    pub fn cancel_subscription(&self, id: Uuid) -> Result<Subscription, SubscriptionError> {
        self.store
            .subscriptions()
            .update(id, |s| {
                s.active = false;
                s.next_payment_at = None;
                s.clone()
            })
            .ok_or_else(|| SubscriptionError::NotFound(format!("subscription {id}")))
    }

    /// The deadline job: charges if the subscription is still due (a run or a cancel may have
    /// overtaken the job).
    pub(super) fn charge_subscription_if_due(&self, id: Uuid) {
        let now = self.clock.now();
        let Some(subscription) = self.subscription(id).filter(|s| s.due(now)) else {
            return;
        };
        let due = subscription.next_payment_at.unwrap_or(now);
        if let Err(error) = self.charge_subscription(subscription, due) {
            tracing::warn!(%id, %error, "recurrent charge not made");
        }
    }

    /// One charge; the next is due one period after `base`.
    fn charge_subscription(
        &self,
        subscription: Subscription,
        base: DateTime<Utc>,
    ) -> Result<(Subscription, Transaction), SubscriptionError> {
        let result = (0..INVOICE_TRIES)
            .map(|_| self.merchant_charge(self.charge_of(&subscription)))
            .find(|r| {
                !matches!(
                    r,
                    Err(PaymentError::Refused {
                        kind: RequestRefusal::DuplicateInvoice,
                        ..
                    })
                )
            })
            .unwrap_or_else(|| {
                Err(PaymentError::Refused {
                    kind: RequestRefusal::DuplicateInvoice,
                    message: "no free invoiceId found".into(),
                })
            });
        let (tx, approved) = match result {
            Ok(PaymentAccepted::Approved(tx)) => (tx, true),
            Ok(PaymentAccepted::Challenge { transaction, .. }) => (transaction, false),
            Err(PaymentError::NotApproved { transaction, .. }) => (*transaction, false),
            Err(PaymentError::Refused { message, .. }) => return Err(SubscriptionError::Invalid(message)),
            Err(PaymentError::Conflict(error)) => return Err(SubscriptionError::Invalid(error.to_string())),
        };
        let now = self.clock.now();
        let updated = self
            .store
            .subscriptions()
            .update(subscription.id, |s| {
                s.charges.push(tx.id());
                if approved {
                    s.last_payment_at = now;
                }
                if s.active {
                    s.next_payment_at = s.frequency.next_after(base);
                }
                s.clone()
            })
            .ok_or_else(|| SubscriptionError::NotFound(format!("subscription {}", subscription.id)))?;
        self.schedule_charge(&updated);
        Ok((updated, tx))
    }

    /// The charge a subscription makes next, with a fresh invoiceId.
    fn charge_of(&self, subscription: &Subscription) -> MerchantCharge {
        let pan = Uuid::parse_str(&subscription.card.card_id)
            .ok()
            .and_then(|id| self.store.saved_cards().get(id))
            .map(|card| card.pan)
            .or_else(|| {
                self.fixtures
                    .cards
                    .iter()
                    .find(|c| mask_pan(&c.pan) == subscription.card.mask)
                    .map(|c| c.pan.clone())
            });
        MerchantCharge {
            client_id: subscription.client_id.clone(),
            terminal_id: subscription.terminal_id.clone(),
            order: OrderDetails {
                invoice_id: self.ids.reference(),
                invoice_id_alt: String::new(),
                ..subscription.order.clone()
            },
            amount: subscription.amount,
            card: subscription.card.clone(),
            pan,
            links: subscription.links.clone(),
            decided: None,
        }
    }

    fn schedule_charge(&self, subscription: &Subscription) {
        if let Some(at) = subscription.next_payment_at.filter(|_| subscription.active) {
            self.deadlines.schedule(at, Job::ChargeSubscription(subscription.id));
        }
    }

    /// Puts a subscription from a state file back, with its next charge scheduled.
    pub(super) fn restore_subscription(&self, subscription: Subscription) {
        self.schedule_charge(&subscription);
        self.store.subscriptions().put(subscription);
    }
}

fn new_subscription(
    id: Uuid,
    tx: &Transaction,
    frequency: Frequency,
    now: DateTime<Utc>,
    next: Option<DateTime<Utc>>,
) -> Subscription {
    Subscription {
        id,
        client_id: tx.client_id().to_string(),
        transaction_id: tx.id(),
        terminal_id: tx.terminal_id().to_string(),
        invoice_id: tx.order().invoice_id.to_string(),
        reference: tx.reference().to_string(),
        amount: tx.org_amount(),
        currency: tx.order().currency.to_string(),
        frequency,
        created_at: now,
        last_payment_at: tx.created_at(),
        next_payment_at: next,
        order: tx.order().to_details(),
        card: tx.card().to_snapshot(),
        links: tx.links().to_links(),
        charges: Vec::new(),
        active: true,
    }
}
