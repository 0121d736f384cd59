//! The transaction record and the operations that move it through the state machine.

use super::money::Amount;
use super::status::{next_status, EventKind, Status};
use chrono::{DateTime, Utc};
use record::{Field, Record};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

mod record;
pub use record::{CardView, LinksView, OrderView};

/// Smallest refund the bank accepts, in KZT (spec §9).
pub const MIN_REFUND_KZT: Amount = Amount::from_units(10);

/// Whether a transaction is a card payment or a transfer between cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    /// A card payment (cryptopay, saved card, hosted page).
    Payment,
    /// A P2P, AFT or OCT transfer.
    Transfer,
}

/// The card a transaction was made with, as the bank shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When it happened (sandbox time).
    pub at: DateTime<Utc>,
    /// What happened.
    pub event: EventKind,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
///
/// An aggregate: its fields are private and it changes only through [`Transaction::apply`],
/// which checks each [`Event`] against the transition table, records it in the history and
/// says what must follow ([`Effect`]s: a callback, a timer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "record::Repr", into = "record::Repr")]
pub struct Transaction {
    inner: Arc<Record>,
}

/// Something that happens to a transaction: the issuer's answer, the merchant's operation, a
/// timer, or a fact recorded along the way. [`Transaction::apply`] is the only way in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
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
    /// The outcome is not known yet: check-status answers "in progress" until it settles.
    Defer {
        /// When and how it settles.
        pending: PendingOutcome,
        /// Reason code shown meanwhile (454).
        code: i32,
        /// Reason text shown meanwhile.
        reason: String,
    },
    /// One check-status poll of a pending outcome that settles after a number of polls.
    CountPoll,
    /// 3-D Secure was performed.
    MarkSecure,
    /// The card was saved: the transaction (and, for a transfer, the parties) carry the ids.
    CardSaved {
        /// The id shown as `cardID` of the transaction.
        card_id: String,
        /// Saved ids of the transfer's parties, by side.
        parties: Vec<(super::transfer::TransferSide, String)>,
    },
    /// Capture an AUTH, fully (`None`) or partly.
    Charge(Option<Amount>),
    /// Release an AUTH.
    Cancel,
    /// The AUTH hold ran out.
    ExpireHold,
    /// Return captured funds, fully (`None`: everything not yet refunded) or partly; a repeated
    /// `external_id` is refused so a retried refund cannot return the money twice.
    Refund {
        /// How much.
        amount: Option<Amount>,
        /// The merchant's id for the refund (`externalID`).
        external_id: Option<String>,
    },
    /// This much of the amount is paid with the card's bonus (`amountBonus`; at most the amount).
    SpendBonus(Amount),
}

impl Event {
    /// The kind the transition table knows this event by.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Approve { two_step: true, .. } => EventKind::AuthorizeHold,
            Event::Approve { two_step: false, .. } => EventKind::AuthorizeCapture,
            Event::Verify { .. } => EventKind::Verify,
            Event::Decline { .. } => EventKind::Decline,
            Event::Fail { .. } => EventKind::Fail,
            Event::Fail3ds { .. } => EventKind::Fail3ds,
            Event::Defer { .. } => EventKind::Defer,
            Event::CountPoll => EventKind::CountPoll,
            Event::MarkSecure => EventKind::MarkSecure,
            Event::CardSaved { .. } => EventKind::CardSaved,
            Event::Charge(_) => EventKind::Charge,
            Event::Cancel => EventKind::Cancel,
            Event::ExpireHold => EventKind::ExpireHold,
            Event::Refund { .. } => EventKind::Refund,
            Event::SpendBonus(_) => EventKind::SpendBonus,
        }
    }
}

/// What has to happen because an event was applied; the engine carries these out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The authorisation attempt is over: send postLink (or failurePostLink).
    NotifyCallback,
    /// Something must happen to this transaction at `at` (sandbox time).
    ScheduleAt {
        /// When.
        at: DateTime<Utc>,
        /// What.
        timer: TransactionTimer,
    },
    /// A transfer reached CHARGE: its amount counts against the daily limits.
    CountsTowardsLimits,
}

/// The timers a transaction can be waiting on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionTimer {
    /// A pending outcome settles.
    SettlePending,
    /// An AUTH that nobody charged or cancelled turns CANCEL_OLD.
    ExpireHold,
}

