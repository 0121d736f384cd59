//! The transaction record and the operations that move it through the state machine.

use super::money::Amount;
use super::status::{next_status, Event, Status};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Smallest refund the bank accepts, in KZT (spec §9).
pub const MIN_REFUND_KZT: Amount = Amount::from_units(10);

/// Whether a transaction is a card payment or a transfer between cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    /// A card payment (cryptopay, saved card, hosted page).
    Payment,
    /// A P2P, AFT or OCT transfer.
    Transfer,
}

/// The card a transaction was made with, as the bank shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CardSnapshot {
    /// `440563...5096`.
    pub mask: String,
    /// `VISA`, `MasterCard`, `AMEX`.
    pub brand: String,
    /// Issuing bank name.
    pub issuer: String,
    /// Saved-card id when the card was saved or paid with by id.
    pub card_id: String,
    /// Cardholder name as entered.
    pub holder: String,
}

/// One line of a transaction's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// When it happened (sandbox time).
    pub at: DateTime<Utc>,
    /// What happened.
    pub event: Event,
    /// Status before.
    pub from: Status,
    /// Status after.
    pub to: Status,
    /// Amount the operation moved, if any.
    pub amount: Option<Amount>,
    /// Reason code attached to the move (0 for success).
    pub reason_code: i32,
    /// The merchant's id for the operation (`externalID` of a refund).
    pub external_id: Option<String>,
}

/// Merchant-supplied order details, everything check-status echoes back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrderDetails {
    /// The merchant's order number (6–15 digits).
    pub invoice_id: String,
    /// Optional second order number.
    pub invoice_id_alt: String,
    /// Merchant's customer id; saved cards hang off it.
    pub account_id: String,
    /// What is being paid for.
    pub description: String,
    /// `rus`, `kaz`, `eng` (as sent).
    pub language: String,
    /// Cardholder name.
    pub name: String,
    /// Payer e-mail.
    pub email: String,
    /// Payer phone.
    pub phone: String,
    /// Free-form merchant data (usually a JSON string).
    pub data: String,
    /// ISO currency code.
    pub currency: String,
}

/// Where the bank reports and redirects for this transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Links {
    /// Success callback.
    pub post_link: String,
    /// Failure callback (falls back to `post_link`).
    pub failure_post_link: String,
    /// Browser redirect after success.
    pub back_link: String,
    /// Browser redirect after failure.
    pub failure_back_link: String,
    /// Merchant secret echoed in callbacks.
    pub secret_hash: String,
}

/// An outcome that has not settled yet (reason 454 and friends): check-status answers 107.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingOutcome {
    /// When the outcome becomes known (sandbox time).
    pub settle_at: DateTime<Utc>,
    /// What it settles into: `None` approves, `Some(code)` declines with that reason.
    pub decline_with: Option<i32>,
    /// Status polls still answered "in progress" before it settles (`None`: only time settles it).
    pub polls_left: Option<u32>,
}

impl PendingOutcome {
    /// The pending outcome of [`super::outcome::Outcome::Pending`] started at `now`: settles
    /// after `seconds` (clamped to 0–100 years) or after `polls` status polls.
    pub fn after(now: DateTime<Utc>, seconds: i64, decline_with: Option<i32>, polls: Option<u32>) -> Self {
        let seconds = seconds.clamp(0, super::duration::MAX_SECONDS);
        let settle_at = now
            .checked_add_signed(chrono::Duration::seconds(seconds))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        PendingOutcome {
            settle_at,
            decline_with,
            polls_left: polls,
        }
    }
}

