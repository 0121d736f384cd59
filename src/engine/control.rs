//! What the control plane does to the sandbox: partial resets, clock moves, reseeding, run-time
//! merchants, state files, and payments opened without a card flow.

use super::{OperateError, Sandbox};
use crate::control::merchants::{MerchantError, NewMerchant};
use crate::control::state::{PreparedState, PreparedTerminal, Snapshot, StateError, StateFile, STATE_VERSION};
use crate::control::transactions::{CreateTransaction, TransactionFilter, DEFAULT_PAN};
use crate::deadlines::Job;
use crate::domain::cards::{brand_of, mask_pan};
use crate::domain::merchants::Merchant;
use crate::domain::merchants::TerminalMode;
use crate::domain::money::Amount;
use crate::domain::outcome::{AttemptContext, Outcome};
use crate::domain::status::Status;
use crate::domain::transaction::{
    CardSnapshot, Event, Links, NewTransaction, OrderDetails, PendingOutcome, Transaction, TransactionKind,
};
use crate::domain::validation::invoice_suffix;
use crate::fidelity::Overrides;
use crate::store::Taken;
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
    /// Merchants removed (the client's own, when it was created at run time).
    pub merchants: usize,
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
    /// both combined, with their invoice links, subscriptions and QR bills, and the scenario
    /// rules aimed only at them; a merchant created at run time
    /// goes too when its whole client is reset. Nothing else changes.
    pub fn reset_partition(&self, client_id: Option<&str>, terminal: Option<&str>) -> PartitionReset {
        let client_ok = |c: &str| client_id.is_none_or(|want| want == c);
        let terminal_ok = |t: Option<&str>| terminal.is_none_or(|want| t.is_some_and(|t| t.eq_ignore_ascii_case(want)));
        let mut transactions = 0;
        for tx in self.store.transactions().all() {
            if client_ok(tx.client_id()) && terminal_ok(Some(tx.terminal_id())) {
                if let Some(removed) = self.store.transactions().remove(tx.id()) {
                    self.uncount_transfer(&removed);
                    transactions += 1;
                }
            }
        }
        let mut tokens = 0;
        for token in self.store.tokens().all() {
            if client_ok(&token.client_id) && terminal_ok(token.terminal.as_deref()) {
                self.store.tokens().remove(&token.access_token);
                self.store.payform().remove(&token.access_token);
                tokens += 1;
            }
        }
        self.remove_orders(client_id, terminal);
        let owned = |c: &str, t: &str| client_ok(c) && terminal_ok(Some(t));
        self.store
            .invoice_links()
            .remove_where(|l| owned(&l.client_id, &l.terminal_id));
        self.store
            .subscriptions()
            .remove_where(|s| owned(&s.client_id, &s.terminal_id));
        self.store
            .qr_bills()
            .remove_where(|b| owned(&b.client_id, &b.terminal_id));
        let scenarios = self.control.scenarios().remove_where(|r| {
            let by_client = client_id.is_some_and(|c| r.matcher.client_id.as_deref() == Some(c));
            let by_terminal =
                terminal.is_some_and(|t| r.matcher.terminal.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(t)));
            match (client_id, terminal) {
                (Some(_), Some(_)) => by_client && by_terminal,
                _ => by_client || by_terminal,
            }
        });
        let merchants = match (client_id, terminal) {
            (Some(client), None) if self.store.merchants().is_runtime(client) => {
                self.fidelity.clear_client(client);
                usize::from(self.store.merchants().remove(client).is_some())
            }
            _ => 0,
        };
        PartitionReset {
            transactions,
            tokens,
            scenarios,
            merchants,
        }
    }

    /// Deletes a merchant created at run time with everything it made (`DELETE
    /// /_sandbox/merchants/{clientId}`); fixture merchants stay.
    pub fn delete_merchant(&self, client_id: &str) -> Result<PartitionReset, MerchantError> {
        if self.store.merchants().get(client_id).is_none() {
            return Err(MerchantError::NotFound(client_id.to_string()));
        }
        if !self.store.merchants().is_runtime(client_id) {
            return Err(MerchantError::FromFixtures(client_id.to_string()));
        }
        Ok(self.reset_partition(Some(client_id), None))
    }

    /// Removes a run-time merchant idle for longer than the configured time (its deadline
    /// fired); one used since is given a new deadline.
    pub(super) fn expire_merchant(&self, client_id: &str) {
        let Some(last_used) = self.store.merchants().last_used(client_id) else {
            return;
        };
        let due = last_used
            .checked_add_signed(self.config.merchant_idle)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        if due <= self.clock.now() {
            let removed = self.reset_partition(Some(client_id), None);
            tracing::info!(client_id, ?removed, "idle run-time merchant removed");
        } else {
            self.deadlines.schedule(due, Job::ExpireMerchant(client_id.to_string()));
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
        self.clock_moved();
    }

    /// Runs what a clock move made due, and wakes the timer task to sleep until the next job.
    fn clock_moved(&self) {
        self.run_due_timers();
        self.deadlines.wake();
    }

    /// Lets sandbox time flow again.
    pub fn unfreeze_clock(&self) {
        self.clock.unfreeze();
        self.clock_moved();
    }

    /// Moves sandbox time by `by` and runs what became due: tokens expire, AUTH holds turn
    /// CANCEL_OLD, pending outcomes settle. Refused when time would leave the years 1970–9000.
    pub fn advance_clock(&self, by: Duration) -> Result<(), ClockRangeError> {
        let target = self.clock.now().checked_add_signed(by).ok_or(ClockRangeError)?;
        if !(1970..=9000).contains(&target.year()) {
            return Err(ClockRangeError);
        }
        self.clock.advance(by);
        self.clock_moved();
        Ok(())
    }

    /// Jumps sandbox time to `at` and runs what is due.
    pub fn set_clock(&self, at: DateTime<Utc>) {
        self.clock.set(at);
        self.clock_moved();
    }

    /// Transactions passing `filter`, newest first, at most its limit.
    pub fn find_transactions(&self, filter: &TransactionFilter) -> Result<Vec<Transaction>, String> {
        let mut found = self.matching_transactions(filter)?;
        found.truncate(filter.limit());
        Ok(found)
    }

    /// Every transaction passing `filter`, newest first (a listing pages through these).
    pub fn matching_transactions(&self, filter: &TransactionFilter) -> Result<Vec<Transaction>, String> {
        let status = filter.status()?;
        let mut found = self.store.transactions().all();
        found.retain(|tx| filter.matches(tx, status));
        Ok(found)
    }

    /// Adds a merchant at run time (gone again after a full reset).
    pub fn create_merchant(&self, new: NewMerchant) -> Result<Merchant, MerchantError> {
        let merchant = new.build(&self.ids)?;
        let now = self.clock.now();
        self.store
            .merchants()
            .insert_new(merchant.clone(), now)
            .map_err(|taken| match taken {
                Taken::ClientId(id) => MerchantError::ClientExists(id),
                Taken::Terminal(id) => MerchantError::TerminalExists(id),
            })?;
        self.schedule_merchant_expiry(&merchant.client_id, now);
        Ok(merchant)
    }

    fn schedule_merchant_expiry(&self, client_id: &str, now: DateTime<Utc>) {
        let due = now
            .checked_add_signed(self.config.merchant_idle)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.deadlines.schedule(due, Job::ExpireMerchant(client_id.to_string()));
    }

    /// Loads a state file (a version 2 snapshot, or a version 1 prepared state); how many
    /// transactions were loaded. Checks everything first, so a bad file changes nothing.
    pub fn load_state(&self, state: &StateFile) -> Result<usize, StateError> {
        let snapshot = match state {
            StateFile::Snapshot(snapshot) if snapshot.version == STATE_VERSION => snapshot.clone(),
            StateFile::Snapshot(snapshot) => return Err(StateError::Version(snapshot.version)),
            StateFile::Prepared(prepared) => self.replay_prepared(prepared)?,
        };
        self.check_snapshot(&snapshot)?;
        let mut fidelity = Vec::with_capacity(snapshot.fidelity.len());
        for (client_id, document) in &snapshot.fidelity {
            let overrides =
                Overrides::from_json(document).map_err(|e| StateError::Fidelity(client_id.clone(), e.to_string()))?;
            fidelity.push((client_id.clone(), overrides));
        }
        let loaded = snapshot.transactions.len();
        let now = self.clock.now();
        for merchant in snapshot.merchants {
            let client_id = merchant.client_id.clone();
            if self.store.merchants().insert_new(merchant, now).is_ok() {
                self.schedule_merchant_expiry(&client_id, now);
            }
        }
        for tx in snapshot.transactions {
            let invoice = tx.order().invoice_id.to_string();
            self.schedule_timers_of(&tx);
            if tx.kind() == TransactionKind::Transfer && matches!(tx.status(), Status::Charge | Status::Refund) {
                self.count_transfer(&tx);
            }
            self.store
                .transactions()
                .insert(tx)
                .map_err(|e| StateError::Duplicate(invoice, e.to_string()))?;
        }
        for token in snapshot.tokens {
            self.deadlines
                .schedule(token.expires_at, Job::ExpireToken(token.access_token.clone()));
            self.store.tokens().put(token);
        }
        for card in snapshot.saved_cards {
            self.store.saved_cards().put(card);
        }
        for (client_id, overrides) in fidelity {
            self.fidelity.set_client(&client_id, overrides);
        }
        for session in snapshot.secure3d_sessions {
            let due = session
                .created_at
                .checked_add_signed(self.config.three_ds_timeout)
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
            self.deadlines.schedule(due, Job::ExpireChallenge(session.md.clone()));
            self.store.secure3d().put(session);
        }
        for link in snapshot.invoice_links {
            self.restore_invoice_link(link);
        }
        for subscription in snapshot.subscriptions {
            self.restore_subscription(subscription);
        }
        for bill in snapshot.qr_bills {
            self.restore_qr_bill(bill);
        }
        for order in snapshot.installment_orders {
            self.restore_order(order);
        }
        self.store.bonuses().restore(*snapshot.bonuses);
        Ok(loaded)
    }

    /// A prepared state as the snapshot it describes: each transaction replayed to its status.
    fn replay_prepared(&self, prepared: &PreparedState) -> Result<Snapshot, StateError> {
        let now = self.clock.now();
        let mut transactions = Vec::with_capacity(prepared.transactions.len());
        for entry in &prepared.transactions {
            let (client_id, terminal) =
                self.store
                    .merchants()
                    .terminal(&entry.terminal)
                    .ok_or_else(|| StateError::UnknownTerminal {
                        invoice_id: entry.invoice_id.clone(),
                        terminal: entry.terminal.clone(),
                    })?;
            let on = PreparedTerminal {
                id: &terminal.id,
                client_id: &client_id,
                number: &terminal.processing_id,
                two_step: terminal.mode == TerminalMode::TwoStep,
            };
            transactions.push(entry.to_transaction(&on, &self.ids, now)?);
        }
        let mut tokens = Vec::with_capacity(prepared.tokens.len());
        for entry in &prepared.tokens {
            tokens.push(entry.to_token(now)?);
        }
        Ok(Snapshot {
            version: STATE_VERSION,
            transactions,
            tokens,
            saved_cards: Vec::new(),
            secure3d_sessions: Vec::new(),
            merchants: Vec::new(),
            invoice_links: Vec::new(),
            subscriptions: Vec::new(),
            qr_bills: Vec::new(),
            installment_orders: Vec::new(),
            bonuses: Default::default(),
            fidelity: Default::default(),
        })
    }

    /// Refuses a snapshot that names unknown terminals or clients, repeats an id or an
    /// invoiceId (or its last six digits) on a terminal, or clashes with what is stored.
    fn check_snapshot(&self, snapshot: &Snapshot) -> Result<(), StateError> {
        let own_terminal = |id: &str| {
            snapshot
                .merchants
                .iter()
                .any(|m| m.terminals.iter().any(|t| t.id.eq_ignore_ascii_case(id)))
        };
        for tx in &snapshot.transactions {
            if self.store.merchants().terminal(tx.terminal_id()).is_none() && !own_terminal(tx.terminal_id()) {
                return Err(StateError::UnknownTerminal {
                    invoice_id: tx.order().invoice_id.to_string(),
                    terminal: tx.terminal_id().to_string(),
                });
            }
            if self.store.transactions().get(tx.id()).is_some() {
                return Err(StateError::Duplicate(
                    tx.order().invoice_id.to_string(),
                    format!("id {} already exists", tx.id()),
                ));
            }
        }
        check_unique(&snapshot.transactions, |tx| tx.id().to_string(), "id")?;
        check_unique(
            &snapshot.transactions,
            |tx| format!("{}/{}", tx.terminal_id(), invoice_suffix(tx.order().invoice_id)),
            "invoiceId (or its last six digits) on the terminal",
        )?;
        let known_client =
            |c: &str| self.store.merchants().get(c).is_some() || snapshot.merchants.iter().any(|m| m.client_id == c);
        if let Some(token) = snapshot.tokens.iter().find(|t| !known_client(&t.client_id)) {
            return Err(StateError::UnknownClient(token.client_id.clone()));
        }
        Ok(())
    }

    /// Schedules the timers a loaded transaction is waiting on.
    fn schedule_timers_of(&self, tx: &Transaction) {
        if let Some(pending) = tx.pending() {
            self.deadlines.schedule(pending.settle_at, Job::SettlePending(tx.id()));
        }
        if tx.status() == Status::Auth {
            let due = tx
                .last_moved_at()
                .checked_add_signed(self.config.auth_hold)
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
            self.deadlines.schedule(due, Job::ExpireHold(tx.id()));
        }
    }

    /// Everything the sandbox holds as a version 2 snapshot, oldest first: what `--state`
    /// loads back without loss.
    pub fn dump_state(&self) -> Snapshot {
        let mut transactions = self.store.transactions().all();
        transactions.reverse();
        let now = self.clock.now();
        let mut tokens = self.store.tokens().all();
        tokens.retain(|t| t.is_live(now));
        let merchants = self
            .store
            .merchants()
            .all()
            .into_iter()
            .filter(|m| self.store.merchants().is_runtime(&m.client_id))
            .map(|m| Merchant::clone(&m))
            .collect();
        Snapshot {
            version: STATE_VERSION,
            transactions,
            tokens,
            saved_cards: self.store.saved_cards().all(),
            secure3d_sessions: self.store.secure3d().all(),
            merchants,
            invoice_links: self.store.invoice_links().all(),
            subscriptions: self.store.subscriptions().all(),
            qr_bills: self.store.qr_bills().all(),
            installment_orders: self.store.installments().all().into_iter().rev().collect(),
            bonuses: Box::new(self.store.bonuses().records()),
            fidelity: self
                .fidelity
                .all_overrides()
                .into_iter()
                .map(|(client_id, overrides)| (client_id, overrides.to_json()))
                .collect(),
        }
    }

    /// Opens a payment and decides it at once (explicit outcome, else scenario rules, else
    /// approval). A challenge is taken as passed; a pending outcome stays NEW until it settles.
    pub fn create_control_transaction(&self, request: CreateTransaction) -> Result<Transaction, CreateError> {
        let (client_id, terminal) = self
            .store
            .merchants()
            .terminal(&request.terminal)
            .ok_or_else(|| CreateError::UnknownTerminal(request.terminal.clone()))?;
        let amount = Amount::from_json(&request.amount).map_err(|e| CreateError::Amount(e.to_string()))?;
        if request.invoice_id.trim().is_empty() {
            return Err(CreateError::EmptyInvoice);
        }
        let catalogue = &self.fixtures.catalogue;
        if let Some(outcome) = &request.outcome {
            outcome.validate(&|code| catalogue.reason(code).is_some())?;
            if outcome.is_status_result() {
                return Err(crate::domain::scenario::RuleError::StatusResultIsNoOutcome.into());
            }
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
            transfer: None,
        })?;
        let outcome = match &request.outcome {
            Some(forced) => forced.to_outcome(),
            None => self.forced_outcome(&attempt).unwrap_or(Outcome::Approve),
        };
        Ok(self.play_control_outcome(tx.id(), &outcome)?)
    }

    /// Plays an outcome on a NEW transaction created from the control plane (no card flow: a
    /// challenge counts as passed).
    fn play_control_outcome(&self, id: Uuid, outcome: &Outcome) -> Result<Transaction, OperateError> {
        let reason = |code: i32| self.fixtures.catalogue.message_en(code);
        match outcome {
            Outcome::Approve => self.approve(id),
            Outcome::Decline { code } => self.decline(id, *code),
            Outcome::Fail { code } => self.apply(
                id,
                Event::Fail {
                    code: *code,
                    reason: reason(*code),
                },
            ),
            Outcome::AuthenticationFailed { code } => self.apply(
                id,
                Event::Fail3ds {
                    code: *code,
                    reason: reason(*code),
                },
            ),
            Outcome::Challenge { then } => {
                self.apply(id, Event::MarkSecure)?;
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
                let code = crate::fidelity::PENDING_REASON;
                self.apply(
                    id,
                    Event::Defer {
                        pending,
                        code,
                        reason: reason(code),
                    },
                )
            }
        }
    }
}

fn check_unique(txs: &[Transaction], key: impl Fn(&Transaction) -> String, what: &str) -> Result<(), StateError> {
    let mut seen = std::collections::HashSet::new();
    for tx in txs {
        if !seen.insert(key(tx).to_ascii_lowercase()) {
            return Err(StateError::Duplicate(
                tx.order().invoice_id.to_string(),
                format!("duplicate {what} in the state file"),
            ));
        }
    }
    Ok(())
}
