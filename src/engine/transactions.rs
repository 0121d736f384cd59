//! Opening transactions and moving them through the state machine: every change of a stored
//! transaction goes through [`Sandbox::apply`], which applies one event and carries out its
//! effects (callbacks, timers, transfer totals).

use super::Sandbox;
use crate::deadlines::Job;
use crate::domain::merchants::TerminalMode;
use crate::domain::money::Amount;
use crate::domain::status::Status;
use crate::domain::tokens::Token;
use crate::domain::transaction::{
    ApplyContext, Effect, Event, NewIds, NewTransaction, OperationError, Transaction, TransactionKind, TransactionTimer,
};
use crate::fidelity::TokenReach;
use crate::store::{ApplyError, DuplicateInvoice};
use uuid::Uuid;

/// Why an operation on a transaction was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperateError {
    /// No transaction with that id visible to the token.
    #[error("transaction {0} not found")]
    NotFound(Uuid),
    /// The state machine or the amount rules said no.
    #[error(transparent)]
    Refused(#[from] OperationError),
}

impl From<ApplyError> for OperateError {
    fn from(error: ApplyError) -> Self {
        match error {
            ApplyError::NotFound(id) => OperateError::NotFound(id),
            ApplyError::Refused(refused) => OperateError::Refused(refused),
        }
    }
}

impl Sandbox {
    /// Opens a transaction in status NEW, enforcing invoiceId uniqueness on its terminal.
    pub fn open_transaction(&self, new: NewTransaction) -> Result<Transaction, DuplicateInvoice> {
        let ids = NewIds {
            id: self.ids.uuid(),
            status_id: self.ids.uuid(),
            reference: self.ids.reference(),
            int_reference: self.ids.int_reference(),
        };
        let tx = Transaction::open(new, ids, self.clock.now());
        self.store.transactions().insert(tx.clone())?;
        Ok(tx)
    }

    /// Applies `event` to transaction `id` atomically, carries out what it says must follow
    /// and returns the updated copy. The one way a stored transaction changes.
    pub(crate) fn apply(&self, id: Uuid, event: Event) -> Result<Transaction, OperateError> {
        let ctx = ApplyContext {
            now: self.clock.now(),
            new_status_id: self.ids.uuid(),
            auth_hold: self.config.auth_hold,
        };
        let applied = self.store.transactions().apply(id, event, &ctx)?;
        for effect in applied.effects {
            self.carry_out(&applied.transaction, effect);
        }
        Ok(applied.transaction)
    }

    fn carry_out(&self, tx: &Transaction, effect: Effect) {
        match effect {
            Effect::NotifyCallback => {
                self.settle_bonus(tx);
                self.callbacks.notify_final(tx)
            }
            Effect::ScheduleAt { at, timer } => {
                let job = match timer {
                    TransactionTimer::SettlePending => Job::SettlePending(tx.id()),
                    TransactionTimer::ExpireHold => Job::ExpireHold(tx.id()),
                };
                self.deadlines.schedule(at, job);
            }
            Effect::CountsTowardsLimits => self.count_transfer(tx),
        }
    }

    /// Applies an event from the control plane (`/_sandbox/transactions/{id}/…`, the dashboard):
    /// no token, any transaction.
    pub fn operate(&self, id: Uuid, event: Event) -> Result<Transaction, OperateError> {
        self.settle_if_due(id);
        self.apply(id, event)
    }

    /// Applies a merchant's operation (charge, cancel, refund) to a transaction the token may
    /// see: its client's, and its terminal's when the token names one.
    pub fn operate_as(&self, token: &Token, id: Uuid, event: Event) -> Result<Transaction, OperateError> {
        self.settle_if_due(id);
        let visible = self
            .store
            .transactions()
            .get(id)
            .is_some_and(|tx| self.token_reaches(token, &tx));
        if !visible {
            return Err(OperateError::NotFound(id));
        }
        self.apply(id, event)
    }

    /// Refunds a payment the token may see. A repeated `external_id` is refused, so a merchant
    /// retrying a refund cannot return the money twice.
    pub fn refund_as(
        &self,
        token: &Token,
        id: Uuid,
        amount: Option<Amount>,
        external_id: Option<&str>,
    ) -> Result<Transaction, OperateError> {
        let event = Event::Refund {
            amount,
            external_id: external_id.map(str::to_string),
        };
        self.operate_as(token, id, event)
    }

    /// Approves a NEW transaction on its terminal's terms: AUTH on a two-step terminal, CHARGE
    /// on a one-step one; VERIFIED for a zero-amount card verification.
    pub fn approve(&self, id: Uuid) -> Result<Transaction, OperateError> {
        let tx = self.store.transactions().get(id).ok_or(OperateError::NotFound(id))?;
        let approval_code = self.ids.approval_code();
        if tx.org_amount().is_zero() {
            return self.apply(id, Event::Verify { approval_code });
        }
        let two_step = self
            .store
            .merchants()
            .terminal(tx.terminal_id())
            .is_some_and(|(_, t)| t.mode == TerminalMode::TwoStep);
        self.apply(
            id,
            Event::Approve {
                two_step,
                approval_code,
            },
        )
    }

