//! The sandbox's in-memory state, one small store per kind of record, each with the indexes its
//! requests need and an API of plain methods: no caller's closure ever runs under a store lock.
//!
//! | store | records | indexes |
//! |---|---|---|
//! | [`TransactionStore`] | payments and transfers | id, (terminal, invoiceId), (terminal, last six digits) |
//! | [`TokenStore`] | access tokens | bearer string, refresh token |
//! | [`MerchantStore`] | merchants and terminals | client id, terminal id |
//! | [`SavedCardStore`] | saved cards | id, (client, accountId) |
//! | [`Secure3dStore`] | 3-D Secure sessions | MD, transaction id |
//! | [`PayformStore`] | payment-page sessions | access token |
//! | [`TransferTotals`] | what transfers moved per bank day | (limit key, day) |
//! | [`InstallmentStore`] | installment orders (iOS SDK) | id, (shop, orderId) |
//! | [`BonusStore`] | Halyk bonus balances and spends | card number, transaction id |
//! | [`InvoiceLinkStore`] | invoice links | id, (terminal, invoice_id) |
//! | [`SubscriptionStore`] | recurrent subscriptions | id, transaction id |
//! | [`QrBillStore`] | QR bills | bill number, access token |
//!
//! The last three are [`records::Records`] maps plus their indexes; their record map is
//! locked before an index map, like the others (a `put` updates the index first, then the
//! map; an eviction removes from the map, then from the index, never holding both).
//!
//! # Locking
//!
//! Every map is a `DashMap`: a lookup or an update locks one shard of one map for as long as
//! the method runs, never across an `await` and never while calling back into the caller. A
//! method that touches several maps of one store (a record and its indexes) takes their locks
//! one after the other, releasing each before the next, so no two are held at once, with one
//! exception, always in this order:
//!
//! 1. the store's insertion-order queue (a `Mutex<VecDeque>`, see `order.rs`),
//! 2. then its record map,
//! 3. then its index maps,
//!
//! which is eviction's order: with the queue locked it removes a record, then the record's
//! index entries. Nothing takes the queue while holding a map lock, so no cycle can form.
//! [`InstallmentStore`] follows the same order (queue, record map, index map) and, like every
//! other store, never holds two of its maps at once; [`BonusStore`] has no queue and takes its
//! balance and spend maps one after the other.
//! The deadline queue ([`crate::deadlines`]) sits outside the stores: the engine schedules a
//! job only after the store call that caused it has returned, so no store lock is ever held
//! while the queue is locked; the queue's rare compaction does the reverse (queue, then one
//! store read at a time), which is the only order in which both are held.
//! Stores never lock each other: the engine calls them one at a time, and a sequence that must
//! be atomic across stores (a transfer's limit check and its completion) is serialised by a
//! lock of the engine's own, taken before any store lock.

mod bonuses;
mod capped;
mod installments;
mod invoice_links;
mod merchants;
mod order;
mod payform;
mod qr_bills;
pub mod records;
mod saved_cards;
mod secure3d;
mod subscriptions;
mod tokens;
mod transactions;
mod transfer_totals;

/// The map behind every store: a `DashMap` hashed with foldhash, seeded afresh in each process,
/// instead of SipHash (5 to 10 % of a request's CPU in the profiles). Keys a client chooses
/// (invoice ids, account ids) cannot grow a map past its store's cap, so a flood of colliding
/// keys is bounded.
pub(crate) type StoreMap<K, V> = dashmap::DashMap<K, V, foldhash::fast::RandomState>;

pub use bonuses::{BonusSpend, BonusStore};
pub use installments::{DuplicateOrder, InstallmentStore, StepError};
pub use invoice_links::InvoiceLinkStore;
pub use merchants::{MerchantStore, Taken};
pub use payform::{PayformStore, SessionBusy};
pub use qr_bills::QrBillStore;
pub use saved_cards::SavedCardStore;
pub use secure3d::Secure3dStore;
pub use subscriptions::SubscriptionStore;
pub use tokens::TokenStore;
pub use transactions::{Applied, ApplyError, DuplicateInvoice, TransactionStore};
pub use transfer_totals::TransferTotals;

