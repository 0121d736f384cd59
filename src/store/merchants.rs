//! Merchants by client id and terminals by id. Merchants are shared (`Arc`), so a token
//! request looks its client up without copying the directory.

use super::StoreMap;
use crate::domain::merchants::{Merchant, Terminal};
use chrono::{DateTime, Utc};
use dashmap::mapref::entry::Entry;
use std::sync::Arc;

/// A merchant and, for one created at run time, when it was last used.
#[derive(Debug, Clone)]
struct Listed {
    merchant: Arc<Merchant>,
    last_used: Option<DateTime<Utc>>,
}

/// Merchants and terminals.
#[derive(Debug, Default)]
pub struct MerchantStore {
    merchants: StoreMap<String, Listed>,
    terminal_owners: StoreMap<String, String>,
}

/// Why a merchant could not be added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// The client id is in use.
    ClientId(String),
    /// A terminal id is in use.
    Terminal(String),
}

impl MerchantStore {
    /// Adds or replaces a merchant from the fixtures or a state file and indexes its terminals.
    pub fn put(&self, merchant: Merchant) {
        for terminal in &merchant.terminals {
            self.terminal_owners
                .insert(terminal.id.to_ascii_lowercase(), merchant.client_id.clone());
        }
        let entry = Listed {
            merchant: Arc::new(merchant),
            last_used: None,
        };
        self.merchants.insert(entry.merchant.client_id.clone(), entry);
    }

    /// Adds a merchant created at run time (which expires when idle) unless its client id or
    /// one of its terminal ids is taken.
    pub fn insert_new(&self, merchant: Merchant, now: DateTime<Utc>) -> Result<(), Taken> {
        if let Some(taken) = merchant
            .terminals
            .iter()
            .find(|t| self.terminal_owners.contains_key(&t.id.to_ascii_lowercase()))
        {
            return Err(Taken::Terminal(taken.id.clone()));
        }
        let client_id = merchant.client_id.clone();
        let terminals: Vec<String> = merchant.terminals.iter().map(|t| t.id.to_ascii_lowercase()).collect();
        match self.merchants.entry(client_id.clone()) {
            Entry::Occupied(_) => return Err(Taken::ClientId(client_id)),
            Entry::Vacant(slot) => {
                slot.insert(Listed {
                    merchant: Arc::new(merchant),
                    last_used: Some(now),
                });
            }
        }
        for terminal in terminals {
            self.terminal_owners.insert(terminal, client_id.clone());
        }
        Ok(())
    }

    /// A merchant by client id.
    pub fn get(&self, client_id: &str) -> Option<Arc<Merchant>> {
        self.merchants.get(client_id).map(|e| e.merchant.clone())
    }

    /// Whether the merchant was created at run time (and so can be deleted or expire).
    pub fn is_runtime(&self, client_id: &str) -> bool {
        self.merchants.get(client_id).is_some_and(|e| e.last_used.is_some())
    }

    /// Records that a run-time merchant was used at `now` (it expires only when idle).
    pub fn touch(&self, client_id: &str, now: DateTime<Utc>) {
        if let Some(mut entry) = self.merchants.get_mut(client_id) {
            if let Some(last) = entry.last_used.as_mut() {
                *last = (*last).max(now);
            }
        }
    }

    /// When a run-time merchant was last used (`None` for fixture merchants and unknown ids).
    pub fn last_used(&self, client_id: &str) -> Option<DateTime<Utc>> {
        self.merchants.get(client_id).and_then(|e| e.last_used)
    }

    /// Removes a merchant and its terminals; returns it.
    pub fn remove(&self, client_id: &str) -> Option<Arc<Merchant>> {
        let (_, entry) = self.merchants.remove(client_id)?;
        for terminal in &entry.merchant.terminals {
            self.terminal_owners
                .remove_if(&terminal.id.to_ascii_lowercase(), |_, owner| owner == client_id);
        }
        Some(entry.merchant)
    }

    /// Every merchant, by client id.
    pub fn all(&self) -> Vec<Arc<Merchant>> {
        let mut all: Vec<Arc<Merchant>> = self.merchants.iter().map(|e| e.merchant.clone()).collect();
        all.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        all
    }

    /// How many merchants there are.
    pub fn len(&self) -> usize {
        self.merchants.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.merchants.is_empty()
    }

    /// A terminal and its owner's client id.
    pub fn terminal(&self, terminal_id: &str) -> Option<(String, Terminal)> {
        let owner = self
            .terminal_owners
            .get(&terminal_id.trim().to_ascii_lowercase())?
            .clone();
        let merchant = self.get(&owner)?;
        merchant.terminal(terminal_id).map(|t| (owner, t.clone()))
    }

    /// Forgets every merchant.
    pub fn clear(&self) {
        self.merchants.clear();
        self.terminal_owners.clear();
    }
}