/// A payment or transfer as the sandbox keeps it: every field check-status shows, plus history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transaction {
    /// The ePay transaction id (used by charge/cancel/refund).
    pub id: Uuid,
    /// Payment or transfer.
    pub kind: TransactionKind,
    /// OAuth client that owns it.
    pub client_id: String,
    /// Terminal UUID.
    pub terminal_id: String,
    /// Processing-side terminal number (`"98120001"`).
    pub terminal_number: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Current status.
    pub status: Status,
    /// Id of the current status record; changes on every transition.
    pub status_id: Uuid,
    /// Order details.
    pub order: OrderDetails,
    /// Amount originally requested (`orgAmount`).
    pub org_amount: Amount,
    /// Amount captured so far.
    pub charged: Amount,
    /// Amount refunded so far (`payoutAmount`).
    pub refunded: Amount,
    /// Bonus part of the amount.
    pub amount_bonus: Amount,
    /// Card used.
    pub card: CardSnapshot,
    /// 12-digit RRN.
    pub reference: String,
    /// 16-hex internal reference.
    pub int_reference: String,
    /// 6-digit approval code (empty until approved).
    pub approval_code: String,
    /// Reason text of the last outcome.
    pub reason: String,
    /// Reason code of the last outcome (0 success).
    pub reason_code: i32,
    /// Whether 3-D Secure was performed.
    pub secure: bool,
    /// Payer IP as the bank saw it.
    pub ip: String,
    /// Callback and redirect links.
    pub links: Links,
    /// An outcome waiting to settle.
    pub pending: Option<PendingOutcome>,
    /// Every move so far.
    pub history: Vec<HistoryEntry>,
    /// Transfer specifics (fee, sender, receiver) of a transaction of kind `Transfer`.
    pub transfer: Option<Box<super::transfer::TransferDetails>>,
}

/// Something a merchant or the issuer does to a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Issuer approved (`two_step` chooses AUTH over CHARGE).
    Approve {
        /// Whether the terminal holds funds first.
        two_step: bool,
        /// Approval code to record.
        approval_code: String,
    },
    /// Zero-amount verification succeeded.
    Verify {
        /// Approval code to record.
        approval_code: String,
    },
    /// Declined with a reason.
    Decline {
        /// Reason code.
        code: i32,
        /// Reason text.
        reason: String,
    },
    /// Technical failure with a reason.
    Fail {
        /// Reason code.
        code: i32,
        /// Reason text.
        reason: String,
    },
    /// 3-D Secure failed.
    Fail3ds {
        /// Reason code.
        code: i32,
        /// Reason text.
        reason: String,
    },
    /// Capture an AUTH, fully (`None`) or partly.
    Charge(Option<Amount>),
    /// Release an AUTH.
    Cancel,
    /// The AUTH hold ran out.
    ExpireHold,
    /// Return captured funds, fully (`None`: everything not yet refunded) or partly.
    Refund(Option<Amount>),
}

impl Operation {
    /// The state-machine event this operation fires.
    pub fn event(&self) -> Event {
        match self {
            Operation::Approve { two_step: true, .. } => Event::AuthorizeHold,
            Operation::Approve { two_step: false, .. } => Event::AuthorizeCapture,
            Operation::Verify { .. } => Event::Verify,
            Operation::Decline { .. } => Event::Decline,
            Operation::Fail { .. } => Event::Fail,
            Operation::Fail3ds { .. } => Event::Fail3ds,
            Operation::Charge(_) => Event::Charge,
            Operation::Cancel => Event::Cancel,
            Operation::ExpireHold => Event::ExpireHold,
            Operation::Refund(_) => Event::Refund,
        }
    }
}

/// Why an operation was refused. The transaction is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperationError {
    /// The transition table has no such move from the current status.
    #[error("operation {event:?} is not allowed for a transaction in status {status}")]
    NotAllowed {
        /// Current status.
        status: Status,
        /// Attempted event.
        event: Event,
    },
    /// Charge of more than was authorised.
    #[error("charge amount {requested} exceeds the authorised amount {authorised}")]
    ChargeExceedsAuth {
        /// Requested.
        requested: Amount,
        /// Authorised.
        authorised: Amount,
    },
    /// Refund of more than is left.
    #[error("refund amount {requested} exceeds the refundable amount {refundable}")]
    RefundExceedsCharge {
        /// Requested.
        requested: Amount,
        /// Still refundable.
        refundable: Amount,
    },
    /// Refund below the bank's minimum.
    #[error("refund amount {requested} is below the minimum of {minimum}")]
    RefundBelowMinimum {
        /// Requested.
        requested: Amount,
        /// Minimum.
        minimum: Amount,
    },
    /// Zero amount where money must move.
    #[error("amount must be greater than zero")]
    ZeroAmount,
}

