//! The sandbox engine: the domain rules wired to the store, the clock and the id generator.
//!
//! HTTP handlers call the methods of [`Sandbox`]; so do tests that need no HTTP. Each ePay area
//! adds its methods in its own file here.

mod attempt;
mod bonuses;
mod control;
mod fidelity;
mod homebank;
mod inspect;
mod installments;
mod invoice_links;
mod merchant_charge;
mod oauth;
mod operations_search;
mod payform;
mod payments;
mod qr;
mod recurrent;
mod saved_cards;
mod scenarios;
mod sdk;
mod secure3d;
#[cfg(test)]
mod snapshot_props;
mod status;
mod transactions;
mod transfers;

pub use attempt::{PaymentAccepted, PaymentError};
pub use control::{ClockRangeError, CreateError, PartitionReset};
pub use fidelity::{FidelityRefusal, FidelityState};
pub use inspect::RecordCounts;
pub use installments::OrderRequest;
pub use invoice_links::{InvoiceLinkRequest, InvoiceLinkView};
pub use oauth::AuthError;
pub use operations_search::SearchRefusal;
pub use payform::{PayformAttempt, PayformRefusal};
pub use payments::{PaymentMethod, PaymentRequest, Wallet};
pub use qr::{QrGenerateRequest, QrPayment};
pub use sdk::{SdkError, TerminalInfo};
pub use secure3d::{
    AcsReply, AcsStep, ChallengeView, ConfirmRequest, Confirmed, PaResKey, Secure3dChallenge, Secure3dError,
};
pub use status::{StatusAnswered, StatusLookup};
pub use transactions::OperateError;
pub use transfers::{CardInput, TransferRequest};

use crate::callbacks::Callbacks;
use crate::clock::Clock;
use crate::config::Config;
use crate::control::state::{StateError, StateFile};
use crate::control::ControlPlane;
use crate::crypto::SandboxCrypto;
use crate::deadlines::{Deadlines, Job};
use crate::domain::transaction::TransactionTimer;
use crate::fidelity::{Profile, Profiles};
use crate::fixtures::Fixtures;
use crate::ids::IdGenerator;
use crate::store::Store;
use std::time::Instant;

/// One running sandbox: configuration, bank data and all mutable state. Its parts are private:
/// HTTP handlers and tests go through its methods.
#[derive(Debug)]
pub struct Sandbox {
    config: Config,
    fixtures: Fixtures,
    store: Store,
    deadlines: Deadlines,
    clock: Clock,
    ids: IdGenerator,
    callbacks: Callbacks,
    crypto: SandboxCrypto,
    control: ControlPlane,
    pares_key: PaResKey,
    /// Held while a transfer checks the daily limits and completes (`Attempt::SERIALISED`, see
    /// `attempt.rs`).
    transfer_limits: std::sync::Mutex<()>,
    started: Instant,
    public_url: std::sync::RwLock<String>,
    tls_ca: std::sync::OnceLock<String>,
    fidelity: Profiles,
}

impl Sandbox {
    /// A sandbox seeded from `fixtures`, with the embedded sandbox RSA test key.
    pub fn new(config: Config, fixtures: Fixtures) -> Self {
        let crypto = SandboxCrypto::embedded().expect("the embedded sandbox key is valid (unit-tested)");
        Self::with_crypto(config, fixtures, crypto)
    }

    /// A sandbox seeded from `fixtures` that decrypts cryptograms with `crypto`.
    pub fn with_crypto(config: Config, fixtures: Fixtures, crypto: SandboxCrypto) -> Self {
        let control = ControlPlane::new(config.seed, config.journal_capacity, None);
        Self::assemble(config, fixtures, crypto, control)
    }

    /// A sandbox seeded from `fixtures` and then from a state file (`--state`), which a reset
    /// loads again.
    pub fn with_state(
        config: Config,
        fixtures: Fixtures,
        crypto: SandboxCrypto,
        state: StateFile,
    ) -> Result<Self, StateError> {
        let control = ControlPlane::new(config.seed, config.journal_capacity, Some(state));
        let sandbox = Self::assemble(config, fixtures, crypto, control);
        if let Some(state) = sandbox.control().initial_state() {
            sandbox.load_state(state)?;
        }
        Ok(sandbox)
    }

    fn assemble(config: Config, fixtures: Fixtures, crypto: SandboxCrypto, control: ControlPlane) -> Self {
        let limits = config.limits;
        let sandbox = Sandbox {
            crypto,
            pares_key: PaResKey::new(),
            transfer_limits: std::sync::Mutex::new(()),
            ids: IdGenerator::new(config.seed),
            callbacks: Callbacks::configured(config.callbacks, &config.callback_transport, config.seed),
            fidelity: Profiles::new(config.fidelity),
            config,
            fixtures,
            store: Store::with_limits(limits),
            deadlines: Deadlines::new(),
            control,
            clock: Clock::new(),
            started: Instant::now(),
            public_url: std::sync::RwLock::new(String::new()),
            tls_ca: std::sync::OnceLock::new(),
        };
        sandbox.load_fixtures();
        sandbox
    }

