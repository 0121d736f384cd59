//! What the issuer does with an authorisation attempt, decided before any state changes.
//!
//! The payment engine asks, in order: a forced outcome from the control plane's scenario rules,
//! a magic amount, the test card's behaviour. Whatever answers produces an [`Outcome`], which
//! the engine then plays out through the state machine.

use super::money::Amount;
use serde::{Deserialize, Serialize};

/// The issuer's answer to an authorisation attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// Approved (AUTH or CHARGE by terminal mode; VERIFIED for a zero-amount verification).
    Approve,
    /// Declined by the issuer: REJECT with this reason code.
    Decline {
        /// Reason code (§4.3).
        code: i32,
    },
    /// A technical failure: FAILED with this reason code.
    Fail {
        /// Reason code (§4.3).
        code: i32,
    },
    /// 3-D Secure authentication failed: status 3D with this reason code (473). As the `then` of
    /// a [`Outcome::Challenge`], the challenge fails whatever the cardholder enters.
    AuthenticationFailed {
        /// Reason code (§4.3).
        code: i32,
    },
    /// A 3-D Secure challenge first; `then` is what happens once the cardholder passes it.
    Challenge {
        /// Outcome after a successful challenge.
        then: Box<Outcome>,
    },
    /// Not final at first (reason 454: check-status answers 107); settles after a while.
    Pending {
        /// Sandbox seconds until it settles.
        settle_after_seconds: i64,
        /// `None` approves when it settles; `Some(code)` declines.
        then_decline: Option<i32>,
        /// Settle once check-status has been polled this many times (whichever comes first).
        #[serde(default)]
        settle_after_polls: Option<u32>,
    },
}

/// Everything known about an authorisation attempt when its outcome is decided; scenario rules
/// match on these fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttemptContext {
    /// Owning client.
    pub client_id: String,
    /// Terminal UUID.
    pub terminal_id: String,
    /// Merchant order number.
    pub invoice_id: String,
    /// Merchant customer id.
    pub account_id: String,
    /// Full PAN (never logged).
    pub pan: String,
    /// Saved-card id, when paying by card id.
    pub card_id: String,
    /// Amount.
    pub amount: Amount,
}
