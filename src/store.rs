//! The sandbox's in-memory state: transactions, their invoice indexes, tokens and the merchant
//! directory. One handle, shared by every request.
//!
//! Each transaction lives in a `DashMap` entry; [`Store::update`] runs a closure while holding
//! that entry's lock, so two concurrent operations on one transaction can never both win.
//!
//! Memory is bounded by [`StoreLimits`]: transactions, tokens, saved cards and 3-D Secure
//! sessions each remember their insertion order in a queue, and [`Store::evict`] (run by the
//! background timer, and inline once a map overshoots its cap by an eighth) drops the oldest
//! records first: finished transactions before NEW/AUTH ones. The cost is amortised O(1) per
//! insert; nothing scans a whole map per request.

use crate::domain::merchants::{Merchant, Terminal};
use crate::domain::payform::PayformSession;
use crate::domain::saved_cards::SavedCard;
use crate::domain::secure3d::Secure3dSession;
use crate::domain::status::Status;
use crate::domain::tokens::Token;
use crate::domain::transaction::Transaction;
use crate::domain::validation::invoice_suffix;
use dashmap::mapref::entry::Entry;
use dashmap::DashMap;
use std::collections::VecDeque;
use std::sync::Mutex;
use uuid::Uuid;

/// Terminal UUID lower-cased, a NUL, then the invoice id or its last six digits: one allocation
/// per key (a pair of strings costs two).
type InvoiceKey = String;

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

/// How many records of each kind the store keeps before evicting the oldest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreLimits {
    /// Most transactions kept; finished ones (anything but NEW and AUTH) are evicted first.
    pub transactions: usize,
    /// Most access tokens kept (expired ones are pruned anyway; then the oldest go).
    pub tokens: usize,
    /// Most saved cards kept (oldest first).
    pub saved_cards: usize,
    /// Most 3-D Secure sessions waiting for the cardholder (oldest first).
    pub secure3d_sessions: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            transactions: 20_000,
            tokens: 50_000,
            saved_cards: 10_000,
            secure3d_sessions: 10_000,
        }
    }
}

/// What one [`Store::evict`] pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evicted {
    /// Transactions removed.
    pub transactions: usize,
    /// Tokens removed.
    pub tokens: usize,
    /// Saved cards removed.
    pub saved_cards: usize,
    /// 3-D Secure sessions removed.
    pub secure3d_sessions: usize,
}

/// Insertion order of each map, oldest first. May hold keys already removed; eviction skips them.
#[derive(Debug, Default)]
struct Order {
    transactions: Mutex<VecDeque<Uuid>>,
    tokens: Mutex<VecDeque<String>>,
    saved_cards: Mutex<VecDeque<Uuid>>,
    secure3d_sessions: Mutex<VecDeque<String>>,
}

fn push<T>(queue: &Mutex<VecDeque<T>>, item: T) {
    queue.lock().unwrap_or_else(|p| p.into_inner()).push_back(item);
}

/// Whether `len` overshoots `cap` enough to evict inline (the timer handles smaller overshoots).
fn overshoots(len: usize, cap: usize) -> bool {
    len > cap.saturating_add(cap / 8).saturating_add(16)
}

/// Drops stale keys from `queue` once they outnumber the live ones (amortised O(1) per insert).
fn compact<K>(queue: &Mutex<VecDeque<K>>, len: usize, live: impl Fn(&K) -> bool) {
    let mut queue = queue.lock().unwrap_or_else(|p| p.into_inner());
    if queue.len() > 2 * len + 64 {
        queue.retain(live);
    }
}

/// Pops keys from the front of `queue` while `map` holds more than `cap`, removing each with
/// `remove` (which returns whether something was removed). Stale keys are skipped.
fn evict_oldest<K>(
    queue: &Mutex<VecDeque<K>>,
    len: impl Fn() -> usize,
    cap: usize,
    remove: impl Fn(&K) -> bool,
) -> usize {
    let mut queue = queue.lock().unwrap_or_else(|p| p.into_inner());
    let mut removed = 0;
    while len() > cap {
        let Some(key) = queue.pop_front() else { break };
        if remove(&key) {
            removed += 1;
        }
    }
    removed
}

