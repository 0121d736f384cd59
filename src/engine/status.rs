//! check-status and the older `/operation/{invoiceId}` lookup.

use super::Sandbox;
use crate::domain::tokens::Token;
use crate::domain::transaction::{Transaction, TransactionKind};
use crate::fidelity::{check_status_result, LookupOutcome, Profile, StatusAnswer};

/// What a status lookup found.
#[derive(Debug, Clone)]
pub struct StatusLookup {
    /// Which answer the bank gives.
    pub outcome: LookupOutcome,
    /// The transaction, when there is one to show.
    pub transaction: Option<Transaction>,
}

/// A check-status answer: the result code and HTTP status the merchant's profile gives the
/// lookup, the transaction when the answer shows it, and the profile to render it with.
#[derive(Debug, Clone)]
pub struct StatusAnswered {
    /// HTTP status, `resultCode`.
    pub answer: StatusAnswer,
    /// The transaction to show (`None`: `"transaction": null`).
    pub transaction: Option<Transaction>,
    /// The merchant's profile (`answer.language`).
    pub profile: Profile,
}

impl Sandbox {
    /// Looks up a payment by invoiceId the way check-status does: within the token's terminal;
    /// another terminal of the same client gives 106, nothing at all 102.
    pub fn check_payment_status(&self, token: &Token, invoice_id: &str) -> StatusAnswered {
        self.answer_lookup(token, self.lookup(token, invoice_id, TransactionKind::Payment))
    }

    /// The same for transfers (`/check-status/p2p/transaction/{order}`).
    pub fn check_transfer_status(&self, token: &Token, order_id: &str) -> StatusAnswered {
        self.answer_lookup(token, self.lookup(token, order_id, TransactionKind::Transfer))
    }

    /// The answer the merchant's profile gives a lookup (F-03, F-04).
    fn answer_lookup(&self, token: &Token, lookup: StatusLookup) -> StatusAnswered {
        let profile = self.profile_for(&token.client_id);
        let answer = check_status_result(lookup.outcome, &profile);
        StatusAnswered {
            answer,
            transaction: lookup.transaction.filter(|_| answer.with_transaction),
            profile,
        }
    }

    fn lookup(&self, token: &Token, invoice_id: &str, kind: TransactionKind) -> StatusLookup {
        let lookup = self.natural_lookup(token, invoice_id, kind);
        match self.forced_status_result(token, invoice_id) {
            Some(code) => StatusLookup {
                outcome: LookupOutcome::Forced {
                    code,
                    found: lookup.transaction.is_some(),
                },
                ..lookup
            },
            None => lookup,
        }
    }

    /// What the lookup finds without scenario rules.
    fn natural_lookup(&self, token: &Token, invoice_id: &str, kind: TransactionKind) -> StatusLookup {
        if !self.invoice_in_reach(token, invoice_id) {
            return StatusLookup {
                outcome: LookupOutcome::NotFound,
                transaction: None,
            };
        }
        let Some(terminal) = token.terminal.as_deref() else {
            return StatusLookup {
                outcome: LookupOutcome::TerminalAbsent,
                transaction: None,
            };
        };
        let found = self
            .fresh_by_invoice(terminal, invoice_id)
            .filter(|t| t.kind() == kind && t.client_id() == token.client_id);
        if let Some(tx) = found {
            let tx = self.count_status_poll(tx);
            let outcome = if tx.pending().is_some() {
                LookupOutcome::InProgress
            } else {
                LookupOutcome::Found(tx.status())
            };
            return StatusLookup {
                outcome,
                transaction: Some(tx),
            };
        }
        let elsewhere = self
            .store
            .merchants()
            .get(&token.client_id)
            .map(|m| {
                m.terminals.iter().any(|t| {
                    self.store
                        .transactions()
                        .by_invoice(&t.id, invoice_id)
                        .is_some_and(|tx| tx.kind() == kind)
                })
            })
            .unwrap_or(false);
        let outcome = if elsewhere {
            LookupOutcome::WrongTerminal
        } else {
            LookupOutcome::NotFound
        };
        StatusLookup {
            outcome,
            transaction: None,
        }
    }

    /// The payment with this invoiceId on any terminal of the token's client (the older flat
    /// `/operation/{invoiceId}` lookup does not need a terminal in the token).
    pub fn find_payment_for_client(&self, token: &Token, invoice_id: &str) -> Option<Transaction> {
        if !self.invoice_in_reach(token, invoice_id) {
            return None;
        }
        let terminals: Vec<String> = match &token.terminal {
            Some(t) => vec![t.clone()],
            None => self
                .store
                .merchants()
                .get(&token.client_id)
                .map(|m| m.terminals.iter().map(|t| t.id.clone()).collect())
                .unwrap_or_default(),
        };
        terminals
            .iter()
            .filter_map(|t| self.fresh_by_invoice(t, invoice_id))
            .find(|tx| tx.kind() == TransactionKind::Payment && tx.client_id() == token.client_id)
    }

    /// The transaction of an invoice, with any due timer applied first.
    fn fresh_by_invoice(&self, terminal: &str, invoice_id: &str) -> Option<Transaction> {
        let id = self.store.transactions().id_by_invoice(terminal, invoice_id)?;
        self.settle_if_due(id);
        self.store.transactions().get(id)
    }
}
