//! Payments no cardholder types a card into: the charges of a recurrent subscription and the
//! payment a payer confirms in the bank's app for a QR bill. Both run the ordinary outcome
//! rules (scenario rules, magic amounts, the test card's behaviour) without 3-D Secure (the
//! payer is not at a card form: a challenge is taken as passed), open an ordinary payment
//! transaction and play the outcome out, so callbacks, holds and check-status all apply.

use super::{PaymentAccepted, PaymentError, Sandbox};
use crate::domain::cards::TestCard;
use crate::domain::issuer;
use crate::domain::money::Amount;
use crate::domain::outcome::{AttemptContext, Outcome};
use crate::domain::transaction::{CardSnapshot, Links, NewTransaction, OrderDetails, TransactionKind};
use crate::fidelity::RequestRefusal;

/// One charge to make.
#[derive(Debug, Clone)]
pub(super) struct MerchantCharge {
    /// Owning client.
    pub client_id: String,
    /// Terminal UUID (a payment terminal of the client).
    pub terminal_id: String,
    /// The order (its `invoice_id` must be free on the terminal).
    pub order: OrderDetails,
    /// Amount.
    pub amount: Amount,
    /// The card as the transaction shows it.
    pub card: CardSnapshot,
    /// The full PAN when known (a test card's behaviour then applies); never logged.
    pub pan: Option<String>,
    /// Callbacks.
    pub links: Links,
    /// An outcome decided by the caller (a QR bill the payer rejected), instead of the rules.
    pub decided: Option<Outcome>,
}

impl Sandbox {
    /// Opens the charge's transaction and decides it. `Err(Refused)` when nothing was opened
    /// (unknown terminal, invoiceId already used).
    pub(super) fn merchant_charge(&self, charge: MerchantCharge) -> Result<PaymentAccepted, PaymentError> {
        let refused = |kind, message: String| PaymentError::Refused { kind, message };
        let (_, terminal) = self
            .store
            .merchants()
            .terminal(&charge.terminal_id)
            .filter(|(owner, _)| *owner == charge.client_id)
            .ok_or_else(|| {
                refused(
                    RequestRefusal::Invalid,
                    format!("terminal {} is no longer there", charge.terminal_id),
                )
            })?;
        let known = charge.pan.as_deref().and_then(|pan| self.fixtures.card(pan));
        let outcome = self.charge_outcome(&charge, known);
        let tx = self
            .open_transaction(NewTransaction {
                kind: TransactionKind::Payment,
                client_id: charge.client_id,
                terminal_id: terminal.id.clone(),
                terminal_number: terminal.processing_id.clone(),
                order: charge.order,
                amount: charge.amount,
                card: charge.card,
                links: charge.links,
                ip: String::new(),
                transfer: None,
            })
            .map_err(|e| refused(RequestRefusal::DuplicateInvoice, e.to_string()))?;
        tracing::info!(id = %tx.id(), invoice = %tx.order().invoice_id, card = %tx.card().mask, ?outcome, "merchant-initiated charge");
        self.play_outcome(tx.id(), outcome, None)
    }

    fn charge_outcome(&self, charge: &MerchantCharge, known: Option<&TestCard>) -> Outcome {
        if let Some(decided) = &charge.decided {
            return decided.clone();
        }
        let attempt = AttemptContext {
            client_id: charge.client_id.clone(),
            terminal_id: charge.terminal_id.clone(),
            invoice_id: charge.order.invoice_id.clone(),
            account_id: charge.order.account_id.clone(),
            pan: charge.pan.clone().unwrap_or_default(),
            card_id: charge.card.card_id.clone(),
            amount: charge.amount,
        };
        let forced = self.forced_outcome(&attempt);
        let catalogue = &self.fixtures.catalogue;
        let outcome = issuer::resolve(forced, charge.amount, catalogue, || {
            issuer::saved_card_outcome(known, catalogue)
        });
        match outcome {
            Outcome::Challenge { then } => *then,
            other => other,
        }
    }
}