impl Transaction {
    /// The amount as check-status shows it: what is held or captured now, less refunds.
    pub fn amount(&self) -> Amount {
        match self.status {
            Status::Charge | Status::Refund => self.charged.checked_sub(self.refunded).unwrap_or(Amount::ZERO),
            _ => self.org_amount,
        }
    }

    /// Whether a refund with this merchant id has already been made.
    pub fn has_refund(&self, external_id: &str) -> bool {
        self.history
            .iter()
            .any(|h| h.external_id.as_deref() == Some(external_id))
    }

    /// What can still be refunded.
    pub fn refundable(&self) -> Amount {
        self.charged.checked_sub(self.refunded).unwrap_or(Amount::ZERO)
    }

    /// Applies `op` at `now` if the transition table and the amount rules allow it.
    /// `new_status_id` becomes the `statusID` of the new status.
    pub fn apply(&mut self, op: &Operation, now: DateTime<Utc>, new_status_id: Uuid) -> Result<Status, OperationError> {
        let event = op.event();
        let from = self.status;
        let to = next_status(from, event).ok_or(OperationError::NotAllowed { status: from, event })?;
        let mut moved = None;
        let mut reason_code = 0;
        match op {
            Operation::Approve {
                two_step,
                approval_code,
            } => {
                self.approval_code = approval_code.clone();
                if !two_step {
                    self.charged = self.org_amount;
                }
                self.set_reason(0, "Successfully");
                moved = Some(self.org_amount);
            }
            Operation::Verify { approval_code } => {
                self.approval_code = approval_code.clone();
                self.set_reason(0, "Successfully");
            }
            Operation::Decline { code, reason }
            | Operation::Fail { code, reason }
            | Operation::Fail3ds { code, reason } => {
                self.set_reason(*code, reason);
                reason_code = *code;
            }
            Operation::Charge(amount) => {
                let amount = amount.unwrap_or(self.org_amount);
                if amount.is_zero() {
                    return Err(OperationError::ZeroAmount);
                }
                if amount > self.org_amount {
                    return Err(OperationError::ChargeExceedsAuth {
                        requested: amount,
                        authorised: self.org_amount,
                    });
                }
                self.charged = amount;
                moved = Some(amount);
            }
            Operation::Cancel | Operation::ExpireHold => {}
            Operation::Refund(amount) => {
                let refundable = self.refundable();
                let amount = amount.unwrap_or(refundable);
                if amount.is_zero() {
                    return Err(OperationError::ZeroAmount);
                }
                if amount > refundable {
                    return Err(OperationError::RefundExceedsCharge {
                        requested: amount,
                        refundable,
                    });
                }
                if self.order.currency == "KZT" && amount < MIN_REFUND_KZT && amount != refundable {
                    return Err(OperationError::RefundBelowMinimum {
                        requested: amount,
                        minimum: MIN_REFUND_KZT,
                    });
                }
                self.refunded = self.refunded.saturating_add(amount);
                moved = Some(amount);
            }
        }
        self.status = to;
        self.status_id = new_status_id;
        self.pending = None;
        self.history.push(HistoryEntry {
            at: now,
            event,
            from,
            to,
            amount: moved,
            reason_code,
            external_id: None,
        });
        Ok(to)
    }

    fn set_reason(&mut self, code: i32, reason: &str) {
        self.reason_code = code;
        self.reason = reason.to_string();
    }
}

/// Everything needed to open a new transaction in status NEW.
#[derive(Debug, Clone)]
pub struct NewTransaction {
    /// Payment or transfer.
    pub kind: TransactionKind,
    /// Owning client.
    pub client_id: String,
    /// Terminal UUID.
    pub terminal_id: String,
    /// Terminal number.
    pub terminal_number: String,
    /// Order details.
    pub order: OrderDetails,
    /// Requested amount.
    pub amount: Amount,
    /// Card used.
    pub card: CardSnapshot,
    /// Links.
    pub links: Links,
    /// Payer IP.
    pub ip: String,
}

