//! Which profile is in force: the start-up profile (defaults, then `--fidelity-profile`, then
//! `--fidelity`), run-time changes (`PUT /_sandbox/fidelity`) and per-merchant overrides
//! (`?clientId=`). Resolution for a request: merchant override > run-time profile > start-up
//! profile. Both locks are leaves: nothing else is locked while one is held.

use super::keys::{key_info, Overrides, Profile, KEYS};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::RwLock;

/// Why a profile setting was refused; the message lists what is valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FidelityError {
    /// Not a key of the table.
    #[error("unknown fidelity key '{key}'; valid keys: {valid}")]
    UnknownKey {
        /// What was given.
        key: String,
        /// Every key, comma-separated.
        valid: String,
    },
    /// Not a value of that key.
    #[error("'{value}' is not a value of fidelity key {key}; valid values: {valid}")]
    UnknownValue {
        /// The key.
        key: String,
        /// What was given.
        value: String,
        /// Its values, comma-separated.
        valid: String,
    },
    /// Not `KEY=VALUE`, not a JSON object, not a string value.
    #[error("{0}")]
    Malformed(String),
}

impl FidelityError {
    /// `key` is not in the table.
    pub fn unknown_key(key: &str) -> Self {
        FidelityError::UnknownKey {
            key: key.chars().take(100).collect(),
            valid: KEYS.iter().map(|k| k.key).collect::<Vec<_>>().join(", "),
        }
    }

    /// `value` is not one of `key`'s values.
    pub fn unknown_value(key: &str, value: &str) -> Self {
        FidelityError::UnknownValue {
            key: key.to_string(),
            value: value.chars().take(100).collect(),
            valid: key_info(key).map(|k| k.allowed()).unwrap_or_default(),
        }
    }
}

impl Overrides {
    /// Reads `KEY=VALUE` assignments (`--fidelity`, `EPAY_SANDBOX_FIDELITY`); later ones win.
    pub fn from_assignments<'a>(assignments: impl IntoIterator<Item = &'a str>) -> Result<Self, FidelityError> {
        let mut overrides = Overrides::default();
        for assignment in assignments {
            let (key, value) = parse_assignment(assignment)?;
            overrides.set(key, Some(value))?;
        }
        Ok(overrides)
    }

    /// Reads a profile document: a JSON object of key → value (`--fidelity-profile`, the
    /// probe's output, the body of `PUT /_sandbox/fidelity`). A value may be a string, a number
    /// (`200`) or `null` (clears the key).
    pub fn from_json(document: &Value) -> Result<Self, FidelityError> {
        let mut overrides = Overrides::default();
        overrides.update_from_json(document)?;
        Ok(overrides)
    }

    /// Applies a profile document to these overrides (see [`Overrides::from_json`]); nothing
    /// changes when any entry is refused.
    pub fn update_from_json(&mut self, document: &Value) -> Result<(), FidelityError> {
        let object = document.as_object().ok_or_else(|| {
            FidelityError::Malformed(
                "a fidelity profile is a JSON object of key → value, e.g. {\"token.expires_in\": \"number\"}".into(),
            )
        })?;
        let mut updated = *self;
        for (key, value) in object {
            let text = match value {
                Value::Null => None,
                Value::String(text) => Some(text.clone()),
                Value::Number(number) => Some(number.to_string()),
                Value::Bool(flag) => Some(flag.to_string()),
                _ => {
                    return Err(FidelityError::Malformed(format!(
                        "the value of {key} must be a string or null"
                    )))
                }
            };
            updated.set(key, text.as_deref())?;
        }
        *self = updated;
        Ok(())
    }

    /// The overrides as a profile document (key → value).
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.entries()
                .into_iter()
                .map(|(key, value)| (key.to_string(), Value::from(value)))
                .collect(),
        )
    }
}

impl Profile {
    /// The profile as a document with every key (what the probe writes).
    pub fn to_json(&self) -> Value {
        self.as_overrides().to_json()
    }
}

/// Splits `KEY=VALUE`.
pub fn parse_assignment(text: &str) -> Result<(&str, &str), FidelityError> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.trim(), value.trim())),
        _ => Err(FidelityError::Malformed(format!(
            "'{}' is not KEY=VALUE (e.g. token.expires_in=number; keys: GET /_sandbox/fidelity)",
            text.chars().take(100).collect::<String>()
        ))),
    }
}

/// The profiles of one sandbox.
#[derive(Debug)]
pub struct Profiles {
    startup: Profile,
    runtime: RwLock<Profile>,
    merchants: RwLock<HashMap<String, Overrides>>,
}

impl Profiles {
    /// Starts from `startup`, with no run-time changes and no merchant overrides.
    pub fn new(startup: Profile) -> Self {
        Profiles {
            startup,
            runtime: RwLock::new(startup),
            merchants: RwLock::new(HashMap::new()),
        }
    }

    /// The profile the sandbox started with (and a reset returns to).
    pub fn startup(&self) -> Profile {
        self.startup
    }

