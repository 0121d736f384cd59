//! Payments and transfers, by id and by (terminal, invoiceId), with the last-six-digits index
//! that keeps two invoiceIds of a terminal from sharing a suffix.
//!
//! One index serves both lookups: a terminal's invoiceIds have distinct last six digits, so
//! the transaction holding the suffix is the one holding the invoiceId, when its invoiceId is
//! the one asked for. The one exception (a payment page's retry gave the suffix to another
//! invoiceId, then the first attempt reclaimed its own) is kept in a small map of its own.

use super::capped::Capped;
use super::StoreMap;
use crate::domain::status::Status;
use crate::domain::transaction::{ApplyContext, Effect, Event, OperationError, Transaction};
use crate::domain::validation::invoice_suffix;
use dashmap::mapref::entry::Entry;
use uuid::Uuid;

/// Terminal UUID lower-cased, a NUL, then the invoice id or its last six digits: one allocation
/// per key.
type InvoiceKey = String;

fn key(terminal: &str, invoice: &str) -> InvoiceKey {
    let terminal = terminal.trim();
    let mut key = String::with_capacity(terminal.len() + 1 + invoice.len());
    key.push_str(terminal);
    key.make_ascii_lowercase();
    key.push('\0');
    key.push_str(invoice);
    key
}

/// A second transaction with an invoiceId already used on the terminal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DuplicateInvoice {
    /// The same invoiceId.
    #[error("invoiceId {0} has already been used on this terminal")]
    Same(String),
    /// A different invoiceId with the same last six digits.
    #[error("invoiceId {invoice_id} ends in the same six digits as {existing}, which has already been used on this terminal")]
    Suffix {
        /// The new one.
        invoice_id: String,
        /// The one already there.
        existing: String,
    },
}

/// Why an event could not be applied to a stored transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// No transaction with that id.
    #[error("transaction {0} not found")]
    NotFound(Uuid),
    /// The transition table or the amount rules refused it.
    #[error(transparent)]
    Refused(#[from] OperationError),
}

/// A transaction after an event, and what must follow.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The transaction as it is now.
    pub transaction: Transaction,
    /// What the engine must do next.
    pub effects: Vec<Effect>,
}

/// Payments and transfers.
#[derive(Debug)]
pub struct TransactionStore {
    /// A [`Transaction`] is one pointer: spare map capacity costs little.
    records: Capped<Uuid, Transaction>,
    suffixes: StoreMap<InvoiceKey, Uuid>,
    /// Full invoiceIds whose suffix another transaction holds (see the module docs).
    reclaimed: StoreMap<InvoiceKey, Uuid>,
}

impl TransactionStore {
    /// An empty store keeping at most about `cap` transactions.
    pub fn with_cap(cap: usize) -> Self {
        TransactionStore {
            records: Capped::with_cap(cap),
            suffixes: StoreMap::default(),
            reclaimed: StoreMap::default(),
        }
    }

    /// Stores a new transaction, refusing an invoiceId (or its last six digits) already used
    /// on the terminal. Atomic: of two concurrent inserts of one invoiceId exactly one wins.
    pub fn insert(&self, tx: Transaction) -> Result<(), DuplicateInvoice> {
        let invoice = tx.order().invoice_id.to_string();
        let taken = match self.suffixes.entry(key(tx.terminal_id(), invoice_suffix(&invoice))) {
            Entry::Occupied(existing) => Some(*existing.get()),
            Entry::Vacant(slot) => {
                slot.insert(tx.id());
                None
            }
        };
        if let Some(existing) = taken {
            let existing = self
                .records
                .get(&existing)
                .map(|t| t.order().invoice_id.to_string())
                .unwrap_or_default();
            return Err(if existing == invoice || existing.is_empty() {
                DuplicateInvoice::Same(invoice)
            } else {
                DuplicateInvoice::Suffix {
                    invoice_id: invoice,
                    existing,
                }
            });
        }
        let id = tx.id();
        if !self.reclaimed.is_empty() {
            self.reclaimed.remove(&key(tx.terminal_id(), &invoice));
        }
        self.records.insert(id, tx);
        if self.records.overshoots() {
            self.evict();
        }
        Ok(())
    }

    /// A copy of a transaction.
    pub fn get(&self, id: Uuid) -> Option<Transaction> {
        self.records.get(&id).map(|t| t.clone())
    }

