//! Query and creation requests for transactions on the control plane.

use crate::domain::scenario::ForcedOutcome;
use crate::domain::status::Status;
use crate::domain::transaction::Transaction;
use serde::Deserialize;
use serde_json::Value;

/// Filters of `GET /_sandbox/transactions`; every one that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionFilter {
    /// Owning client.
    pub client_id: Option<String>,
    /// Terminal UUID (case-insensitive).
    pub terminal: Option<String>,
    /// Merchant order number.
    pub invoice_id: Option<String>,
    /// Status name (`AUTH`, `CHARGE`, …).
    pub status: Option<String>,
    /// Merchant customer id.
    pub account_id: Option<String>,
    /// Most results (default 100, at most 1000).
    pub limit: Option<usize>,
}

/// Default page size of transaction listings.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page size of transaction listings.
pub const MAX_LIMIT: usize = 1000;

impl TransactionFilter {
    /// The status filter, parsed; `Err` names the bad value.
    pub fn status(&self) -> Result<Option<Status>, String> {
        match self.status.as_deref() {
            None | Some("") => Ok(None),
            Some(name) => Status::parse(name).map(Some).ok_or_else(|| name.to_string()),
        }
    }

    /// Whether `tx` passes every filter (with the status already parsed).
    pub fn matches(&self, tx: &Transaction, status: Option<Status>) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w.is_empty() || w == have);
        eq(&self.client_id, tx.client_id())
            && eq(&self.invoice_id, tx.order().invoice_id)
            && eq(&self.account_id, tx.order().account_id)
            && self
                .terminal
                .as_deref()
                .is_none_or(|t| t.is_empty() || t.eq_ignore_ascii_case(tx.terminal_id()))
            && status.is_none_or(|s| s == tx.status())
    }

    /// The page size to use.
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT)
    }
}

/// `POST /_sandbox/transactions`: a payment opened and decided without a card flow, for
/// dashboards, demos and tests of the merchant's back office.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTransaction {
    /// Terminal UUID (decides the client and one-/two-step).
    pub terminal: String,
    /// Merchant order number.
    pub invoice_id: String,
    /// Amount, a number or numeric string.
    pub amount: Value,
    /// Currency (default KZT).
    #[serde(default)]
    pub currency: Option<String>,
    /// Merchant customer id.
    #[serde(default)]
    pub account_id: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Payer e-mail.
    #[serde(default)]
    pub email: String,
    /// Card number (default the documented test card 4405639704015096).
    #[serde(default)]
    pub pan: Option<String>,
    /// Outcome to play; when absent the scenario rules decide, and without a matching rule
    /// the payment is approved.
    #[serde(default)]
    pub outcome: Option<ForcedOutcome>,
}

/// The default card of control-created payments.
pub const DEFAULT_PAN: &str = "4405639704015096";