impl Transaction {
    /// A fresh transaction in status NEW.
    pub fn open(
        new: NewTransaction,
        id: Uuid,
        status_id: Uuid,
        reference: String,
        int_reference: String,
        now: DateTime<Utc>,
    ) -> Self {
        Transaction {
            id,
            kind: new.kind,
            client_id: new.client_id,
            terminal_id: new.terminal_id,
            terminal_number: new.terminal_number,
            created_at: now,
            status: Status::New,
            status_id,
            order: new.order,
            org_amount: new.amount,
            charged: Amount::ZERO,
            refunded: Amount::ZERO,
            amount_bonus: Amount::ZERO,
            card: new.card,
            reference,
            int_reference,
            approval_code: String::new(),
            reason: String::new(),
            reason_code: 0,
            secure: false,
            ip: new.ip,
            links: new.links,
            pending: None,
            history: Vec::new(),
            transfer: None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample(amount: Amount) -> Transaction {
        let new = NewTransaction {
            kind: TransactionKind::Payment,
            client_id: "test".into(),
            terminal_id: "t".into(),
            terminal_number: "98120001".into(),
            order: OrderDetails {
                invoice_id: "000001".into(),
                currency: "KZT".into(),
                ..Default::default()
            },
            amount,
            card: CardSnapshot::default(),
            links: Links::default(),
            ip: String::new(),
        };
        Transaction::open(
            new,
            Uuid::nil(),
            Uuid::nil(),
            "000000000000".into(),
            "0000000000000000".into(),
            Utc::now(),
        )
    }

    fn approve(two_step: bool) -> Operation {
        Operation::Approve {
            two_step,
            approval_code: "123456".into(),
        }
    }

    #[test]
    fn two_step_payment_charges_partially_then_refunds_twice() {
        let mut tx = sample(Amount::from_units(1000));
        let now = Utc::now();
        assert_eq!(tx.apply(&approve(true), now, Uuid::nil()), Ok(Status::Auth));
        assert_eq!(tx.amount(), Amount::from_units(1000));
        assert_eq!(
            tx.apply(&Operation::Charge(Some(Amount::from_units(800))), now, Uuid::nil()),
            Ok(Status::Charge)
        );
        assert_eq!(tx.amount(), Amount::from_units(800));
        assert_eq!(
            tx.apply(&Operation::Refund(Some(Amount::from_units(300))), now, Uuid::nil()),
            Ok(Status::Refund)
        );
        assert_eq!(tx.amount(), Amount::from_units(500));
        assert_eq!(tx.refunded, Amount::from_units(300));
        assert_eq!(
            tx.apply(&Operation::Refund(Some(Amount::from_units(600))), now, Uuid::nil()),
            Err(OperationError::RefundExceedsCharge {
                requested: Amount::from_units(600),
                refundable: Amount::from_units(500)
            })
        );
        assert_eq!(tx.apply(&Operation::Refund(None), now, Uuid::nil()), Ok(Status::Refund));
        assert_eq!(tx.amount(), Amount::ZERO);
        assert_eq!(tx.org_amount, Amount::from_units(1000));
        assert_eq!(tx.history.len(), 4);
    }

    #[test]
    fn refund_below_minimum_is_refused_unless_it_empties_the_payment() {
        let mut tx = sample(Amount::from_units(15));
        let now = Utc::now();
        tx.apply(&approve(false), now, Uuid::nil()).ok();
        assert!(matches!(
            tx.apply(&Operation::Refund(Some(Amount::from_units(5))), now, Uuid::nil()),
            Err(OperationError::RefundBelowMinimum { .. })
        ));
        assert_eq!(
            tx.apply(&Operation::Refund(Some(Amount::from_units(10))), now, Uuid::nil()),
            Ok(Status::Refund)
        );
        assert_eq!(
            tx.apply(&Operation::Refund(Some(Amount::from_units(5))), now, Uuid::nil()),
            Ok(Status::Refund)
        );
    }

    #[test]
    fn refused_operation_leaves_the_transaction_unchanged() {
        let mut tx = sample(Amount::from_units(100));
        let before = tx.clone();
        assert!(tx.apply(&Operation::Refund(None), Utc::now(), Uuid::nil()).is_err());
        assert_eq!(tx, before);
        tx.apply(&approve(true), Utc::now(), Uuid::nil()).ok();
        let before = tx.clone();
        assert!(tx
            .apply(
                &Operation::Charge(Some(Amount::from_units(101))),
                Utc::now(),
                Uuid::nil()
            )
            .is_err());
        assert_eq!(tx, before);
    }
}