    /// The id of the transaction with this invoiceId on this terminal.
    pub fn id_by_invoice(&self, terminal_id: &str, invoice_id: &str) -> Option<Uuid> {
        let holder = self
            .suffixes
            .get(&key(terminal_id, invoice_suffix(invoice_id)))
            .map(|id| *id)
            .filter(|id| self.holds_invoice(*id, invoice_id));
        holder.or_else(|| self.reclaimed_by(terminal_id, invoice_id))
    }

    fn holds_invoice(&self, id: Uuid, invoice_id: &str) -> bool {
        self.records
            .get(&id)
            .is_some_and(|tx| tx.order().invoice_id == invoice_id)
    }

    fn reclaimed_by(&self, terminal_id: &str, invoice_id: &str) -> Option<Uuid> {
        if self.reclaimed.is_empty() {
            return None;
        }
        self.reclaimed.get(&key(terminal_id, invoice_id)).map(|id| *id)
    }

    /// The transaction with this invoiceId on this terminal.
    pub fn by_invoice(&self, terminal_id: &str, invoice_id: &str) -> Option<Transaction> {
        self.get(self.id_by_invoice(terminal_id, invoice_id)?)
    }

    /// Applies `event` to transaction `id` under its lock: the one way a stored transaction
    /// changes. Returns the transaction as it is afterwards and the effects to carry out.
    pub fn apply(&self, id: Uuid, event: Event, ctx: &ApplyContext) -> Result<Applied, ApplyError> {
        let mut tx = self.records.get_mut(&id).ok_or(ApplyError::NotFound(id))?;
        let effects = tx.apply(event, ctx)?;
        Ok(Applied {
            transaction: tx.clone(),
            effects,
        })
    }

    /// Copies of every transaction, newest first (listings and searches filter these).
    pub fn all(&self) -> Vec<Transaction> {
        let mut found = self.records.values();
        found.sort_by(|a, b| b.created_at().cmp(&a.created_at()).then_with(|| a.id().cmp(&b.id())));
        found
    }

    /// How many transactions are stored.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether none is stored.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Removes a transaction with its index entries; returns it.
    pub fn remove(&self, id: Uuid) -> Option<Transaction> {
        let tx = self.records.remove(&id)?;
        self.forget_invoice(&tx);
        Some(tx)
    }

    fn forget_invoice(&self, tx: &Transaction) -> bool {
        let id = tx.id();
        let invoice = tx.order().invoice_id;
        let full = !self.reclaimed.is_empty()
            && self
                .reclaimed
                .remove_if(&key(tx.terminal_id(), invoice), |_, v| *v == id)
                .is_some();
        let suffix = self
            .suffixes
            .remove_if(&key(tx.terminal_id(), invoice_suffix(invoice)), |_, v| *v == id);
        full || suffix.is_some()
    }

    /// Frees the invoiceId (and its last six digits) held by transaction `id`, so a new attempt
    /// on the payment page can open a transaction with it. The transaction itself stays.
    pub fn release_invoice(&self, id: Uuid) -> bool {
        self.get(id).is_some_and(|tx| self.forget_invoice(&tx))
    }

    /// Points the invoiceId of transaction `id` back at it, when no other transaction took it.
    pub fn reclaim_invoice(&self, id: Uuid) {
        let Some(tx) = self.get(id) else { return };
        let invoice = tx.order().invoice_id;
        self.suffixes
            .entry(key(tx.terminal_id(), invoice_suffix(invoice)))
            .or_insert(id);
        if self.id_by_invoice(tx.terminal_id(), invoice).is_none() {
            self.reclaimed.insert(key(tx.terminal_id(), invoice), id);
        }
    }

    /// Drops the oldest finished transactions over the cap (then, only if NEW/AUTH ones alone
    /// exceed it, the oldest of those).
    pub fn evict(&self) -> usize {
        self.records.evict_preferring(
            |id| {
                self.records
                    .get(id)
                    .map(|tx| matches!(tx.status(), Status::New | Status::Auth))
            },
            |id| self.remove(*id).is_some(),
        )
    }

    /// Forgets every transaction.
    pub fn clear(&self) {
        self.records.clear();
        self.suffixes.clear();
        self.reclaimed.clear();
    }
}
