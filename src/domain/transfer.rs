//! Transfers between cards (P2P), from a card to the merchant (AFT) and from the merchant to a
//! card or phone (OCT): their kinds, the parties as the bank shows them, fees and daily limits.
//! Pure rules over amounts and fixtures; the engine wires them to the store.

use super::merchants::TransferSettings;
use super::money::Amount;
use super::saved_cards::CardToSave;
use serde::{Deserialize, Serialize};

/// Which transfer product a request uses (decided by its path).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferKind {
    /// Card to card: `/p2p/transfer` and `/payments/cards/auth` with an `order` body.
    #[serde(rename = "P2P")]
    P2p,
    /// Account funding: a card is debited to the merchant (`/chdebit/transfer`).
    #[serde(rename = "AFT")]
    Aft,
    /// Original credit: the merchant pays out to a card or phone (`/chpayment/transfer`).
    #[serde(rename = "OCT")]
    Oct,
}

impl TransferKind {
    /// The wire name (`"P2P"`, `"AFT"`, `"OCT"`).
    pub fn as_str(self) -> &'static str {
        match self {
            TransferKind::P2p => "P2P",
            TransferKind::Aft => "AFT",
            TransferKind::Oct => "OCT",
        }
    }

    /// Whether a sender card is debited.
    pub fn has_sender(self) -> bool {
        matches!(self, TransferKind::P2p | TransferKind::Aft)
    }

    /// Whether a receiver card (or phone) is credited.
    pub fn has_receiver(self) -> bool {
        matches!(self, TransferKind::P2p | TransferKind::Oct)
    }
}

/// How a party's card is given (`transferType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferType {
    /// Card data: `cardCred` is the PAN (or, leniently, a cryptogram).
    #[serde(rename = "TYPEPAN")]
    Pan,
    /// A saved card: `cardCred` is its card id.
    #[serde(rename = "TYPECARDID")]
    CardId,
    /// A payout by phone number and IIN (OCT only).
    #[serde(rename = "TYPEPHONE")]
    Phone,
}

impl TransferType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TransferType::Pan => "TYPEPAN",
            TransferType::CardId => "TYPECARDID",
            TransferType::Phone => "TYPEPHONE",
        }
    }

    /// Reads `TYPEPAN` / `TYPECARDID` / `TYPEPHONE`, case-insensitively (`PAN`, `CARDID` too).
    pub fn parse(text: &str) -> Option<TransferType> {
        let upper = text.trim().to_ascii_uppercase();
        match upper.strip_prefix("TYPE").unwrap_or(&upper) {
            "PAN" => Some(TransferType::Pan),
            "CARDID" | "CARD_ID" => Some(TransferType::CardId),
            "PHONE" => Some(TransferType::Phone),
            _ => None,
        }
    }
}

/// One side of a transfer as the bank shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferParty {
    /// How the card was given (`None` only before it is known).
    pub transfer_type: Option<TransferType>,
    /// `440563...5096` (a masked phone for a payout by phone).
    pub mask: String,
    /// `VISA`, `MasterCard`, `AMEX` (empty for a phone).
    pub brand: String,
    /// Issuing bank.
    pub issuer: String,
    /// Saved-card id when the card was saved or used by id.
    pub card_id: String,
    /// What daily receiver limits count by: SHA-256 of the PAN, or `phone:<number>`.
    pub limit_key: String,
}

/// What a transaction of kind `Transfer` records beyond a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferDetails {
    /// P2P, AFT or OCT.
    pub kind: TransferKind,
    /// The terminal's fee for this transfer.
    pub fee: Amount,
    /// The debited card (P2P, AFT).
    pub sender: Option<TransferParty>,
    /// The credited card or phone (P2P, OCT).
    pub receiver: Option<TransferParty>,
    /// Cards to save once the transfer succeeds (`save: true`).
    pub to_save: Vec<(TransferSide, CardToSave)>,
}