/// How many records of each kind the store keeps before evicting the oldest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreLimits {
    /// Most transactions kept; finished ones (anything but NEW and AUTH) are evicted first.
    pub transactions: usize,
    /// Most access tokens kept (expired ones go anyway; then the oldest).
    pub tokens: usize,
    /// Most saved cards kept (oldest first).
    pub saved_cards: usize,
    /// Most 3-D Secure sessions waiting for the cardholder (oldest first).
    pub secure3d_sessions: usize,
    /// Most payment-page sessions (oldest first; they also go with their token).
    pub payform_sessions: usize,
}

/// Most installment orders kept (oldest first); not configurable, like the journal's size.
pub const INSTALLMENT_ORDERS: usize = 10_000;

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            transactions: 20_000,
            tokens: 50_000,
            saved_cards: 10_000,
            secure3d_sessions: 10_000,
            payform_sessions: 10_000,
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

/// All mutable sandbox state: one store per kind of record.
#[derive(Debug)]
pub struct Store {
    transactions: TransactionStore,
    tokens: TokenStore,
    merchants: MerchantStore,
    saved_cards: SavedCardStore,
    secure3d: Secure3dStore,
    payform: PayformStore,
    transfer_totals: TransferTotals,
    installments: InstallmentStore,
    bonuses: BonusStore,
    invoice_links: InvoiceLinkStore,
    subscriptions: SubscriptionStore,
    qr_bills: QrBillStore,
}

impl Default for Store {
    fn default() -> Self {
        Self::with_limits(StoreLimits::default())
    }
}

impl Store {
    /// An empty store with the default [`StoreLimits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store keeping at most `limits` records of each kind.
    pub fn with_limits(limits: StoreLimits) -> Self {
        Store {
            transactions: TransactionStore::with_cap(limits.transactions),
            tokens: TokenStore::with_cap(limits.tokens),
            merchants: MerchantStore::default(),
            saved_cards: SavedCardStore::with_cap(limits.saved_cards),
            secure3d: Secure3dStore::with_cap(limits.secure3d_sessions),
            payform: PayformStore::with_cap(limits.payform_sessions),
            transfer_totals: TransferTotals::default(),
            installments: InstallmentStore::with_cap(INSTALLMENT_ORDERS),
            bonuses: BonusStore::default(),
            invoice_links: InvoiceLinkStore::default(),
            subscriptions: SubscriptionStore::default(),
            qr_bills: QrBillStore::default(),
        }
    }

    /// Payments and transfers.
    pub fn transactions(&self) -> &TransactionStore {
        &self.transactions
    }

    /// Access tokens.
    pub fn tokens(&self) -> &TokenStore {
        &self.tokens
    }

    /// Merchants and their terminals.
    pub fn merchants(&self) -> &MerchantStore {
        &self.merchants
    }

    /// Saved cards.
    pub fn saved_cards(&self) -> &SavedCardStore {
        &self.saved_cards
    }

    /// 3-D Secure sessions.
    pub fn secure3d(&self) -> &Secure3dStore {
        &self.secure3d
    }

    /// Payment-page sessions.
    pub fn payform(&self) -> &PayformStore {
        &self.payform
    }

    /// Daily transfer totals.
    pub fn transfer_totals(&self) -> &TransferTotals {
        &self.transfer_totals
    }

    /// Installment orders.
    pub fn installments(&self) -> &InstallmentStore {
        &self.installments
    }

    /// Halyk bonus balances and spends.
    pub fn bonuses(&self) -> &BonusStore {
        &self.bonuses
    }

    /// Invoice links.
    pub fn invoice_links(&self) -> &InvoiceLinkStore {
        &self.invoice_links
    }

    /// Recurrent subscriptions.
    pub fn subscriptions(&self) -> &SubscriptionStore {
        &self.subscriptions
    }

    /// QR bills.
    pub fn qr_bills(&self) -> &QrBillStore {
        &self.qr_bills
    }

    /// Enforces every store's cap, oldest records first. Amortised O(1) per insert.
    pub fn evict(&self) -> Evicted {
        Evicted {
            transactions: self.transactions.evict(),
            tokens: self.tokens.evict(),
            saved_cards: self.saved_cards.evict(),
            secure3d_sessions: self.secure3d.evict(),
        }
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.transactions.clear();
        self.tokens.clear();
        self.merchants.clear();
        self.saved_cards.clear();
        self.secure3d.clear();
        self.payform.clear();
        self.transfer_totals.clear();
        self.installments.clear();
        self.bonuses.clear();
        self.invoice_links.clear();
        self.subscriptions.clear();
        self.qr_bills.clear();
    }
}