    /// The run-time profile, for requests that belong to no merchant (and under every merchant's
    /// overrides).
    pub fn global(&self) -> Profile {
        *self.runtime.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The effective profile of a merchant: its overrides over the run-time profile.
    pub fn for_client(&self, client_id: &str) -> Profile {
        let global = self.global();
        let merchants = self.merchants.read().unwrap_or_else(|p| p.into_inner());
        match merchants.get(client_id) {
            Some(overrides) => global.with(overrides),
            None => global,
        }
    }

    /// A merchant's own overrides (empty when it has none).
    pub fn overrides_of(&self, client_id: &str) -> Overrides {
        let merchants = self.merchants.read().unwrap_or_else(|p| p.into_inner());
        merchants.get(client_id).copied().unwrap_or_default()
    }

    /// Every merchant's overrides, by client id (sorted, for stable listings).
    pub fn all_overrides(&self) -> Vec<(String, Overrides)> {
        let merchants = self.merchants.read().unwrap_or_else(|p| p.into_inner());
        let mut all: Vec<_> = merchants.iter().map(|(id, o)| (id.clone(), *o)).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// Changes the run-time profile with a document; `null` returns a key to its start-up value.
    pub fn update_global(&self, document: &Value) -> Result<Profile, FidelityError> {
        let mut runtime = self.runtime.write().unwrap_or_else(|p| p.into_inner());
        let mut changes = Overrides::default();
        changes.update_from_json(document)?;
        let cleared = cleared_keys(document);
        let mut next = runtime.with(&changes);
        for key in cleared {
            if let Some(value) = self.startup.get(key) {
                let mut back = Overrides::default();
                back.set(key, Some(value))?;
                next = next.with(&back);
            }
        }
        *runtime = next;
        Ok(next)
    }

    /// Changes a merchant's overrides with a document; `null` removes an override.
    pub fn update_client(&self, client_id: &str, document: &Value) -> Result<Overrides, FidelityError> {
        let mut merchants = self.merchants.write().unwrap_or_else(|p| p.into_inner());
        let mut overrides = merchants.get(client_id).copied().unwrap_or_default();
        overrides.update_from_json(document)?;
        if overrides == Overrides::default() {
            merchants.remove(client_id);
        } else {
            merchants.insert(client_id.to_string(), overrides);
        }
        Ok(overrides)
    }

    /// Replaces a merchant's overrides (a state file).
    pub fn set_client(&self, client_id: &str, overrides: Overrides) {
        let mut merchants = self.merchants.write().unwrap_or_else(|p| p.into_inner());
        if overrides == Overrides::default() {
            merchants.remove(client_id);
        } else {
            merchants.insert(client_id.to_string(), overrides);
        }
    }

    /// Forgets a merchant's overrides (its partial reset, its removal).
    pub fn clear_client(&self, client_id: &str) {
        self.merchants
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(client_id);
    }

    /// Back to the start-up profile, with no merchant overrides.
    pub fn reset(&self) {
        *self.runtime.write().unwrap_or_else(|p| p.into_inner()) = self.startup;
        self.merchants.write().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

impl Default for Profiles {
    fn default() -> Self {
        Profiles::new(Profile::default())
    }
}

/// The keys a document sets to `null`.
fn cleared_keys(document: &Value) -> Vec<&str> {
    document
        .as_object()
        .map(|o| o.iter().filter(|(_, v)| v.is_null()).map(|(k, _)| k.as_str()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::keys::{ExpiresIn, NotFoundHttp};
    use super::*;
    use serde_json::json;

    #[test]
    fn merchant_overrides_win_over_the_runtime_profile_which_wins_over_startup() {
        let startup = Profile {
            token_expires_in: ExpiresIn::Number,
            ..Profile::default()
        };
        let profiles = Profiles::new(startup);
        assert!(profiles.update_global(&json!({"status.not_found_http": 400})).is_ok());
        assert!(profiles
            .update_client("ci-1", &json!({"token.expires_in": "string"}))
            .is_ok());
        let merchant = profiles.for_client("ci-1");
        assert_eq!(merchant.token_expires_in, ExpiresIn::String);
        assert_eq!(merchant.status_not_found_http, NotFoundHttp::BadRequest);
        assert_eq!(profiles.for_client("other").token_expires_in, ExpiresIn::Number);
        assert!(profiles.update_global(&json!({"status.not_found_http": null})).is_ok());
        assert_eq!(profiles.global().status_not_found_http, NotFoundHttp::Ok);
        profiles.reset();
        assert_eq!(profiles.for_client("ci-1"), startup);
    }

    #[test]
    fn a_refused_document_changes_nothing_and_names_the_valid_choices() {
        let profiles = Profiles::default();
        let error = profiles
            .update_global(&json!({"status.not_found_http": "400", "token.expires_in": "float"}))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("valid values: string, number"), "{error}");
        assert_eq!(profiles.global(), Profile::default());
        let error = Overrides::from_assignments(["bogus=1"]).err().map(|e| e.to_string());
        assert!(error.is_some_and(|e| e.contains("unknown fidelity key 'bogus'") && e.contains("token.expires_in")));
        assert!(Overrides::from_assignments(["token.expires_in"]).is_err());
    }
}
