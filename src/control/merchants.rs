//! Merchants created at run time (`POST /_sandbox/merchants`), so parallel CI jobs each get
//! their own client and terminals. Omitted fields get defaults.

use crate::domain::merchants::{CabinetUser, Merchant, Terminal, TerminalKind, TerminalMode, TransferSettings};
use crate::ids::IdGenerator;
use serde::Deserialize;

/// A merchant to create.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMerchant {
    /// OAuth client id (default `ci-<10 hex>`).
    #[serde(default)]
    pub client_id: Option<String>,
    /// OAuth client secret (default: 36 random characters).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Display name (default: the client id).
    #[serde(default)]
    pub name: Option<String>,
    /// Cabinet logins for the password grant.
    #[serde(default)]
    pub cabinet_users: Vec<CabinetUser>,
    /// Terminals (default: one two-step payment terminal).
    #[serde(default)]
    pub terminals: Option<Vec<NewTerminal>>,
}

/// A terminal to create.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewTerminal {
    /// Terminal UUID (default: generated).
    #[serde(default)]
    pub id: Option<String>,
    /// Processing number (default: `98` and six digits).
    #[serde(default)]
    pub processing_id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// `one-step` or `two-step` (default two-step for payments, one-step for p2p).
    #[serde(default)]
    pub mode: Option<TerminalMode>,
    /// `payment` (default) or `p2p`.
    #[serde(default)]
    pub kind: Option<TerminalKind>,
    /// Currencies (default KZT and USD; KZT for p2p).
    #[serde(default)]
    pub currencies: Option<Vec<String>>,
    /// Transfer fees and limits (p2p default: 0.95 %, min 95, 5 000 000 / 1 000 000 a day).
    #[serde(default)]
    pub p2p: Option<TransferSettings>,
}

/// Why a merchant cannot be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerchantError {
    /// No merchant has this client id.
    #[error("clientId {0} is not known")]
    NotFound(String),
    /// A merchant of the fixtures: it cannot be deleted (a partial reset clears its data).
    #[error(
        "clientId {0} comes from the fixtures and cannot be deleted (reset it with POST /_sandbox/reset?clientId=…)"
    )]
    FromFixtures(String),
    /// The client id exists.
    #[error("clientId {0} already exists")]
    ClientExists(String),
    /// A terminal id exists (here or at another merchant).
    #[error("terminal {0} already exists")]
    TerminalExists(String),
    /// An empty field.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// No terminals.
    #[error("terminals must not be an empty list")]
    NoTerminals,
}

const SECRET_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

impl NewMerchant {
    /// The merchant with every default filled in (existence is checked by the engine).
    pub fn build(self, ids: &IdGenerator) -> Result<Merchant, MerchantError> {
        let client_id = match self.client_id {
            Some(id) if id.trim().is_empty() => return Err(MerchantError::Empty("clientId")),
            Some(id) => id.trim().to_string(),
            None => format!("ci-{}", &hex::encode(ids.bytes::<5>())),
        };
        let client_secret = match self.client_secret {
            Some(s) if s.is_empty() => return Err(MerchantError::Empty("clientSecret")),
            Some(s) => s,
            None => ids
                .bytes::<36>()
                .iter()
                .map(|b| SECRET_ALPHABET[usize::from(*b) % SECRET_ALPHABET.len()] as char)
                .collect(),
        };
        let specs = self.terminals.unwrap_or_else(|| vec![NewTerminal::default()]);
        if specs.is_empty() {
            return Err(MerchantError::NoTerminals);
        }
        let mut terminals = Vec::with_capacity(specs.len());
        for (i, spec) in specs.into_iter().enumerate() {
            let kind = spec.kind.unwrap_or(TerminalKind::Payment);
            let p2p = kind == TerminalKind::P2p;
            let id = match spec.id {
                Some(id) if id.trim().is_empty() => return Err(MerchantError::Empty("terminals[].id")),
                Some(id) => id.trim().to_string(),
                None => ids.uuid().to_string(),
            };
            terminals.push(Terminal {
                processing_id: spec
                    .processing_id
                    .unwrap_or_else(|| format!("98{:06}", u32::from_le_bytes(ids.bytes::<4>()) % 1_000_000)),
                name: spec.name.unwrap_or_else(|| format!("{client_id} terminal {}", i + 1)),
                mode: spec.mode.unwrap_or(if p2p {
                    TerminalMode::OneStep
                } else {
                    TerminalMode::TwoStep
                }),
                kind,
                currencies: spec.currencies.unwrap_or_else(|| {
                    if p2p {
                        vec!["KZT".into()]
                    } else {
                        vec!["KZT".into(), "USD".into()]
                    }
                }),
                p2p: spec.p2p.or(p2p.then_some(TransferSettings {
                    fee_percent: 0.95,
                    fee_min: 95,
                    daily_limit: 5_000_000,
                    receiver_daily_limit: 1_000_000,
                })),
                id,
            });
        }
        Ok(Merchant {
            name: self.name.unwrap_or_else(|| client_id.clone()),
            client_id,
            client_secret,
            cabinet_users: self.cabinet_users,
            terminals,
        })
    }
}
