//! Read-only views of the stores for the control plane, the dashboard and embedding tests:
//! handlers ask the engine, never the store.

use super::Sandbox;
use crate::domain::merchants::{Merchant, Terminal};
use crate::domain::saved_cards::SavedCard;
use crate::domain::secure3d::Secure3dSession;
use crate::domain::tokens::Token;
use crate::domain::transaction::Transaction;
use std::sync::Arc;
use uuid::Uuid;

impl Sandbox {
    /// A transaction by id, with any due timer applied first.
    pub fn transaction(&self, id: Uuid) -> Option<Transaction> {
        self.settle_if_due(id);
        self.store.transactions().get(id)
    }

    /// A transaction by terminal and invoiceId, with any due timer applied first.
    pub fn transaction_by_invoice(&self, terminal_id: &str, invoice_id: &str) -> Option<Transaction> {
        let id = self.store.transactions().id_by_invoice(terminal_id, invoice_id)?;
        self.transaction(id)
    }

    /// The newest transaction with this invoiceId on any terminal: the bank's result pages
    /// (`/payform/success.html`, `/payform/?invoiceID=`) name only the invoiceId.
    pub fn latest_transaction_by_invoice(&self, invoice_id: &str) -> Option<Transaction> {
        self.store
            .merchants()
            .all()
            .iter()
            .flat_map(|merchant| merchant.terminals.iter())
            .filter_map(|terminal| self.transaction_by_invoice(&terminal.id, invoice_id))
            .max_by_key(Transaction::created_at)
    }

    /// Every transaction, newest first.
    pub fn all_transactions(&self) -> Vec<Transaction> {
        self.store.transactions().all()
    }

    /// A merchant by client id.
    pub fn merchant(&self, client_id: &str) -> Option<Arc<Merchant>> {
        self.store.merchants().get(client_id)
    }

    /// Every merchant, by client id.
    pub fn merchants(&self) -> Vec<Arc<Merchant>> {
        self.store.merchants().all()
    }

    /// A terminal and its owner's client id.
    pub fn terminal(&self, terminal_id: &str) -> Option<(String, Terminal)> {
        self.store.merchants().terminal(terminal_id)
    }

    /// Tokens still live at sandbox time, oldest first.
    pub fn live_tokens(&self) -> Vec<Token> {
        let now = self.clock.now();
        let mut tokens = self.store.tokens().all();
        tokens.retain(|t| t.is_live(now));
        tokens
    }

    /// Every stored token, expired ones included until their deadline removes them.
    pub fn all_tokens(&self) -> Vec<Token> {
        self.store.tokens().all()
    }

    /// A stored token by its bearer string, live or not.
    pub fn token(&self, access_token: &str) -> Option<Token> {
        self.store.tokens().get(access_token)
    }

    /// Stores a token as if it had been issued (embedding tests, prepared states); it expires
    /// at its `expires_at` like any other.
    pub fn insert_token(&self, token: Token) {
        self.deadlines.schedule(
            token.expires_at,
            crate::deadlines::Job::ExpireToken(token.access_token.clone()),
        );
        self.store.tokens().put(token);
    }

    /// The 3-D Secure session with this MD.
    pub fn secure3d_session(&self, md: &str) -> Option<Secure3dSession> {
        self.store.secure3d().get(md)
    }

    /// Removes and returns the 3-D Secure session with this MD, for a test that plays the
    /// cardholder's side itself and then calls [`Sandbox::play_outcome`].
    pub fn take_secure3d_session(&self, md: &str) -> Option<Secure3dSession> {
        self.store.secure3d().remove(md)
    }

    /// How many records each store holds (`/_sandbox/health`, benchmarks).
    pub fn record_counts(&self) -> RecordCounts {
        RecordCounts {
            transactions: self.store.transactions().len(),
            tokens: self.store.tokens().len(),
            merchants: self.store.merchants().len(),
            saved_cards: self.store.saved_cards().len(),
            secure3d_sessions: self.store.secure3d().len(),
            payform_sessions: self.store.payform().len(),
            deadlines: self.deadlines.len(),
        }
    }

    /// Every saved card, oldest first.
    pub fn all_saved_cards(&self) -> Vec<SavedCard> {
        self.store.saved_cards().all()
    }
}

/// How many records each store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordCounts {
    /// Transactions.
    pub transactions: usize,
    /// Access tokens.
    pub tokens: usize,
    /// Merchants.
    pub merchants: usize,
    /// Saved cards.
    pub saved_cards: usize,
    /// 3-D Secure sessions waiting for the cardholder.
    pub secure3d_sessions: usize,
    /// Payment-page sessions.
    pub payform_sessions: usize,
    /// Timed jobs waiting in the deadline queue.
    pub deadlines: usize,
}
