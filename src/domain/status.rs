//! Transaction statuses and the one table of allowed transitions.
//!
//! Every status change of every transaction goes through [`next_status`]; nothing else in the
//! code decides which move is legal.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A transaction's `statusName` (seed 001, spec §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    /// Created, not yet final (awaiting 3-D Secure, or an outcome that has not settled).
    #[serde(rename = "NEW")]
    New,
    /// Funds blocked on a two-step terminal, awaiting charge or cancel.
    #[serde(rename = "AUTH")]
    Auth,
    /// Funds captured.
    #[serde(rename = "CHARGE")]
    Charge,
    /// An AUTH released by the merchant.
    #[serde(rename = "CANCEL")]
    Cancel,
    /// An AUTH released by the issuer because it was never charged or cancelled.
    #[serde(rename = "CANCEL_OLD")]
    CancelOld,
    /// Captured funds returned, in whole or in part.
    #[serde(rename = "REFUND")]
    Refund,
    /// A technical failure.
    #[serde(rename = "FAILED")]
    Failed,
    /// Declined by the issuer or the gateway.
    #[serde(rename = "REJECT")]
    Reject,
    /// 3-D Secure authentication failed or timed out.
    #[serde(rename = "3D")]
    ThreeD,
    /// A zero-amount card verification that succeeded.
    #[serde(rename = "VERIFIED")]
    Verified,
}

impl Status {
    /// Every status, for tests and listings.
    pub const ALL: [Status; 10] = [
        Status::New,
        Status::Auth,
        Status::Charge,
        Status::Cancel,
        Status::CancelOld,
        Status::Refund,
        Status::Failed,
        Status::Reject,
        Status::ThreeD,
        Status::Verified,
    ];

    /// The wire name (`"CANCEL_OLD"`, `"3D"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "NEW",
            Status::Auth => "AUTH",
            Status::Charge => "CHARGE",
            Status::Cancel => "CANCEL",
            Status::CancelOld => "CANCEL_OLD",
            Status::Refund => "REFUND",
            Status::Failed => "FAILED",
            Status::Reject => "REJECT",
            Status::ThreeD => "3D",
            Status::Verified => "VERIFIED",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(name))
    }

    /// Whether the authorisation attempt is over (everything but NEW).
    pub fn is_settled(self) -> bool {
        self != Status::New
    }

    /// Whether this is a failed outcome (callbacks go to `failurePostLink`).
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Failed | Status::Reject | Status::ThreeD)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of every event a transaction can go through: what the transition table is keyed by
/// and what each history line records. The data of an event travels in
/// [`super::transaction::Event`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The issuer approved; a two-step terminal blocks the funds.
    AuthorizeHold,
    /// The issuer approved; a one-step terminal captures at once.
    AuthorizeCapture,
    /// A zero-amount verification succeeded.
    Verify,
    /// The issuer (or the gateway) declined.
    Decline,
    /// A technical failure.
    Fail,
    /// 3-D Secure failed or timed out.
    Fail3ds,
    /// The outcome is not known yet (reason 454): it settles later.
    Defer,
    /// check-status was polled while the outcome is pending.
    CountPoll,
    /// The cardholder passed (or went through) 3-D Secure.
    MarkSecure,
    /// The card was saved and the transaction now carries its id.
    CardSaved,
    /// The merchant captured an AUTH.
    Charge,
    /// The merchant released an AUTH.
    Cancel,
    /// The hold period of an AUTH ran out.
    ExpireHold,
    /// The merchant returned captured funds.
    Refund,
    /// Part of the amount is paid with the card's Halyk bonus (`useBonus`).
    SpendBonus,
}

/// One allowed move of the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// Status before.
    pub from: Status,
    /// What happened.
    pub event: EventKind,
    /// Status after.
    pub to: Status,
}

const fn t(from: Status, event: EventKind, to: Status) -> Transition {
    Transition { from, event, to }
}

/// The single source of truth for which events are allowed in which status, and where each
/// leads (spec §5). Rows that keep the status (Defer, CountPoll, MarkSecure, CardSaved) are
/// here too, so nothing else decides what a transaction in a given status may go through.
pub const TRANSITIONS: &[Transition] = &[
    t(Status::New, EventKind::AuthorizeHold, Status::Auth),
    t(Status::New, EventKind::AuthorizeCapture, Status::Charge),
    t(Status::New, EventKind::Verify, Status::Verified),
    t(Status::New, EventKind::Decline, Status::Reject),
    t(Status::New, EventKind::Fail, Status::Failed),
    t(Status::New, EventKind::Fail3ds, Status::ThreeD),
    t(Status::New, EventKind::Defer, Status::New),
    t(Status::New, EventKind::CountPoll, Status::New),
    t(Status::New, EventKind::MarkSecure, Status::New),
    t(Status::New, EventKind::CardSaved, Status::New),
    t(Status::Auth, EventKind::Charge, Status::Charge),
    t(Status::Auth, EventKind::Cancel, Status::Cancel),
    t(Status::Auth, EventKind::ExpireHold, Status::CancelOld),
    t(Status::Charge, EventKind::Refund, Status::Refund),
    t(Status::Refund, EventKind::Refund, Status::Refund),
    t(Status::New, EventKind::SpendBonus, Status::New),
];

/// The status `event` leads to from `from`, or `None` when the table does not allow it.
pub fn next_status(from: Status, event: EventKind) -> Option<Status> {
    TRANSITIONS
        .iter()
        .find(|row| row.from == from && row.event == event)
        .map(|row| row.to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
    }

    #[test]
    fn table_has_no_duplicate_rows() {
        for (i, a) in TRANSITIONS.iter().enumerate() {
            for b in &TRANSITIONS[i + 1..] {
                assert!(!(a.from == b.from && a.event == b.event), "duplicate row {a:?}");
            }
        }
    }

    #[test]
    fn terminal_states_have_no_way_out() {
        for status in [
            Status::Cancel,
            Status::CancelOld,
            Status::Failed,
            Status::Reject,
            Status::ThreeD,
            Status::Verified,
        ] {
            assert!(
                TRANSITIONS.iter().all(|row| row.from != status),
                "{status} must be terminal"
            );
        }
    }
}