    /// Everything back to the fixtures (and the `--state` file): no other transactions, no
    /// tokens, no scenario or fault rules, an empty journal, wall-clock time, and the id
    /// sequence restarted from the seed in force (so a seeded sandbox replays the same ids).
    pub fn reset(&self) {
        self.store.clear();
        self.deadlines.clear();
        self.callbacks.reset();
        self.load_fixtures();
        self.clock.reset();
        self.ids.reseed(self.control.seed());
        self.pares_key.renew();
        self.control.reset();
        self.fidelity.reset();
        if let Some(state) = self.control.initial_state() {
            if let Err(error) = self.load_state(state) {
                tracing::warn!("state file not reloaded after reset: {error}");
            }
        }
    }

    /// Settings it was started with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Bank data it was seeded from (and is reset to).
    pub fn fixtures(&self) -> &Fixtures {
        &self.fixtures
    }

    /// Sandbox time.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Outgoing postLink callbacks: the delivery log, re-sends, settings.
    pub fn callbacks(&self) -> &Callbacks {
        &self.callbacks
    }

    /// The RSA key cryptograms are decrypted with (`/public.rsa` serves its public half).
    pub fn crypto(&self) -> &SandboxCrypto {
        &self.crypto
    }

    /// Scenario and fault rules, the request journal, the seed in force.
    pub fn control(&self) -> &ControlPlane {
        &self.control
    }

    /// The fidelity profiles in force: start-up, run-time and per-merchant (`/_sandbox/fidelity`).
    pub fn fidelity(&self) -> &Profiles {
        &self.fidelity
    }

    /// The effective fidelity profile of a merchant: what its answers render.
    pub fn profile_for(&self, client_id: &str) -> Profile {
        self.fidelity.for_client(client_id)
    }

    /// The timed work waiting to run (the server's timer task sleeps on it).
    pub fn deadlines(&self) -> &Deadlines {
        &self.deadlines
    }

    /// Seconds since start (real time).
    pub fn uptime_seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Runs every job of the deadline queue that is due at the current sandbox time (token
    /// expiry, holds, pending outcomes, 3-D Secure timeouts, idle merchants), then enforces
    /// the stores' caps. The server's timer task calls it when the earliest job falls due;
    /// every clock move calls it too.
    pub fn run_due_timers(&self) {
        let now = self.clock.now();
        self.callbacks.observe_clock(now, self.clock.is_frozen());
        for job in self.deadlines.take_due(now) {
            self.run_job(job);
        }
        self.store.evict();
        self.compact_deadlines();
    }

    fn run_job(&self, job: Job) {
        match job {
            Job::SettlePending(id) => self.run_transaction_timer(id, TransactionTimer::SettlePending),
            Job::ExpireHold(id) => self.run_transaction_timer(id, TransactionTimer::ExpireHold),
            Job::ExpireChallenge(md) => self.expire_challenge(&md),
            Job::ExpireToken(access) => self.expire_token(&access),
            Job::ExpireMerchant(client_id) => self.expire_merchant(&client_id),
            Job::AdvanceOrder(id) => self.run_order_step(id),
            Job::ExpireInvoiceLink(id) => self.expire_invoice_link(id),
            Job::ChargeSubscription(id) => self.charge_subscription_if_due(id),
            Job::ExpireQrBill(bill) => self.expire_qr_bill(&bill),
        }
    }

    /// Drops queued jobs whose records are gone once the queue far outgrows the stores: each
    /// record schedules a bounded number of jobs, so this runs rarely and its cost is
    /// amortised over the inserts that made the jobs.
    fn compact_deadlines(&self) {
        let records = self.store.transactions().len()
            + self.store.tokens().len()
            + self.store.secure3d().len()
            + self.store.installments().len();
        if self.deadlines.len() <= 4 * records + 4096 {
            return;
        }
        self.deadlines.retain(|job| match job {
            Job::SettlePending(id) | Job::ExpireHold(id) => self.store.transactions().get(*id).is_some(),
            Job::ExpireChallenge(md) => self.store.secure3d().get(md).is_some(),
            Job::ExpireToken(access) => self.store.tokens().get(access).is_some(),
            Job::ExpireMerchant(_) => true,
            Job::AdvanceOrder(id) => self.store.installments().get(*id).is_some(),
            Job::ExpireInvoiceLink(id) => self.store.invoice_links().get(*id).is_some(),
            Job::ChargeSubscription(id) => self.store.subscriptions().get(*id).is_some(),
            Job::ExpireQrBill(bill) => self.store.qr_bills().get(bill).is_some(),
        });
    }

    fn load_fixtures(&self) {
        for merchant in &self.fixtures.merchants {
            self.store.merchants().put(merchant.clone());
        }
        self.load_bonuses();
    }
}

impl Sandbox {
    /// Records the URL the sandbox is reachable at (set once the listener is bound).
    pub fn set_public_url(&self, url: String) {
        let mut slot = self.public_url.write().unwrap_or_else(|p| p.into_inner());
        *slot = url.trim_end_matches('/').to_string();
    }

    /// Base URL for links the sandbox hands out (3-D Secure action, payment pages).
    pub fn public_url(&self) -> String {
        self.public_url.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Records the CA certificate (PEM) of the generated HTTPS certificate; the first one stays.
    pub fn set_tls_ca(&self, pem: String) {
        let _ = self.tls_ca.set(pem);
    }

    /// The CA certificate `GET /_sandbox/tls/ca.pem` serves, when the sandbox generated one.
    pub fn tls_ca(&self) -> Option<&str> {
        self.tls_ca.get().map(String::as_str)
    }
}
