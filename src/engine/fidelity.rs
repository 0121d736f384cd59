//! The fidelity profile at run time: what `/_sandbox/fidelity` reads and changes.

use super::Sandbox;
use crate::fidelity::{FidelityError, Overrides, Profile};
use serde_json::Value;

/// The profile in force for the sandbox or one merchant, with what it is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FidelityState {
    /// The merchant asked about, if any.
    pub client_id: Option<String>,
    /// The profile in force.
    pub effective: Profile,
    /// The start-up profile.
    pub startup: Profile,
    /// The merchant's overrides, or (without a merchant) what the run-time profile changed.
    pub overrides: Overrides,
    /// Without a merchant: every merchant's overrides, by client id.
    pub merchants: Option<Vec<(String, Overrides)>>,
}

/// Why a fidelity request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FidelityRefusal {
    /// No merchant with that client id.
    #[error("clientId {0} is not known")]
    UnknownClient(String),
    /// An unknown key or value, or a malformed document.
    #[error(transparent)]
    Invalid(#[from] FidelityError),
}

impl Sandbox {
    /// The profile in force for a merchant (`Some`) or for the sandbox (`None`).
    pub fn fidelity_view(&self, client_id: Option<&str>) -> Result<FidelityState, FidelityRefusal> {
        let profiles = self.fidelity();
        let startup = profiles.startup();
        Ok(match self.known_client(client_id)? {
            Some(client) => FidelityState {
                client_id: Some(client.to_string()),
                effective: profiles.for_client(client),
                startup,
                overrides: profiles.overrides_of(client),
                merchants: None,
            },
            None => {
                let global = profiles.global();
                FidelityState {
                    client_id: None,
                    effective: global,
                    startup,
                    overrides: startup_difference(&startup.as_overrides(), &global.as_overrides()),
                    merchants: Some(profiles.all_overrides()),
                }
            }
        })
    }

    /// Applies a profile document to a merchant's overrides or to the run-time profile; nothing
    /// changes when any entry is refused.
    pub fn update_fidelity(&self, client_id: Option<&str>, document: &Value) -> Result<FidelityState, FidelityRefusal> {
        match self.known_client(client_id)? {
            Some(client) => {
                self.fidelity().update_client(client, document)?;
            }
            None => {
                self.fidelity().update_global(document)?;
            }
        }
        self.fidelity_view(client_id)
    }

    /// Back to the start-up profile: a merchant's overrides removed, or (without a client) the
    /// run-time profile reset and every merchant's overrides removed.
    pub fn reset_fidelity(&self, client_id: Option<&str>) -> Result<FidelityState, FidelityRefusal> {
        match self.known_client(client_id)? {
            Some(client) => self.fidelity().clear_client(client),
            None => self.fidelity().reset(),
        }
        self.fidelity_view(client_id)
    }

    fn known_client<'c>(&self, client_id: Option<&'c str>) -> Result<Option<&'c str>, FidelityRefusal> {
        match client_id.map(str::trim).filter(|c| !c.is_empty()) {
            Some(client) if self.merchant(client).is_none() => {
                Err(FidelityRefusal::UnknownClient(client.chars().take(100).collect()))
            }
            other => Ok(other),
        }
    }
}

/// The keys whose value in `now` differs from `startup`.
fn startup_difference(startup: &Overrides, now: &Overrides) -> Overrides {
    let mut changed = Overrides::default();
    let before = startup.entries();
    for (key, value) in now.entries() {
        if !before.contains(&(key, value)) {
            let _ = changed.set(key, Some(value));
        }
    }
    changed
}