/// All mutable sandbox state.
#[derive(Debug, Default)]
pub struct Store {
    limits: StoreLimits,
    order: Order,
    /// Boxed: a map's spare capacity then costs a pointer per slot, not a whole transaction.
    transactions: DashMap<Uuid, Box<Transaction>>,
    invoices: DashMap<InvoiceKey, Uuid>,
    invoice_suffixes: DashMap<InvoiceKey, Uuid>,
    tokens: DashMap<String, Token>,
    refresh_tokens: DashMap<String, Token>,
    merchants: DashMap<String, Merchant>,
    terminal_owners: DashMap<String, String>,
    saved_cards: DashMap<Uuid, SavedCard>,
    secure3d_sessions: DashMap<String, Secure3dSession>,
    payform_sessions: DashMap<String, PayformSession>,
}

fn key(terminal: &str, invoice: &str) -> InvoiceKey {
    let terminal = terminal.trim();
    let mut key = String::with_capacity(terminal.len() + 1 + invoice.len());
    key.extend(terminal.chars().map(|c| c.to_ascii_lowercase()));
    key.push('\0');
    key.push_str(invoice);
    key
}

impl Store {
    /// An empty store with the default [`StoreLimits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store keeping at most `limits` records of each kind.
    pub fn with_limits(limits: StoreLimits) -> Self {
        Store {
            limits,
            ..Self::default()
        }
    }

    /// The caps in force.
    pub fn limits(&self) -> StoreLimits {
        self.limits
    }

    /// Enforces [`StoreLimits`]: drops the oldest finished transactions (then, only if NEW/AUTH
    /// ones alone exceed the cap, the oldest of those), the oldest tokens, saved cards and 3-D
    /// Secure sessions. Amortised: each queued key is popped at most once.
    pub fn evict(&self) -> Evicted {
        compact(&self.order.transactions, self.transactions.len(), |id| {
            self.transactions.contains_key(id)
        });
        compact(&self.order.tokens, self.tokens.len(), |t| self.tokens.contains_key(t));
        compact(&self.order.saved_cards, self.saved_cards.len(), |id| {
            self.saved_cards.contains_key(id)
        });
        compact(&self.order.secure3d_sessions, self.secure3d_sessions.len(), |md| {
            self.secure3d_sessions.contains_key(md)
        });
        Evicted {
            transactions: self.evict_transactions(),
            tokens: self.evict_tokens(),
            saved_cards: evict_oldest(
                &self.order.saved_cards,
                || self.saved_cards.len(),
                self.limits.saved_cards,
                |id| self.saved_cards.remove(id).is_some(),
            ),
            secure3d_sessions: evict_oldest(
                &self.order.secure3d_sessions,
                || self.secure3d_sessions.len(),
                self.limits.secure3d_sessions,
                |md| self.secure3d_sessions.remove(md).is_some(),
            ),
        }
    }

    fn evict_tokens(&self) -> usize {
        evict_oldest(
            &self.order.tokens,
            || self.tokens.len(),
            self.limits.tokens,
            |access| match self.tokens.remove(access) {
                Some((_, token)) => {
                    if !token.refresh_token.is_empty() {
                        self.refresh_tokens.remove(&token.refresh_token);
                    }
                    true
                }
                None => false,
            },
        )
    }

    /// Oldest finished transactions first; NEW/AUTH ones met on the way keep their place at the
    /// front of the queue and go only when unfinished transactions alone exceed the cap.
    fn evict_transactions(&self) -> usize {
        let cap = self.limits.transactions;
        if self.transactions.len() <= cap {
            return 0;
        }
        let mut queue = self.order.transactions.lock().unwrap_or_else(|p| p.into_inner());
        let mut kept = Vec::new();
        let mut removed = 0;
        while self.transactions.len() > cap {
            let Some(id) = queue.pop_front() else { break };
            let unfinished = match self.transactions.get(&id) {
                Some(tx) => matches!(tx.status, Status::New | Status::Auth),
                None => continue,
            };
            if unfinished {
                kept.push(id);
            } else if self.remove_transaction(id) {
                removed += 1;
            }
        }
        let mut kept = kept.into_iter();
        while self.transactions.len() > cap {
            let Some(id) = kept.next() else { break };
            if self.remove_transaction(id) {
                removed += 1;
            }
        }
        for id in kept.rev() {
            queue.push_front(id);
        }
        removed
    }

    fn remove_transaction(&self, id: Uuid) -> bool {
        let Some((_, tx)) = self.transactions.remove(&id) else {
            return false;
        };
        self.invoices
            .remove_if(&key(&tx.terminal_id, &tx.order.invoice_id), |_, v| *v == id);
        self.invoice_suffixes
            .remove_if(&key(&tx.terminal_id, invoice_suffix(&tx.order.invoice_id)), |_, v| {
                *v == id
            });
        true
    }

    // ---- merchants -------------------------------------------------------------------------