impl TransferDetails {
    /// Records the ids the parties' cards were saved under; nothing is left to save.
    pub fn record_saved(&mut self, saved: &[(TransferSide, String)]) {
        self.to_save.clear();
        for (side, card_id) in saved {
            let party = match side {
                TransferSide::Sender => self.sender.as_mut(),
                TransferSide::Receiver => self.receiver.as_mut(),
            };
            if let Some(party) = party {
                party.card_id = card_id.clone();
            }
        }
    }

    /// The side whose card the transaction shows: the sender's when there is one.
    pub fn main_side(&self) -> TransferSide {
        if self.sender.is_some() {
            TransferSide::Sender
        } else {
            TransferSide::Receiver
        }
    }
}

/// Which side of a transfer a card is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferSide {
    /// The debited card.
    Sender,
    /// The credited card.
    Receiver,
}

/// The fee of a transfer: `feePercent` of the amount rounded half-up to the minor unit, at least
/// `feeMin` units; never more than a sane bound even for absurd fixtures. (T-05)
pub fn fee(amount: Amount, settings: &TransferSettings) -> Amount {
    let per_million = if settings.fee_percent.is_finite() && settings.fee_percent > 0.0 {
        (settings.fee_percent * 10_000.0).round().min(1e12) as i128
    } else {
        0
    };
    let percent = (i128::from(amount.minor()) * per_million + 500_000) / 1_000_000;
    let minimum = i128::from(settings.fee_min.max(0)).saturating_mul(100);
    let minor = percent.max(minimum).min(i128::from(i64::MAX / 2));
    Amount::from_minor(i64::try_from(minor).unwrap_or(i64::MAX / 2))
}

/// A daily limit a transfer would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitBreach {
    /// The terminal's total for the day (reason 529).
    Terminal,
    /// The receiver's incoming total for the day (reason 528).
    Receiver,
}

impl LimitBreach {
    /// The reason code the bank declines with.
    pub fn reason_code(self) -> i32 {
        match self {
            LimitBreach::Terminal => 529,
            LimitBreach::Receiver => 528,
        }
    }
}

/// Checks a transfer of `amount` against the day's totals so far: the terminal's first, then the
/// receiver's (`None` when there is no receiver). Limits are in currency units. (T-06)
pub fn check_limits(
    amount: Amount,
    terminal_today: Amount,
    receiver_today: Option<Amount>,
    settings: &TransferSettings,
) -> Result<(), LimitBreach> {
    let over = |so_far: Amount, limit: i64| {
        let limit = Amount::from_minor(limit.max(0).saturating_mul(100));
        so_far.saturating_add(amount) > limit
    };
    if over(terminal_today, settings.daily_limit) {
        return Err(LimitBreach::Terminal);
    }
    if receiver_today.is_some_and(|so_far| over(so_far, settings.receiver_daily_limit)) {
        return Err(LimitBreach::Receiver);
    }
    Ok(())
}

/// Checks a transfer's order id: digits only, 6 to 20 of them (seed 000 uses 16, more than the
/// payments' 15). (T-03)
pub fn check_order_id(id: &str) -> Result<(), String> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("order.id must contain digits only, got '{id}'"));
    }
    if !(6..=20).contains(&id.len()) {
        return Err(format!("order.id must be 6 to 20 digits long, got {}", id.len()));
    }
    Ok(())
}

/// An expiry from `expire {month, year}` as `MMYY`: month 1–12 (zero-padded), a two- or
/// four-digit year reduced to two digits; `None` when malformed.
pub fn expiry_mmyy(month: &str, year: &str) -> Option<String> {
    let month: u32 = month.trim().parse().ok().filter(|m| (1..=12).contains(m))?;
    let year = year.trim();
    if !(year.len() == 2 || year.len() == 4) || !year.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let short = year.get(year.len() - 2..)?;
    Some(format!("{month:02}{short}"))
}

/// Checks a payout phone: `7XXXXXXXXXX` (11 digits; a leading `+` is tolerated).
pub fn check_phone(phone: &str) -> Result<String, String> {
    let digits = phone.trim().trim_start_matches('+');
    if digits.len() == 11 && digits.starts_with('7') && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits.to_string())
    } else {
        Err(format!(
            "receiver.phone must be 11 digits starting with 7, got '{phone}'"
        ))
    }
}

