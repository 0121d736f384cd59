//! Homebank QR payments (`POST /payment/qr/generate`, `GET /qr`, spec §3.15): the merchant shows
//! a QR code, the payer scans it with the bank's app and confirms or rejects the payment there.
//!
//! A bill moves `NEW → SCANNED → AUTH | PAID | REJECTED` (EpaySDK `QRStatus`); one not finished
//! within 20 minutes is rejected. `BLOCKED` is in the SDK's list but no source says what causes
//! it, so the sandbox never produces it. Paying a bill opens an ordinary payment transaction
//! (AUTH on a two-step terminal, CHARGE, shown as `PAID`, on a one-step one).

use super::money::Amount;
use super::status::Status;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Minutes a bill waits for the payer before it is rejected (doc "QR by API").
pub const QR_LIFETIME_MINUTES: i64 = 20;

/// Reason code of the REJECT transaction of a bill the payer rejected in the app.
pub const PAYER_REJECTED_REASON: i32 = 466;

/// Reason code of the REJECT transaction of a bill nobody finished in time.
pub const EXPIRED_REASON: i32 = 504;

/// A bill's status as `GET /qr` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QrStatus {
    /// Waiting for the payer to scan it.
    New,
    /// Scanned in the app, waiting for the payer's confirmation.
    Scanned,
    /// Never produced by the sandbox (see the module docs).
    Blocked,
    /// Rejected by the payer, declined by the issuer, or expired.
    Rejected,
    /// Paid on a two-step terminal: funds blocked.
    Auth,
    /// Paid on a one-step terminal.
    Paid,
}

impl QrStatus {
    /// Whether the bill reached its end.
    pub fn is_final(self) -> bool {
        matches!(self, QrStatus::Rejected | QrStatus::Auth | QrStatus::Paid)
    }

    /// The bill status of a payment that ended in `status`.
    pub fn of_payment(status: Status) -> QrStatus {
        match status {
            Status::Auth => QrStatus::Auth,
            Status::Charge | Status::Refund | Status::Cancel | Status::CancelOld | Status::Verified => QrStatus::Paid,
            Status::New => QrStatus::Scanned,
            Status::Failed | Status::Reject | Status::ThreeD => QrStatus::Rejected,
        }
    }
}

/// What the payer (or the control plane) does with a bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrAction {
    /// Opens it in the app.
    Scan,
    /// Confirms the payment.
    Pay,
    /// Refuses the payment.
    Reject,
}

impl QrAction {
    /// Reads `scan`, `pay` or `reject`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "scan" => Some(QrAction::Scan),
            "pay" => Some(QrAction::Pay),
            "reject" => Some(QrAction::Reject),
            _ => None,
        }
    }
}

/// One QR bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QrBill {
    /// The bill number (`billNumber`).
    pub bill_number: String,
    /// The access token it was generated with (`GET /qr` without `billNumber` finds it so).
    pub access_token: String,
    /// Owning client.
    pub client_id: String,
    /// Payment terminal.
    pub terminal_id: String,
    /// The merchant's order number.
    pub invoice_id: String,
    /// Amount.
    pub amount: Amount,
    /// ISO currency.
    pub currency: String,
    /// What is paid for.
    pub description: String,
    /// `rus`, `kaz`, `eng`.
    pub language: String,
    /// The merchant's customer id.
    pub account_id: String,
    /// Payer e-mail.
    pub payer_email: String,
    /// Payer phone.
    pub payer_phone: String,
    /// Success callback.
    pub post_link: String,
    /// Failure callback.
    pub failure_post_link: String,
    /// Merchant secret echoed in callbacks.
    pub secret_hash: String,
    /// Where it stands.
    pub status: QrStatus,
    /// The payment transaction, once the payer confirmed.
    pub transaction_id: Option<Uuid>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// When an unfinished bill is rejected.
    pub expires_at: DateTime<Utc>,
}

/// Why an action on a bill was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// A field is missing or malformed.
    #[error("{0}")]
    Invalid(String),
    /// No such bill visible to the caller.
    #[error("QR bill {0} not found")]
    NotFound(String),
    /// The action does not fit the bill's status.
    #[error("QR bill {bill} is {status:?}; cannot {action} it")]
    WrongState {
        /// The bill.
        bill: String,
        /// Its status.
        status: QrStatus,
        /// What was asked.
        action: &'static str,
    },
}

