//! The card-payment receipt of `POST /payment/cryptopay` and `POST /payments/cards/auth`
//! (seed 002; seed 003 with 3-D Secure). (P-01)

use crate::domain::money::Amount;
use crate::domain::transaction::Transaction;
use crate::engine::Secure3dChallenge;
use crate::fidelity::{AccountIdKeys, Profile, Secure3dField};
use serde::Serialize;
use utoipa::ToSchema;

/// The success body shared by both endpoints and both branches. The profile decides
/// `secure3D: null` vs absent (`payment.secure3d`), which of `accountId`/`accountID` appear
/// (`payment.account_id`) and `language` (`answer.language`).
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentReceipt<'a> {
    id: String,
    #[serde(rename = "accountId", skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
    amount: Amount,
    #[serde(rename = "amountBonus")]
    amount_bonus: Amount,
    currency: &'a str,
    description: &'a str,
    email: &'a str,
    #[serde(rename = "invoiceID")]
    invoice_id: &'a str,
    #[serde(rename = "invoiceIdAlt")]
    invoice_id_alt: &'a str,
    language: String,
    phone: &'a str,
    reference: &'a str,
    #[serde(rename = "intReference")]
    int_reference: &'a str,
    #[serde(rename = "secure3D", skip_serializing_if = "Option::is_none")]
    secure3d: Option<Option<&'a Secure3dChallenge>>,
    #[serde(rename = "cardID")]
    card_id: &'a str,
    fee: u8,
    #[serde(rename = "accountID", skip_serializing_if = "Option::is_none")]
    account_id_upper: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
}

impl<'a> PaymentReceipt<'a> {
    /// An approved payment: `secure3D` null, the saved card id, then `accountID`, `code` 0 and
    /// the status.
    pub fn approved(tx: &'a Transaction, profile: &Profile) -> Self {
        let account_id = tx.order().account_id;
        let (camel, upper) = match profile.payment_account_id {
            AccountIdKeys::Both => (Some(account_id), Some(account_id)),
            AccountIdKeys::AccountIdCamel => (Some(account_id), None),
            AccountIdKeys::AccountIdUpper => (None, Some(account_id)),
        };
        PaymentReceipt {
            card_id: tx.card().card_id,
            account_id: camel,
            account_id_upper: upper,
            secure3d: match profile.payment_secure3d {
                Secure3dField::Null => Some(None),
                Secure3dField::Absent => None,
            },
            code: Some(0),
            status: Some(tx.status().as_str()),
            ..Self::base(tx, profile)
        }
    }

    /// A payment waiting for 3-D Secure: empty references and card id, the challenge; the
    /// customer id as `accountId`, or `accountID` when the profile shows only that spelling.
    pub fn challenge(tx: &'a Transaction, challenge: &'a Secure3dChallenge, profile: &Profile) -> Self {
        let base = Self::base(tx, profile);
        let upper_only = profile.payment_account_id == AccountIdKeys::AccountIdUpper;
        PaymentReceipt {
            reference: "",
            int_reference: "",
            secure3d: Some(Some(challenge)),
            account_id: base.account_id.filter(|_| !upper_only),
            account_id_upper: base.account_id.filter(|_| upper_only),
            ..base
        }
    }

    fn base(tx: &'a Transaction, profile: &Profile) -> Self {
        let order = tx.order();
        PaymentReceipt {
            id: tx.id().to_string(),
            account_id: Some(order.account_id),
            amount: tx.org_amount(),
            amount_bonus: tx.amount_bonus(),
            currency: order.currency,
            description: order.description,
            email: order.email,
            invoice_id: order.invoice_id,
            invoice_id_alt: order.invoice_id_alt,
            language: profile.answer_language.render(order.language),
            phone: order.phone,
            reference: tx.reference(),
            int_reference: tx.int_reference(),
            secure3d: None,
            card_id: "",
            fee: 0,
            account_id_upper: None,
            code: None,
            status: None,
        }
    }
}

/// The 200 body of `POST /payments/cards/auth` in the OpenAPI document: a payment receipt, or a
/// transfer receipt for an `{order, card}` body.
pub type CardsAuthAnswer = super::AnyOf<PaymentReceipt<'static>, super::transfer::TransferReceipt<'static>>;
