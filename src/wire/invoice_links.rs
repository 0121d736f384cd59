//! `POST /invoice` (spec §3.12): the request in the doc's snake_case and the sandbox's answer,
//! whose shape no source shows (I-01).

use crate::domain::invoice_links::{LinkDetails, LinkStatus};
use crate::domain::money::Amount;
use crate::engine::InvoiceLinkView;
use crate::fidelity;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of `POST /invoice`; every field is read leniently (string or number).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
#[schema(example = json!({
    "shop_id": "3f0b1c2a-5d4e-4f6a-9b8c-7d6e5f4a3b21", "invoice_id": "000123456", "amount": 100,
    "currency": "KZT", "description": "Order 000123456", "expire_period": "1d"
}))]
pub struct InvoiceLinkBody {
    /// Required: the merchant's shop (a UUID).
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub shop_id: String,
    /// The merchant's customer id.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub account_id: String,
    /// Required: the order number (6–15 digits).
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub invoice_id: String,
    /// Required: the amount (a number or a numeric string).
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub amount: String,
    /// `rus`, `kaz`, `eng`.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub language: String,
    /// What is paid for.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub description: String,
    /// How long the link is payable (`1d` by default).
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub expire_period: String,
    /// Payer e-mail.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub recipient_contact: String,
    /// Payer phone.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub recipient_contact_sms: String,
    /// Merchant phone told of the payment.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub notifier_contact_sms: String,
    /// ISO currency (KZT by default).
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub currency: String,
    /// Success callback.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub post_link: String,
    /// Failure callback.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub failure_post_link: String,
    /// Browser redirect after success.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub back_link: String,
    /// Browser redirect after failure.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub failure_back_link: String,
}

/// A link as `POST /invoice` and the control plane answer it: the request's fields echoed in
/// snake_case, plus its id, URL, status and payment. (I-01)
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceLinkAnswer<'a> {
    /// The link's id.
    pub id: String,
    /// Where the payer pays it.
    pub invoice_url: String,
    /// `NEW`, `PAID`, `CANCELLED`, `EXPIRED`.
    pub status: LinkStatus,
    /// `shop_id` as sent.
    pub shop_id: &'a str,
    /// Terminal the payment is made on.
    pub terminal_id: &'a str,
    /// Amount.
    pub amount: Amount,
    /// Currency.
    pub currency: &'a str,
    /// `expire_period` as sent (or the default).
    pub expire_period: &'a str,
    /// Creation time (bank time).
    pub created_date: String,
    /// Expiry time (bank time).
    pub expire_date: String,
    /// The order, payer and callback fields as sent.
    #[serde(flatten)]
    pub details: &'a LinkDetails,
    /// The payment's id, once one was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// The payment's status, once one was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_status: Option<String>,
}

impl<'a> InvoiceLinkAnswer<'a> {
    /// The answer for `view`, its URL under `base` (the sandbox's public URL).
    pub fn of(view: &'a InvoiceLinkView, base: &str) -> Self {
        let link = &view.link;
        InvoiceLinkAnswer {
            id: link.id.to_string(),
            invoice_url: link_url(base, &link.id.to_string()),
            status: view.status,
            shop_id: &link.shop_id,
            terminal_id: &link.terminal_id,
            amount: link.amount,
            currency: &link.currency,
            expire_period: &link.expire_period,
            created_date: fidelity::bank_timestamp(link.created_at),
            expire_date: fidelity::bank_timestamp(link.expires_at),
            details: &link.details,
            transaction_id: view.transaction.as_ref().map(|tx| tx.id().to_string()),
            transaction_status: view.transaction.as_ref().map(|tx| tx.status().to_string()),
        }
    }
}

/// The payer's URL of a link: `{base}/invoice-link/{id}`.
pub fn link_url(base: &str, id: &str) -> String {
    format!("{base}/invoice-link/{id}")
}
