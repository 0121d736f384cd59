//! What the bank's iOS SDK asks before it pays: the terminal and its shop
//! (`GET /terminals/{id}`), the shop's branding (`POST /public-profile`) and its installment
//! conditions (`GET /credit-condition`). Shops come from `fixtures/shops.json`; a terminal no
//! shop lists is its own shop.

use super::{PaymentError, Sandbox};
use crate::domain::merchants::Terminal;
use crate::domain::shops::Shop;
use crate::domain::tokens::Token;
use crate::fidelity::RequestRefusal;

/// Why an iOS SDK request was refused. The HTTP layer maps each to the bank's error shape.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SdkError {
    /// A missing or malformed field.
    #[error("{0}")]
    Invalid(String),
    /// The token was issued for another invoice, amount, terminal or client.
    #[error("{0}")]
    TokenMismatch(String),
    /// Nothing with that id is visible to the token.
    #[error("{0}")]
    NotFound(String),
    /// The Homebank token (`x-homebank-auth`) is missing or unknown.
    #[error("{0}")]
    Unauthorized(String),
    /// Refused the way a payment is (a bad cryptogram, a cryptogram for another terminal).
    #[error("{message}")]
    Refused {
        /// Which kind (decides code and HTTP status).
        kind: RequestRefusal,
        /// What is wrong.
        message: String,
    },
}

impl From<PaymentError> for SdkError {
    fn from(error: PaymentError) -> Self {
        match error {
            PaymentError::Refused { kind, message } => SdkError::Refused { kind, message },
            PaymentError::NotApproved { message, .. } => SdkError::Invalid(message),
            PaymentError::Conflict(error) => SdkError::Invalid(error.to_string()),
        }
    }
}

/// A terminal with the shop it is sold under.
#[derive(Debug, Clone, PartialEq)]
pub struct TerminalInfo {
    /// The terminal.
    pub terminal: Terminal,
    /// Its shop.
    pub shop: Shop,
}

impl Sandbox {
    /// The shop terminal `terminal_id` is sold under (a fixture shop, or the terminal's own).
    pub fn shop_of_terminal(&self, terminal_id: &str) -> Option<Shop> {
        let (client_id, terminal) = self.store.merchants().terminal(terminal_id.trim())?;
        if let Some(shop) = self
            .fixtures
            .shops
            .iter()
            .find(|s| s.client_id == client_id && s.has_terminal(&terminal.id))
        {
            return Some(shop.clone());
        }
        let merchant = self.store.merchants().get(&client_id)?;
        Some(Shop::of_terminal(&merchant, &terminal))
    }

    /// The shop `shop_id` of the token's client.
    pub fn client_shop(&self, token: &Token, shop_id: &str) -> Result<Shop, SdkError> {
        let shop_id = shop_id.trim();
        let fixture = self
            .fixtures
            .shops
            .iter()
            .find(|s| s.client_id == token.client_id && s.id.eq_ignore_ascii_case(shop_id))
            .cloned();
        fixture
            .or_else(|| {
                self.shop_of_terminal(shop_id)
                    .filter(|s| s.id.eq_ignore_ascii_case(shop_id))
            })
            .filter(|s| s.client_id == token.client_id)
            .ok_or_else(|| SdkError::NotFound(format!("shop {shop_id} not found for client {}", token.client_id)))
    }

    /// `GET /terminals/{id}`: the token's client's terminal and its shop.
    pub fn terminal_info(&self, token: &Token, terminal_id: &str) -> Result<TerminalInfo, SdkError> {
        let not_found = || SdkError::NotFound(format!("terminal {} not found", terminal_id.trim()));
        let (owner, terminal) = self
            .store
            .merchants()
            .terminal(terminal_id.trim())
            .ok_or_else(not_found)?;
        if owner != token.client_id {
            return Err(not_found());
        }
        let shop = self.shop_of_terminal(&terminal.id).ok_or_else(not_found)?;
        Ok(TerminalInfo { terminal, shop })
    }

    /// `POST /public-profile`: the shop of the token's terminal, else the client's first shop.
    pub fn public_profile(&self, token: &Token) -> Result<Shop, SdkError> {
        if let Some(shop) = token.terminal.as_deref().and_then(|t| self.shop_of_terminal(t)) {
            return Ok(shop);
        }
        if let Some(shop) = self.fixtures.shops.iter().find(|s| s.client_id == token.client_id) {
            return Ok(shop.clone());
        }
        let merchant = self
            .store
            .merchants()
            .get(&token.client_id)
            .ok_or_else(|| SdkError::NotFound(format!("client {} not found", token.client_id)))?;
        let terminal = merchant
            .terminals
            .first()
            .ok_or_else(|| SdkError::NotFound(format!("client {} has no terminal", token.client_id)))?;
        Ok(Shop::of_terminal(&merchant, terminal))
    }

    /// The token's terminal as a payment is checked against it: the client's own.
    pub(super) fn token_terminal(&self, token: &Token) -> Result<Terminal, SdkError> {
        let id = token.terminal.as_deref().ok_or_else(|| {
            SdkError::Invalid("the token was issued without a terminal; request it with terminal=<terminal id>".into())
        })?;
        self.store
            .merchants()
            .terminal(id)
            .filter(|(owner, _)| *owner == token.client_id)
            .map(|(_, terminal)| terminal)
            .ok_or_else(|| {
                SdkError::TokenMismatch(format!("terminal {id} does not belong to client {}", token.client_id))
            })
    }
}
