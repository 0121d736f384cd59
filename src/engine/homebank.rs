//! `GET /hb-cards?invoiceId=`: the cards a Homebank customer pays with in the Halyk ID flow,
//! for the customer's `x-homebank-auth` token (test users in `fixtures/homebank.json`).

use super::sdk::SdkError;
use super::Sandbox;
use crate::domain::homebank::HomebankCard;
use crate::domain::tokens::Token;
use crate::domain::validation::check_invoice_id;

impl Sandbox {
    /// The Homebank customer's cards for a payment of `invoice_id`; `homebank_token` is the
    /// value of `x-homebank-auth` without its `Bearer ` prefix.
    pub fn homebank_cards(
        &self,
        token: &Token,
        homebank_token: Option<&str>,
        invoice_id: &str,
    ) -> Result<Vec<HomebankCard>, SdkError> {
        check_invoice_id(invoice_id).map_err(|e| SdkError::Invalid(e.to_string()))?;
        if let Some(bound) = token.invoice_id.as_deref().filter(|bound| *bound != invoice_id) {
            return Err(SdkError::TokenMismatch(format!(
                "the token was issued for invoiceId {bound}, but the request has invoiceId {invoice_id}"
            )));
        }
        let homebank_token = homebank_token
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| SdkError::Unauthorized("x-homebank-auth: Bearer <Homebank token> is required".into()))?;
        let user = self
            .fixtures
            .homebank_user(homebank_token)
            .ok_or_else(|| SdkError::Unauthorized("the Homebank token is unknown".into()))?;
        Ok(user.cards.clone())
    }
}