    /// Declines a NEW transaction with a catalogued reason code.
    pub fn decline(&self, id: Uuid, code: i32) -> Result<Transaction, OperateError> {
        let reason = self.fixtures.catalogue.message_en(code);
        self.apply(id, Event::Decline { code, reason })
    }

    /// Runs the timer of one transaction if it is due, so a lookup never shows a stale state
    /// in the moment between a deadline and the timer task running it. O(1): one session
    /// index lookup and one transaction.
    pub(super) fn settle_if_due(&self, id: Uuid) {
        if let Some(md) = self.store.secure3d().md_of(id) {
            self.expire_challenge(&md);
        }
        let now = self.clock.now();
        let due = self
            .store
            .transactions()
            .get(id)
            .and_then(|tx| tx.timer_due(now, self.config.auth_hold));
        if let Some(timer) = due {
            self.run_transaction_timer(id, timer);
        }
    }

    /// Runs a transaction's timer if it is still due (events may have overtaken it).
    pub(super) fn run_transaction_timer(&self, id: Uuid, timer: TransactionTimer) {
        let now = self.clock.now();
        let Some(tx) = self.store.transactions().get(id) else {
            return;
        };
        if tx.timer_due(now, self.config.auth_hold) != Some(timer) {
            return;
        }
        let result = match timer {
            TransactionTimer::SettlePending => self.settle_pending(&tx),
            TransactionTimer::ExpireHold => self.apply(id, Event::ExpireHold),
        };
        if let Err(error) = result {
            tracing::debug!(%id, %error, "timer found the transaction already moved");
        }
    }

    /// Settles a pending outcome now, as it was decided.
    pub(super) fn settle_pending(&self, tx: &Transaction) -> Result<Transaction, OperateError> {
        match tx.pending().map(|p| p.decline_with) {
            Some(Some(code)) => self.decline(tx.id(), code),
            Some(None) => self.approve(tx.id()),
            None => Ok(tx.clone()),
        }
    }

    /// Counts one check-status poll of a pending transaction, atomically: takes one poll off,
    /// or settles the outcome once its polls are used up. Returns the transaction as the poll
    /// should show it.
    pub(super) fn count_status_poll(&self, tx: Transaction) -> Transaction {
        if tx.pending().and_then(|p| p.polls_left).is_none() {
            return tx;
        }
        let result = match self.apply(tx.id(), Event::CountPoll) {
            Err(OperateError::Refused(OperationError::NotPolled)) => self.settle_pending(&tx),
            other => other,
        };
        result.unwrap_or_else(|_| self.store.transactions().get(tx.id()).unwrap_or(tx))
    }

    /// Counts a completed transfer against its terminal's and its receiver's daily totals.
    pub(super) fn count_transfer(&self, tx: &Transaction) {
        if tx.kind() != TransactionKind::Transfer {
            return;
        }
        let day = super::transfers::bank_day(tx.created_at());
        for key in super::transfers::limit_keys(tx) {
            self.store.transfer_totals().add(&key, day, tx.org_amount());
        }
    }

    /// Takes a removed transfer back off the daily totals it counted in.
    pub(super) fn uncount_transfer(&self, tx: &Transaction) {
        if tx.kind() != TransactionKind::Transfer || !matches!(tx.status(), Status::Charge | Status::Refund) {
            return;
        }
        let day = super::transfers::bank_day(tx.created_at());
        for key in super::transfers::limit_keys(tx) {
            self.store.transfer_totals().subtract(&key, day, tx.org_amount());
        }
    }
}

impl Sandbox {
    /// Whether a token may read or operate on a transaction: [`token_sees`] it, and, with
    /// `token.reach=invoice`, a token issued for an invoice reaches only that invoice. (F-16)
    pub(super) fn token_reaches(&self, token: &Token, tx: &Transaction) -> bool {
        token_sees(token, tx) && self.invoice_in_reach(token, tx.order().invoice_id)
    }

    /// Whether `token.reach` lets `token` reach `invoice_id`. (F-16)
    pub(super) fn invoice_in_reach(&self, token: &Token, invoice_id: &str) -> bool {
        match self.profile_for(&token.client_id).token_reach {
            TokenReach::Terminal => true,
            TokenReach::Invoice => token.invoice_id.as_deref().is_none_or(|bound| bound == invoice_id),
        }
    }
}

/// Whether a token may see a transaction: same client, and same terminal when the token has one.
pub(crate) fn token_sees(token: &Token, tx: &Transaction) -> bool {
    tx.client_id() == token.client_id
        && token
            .terminal
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case(tx.terminal_id()))
}