/// Checks an IIN: 12 digits.
pub fn check_iin(iin: &str) -> Result<(), String> {
    if iin.len() == 12 && iin.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("receiver.iin must be 12 digits, got '{iin}'"))
    }
}

/// A phone as receiverCardPAN shows it: `7707***4567`.
pub fn mask_phone(phone: &str) -> String {
    match (phone.get(..4), phone.get(phone.len().saturating_sub(4)..)) {
        (Some(head), Some(tail)) if phone.len() >= 8 => format!("{head}***{tail}"),
        _ => "*".repeat(phone.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn settings() -> TransferSettings {
        TransferSettings {
            fee_percent: 0.95,
            fee_min: 95,
            daily_limit: 5_000_000,
            receiver_daily_limit: 1_000_000,
        }
    }

    #[test]
    fn fee_is_percent_with_a_minimum() {
        let s = settings();
        assert_eq!(fee(Amount::from_units(100), &s), Amount::from_units(95));
        assert_eq!(fee(Amount::from_units(100_000), &s), Amount::from_units(950));
        assert_eq!(fee(Amount::from_minor(1_000_050), &s), Amount::from_minor(9_500));
        assert_eq!(fee(Amount::from_minor(1_234_567), &s), Amount::from_minor(11_728));
    }

    #[test]
    fn limits_check_terminal_then_receiver() {
        let s = settings();
        let units = Amount::from_units;
        assert_eq!(check_limits(units(1_000_000), units(0), Some(units(0)), &s), Ok(()));
        assert_eq!(
            check_limits(units(1), units(0), Some(units(1_000_000)), &s),
            Err(LimitBreach::Receiver)
        );
        assert_eq!(
            check_limits(units(1), units(5_000_000), Some(units(1_000_000)), &s),
            Err(LimitBreach::Terminal)
        );
        assert_eq!(check_limits(units(2_000_000), units(0), None, &s), Ok(()));
    }

    #[test]
    fn transfer_types_and_ids() {
        assert_eq!(TransferType::parse("TYPEPAN"), Some(TransferType::Pan));
        assert_eq!(TransferType::parse(" typecardid "), Some(TransferType::CardId));
        assert_eq!(TransferType::parse("TYPEPAD"), None);
        assert!(check_order_id("8161284658529816").is_ok());
        assert!(check_order_id("12345").is_err());
        assert!(check_order_id("12345a").is_err());
        assert_eq!(expiry_mmyy("1", "2025").as_deref(), Some("0125"));
        assert_eq!(expiry_mmyy("01", "25").as_deref(), Some("0125"));
        assert_eq!(expiry_mmyy("13", "25"), None);
        assert_eq!(mask_phone("77071234567"), "7707***4567");
        assert_eq!(check_phone("+77071234567").as_deref(), Ok("77071234567"));
        assert!(check_iin("990101300123").is_ok());
    }

    proptest! {
        #[test]
        fn fee_is_at_least_the_minimum_and_monotonic(minor in 0i64..1_000_000_000_000, extra in 0i64..1_000_000) {
            let s = settings();
            let a = fee(Amount::from_minor(minor), &s);
            prop_assert!(a >= Amount::from_units(95));
            prop_assert!(fee(Amount::from_minor(minor + extra), &s) >= a);
        }

        #[test]
        fn helpers_never_panic(text in ".{0,30}", other in ".{0,8}") {
            let _ = TransferType::parse(&text);
            let _ = check_order_id(&text);
            let _ = expiry_mmyy(&text, &other);
            let _ = check_phone(&text);
            let _ = mask_phone(&text);
        }

        #[test]
        fn fee_never_panics_on_odd_settings(pct in proptest::num::f64::ANY, min in any::<i64>(), minor in 0i64..1_000_000_000_000_000) {
            let s = TransferSettings { fee_percent: pct, fee_min: min, daily_limit: 0, receiver_daily_limit: 0 };
            let _ = fee(Amount::from_minor(minor), &s);
        }
    }
}
