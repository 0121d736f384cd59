//! What the control plane does to the sandbox: partial resets, clock moves, reseeding, run-time
//! merchants, state files, and payments opened without a card flow.

use super::{OperateError, Sandbox};
use crate::control::merchants::{MerchantError, NewMerchant};
use crate::control::state::{StateError, StateFile, StateToken, StateTransaction, STATE_VERSION};
use crate::control::transactions::{CreateTransaction, TransactionFilter, DEFAULT_PAN};
use crate::domain::cards::{brand_of, mask_pan};
use crate::domain::merchants::Merchant;
use crate::domain::money::Amount;
use crate::domain::outcome::{AttemptContext, Outcome};
use crate::domain::transaction::{
    CardSnapshot, Links, NewTransaction, Operation, OrderDetails, PendingOutcome, Transaction, TransactionKind,
};
use crate::domain::validation::invoice_suffix;
use chrono::{DateTime, Datelike, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

/// A clock move that would take sandbox time outside the years 1970–9000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the clock must stay between the years 1970 and 9000")]
pub struct ClockRangeError;

/// What a partial reset removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartitionReset {
    /// Transactions removed.
    pub transactions: usize,
    /// Tokens removed.
    pub tokens: usize,
    /// Scenario rules removed (those matching only this merchant/terminal).
    pub scenarios: usize,
}

