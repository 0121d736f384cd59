//! OAuth access tokens and what they are bound to.

use super::merchants::Merchant;
use super::money::Amount;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How a token was obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// Merchant server credentials (payments, status, operations).
    ClientCredentials,
    /// A cabinet user (operation searches).
    Password {
        /// The user's login.
        username: String,
    },
}

/// An issued access token and everything it is bound to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    /// The bearer string.
    pub access_token: String,
    /// Refresh token (password grant only).
    pub refresh_token: String,
    /// Grant used.
    pub grant: Grant,
    /// Owning client.
    pub client_id: String,
    /// Scope as requested (raw, whitespace and all).
    pub scope: String,
    /// Terminal UUID, when requested with one.
    pub terminal: Option<String>,
    /// Order the token was issued for.
    pub invoice_id: Option<String>,
    /// Amount the token was issued for.
    pub amount: Option<Amount>,
    /// Currency the token was issued for.
    pub currency: Option<String>,
    /// Success callback from the token request.
    pub post_link: String,
    /// Failure callback from the token request.
    pub failure_post_link: String,
    /// Merchant secret echoed in callbacks.
    pub secret_hash: String,
    /// Issue time.
    pub issued_at: DateTime<Utc>,
    /// Expiry time.
    pub expires_at: DateTime<Utc>,
}

impl Token {
    /// Whether the token is still valid at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at
    }

    /// The first of invoiceID, amount and currency this token was issued for that the operation
    /// differs in; a token issued without one of them does not bind it. (P-07)
    pub fn binding_mismatch(&self, invoice_id: &str, amount: Amount, currency: &str) -> Option<BindingMismatch> {
        let mismatch = |field, bound: String, sent: String| Some(BindingMismatch { field, bound, sent });
        if let Some(bound) = self.invoice_id.as_deref().filter(|b| *b != invoice_id) {
            return mismatch("invoiceID", bound.to_string(), invoice_id.to_string());
        }
        if let Some(bound) = self.amount.filter(|b| *b != amount) {
            return mismatch("amount", bound.to_string(), amount.to_string());
        }
        if let Some(bound) = self.currency.as_deref().filter(|b| !b.eq_ignore_ascii_case(currency)) {
            return mismatch("currency", bound.to_string(), currency.to_string());
        }
        None
    }

    /// Whether any scope word matches `wanted` (scopes are loose at the bank: spec §11.7).
    pub fn has_scope(&self, wanted: &str) -> bool {
        self.scope.split_whitespace().any(|s| s.eq_ignore_ascii_case(wanted))
    }
}

/// A field of an operation that differs from what its token was issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingMismatch {
    /// The field as the token form names it (`invoiceID`, `amount`, `currency`).
    pub field: &'static str,
    /// The token's value.
    pub bound: String,
    /// The operation's value.
    pub sent: String,
}

impl BindingMismatch {
    /// A sentence for the error message: `operation` is "payment" or "transfer".
    pub fn explain(&self, operation: &str) -> String {
        let BindingMismatch { field, bound, sent } = self;
        format!(
            "the token was issued for {field} {bound}, but the {operation} has {field} {sent}; get a new token for this {operation}"
        )
    }
}

/// Why a token request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Unknown client or wrong secret.
    #[error("client authentication failed: unknown client_id or wrong client_secret")]
    InvalidClient,
    /// Wrong username or password.
    #[error("invalid username or password")]
    InvalidUser,
    /// Unknown or expired refresh token.
    #[error("refresh_token is unknown or expired")]
    InvalidRefreshToken,
    /// `grant_type` is missing or not supported.
    #[error("grant_type '{0}' is not supported (use client_credentials, password or refresh_token)")]
    UnsupportedGrant(String),
    /// A required field is missing.
    #[error("field '{0}' is required")]
    MissingField(&'static str),
    /// A field has a value that cannot be used.
    #[error("field '{field}' is invalid: {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The terminal exists but belongs to another client, or does not exist.
    #[error("terminal '{0}' does not belong to this client")]
    ForeignTerminal(String),
}

/// Form fields by name, as a request sent them: hashed with foldhash (seeded per process), not
/// SipHash, which was a tenth of the token endpoint's CPU; a map lives for one request.
pub type FieldMap = std::collections::HashMap<String, String, foldhash::fast::RandomState>;

/// The fields of a token request, already decoded from the form.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    fields: FieldMap,
}

impl TokenRequest {
    /// Wraps decoded form fields.
    pub fn new(fields: FieldMap) -> Self {
        Self { fields }
    }

    /// A field by any of its spellings (`invoiceID`, `invoiceId`), trimmed; empty counts as absent.
    pub fn get(&self, names: &[&str]) -> Option<&str> {
        names
            .iter()
            .filter_map(|n| self.fields.get(*n))
            .map(|v| v.trim())
            .find(|v| !v.is_empty())
    }

    /// A field's raw value (scope keeps its odd whitespace), or "".
    pub fn raw(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    /// A required field.
    pub fn require(&self, name: &'static str) -> Result<&str, TokenError> {
        self.get(&[name]).ok_or(TokenError::MissingField(name))
    }
}

/// Checks the secret of the merchant found by client id and returns the merchant.
pub fn authenticate_client<'m>(merchant: Option<&'m Merchant>, secret: &str) -> Result<&'m Merchant, TokenError> {
    merchant
        .filter(|m| m.client_secret == secret)
        .ok_or(TokenError::InvalidClient)
}
