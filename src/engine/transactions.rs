//! Opening transactions and moving them through the state machine.

use super::Sandbox;
use crate::domain::status::Status;
use crate::domain::tokens::Token;
use crate::domain::transaction::{NewTransaction, Operation, OperationError, Transaction};
use crate::store::DuplicateInvoice;
use chrono::{DateTime, Utc};
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
    /// A refund with this `externalID` was already made on the transaction.
    #[error("a refund with externalID {0} has already been made")]
    DuplicateRefund(String),
}

impl Sandbox {
    /// Opens a transaction in status NEW, enforcing invoiceId uniqueness on its terminal.
    pub fn open_transaction(&self, new: NewTransaction) -> Result<Transaction, DuplicateInvoice> {
        let tx = Transaction::open(
            new,
            self.ids.uuid(),
            self.ids.uuid(),
            self.ids.reference(),
            self.ids.int_reference(),
            self.clock.now(),
        );
        self.store.insert_transaction(tx.clone())?;
        Ok(tx)
    }

    /// Applies `op` to transaction `id` atomically and returns the updated copy. When the move
    /// settles an authorisation attempt (approve, decline, fail, 3-D Secure failure, verify),
    /// the merchant's callback is queued.
    pub fn operate(&self, id: Uuid, op: &Operation) -> Result<Transaction, OperateError> {
        let now = self.clock.now();
        let status_id = self.ids.uuid();
        let tx = self
            .store
            .update(id, |tx| tx.apply(op, now, status_id).map(|_| tx.clone()))
            .ok_or(OperateError::NotFound(id))?
            .map_err(OperateError::from)?;
        if settles_attempt(op) {
            self.callbacks.notify_final(&tx);
        }
        Ok(tx)
    }

    /// Like [`Sandbox::operate`], but only on a transaction the token's client owns (and, when
    /// the token names a terminal, on that terminal).
    pub fn operate_as(&self, token: &Token, id: Uuid, op: &Operation) -> Result<Transaction, OperateError> {
        self.settle_if_due(id);
        let visible = self.store.transaction(id).is_some_and(|tx| token_sees(token, &tx));
        if !visible {
            return Err(OperateError::NotFound(id));
        }
        self.operate(id, op)
    }

    /// Refunds a payment the token may see. A repeated `external_id` is refused, so a merchant
    /// retrying a refund cannot return the money twice. Checked and applied under the
    /// transaction's lock.
    pub fn refund_as(
        &self,
        token: &Token,
        id: Uuid,
        amount: Option<crate::domain::money::Amount>,
        external_id: Option<&str>,
    ) -> Result<Transaction, OperateError> {
        self.settle_if_due(id);
        let now = self.clock.now();
        let status_id = self.ids.uuid();
        self.store
            .update(id, |tx| {
                if !token_sees(token, tx) {
                    return Err(OperateError::NotFound(id));
                }
                if let Some(external) = external_id.filter(|e| tx.has_refund(e)) {
                    return Err(OperateError::DuplicateRefund(external.to_string()));
                }
                tx.apply(&Operation::Refund(amount), now, status_id)?;
                if let Some(entry) = tx.history.last_mut() {
                    entry.external_id = external_id.map(str::to_string);
                }
                Ok(tx.clone())
            })
            .unwrap_or(Err(OperateError::NotFound(id)))
    }

    /// Approves a NEW transaction on its terminal's terms: AUTH on a two-step terminal, CHARGE
    /// on a one-step one; VERIFIED for a zero-amount card verification.
    pub fn approve(&self, id: Uuid) -> Result<Transaction, OperateError> {
        let tx = self.store.transaction(id).ok_or(OperateError::NotFound(id))?;
        if tx.org_amount.is_zero() {
            return self.operate(
                id,
                &Operation::Verify {
                    approval_code: self.ids.approval_code(),
                },
            );
        }
        let two_step = self
            .store
            .terminal(&tx.terminal_id)
            .map(|(_, t)| t.mode == crate::domain::merchants::TerminalMode::TwoStep)
            .unwrap_or(false);
        self.operate(
            id,
            &Operation::Approve {
                two_step,
                approval_code: self.ids.approval_code(),
            },
        )
    }

    /// Declines a NEW transaction with a catalogued reason code.
    pub fn decline(&self, id: Uuid, code: i32) -> Result<Transaction, OperateError> {
        let reason = self.fixtures.catalogue.message_en(code);
        self.operate(id, &Operation::Decline { code, reason })
    }

    /// Settles pending outcomes and expires AUTH holds that are due at `now` (the background
    /// timer and every clock move call this).
    pub(super) fn settle_due_transactions(&self, now: DateTime<Utc>) {
        let hold = self.config.auth_hold;
        for id in self.store.transaction_ids(|tx| is_due(tx, now, hold)) {
            self.settle(id);
        }
    }

    /// Settles one transaction if its timer is due, so a lookup never shows a stale state
    /// between two runs of the background timer.
    pub(super) fn settle_if_due(&self, id: Uuid) {
        self.expire_challenge_if_due(id);
        let now = self.clock.now();
        if self
            .store
            .transaction(id)
            .is_some_and(|tx| is_due(&tx, now, self.config.auth_hold))
        {
            self.settle(id);
        }
    }

    fn settle(&self, id: Uuid) {
        let Some(tx) = self.store.transaction(id) else { return };
        let result = match (&tx.pending, tx.status) {
            (Some(pending), Status::New) => match pending.decline_with {
                Some(code) => self.decline(id, code),
                None => self.approve(id),
            },
            (_, Status::Auth) => self.operate(id, &Operation::ExpireHold),
            _ => return,
        };
        if let Err(error) = result {
            tracing::debug!(%id, %error, "timer found the transaction already moved");
        }
    }
}

/// Whether a transaction has a timer due at `now`: a pending outcome to settle, or an AUTH
/// older than the hold period.
fn is_due(tx: &Transaction, now: DateTime<Utc>, hold: chrono::Duration) -> bool {
    let pending_due = tx.pending.as_ref().is_some_and(|p| p.settle_at <= now);
    let hold_over = tx.status == Status::Auth && tx.history.last().map_or(tx.created_at, |h| h.at) + hold <= now;
    pending_due || hold_over
}

/// Whether a token may see a transaction: same client, and same terminal when the token has one.
pub(crate) fn token_sees(token: &Token, tx: &Transaction) -> bool {
    tx.client_id == token.client_id
        && token
            .terminal
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case(&tx.terminal_id))
}

/// Whether an operation ends an authorisation attempt (and so fires postLink/failurePostLink).
fn settles_attempt(op: &Operation) -> bool {
    matches!(
        op,
        Operation::Approve { .. }
            | Operation::Verify { .. }
            | Operation::Decline { .. }
            | Operation::Fail { .. }
            | Operation::Fail3ds { .. }
    )
}