/// Why a control-created payment was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateError {
    /// No such terminal.
    #[error("terminal {0} is not known")]
    UnknownTerminal(String),
    /// Bad amount.
    #[error("amount is invalid: {0}")]
    Amount(String),
    /// Empty invoice.
    #[error("invoiceId must not be empty")]
    EmptyInvoice,
    /// Forced outcome that cannot be played.
    #[error(transparent)]
    Outcome(#[from] crate::domain::scenario::RuleError),
    /// Duplicate invoice.
    #[error(transparent)]
    Duplicate(#[from] crate::store::DuplicateInvoice),
    /// Playing the outcome failed.
    #[error(transparent)]
    Operate(#[from] OperateError),
}

impl Sandbox {
    /// Removes the transactions and tokens of one merchant (`client_id`), one terminal, or
    /// both combined, and the scenario rules aimed only at them. Nothing else changes.
    pub fn reset_partition(&self, client_id: Option<&str>, terminal: Option<&str>) -> PartitionReset {
        let client_ok = |c: &str| client_id.is_none_or(|want| want == c);
        let terminal_ok = |t: Option<&str>| terminal.is_none_or(|want| t.is_some_and(|t| t.eq_ignore_ascii_case(want)));
        let transactions = self
            .store
            .remove_transactions(|tx| client_ok(&tx.client_id) && terminal_ok(Some(&tx.terminal_id)));
        let tokens = self
            .store
            .remove_tokens(|t| client_ok(&t.client_id) && terminal_ok(t.terminal.as_deref()));
        let scenarios = self.control.scenarios().remove_where(|r| {
            let by_client = client_id.is_some_and(|c| r.matcher.client_id.as_deref() == Some(c));
            let by_terminal =
                terminal.is_some_and(|t| r.matcher.terminal.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(t)));
            match (client_id, terminal) {
                (Some(_), Some(_)) => by_client && by_terminal,
                _ => by_client || by_terminal,
            }
        });
        PartitionReset {
            transactions,
            tokens,
            scenarios,
        }
    }

    /// Restarts the id sequence (and the fault RNG) with `seed`; later resets restart it too.
    pub fn reseed(&self, seed: Option<u64>) {
        self.control.set_seed(seed);
        self.ids.reseed(seed);
    }

    /// Freezes sandbox time (at `at`, or now) and runs what is due.
    pub fn freeze_clock(&self, at: Option<DateTime<Utc>>) {
        self.clock.freeze(at);
        self.run_due_timers();
    }

    /// Lets sandbox time flow again.
    pub fn unfreeze_clock(&self) {
        self.clock.unfreeze();
        self.run_due_timers();
    }

    /// Moves sandbox time by `by` and runs what became due: tokens expire, AUTH holds turn
    /// CANCEL_OLD, pending outcomes settle. Refused when time would leave the years 1970–9000.
    pub fn advance_clock(&self, by: Duration) -> Result<(), ClockRangeError> {
        let target = self.clock.now().checked_add_signed(by).ok_or(ClockRangeError)?;
        if !(1970..=9000).contains(&target.year()) {
            return Err(ClockRangeError);
        }
        self.clock.advance(by);
        self.run_due_timers();
        Ok(())
    }

    /// Jumps sandbox time to `at` and runs what is due.
    pub fn set_clock(&self, at: DateTime<Utc>) {
        self.clock.set(at);
        self.run_due_timers();
    }

    /// Transactions passing `filter`, newest first, at most its limit.
    pub fn find_transactions(&self, filter: &TransactionFilter) -> Result<Vec<Transaction>, String> {
        let status = filter.status()?;
        let mut found = self.store.transactions(|tx| filter.matches(tx, status));
        found.truncate(filter.limit());
        Ok(found)
    }

    /// Adds a merchant at run time (gone again after a full reset).
    pub fn create_merchant(&self, new: NewMerchant) -> Result<Merchant, MerchantError> {
        let merchant = new.build(&self.ids)?;
        self.store.insert_new_merchant(merchant.clone()).map_err(|taken| {
            if taken == merchant.client_id {
                MerchantError::ClientExists(taken)
            } else {
                MerchantError::TerminalExists(taken)
            }
        })?;
        Ok(merchant)
    }

    /// Loads the transactions and tokens of a state file; how many transactions were loaded.
    /// Checks everything first, so a bad file changes nothing.
    pub fn load_state(&self, state: &StateFile) -> Result<usize, StateError> {
        if state.version != STATE_VERSION {
            return Err(StateError::Version(state.version));
        }
        let now = self.clock.now();
        let mut transactions = Vec::with_capacity(state.transactions.len());
        for entry in &state.transactions {
            let (client_id, terminal) =
                self.store
                    .terminal(&entry.terminal)
                    .ok_or_else(|| StateError::UnknownTerminal {
                        invoice_id: entry.invoice_id.clone(),
                        terminal: entry.terminal.clone(),
                    })?;
            let mut tx = entry.to_transaction(&client_id, &terminal.processing_id, &self.ids, now)?;
            tx.terminal_id = terminal.id.clone();
            transactions.push(tx);
        }
        check_unique(&transactions, |tx| tx.id.to_string(), "id")?;
        check_unique(
            &transactions,
            |tx| format!("{}/{}", tx.terminal_id, invoice_suffix(&tx.order.invoice_id)),
            "invoiceId (or its last six digits) on the terminal",
        )?;
        let mut tokens = Vec::with_capacity(state.tokens.len());
        for entry in &state.tokens {
            if self.store.merchant(&entry.client_id).is_none() {
                return Err(StateError::UnknownClient(entry.client_id.clone()));
            }
            tokens.push(entry.to_token(now)?);
        }
        let loaded = transactions.len();
        for tx in transactions {
            let (invoice, id) = (tx.order.invoice_id.clone(), tx.id);
            if self.store.transaction(id).is_some() {
                return Err(StateError::Duplicate(invoice, format!("id {id} already exists")));
            }
            self.store
                .insert_transaction(tx)
                .map_err(|e| StateError::Duplicate(invoice, e.to_string()))?;
        }
        for token in tokens {
            self.store.put_token(token);
        }
        Ok(loaded)
    }

    /// The current transactions and live tokens in the state-file format (oldest first).
    pub fn dump_state(&self) -> StateFile {
        let mut transactions: Vec<StateTransaction> = self
            .store
            .transactions(|_| true)
            .iter()
            .map(StateTransaction::from_transaction)
            .collect();
        transactions.reverse();
        let mut tokens: Vec<StateToken> = self.store.tokens().iter().map(StateToken::from_token).collect();
        tokens.sort_by(|a, b| {
            a.issued_at
                .cmp(&b.issued_at)
                .then_with(|| a.access_token.cmp(&b.access_token))
        });
        StateFile {
            version: STATE_VERSION,
            transactions,
            tokens,
        }
    }

    /// Opens a payment and decides it at once (explicit outcome, else scenario rules, else
    /// approval). A challenge is taken as passed; a pending outcome stays NEW until it settles.
    pub fn create_control_transaction(&self, request: CreateTransaction) -> Result<Transaction, CreateError> {
        let (client_id, terminal) = self
            .store
            .terminal(&request.terminal)
            .ok_or_else(|| CreateError::UnknownTerminal(request.terminal.clone()))?;
        let amount = Amount::from_json(&request.amount).map_err(|e| CreateError::Amount(e.to_string()))?;
        if request.invoice_id.trim().is_empty() {
            return Err(CreateError::EmptyInvoice);
        }
        let catalogue = &self.fixtures.catalogue;
        if let Some(outcome) = &request.outcome {
            outcome.validate(&|code| catalogue.reason(code).is_some())?;
        }
        let pan = request.pan.clone().unwrap_or_else(|| DEFAULT_PAN.to_string());
        let card = self.fixtures.card(&pan);
        let attempt = AttemptContext {
            client_id: client_id.clone(),
            terminal_id: terminal.id.clone(),
            invoice_id: request.invoice_id.clone(),
            account_id: request.account_id.clone(),
            pan: pan.clone(),
            card_id: String::new(),
            amount,
        };
        let tx = self.open_transaction(NewTransaction {
            kind: TransactionKind::Payment,
            client_id,
            terminal_id: terminal.id.clone(),
            terminal_number: terminal.processing_id.clone(),
            order: OrderDetails {
                invoice_id: request.invoice_id.trim().to_string(),
                account_id: request.account_id,
                description: request.description,
                email: request.email,
                language: "rus".into(),
                currency: request.currency.unwrap_or_else(|| "KZT".into()).to_ascii_uppercase(),
                ..Default::default()
            },
            amount,
            card: CardSnapshot {
                mask: mask_pan(&pan),
                brand: card.map_or_else(|| brand_of(&pan).to_string(), |c| c.brand.clone()),
                issuer: card.map_or_else(String::new, |c| c.issuer.clone()),
                ..Default::default()
            },
            links: Links::default(),
            ip: "127.0.0.1".into(),
        })?;
        let outcome = match &request.outcome {
            Some(forced) => forced.to_outcome(),
            None => self.forced_outcome(&attempt).unwrap_or(Outcome::Approve),
        };
        Ok(self.play_control_outcome(tx.id, &outcome)?)
    }

    /// Plays an outcome on a NEW transaction created from the control plane (no card flow: a
    /// challenge counts as passed).
    fn play_control_outcome(&self, id: Uuid, outcome: &Outcome) -> Result<Transaction, OperateError> {
        match outcome {
            Outcome::Approve => self.approve(id),
            Outcome::Decline { code } => self.decline(id, *code),
            Outcome::Fail { code } => {
                let reason = self.fixtures.catalogue.message_en(*code);
                self.operate(id, &Operation::Fail { code: *code, reason })
            }
            Outcome::AuthenticationFailed { code } => {
                let reason = self.fixtures.catalogue.message_en(*code);
                self.operate(id, &Operation::Fail3ds { code: *code, reason })
            }
            Outcome::Challenge { then } => {
                self.store.update(id, |tx| tx.secure = true);
                self.play_control_outcome(id, then)
            }
            Outcome::Pending {
                settle_after_seconds,
                then_decline,
                settle_after_polls,
            } => {
                let pending = PendingOutcome::after(
                    self.clock.now(),
                    *settle_after_seconds,
                    *then_decline,
                    *settle_after_polls,
                );
                self.store
                    .update(id, |tx| {
                        tx.pending = Some(pending);
                        tx.clone()
                    })
                    .ok_or(OperateError::NotFound(id))
            }
        }
    }

    /// Counts one check-status poll of a pending transaction: settles it when its polls are
    /// used up, otherwise takes one off. Returns the transaction as the poll should show it.
    pub(super) fn count_status_poll(&self, tx: Transaction) -> Transaction {
        let Some(polls_left) = tx.pending.as_ref().and_then(|p| p.polls_left) else {
            return tx;
        };
        if polls_left == 0 {
            return self.settle_pending(&tx).unwrap_or(tx);
        }
        self.store
            .update(tx.id, |t| {
                if let Some(p) = t.pending.as_mut() {
                    p.polls_left = p.polls_left.map(|n| n.saturating_sub(1));
                }
                t.clone()
            })
            .unwrap_or(tx)
    }

    /// Settles a pending outcome now.
    pub(super) fn settle_pending(&self, tx: &Transaction) -> Option<Transaction> {
        let pending = tx.pending.as_ref()?;
        let result = match pending.decline_with {
            Some(code) => self.decline(tx.id, code),
            None => self.approve(tx.id),
        };
        result.ok()
    }
}

fn check_unique(txs: &[Transaction], key: impl Fn(&Transaction) -> String, what: &str) -> Result<(), StateError> {
    let mut seen = std::collections::HashSet::new();
    for tx in txs {
        if !seen.insert(key(tx).to_ascii_lowercase()) {
            return Err(StateError::Duplicate(
                tx.order.invoice_id.clone(),
                format!("duplicate {what} in the state file"),
            ));
        }
    }
    Ok(())
}
