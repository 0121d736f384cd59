//! Recurrent payments (`POST /recurrent/subscribe`, spec §3.13): a subscription on an approved
//! transaction that charges the same card the same amount every week, month or quarter. Each
//! charge is a new payment transaction on the original's terminal, with its own invoiceId and
//! callback.

use super::money::Amount;
use super::transaction::{CardSnapshot, Links, OrderDetails};
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How often a subscription charges (EpaySDK `AutoPaymentFrequency`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Frequency {
    /// Every 7 days.
    Weekly,
    /// Every calendar month (the 31st becomes the month's last day).
    Monthly,
    /// Every three calendar months.
    Quarterly,
}

impl Frequency {
    /// Reads `WEEKLY`, `MONTHLY` or `QUARTERLY` (case-insensitively).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "WEEKLY" => Some(Frequency::Weekly),
            "MONTHLY" => Some(Frequency::Monthly),
            "QUARTERLY" => Some(Frequency::Quarterly),
            _ => None,
        }
    }

    /// The name the bank uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
            Frequency::Quarterly => "QUARTERLY",
        }
    }

    /// The charge after one made at `last`; `None` past the calendar's end.
    pub fn next_after(self, last: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Frequency::Weekly => last.checked_add_signed(chrono::Duration::days(7)),
            Frequency::Monthly => last.checked_add_months(Months::new(1)),
            Frequency::Quarterly => last.checked_add_months(Months::new(3)),
        }
    }
}

/// A subscription and its progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// The subscription's own id (control plane paths).
    pub id: Uuid,
    /// Owning client.
    pub client_id: String,
    /// The approved transaction it was made on.
    pub transaction_id: Uuid,
    /// That transaction's terminal.
    pub terminal_id: String,
    /// That transaction's invoiceId.
    pub invoice_id: String,
    /// That transaction's RRN.
    pub reference: String,
    /// Amount of each charge.
    pub amount: Amount,
    /// ISO currency.
    pub currency: String,
    /// How often it charges.
    pub frequency: Frequency,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// The last successful payment (at first: the original transaction's).
    pub last_payment_at: DateTime<Utc>,
    /// When the next charge is due (`None` once cancelled).
    pub next_payment_at: Option<DateTime<Utc>>,
    /// The original order: each charge copies it with a fresh invoiceId.
    pub order: OrderDetails,
    /// The card charged.
    pub card: CardSnapshot,
    /// Callbacks of each charge (the original transaction's).
    pub links: Links,
    /// Transactions of the charges made so far, oldest first (declined ones included).
    pub charges: Vec<Uuid>,
    /// Whether it still charges.
    pub active: bool,
}

impl Subscription {
    /// Whether a charge is due at `now`.
    pub fn due(&self, now: DateTime<Utc>) -> bool {
        self.active && self.next_payment_at.is_some_and(|at| at <= now)
    }
}

/// Why a subscription cannot be made, run or cancelled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionError {
    /// A field is missing or malformed.
    #[error("{0}")]
    Invalid(String),
    /// No such transaction or subscription visible to the caller.
    #[error("{0} not found")]
    NotFound(String),
    /// The transaction is not approved (or is a transfer, or a verification).
    #[error("transaction {id} is {status}; only an approved payment (AUTH or CHARGE) can be subscribed")]
    NotApproved {
        /// The transaction.
        id: Uuid,
        /// Its status.
        status: String,
    },
    /// The subscription is cancelled.
    #[error("subscription {0} is cancelled")]
    Cancelled(Uuid),
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn frequencies_step_by_week_and_calendar_month() {
        let jan31 = Utc.with_ymd_and_hms(2025, 1, 31, 10, 0, 0).single().unwrap_or_default();
        let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 10, 0, 0).single();
        assert_eq!(Frequency::Weekly.next_after(jan31), at(2025, 2, 7));
        assert_eq!(Frequency::Monthly.next_after(jan31), at(2025, 2, 28));
        assert_eq!(Frequency::Quarterly.next_after(jan31), at(2025, 4, 30));
    }

    #[test]
    fn frequency_names_round_trip_and_unknown_ones_are_refused() {
        for f in [Frequency::Weekly, Frequency::Monthly, Frequency::Quarterly] {
            assert_eq!(Frequency::parse(f.as_str()), Some(f));
        }
        assert_eq!(Frequency::parse("monthly"), Some(Frequency::Monthly));
        assert_eq!(Frequency::parse("DAILY"), None);
    }

    proptest::proptest! {
        /// The next charge is always later, a week for WEEKLY and 28–31 / 89–92 days for the
        /// calendar frequencies.
        #[test]
        fn the_next_charge_is_one_period_later(seconds in 0i64..4_000_000_000, which in 0usize..3) {
            let frequency = [Frequency::Weekly, Frequency::Monthly, Frequency::Quarterly][which];
            let last = DateTime::<Utc>::from_timestamp(seconds, 0).unwrap_or_default();
            let next = frequency.next_after(last);
            proptest::prop_assert!(next.is_some());
            let days = next.map(|n| (n - last).num_days()).unwrap_or_default();
            let range = match frequency {
                Frequency::Weekly => 7..=7,
                Frequency::Monthly => 28..=31,
                Frequency::Quarterly => 89..=92,
            };
            proptest::prop_assert!(range.contains(&days), "{:?} {} days", frequency, days);
        }
    }
}
