//! Test cards, PAN masking and the Luhn check.

use serde::{Deserialize, Serialize};

/// Whether a test card is accepted or declined as "locked" (the bank's lock/unlock column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LockStatus {
    /// Accepted.
    #[default]
    Unlock,
    /// Declined as restricted/blocked.
    Lock,
}

/// How the card's issuer treats 3-D Secure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ThreeDsBehavior {
    /// No challenge.
    #[default]
    Frictionless,
    /// A challenge page; the right code passes.
    Challenge,
    /// 3-D Secure cannot be performed (reason 455).
    Unavailable,
    /// The challenge always fails (reason 473).
    Fails,
}

/// A pending (not final) outcome: the transaction settles after a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingBehavior {
    /// Sandbox seconds until it settles.
    pub settle_after_seconds: i64,
}

/// What happens when this card pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CardBehavior {
    /// 3-D Secure treatment.
    #[serde(default)]
    pub three_ds: ThreeDsBehavior,
    /// Decline with this reason after authentication.
    #[serde(default)]
    pub decline_reason_code: Option<i32>,
    /// Reason used when the card (or its credentials) is locked.
    #[serde(default)]
    pub locked_reason_code: Option<i32>,
    /// Not final at first (reason 454), settles later.
    #[serde(default)]
    pub pending: Option<PendingBehavior>,
}

/// One documented expiry/CVC pair of a test card.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct CardCredentials {
    /// `"01"`.
    pub month: String,
    /// Two-digit year, `"25"`.
    pub year: String,
    /// CVC/CVV as documented (may have a leading zero).
    pub cvc: String,
    /// Overrides the card's lock status for these credentials.
    #[serde(default)]
    pub status: Option<LockStatus>,
}

/// A test card from `fixtures/cards.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct TestCard {
    /// Full PAN (15 or 16 digits).
    pub pan: String,
    /// `VISA`, `MasterCard`, `AMEX`.
    pub brand: String,
    /// Issuing bank.
    pub issuer: String,
    /// Whether the bank's documents list it (then only its documented credentials are accepted).
    #[serde(default)]
    pub documented: bool,
    /// Documented expiry/CVC pairs; empty means any future expiry and any CVC.
    #[serde(default)]
    pub credentials: Vec<CardCredentials>,
    /// Lock status.
    #[serde(default)]
    pub status: LockStatus,
    /// Outcome when paying.
    #[serde(default)]
    pub behavior: CardBehavior,
    /// Human description for the README table and the dashboard.
    #[serde(default)]
    pub note: String,
}

/// Masks a PAN the way ePay does: first six, three dots, last four (`440563...5096`).
pub fn mask_pan(pan: &str) -> String {
    let digits: String = pan.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < 10 {
        return "*".repeat(digits.len());
    }
    format!("{}...{}", &digits[..6], &digits[digits.len() - 4..])
}

/// Whether `pan` passes the Luhn checksum.
pub fn luhn_valid(pan: &str) -> bool {
    if pan.is_empty() || !pan.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = pan
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The card scheme by PAN prefix, for cards that are not in the fixtures.
pub fn brand_of(pan: &str) -> &'static str {
    match pan.as_bytes().first() {
        Some(b'4') => "VISA",
        Some(b'5') | Some(b'2') => "MasterCard",
        Some(b'3') if pan.starts_with("34") || pan.starts_with("37") => "AMEX",
        Some(b'9') => "UnionPay",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn masks_like_the_bank() {
        assert_eq!(mask_pan("4405639704015096"), "440563...5096");
        assert_eq!(mask_pan("377514500004820"), "377514...4820");
        assert_eq!(mask_pan("123"), "***");
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("4405639704015096"));
        assert!(luhn_valid("5522042705066736"));
        assert!(!luhn_valid("4405639704015097"));
        assert!(!luhn_valid("44056397040150x6"));
        assert!(!luhn_valid(""));
    }

    proptest! {
        #[test]
        fn mask_keeps_only_first_six_and_last_four(pan in "[0-9]{13,19}") {
            let masked = mask_pan(&pan);
            prop_assert_eq!(masked.chars().filter(char::is_ascii_digit).count(), 10);
            prop_assert_eq!(masked, format!("{}...{}", &pan[..6], &pan[pan.len() - 4..]));
        }

        #[test]
        fn luhn_never_panics(text in ".{0,40}") {
            let _ = luhn_valid(&text);
        }
    }
}