    /// Adds or replaces a merchant and indexes its terminals.
    pub fn put_merchant(&self, merchant: Merchant) {
        for terminal in &merchant.terminals {
            self.terminal_owners
                .insert(terminal.id.to_ascii_lowercase(), merchant.client_id.clone());
        }
        self.merchants.insert(merchant.client_id.clone(), merchant);
    }

    /// A merchant by client id.
    pub fn merchant(&self, client_id: &str) -> Option<Merchant> {
        self.merchants.get(client_id).map(|m| m.clone())
    }

    /// Every merchant.
    pub fn merchants(&self) -> Vec<Merchant> {
        let mut all: Vec<Merchant> = self.merchants.iter().map(|m| m.clone()).collect();
        all.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        all
    }

    /// A terminal and its owner's client id.
    pub fn terminal(&self, terminal_id: &str) -> Option<(String, Terminal)> {
        let owner = self
            .terminal_owners
            .get(&terminal_id.trim().to_ascii_lowercase())?
            .clone();
        let merchant = self.merchants.get(&owner)?;
        merchant.terminal(terminal_id).map(|t| (owner.clone(), t.clone()))
    }

    /// Adds a merchant unless its client id or one of its terminal ids is taken; returns the
    /// taken id otherwise.
    pub fn insert_new_merchant(&self, merchant: Merchant) -> Result<(), String> {
        if let Some(taken) = merchant
            .terminals
            .iter()
            .find(|t| self.terminal_owners.contains_key(&t.id.to_ascii_lowercase()))
        {
            return Err(taken.id.clone());
        }
        match self.merchants.entry(merchant.client_id.clone()) {
            Entry::Occupied(_) => Err(merchant.client_id),
            Entry::Vacant(slot) => {
                for terminal in &merchant.terminals {
                    self.terminal_owners
                        .insert(terminal.id.to_ascii_lowercase(), merchant.client_id.clone());
                }
                slot.insert(merchant);
                Ok(())
            }
        }
    }

    // ---- tokens ----------------------------------------------------------------------------

    /// Stores an issued token.
    pub fn put_token(&self, token: Token) {
        if !token.refresh_token.is_empty() {
            self.refresh_tokens.insert(token.refresh_token.clone(), token.clone());
        }
        push(&self.order.tokens, token.access_token.clone());
        self.tokens.insert(token.access_token.clone(), token);
        if overshoots(self.tokens.len(), self.limits.tokens) {
            self.evict_tokens();
        }
    }

    /// A token by its bearer string.
    pub fn token(&self, access_token: &str) -> Option<Token> {
        self.tokens.get(access_token).map(|t| t.clone())
    }

    /// The token a refresh token was issued with.
    pub fn token_by_refresh(&self, refresh_token: &str) -> Option<Token> {
        self.refresh_tokens.get(refresh_token).map(|t| t.clone())
    }

    /// Every token.
    pub fn tokens(&self) -> Vec<Token> {
        self.tokens.iter().map(|t| t.clone()).collect()
    }

    /// Drops tokens for which `expired` holds; returns how many went.
    pub fn prune_tokens(&self, expired: impl Fn(&Token) -> bool) -> usize {
        let before = self.tokens.len();
        self.tokens.retain(|_, t| !expired(t));
        self.refresh_tokens.retain(|_, t| !expired(t));
        before - self.tokens.len()
    }

    /// Removes the tokens (and their refresh tokens) for which `drop` holds; how many went.
    pub fn remove_tokens(&self, drop: impl Fn(&Token) -> bool) -> usize {
        let before = self.tokens.len();
        self.tokens.retain(|_, t| !drop(t));
        self.refresh_tokens.retain(|_, t| !drop(t));
        before - self.tokens.len()
    }

    // ---- transactions ----------------------------------------------------------------------