/// What [`Transaction::apply`] needs besides the event: the time, the id of the status record
/// a move creates, and the terminal's hold period.
#[derive(Debug, Clone, Copy)]
pub struct ApplyContext {
    /// Sandbox time of the event.
    pub now: DateTime<Utc>,
    /// `statusID` of the new status, when the event changes it.
    pub new_status_id: Uuid,
    /// How long an AUTH is held before it turns CANCEL_OLD.
    pub auth_hold: chrono::Duration,
}

/// Why an event was refused. The transaction is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperationError {
    /// The transition table has no such move from the current status.
    #[error("operation {event:?} is not allowed for a transaction in status {status}")]
    NotAllowed {
        /// Current status.
        status: Status,
        /// Attempted event.
        event: EventKind,
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
    /// A refund with this `externalID` was already made on the transaction.
    #[error("a refund with externalID {0} has already been made")]
    DuplicateRefund(String),
    /// A poll counted on an outcome that is not waiting for (more) polls: it settles now.
    #[error("the transaction has no outcome waiting for status polls")]
    NotPolled,
    /// Zero amount where money must move.
    #[error("amount must be greater than zero")]
    ZeroAmount,
}

impl Transaction {
    fn from_record(record: Record) -> Self {
        Transaction {
            inner: Arc::new(record),
        }
    }
    fn record(&self) -> &Record {
        &self.inner
    }
    /// The ePay transaction id (used by charge/cancel/refund).
    pub fn id(&self) -> Uuid {
        self.inner.id
    }
    /// Payment or transfer.
    pub fn kind(&self) -> TransactionKind {
        self.inner.kind
    }
    /// OAuth client that owns it.
    pub fn client_id(&self) -> &str {
        self.inner.text(Field::ClientId)
    }
    /// Terminal UUID.
    pub fn terminal_id(&self) -> &str {
        self.inner.text(Field::TerminalId)
    }
    /// Processing-side terminal number (`"98120001"`).
    pub fn terminal_number(&self) -> &str {
        self.inner.text(Field::TerminalNumber)
    }
    /// When it was created (sandbox time).
    pub fn created_at(&self) -> DateTime<Utc> {
        self.inner.created_at
    }
    /// Current status.
    pub fn status(&self) -> Status {
        self.inner.status
    }
    /// Id of the current status record; changes on every transition.
    pub fn status_id(&self) -> Uuid {
        self.inner.status_id
    }
    /// Order details.
    pub fn order(&self) -> OrderView<'_> {
        self.inner.order()
    }
    /// Amount originally requested (`orgAmount`).
    pub fn org_amount(&self) -> Amount {
        self.inner.org_amount
    }
    /// Amount captured so far.
    pub fn charged(&self) -> Amount {
        self.inner.charged
    }
    /// Amount refunded so far (`payoutAmount`).
    pub fn refunded(&self) -> Amount {
        self.inner.refunded
    }
    /// Bonus part of the amount.
    pub fn amount_bonus(&self) -> Amount {
        self.inner.amount_bonus
    }
    /// Card used.
    pub fn card(&self) -> CardView<'_> {
        self.inner.card()
    }
    /// 12-digit RRN.
    pub fn reference(&self) -> &str {
        self.inner.text(Field::Reference)
    }
    /// 16-hex internal reference.
    pub fn int_reference(&self) -> &str {
        self.inner.text(Field::IntReference)
    }
    /// 6-digit approval code (empty until approved).
    pub fn approval_code(&self) -> &str {
        self.inner.text(Field::ApprovalCode)
    }
    /// Reason text of the last outcome.
    pub fn reason(&self) -> &str {
        self.inner.text(Field::Reason)
    }
    /// Reason code of the last outcome (0 success).
    pub fn reason_code(&self) -> i32 {
        self.inner.reason_code
    }
    /// Whether 3-D Secure was performed.
    pub fn secure(&self) -> bool {
        self.inner.secure
    }
    /// Payer IP as the bank saw it.
    pub fn ip(&self) -> &str {
        self.inner.text(Field::Ip)
    }
    /// Callback and redirect links.
    pub fn links(&self) -> LinksView<'_> {
        self.inner.links()
    }
    /// An outcome waiting to settle.
    pub fn pending(&self) -> Option<&PendingOutcome> {
        self.inner.pending.as_deref()
    }
    /// Every event so far, oldest first.
    pub fn history(&self) -> &[HistoryEntry] {
        &self.inner.history
    }
    /// Transfer specifics (fee, sender, receiver) of a transaction of kind `Transfer`.
    pub fn transfer(&self) -> Option<&super::transfer::TransferDetails> {
        self.inner.transfer.as_deref()
    }

    /// The amount as check-status shows it: what is held or captured now, less refunds.
    pub fn amount(&self) -> Amount {
        match self.inner.status {
            Status::Charge | Status::Refund => self
                .inner
                .charged
                .checked_sub(self.inner.refunded)
                .unwrap_or(Amount::ZERO),
            _ => self.inner.org_amount,
        }
    }

    /// Whether a refund with this merchant id has already been made.
    pub fn has_refund(&self, external_id: &str) -> bool {
        self.inner.has_refund(external_id)
    }

    /// What can still be refunded.
    pub fn refundable(&self) -> Amount {
        self.inner.refundable()
    }

    /// When the last status move happened (creation, if none yet).
    pub fn last_moved_at(&self) -> DateTime<Utc> {
        self.inner
            .history
            .iter()
            .rev()
            .find(|h| h.from != h.to)
            .map_or(self.inner.created_at, |h| h.at)
    }

    /// Whether a timer of this transaction is due at `now` (pending outcome to settle, or an
    /// AUTH older than `auth_hold`).
    pub fn timer_due(&self, now: DateTime<Utc>, auth_hold: chrono::Duration) -> Option<TransactionTimer> {
        if self.inner.pending.as_ref().is_some_and(|p| p.settle_at <= now) {
            return Some(TransactionTimer::SettlePending);
        }
        (self.inner.status == Status::Auth && self.last_moved_at() + auth_hold <= now)
            .then_some(TransactionTimer::ExpireHold)
    }

    /// Applies `event` if the transition table and the amount rules allow it, records it in the
    /// history and returns what must follow. A refused event leaves the transaction unchanged.
    pub fn apply(&mut self, event: Event, ctx: &ApplyContext) -> Result<Vec<Effect>, OperationError> {
        let kind = event.kind();
        let rec = Arc::make_mut(&mut self.inner);
        let from = rec.status;
        let to = next_status(from, kind).ok_or(OperationError::NotAllowed {
            status: from,
            event: kind,
        })?;
        let mut effects = Vec::new();
        let mut moved = None;
        let mut reason_code = 0;
        let mut external = None;
        match event {
            Event::Approve {
                two_step,
                approval_code,
            } => {
                rec.set_text(Field::ApprovalCode, &approval_code);
                if two_step {
                    effects.push(Effect::ScheduleAt {
                        at: ctx
                            .now
                            .checked_add_signed(ctx.auth_hold)
                            .unwrap_or(DateTime::<Utc>::MAX_UTC),
                        timer: TransactionTimer::ExpireHold,
                    });
                } else {
                    rec.charged = rec.org_amount;
                }
                rec.set_reason(0, "Successfully");
                rec.pending = None;
                moved = Some(rec.org_amount);
                effects.push(Effect::NotifyCallback);
            }
            Event::Verify { approval_code } => {
                rec.set_text(Field::ApprovalCode, &approval_code);
                rec.set_reason(0, "Successfully");
                rec.pending = None;
                effects.push(Effect::NotifyCallback);
            }
            Event::Decline { code, reason } | Event::Fail { code, reason } | Event::Fail3ds { code, reason } => {
                rec.set_reason(code, &reason);
                rec.pending = None;
                reason_code = code;
                effects.push(Effect::NotifyCallback);
            }
            Event::Defer { pending, code, reason } => {
                effects.push(Effect::ScheduleAt {
                    at: pending.settle_at,
                    timer: TransactionTimer::SettlePending,
                });
                rec.pending = Some(Box::new(pending));
                rec.set_reason(code, &reason);
                reason_code = code;
            }
            Event::CountPoll => {
                let polls = rec.pending.as_mut().and_then(|p| p.polls_left.as_mut());
                match polls {
                    Some(polls) if *polls > 0 => *polls -= 1,
                    _ => return Err(OperationError::NotPolled),
                }
            }
            Event::MarkSecure => rec.secure = true,
            Event::CardSaved { card_id, parties } => {
                if let Some(details) = rec.transfer.as_deref_mut() {
                    details.record_saved(&parties);
                }
                rec.card_id = card_id;
            }
            Event::Charge(amount) => {
                let amount = amount.unwrap_or(rec.org_amount);
                if amount.is_zero() {
                    return Err(OperationError::ZeroAmount);
                }
                if amount > rec.org_amount {
                    return Err(OperationError::ChargeExceedsAuth {
                        requested: amount,
                        authorised: rec.org_amount,
                    });
                }
                rec.charged = amount;
                moved = Some(amount);
            }
            Event::Cancel | Event::ExpireHold => {}
            Event::Refund { amount, external_id } => {
                if let Some(id) = external_id.as_deref().filter(|id| rec.has_refund(id)) {
                    return Err(OperationError::DuplicateRefund(id.to_string()));
                }
                let refundable = rec.refundable();
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
                if rec.text(Field::Currency) == "KZT" && amount < MIN_REFUND_KZT && amount != refundable {
                    return Err(OperationError::RefundBelowMinimum {
                        requested: amount,
                        minimum: MIN_REFUND_KZT,
                    });
                }
                rec.refunded = rec.refunded.saturating_add(amount);
                moved = Some(amount);
                external = external_id;
            }
            Event::SpendBonus(amount) => {
                rec.amount_bonus = amount.min(rec.org_amount);
                moved = Some(rec.amount_bonus);
            }
        }
        if rec.kind == TransactionKind::Transfer && to == Status::Charge && from != Status::Charge {
            effects.push(Effect::CountsTowardsLimits);
        }
        if to != from {
            rec.status = to;
            rec.status_id = ctx.new_status_id;
        }
        let mut history = std::mem::take(&mut rec.history).into_vec();
        history.push(HistoryEntry {
            at: ctx.now,
            event: kind,
            from,
            to,
            amount: moved,
            reason_code,
            external_id: external,
        });
        // Boxed: stored transactions keep only the history they use.
        rec.history = history.into_boxed_slice();
        Ok(effects)
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
    /// Transfer specifics, for a transfer.
    pub transfer: Option<super::transfer::TransferDetails>,
}

