//! Amounts of money.
//!
//! Held as integer minor units (tiyn, cents) so that partial charges and refunds add up
//! exactly. On the wire ePay writes a whole amount as an integer (`100`) and a fractional one
//! as a decimal (`12.22`); clients send numbers or strings (`"100.00"`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A non-negative amount in minor units (1/100 of the currency unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(i64);

/// Why an amount from a request was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a number, or not a decimal string.
    #[error("amount is not a number")]
    NotANumber,
    /// Below zero.
    #[error("amount must not be negative")]
    Negative,
    /// More than two decimal places.
    #[error("amount has more than two decimal places")]
    TooPrecise,
    /// Too large to be a real payment.
    #[error("amount is too large")]
    TooLarge,
}

/// The largest amount the sandbox accepts: 10^13 units, far beyond any real payment.
const MAX_MINOR: i64 = 1_000_000_000_000_000;

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(0);

    /// From minor units.
    pub const fn from_minor(minor: i64) -> Self {
        Amount(minor)
    }

    /// From whole units (`Amount::from_units(100)` is 100.00).
    pub const fn from_units(units: i64) -> Self {
        Amount(units * 100)
    }

    /// Minor units.
    pub const fn minor(self) -> i64 {
        self.0
    }

    /// Whether the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `self - other`, or `None` when that would go below zero.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        (self.0 >= other.0).then(|| Amount(self.0 - other.0))
    }

    /// `self + other`, saturating at the maximum.
    pub fn saturating_add(self, other: Amount) -> Amount {
        Amount(self.0.saturating_add(other.0).min(MAX_MINOR))
    }

    /// Parses a decimal string such as `"100"`, `"100.5"` or `"12.22"`. A minus sign is
    /// refused unless the value is zero (`-0`, `-0.00` are zero, as JSON's `-0` is).
    pub fn parse(text: &str) -> Result<Self, AmountError> {
        let text = text.trim();
        if let Some(magnitude) = text.strip_prefix('-') {
            return match Self::parse_unsigned(magnitude)? {
                Amount(0) => Ok(Amount(0)),
                _ => Err(AmountError::Negative),
            };
        }
        Self::parse_unsigned(text)
    }

    fn parse_unsigned(text: &str) -> Result<Self, AmountError> {
        if text.starts_with(['-', '+']) {
            return Err(AmountError::NotANumber);
        }
        let (whole, frac) = match text.split_once('.') {
            Some((w, f)) => (w, f),
            None => (text, ""),
        };
        let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() && frac.is_empty() || !all_digits(whole) || !all_digits(frac) {
            return Err(AmountError::NotANumber);
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 2 {
            return Err(AmountError::TooPrecise);
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| AmountError::TooLarge)?
        };
        let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| AmountError::NotANumber)?;
        let minor = whole
            .checked_mul(100)
            .and_then(|m| m.checked_add(cents))
            .ok_or(AmountError::TooLarge)?;
        if minor > MAX_MINOR {
            return Err(AmountError::TooLarge);
        }
        Ok(Amount(minor))
    }

    /// Reads an amount from a JSON value: a number or a numeric string.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, AmountError> {
        match value {
            serde_json::Value::Number(n) => Self::parse(&n.to_string()),
            serde_json::Value::String(s) => Self::parse(s),
            _ => Err(AmountError::NotANumber),
        }
    }

    /// The amount as a JSON number: an integer when whole, a decimal otherwise.
    pub fn to_json(self) -> serde_json::Value {
        if self.0 % 100 == 0 {
            serde_json::Value::from(self.0 / 100)
        } else {
            serde_json::Number::from_f64(self.0 as f64 / 100.0)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null)
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 % 100 == 0 {
            write!(f, "{}", self.0 / 100)
        } else {
            write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
        }
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// Reads what [`Amount::serialize`] writes (and the other shapes [`Amount::from_json`] takes),
/// so snapshots of the domain round-trip.
impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Amount::from_json(&value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_shapes_clients_send() {
        assert_eq!(Amount::parse("100"), Ok(Amount::from_units(100)));
        assert_eq!(Amount::parse("100.00"), Ok(Amount::from_units(100)));
        assert_eq!(Amount::parse("12.22"), Ok(Amount::from_minor(1222)));
        assert_eq!(Amount::parse("0.5"), Ok(Amount::from_minor(50)));
        assert_eq!(Amount::parse("1.234"), Err(AmountError::TooPrecise));
        assert_eq!(Amount::parse("-1"), Err(AmountError::Negative));
        assert_eq!(Amount::parse("-0.01"), Err(AmountError::Negative));
        assert_eq!(Amount::parse("-0"), Ok(Amount::ZERO));
        assert_eq!(Amount::parse("-0.00"), Ok(Amount::ZERO));
        assert_eq!(Amount::from_json(&serde_json::json!(-0.0)), Ok(Amount::ZERO));
        assert_eq!(Amount::parse("--1"), Err(AmountError::NotANumber));
        assert_eq!(Amount::parse("abc"), Err(AmountError::NotANumber));
        assert_eq!(Amount::parse(""), Err(AmountError::NotANumber));
        assert_eq!(Amount::parse("."), Err(AmountError::NotANumber));
        assert_eq!(Amount::parse("99999999999999999999"), Err(AmountError::TooLarge));
    }

    #[test]
    fn serialises_like_the_bank() {
        assert_eq!(
            serde_json::to_string(&Amount::from_units(100)).ok().as_deref(),
            Some("100")
        );
        assert_eq!(
            serde_json::to_string(&Amount::from_minor(1222)).ok().as_deref(),
            Some("12.22")
        );
    }

    proptest! {
        #[test]
        fn display_round_trips(minor in 0i64..MAX_MINOR) {
            let amount = Amount::from_minor(minor);
            prop_assert_eq!(Amount::parse(&amount.to_string()), Ok(amount));
        }

        #[test]
        fn json_round_trips(minor in 0i64..10_000_000_000) {
            let amount = Amount::from_minor(minor);
            prop_assert_eq!(Amount::from_json(&amount.to_json()), Ok(amount));
        }

        #[test]
        fn parse_never_panics(text in ".{0,24}") {
            let _ = Amount::parse(&text);
        }
    }
}