    /// Stores a new transaction, refusing an invoiceId (or its last six digits) already used
    /// on the terminal. Atomic: of two concurrent inserts of one invoiceId exactly one wins.
    pub fn insert_transaction(&self, tx: Transaction) -> Result<(), DuplicateInvoice> {
        let suffix_key = key(&tx.terminal_id, invoice_suffix(&tx.order.invoice_id));
        match self.invoice_suffixes.entry(suffix_key) {
            Entry::Occupied(existing) => {
                let existing_invoice = self
                    .transactions
                    .get(existing.get())
                    .map(|t| t.order.invoice_id.clone())
                    .unwrap_or_default();
                if existing_invoice == tx.order.invoice_id || existing_invoice.is_empty() {
                    Err(DuplicateInvoice::Same(tx.order.invoice_id.clone()))
                } else {
                    Err(DuplicateInvoice::Suffix {
                        invoice_id: tx.order.invoice_id.clone(),
                        existing: existing_invoice,
                    })
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(tx.id);
                self.invoices.insert(key(&tx.terminal_id, &tx.order.invoice_id), tx.id);
                push(&self.order.transactions, tx.id);
                self.transactions.insert(tx.id, Box::new(tx));
                if overshoots(self.transactions.len(), self.limits.transactions) {
                    self.evict_transactions();
                }
                Ok(())
            }
        }
    }

    /// A copy of a transaction.
    pub fn transaction(&self, id: Uuid) -> Option<Transaction> {
        self.transactions.get(&id).map(|t| Transaction::clone(&t))
    }

    /// The transaction with this invoiceId on this terminal.
    pub fn transaction_by_invoice(&self, terminal_id: &str, invoice_id: &str) -> Option<Transaction> {
        let id = *self.invoices.get(&key(terminal_id, invoice_id))?;
        self.transaction(id)
    }

    /// Runs `change` on a transaction while holding its lock; `None` when there is no such id.
    pub fn update<R>(&self, id: Uuid, change: impl FnOnce(&mut Transaction) -> R) -> Option<R> {
        self.transactions.get_mut(&id).map(|mut tx| {
            let result = change(&mut tx);
            // A push doubles the history's capacity; stored transactions keep only what they use.
            tx.history.shrink_to_fit();
            result
        })
    }

    /// Copies of the transactions for which `keep` holds, newest first.
    pub fn transactions(&self, keep: impl Fn(&Transaction) -> bool) -> Vec<Transaction> {
        let mut found: Vec<Transaction> = self
            .transactions
            .iter()
            .filter(|t| keep(t))
            .map(|t| Transaction::clone(&t))
            .collect();
        found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.id.cmp(&b.id)));
        found
    }

    /// Ids of the transactions for which `due` holds (for timers).
    pub fn transaction_ids(&self, due: impl Fn(&Transaction) -> bool) -> Vec<Uuid> {
        self.transactions.iter().filter(|t| due(t)).map(|t| t.id).collect()
    }

    /// How many transactions are stored.
    pub fn transaction_count(&self) -> usize {
        self.transactions.len()
    }

    /// Removes the transactions for which `drop` holds, with their index entries.
    pub fn remove_transactions(&self, drop: impl Fn(&Transaction) -> bool) -> usize {
        let doomed: Vec<Transaction> = self
            .transactions
            .iter()
            .filter(|t| drop(t))
            .map(|t| Transaction::clone(&t))
            .collect();
        for tx in &doomed {
            self.transactions.remove(&tx.id);
            self.invoices.remove(&key(&tx.terminal_id, &tx.order.invoice_id));
            self.invoice_suffixes
                .remove_if(&key(&tx.terminal_id, invoice_suffix(&tx.order.invoice_id)), |_, id| {
                    *id == tx.id
                });
        }
        if !doomed.is_empty() {
            let mut queue = self.order.transactions.lock().unwrap_or_else(|p| p.into_inner());
            queue.retain(|id| self.transactions.contains_key(id));
        }
        doomed.len()
    }

    /// Forgets everything: transactions, tokens, merchants, saved cards and 3-D Secure sessions.
    pub fn clear(&self) {
        self.transactions.clear();
        self.invoices.clear();
        self.invoice_suffixes.clear();
        self.tokens.clear();
        self.refresh_tokens.clear();
        self.merchants.clear();
        self.terminal_owners.clear();
        self.saved_cards.clear();
        self.secure3d_sessions.clear();
        self.payform_sessions.clear();
        for queue in [&self.order.transactions, &self.order.saved_cards] {
            queue.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
        for queue in [&self.order.tokens, &self.order.secure3d_sessions] {
            queue.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
    }

    // ---- saved cards -----------------------------------------------------------------------

    /// Stores (or replaces) a saved card.
    pub fn put_saved_card(&self, card: SavedCard) {
        if self.saved_cards.insert(card.id, card.clone()).is_none() {
            push(&self.order.saved_cards, card.id);
        }
        if overshoots(self.saved_cards.len(), self.limits.saved_cards) {
            self.evict();
        }
    }

    /// A saved card by id.
    pub fn saved_card(&self, id: Uuid) -> Option<SavedCard> {
        self.saved_cards.get(&id).map(|c| c.clone())
    }

    /// Saved cards for which `keep` holds, oldest first.
    pub fn saved_cards(&self, keep: impl Fn(&SavedCard) -> bool) -> Vec<SavedCard> {
        let mut found: Vec<SavedCard> = self.saved_cards.iter().filter(|c| keep(c)).map(|c| c.clone()).collect();
        found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
        found
    }

    /// Runs `change` on a saved card while holding its lock; `None` when there is no such id.
    pub fn update_saved_card<R>(&self, id: Uuid, change: impl FnOnce(&mut SavedCard) -> R) -> Option<R> {
        self.saved_cards.get_mut(&id).map(|mut card| change(&mut card))
    }

    // ---- 3-D Secure sessions ---------------------------------------------------------------

    /// Stores a 3-D Secure session under its MD.
    pub fn put_secure3d_session(&self, session: Secure3dSession) {
        if self
            .secure3d_sessions
            .insert(session.md.clone(), session.clone())
            .is_none()
        {
            push(&self.order.secure3d_sessions, session.md);
        }
        if overshoots(self.secure3d_sessions.len(), self.limits.secure3d_sessions) {
            self.evict();
        }
    }

    /// Drops 3-D Secure sessions for which `expired` holds (abandoned challenges); how many went.
    pub fn prune_secure3d_sessions(&self, expired: impl Fn(&Secure3dSession) -> bool) -> usize {
        let before = self.secure3d_sessions.len();
        self.secure3d_sessions.retain(|_, s| !expired(s));
        before - self.secure3d_sessions.len()
    }

    /// The 3-D Secure session with this MD.
    pub fn secure3d_session(&self, md: &str) -> Option<Secure3dSession> {
        self.secure3d_sessions.get(md).map(|s| s.clone())
    }

    /// Removes and returns the 3-D Secure session with this MD (so it completes only once).
    pub fn take_secure3d_session(&self, md: &str) -> Option<Secure3dSession> {
        self.secure3d_sessions.remove(md).map(|(_, s)| s)
    }

    /// Like [`Store::take_secure3d_session`], but only when `take` holds (checked atomically).
    pub fn take_secure3d_session_if(
        &self,
        md: &str,
        take: impl FnOnce(&Secure3dSession) -> bool,
    ) -> Option<Secure3dSession> {
        self.secure3d_sessions.remove_if(md, |_, s| take(s)).map(|(_, s)| s)
    }

    /// Runs `change` on the 3-D Secure session with this MD while holding its lock.
    pub fn update_secure3d_session<R>(&self, md: &str, change: impl FnOnce(&mut Secure3dSession) -> R) -> Option<R> {
        self.secure3d_sessions.get_mut(md).map(|mut s| change(&mut s))
    }

    /// Copies of the 3-D Secure sessions for which `keep` holds.
    pub fn secure3d_sessions(&self, keep: impl Fn(&Secure3dSession) -> bool) -> Vec<Secure3dSession> {
        self.secure3d_sessions
            .iter()
            .filter(|s| keep(s))
            .map(|s| s.clone())
            .collect()
    }

    // ---- payment-page sessions -------------------------------------------------------------

    /// The payment-page session of an access token, created by `open` when there is none;
    /// `change` runs under the entry's lock and its result is returned.
    pub fn with_payform_session<R>(
        &self,
        access_token: &str,
        open: impl FnOnce() -> PayformSession,
        change: impl FnOnce(&mut PayformSession) -> R,
    ) -> R {
        let mut entry = self
            .payform_sessions
            .entry(access_token.to_string())
            .or_insert_with(open);
        change(entry.value_mut())
    }

    /// Frees the invoiceId (and its last six digits) held by transaction `id`, so a new attempt
    /// on the payment page can open a transaction with it. The transaction itself stays.
    pub fn release_invoice(&self, id: Uuid) -> bool {
        let Some(tx) = self.transaction(id) else { return false };
        let full = self
            .invoices
            .remove_if(&key(&tx.terminal_id, &tx.order.invoice_id), |_, v| *v == id);
        let suffix = self
            .invoice_suffixes
            .remove_if(&key(&tx.terminal_id, invoice_suffix(&tx.order.invoice_id)), |_, v| {
                *v == id
            });
        full.is_some() || suffix.is_some()
    }

    /// Points the invoiceId of transaction `id` back at it, when no other transaction took it.
    pub fn reclaim_invoice(&self, id: Uuid) {
        let Some(tx) = self.transaction(id) else { return };
        self.invoice_suffixes
            .entry(key(&tx.terminal_id, invoice_suffix(&tx.order.invoice_id)))
            .or_insert(id);
        self.invoices
            .entry(key(&tx.terminal_id, &tx.order.invoice_id))
            .or_insert(id);
    }
}
