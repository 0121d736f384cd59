//! The dashboard's fidelity section: every key with its value in force (marked when it differs
//! from the default), the alternatives, the confidence and the merchants that override it.

use super::dashboard::{DashboardSection, SectionRow};
use super::dashboard_i18n::DashboardTexts;
use crate::engine::Sandbox;
use crate::fidelity::KEYS;

/// One row per key of the sandbox-wide profile.
pub fn fidelity_section(sandbox: &Sandbox, t: &DashboardTexts) -> DashboardSection {
    let profile = sandbox.fidelity().global();
    let merchants = sandbox.fidelity().all_overrides();
    DashboardSection {
        title: t.fidelity.into(),
        columns: t.fidelity_columns.map(String::from).to_vec(),
        rows: KEYS
            .iter()
            .map(|key| {
                let value = profile.get(key.key).unwrap_or(key.default);
                let shown = if value == key.default {
                    value.to_string()
                } else {
                    format!("{value} (default {})", key.default)
                };
                let alternatives: Vec<&str> = key.values.iter().map(|v| v.value).filter(|v| *v != value).collect();
                let overrides: Vec<String> = merchants
                    .iter()
                    .filter_map(|(client, o)| {
                        o.entries()
                            .into_iter()
                            .find(|(k, _)| *k == key.key)
                            .map(|(_, v)| format!("{client}={v}"))
                    })
                    .collect();
                SectionRow {
                    action: None,
                    cells: vec![
                        key.key.to_string(),
                        shown,
                        alternatives.join(", "),
                        format!("{:?}", key.confidence).to_lowercase(),
                        overrides.join(", "),
                    ],
                }
            })
            .collect(),
    }
}
