//! The answer of `GET`/`PUT`/`DELETE /_sandbox/fidelity`: every key of the profile in force,
//! with its alternatives, evidence and confidence, and the merchants' overrides.

use crate::engine::FidelityState;
use crate::fidelity::{Confidence, KeyInfo, Profile, ValueInfo, KEYS};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The profile of the sandbox (no `clientId`) or of one merchant.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FidelityView {
    /// The merchant asked about, if any.
    pub client_id: Option<String>,
    /// Key → value in force (a document `--fidelity-profile` and `PUT` accept).
    #[schema(value_type = Object)]
    pub profile: Value,
    /// Key → value the merchant overrides (with `clientId`) or the run-time profile changed
    /// from the start-up profile (without).
    #[schema(value_type = Object)]
    pub overrides: Value,
    /// Every merchant's overrides, by client id (without `clientId` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub merchants: Option<BTreeMap<String, Value>>,
    /// Every key, in the table's order.
    pub keys: Vec<KeyView>,
}

/// One key with its value in force.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    /// The key.
    pub key: &'static str,
    /// Its value in force.
    pub value: &'static str,
    /// The table's default.
    pub default: &'static str,
    /// The value the sandbox started with.
    pub startup: &'static str,
    /// The other values.
    pub alternatives: Vec<&'static str>,
    /// The open question.
    pub question: &'static str,
    /// Evidence per value.
    #[schema(value_type = Vec<Object>)]
    pub values: &'static [ValueInfo],
    /// Confidence in the default.
    #[schema(value_type = String)]
    pub confidence: Confidence,
    /// Its entry in docs/fidelity.md.
    pub docs: &'static str,
}

impl FidelityView {
    /// The view of a profile state.
    pub fn of(state: &FidelityState) -> Self {
        FidelityView {
            client_id: state.client_id.clone(),
            profile: state.effective.to_json(),
            overrides: state.overrides.to_json(),
            merchants: state
                .merchants
                .as_ref()
                .map(|all| all.iter().map(|(id, o)| (id.clone(), o.to_json())).collect()),
            keys: KEYS
                .iter()
                .map(|info| KeyView::of(info, &state.effective, &state.startup))
                .collect(),
        }
    }
}

impl KeyView {
    fn of(info: &'static KeyInfo, effective: &Profile, startup: &Profile) -> Self {
        let value = effective.get(info.key).unwrap_or(info.default);
        KeyView {
            key: info.key,
            value,
            default: info.default,
            startup: startup.get(info.key).unwrap_or(info.default),
            alternatives: info.values.iter().map(|v| v.value).filter(|v| *v != value).collect(),
            question: info.question,
            values: info.values,
            confidence: info.confidence,
            docs: info.docs,
        }
    }
}
