//! Merchants (OAuth clients), their terminals and cabinet users.

use serde::{Deserialize, Serialize};

/// Whether a terminal captures at once or holds funds first (spec §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TerminalMode {
    /// SMS: a successful payment ends in CHARGE.
    OneStep,
    /// DMS: a successful payment ends in AUTH, awaiting charge or cancel.
    TwoStep,
}

/// What a terminal is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TerminalKind {
    /// Card payments.
    Payment,
    /// P2P / AFT / OCT transfers.
    P2p,
}

/// Fees and limits of a transfer terminal.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferSettings {
    /// Fee in percent of the amount.
    pub fee_percent: f64,
    /// Minimum fee, in currency units.
    pub fee_min: i64,
    /// Total the terminal may transfer per day, in currency units.
    pub daily_limit: i64,
    /// Total one receiver card may get per day, in currency units.
    pub receiver_daily_limit: i64,
}

/// A terminal (sale point).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Terminal {
    /// UUID the merchant uses (`terminal`, `terminalId`).
    pub id: String,
    /// Processing-side number shown as `"terminal": "98120001"`.
    pub processing_id: String,
    /// Display name (ACS and payment pages).
    pub name: String,
    /// One- or two-step.
    pub mode: TerminalMode,
    /// Payments or transfers.
    pub kind: TerminalKind,
    /// Currencies the terminal accepts.
    pub currencies: Vec<String>,
    /// Transfer fees and limits (P2P terminals).
    #[serde(default)]
    pub p2p: Option<TransferSettings>,
}

impl Terminal {
    /// Whether the terminal accepts `currency`.
    pub fn accepts_currency(&self, currency: &str) -> bool {
        self.currencies.iter().any(|c| c.eq_ignore_ascii_case(currency))
    }
}

/// A merchant cabinet login (password grant).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct CabinetUser {
    /// Login e-mail.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A merchant: one OAuth client with its terminals.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Merchant {
    /// OAuth `client_id`.
    pub client_id: String,
    /// OAuth `client_secret`.
    pub client_secret: String,
    /// Display name.
    pub name: String,
    /// Cabinet logins.
    #[serde(default)]
    pub cabinet_users: Vec<CabinetUser>,
    /// Terminals.
    pub terminals: Vec<Terminal>,
}

impl Merchant {
    /// The merchant's terminal with this UUID (case-insensitive).
    pub fn terminal(&self, id: &str) -> Option<&Terminal> {
        self.terminals.iter().find(|t| t.id.eq_ignore_ascii_case(id.trim()))
    }
}
