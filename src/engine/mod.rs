//! The sandbox engine: the domain rules wired to the store, the clock and the id generator.
//!
//! HTTP handlers call the methods of [`Sandbox`]; so do tests that need no HTTP. Each ePay area
//! adds its methods in its own file here.

mod control;
mod oauth;
mod operations_search;
mod payform;
mod payments;
mod saved_cards;
mod scenarios;
mod secure3d;
mod status;
mod transactions;
mod transfers;

pub use control::{ClockRangeError, CreateError, PartitionReset};
pub use oauth::AuthError;
pub use operations_search::SearchRefusal;
pub use payform::{PayformAttempt, PayformRefusal};
pub use payments::{PaymentAccepted, PaymentError, PaymentMethod, PaymentRequest, Wallet};
pub use secure3d::{
    AcsReply, AcsStep, ChallengeView, ConfirmRequest, Confirmed, PaResKey, Secure3dChallenge, Secure3dError,
};
pub use status::StatusLookup;
pub use transactions::OperateError;
pub use transfers::{CardInput, TransferAccepted, TransferError, TransferRequest};

use crate::callbacks::Callbacks;
use crate::clock::Clock;
use crate::config::Config;
use crate::control::state::{StateError, StateFile};
use crate::control::ControlPlane;
use crate::crypto::SandboxCrypto;
use crate::fixtures::Fixtures;
use crate::ids::IdGenerator;
use crate::store::Store;
use std::time::Instant;

/// One running sandbox: configuration, bank data and all mutable state.
#[derive(Debug)]
pub struct Sandbox {
    /// Settings it was started with.
    pub config: Config,
    /// Bank data it was seeded from (and is reset to).
    pub fixtures: Fixtures,
    /// Mutable state.
    pub store: Store,
    /// Sandbox time.
    pub clock: Clock,
    /// Source of ids, references and tokens.
    pub ids: IdGenerator,
    /// Outgoing postLink callbacks.
    pub callbacks: Callbacks,
    /// The RSA key cryptograms are decrypted with (`/public.rsa` serves its public half).
    pub crypto: SandboxCrypto,
    /// Scenario and fault rules, the request journal, the seed in force.
    pub control: ControlPlane,
    pares_key: PaResKey,
    /// Held while a transfer checks the daily limits and completes (see `transfers.rs`).
    transfer_limits: std::sync::Mutex<()>,
    started: Instant,
    public_url: std::sync::RwLock<String>,
    tls_ca: std::sync::OnceLock<String>,
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
        if let Some(state) = sandbox.control.initial_state() {
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
            config,
            fixtures,
            store: Store::with_limits(limits),
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
        self.callbacks.reset();
        self.load_fixtures();
        self.clock.reset();
        self.ids.reseed(self.control.seed());
        self.pares_key.renew();
        self.control.reset();
        if let Some(state) = self.control.initial_state() {
            if let Err(error) = self.load_state(state) {
                tracing::warn!("state file not reloaded after reset: {error}");
            }
        }
    }

    /// Seconds since start (real time).
    pub fn uptime_seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Runs every timer that is due at the current sandbox time (token expiry, holds, pending
    /// outcomes), then enforces the store's caps: abandoned 3-D Secure sessions (older than
    /// twice the challenge timeout) go, then the oldest records over each cap. Called
    /// periodically by the server and after every clock move.
    pub fn run_due_timers(&self) {
        let now = self.clock.now();
        self.callbacks.observe_clock(now, self.clock.is_frozen());
        self.store.prune_tokens(|t| !t.is_live(now));
        self.settle_due_transactions(now);
        self.expire_due_challenges(now);
        let abandoned = self.config.three_ds_timeout * 2;
        self.store.prune_secure3d_sessions(|s| s.created_at + abandoned <= now);
        self.store.evict();
    }

    fn load_fixtures(&self) {
        for merchant in &self.fixtures.merchants {
            self.store.put_merchant(merchant.clone());
        }
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
