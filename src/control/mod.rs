//! State of the control plane that is not bank state: scenario rules, fault rules, the request
//! journal, the current id seed and the `--state` file to return to on reset.

pub mod faults;
pub mod journal;
pub mod merchants;
pub mod state;
pub mod transactions;

use crate::domain::scenario::ScenarioBook;
use faults::FaultBook;
use journal::Journal;
use state::StateFile;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Everything the control plane keeps besides the store.
#[derive(Debug)]
pub struct ControlPlane {
    /// Scenario rules in force.
    scenarios: Mutex<ScenarioBook>,
    /// Latency and fault rules.
    pub faults: FaultBook,
    /// The last requests to the ePay routes.
    pub journal: Journal,
    seed: Mutex<Option<u64>>,
    next_id: AtomicU64,
    initial_state: Option<StateFile>,
}

impl ControlPlane {
    /// Empty books; `seed` for the id and fault RNGs; `initial_state` loaded at start and reset.
    pub fn new(seed: Option<u64>, journal_capacity: usize, initial_state: Option<StateFile>) -> Self {
        ControlPlane {
            scenarios: Mutex::new(ScenarioBook::default()),
            faults: FaultBook::new(seed),
            journal: Journal::new(journal_capacity),
            seed: Mutex::new(seed),
            next_id: AtomicU64::new(1),
            initial_state,
        }
    }

    /// The scenario book, locked.
    pub fn scenarios(&self) -> MutexGuard<'_, ScenarioBook> {
        self.scenarios.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh rule id such as `sc_3` (a counter, so rules never disturb the seeded id sequence).
    pub fn next_id(&self, prefix: &str) -> String {
        format!("{prefix}_{}", self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// The seed in force (`--seed`, or the last `POST /_sandbox/seed`).
    pub fn seed(&self) -> Option<u64> {
        *self.seed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the seed in force and restarts the fault RNG with it.
    pub fn set_seed(&self, seed: Option<u64>) {
        *self.seed.lock().unwrap_or_else(|p| p.into_inner()) = seed;
        self.faults.reseed(seed);
    }

    /// The `--state` file, if one was given.
    pub fn initial_state(&self) -> Option<&StateFile> {
        self.initial_state.as_ref()
    }

    /// Drops every rule and journal entry and restarts the fault RNG.
    pub fn reset(&self) {
        self.scenarios().clear();
        self.faults.clear();
        self.faults.reseed(self.seed());
        self.journal.clear();
    }
}
