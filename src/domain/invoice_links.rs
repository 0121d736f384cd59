//! Invoice links (`POST /invoice`, spec §3.12): a payment request the bank e-mails or texts to
//! the payer, who pays it on the hosted payment page. The payment itself is an ordinary
//! transaction with the link's invoiceId on its terminal, so the link's status is derived from
//! that transaction and from what happened to the link (cancelled, expired).

use super::money::Amount;
use super::status::Status;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest `expire_period` accepted, so a link's expiry is always a representable instant.
pub const MAX_EXPIRE_DAYS: i64 = 366;

/// What happened to a link apart from its payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Open for payment until it expires.
    Active,
    /// Cancelled by the merchant (control plane or dashboard).
    Cancelled,
    /// Its `expire_period` ran out unpaid.
    Expired,
}

/// The status a link shows: `NEW` (payable), `PAID`, `CANCELLED` or `EXPIRED`. (I-02)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LinkStatus {
    /// Not paid yet, payable.
    New,
    /// The payer paid it (the transaction was approved at some point).
    Paid,
    /// Cancelled before it was paid.
    Cancelled,
    /// Expired before it was paid.
    Expired,
}

/// What the merchant sent about the order, the payer and the callbacks, kept as sent (the
/// links checked): the part of a link that `POST /invoice` echoes field for field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LinkDetails {
    /// The merchant's order number (the payment's invoiceId).
    pub invoice_id: String,
    /// The merchant's customer id.
    pub account_id: String,
    /// `rus`, `kaz`, `eng`.
    pub language: String,
    /// What is paid for.
    pub description: String,
    /// Payer e-mail the bank would send the link to.
    pub recipient_contact: String,
    /// Payer phone the bank would text the link to.
    pub recipient_contact_sms: String,
    /// Merchant phone told when the link is paid.
    pub notifier_contact_sms: String,
    /// Success callback.
    pub post_link: String,
    /// Failure callback.
    pub failure_post_link: String,
    /// Browser redirect after success.
    pub back_link: String,
    /// Browser redirect after failure.
    pub failure_back_link: String,
}

/// One invoice link as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceLink {
    /// The link's own id (the path of its URL).
    pub id: Uuid,
    /// Owning client.
    pub client_id: String,
    /// `shop_id` as sent.
    pub shop_id: String,
    /// The payment terminal the payment is made on.
    pub terminal_id: String,
    /// Amount to pay.
    pub amount: Amount,
    /// ISO currency.
    pub currency: String,
    /// `expire_period` as sent (`1d`).
    pub expire_period: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// When it stops being payable.
    pub expires_at: DateTime<Utc>,
    /// Cancelled or expired, or neither.
    pub state: LinkState,
    /// The order, the payer and the callbacks.
    pub details: LinkDetails,
}

impl InvoiceLink {
    /// The status to show, given the status of the payment with the link's invoiceId (if any).
    pub fn status(&self, payment: Option<Status>, now: DateTime<Utc>) -> LinkStatus {
        if payment.is_some_and(was_approved) {
            return LinkStatus::Paid;
        }
        match self.state {
            LinkState::Cancelled => LinkStatus::Cancelled,
            LinkState::Expired => LinkStatus::Expired,
            LinkState::Active if now >= self.expires_at => LinkStatus::Expired,
            LinkState::Active => LinkStatus::New,
        }
    }
}

/// Whether a payment in `status` was approved at some point (an AUTH later cancelled or a
/// CHARGE later refunded still paid the link).
pub fn was_approved(status: Status) -> bool {
    matches!(
        status,
        Status::Auth | Status::Charge | Status::Cancel | Status::CancelOld | Status::Refund | Status::Verified
    )
}

/// Why a link cannot be paid, cancelled or created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceLinkError {
    /// A field is missing or malformed.
    #[error("{0}")]
    Invalid(String),
    /// The client already has a link for this invoice_id.
    #[error("an invoice link for invoice_id {0} already exists")]
    Duplicate(String),
    /// No such link (or another client's).
    #[error("invoice link {0} not found")]
    NotFound(String),
    /// The link is paid, cancelled or expired.
    #[error("invoice link {id} is {status:?}, not payable")]
    NotPayable {
        /// The link.
        id: Uuid,
        /// Its status.
        status: LinkStatus,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(state: LinkState, expires_at: DateTime<Utc>) -> InvoiceLink {
        InvoiceLink {
            id: Uuid::nil(),
            client_id: "c".into(),
            shop_id: String::new(),
            terminal_id: "t".into(),
            amount: Amount::parse("10").unwrap_or_default(),
            currency: "KZT".into(),
            expire_period: "1d".into(),
            created_at: expires_at,
            expires_at,
            state,
            details: LinkDetails::default(),
        }
    }

    #[test]
    fn a_paid_link_stays_paid_whatever_happens_to_it_or_its_payment() {
        let now = Utc::now();
        for state in [LinkState::Active, LinkState::Cancelled, LinkState::Expired] {
            for paid in [Status::Auth, Status::Charge, Status::Refund, Status::Cancel] {
                assert_eq!(link(state, now).status(Some(paid), now), LinkStatus::Paid);
            }
        }
    }

    #[test]
    fn an_unpaid_link_is_new_until_it_expires_or_is_cancelled() {
        let now = Utc::now();
        let later = now + chrono::Duration::hours(1);
        assert_eq!(link(LinkState::Active, later).status(None, now), LinkStatus::New);
        assert_eq!(
            link(LinkState::Active, later).status(Some(Status::Reject), now),
            LinkStatus::New
        );
        assert_eq!(link(LinkState::Active, now).status(None, now), LinkStatus::Expired);
        assert_eq!(
            link(LinkState::Cancelled, later).status(None, now),
            LinkStatus::Cancelled
        );
        assert_eq!(link(LinkState::Expired, later).status(None, now), LinkStatus::Expired);
    }
}
