//! `POST /recurrent/subscribe` (spec §3.13, EpaySDK `AutoPaymentRequestBody` /
//! `AutoPaymentResponseBody`).

use crate::domain::money::Amount;
use crate::domain::recurrent::Subscription;
use crate::fidelity;
use chrono::{DateTime, FixedOffset, Offset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of `POST /recurrent/subscribe`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct SubscribeBody {
    /// The approved transaction's id.
    #[serde(alias = "transactionID", deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub transaction_id: String,
    /// `WEEKLY`, `MONTHLY` or `QUARTERLY`.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub payment_frequency: String,
}

/// A subscription: the SDK's eight fields first, then the sandbox's own (id, schedule, charges).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionAnswer {
    /// Creation time (R-02 format).
    pub created_date: String,
    /// `WEEKLY`, `MONTHLY`, `QUARTERLY`.
    pub payment_frequency: &'static str,
    /// The last successful payment (R-02 format).
    pub last_payment_date: String,
    /// Owning client.
    pub client_id: String,
    /// The original payment's invoiceId.
    pub invoice_id: String,
    /// Amount of each charge.
    pub amount: Amount,
    /// Currency.
    pub currency: String,
    /// The original payment's RRN.
    pub reference: String,
    /// The subscription's id (control plane paths).
    pub id: String,
    /// The original transaction.
    pub transaction_id: String,
    /// When the next charge is due, while active.
    pub next_payment_date: Option<String>,
    /// Whether it still charges.
    pub active: bool,
    /// The charges' transaction ids, oldest first.
    pub charges: Vec<String>,
}

impl SubscriptionAnswer {
    /// The answer for `subscription`.
    pub fn of(subscription: &Subscription) -> Self {
        SubscriptionAnswer {
            created_date: sdk_date(subscription.created_at),
            payment_frequency: subscription.frequency.as_str(),
            last_payment_date: sdk_date(subscription.last_payment_at),
            client_id: subscription.client_id.clone(),
            invoice_id: subscription.invoice_id.clone(),
            amount: subscription.amount,
            currency: subscription.currency.clone(),
            reference: subscription.reference.clone(),
            id: subscription.id.to_string(),
            transaction_id: subscription.transaction_id.to_string(),
            next_payment_date: subscription.next_payment_at.map(sdk_date),
            active: subscription.active,
            charges: subscription.charges.iter().map(ToString::to_string).collect(),
        }
    }
}

/// A date as the SDK's decoder reads it (`yyyy-MM-dd'T'HH:mm:ss.SSSSSSSZ`): bank time, seven
/// fractional digits, offset without a colon, e.g. `2026-12-02T06:30:00.1234567+0600`.
pub fn sdk_date(at: DateTime<Utc>) -> String {
    let offset = FixedOffset::east_opt(fidelity::BANK_UTC_OFFSET_SECONDS).unwrap_or_else(|| Utc.fix());
    let local = at.with_timezone(&offset);
    format!(
        "{}.{:07}{}",
        local.format("%Y-%m-%dT%H:%M:%S"),
        local.timestamp_subsec_nanos() / 100,
        local.format("%z")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sdk_dates_have_seven_fraction_digits_and_a_colonless_offset() {
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 0, 30, 0).single().unwrap_or_default()
            + chrono::Duration::nanoseconds(123_456_789);
        assert_eq!(sdk_date(at), "2026-12-02T06:30:00.1234567+0600");
    }
}