/// The status after `action` on a bill in `status`, or why not: scanning twice is harmless,
/// paying needs a scan first (the app shows the payment only once scanned), rejecting is
/// allowed until the bill is final. `Pay` answers `Scanned`: the payment decides the rest.
pub fn next_status(bill: &str, status: QrStatus, action: QrAction) -> Result<QrStatus, QrError> {
    let refuse = |action| {
        Err(QrError::WrongState {
            bill: bill.to_string(),
            status,
            action,
        })
    };
    match (action, status) {
        (QrAction::Scan, QrStatus::New | QrStatus::Scanned) => Ok(QrStatus::Scanned),
        (QrAction::Scan, _) => refuse("scan"),
        (QrAction::Pay, QrStatus::Scanned) => Ok(QrStatus::Scanned),
        (QrAction::Pay, _) => refuse("pay"),
        (QrAction::Reject, QrStatus::New | QrStatus::Scanned) => Ok(QrStatus::Rejected),
        (QrAction::Reject, _) => refuse("reject"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [QrStatus; 6] = [
        QrStatus::New,
        QrStatus::Scanned,
        QrStatus::Blocked,
        QrStatus::Rejected,
        QrStatus::Auth,
        QrStatus::Paid,
    ];

    #[test]
    fn a_final_bill_takes_no_action() {
        for status in ALL.into_iter().filter(|s| s.is_final()) {
            for action in [QrAction::Scan, QrAction::Pay, QrAction::Reject] {
                assert!(next_status("1", status, action).is_err(), "{status:?} {action:?}");
            }
        }
    }

    #[test]
    fn paying_needs_a_scan_and_rejecting_works_before_the_end() {
        assert!(next_status("1", QrStatus::New, QrAction::Pay).is_err());
        assert_eq!(next_status("1", QrStatus::New, QrAction::Scan), Ok(QrStatus::Scanned));
        assert_eq!(
            next_status("1", QrStatus::Scanned, QrAction::Scan),
            Ok(QrStatus::Scanned)
        );
        assert_eq!(
            next_status("1", QrStatus::Scanned, QrAction::Pay),
            Ok(QrStatus::Scanned)
        );
        assert_eq!(
            next_status("1", QrStatus::New, QrAction::Reject),
            Ok(QrStatus::Rejected)
        );
        assert_eq!(
            next_status("1", QrStatus::Scanned, QrAction::Reject),
            Ok(QrStatus::Rejected)
        );
    }

    #[test]
    fn payments_map_onto_bill_statuses() {
        assert_eq!(QrStatus::of_payment(Status::Auth), QrStatus::Auth);
        assert_eq!(QrStatus::of_payment(Status::Charge), QrStatus::Paid);
        assert_eq!(QrStatus::of_payment(Status::Reject), QrStatus::Rejected);
        assert_eq!(QrStatus::of_payment(Status::New), QrStatus::Scanned);
    }

    fn action() -> impl proptest::strategy::Strategy<Value = QrAction> {
        proptest::prop_oneof![
            proptest::strategy::Just(QrAction::Scan),
            proptest::strategy::Just(QrAction::Pay),
            proptest::strategy::Just(QrAction::Reject),
        ]
    }

    proptest::proptest! {
        /// Whatever the payer does, a bill never returns to NEW once scanned, only a reject ends
        /// it without a payment, and a final bill refuses everything.
        #[test]
        fn any_sequence_of_actions_keeps_the_bill_moving_forward(actions in proptest::collection::vec(action(), 0..12)) {
            let mut status = QrStatus::New;
            for action in actions {
                let before = status;
                match next_status("1", status, action) {
                    Ok(next) => {
                        proptest::prop_assert!(!before.is_final());
                        proptest::prop_assert_ne!(next, QrStatus::New);
                        proptest::prop_assert_eq!(next.is_final(), action == QrAction::Reject);
                        status = next;
                    }
                    Err(_) => proptest::prop_assert!(before.is_final() || (action == QrAction::Pay && before == QrStatus::New)),
                }
            }
        }
    }
}
