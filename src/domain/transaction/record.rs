//! How a [`Transaction`] is laid out in memory, and the borrowed views its accessors hand out.
//!
//! The store keeps up to `--max-transactions` of these, so the layout is compact: every text
//! field in one [`Texts`] buffer, the outcome waiting to settle boxed (rare), the whole record
//! behind an `Arc` so that the copies handlers take of a stored transaction cost a reference
//! count rather than thirty string allocations (changes copy on write). The serialised form
//! (state snapshots) is the plain [`Repr`], unchanged by any of this.

use super::{CardSnapshot, HistoryEntry, Links, OrderDetails, PendingOutcome, Transaction, TransactionKind};
use crate::domain::money::Amount;
use crate::domain::status::Status;
use crate::domain::texts::Texts;
use crate::domain::transfer::TransferDetails;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The text fields of a transaction, by position in its [`Texts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    ClientId,
    TerminalId,
    TerminalNumber,
    InvoiceId,
    InvoiceIdAlt,
    AccountId,
    Description,
    Language,
    Name,
    Email,
    Phone,
    Data,
    Currency,
    Mask,
    Brand,
    Issuer,
    Holder,
    Reference,
    IntReference,
    ApprovalCode,
    Reason,
    Ip,
    PostLink,
    FailurePostLink,
    BackLink,
    FailureBackLink,
    SecretHash,
}

/// How many [`Field`]s there are.
pub(super) const FIELDS: usize = Field::SecretHash as usize + 1;

/// A stored transaction's data.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Record {
    pub(super) id: Uuid,
    pub(super) status_id: Uuid,
    pub(super) created_at: DateTime<Utc>,
    pub(super) kind: TransactionKind,
    pub(super) status: Status,
    pub(super) secure: bool,
    pub(super) reason_code: i32,
    pub(super) org_amount: Amount,
    pub(super) charged: Amount,
    pub(super) refunded: Amount,
    pub(super) amount_bonus: Amount,
    pub(super) text: Texts<FIELDS>,
    /// Set by `Event::CardSaved`, once a card is saved, so kept apart from the packed texts.
    pub(super) card_id: String,
    pub(super) pending: Option<Box<PendingOutcome>>,
    pub(super) history: Box<[HistoryEntry]>,
    pub(super) transfer: Option<Box<TransferDetails>>,
}

impl Record {
    pub(super) fn text(&self, field: Field) -> &str {
        self.text.get(field as usize)
    }

    pub(super) fn set_reason(&mut self, code: i32, reason: &str) {
        self.reason_code = code;
        self.set_text(Field::Reason, reason);
    }

    pub(super) fn has_refund(&self, external_id: &str) -> bool {
        self.history
            .iter()
            .any(|h| h.external_id.as_deref() == Some(external_id))
    }

    pub(super) fn refundable(&self) -> Amount {
        self.charged.checked_sub(self.refunded).unwrap_or(Amount::ZERO)
    }

    pub(super) fn set_text(&mut self, field: Field, value: &str) {
        if self.text(field) != value {
            self.text = self.text.with(field as usize, value);
        }
    }
}

/// Packs the text fields of a new (or loaded) transaction in [`Field`] order.
#[allow(clippy::too_many_arguments)]
pub(super) fn texts(
    client_id: &str,
    terminal_id: &str,
    terminal_number: &str,
    order: &OrderDetails,
    card: &CardSnapshot,
    codes: [&str; 4],
    ip: &str,
    links: &Links,
) -> Texts<FIELDS> {
    let [reference, int_reference, approval_code, reason] = codes;
    Texts::new([
        client_id,
        terminal_id,
        terminal_number,
        &order.invoice_id,
        &order.invoice_id_alt,
        &order.account_id,
        &order.description,
        &order.language,
        &order.name,
        &order.email,
        &order.phone,
        &order.data,
        &order.currency,
        &card.mask,
        &card.brand,
        &card.issuer,
        &card.holder,
        reference,
        int_reference,
        approval_code,
        reason,
        ip,
        &links.post_link,
        &links.failure_post_link,
        &links.back_link,
        &links.failure_back_link,
        &links.secret_hash,
    ])
}

/// A transaction's order details, borrowed (see [`OrderDetails`] for what each is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct OrderView<'a> {
    pub invoice_id: &'a str,
    pub invoice_id_alt: &'a str,
    pub account_id: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub data: &'a str,
    pub currency: &'a str,
}

impl OrderView<'_> {
    /// An owned copy.
    pub fn to_details(&self) -> OrderDetails {
        OrderDetails {
            invoice_id: self.invoice_id.to_string(),
            invoice_id_alt: self.invoice_id_alt.to_string(),
            account_id: self.account_id.to_string(),
            description: self.description.to_string(),
            language: self.language.to_string(),
            name: self.name.to_string(),
            email: self.email.to_string(),
            phone: self.phone.to_string(),
            data: self.data.to_string(),
            currency: self.currency.to_string(),
        }
    }
}

/// A transaction's card, borrowed (see [`CardSnapshot`] for what each is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct CardView<'a> {
    pub mask: &'a str,
    pub brand: &'a str,
    pub issuer: &'a str,
    pub card_id: &'a str,
    pub holder: &'a str,
}

impl CardView<'_> {
    /// An owned copy.
    pub fn to_snapshot(&self) -> CardSnapshot {
        CardSnapshot {
            mask: self.mask.to_string(),
            brand: self.brand.to_string(),
            issuer: self.issuer.to_string(),
            card_id: self.card_id.to_string(),
            holder: self.holder.to_string(),
        }
    }
}

/// A transaction's links, borrowed (see [`Links`] for what each is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct LinksView<'a> {
    pub post_link: &'a str,
    pub failure_post_link: &'a str,
    pub back_link: &'a str,
    pub failure_back_link: &'a str,
    pub secret_hash: &'a str,
}

impl LinksView<'_> {
    /// An owned copy.
    pub fn to_links(&self) -> Links {
        Links {
            post_link: self.post_link.to_string(),
            failure_post_link: self.failure_post_link.to_string(),
            back_link: self.back_link.to_string(),
            failure_back_link: self.failure_back_link.to_string(),
            secret_hash: self.secret_hash.to_string(),
        }
    }
}

impl Record {
    pub(super) fn order(&self) -> OrderView<'_> {
        OrderView {
            invoice_id: self.text(Field::InvoiceId),
            invoice_id_alt: self.text(Field::InvoiceIdAlt),
            account_id: self.text(Field::AccountId),
            description: self.text(Field::Description),
            language: self.text(Field::Language),
            name: self.text(Field::Name),
            email: self.text(Field::Email),
            phone: self.text(Field::Phone),
            data: self.text(Field::Data),
            currency: self.text(Field::Currency),
        }
    }

    pub(super) fn card(&self) -> CardView<'_> {
        CardView {
            mask: self.text(Field::Mask),
            brand: self.text(Field::Brand),
            issuer: self.text(Field::Issuer),
            card_id: &self.card_id,
            holder: self.text(Field::Holder),
        }
    }

    pub(super) fn links(&self) -> LinksView<'_> {
        LinksView {
            post_link: self.text(Field::PostLink),
            failure_post_link: self.text(Field::FailurePostLink),
            back_link: self.text(Field::BackLink),
            failure_back_link: self.text(Field::FailureBackLink),
            secret_hash: self.text(Field::SecretHash),
        }
    }
}

/// The serialised form of a [`Transaction`] (state snapshots), field for field as it always was.
#[derive(Serialize, Deserialize)]
pub(super) struct Repr {
    id: Uuid,
    kind: TransactionKind,
    client_id: String,
    terminal_id: String,
    terminal_number: String,
    created_at: DateTime<Utc>,
    status: Status,
    status_id: Uuid,
    order: OrderDetails,
    org_amount: Amount,
    charged: Amount,
    refunded: Amount,
    amount_bonus: Amount,
    card: CardSnapshot,
    reference: String,
    int_reference: String,
    approval_code: String,
    reason: String,
    reason_code: i32,
    secure: bool,
    ip: String,
    links: Links,
    pending: Option<PendingOutcome>,
    history: Vec<HistoryEntry>,
    transfer: Option<Box<TransferDetails>>,
}

impl From<Repr> for Transaction {
    fn from(r: Repr) -> Self {
        let text = texts(
            &r.client_id,
            &r.terminal_id,
            &r.terminal_number,
            &r.order,
            &r.card,
            [&r.reference, &r.int_reference, &r.approval_code, &r.reason],
            &r.ip,
            &r.links,
        );
        Transaction::from_record(Record {
            id: r.id,
            status_id: r.status_id,
            created_at: r.created_at,
            kind: r.kind,
            status: r.status,
            secure: r.secure,
            reason_code: r.reason_code,
            org_amount: r.org_amount,
            charged: r.charged,
            refunded: r.refunded,
            amount_bonus: r.amount_bonus,
            text,
            card_id: r.card.card_id,
            pending: r.pending.map(Box::new),
            history: r.history.into_boxed_slice(),
            transfer: r.transfer,
        })
    }
}

impl From<Transaction> for Repr {
    fn from(tx: Transaction) -> Self {
        let r = tx.record();
        Repr {
            id: r.id,
            kind: r.kind,
            client_id: r.text(Field::ClientId).to_string(),
            terminal_id: r.text(Field::TerminalId).to_string(),
            terminal_number: r.text(Field::TerminalNumber).to_string(),
            created_at: r.created_at,
            status: r.status,
            status_id: r.status_id,
            order: r.order().to_details(),
            org_amount: r.org_amount,
            charged: r.charged,
            refunded: r.refunded,
            amount_bonus: r.amount_bonus,
            card: r.card().to_snapshot(),
            reference: r.text(Field::Reference).to_string(),
            int_reference: r.text(Field::IntReference).to_string(),
            approval_code: r.text(Field::ApprovalCode).to_string(),
            reason: r.text(Field::Reason).to_string(),
            reason_code: r.reason_code,
            secure: r.secure,
            ip: r.text(Field::Ip).to_string(),
            links: r.links().to_links(),
            pending: r.pending.as_deref().cloned(),
            history: r.history.to_vec(),
            transfer: r.transfer.clone(),
        }
    }
}