/// The ids a new transaction is given (drawn from the sandbox's id generator).
#[derive(Debug, Clone)]
pub struct NewIds {
    /// Transaction id.
    pub id: Uuid,
    /// First `statusID`.
    pub status_id: Uuid,
    /// 12-digit RRN.
    pub reference: String,
    /// 16-hex internal reference.
    pub int_reference: String,
}

impl Transaction {
    /// A fresh transaction in status NEW.
    pub fn open(new: NewTransaction, ids: NewIds, now: DateTime<Utc>) -> Self {
        let text = record::texts(
            &new.client_id,
            &new.terminal_id,
            &new.terminal_number,
            &new.order,
            &new.card,
            [&ids.reference, &ids.int_reference, "", ""],
            &new.ip,
            &new.links,
        );
        Transaction::from_record(Record {
            id: ids.id,
            status_id: ids.status_id,
            created_at: now,
            kind: new.kind,
            status: Status::New,
            secure: false,
            reason_code: 0,
            org_amount: new.amount,
            charged: Amount::ZERO,
            refunded: Amount::ZERO,
            amount_bonus: Amount::ZERO,
            text,
            card_id: new.card.card_id,
            pending: None,
            history: Box::default(),
            transfer: new.transfer.map(Box::new),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// What tests open transactions from: a KZT payment of `amount` for invoice `000001`.
    pub(crate) fn sample_new(amount: Amount) -> NewTransaction {
        NewTransaction {
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
            transfer: None,
        }
    }

    /// A transaction opened now from `new`, with nil ids.
    pub(crate) fn opened(new: NewTransaction) -> Transaction {
        Transaction::open(new, nil_ids(), Utc::now())
    }

    pub(crate) fn sample(amount: Amount) -> Transaction {
        opened(sample_new(amount))
    }

    /// The context tests apply events in, at `now`.
    pub(crate) fn ctx_at(now: DateTime<Utc>) -> ApplyContext {
        ApplyContext {
            now,
            new_status_id: Uuid::nil(),
            auth_hold: chrono::Duration::days(7),
        }
    }

    fn nil_ids() -> NewIds {
        NewIds {
            id: Uuid::nil(),
            status_id: Uuid::nil(),
            reference: "000000000000".into(),
            int_reference: "0000000000000000".into(),
        }
    }

    /// The context tests apply events in.
    pub(crate) fn ctx() -> ApplyContext {
        ctx_at(Utc::now())
    }

    fn approve(two_step: bool) -> Event {
        Event::Approve {
            two_step,
            approval_code: "123456".into(),
        }
    }

    fn refund(units: Option<i64>) -> Event {
        Event::Refund {
            amount: units.map(Amount::from_units),
            external_id: None,
        }
    }

    fn status_of(result: Result<Vec<Effect>, OperationError>, tx: &Transaction) -> Result<Status, OperationError> {
        result.map(|_| tx.status())
    }

    #[test]
    fn two_step_payment_charges_partially_then_refunds_twice() {
        let mut tx = sample(Amount::from_units(1000));
        let r = tx.apply(approve(true), &ctx());
        assert_eq!(status_of(r, &tx), Ok(Status::Auth));
        assert_eq!(tx.amount(), Amount::from_units(1000));
        let r = tx.apply(Event::Charge(Some(Amount::from_units(800))), &ctx());
        assert_eq!(status_of(r, &tx), Ok(Status::Charge));
        assert_eq!(tx.amount(), Amount::from_units(800));
        let r = tx.apply(refund(Some(300)), &ctx());
        assert_eq!(status_of(r, &tx), Ok(Status::Refund));
        assert_eq!(tx.amount(), Amount::from_units(500));
        assert_eq!(tx.refunded(), Amount::from_units(300));
        assert_eq!(
            tx.apply(refund(Some(600)), &ctx()),
            Err(OperationError::RefundExceedsCharge {
                requested: Amount::from_units(600),
                refundable: Amount::from_units(500)
            })
        );
        let r = tx.apply(refund(None), &ctx());
        assert_eq!(status_of(r, &tx), Ok(Status::Refund));
        assert_eq!(tx.amount(), Amount::ZERO);
        assert_eq!(tx.org_amount(), Amount::from_units(1000));
        assert_eq!(tx.history().len(), 4);
    }

    #[test]
    fn refund_below_minimum_is_refused_unless_it_empties_the_payment() {
        let mut tx = sample(Amount::from_units(15));
        tx.apply(approve(false), &ctx()).ok();
        assert!(matches!(
            tx.apply(refund(Some(5)), &ctx()),
            Err(OperationError::RefundBelowMinimum { .. })
        ));
        assert!(tx.apply(refund(Some(10)), &ctx()).is_ok());
        assert!(tx.apply(refund(Some(5)), &ctx()).is_ok());
        assert_eq!(tx.status(), Status::Refund);
    }

    #[test]
    fn refused_operation_leaves_the_transaction_unchanged() {
        let mut tx = sample(Amount::from_units(100));
        let before = tx.clone();
        assert!(tx.apply(refund(None), &ctx()).is_err());
        assert_eq!(tx, before);
        tx.apply(approve(true), &ctx()).ok();
        let before = tx.clone();
        assert!(tx.apply(Event::Charge(Some(Amount::from_units(101))), &ctx()).is_err());
        assert_eq!(tx, before);
    }

    #[test]
    fn a_repeated_refund_external_id_is_refused() {
        let mut tx = sample(Amount::from_units(100));
        tx.apply(approve(false), &ctx()).ok();
        let with_id = |units| Event::Refund {
            amount: Some(Amount::from_units(units)),
            external_id: Some("r-1".into()),
        };
        assert!(tx.apply(with_id(20), &ctx()).is_ok());
        assert_eq!(
            tx.apply(with_id(20), &ctx()),
            Err(OperationError::DuplicateRefund("r-1".into()))
        );
        assert_eq!(tx.refunded(), Amount::from_units(20));
    }

    #[test]
    fn effects_say_what_follows() {
        let mut tx = sample(Amount::from_units(100));
        let effects = tx.apply(approve(true), &ctx()).unwrap_or_default();
        assert!(effects.contains(&Effect::NotifyCallback));
        assert!(effects.iter().any(|e| matches!(
            e,
            Effect::ScheduleAt {
                timer: TransactionTimer::ExpireHold,
                ..
            }
        )));
        let effects = tx.apply(Event::Charge(None), &ctx()).unwrap_or_default();
        assert!(effects.is_empty(), "a charge sends no callback: {effects:?}");
    }

    #[test]
    fn pending_outcomes_count_polls_and_settle_once() {
        let mut tx = sample(Amount::from_units(100));
        let pending = PendingOutcome::after(Utc::now(), 60, None, Some(2));
        let effects = tx
            .apply(
                Event::Defer {
                    pending,
                    code: 454,
                    reason: "pending".into(),
                },
                &ctx(),
            )
            .unwrap_or_default();
        assert!(matches!(
            effects.as_slice(),
            [Effect::ScheduleAt {
                timer: TransactionTimer::SettlePending,
                ..
            }]
        ));
        assert!(tx.apply(Event::CountPoll, &ctx()).is_ok());
        assert_eq!(tx.pending().and_then(|p| p.polls_left), Some(1));
        assert!(tx.apply(approve(false), &ctx()).is_ok());
        assert_eq!(tx.pending(), None);
        assert_eq!(
            tx.apply(Event::CountPoll, &ctx()).map(|_| ()),
            Err(OperationError::NotAllowed {
                status: Status::Charge,
                event: EventKind::CountPoll
            })
        );
        assert_eq!(tx.history().len(), 3);
    }
}
